"""The intent classifier's fitted weights kept on disk: a new process reads them back instead of
parsing every training example again, and gets the very same probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from agent import intents
from agent.intents import IntentClassifier, load_fitted, parse_features

SENTENCES = [
    "any good westerns from the fifties?",
    "why the second one",
    "start over please",
    "what's the weather like in Oslo",
    "the first or the third, which suits me better?",
]


@pytest.fixture()
def cache_dir(rule_agent, tmp_path, monkeypatch):
    # The agent's background warm-up fits its own classifier; let it finish first, so it can
    # neither write into this test's cache folder nor fill the in-process cache for it.
    rule_agent.planner.classifier.warm_up()
    monkeypatch.setenv("WHYREC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(intents, "_FITTED", {})  # no in-process sharing between the fits
    every = intents.training_examples
    # every 8th shipped example: the same code path, a few seconds per fit instead of many
    monkeypatch.setattr(intents, "training_examples", lambda domain=None: every(domain)[::8])
    return tmp_path / "cache"


def _fresh_classifier(rule_agent, examples_read: list[str]) -> IntentClassifier:
    planner = rule_agent.planner
    base = planner.classifier
    reader = base._reader

    def counting_reader(text):
        examples_read.append(text)
        return reader(text)

    clf = IntentClassifier(base._embed)
    clf.set_reader(counting_reader, base._domain, base._cache_key, base._disk_key)
    return clf


def _probabilities(clf: IntentClassifier, rule_agent) -> list[tuple[str, float]]:
    read = rule_agent.planner.reader()
    return [(i.value, round(p, 9)) for i, p in (clf.classify_parse(read(t)) for t in SENTENCES)]


def test_a_second_classifier_reads_the_saved_weights_and_agrees(rule_agent, cache_dir):
    first_reads: list[str] = []
    first = _fresh_classifier(rule_agent, first_reads)
    expected = _probabilities(first, rule_agent)
    saved = list(cache_dir.glob("intent-model-*.npz"))
    assert len(saved) == 1 and first_reads  # fit by parsing the examples, then saved

    intents._FITTED.clear()
    second_reads: list[str] = []
    second = _fresh_classifier(rule_agent, second_reads)
    assert _probabilities(second, rule_agent) == expected
    assert second_reads == []  # no example was parsed: the weights came from disk


def test_a_damaged_or_foreign_file_is_refit_not_trusted(rule_agent, cache_dir):
    _probabilities(_fresh_classifier(rule_agent, []), rule_agent)
    (path,) = cache_dir.glob("intent-model-*.npz")
    path.write_bytes(b"not an npz file")
    assert load_fitted(path) is None
    intents._FITTED.clear()
    reads: list[str] = []
    clf = _fresh_classifier(rule_agent, reads)
    _probabilities(clf, rule_agent)
    assert reads  # fit afresh
    assert load_fitted(path) is not None  # and the file rewritten

    np.savez(
        path, classes=np.array(["recommend", "launch_missiles"]), meaning_coef=np.zeros((2, 3))
    )
    assert load_fitted(path) is None


def test_another_catalog_or_parser_gets_its_own_file(rule_agent, cache_dir, monkeypatch):
    clf = _fresh_classifier(rule_agent, [])
    rows = intents.training_examples(clf._domain)
    texts, labels = [r["text"] for r in rows], [r["intent"] for r in rows]
    here = clf._model_path("catalog-a", texts, labels)
    assert clf._model_path("catalog-b", texts, labels) != here
    assert clf._model_path("catalog-a", texts[:-1], labels[:-1]) != here
    monkeypatch.setattr(intents, "_code_fingerprint", lambda: "another parser")
    assert clf._model_path("catalog-a", texts, labels) != here


def test_features_of_the_saved_model_match_the_parser(rule_agent, cache_dir):
    """The saved joint model expects as many inputs as an embedding plus today's features."""
    clf = _fresh_classifier(rule_agent, [])
    _probabilities(clf, rule_agent)
    (path,) = cache_dir.glob("intent-model-*.npz")
    _, joint = load_fitted(path)
    width = len(parse_features(rule_agent.planner.reader()("hello")))
    assert joint.coef_.shape[1] == width + len(clf._vector("hello"))
