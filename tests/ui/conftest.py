"""UI test setup: helper modules importable; a small workspace and a live server, built once.

The live server is the real thing: `RecAgent.from_workspace` on a workspace built from a small
synthetic world, served by `create_app` (UI, /v1, /api, /mcp) under uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:  # pytest runs with --import-mode=importlib: helpers need a path entry
    sys.path.insert(0, _HERE)

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def ui_workspace(tmp_path_factory):
    """A complete workspace (every build step) over a small synthetic world."""
    from causal.datasets.synthetic import SyntheticConfig, make_world
    from tools.workspace_build import BuildOptions, build_workspace

    world = make_world(SyntheticConfig(seed=5, n_users=120, n_items=80, n_interactions=4000))
    out = tmp_path_factory.mktemp("ui-workspace") / "ws"
    return build_workspace(world.dataset, out, BuildOptions(progress=False, time_budget_s=10))


@pytest.fixture(scope="session")
def live_server(ui_workspace):
    """The real agent (rule backend) behind every surface, on a free loopback port."""
    from agent.api import RecAgent
    from ui.server import ServerThread, create_app
    from ui.settings import ServerSettings

    agent = RecAgent.from_workspace(ui_workspace.root, llm="rule")
    app = create_app(agent, agent.workspace, ServerSettings(max_message_chars=2000))
    with ServerThread(app) as server:
        server.agent = agent
        server.workspace = agent.workspace
        yield server
