"""Per-turn overhead of the agent, excluding LLM generation: tools, retrieval, ranking, explanations.

    python benchmarks/agent.py [--datasets movielens-100k,synthetic-100k] [--sessions 20]
                               [--ml-workspace W] [--syn-workspace W] [--syn-items 100000]

For each dataset it opens (or builds once, under benchmarks/results/tmp/) a workspace and runs
SESSIONS scripted conversations, one turn at a time, through `RecAgent.chat`:

- `rule`: the rule backend — everything a turn costs without a language model;
- `llm-path`: the LLM loop (langgraph agent, tool calls, candidate bus, grounding check) driven
  by an instant scripted chat model that calls `recommend` and then cites its first item, so
  the time measured is the loop's own overhead with zero generation time;
- `retrieval`: one `catalog.search` per turn, the floor every turn pays (the baseline the
  ratios are quoted against, measured in the same run).

Query embeddings are cached (a wish is searched and explained many times), so repeated
dialogues mostly hit the cache; the `rule_fresh_query` row sends free-text wishes never seen
before, each paying one embedding.

What-if and graph-question turns (which run an effect estimate or a graph query) are reported
in their own row. The rule row is also split by stage (parse and intent classification,
retrieval and ranking, counterfactual search, explanation evidence, grounding check, other):
each stage's own milliseconds per turn. Prints a table, checks the target (p50 <= 50 ms, p99 <= 150 ms for the
conversation turns) and writes benchmarks/results/agent.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository first, always: this folder's causal.py and agent.py would shadow the packages.
sys.path.insert(0, str(ROOT))

from benchmarks.machine_info import machine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
TARGET_P50_MS = 50.0
TARGET_P99_MS = 150.0

DIALOGUES: dict[str, list[str]] = {
    "movielens-100k": [
        "I want to watch a movie tonight",
        "a comedy from the 90s",
        "not romance please",
        "something newer",
        "why the first one?",
        "I liked the second one",
        "more like the second one",
        "compare the first and the third",
        "a thriller instead",
        "something else",
    ],
    "synthetic-100k": [
        "something to watch",
        "a comedy under $20",
        "cheaper",
        "not animation",
        "why the first one?",
        "I liked the second one",
        "more like the first one",
        "compare the first and the second",
        "an action movie instead",
        "something else",
    ],
}
# Free-text wishes never seen before: each costs one query embedding (others hit the cache).
TOPIC_WORDS = (
    "space", "love", "war", "family", "heist", "robot", "ocean", "detective", "ghost", "island",
    "music", "school", "prison", "desert", "dragon", "city", "friendship", "revenge", "storm", "train",
)  # fmt: skip


def fresh_queries(n: int) -> list[str]:
    """n distinct free-text requests."""
    pairs = [(a, b) for a in TOPIC_WORDS for b in TOPIC_WORDS if a < b]
    return [f"something about {a} and {b}" for a, b in pairs[:n]]


CAUSAL_TURNS: dict[str, list[str]] = {
    "movielens-100k": ["does year affect rating?", "what if it were older?"],
    "synthetic-100k": ["does price affect clicked?", "what if it were promoted?"],
}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank on the sorted values)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def summarise(values: list[float]) -> dict[str, float]:
    """p50/p90/p99/mean/max of a list of milliseconds."""
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p90_ms": round(percentile(values, 90), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "mean_ms": round(statistics.fmean(values), 2) if values else float("nan"),
        "max_ms": round(max(values), 2) if values else float("nan"),
    }


def ensure_workspace(name: str, path: Path | None, syn_items: int) -> Path:
    """The dataset's workspace (built once under benchmarks/results/tmp/ when not given)."""
    from tools.workspace import is_workspace
    from tools.workspace_build import BuildOptions, build_workspace

    target = path or RESULTS / "tmp" / name
    if is_workspace(target):
        return target
    print(f"building the {name} workspace in {target} (once) ...", file=sys.stderr)
    if name == "movielens-100k":
        source: Any = "movielens-100k"
    else:
        from causal.datasets.synthetic import SyntheticConfig, make_world

        # Few users: the simulator keeps users x items matrices (500 x 100k is ~0.4 GB each).
        config = SyntheticConfig(
            seed=7, n_users=500, n_items=syn_items, n_interactions=100_000, random_per_user=2
        )
        source = make_world(config).dataset
    build_workspace(source, target, BuildOptions(progress=True, time_budget_s=60))
    return target


def instant_model() -> Any:
    """A chat model with zero generation time: calls recommend, then cites the first item."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, ToolMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class Instant(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "instant"

        def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
            return self

        def _generate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> ChatResult:
            last = messages[-1]
            if isinstance(last, ToolMessage):
                try:
                    items = json.loads(last.content).get("items") or []
                except ValueError:
                    items = []
                text = f"Try {items[0]['title']}." if items else "Nothing matched; tell me more."
                message = AIMessage(text)
            else:
                call = {"name": "recommend", "args": {"k": 10}, "id": f"c{time.perf_counter_ns()}"}
                message = AIMessage("", tool_calls=[call])
            return ChatResult(generations=[ChatGeneration(message=message)])

    return Instant()


# Where a rule turn's time goes: each stage's own time (nested stages are not counted twice).
STAGES = (
    ("parse_classify", "agent.planner", "RulePlanner.read"),
    ("retrieval_ranking", "tools.recommending", "recommend_for_user"),
    ("counterfactual_search", "tools.counterfactuals", "counterfactual_reasons"),
    *(
        ("explanation_evidence", "tools.explain", f"_{part}_evidence")
        for part in ("attribute", "similarity", "ranker", "popularity", "causal")
    ),
    ("grounding", "agent.grounding", "GroundingChecker.check"),
)


class StageTimer:
    """Wraps the STAGES functions to add up each one's exclusive milliseconds per turn."""

    def __init__(self) -> None:
        self.turn: dict[str, float] = {}
        self.totals: dict[str, list[float]] = {name: [] for name, _, _ in STAGES}
        self._stack: list[list[float]] = []  # [start, time spent in nested stages]
        self._patched: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> StageTimer:
        import importlib

        for label, module, path in STAGES:
            owner: Any = importlib.import_module(module)
            *parents, attr = path.split(".")
            for part in parents:
                owner = getattr(owner, part)
            original = getattr(owner, attr)
            self._patched.append((owner, attr, original))
            setattr(owner, attr, self._wrap(label, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, attr, original in reversed(self._patched):
            setattr(owner, attr, original)

    def _wrap(self, label: str, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                start, nested = self._stack.pop()
                spent = (time.perf_counter() - start) * 1000
                self.turn[label] = self.turn.get(label, 0.0) + spent - nested
                if self._stack:
                    self._stack[-1][1] += spent

        return timed

    def end_turn(self, total_ms: float) -> None:
        """Close a turn: every stage's share (0 when not called) and the rest as `other`."""
        for label in self.totals:
            self.totals[label].append(self.turn.get(label, 0.0))
        self.totals.setdefault("other", []).append(total_ms - sum(self.turn.values()))
        self.turn = {}

    def summary(self) -> dict[str, dict[str, float]]:
        """Per stage: mean and p50/p99 of its milliseconds per turn."""
        return {
            label: {
                "mean_ms": round(statistics.fmean(v), 2),
                "p50_ms": round(percentile(v, 50), 2),
                "p99_ms": round(percentile(v, 99), 2),
            }
            for label, v in self.totals.items()
            if v
        }


def run_dialogues(
    agent: Any, turns: list[str], sessions: int, stages: StageTimer | None = None
) -> tuple[list[float], dict[str, list[float]], int]:
    """Run the scripted dialogue `sessions` times; per-turn ms, per-tool ms, ungrounded count."""
    times: list[float] = []
    tools: dict[str, list[float]] = {}
    ungrounded = 0
    for _ in range(sessions):
        sid = agent.new_session()
        for text in turns:
            started = time.perf_counter()
            reply = agent.chat(sid, text)
            times.append((time.perf_counter() - started) * 1000)
            if stages is not None:
                stages.end_turn(times[-1])
            ungrounded += int(not reply.grounded)
            per_tool: dict[str, float] = {}
            for step in reply.trace:
                if step.kind == "tool" and step.ms is not None:
                    per_tool[step.name] = per_tool.get(step.name, 0.0) + step.ms
            for name, ms in per_tool.items():
                tools.setdefault(name, []).append(ms)
    return times, tools, ungrounded


def bench_dataset(name: str, workspace: Path, sessions: int) -> dict[str, Any]:
    """All measurements for one dataset."""
    from agent.api import RecAgent
    from agent.backends import parse_backend_spec
    from tools.workspace import Workspace

    out: dict[str, Any] = {"dataset": name, "workspace": str(workspace)}
    with tempfile.TemporaryDirectory(prefix="whyrec-bench-") as tmp:
        started = time.perf_counter()
        agent = RecAgent.from_workspace(workspace, llm="rule", state_dir=Path(tmp) / "rule")
        # what a server does in the background before its first user: the catalog, the ranker,
        # the intent and verdict models' fits (counted in startup_s, not in the turns)
        agent.warm_up()
        warm = agent.new_session()
        for text in DIALOGUES[name][:3]:
            agent.chat(warm, text)
        out["n_items"] = len(agent.workspace.dataset.items)
        out["startup_s"] = round(time.perf_counter() - started, 2)
        with StageTimer() as stages:
            times, tools, ungrounded = run_dialogues(agent, DIALOGUES[name], sessions, stages)
        out["rule"] = summarise(times)
        out["rule_stages"] = stages.summary()
        out["rule"]["ungrounded_turns"] = ungrounded
        out["rule_tools"] = {k: summarise(v) for k, v in sorted(tools.items())}
        fresh_times: list[float] = []
        fresh_ungrounded = 0
        for query in fresh_queries(sessions * 2):  # each in a new session: one turn, one wish
            one_time, _, one_bad = run_dialogues(agent, [query], 1)
            fresh_times += one_time
            fresh_ungrounded += one_bad
        out["rule_fresh_query"] = summarise(fresh_times)
        out["rule_fresh_query"]["ungrounded_turns"] = fresh_ungrounded
        causal_times, _, causal_ungrounded = run_dialogues(
            agent, CAUSAL_TURNS[name], max(2, sessions // 5)
        )
        out["rule_causal_turns"] = summarise(causal_times)
        out["rule_causal_turns"]["ungrounded_turns"] = causal_ungrounded
        out["grounding"] = agent.grounding_stats()
        agent.close()

        ws = Workspace.open(workspace)
        llm_agent = RecAgent(
            ws,
            parse_backend_spec("openai:http://127.0.0.1:9/v1#instant"),
            state_dir=Path(tmp) / "llm",
            chat_model=instant_model(),
        )
        warm = llm_agent.new_session()
        llm_agent.chat(warm, "hello")
        llm_times, _, llm_ungrounded = run_dialogues(
            llm_agent, DIALOGUES[name], max(2, sessions // 2)
        )
        out["llm_path"] = summarise(llm_times)
        out["llm_path"]["ungrounded_turns"] = llm_ungrounded
        out["llm_path"]["fallback_turns"] = llm_agent.grounding_stats()["fallback_turns"]
        llm_agent.close()

        catalog = ws.catalog
        catalog.warm_up()
        base: list[float] = []
        for _ in range(sessions):
            for text in DIALOGUES[name]:
                started = time.perf_counter()
                catalog.search(text, k=30)
                base.append((time.perf_counter() - started) * 1000)
        out["retrieval"] = summarise(base)
    rule = out["rule"]
    out["ratio_rule_p50_to_retrieval_p50"] = round(rule["p50_ms"] / out["retrieval"]["p50_ms"], 2)
    out["target_met"] = rule["p50_ms"] <= TARGET_P50_MS and rule["p99_ms"] <= TARGET_P99_MS
    return out


def print_table(results: list[dict[str, Any]]) -> None:
    """One line per dataset and path."""
    header = f"{'dataset':16} {'path':18} {'turns':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    for res in results:
        for path in ("rule", "rule_fresh_query", "rule_causal_turns", "llm_path", "retrieval"):
            s = res[path]
            print(
                f"{res['dataset']:16} {path:18} {s['n']:>6} {s['p50_ms']:>8.1f} {s['p90_ms']:>8.1f} "
                f"{s['p99_ms']:>8.1f} {s['max_ms']:>8.1f}"
            )
        print(
            f"{'':16} rule/retrieval p50 ratio {res['ratio_rule_p50_to_retrieval_p50']}; "
            f"target p50<={TARGET_P50_MS:.0f} p99<={TARGET_P99_MS:.0f}: "
            f"{'met' if res['target_met'] else 'NOT met'}; "
            f"rule grounding rate {res['grounding'].get('rule_grounding_rate')}"
        )
        stages = res.get("rule_stages", {})
        print(
            f"{'':16} rule turn by stage (mean ms): "
            + ", ".join(f"{k} {v['mean_ms']:.1f}" for k, v in stages.items())
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="movielens-100k,synthetic-100k")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--ml-workspace", type=Path, default=None)
    parser.add_argument("--syn-workspace", type=Path, default=None)
    parser.add_argument("--syn-items", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=RESULTS / "agent.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = []
    for name in [d.strip() for d in args.datasets.split(",") if d.strip()]:
        if name not in DIALOGUES:
            parser.error(f"unknown dataset {name!r}; choose from {sorted(DIALOGUES)}")
        given = args.ml_workspace if name == "movielens-100k" else args.syn_workspace
        workspace = ensure_workspace(name, given, args.syn_items)
        results.append(bench_dataset(name, workspace, args.sessions))
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "agent",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python "
        + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])]),
        "targets": {"p50_ms": TARGET_P50_MS, "p99_ms": TARGET_P99_MS},
        "results": results,
    }
    args.out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
