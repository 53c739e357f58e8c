"""`whyrec serve`: first-run workspace (with the synthetic fallback), clear errors, and a real
start-up in a subprocess that answers /healthz and serves the UI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import tools.workspace_build as workspace_module
from causal.datasets.movielens import FetchError
from ui.cli import app
from ui.cli_serve import default_workspace, ensure_workspace

WHYREC = str(Path(sys.executable).parent / "whyrec")


def test_default_workspace_lives_under_whyrec_home(monkeypatch, tmp_path):
    monkeypatch.setenv("WHYREC_HOME", str(tmp_path))
    assert default_workspace() == tmp_path / "workspaces" / "movielens-100k"
    assert default_workspace("coat:/x/y") == tmp_path / "workspaces" / "coat--x-y"


def test_first_run_falls_back_to_a_synthetic_world_when_the_download_fails(monkeypatch, tmp_path):
    built: list[str] = []

    def fake_build(source, out, options=None, log=None):
        built.append(source)
        if source == "movielens-100k":
            raise FetchError("no network")
        Path(out).mkdir(parents=True)
        (Path(out) / "workspace.json").write_text(json.dumps({"dataset": {"name": source}}))

    monkeypatch.setattr(workspace_module, "build_workspace", fake_build)
    messages: list[str] = []
    path = ensure_workspace(tmp_path / "ws" / "movielens-100k", log=messages.append)
    assert built == ["movielens-100k", "synthetic"]
    assert path == tmp_path / "ws" / "synthetic"
    assert any("synthetic world instead" in m and "no network" in m for m in messages)
    # the second run reuses the fallback without trying to build again
    built.clear()
    assert ensure_workspace(path, log=messages.append) == path
    assert built == []


def test_existing_workspace_is_used_as_is(ui_workspace, monkeypatch):
    monkeypatch.setattr(workspace_module, "build_workspace", pytest.fail)
    assert ensure_workspace(ui_workspace.root) == ui_workspace.root


def test_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = CliRunner().invoke(
            app, ["serve", "--workspace", str(tmp_path / "ws"), "--port", str(port)]
        )
    assert result.exit_code == 2
    assert "cannot listen" in result.output and str(port) in result.output
    assert not (tmp_path / "ws").exists(), "nothing is built when the server cannot start"


def test_bad_settings_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("WHYREC_API_KEYS", "short")
    result = CliRunner().invoke(app, ["serve", "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 2 and "8 characters" in result.output
    monkeypatch.delenv("WHYREC_API_KEYS")
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "port" in result.output


@pytest.mark.slow
def test_serve_starts_and_answers(ui_workspace):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "WHYREC_LLM": "", "WHYREC_API_KEYS": ""}
    command = [WHYREC, "serve", "--workspace", str(ui_workspace.root), "--port", str(port)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = httpx.get(url + "/healthz", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert health is not None and health.status_code == 200, "server never became ready"
        assert health.json()["backend"] == "rule"
        page = httpx.get(url + "/")
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    assert f"serving at http://127.0.0.1:{port}" in stderr
