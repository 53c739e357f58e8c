"""Exact meanings and error shapes: booleans are not numbers, ratings are 1-5, unknown users
are refused alike everywhere, internal errors are 500 (never 404) with a request id, every
oversized body is 413, odd methods and paths answer in the `{"error": ...}` shape."""

from __future__ import annotations

import http.client
import json
import logging
import socket

import httpx
import pytest
from fake_agent import FakeAgent

from ui.server import ServerThread, create_app
from ui.settings import ServerSettings


@pytest.fixture(scope="module")
def real(ui_workspace, tmp_path_factory):
    from agent.api import RecAgent

    state = tmp_path_factory.mktemp("semantics-state")
    agent = RecAgent.from_workspace(ui_workspace.root, llm="rule", state_dir=state)
    settings = ServerSettings(enable_ui=True, enable_mcp=False, max_body_bytes=4096)
    with ServerThread(create_app(agent, agent.workspace, settings)) as server:
        server.agent = agent
        yield server


def _error(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"}, body
    return body["error"]


def test_booleans_are_not_numbers_and_ratings_are_1_to_5(real):
    url = real.url
    sid = httpx.post(f"{url}/api/sessions").json()["session_id"]
    item = str(real.agent.workspace.dataset.items["item_id"].iloc[0])
    for value in (True, False, 0, 6, -1, "5"):
        r = httpx.post(
            f"{url}/api/feedback", json={"session_id": sid, "item_id": item, "value": value}
        )
        assert r.status_code == 422, (value, r.text)
        _error(r)
    ok = httpx.post(f"{url}/api/feedback", json={"session_id": sid, "item_id": item, "value": 4})
    assert ok.status_code == 200, ok.text
    assert ok.json()["kind"] == "like"
    assert httpx.post(f"{url}/api/recommend", json={"k": True}).status_code == 422
    chat = {"model": "whyrec", "messages": [{"role": "user", "content": "hi"}]}
    for bad in ({"stream": 0}, {"stream": "yes"}, {"n": True}):
        r = httpx.post(f"{url}/v1/chat/completions", json={**chat, **bad})
        assert r.status_code == 422, (bad, r.text)
    r = httpx.post(f"{url}/api/sessions/{sid}/messages", json={"text": "hi", "stream": 1})
    assert r.status_code == 422


def test_unknown_users_are_refused_alike(real):
    url = real.url
    r = httpx.post(f"{url}/api/sessions", json={"user_id": "no-such-user"})
    assert r.status_code == 404 and _error(r)["code"] == "user_not_found"
    r2 = httpx.post(f"{url}/api/recommend", json={"user_id": "no-such-user", "k": 2})
    assert r2.status_code == 404 and _error(r2)["code"] == "user_not_found"
    assert _error(r)["message"] == _error(r2)["message"]
    known = str(real.agent.workspace.dataset.users["user_id"].iloc[0])
    assert httpx.post(f"{url}/api/sessions", json={"user_id": known}).status_code == 201


def test_internal_errors_are_500_with_a_request_id_never_404(caplog):
    class Broken(FakeAgent):
        def explain(self, session_id, item_id):
            raise KeyError("an internal dictionary lookup failed")

        def recommend(self, session_id, k=10, query=None, filters=None):
            raise IndexError("list index out of range")

    settings = ServerSettings(enable_ui=False, enable_mcp=False)
    with (
        ServerThread(create_app(Broken(), None, settings)) as server,
        caplog.at_level(logging.ERROR),
    ):
        sid = httpx.post(f"{server.url}/api/sessions").json()["session_id"]
        r = httpx.get(f"{server.url}/api/explain/i1?session_id={sid}")
        r2 = httpx.post(f"{server.url}/api/recommend", json={"session_id": sid})
    for resp in (r, r2):
        assert resp.status_code == 500, resp.text
        err = _error(resp)
        assert "dictionary" not in err["message"] and "index" not in err["message"]
        request_id = resp.headers["x-request-id"]
        assert request_id in err["message"]
        assert any(request_id in rec.getMessage() for rec in caplog.records)


def _raw(url: str, request: bytes) -> tuple[int, dict]:
    """Send bytes as they are (no client normalisation) and parse the JSON answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ]
                if length and len(body) >= length[0]:
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, json.loads(body) if body.strip() else {}


def test_oversized_bodies_are_413_declared_or_chunked(real):
    big = json.dumps({"text": "x" * 10_000}).encode()
    host = real.url.removeprefix("http://")
    chunked = (
        f"POST /api/sessions/abc/messages HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    for start in range(0, len(big), 1000):
        piece = big[start : start + 1000]
        chunked += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    chunked += b"0\r\n\r\n"
    status, body = _raw(real.url, chunked)
    assert status == 413 and body["error"]["code"] == "body_too_large"
    mcp = chunked.replace(b"POST /api/sessions/abc/messages", b"POST /mcp")
    status, body = _raw(real.url, mcp)
    assert status == 413 and body["error"]["code"] == "body_too_large"
    r = httpx.post(
        f"{real.url}/v1/chat/completions", content=big, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and _error(r)["code"] == "body_too_large"


def test_odd_methods_and_paths_answer_in_the_error_shape(real):
    host = real.url.removeprefix("http://")
    for method in ("TRACE", "CONNECT", "PROPFIND"):
        status, body = _raw(
            real.url,
            f"{method} /api/sessions HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
        )
        assert status == 405 and set(body) == {"error"}, (method, status, body)
    for path in ("/API/sessions", "/V1/models", "/api/../healthz", "/a/../../etc/passwd"):
        status, body = _raw(
            real.url, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        )
        assert status == 404 and set(body) == {"error"}, (path, status, body)
    r = httpx.put(f"{real.url}/api/sessions")
    assert r.status_code == 405 and set(r.json()) == {"error"}
    r = httpx.get(f"{real.url}/api/nothing-here")  # the UI mounted at / changes nothing
    assert r.status_code == 404 and _error(r)["code"] == "no_route"
    r = httpx.get(f"{real.url}/no-such-page.json")
    assert r.status_code == 404


def test_lone_surrogate_is_a_clean_400(real):
    raw = b'{"model": "whyrec", "messages": [{"role": "user", "content": "hi \\ud800 there"}]}'
    r = httpx.post(
        f"{real.url}/v1/chat/completions", content=raw, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.text
    err = _error(r)
    assert err["code"] == "invalid_unicode"
    assert "codec" not in err["message"] and "Error" not in err["message"]
    named = raw.replace(b'"model"', b'"user": "\\udfff", "model"')
    r2 = httpx.post(
        f"{real.url}/v1/chat/completions",
        content=named,
        headers={"Content-Type": "application/json"},
    )
    assert r2.status_code == 400 and "codec" not in r2.text


def test_documented_statuses_are_in_the_openapi_schema(real):
    schema = httpx.get(f"{real.url}/openapi.json").json()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            documented = set(op["responses"])
            if path.startswith(("/api", "/v1")):
                assert {"400", "401", "404", "413", "422", "500"} <= documented, (path, method)
    ref = schema["paths"]["/api/feedback"]["post"]["responses"]["422"]
    assert "ErrorBody" in json.dumps(ref)


def test_http_client_sees_connection_close_on_413(real):
    conn = http.client.HTTPConnection(real.url.removeprefix("http://"), timeout=10)
    conn.request(
        "POST",
        "/api/sessions",
        body=b"{" + b" " * 5000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert conn.getresponse().status == 413
    conn.close()
