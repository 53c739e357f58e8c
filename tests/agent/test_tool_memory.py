"""On the LLM path the session memory comes from the model's tool-call arguments (issue 11)."""

from __future__ import annotations

from langchain_core.messages import AIMessage
from llm_fakes import ScriptedChatModel, call

from agent.api import RecAgent
from agent.backends import parse_backend_spec


def make_agent(workspace, tmp_path, steps):
    model = ScriptedChatModel(steps=steps)
    agent = RecAgent(
        workspace, parse_backend_spec("hf:scripted"), state_dir=tmp_path / "s", chat_model=model
    )
    return agent, model


def answer(messages) -> AIMessage:
    return AIMessage("Here are some picks from the list above.")


def test_memory_is_the_models_reading_not_a_regex_of_the_text(agent_workspace, tmp_path):
    recommend = AIMessage(
        "",
        tool_calls=[
            call(
                "recommend",
                {
                    "k": 3,
                    "query": "spooky",
                    "filters": [
                        {"attribute": "genre", "any_of": ["horror"]},
                        {"attribute": "price", "max": 20},
                    ],
                },
            )
        ],
    )
    agent, _ = make_agent(agent_workspace, tmp_path, [recommend, answer])
    sid = agent.new_session()
    agent.chat(sid, "definitely not a comedy, I'd like a drama from the 90s")
    cons = agent.session_state(sid).constraints
    assert cons.include == {"genre": ["horror"]}  # what the model asked the tool for
    assert cons.exclude == {} and "year" not in cons.ranges  # nothing re-read from the text
    assert cons.ranges["price"].max == 20 and cons.ranges["price"].min is None
    assert cons.query == "spooky"
    agent.close()


def test_a_refused_call_leaves_memory_alone_and_explain_sets_the_focus(agent_workspace, tmp_path):
    item = next(iter(agent_workspace.dataset.items["item_id"]))
    steps = [
        AIMessage(
            "",
            tool_calls=[
                call("recommend", {"filters": [{"attribute": "nonsense", "any_of": ["x"]}]})
            ],
        ),
        AIMessage("", tool_calls=[call("explain", {"item_id": str(item)})]),
        answer,
    ]
    agent, _ = make_agent(agent_workspace, tmp_path, steps)
    sid = agent.new_session()
    agent.chat(sid, "tell me about it")
    state = agent.session_state(sid)
    assert state.constraints.is_empty()
    assert state.focus == str(item)
    agent.close()


def test_start_over_resets_without_asking_the_model(agent_workspace, tmp_path):
    recommend = AIMessage(
        "",
        tool_calls=[call("recommend", {"filters": [{"attribute": "genre", "any_of": ["drama"]}]})],
    )
    agent, model = make_agent(agent_workspace, tmp_path, [recommend, answer])
    sid = agent.new_session()
    agent.chat(sid, "a drama")
    assert agent.session_state(sid).constraints.include == {"genre": ["drama"]}
    calls = len(model.prompts)
    reply = agent.chat(sid, "start over")
    assert len(model.prompts) == calls and not reply.fallback
    assert agent.session_state(sid).constraints.is_empty()
    agent.close()


def test_the_models_popularity_band_is_remembered_and_replaced(agent_workspace, tmp_path):
    def recommend(**args) -> AIMessage:
        return AIMessage("", tool_calls=[call("recommend", {"k": 3, **args})])

    steps = [
        recommend(popularity="middle_known"),
        answer,
        recommend(popularity="less_known"),
        answer,
        recommend(),
        answer,
    ]
    agent, _ = make_agent(agent_workspace, tmp_path, steps)
    sid = agent.new_session()
    agent.chat(sid, "something people know, but not a blockbuster")
    assert agent.session_state(sid).constraints.popularity == "middle"
    agent.chat(sid, "more obscure")
    assert agent.session_state(sid).constraints.popularity == "down"
    agent.chat(sid, "whatever")  # the model's latest reading drops the band
    assert agent.session_state(sid).constraints.popularity is None
    agent.close()
