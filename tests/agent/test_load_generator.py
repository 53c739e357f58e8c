"""benchmarks/load.py against the loopback OpenAI-protocol server (streamed answers)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from openai_loopback import ScriptedOpenAIServer

ROOT = Path(__file__).resolve().parents[2]


def _load_module():
    spec = importlib.util.spec_from_file_location(
        "whyrec_load_bench", ROOT / "benchmarks" / "load.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module's annotations
    spec.loader.exec_module(module)
    return module


def test_levels_report_ttft_and_latency(tmp_path):
    load = _load_module()
    answer = "Here are three comedies you might enjoy tonight."
    with ScriptedOpenAIServer([{"content": answer}], chunk_size=4, chunk_delay_s=0.01) as server:
        out = tmp_path / "load.json"
        code = load.main(
            ["--url", server.url, "--conversations", "4", "--concurrency", "1,4", "--out", str(out)]
        )
        requests = list(server.requests)
    assert code == 0
    payload = json.loads(out.read_text())
    assert payload["model"] == "scripted-model"
    levels = payload["results"]
    assert [r["concurrency"] for r in levels] == [1, 4]
    for level in levels:
        assert level["errors"] == 0 and level["turns"] == 4 * len(load.SCRIPT)
        assert 0 < level["ttft_p50_ms"] <= level["turn_p50_ms"]
        assert level["turn_p50_ms"] >= 10 * 10  # ~12 chunks 10 ms apart
    assert all(r["stream"] and r["user"].startswith("load-") for r in requests)
    # the history grows turn by turn, as an OpenAI client's would
    assert max(len(r["messages"]) for r in requests) == 2 * len(load.SCRIPT) - 1
    assert any(m["content"] == answer for r in requests for m in r["messages"])


def test_errors_are_counted_not_raised():
    load = _load_module()
    with ScriptedOpenAIServer([{"status": 503}]) as server:
        result = load.run_level(
            server.url, model="m", conversations=2, concurrency=2, turns=("hi",)
        )
    assert result.errors == 2 and result.error_samples == ["HTTP 503"]
