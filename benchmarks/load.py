"""Load generator for any OpenAI-compatible chat endpoint: time to first token and turn latency.

    python benchmarks/load.py --url http://127.0.0.1:7860/v1 [--model whyrec]
        [--conversations 32] [--concurrency 1,8,32] [--api-key KEY] [--timeout 120]

Runs N scripted multi-turn conversations at each concurrency level. Every turn is a streamed
`POST /chat/completions` carrying the conversation so far (as OpenAI clients do) and a `user`
field naming the conversation (WhyRec's server keys its sessions on it). Measures time to the
first content token (TTFT) and to the end of the turn, and reports p50/p99 per level, tokens
per second and errors. Works against WhyRec's own server (`whyrec serve`, any backend) or a
bare vLLM server; tested here against a loopback server. Writes benchmarks/results/load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository first, always: this folder's causal.py and agent.py would shadow the packages.
sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import machine  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
SCRIPT = (
    "I want to watch a movie tonight",
    "a comedy from the 90s",
    "not romance please",
    "why the first one?",
    "more like the second one",
)


@dataclass
class TurnSample:
    """One turn's timings (seconds) and outcome."""

    ttft_s: float | None
    total_s: float
    chunks: int
    chars: int
    error: str | None = None


@dataclass
class LevelResult:
    """Aggregates for one concurrency level."""

    concurrency: int
    conversations: int
    turns: int
    errors: int
    wall_s: float
    turns_per_s: float
    ttft_p50_ms: float | None
    ttft_p99_ms: float | None
    turn_p50_ms: float | None
    turn_p99_ms: float | None
    chars_per_s_p50: float | None
    error_samples: list[str] = field(default_factory=list)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))]


def stream_turn(
    client: Any,
    url: str,
    model: str,
    messages: list[dict[str, str]],
    user: str,
    headers: dict[str, str],
) -> tuple[TurnSample, str]:
    """One streamed chat completion: its timings and the assistant's full text."""
    body = {"model": model, "messages": messages, "stream": True, "user": user}
    started = time.perf_counter()
    ttft: float | None = None
    chunks = 0
    text: list[str] = []
    try:
        with client.stream(
            "POST", url.rstrip("/") + "/chat/completions", json=body, headers=headers
        ) as response:
            if response.status_code >= 400:
                response.read()
                return TurnSample(
                    None, time.perf_counter() - started, 0, 0, f"HTTP {response.status_code}"
                ), ""
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    payload = json.loads(data)
                except ValueError:
                    continue
                for choice in payload.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    if piece:
                        if ttft is None:
                            ttft = time.perf_counter() - started
                        chunks += 1
                        text.append(piece)
    except Exception as exc:  # a load test records failures instead of stopping
        return TurnSample(
            ttft, time.perf_counter() - started, chunks, len("".join(text)), type(exc).__name__
        ), ""
    full = "".join(text)
    return TurnSample(ttft, time.perf_counter() - started, chunks, len(full)), full


def conversation(
    client: Any, url: str, model: str, turns: tuple[str, ...], headers: dict[str, str]
) -> list[TurnSample]:
    """One scripted conversation; the history grows as an OpenAI client's would."""
    user = f"load-{uuid.uuid4().hex[:12]}"
    messages: list[dict[str, str]] = []
    samples = []
    for text in turns:
        messages.append({"role": "user", "content": text})
        sample, answer = stream_turn(client, url, model, messages, user, headers)
        samples.append(sample)
        messages.append({"role": "assistant", "content": answer or "(no answer)"})
    return samples


def run_level(
    url: str,
    *,
    model: str,
    conversations: int,
    concurrency: int,
    turns: tuple[str, ...] = SCRIPT,
    api_key: str | None = None,
    timeout_s: float = 120.0,
) -> LevelResult:
    """N conversations with at most `concurrency` running at once."""
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    limits = httpx.Limits(
        max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4
    )
    samples: list[TurnSample] = []
    lock = threading.Lock()
    with httpx.Client(timeout=timeout_s, limits=limits) as client:

        def one(_: int) -> None:
            result = conversation(client, url, model, turns, headers)
            with lock:
                samples.extend(result)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(conversations)))
        wall = time.perf_counter() - started
    ok = [s for s in samples if s.error is None]
    ttfts = [s.ttft_s * 1000 for s in ok if s.ttft_s is not None]
    totals = [s.total_s * 1000 for s in ok]
    rates = [s.chars / s.total_s for s in ok if s.total_s > 0 and s.chars]
    errors = [s.error for s in samples if s.error]
    return LevelResult(
        concurrency=concurrency,
        conversations=conversations,
        turns=len(samples),
        errors=len(errors),
        wall_s=round(wall, 3),
        turns_per_s=round(len(samples) / wall, 2) if wall > 0 else 0.0,
        ttft_p50_ms=_round(_pct(ttfts, 50)),
        ttft_p99_ms=_round(_pct(ttfts, 99)),
        turn_p50_ms=_round(_pct(totals, 50)),
        turn_p99_ms=_round(_pct(totals, 99)),
        chars_per_s_p50=_round(statistics.median(rates) if rates else None),
        error_samples=sorted(set(errors))[:5],
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def discover_model(url: str, api_key: str | None, timeout_s: float = 10.0) -> str:
    """The first model the endpoint lists ('default' when it lists none)."""
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        data = httpx.get(url.rstrip("/") + "/models", headers=headers, timeout=timeout_s).json()
        return str(data["data"][0]["id"])
    except Exception:  # the endpoint may not list models; any name works for WhyRec
        return "default"


def print_table(results: list[LevelResult]) -> None:
    """One line per concurrency level."""
    header = (
        f"{'conc':>5} {'turns':>6} {'errors':>6} {'turns/s':>8} {'TTFT p50':>9} {'TTFT p99':>9} "
        f"{'turn p50':>9} {'turn p99':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.concurrency:>5} {r.turns:>6} {r.errors:>6} {r.turns_per_s:>8.2f} "
            f"{_fmt(r.ttft_p50_ms):>9} {_fmt(r.ttft_p99_ms):>9} {_fmt(r.turn_p50_ms):>9} {_fmt(r.turn_p99_ms):>9}"
        )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="base URL including /v1")
    parser.add_argument("--model", default=None, help="model name (default: first listed)")
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--api-key", default=os.environ.get("WHYREC_API_KEY"))
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--label", default="", help="a name for this run in the JSON")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    if not levels or min(levels) < 1:
        parser.error("--concurrency takes positive integers, e.g. 1,8,32")
    model = args.model or discover_model(args.url, args.api_key)
    results = [
        run_level(
            args.url,
            model=model,
            conversations=max(args.conversations, c),
            concurrency=c,
            api_key=args.api_key,
            timeout_s=args.timeout,
        )
        for c in levels
    ]
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "load",
        "label": args.label,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python "
        + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])]),
        "url": args.url,
        "model": model,
        "script": list(SCRIPT),
        "results": [asdict(r) for r in results],
    }
    if results[0].ttft_p50_ms and len(results) > 1 and results[-1].ttft_p50_ms:
        payload["ttft_p50_ratio_max_vs_min_concurrency"] = round(
            results[-1].ttft_p50_ms / results[0].ttft_p50_ms, 2
        )
    args.out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
