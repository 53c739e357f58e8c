"""Intent classification: the sentence embedding of a turn plus what the parse found.

Two multinomial logistic regressions are fit on the labelled examples shipped in
`agent/data/nlu_train.jsonl` (the held-out set under tests/data/nlu/ is never read here): one
over the all-MiniLM-L6-v2 embedding alone, one over [embedding ; parse features], and their
probabilities are averaged. Parse features are the cue patterns, the slots and the sentence's
shape (`parse_features`), so "it would be nice if it were a comedy" and "what if it were a
comedy, would people rate it higher?" differ by more than word order. The cue patterns were
written against these same examples, so cross-validation over-credits them; the
embedding-only half keeps a phrasing the patterns never saw from being decided by one
misfiring cue (grouped 5-fold CV and sentences written later, `scripts/nlu_cv.py`).
The example embeddings are cached on disk (keyed by the texts), so a new process pays one
fit (well under a second), not one embedding pass.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from agent.model_cache import cache_dir as _cache_dir
from agent.model_cache import code_fingerprint as _code_fingerprint
from agent.model_cache import save_arrays
from agent.nlu_cues import (
    INTENT_PATTERNS,
    MORE,
    OUTCOME_CUE,
    QUESTION_START,
    RECOMMEND,
    REFINE,
    REPLACE,
    WISH_CONDITIONAL,
)
from agent.nlu_intent_shape import (
    asks_for_a_pick,
    asks_off_the_list,
    exposure_question,
    hedged_fact,
    imagines_a_change,
    leaves_the_list,
    other_task,
    shape_flags,
    weighs_items,
    without_topic_change,
)
from agent.nlu_trivia import world_question
from agent.parse import Intent, Parse, TitleRole

logger = logging.getLogger(__name__)

FEATURE_WEIGHT = 0.75  # parse features against a unit-length embedding (grouped 5-fold CV)
REGULARISATION = 32.0  # logistic regression's C (model selection on v3 dev, 2026-12-07)
EMBEDDING_SHARE = 0.5  # weight of the embedding-only model in the averaged probabilities
CLASS_WEIGHT: str | None = "balanced"  # rare intents (reset, what-if) weigh as much
TEXT_CACHE = 512
OFF_TOPIC_SURE = 0.6
_FITTED: dict[str, tuple[Any, list[Intent]]] = {}  # one fit per vocabulary and example set
_FITTED_LOCK = threading.Lock()


def training_examples(domain: str | None = None) -> list[dict[str, Any]]:
    """The labelled examples the classifier may learn from (optionally one domain's)."""
    raw = resources.files("agent").joinpath("data/nlu_train.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    if domain is None:
        return rows
    # Another domain's examples teach intents only when they carry no slots (those would be
    # read with this catalog's vocabulary, wrongly).
    mine = [r for r in rows if r.get("dataset") in (domain, "any") or not r.get("slots")]
    return mine or rows


_FOLLOW_UP_START = re.compile(
    r"^(and|but|also|only|just|still|same|make|now|instead|nah|no|not|too|even|more|less|"
    r"plus|with|without|actually|hmm|meh|ok|okay|then|rather|swap|drop|keep|add|way)\b"
)
# "the same spirit as Fargo" compares with a named title, not with the list
_LIST_ANAPHORA = re.compile(
    r"\b(ones|them|these|those|others|the same(?!(?:\s+\w+)?\s+as\b)|that list|again)\b"
)
# What makes a turn need the list on screen (the labels' refine): a swap ("westerns
# instead", "trade the westerns for war films"), a move away from what was shown ("any
# other colour?"), a pick by position ("like the middle one but happier").
_SWAP = re.compile(
    r"\b(instead|rather than|in place of|swap\w*|trade\w*|switch\w*|replac\w*|exchang\w*)\b"
)
_AWAY = re.compile(r"\b(other|another|different|else)\b(?!\s*(?:is|'s|would be|will do)\b)")
_POSITION = re.compile(r"\b(first|second|third|fourth|fifth|middle|last|top|bottom)\b|#\s?\d")
# Not yet seen: "a classic I should have seen by now", "one I've never watched" wish for an
# unseen item; a verdict on a seen one ("seen it", "watched it last week") is feedback.
_NOT_YET_SEEN = re.compile(
    r"\b(?:should|ought to|must|need to|have to|gotta|never|not|yet to|\w*n't)\s+(?:\w+\s+)?"
    r"(?:have\s+)?(?:seen|watched|read|got round to|gotten round to|caught)\b"
)
# A request that opens with an indefinite phrase ("a classic I should have seen", "any
# fleeces in navy?", "something less common"): it names what it wants, not a shown item.
_INDEFINITE_OPENING = re.compile(
    r"^\W*(?:(?:hi|hey|hello|ok|okay|so|and|um|hmm|please|also)\W+)?"
    r"(a|an|some|something|anything|any|got any|do you have any|i'?m after|looking for)\b"
)
_SELF_REFERENCE = re.compile(r"\b(i|me|my|i've|i'm|i'd|myself|we|our)\b")
_AGENT_REFERENCE = re.compile(r"\b(you|your|you've|you're)\b")
# Sentence shapes, not topic words: a question opening, a pointer at something on screen, a
# word that weighs two things, an imperative request, a sentence of at most three words.
_QUESTION_OPENING = re.compile(
    r"^\W*(why|what|how|which|who|where|when|is|are|was|were|does|do|did|can|could|would|will)\b"
)
_POINTER = re.compile(r"\b(it|this|that|these|those|them)\b|\bthe (first|second|third|last|top)\b")
_WEIGHING = re.compile(r"\b(or|vs\.?|versus|better|worse|differ\w*|compar\w*|between|which)\b")
_REQUEST = re.compile(
    r"^\W*(please\s+)?(recommend|suggest|find|get|give|order|book|play|show|tell|buy|call|send|"
    r"make|set|write|translate|summari[sz]e|search)\b"
)
_AT_MOST_THREE_WORDS = re.compile(r"^\W*\w+(\W+\w+){0,2}\W*$")


def parse_features(parse: Parse) -> np.ndarray:
    """What the parse says about the intent, as a fixed-length 0/1 vector."""
    text = parse.text[:1200]
    cues = [1.0 if rx.search(text) else 0.0 for _, rx in INTENT_PATTERNS]
    roles = {r.role for r in parse.refs}
    words = len(text.split())
    lowered = text.lower().strip()
    flags = [
        WISH_CONDITIONAL.search(text) is not None,
        OUTCOME_CUE.search(text) is not None,
        MORE.search(text) is not None,
        RECOMMEND.search(text) is not None,
        REFINE.search(text) is not None,
        REPLACE.search(text) is not None,
        QUESTION_START.search(text) is not None,
        "?" in text,
        bool(parse.include),
        bool(parse.exclude),
        bool(parse.ranges),
        bool(parse.relative),
        parse.popularity is not None,
        TitleRole.TASTE in roles,
        TitleRole.SHOWN in roles,
        TitleRole.SUBJECT in roles,
        TitleRole.EXCLUDE in roles,
        len(parse.refs) >= 2,
        bool(parse.feedback),
        bool(parse.variables),
        len(parse.variables) >= 2,
        bool(parse.unknown_titles),
        bool(parse.unplaced),
        not parse.has_slots and not parse.refs,
        words <= 3,
        words >= 25,
        not any(c.isalpha() for c in text),
        _FOLLOW_UP_START.match(lowered) is not None,
        _LIST_ANAPHORA.search(lowered) is not None,
        _SELF_REFERENCE.search(lowered) is not None,
        _AGENT_REFERENCE.search(lowered) is not None,
        *_shape_flags(parse, lowered),
    ]
    return np.array(cues + [1.0 if f else 0.0 for f in flags], dtype=np.float32)


def _shape_flags(parse: Parse, lowered: str) -> list[bool]:
    """Combinations a linear model cannot form from single cues: a question about something on
    screen (why), two items weighed against each other (compare), a short slot-free turn
    (greeting), a request whose every content word is foreign to the catalog (off-topic)."""
    roles = {r.role for r in parse.refs}
    bare = not parse.has_slots and not parse.refs
    question = _QUESTION_OPENING.search(lowered) is not None
    about_shown = TitleRole.SHOWN in roles or TitleRole.SUBJECT in roles
    request = _REQUEST.search(lowered) is not None
    return [
        parse.replace,
        parse.wants_more,
        bool(parse.cleared),
        bool(parse.conflicts),
        parse.what_if is not None,
        parse.k is not None,
        bool(parse.either),
        bool(parse.unsupported),
        question and (about_shown or _POINTER.search(lowered) is not None),
        len(parse.refs) >= 2 and _WEIGHING.search(lowered) is not None,
        (len({r.item_id for r in parse.refs}) >= 2 or bool(parse.unknown_titles))
        and " or " in lowered,
        bare and not question and _AT_MOST_THREE_WORDS.match(lowered) is not None,
        request and bare and bool(parse.unplaced),
        request and bare and not parse.unplaced,
        TitleRole.TASTE in roles and TitleRole.SHOWN in roles,
        question and bare,
        *shape_flags(parse, lowered),
        *_list_need_flags(parse, without_topic_change(lowered)),  # last: tests index from the end
    ]


def _list_need_flags(parse: Parse, lowered: str) -> list[bool]:
    """Whether the turn needs the list just shown (refine) or stands on its own (a fresh
    recommend, even with a list on screen): a swap with a value, a pick by position beside
    a wish, a request that names values and leans on nothing shown; and a wish for an item
    not yet seen, which names no item (no verdict, so no feedback)."""
    wish = bool(parse.include or parse.exclude or parse.ranges or parse.unplaced)
    valued = bool(parse.include or parse.exclude)
    positional = any(_POSITION.search(r.text.lower()) for r in parse.refs)
    # a fame wish moves the popularity column too; that move alone leans on nothing shown
    fame_move = parse.popularity is not None and any(
        d is parse.popularity for _, d in parse.relative
    )
    named = any(  # "I liked Heat and Ronin, find me another like those": the titles said
        r.role is TitleRole.TASTE
        and not _POSITION.search(r.text.lower())
        and not _POINTER.search(r.text.lower())
        for r in parse.refs
    )
    leans = (
        (_LIST_ANAPHORA.search(lowered) is not None and not named)
        or _SWAP.search(lowered) is not None
        or _AWAY.search(lowered) is not None
        or len(parse.relative) > int(fame_move)
        or parse.wants_more
        or positional
        or any(r.role is TitleRole.SHOWN for r in parse.refs)
    )
    return [
        valued and _SWAP.search(lowered) is not None,
        positional and (wish or parse.popularity is not None),
        (wish or parse.popularity is not None) and not leans,
        _INDEFINITE_OPENING.match(lowered) is not None and not parse.refs,
        _NOT_YET_SEEN.search(lowered) is not None and not parse.refs,
    ]


def _logistic() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=REGULARISATION, class_weight=CLASS_WEIGHT, max_iter=2000)


def save_fitted(path: Path, model: tuple[Any, Any]) -> None:
    """Keep both models' weights as plain arrays (no pickle: the cache folder is a file
    anyone with the account could replace); a failed write only costs the next start."""
    meaning, joint = model
    save_arrays(
        path,
        "intent model",
        classes=np.asarray(joint.classes_, dtype=str),
        meaning_coef=meaning.coef_,
        meaning_intercept=meaning.intercept_,
        joint_coef=joint.coef_,
        joint_intercept=joint.intercept_,
    )


def load_fitted(path: Path) -> tuple[Any, Any] | None:
    """Both models rebuilt from saved weights, or None when the file is missing, unreadable
    or of another shape (then the caller fits afresh)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            classes = saved["classes"]
            arrays = (
                [saved[k] for k in ("meaning_coef", "meaning_intercept")],
                [saved[k] for k in ("joint_coef", "joint_intercept")],
            )
    except (OSError, ValueError, KeyError):
        return None
    if set(classes) - {i.value for i in Intent}:
        return None  # labels this code does not know: not our file
    models = []
    for coef, intercept in arrays:
        if coef.ndim != 2 or coef.shape[0] != len(classes) or intercept.shape != (len(classes),):
            return None
        model = _logistic()
        model.coef_, model.intercept_ = coef, intercept  # as fit (float32 stays float32)
        model.classes_ = np.asarray(classes)
        model.n_features_in_ = coef.shape[1]
        models.append(model)
    return models[0], models[1]


class IntentClassifier:
    """Embedding + parse-feature intent classifier, fit lazily on first use (thread-safe)."""

    def __init__(
        self,
        embed: Callable[[list[str]], Any],
        *,
        reader: Callable[[str], Parse] | None = None,
        domain: str | None = None,
        examples: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        self._embed = embed
        self._examples = list(examples) if examples is not None else None
        self._reader = reader
        self._domain = domain
        self._lock = threading.Lock()
        self._model: Any = None
        self._labels: list[Intent] = []
        self._texts: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_key = ""
        self._disk_key: Callable[[], str] | None = None

    def set_reader(
        self,
        reader: Callable[[str], Parse],
        domain: str | None,
        cache_key: str = "",
        disk_key: Callable[[], str] | None = None,
    ) -> None:
        """The parser that turns example texts into parse features (the workspace's vocab);
        classifiers with the same non-empty `cache_key` in one process share one fit, and
        with a `disk_key` (a full fingerprint of what the reader can name) the fitted
        weights are kept on disk, so a new process skips parsing every example."""
        self._reader = reader
        self._domain = domain
        self._cache_key = cache_key
        self._disk_key = disk_key

    def _vector(self, text: str) -> np.ndarray:
        key = " ".join(text.split())[:1200] or "(empty)"
        cached = self._texts.get(key)
        if cached is not None:
            return cached
        vector = np.asarray(self._embed([key])[0], dtype=np.float32)
        self._keep(key, vector)
        return vector

    def _keep(self, key: str, vector: np.ndarray) -> None:
        self._texts[key] = vector
        while len(self._texts) > TEXT_CACHE:
            self._texts.popitem(last=False)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Sentence vectors of `texts` (the classifier's own embedding model)."""
        return np.asarray(self._embed(list(texts)), dtype=np.float32)

    def embed_with_turn(self, text: str, extra: list[str]) -> np.ndarray:
        """The vectors of `extra`, embedded in one call together with the turn itself (kept
        for `classify_parse`): a turn read by the verdict reader pays one embedding pass."""
        key = " ".join(text.split())[:1200] or "(empty)"
        with self._lock:
            known = key in self._texts
        vectors = self.embed(list(extra) if known else [key, *extra])
        if known:
            return vectors
        with self._lock:
            self._keep(key, vectors[0])
        return vectors[1:]

    def _example_vectors(self, texts: Sequence[str]) -> np.ndarray:
        digest = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:16]
        path = _cache_dir() / f"intent-examples-{digest}.npy"
        try:
            if path.is_file():
                cached = np.load(path)
                if cached.shape[0] == len(texts):
                    return cached
        except (OSError, ValueError):
            logger.debug("intent cache unreadable", exc_info=True)
        vectors = np.asarray(self._embed(list(texts)), dtype=np.float32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        except OSError:
            logger.debug("intent cache not writable", exc_info=True)
        return vectors

    def _model_path(self, disk_key: str, texts: Sequence[str], labels: Sequence[str]) -> Path:
        """Where this fit's weights live: keyed by the examples, their labels, the settings,
        the catalog's fingerprint and the parser's own source (a code change refits)."""
        parts = [
            disk_key,
            str(self._domain),
            _code_fingerprint(),
            f"{FEATURE_WEIGHT}:{REGULARISATION}:{EMBEDDING_SHARE}:{CLASS_WEIGHT}",
            "\n".join(f"{label}\t{text}" for label, text in zip(labels, texts, strict=True)),
        ]
        digest = hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()[:20]
        return _cache_dir() / f"intent-model-{digest}.npz"

    def fit(self) -> None:
        """Fit on the shipped examples (done once, on the first `classify`)."""
        from threadpoolctl import threadpool_limits

        if self._reader is None:
            raise RuntimeError("IntentClassifier needs a reader (set_reader) before fitting")
        rows = self._examples if self._examples is not None else training_examples(self._domain)
        texts = [r["text"] for r in rows]
        key = ""
        if self._cache_key and self._examples is None:
            digest = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()
            key = (
                f"{self._cache_key}:{self._domain}:{digest}:{FEATURE_WEIGHT}:{REGULARISATION}"
                f":{EMBEDDING_SHARE}:{CLASS_WEIGHT}"
            )
            with _FITTED_LOCK:
                fitted = _FITTED.get(key)
            if fitted is not None:
                self._model, self._labels = fitted
                return
        labels = [Intent(r["intent"]).value for r in rows]
        path = None
        if key and self._disk_key is not None:
            path = self._model_path(self._disk_key(), texts, labels)
        model = load_fitted(path) if path is not None else None
        if model is None:
            embeddings = self._example_vectors(texts)
            features = np.stack([parse_features(self._reader(t)) for t in texts])
            x = np.hstack([embeddings, FEATURE_WEIGHT * features])
            # One BLAS thread: on a busy 2-core machine a threaded fit of this small problem
            # took 3 s instead of 0.2 s (threads waiting on each other).
            with threadpool_limits(limits=1, user_api="blas"):
                meaning = _logistic().fit(embeddings, labels)
                joint = _logistic().fit(x, labels)
            model = (meaning, joint)
            if path is not None:
                save_fitted(path, model)
        self._labels = [Intent(c) for c in model[1].classes_]
        self._model = model
        if key:
            with _FITTED_LOCK:
                _FITTED[key] = (model, self._labels)

    def warm_up(self) -> None:
        """Fit now (and load the embedding model), so a server's first user does not wait."""
        with self._lock:
            if self._model is None:
                self.fit()
            self._vector("hello")

    def classify_parse(self, parse: Parse) -> tuple[Intent, float]:
        """The most likely intent of a parsed turn and its probability; never `refine` for a
        fresh request after a marker that leaves the list behind ("different idea. ...")."""
        with self._lock:
            if self._model is None:
                self.fit()
            vector = self._vector(parse.text)
        x = np.hstack([vector, FEATURE_WEIGHT * parse_features(parse)])[None, :]
        meaning, joint = self._model
        probs = EMBEDDING_SHARE * meaning.predict_proba(vector[None, :])[0]
        probs += (1.0 - EMBEDDING_SHARE) * joint.predict_proba(x)[0]
        order = [int(i) for i in np.argsort(-probs)]
        if leaves_the_list(parse):  # the list is left behind: the request stands alone
            order = [i for i in order if self._labels[i] is not Intent.REFINE]
        low = parse.text.lower()
        if (
            exposure_question(low)
            or asks_for_a_pick(low)
            or (not parse.language and not imagines_a_change(low))
        ):
            # how exposure acts on ratings is causal; a turn that imagines nothing is no what-if
            order = [i for i in order if self._labels[i] is not Intent.WHAT_IF]
        if not parse.language and not weighs_items(low):  # no word weighs one against another
            order = [i for i in order if self._labels[i] is not Intent.COMPARE]
        if hedged_fact(low) and not _WHY_CUE.search(low) and _wishes(parse):
            order = [i for i in order if self._labels[i] is not Intent.WHY]
        if _wishes(parse) and not _PROFILE_CUE.search(low):
            # "nope i think its a drama?? like 90% sure": a turn that states a wish and names
            # no profile is no question what the agent knows of the user
            order = [i for i in order if self._labels[i] is not Intent.PROFILE]
        if self._labels[order[0]] is Intent.RECOMMEND and asks_off_the_list(parse):
            # "something else along the lines of X": more of the list (the planner makes it a
            # recommend again when nothing is on screen)
            order = sorted(order, key=lambda i: self._labels[i] is not Intent.REFINE)
        best = order[0]
        if other_task(parse) or (  # "translate thank you into Zulu": no pick can answer it
            world_question(parse.text) and not (parse.has_slots or parse.refs)
        ):  # "who won the world cup in 2018", "how many calories in a samosa"
            off = self._labels.index(Intent.OFF_TOPIC)
            return Intent.OFF_TOPIC, max(float(probs[off]), OFF_TOPIC_SURE)
        placed = bool(parse.include or parse.exclude or parse.ranges)
        if self._labels[best] is Intent.OFF_TOPIC and (probs[best] < OFF_TOPIC_SURE or placed):
            # Redirect only when sure, and never a turn that names the catalog's own values
            # ("cheap eats in Lisbon" on a restaurant catalog the examples never saw).
            best = order[1]
        if (
            self._labels[best] is Intent.RESET
            and (_wishes(parse) or parse.wants_more)
            and not _RESET_CUE.search(parse.text)
        ):
            # a reset wipes every fact of the session: the model alone never takes it for a
            # turn that states a wish ("nope, keep going... under the radar") or asks for
            # more picks ("let's see a fresh set")
            best = order[1]
        if self._labels[best] is Intent.GREETING and (
            parse.has_slots or parse.popularity or parse.like_items
        ):
            # "getting there, cheers. from around 1988": a sign-off word beside a stated fact
            # does not end the search; the wish is answered
            best = next(i for i in order if self._labels[i] in (Intent.RECOMMEND, Intent.REFINE))
        return self._labels[best], float(probs[best])


_RESET_CUE = next(rx for intent, rx in INTENT_PATTERNS if intent is Intent.RESET)
_WHY_CUE = next(rx for intent, rx in INTENT_PATTERNS if intent is Intent.WHY)
_PROFILE_CUE = next(rx for intent, rx in INTENT_PATTERNS if intent is Intent.PROFILE)


def _wishes(parse: Parse) -> bool:
    """The turn states something to look for (slots, a popularity wish or unplaced words)."""
    return bool(parse.has_slots or parse.popularity or parse.unplaced)


SPECIFIC_INTENTS = frozenset(  # intents an explicit cue names ("why", "start over")
    {
        Intent.RESET,
        Intent.PROFILE,
        Intent.HELP,
        Intent.WHAT_IF,
        Intent.CAUSAL,
        Intent.COMPARE,
        Intent.WHY,
        Intent.GREETING,
    }
)
_NO_SLOTS = (Intent.GREETING, Intent.HELP, Intent.OFF_TOPIC, Intent.RESET, Intent.PROFILE)


def fit_to_intent(parse: Parse) -> Parse:
    """Slots the decided intent can use: a greeting carries none; a what-if or a graph question
    states no wish (its values live in `what_if`); only a wish has words it could not place;
    an item given feedback is named in `feedback` only (the labels' convention). A feedback turn
    keeps its wishes: "fewer action films - I loved Cape Fear" states both, and a session that
    dropped the wish would show what the user just ruled out."""
    primary = parse.intent
    fed = {item for item, _ in parse.feedback}
    if fed and primary not in (Intent.WHAT_IF, Intent.CAUSAL):
        # the item a feedback turn is about sits in `feedback`, not again among refs
        parse = replace(
            parse,
            refs=tuple(r for r in parse.refs if r.item_id not in fed or r.role.value == "taste"),
        )
    if primary in _NO_SLOTS:
        return Parse(
            text=parse.text,
            intents=parse.intents,
            language=parse.language,
            original=parse.original,
        )
    if primary in (Intent.WHAT_IF, Intent.CAUSAL):
        return replace(
            parse,
            include={},
            exclude={},
            ranges={},
            relative=(),
            popularity=None,
            like_items=(),
            refs=tuple(r for r in parse.refs if r.role.value != "taste"),
            query="",
            unplaced=(),
            feedback=(),
        )
    if primary not in (Intent.RECOMMEND, Intent.REFINE):
        return replace(parse, query="", unplaced=())
    return parse
