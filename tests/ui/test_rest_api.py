"""The REST API against the live server (real agent, real workspace): every route, its content
types, and the 4xx it gives for bad input (never a 500)."""

from __future__ import annotations

import json

import httpx
import pytest


@pytest.fixture(scope="module")
def api(live_server):
    with httpx.Client(base_url=live_server.url, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def session(api):
    r = api.post("/api/sessions")
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def test_healthz_and_openapi(api):
    health = api.get("/healthz").json()
    assert health["status"] == "ok" and health["backend"] == "rule"
    spec = api.get("/openapi.json").json()
    for path in (
        "/v1/chat/completions",
        "/v1/models",
        "/api/sessions",
        "/api/sessions/{session_id}/messages",
        "/api/recommend",
        "/api/explain/{item_id}",
        "/api/graph",
        "/api/effect",
        "/api/feedback",
        "/healthz",
    ):
        assert path in spec["paths"], path
    assert api.get("/docs").status_code == 200


def test_conversation_through_messages(api, session):
    r = api.post(f"/api/sessions/{session}/messages", json={"text": "Recommend me a comedy"})
    assert r.status_code == 200, r.text
    reply = r.json()
    assert reply["text"] and reply["items"] and reply["session_id"] == session
    assert reply["trace"], "the reply says which tools ran"
    history = api.get(f"/api/sessions/{session}/messages").json()["messages"]
    assert len(history) >= 2


def test_streamed_messages_end_with_the_reply(api, session):
    with api.stream(
        "POST", f"/api/sessions/{session}/messages", json={"text": "Show me more", "stream": True}
    ) as r:
        assert r.status_code == 200
        body = r.read().decode()
    blocks = [b for b in body.strip().split("\n\n") if b]
    kinds = [b.split("\n", 1)[0].removeprefix("event: ") for b in blocks]
    assert kinds[-1] == "done" and "token" in kinds
    done = json.loads(blocks[-1].split("data: ", 1)[1])
    tokens = "".join(
        json.loads(b.split("data: ", 1)[1])["text"] for b in blocks if b.startswith("event: token")
    )
    assert tokens == done["text"]


def test_recommend_explain_feedback(api, session, live_server):
    r = api.post("/api/recommend", json={"session_id": session, "k": 4})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert 1 <= len(items) <= 4
    first = items[0]["item_id"]
    r = api.get(f"/api/explain/{first}", params={"session_id": session})
    assert r.status_code == 200, r.text
    explanation = r.json()
    assert explanation["item_id"] == first and explanation["summary"]
    r = api.post("/api/feedback", json={"session_id": session, "item_id": first, "value": "like"})
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "like"
    state = api.get(f"/api/sessions/{session}").json()
    assert first in state["liked"]


def test_graph_in_three_formats(api, live_server):
    graph = api.get("/api/graph").json()
    assert graph["nodes"] and graph["edges"]
    nodes = set(graph["nodes"])
    assert all(u in nodes and v in nodes for u, v in graph["edges"])
    u, v = graph["edges"][0]
    png = api.get("/api/graph", params={"format": "png", "highlight": f"{u},{v}"})
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    dot = api.get("/api/graph", params={"format": "dot", "highlight": f"{u},{v}"}).text
    assert dot.startswith("digraph") and f'"{u}" -> "{v}"' in dot
    r = api.get("/api/graph", params={"format": "png", "highlight": "no_such_variable"})
    assert r.status_code == 404 and "no_such_variable" in r.json()["error"]["message"]
    assert api.get("/api/graph", params={"format": "gif"}).status_code == 422


def test_effect_json_and_chart(api):
    graph = api.get("/api/graph").json()
    treatment, outcome = graph["edges"][0]
    body = {"treatment": treatment, "outcome": outcome}
    r = api.post("/api/effect", json=body)
    assert r.status_code == 200, r.text
    effect = r.json()
    assert effect["treatment"] == treatment and "identified" in effect
    if effect["identified"]:
        assert effect["ci_low"] <= effect["estimate"] <= effect["ci_high"]
    chart = api.post("/api/effect", params={"format": "png"}, json=body)
    assert chart.content.startswith(b"\x89PNG")
    r = api.post("/api/effect", json={"treatment": "nope", "outcome": outcome})
    assert r.status_code == 404 and "nope" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/sessions/s-unknown/messages", {}, 404),
        ("post", "/api/sessions/s-unknown/messages", {"json": {"text": "hi"}}, 404),
        (
            "post",
            "/api/sessions",
            {"content": b"{oops", "headers": {"content-type": "application/json"}},
            400,
        ),
        ("post", "/api/recommend", {"json": {"k": 0}}, 422),
        ("post", "/api/recommend", {"json": {"k": 3, "colour": "red"}}, 422),
        (
            "post",
            "/api/feedback",
            {"json": {"session_id": "s-unknown", "item_id": "x", "value": "like"}},
            404,
        ),
        (
            "post",
            "/api/feedback",
            {"json": {"session_id": "x", "item_id": "x", "value": "meh"}},
            422,
        ),
        ("get", "/api/explain/x", {"params": {"session_id": "s-unknown"}}, 404),
        ("get", "/api/nothing-here", {}, 404),
    ],
)
def test_bad_input_is_4xx_with_a_message(api, method, path, kwargs, status):
    r = getattr(api, method)(path, **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"]


def test_unknown_item_is_4xx(api, session):
    r = api.get("/api/explain/definitely-not-an-item", params={"session_id": session})
    assert 400 <= r.status_code < 500, r.text
    r = api.post(
        "/api/feedback",
        json={"session_id": session, "item_id": "definitely-not-an-item", "value": "like"},
    )
    assert 400 <= r.status_code < 500, r.text


def test_oversize_message_is_413(api, session):
    r = api.post(f"/api/sessions/{session}/messages", json={"text": "y" * 2001})
    assert r.status_code == 413
    assert "2000" in r.json()["error"]["message"]


GARBAGE_BODIES = [
    b"",
    b"null",
    b"{",
    b'"text"',
    b"[]",
    b'{"text": 5}',
    b'{"text": "\\u0000\\u0001"}',
    b'{"session_id": [], "item_id": {}, "value": null}',
    b'{"k": "ten", "filters": "genre"}',
    b'{"treatment": "", "outcome": 3}',
    b'{"messages": "hi"}',
    b'{"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}',
    '{"text": "caf\u00e9 \U0001f600"}'.encode(),
    b"\xff\xfe\x00",
]


def test_no_garbage_gives_a_500(api, session):
    paths = [
        "/api/sessions",
        f"/api/sessions/{session}/messages",
        "/api/recommend",
        "/api/effect",
        "/api/feedback",
        "/v1/chat/completions",
    ]
    for path in paths:
        for body in GARBAGE_BODIES:
            r = api.post(path, content=body, headers={"content-type": "application/json"})
            assert r.status_code < 500, (path, body, r.status_code, r.text)
            if r.status_code >= 400:
                assert r.json()["error"]["message"], (path, body)
    for weird in ("%00", "..%2f..%2fetc", "a" * 300, "%F0%9F%98%80", " "):
        for path in (f"/api/sessions/{weird}", f"/api/explain/{weird}"):
            r = api.get(path, params={"session_id": session} if "explain" in path else None)
            assert r.status_code < 500, (path, r.status_code, r.text)
