"""Agent test setup: helper modules (fakes, loopback server) importable; a small workspace."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # pytest runs with --import-mode=importlib: helpers need a path entry
    sys.path.insert(0, _HERE)


@pytest.fixture(scope="session")
def world():
    """A small synthetic world (genre, price, quality, promoted, popularity; age groups)."""
    from causal.datasets.synthetic import SyntheticConfig, make_world

    return make_world(SyntheticConfig(seed=3, n_users=150, n_items=240, n_interactions=6000))


@pytest.fixture(scope="session")
def agent_workspace(world, tmp_path_factory):
    """A complete workspace (every build step) over the small world, built once."""
    from tools.workspace_build import BuildOptions, build_workspace

    out = tmp_path_factory.mktemp("agent-workspace") / "ws"
    return build_workspace(world.dataset, out, BuildOptions(progress=False, time_budget_s=20))


@pytest.fixture
def rule_agent(agent_workspace, tmp_path):
    """A rule-backend agent with its own session store."""
    from agent.api import RecAgent

    agent = RecAgent.from_workspace(agent_workspace.root, llm="rule", state_dir=tmp_path / "state")
    yield agent
    agent.close()


@pytest.fixture(scope="session")
def five_film_vocab():
    """Five MovieLens films with their real years and genres and MovieLens's synonyms: the
    small catalog the parser's slot tests read against (the fourth is Star Wars, shown lists
    point at ids 1-4)."""
    from film_catalogs import film_vocab

    titles = [
        ("1", "Toy Story (1995)", 1995, "Animation|Children's|Comedy"),
        ("2", "GoldenEye (1995)", 1995, "Action|Adventure|Thriller"),
        ("3", "Godfather, The (1972)", 1972, "Crime|Drama"),
        ("4", "Star Wars (1977)", 1977, "Action|Sci-Fi|Romance"),
        ("5", "Heat (1995)", 1995, "Action|Crime|Thriller"),
    ]
    return film_vocab(titles)
