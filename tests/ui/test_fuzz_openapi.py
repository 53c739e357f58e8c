"""Schemathesis over /openapi.json against the real agent (keys on): bounded examples per
operation, with the checks that matter for exposure: no 5xx, no status the document does not
list, and responses that match their documented schemas. Runs in well under a minute."""

from __future__ import annotations

import os
from collections import Counter

import httpx
import pytest

from ui.server import ServerThread, create_app
from ui.settings import ServerSettings

KEY = "key-fuzz-0123456789"
EXAMPLES = int(os.environ.get("WHYREC_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fuzz_server(ui_workspace, tmp_path_factory):
    from agent.api import RecAgent

    state = tmp_path_factory.mktemp("fuzz-state")
    agent = RecAgent.from_workspace(ui_workspace.root, llm="rule", state_dir=state)
    settings = ServerSettings(
        enable_ui=False, enable_mcp=False, api_keys=(KEY,), admin_keys=("key-fuzz-admin-0123",)
    )
    with ServerThread(create_app(agent, agent.workspace, settings)) as server:
        yield server


def test_fuzz_openapi_no_5xx_no_undocumented_status(fuzz_server):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation.modes import GenerationMode
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")
    headers = {"Authorization": f"Bearer {KEY}"}
    created = httpx.post(f"{fuzz_server.url}/api/sessions", headers=headers)
    session = created.json()["session_id"]
    statuses: Counter[int] = Counter()
    failures: list[str] = []

    def fuzz(operation) -> None:
        documented = {str(code) for code in operation.definition.raw.get("responses", {})}
        checks = [not_a_server_error, status_code_conformance, response_schema_conformance]

        cases = operation.as_strategy(GenerationMode.POSITIVE)
        if operation.definition.raw.get("parameters") or operation.definition.raw.get(
            "requestBody"
        ):  # invalid input too: wrong types, missing fields, out-of-range values
            cases = st.one_of(cases, operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases, real=st.booleans())
        def run(case, real):
            if real:  # half the cases name a live session, so the agent itself gets fuzzed
                if "session_id" in (case.path_parameters or {}):
                    case.path_parameters["session_id"] = session
                if isinstance(case.body, dict) and "session_id" in case.body:
                    case.body["session_id"] = session
            response = case.call(base_url=fuzz_server.url, headers=headers, timeout=60)
            statuses[response.status_code] += 1
            if response.status_code >= 500 or str(response.status_code) not in documented:
                failures.append(f"{operation.label}: {response.status_code} {response.text[:160]}")
                return
            try:
                case.validate_response(response, checks=checks)
            except Exception as exc:  # a schema violation: collect them all, report together
                failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:300]}")

        run()

    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        fuzz(result.ok())
    total = sum(statuses.values())
    print(
        f"fuzz: {operations} operations, {total} requests, statuses {dict(sorted(statuses.items()))}"
    )
    assert operations >= 10 and total >= operations * 2
    assert failures == [], "\n".join(failures[:20])
