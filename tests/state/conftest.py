"""State-database test setup: a throwaway PostgreSQL cluster for the session, and a small
workspace. The cluster must start: these tests fail (never skip) when PostgreSQL is missing,
since `make test` installs it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for helper in (ROOT / "scripts", ROOT / "tests" / "agent", Path(__file__).resolve().parent):
    if str(helper) not in sys.path:  # --import-mode=importlib: helpers need a path entry
        sys.path.insert(0, str(helper))


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server in a temporary folder (as the postgres user when run as root)."""
    from pg_cluster import ClusterError, PgCluster

    cluster = PgCluster({"fsync": "off"})
    try:
        cluster.start()
    except ClusterError as exc:
        pytest.fail(f"PostgreSQL could not start for the state tests: {exc}", pytrace=False)
    yield cluster
    from agent.state_pg import close_checkpointers
    from tools.state_db import close_all

    close_all()
    close_checkpointers()
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster, monkeypatch):
    """A fresh database on the cluster, named in $WHYREC_STATE_URL for this test."""
    import uuid

    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = pg_cluster.url.rsplit("/", 1)[0] + "/" + name
    monkeypatch.setenv("WHYREC_STATE_URL", url)
    yield url
    from agent.state_pg import close_checkpointers
    from tools.state_db import close_all

    close_all()  # this test's pools: the next test gets a database of its own
    close_checkpointers()


@pytest.fixture(scope="session")
def state_workspace(tmp_path_factory):
    """A workspace (its catalog; the ranker and causal steps are slow and not needed) over a small
    synthetic world, built once."""
    from causal.datasets.synthetic import SyntheticConfig, make_world
    from tools.workspace_build import BuildOptions, build_workspace

    world = make_world(SyntheticConfig(seed=11, n_users=60, n_items=50, n_interactions=1200))
    out = tmp_path_factory.mktemp("state-workspace") / "ws"
    options = BuildOptions(progress=False, time_budget_s=5, skip=frozenset({"causal", "ranker"}))
    return build_workspace(world.dataset, out, options)
