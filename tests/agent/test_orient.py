"""LLM-backed edge orientation for causal discovery."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from llm_fakes import ScriptedChatModel
from openai_loopback import ScriptedOpenAIServer

from agent.orient import llm_orient, parse_choice

DESC = {"quality": "how good the item is", "rating": "the rating the user gave"}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("A", ("quality", "rating")), ("B) rating causes quality", ("rating", "quality")), ("C", None),
     ("A or B", None), ("I cannot tell", None)],
)  # fmt: skip
def test_answers_map_to_directions(answer, expected):
    orient = llm_orient(model=ScriptedChatModel(steps=[AIMessage(answer)]))
    assert orient("quality", "rating", DESC) == expected


def test_failures_mean_no_opinion_and_answers_are_cached():
    model = ScriptedChatModel(steps=[RuntimeError("down"), AIMessage("A"), AIMessage("B")])
    orient = llm_orient(model=model)
    assert orient("quality", "rating", DESC) is None
    assert orient("quality", "rating", DESC) == ("quality", "rating")
    assert orient("rating", "quality", DESC) == ("quality", "rating")  # cached, same pair
    assert len(model.prompts) == 2
    assert "how good the item is" in model.prompts[1][-1].content


def test_over_the_openai_protocol():
    with ScriptedOpenAIServer([{"content": "A"}]) as server:
        orient = llm_orient(f"openai:{server.url}")
        assert orient("quality", "rating", DESC) == ("quality", "rating")
        assert server.requests[0]["messages"][0]["role"] == "system"


def test_rule_backend_is_refused():
    with pytest.raises(ValueError):
        llm_orient("rule")
    assert parse_choice("  b ") == "B"


# -- `whyrec build --orient SPEC`: the CLI hands an LLM orienter down to causal discovery ------


def _two_linked_item_attributes(folder) -> None:
    """Items whose 'budget' and 'spectacle' move together (same tier: only a hook can orient
    that edge) and ratings that follow spectacle."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n_items, n_users, n = 40, 30, 900
    budget = rng.integers(1, 4, n_items)
    spectacle = np.where(rng.random(n_items) < 0.85, budget, rng.integers(1, 4, n_items))
    folder.mkdir(parents=True)
    ids = [f"i{i}" for i in range(n_items)]
    pd.DataFrame(
        {"item_id": ids, "title": [f"Item {i}" for i in range(n_items)], "budget": budget,
         "spectacle": spectacle}
    ).to_csv(folder / "items.csv", index=False)  # fmt: skip
    pd.DataFrame({"user_id": [f"u{u}" for u in range(n_users)]}).to_csv(
        folder / "users.csv", index=False
    )
    items = rng.integers(0, n_items, n)
    users = rng.integers(0, n_users, n)
    rating = np.clip(np.round(1 + spectacle[items] + rng.normal(0, 0.7, n)), 1, 5).astype(int)
    inter = pd.DataFrame(
        {"user_id": [f"u{u}" for u in users], "item_id": [ids[i] for i in items], "rating": rating}
    )
    inter.drop_duplicates(["user_id", "item_id"]).to_csv(folder / "interactions.csv", index=False)


def _build(*args: str):
    from typer.testing import CliRunner

    from ui.cli import app

    return CliRunner().invoke(app, ["build", *args, "--no-progress"])


@pytest.mark.slow
def test_build_orient_asks_the_llm_about_undecided_edges(tmp_path):
    import json
    import re

    _two_linked_item_attributes(tmp_path / "data")
    asked: list[tuple[str, str]] = []

    def answer_b(request):  # "B": the second variable named causes the first
        found = re.search(r"A\) (\S+) causes (\S+)", request["messages"][-1]["content"])
        asked.append((found.group(1), found.group(2)))
        return {"content": "B"}

    with ScriptedOpenAIServer([answer_b]) as server:
        result = _build(
            str(tmp_path / "data"), "--out", str(tmp_path / "ws"), "--skip", "catalog",
            "--skip", "ranker", "--time-budget", "6", "--orient", f"openai:{server.url}",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "orients the edges" in result.output
    assert sorted(map(sorted, asked)) == [["budget", "spectacle"]]
    graph = json.loads((tmp_path / "ws" / "causal" / "graph.json").read_text(encoding="utf-8"))
    x, y = asked[0]
    assert [y, x] in graph["edges"] and [x, y] not in graph["edges"]
    assert graph["edge_info"][f"{y}->{x}"]["oriented_by"] == "orient_fn"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("openai:ftp://example.org/v1", "--orient: openai backend needs an http(s) URL"),
        ("openai:", "--orient: unknown LLM backend"),
        ("gpt:http://127.0.0.1:1/v1", "--orient: unknown LLM backend kind"),
        ("rule", "--orient needs an LLM"),
    ],
)
def test_build_orient_refuses_a_bad_spec_before_building(tmp_path, spec, message):
    result = _build("synthetic:1", "--out", str(tmp_path / "ws"), "--orient", spec)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "ws").exists()


def test_build_options_carry_the_orienter_to_the_causal_step(monkeypatch, tmp_path):
    """tools never imports agent: the orienter is a plain callable on BuildOptions, and the
    causal step passes it to discovery."""
    import causal.build
    from tools.workspace_build import BuildContext, BuildOptions

    seen = {}
    monkeypatch.setattr(causal.build, "build_causal", lambda *a, **kw: seen.update(kw) or {})

    def orienter(x, y, descriptions):
        return (x, y)

    ctx = BuildContext(None, tmp_path, None, BuildOptions(orient=orienter, progress=False))
    causal.build.workspace_step(ctx)
    assert seen["orient"] is orienter
    assert BuildOptions().orient is None
