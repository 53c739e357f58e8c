"""When the LLM backend fails mid-conversation the turn falls back to the rule planner, and the
surfaces say so: the OpenAI extension field and the web UI's banner."""

from __future__ import annotations

import socket

import openai
import pytest
from gradio_client import Client


@pytest.fixture(scope="module")
def fallback_server(ui_workspace, tmp_path_factory):
    from agent.api import RecAgent
    from ui.server import ServerThread, create_app
    from ui.settings import ServerSettings

    with socket.socket() as sock:  # a port nobody listens on: every LLM call is refused
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    mp = pytest.MonkeyPatch()
    mp.setenv("WHYREC_LLM_MAX_RETRIES", "0")
    mp.setenv("WHYREC_LLM_TIMEOUT", "5")
    try:
        agent = RecAgent.from_workspace(
            ui_workspace.root,
            llm=f"openai:http://127.0.0.1:{dead}/v1#some-model",
            state_dir=tmp_path_factory.mktemp("fallback-state"),
        )
        app = create_app(agent, agent.workspace, ServerSettings())
        with ServerThread(app) as server:
            yield server
    finally:
        mp.undo()


def test_openai_extension_reports_the_fallback(fallback_server):
    with openai.OpenAI(base_url=fallback_server.url + "/v1", api_key="x", max_retries=0) as c:
        completion = c.chat.completions.create(
            model="whyrec", messages=[{"role": "user", "content": "Recommend me a comedy"}]
        )
    ext = completion.model_extra["whyrec"]
    assert ext["backend"].startswith("openai:")
    assert ext["fallback"] is True and ext["fallback_reason"]
    assert completion.choices[0].message.content and ext["items"]


def test_ui_banner_names_the_backend_and_the_fallback(fallback_server):
    client = Client(fallback_server.url + "/", verbose=False)
    try:
        outputs = client.predict("Recommend me a comedy", [], api_name="/respond")
    finally:
        client.close()
    banner = next(o for o in outputs if isinstance(o, str) and "LLM backend" in o)
    assert "openai:http://127.0.0.1" in banner
    assert "rule planner" in banner
