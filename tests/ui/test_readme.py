"""Every code snippet in README.md's "Use it from code" section runs against the live server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
README_URL = "http://127.0.0.1:7860"


def readme_snippets() -> list[tuple[str, str]]:
    """(language, code) of each fenced block in the "Use it from code" section."""
    text = README.read_text(encoding="utf-8")
    if "## Use it from code" not in text:
        raise AssertionError("README.md has no 'Use it from code' section")
    section = text.split("## Use it from code", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(python|bash)\n(.*?)```", section, flags=re.S)


SNIPPETS = readme_snippets()


def _name(snippet: tuple[str, str]) -> str:
    lang, code = snippet
    for marker in ("openai", "gradio_client", "mcp", "curl"):
        if marker in code:
            return marker
    return lang


def test_readme_shows_each_way_in():
    assert sorted(_name(s) for s in SNIPPETS) == ["curl", "gradio_client", "mcp", "openai"]
    for _, code in SNIPPETS:
        assert README_URL in code


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[_name(s) for s in SNIPPETS])
def test_readme_snippet_runs(live_server, snippet, tmp_path):
    lang, code = snippet
    code = code.replace(README_URL, live_server.url)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    command = [sys.executable, "-c", code] if lang == "python" else ["bash", "-euo", "pipefail"]
    result = subprocess.run(
        command,
        input=None if lang == "python" else code,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    out = result.stdout
    name = _name(snippet)
    if name == "openai":
        # the answer, then one line per item, then the streamed answer
        assert out.count("\n") >= 3 and " : " in out
    elif name == "curl":
        assert '"chat.completion"' in out and '"items"' in out
        png = (tmp_path / "causal-graph.png").read_bytes()
        assert png.startswith(b"\x89PNG")
    elif name == "gradio_client":
        assert out.strip().splitlines()[-1].startswith("[")
    elif name == "mcp":
        first = out.splitlines()[0]
        assert "'chat'" in first and "'recommend'" in first
