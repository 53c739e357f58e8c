"""`whyrec eval dialogue` and `whyrec eval all` (reduced) on a small workspace; the scoreboard."""

from __future__ import annotations

import json
import textwrap

import pytest
from typer.testing import CliRunner

from agent.evaluation import Figure, Scoreboard, Section, Status
from ui.cli import app

runner = CliRunner()


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_eval_dialogue_json_contract(ui_workspace):
    result = runner.invoke(
        app,
        ["eval", "dialogue", "--workspace", str(ui_workspace.root), "--n", "3", "--turns", "2",
         "--seed", "5", "--no-progress", "--json"],
    )  # fmt: skip
    payload = _json(result)
    for key in ("hit@1", "hit@5", "hit@10", "avg_turns", "grounding_rate", "n", "turns"):
        assert key in payload
    assert payload["n"] == 3 and payload["turns"] == 2
    assert set(payload["latency_ms"]) >= {"p50", "p99"}
    assert set(payload["baselines"]) == {"popularity", "filter_popularity"}
    assert set(payload["systems"]) == {"agent", "popularity", "filter_popularity"}
    assert payload["bank"] == "heldout" and set(payload["strata"]) == {"head", "torso", "tail"}
    assert payload["command"].startswith("whyrec eval dialogue --workspace")
    assert "--n 3 --turns 2 --seed 5" in payload["command"]


def test_eval_dialogue_table_and_transcripts(ui_workspace, tmp_path):
    out = tmp_path / "t.jsonl"
    result = runner.invoke(
        app,
        ["eval", "dialogue", "--workspace", str(ui_workspace.root), "--n", "2", "--turns", "1",
         "--no-progress", "--transcripts", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "hit@10" in result.stdout and "popularity" in result.stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2 * 3  # the agent's and both baselines' dialogues
    assert all(r["turns"] and r["turns"][0]["user"] for r in rows)
    assert sorted(r["system"] for r in rows) == sorted(
        ["agent", "popularity", "filter_popularity"] * 2
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sampling", "bogus"], "--sampling must be one of"),
        (["--llm", "rule", "--endpoint", "http://127.0.0.1:9"], "exclude each other"),
        (["--bank", "test"], "--bank must be one of"),
    ],
)
def test_eval_dialogue_bad_input_exits_2(ui_workspace, args, message):
    result = runner.invoke(
        app, ["eval", "dialogue", "--workspace", str(ui_workspace.root), "--n", "1", *args]
    )
    assert result.exit_code == 2
    assert message in result.output


def test_eval_dialogue_unknown_workspace_exits_2(tmp_path):
    result = runner.invoke(app, ["eval", "dialogue", "--workspace", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "not a workspace" in result.output


def test_the_openai_endpoint_gives_the_same_dialogues_as_the_python_api(live_server):
    from agent.evaluation.clients import OpenAIAgentClient, PythonAgentClient
    from agent.evaluation.dialogue_eval import DialogueConfig, evaluate_dialogues

    config = DialogueConfig(n=3, turns=2, seed=2)
    http = OpenAIAgentClient(live_server.url)
    try:
        over_http = evaluate_dialogues(live_server.workspace, http, config, progress=False)
    finally:
        http.close()
    local = PythonAgentClient.open(live_server.workspace.root, llm="rule")
    try:
        in_process = evaluate_dialogues(local.agent.workspace, local, config, progress=False)
    finally:
        local.close()
    assert any(t.items for d in over_http.dialogues for t in d.turns)
    assert [[(t.user, t.items) for t in d.turns] for d in over_http.dialogues] == [
        [(t.user, t.items) for t in d.turns] for d in in_process.dialogues
    ]
    assert over_http.to_json()["hit@10"] == in_process.to_json()["hit@10"]


def test_eval_all_reduced_writes_the_scoreboard(ui_workspace, tmp_path):
    workspaces = tmp_path / "ws"
    workspaces.mkdir()
    for name in ("movielens-100k", "coat"):
        (workspaces / name).symlink_to(ui_workspace.root, target_is_directory=True)
    out = tmp_path / "results"
    result = runner.invoke(
        app,
        ["eval", "all", "--out", str(out), "--workspaces", str(workspaces), "--quick",
         "--n", "3", "--turns", "2", "--skip", "ranking", "--skip", "causal", "--skip", "latency",
         "--no-progress", "--json"],
    )  # fmt: skip
    board = _json(result)
    statuses = {s["name"]: s["status"] for s in board["sections"]}
    assert statuses == {
        "workspaces": "ok",
        "dialogue": "ok",
        "ranking": "skipped",
        "causal": "skipped",
        "latency": "skipped",
    }
    dialogue = next(s for s in board["sections"] if s["name"] == "dialogue")
    stored = json.loads((out / "dialogue.json").read_text())
    assert {"date", "machine", "command", "results"} <= set(stored)
    hit10 = next(
        f
        for f in dialogue["figures"]
        if f["metric"] == "hit@10" and f["system"] == "dialogue (rule)"
    )
    assert hit10["value"] == stored["results"]["hit@10"]
    assert all(f["command"] for s in board["sections"] for f in s["figures"])
    markdown = (out / "scoreboard.md").read_text()
    assert "## Dialogue (simulated users)" in markdown and hit10["command"] in markdown
    assert (out / "scoreboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "scoreboard.json").read_text())["command"].startswith(
        "whyrec eval all"
    )


def test_unknown_section_to_skip_exits_2(tmp_path):
    result = runner.invoke(app, ["eval", "all", "--out", str(tmp_path), "--skip", "everything"])
    assert result.exit_code == 2
    assert "unknown section" in result.output


def test_the_cli_tells_the_board_which_eval_commands_exist():
    from ui.cli import eval_app
    from ui.cli_eval import eval_commands

    assert {"dialogue", "all", "ranking", "nlu"} <= eval_commands(eval_app)


def test_missing_components_are_reported_not_invented(tmp_path, monkeypatch):
    import agent.evaluation.sections as runs

    options = runs.EvalAllOptions(out=tmp_path / "out", commands=frozenset({"dialogue", "all"}))
    ranking = runs.ranking_section(options, {"coat": tmp_path}, lambda m: None)
    assert ranking.status is Status.MISSING and not ranking.figures
    assert "whyrec eval ranking" in ranking.note
    monkeypatch.setattr(runs, "ROOT", tmp_path)
    causal = runs.causal_section(options, lambda m: None)
    assert causal.status is Status.MISSING and not causal.figures


def _fake_causal(root, body):
    script = root / "benchmarks" / "causal.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(textwrap.dedent(body), encoding="utf-8")


def test_causal_figures_come_from_the_benchmark_and_failures_say_why(tmp_path, monkeypatch):
    import agent.evaluation.sections as runs

    monkeypatch.setattr(runs, "ROOT", tmp_path)
    options = runs.EvalAllOptions(out=tmp_path / "out")
    _fake_causal(
        tmp_path,
        """
        import argparse, json
        p = argparse.ArgumentParser(); p.add_argument("--out"); a = p.parse_args()
        json.dump({"results": [{"name": "pc", "shd": 3, "runtime_s": 9},
                               {"name": "ges", "shd": 5, "effect_abs_error": 0.12}]},
                  open(a.out, "w"))
        """,
    )
    section = runs.causal_section(options, lambda m: None)
    assert section.status is Status.OK
    got = {(f.system, f.metric): f.value for f in section.figures}
    assert got == {("pc", "shd"): 3, ("ges", "shd"): 5, ("ges", "effect_abs_error"): 0.12}
    assert all(f.command.startswith("python benchmarks/causal.py --out") for f in section.figures)
    _fake_causal(tmp_path, "import sys\nsys.stderr.write('graph exploded\\n')\nsys.exit(3)\n")
    failed = runs.causal_section(options, lambda m: None)
    assert failed.status is Status.FAILED and "graph exploded" in failed.note
    assert not failed.figures


def test_causal_targets_and_ratios_are_the_headline():
    from agent.evaluation.sections import causal_figures

    payload = {
        "results": {
            "discovery_synthetic": [{"method": "pc", "shd": 4}],
            "targets": {"SHD with priors": {"value": 2, "target": "<= 2", "met": True}},
            "ratios": {"SHD plain / priors": 2.5},
        }
    }
    figures = causal_figures(payload, "python benchmarks/causal.py")
    got = {(f.metric, f.system): f.value for f in figures}
    assert got == {
        ("SHD with priors", "target <= 2: met"): 2,
        ("SHD plain / priors", "ratio in the same run"): 2.5,
    }


def test_ranking_figures_keep_systems_apart():
    from agent.evaluation.sections import ranking_figures, ranking_note

    payload = {
        "method": "dr-jl",
        "mse": 1.1,
        "auc": 0.7,
        "ndcg@5": 0.5,
        "n_users": 290,
        "baselines": {"popularity": {"auc": 0.6, "ndcg@5": 0.4, "n_users": 290}},
    }
    figures = ranking_figures(payload, "coat", "whyrec eval ranking --workspace W --json")
    got = {(f.system, f.metric): f.value for f in figures}
    assert got[("ranker (dr-jl)", "auc")] == 0.7 and got[("popularity", "auc")] == 0.6
    assert got[("ranker (dr-jl)", "n_users")] == 290
    assert ranking_note(payload, "coat") == ""
    # No random log: the random-log row has only a zero count and is left out.
    split = {
        "method": "snips",
        "auc": None,
        "n_users": 0,
        "reason": "the dataset has no random-exposure log",
        "leave_last_out": {"n_users": 943, "train_rows": 99057},
        "recall@10": 0.004,
        "baselines": {"popularity": {"recall@10": 0.086, "n_users": 943}},
    }
    got = {(f.system, f.metric): f.value for f in ranking_figures(split, "ml", "cmd")}
    assert got == {
        ("ranker (snips)", "recall@10"): 0.004,
        ("ranker (snips)", "n_users"): 943,  # the split's users, as for the baselines
        ("popularity", "recall@10"): 0.086,
        ("popularity", "n_users"): 943,
    }
    note = ranking_note(split, "ml")
    assert "no random-exposure log" in note and "leave-last-out split (943 users)" in note
    assert ranking_figures({"method": "x", "n_users": 0, "baselines": {}}, "ml", "cmd") == []


def test_scoreboard_markdown_says_missing_and_plots_what_exists(tmp_path):
    board = Scoreboard(command="whyrec eval all")
    dialogue = Section("dialogue", "Dialogue")
    dialogue.add(
        [
            Figure("hit@10", 0.55, "cmd-a", "movielens-100k", "dialogue (rule)"),
            Figure("hit@10", 0.12, "cmd-a", "movielens-100k", "popularity"),
        ]
    )
    board.sections += [dialogue, Section("causal", "Causal", Status.MISSING, note="not yet")]
    paths = board.write(tmp_path)
    assert {p.name for p in paths} == {"scoreboard.md", "scoreboard.json", "scoreboard.png"}
    text = (tmp_path / "scoreboard.md").read_text()
    assert "**missing**: not yet" in text
    assert "| dataset | system | metric | value | command |" in text  # one figure a row
    assert "| movielens-100k | popularity | hit@10 | 0.12 | [1] |" in text
    assert "[1] `cmd-a`" in text
    dialogue.add([Figure("hit@5", 0.3, "cmd-a", "movielens-100k", "popularity")] * 2)
    wide = board.markdown()
    assert "| dataset | system | hit@10 | hit@5 | command |" in wide  # a column per metric
    assert "| movielens-100k | popularity | 0.12 | 0.3 | [1] |" in wide
    empty = Scoreboard(sections=[Section("causal", "Causal", Status.MISSING)])
    assert [p.name for p in empty.write(tmp_path / "e")] == ["scoreboard.md", "scoreboard.json"]


def test_sections_that_would_overrun_the_budget_are_skipped_and_say_so(ui_workspace, tmp_path):
    workspaces = tmp_path / "ws"
    workspaces.mkdir()
    for name in ("movielens-100k", "coat"):
        (workspaces / name).symlink_to(ui_workspace.root, target_is_directory=True)
    result = runner.invoke(
        app,
        ["eval", "all", "--out", str(tmp_path / "out"), "--workspaces", str(workspaces),
         "--budget-min", "1", "--no-progress", "--json"],
    )  # fmt: skip
    board = _json(result)
    later = [s for s in board["sections"] if s["name"] != "workspaces"]
    assert {s["status"] for s in later} == {"skipped"}
    assert all("time budget (1 min)" in s["note"] for s in later)
    assert "--budget-min 1" in board["command"]
