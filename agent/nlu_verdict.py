"""A learned verdict reader: like / dislike / seen / none for each item a turn names.

The rule patterns of `agent.nlu_feedback` know the verdict words someone listed ("loved it",
"boring"); new writers judge items in words no list holds ("a masterclass in tension", "put
me to sleep", "nothing special"). This module takes, for every item a turn names (a title, a
place in the list, "it" for the item in focus), the words of its clause (between the item
mentions and sentence ends, the item itself replaced by "this one") and classifies them with
a logistic regression over the all-MiniLM-L6-v2 sentence embedding plus a few shape features
(the rule verdict, negation, a viewing cue, a question, a request for more). It learns from
the training file: the clauses of items labelled as feedback, and, as "none", the clauses of
items named as references or taste in other intents. The rules keep their answer unless the
model is sure of another; where the rules say nothing the model may add a verdict.

One embedding call per turn (the clauses batched with the turn itself, which the intent
classifier then reuses); the model is fit once per process and its weights are cached on
disk keyed by the examples, the catalog and the agent package's source.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from agent.model_cache import cache_dir, code_fingerprint, save_arrays
from agent.nlu_feedback import ASKS_FOR_MORE, asks_for_items
from agent.nlu_feedback import ASKS_ITEMS as _ASKS_ITEMS
from agent.nlu_refs import PRONOUN_RX
from agent.parse import FeedbackKind, Intent, Parse, TitleRole

logger = logging.getLogger(__name__)

LABELS = ("none", "like", "dislike", "seen")
FEATURE_WEIGHT = 0.75  # shape features against a unit-length embedding
REGULARISATION = (
    4.0  # logistic regression's C (grouped CV by writer batch, scripts/nlu_verdict_cv.py)
)
ADD_SURE = 0.5  # the model adds a verdict the rules missed when at least this sure
OVERRIDE_SURE = 0.6  # ... and replaces the rules' verdict when at least this sure
PLACEHOLDER = "this one"
_KINDS = {k.value: k for k in FeedbackKind}


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_SENTENCE_END = _rx(r"[.!?;]+(?=\s|$)|\n")
# where the words about one item end and those about the next begin ("X was fun, Y annoying")
_SPLIT = _rx(r"[,;:.!?\u2013\u2014]|\s-\s|\b(?:but|however|though|although|whereas|while|and)\b")
_JOINED = _rx(r"(?:\s|,|&|\+|/|\band\b|\bor\b|\bthe\b|\bboth\b|\bplus\b)*")
# a closing segment about the rest of the list, not the item: "saw the last two, not the rest"
_REST = _rx(
    r"[,;\u2013\u2014]\s*(?:but\s+)?(?:not|none\s+of|never|nothing\s+of)\s+(?:any\s+of\s+)?"
    r"(?:the\s+)?(?:rest|others?|remaining(?:\s+ones?)?|other\s+(?:ones?|films?|movies?|\w+s))\b"
)
# an item set apart from a verdict on the whole list: "seen all of them bar the second one"
_EXCEPTED = _rx(
    r"\b(?:except|excluding|but\s+not|apart\s+from|other\s+than|besides|bar|save|all\s+but)"
    r"\s+(?:for\s+)?(?:the\s+|number\s+|no\.?\s*|#)?$"
)
_NEGATION = _rx(r"\b(?:not|no|never|nothing|hardly|barely|neither|nor)\b|n't\b|n’t\b")
_VIEWING = _rx(
    r"\b(?:seen|saw|watched|watch|watching|viewed|know|knew|familiar|own|owned|bought|"
    r"times|twice|already|before|ago)\b"
)


@dataclass(frozen=True)
class Mention:
    """An item named in a turn and where: the char span of its words."""

    item: str
    start: int
    end: int
    role: TitleRole


def mentions(parse: Parse, focus: str | None) -> list[Mention]:
    """The items a parsed turn names, in order, with their spans (excluded items left out);
    with none named, a pronoun ("found it dull") names the item in focus."""
    text = parse.text
    low = text.lower()
    out: list[Mention] = []
    cursor = 0
    for ref in parse.refs:
        if ref.role is TitleRole.EXCLUDE or not ref.text.strip():
            continue
        needle = ref.text.lower()
        at = low.find(needle, cursor)
        if at < 0:
            at = low.find(needle)
        if at < 0:
            continue
        out.append(Mention(ref.item_id, at, at + len(needle), ref.role))
        cursor = at + len(needle)
    if not out and focus:
        m = PRONOUN_RX.search(text)
        if m is not None:
            out.append(Mention(focus, m.start(), m.end(), TitleRole.SUBJECT))
    out.sort(key=lambda m: m.start)
    return out


def _groups(text: str, found: Sequence[Mention]) -> list[list[Mention]]:
    """Mentions joined only by "and", "," or "or" share their words ("X and Y, both seen")."""
    groups: list[list[Mention]] = []
    for m in found:
        if groups and _JOINED.fullmatch(text[groups[-1][-1].end : m.start]):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a span; a sentence that is the item alone ("Casablanca. Loved
    it.", "holy grail?? seen it") runs on into the next one, which is about it."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    ends = list(_SENTENCE_END.finditer(text, end))
    right = ends[0].end() if ends else len(text)
    if ends and not re.search(r"\w", text[left:start] + text[end:right]):
        right = ends[1].end() if len(ends) > 1 else len(text)
    return left, right


def clauses(text: str, found: Sequence[Mention]) -> list[tuple[Mention, str]]:
    """Each mention with the words about it: its sentence, cut where the words about the
    previous or next item begin, with the item's own words replaced by "this one"."""
    groups = _groups(text, found)
    cuts: list[int] = []  # the cut between group i and group i+1
    for a, b in pairwise(groups):
        between = text[a[-1].end : b[0].start]
        hits = list(_SPLIT.finditer(between))
        cuts.append(a[-1].end + (hits[-1].start() if hits else len(between) // 2))
    out: list[tuple[Mention, str]] = []
    for i, group in enumerate(groups):
        left, right = _sentence_bounds(text, group[0].start, group[-1].end)
        if i > 0:
            left = max(left, cuts[i - 1])
        if i < len(cuts):
            right = min(right, cuts[i])
        rest = _REST.search(text, group[-1].end, right)
        if rest is not None:
            right = rest.start()  # "..., not the rest": about the other items
        left, right = min(left, group[0].start), max(right, group[-1].end)
        pieces, at = [], left
        for m in group:
            pieces += [text[at : m.start], PLACEHOLDER]
            at = m.end
        pieces.append(text[at:right])
        words = " ".join("".join(pieces).split()).strip(" ,;:-")
        out += [(m, words) for m in group]
    return out


def shape_features(clause: str, text: str, role: TitleRole) -> np.ndarray:
    """Shape cues the embedding blurs: negation, a viewing, a question, a request for more
    items, and the item's role. The rule verdict is left out: the rules were written against
    these same examples, so a model fit with it trusts it far more than a new writer's
    phrasing deserves (grouped CV: 0.77 against 0.88 F1 on the w12 batch, left out)."""
    flags = [
        _NEGATION.search(clause) is not None,
        _VIEWING.search(clause) is not None,
        "?" in clause,
        ASKS_FOR_MORE.search(text) is not None,
        _ASKS_ITEMS.search(text) is not None,
        role is TitleRole.TASTE,
        role is TitleRole.SHOWN,
        len(clause.split()) <= 4,
    ]
    return np.array([1.0 if f else 0.0 for f in flags], dtype=np.float32)


@dataclass(frozen=True)
class VerdictExample:
    """One labelled clause of the training file."""

    row_id: str
    clause: str
    text: str
    role: TitleRole
    label: str  # one of LABELS
    rule: str  # what the rule parser said for the item ("none" when nothing)


def verdict_examples(
    rows: Iterable[dict[str, Any]],
    read: Callable[[str, Sequence[str], str | None], Parse],
) -> list[VerdictExample]:
    """The clauses of the items each labelled row names, with the labelled verdict (none for
    an item the row names as a reference or taste but gives no feedback)."""
    out: list[VerdictExample] = []
    for row in rows:
        slots = row.get("slots") or {}
        context = row.get("context") or {}
        shown = [str(s) for s in context.get("shown") or []]
        focus = context.get("focus")
        focus = str(focus) if focus is not None else None
        text = str(row.get("text", ""))
        if not text.strip():
            continue
        parse = read(text, shown, focus)
        found = mentions(parse, focus)
        if not found:
            continue
        labelled = {str(i): str(k) for i, k in slots.get("feedback") or []}
        rules = {i: k.value for i, k in parse.feedback}
        for m, clause in clauses(parse.text, found):
            out.append(
                VerdictExample(
                    str(row.get("id", "")),
                    clause,
                    parse.text,
                    m.role,
                    labelled.get(m.item, "none"),
                    rules.get(m.item, "none"),
                )
            )
    return out


def design(examples: Sequence[VerdictExample], vectors: np.ndarray) -> np.ndarray:
    """The model's input: embedding ; weighted shape features."""
    shapes = np.stack([shape_features(e.clause, e.text, e.role) for e in examples])
    return np.hstack([np.asarray(vectors, dtype=np.float32), FEATURE_WEIGHT * shapes])


def new_model(c: float = REGULARISATION) -> Any:
    """An unfitted verdict model (balanced classes: "none" clauses outnumber verdicts)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000)


def combine(
    rule: FeedbackKind | None,
    probs: Sequence[float],
    add_sure: float = ADD_SURE,
    override_sure: float = OVERRIDE_SURE,
) -> FeedbackKind | None:
    """The rules' verdict unless the model is very sure of another; the model's where the
    rules found none and it is sure enough. `probs` follow LABELS."""
    best = int(np.argmax(probs))
    label = LABELS[best]
    if label == "none":
        return rule
    if rule is None:
        return _KINDS[label] if probs[best] >= add_sure else None
    if rule is not FeedbackKind.SEEN:
        # a verdict beside a viewing is the verdict ("saw it, great film"), and a like the
        # rules read from a cue word is never turned into a dislike or back: in a dialogue
        # "hmm, no, my fave is X" or "not it, I loved X" reject the list, not X
        return rule
    if label != rule.value and probs[best] >= override_sure:
        return _KINDS[label]  # "seen it, hated every minute": the viewing gets its verdict
    return rule


@dataclass(frozen=True)
class Verdicts:
    """What the reader changed in one turn: the revised parse and the rules' feedback."""

    parse: Parse
    rule_feedback: tuple[tuple[str, FeedbackKind], ...]

    @property
    def learned(self) -> bool:
        """True when the model added or changed a verdict."""
        return set(self.parse.feedback) != set(self.rule_feedback)

    def intent(self, intent: Intent) -> Intent:
        """A verdict on a named item makes a feedback turn, unless the turn asks for items
        or ends in a question."""
        if (
            self.learned
            and self.parse.feedback
            and intent in (Intent.RECOMMEND, Intent.REFINE, Intent.COMPARE, Intent.WHY)
            and not asks_for_items(self.parse.text)
            and not self.parse.text.rstrip().endswith("?")
            and not (self.parse.has_slots or self.parse.unplaced)  # "not it, a sci-fi one"
        ):
            return Intent.FEEDBACK
        return intent

    def settled(self, parse: Parse) -> Parse:
        """The final parse: a learned verdict stays only in a feedback turn."""
        if self.learned and parse.intent is not Intent.FEEDBACK:
            return replace(parse, feedback=self.rule_feedback)
        return parse


class VerdictReader:
    """The learned verdict model for one catalog, fit lazily on first use (thread-safe)."""

    def __init__(
        self,
        embed: Callable[[list[str]], Any],
        read: Callable[[str, Sequence[str], str | None], Parse],
        rows: Callable[[], Sequence[dict[str, Any]]],
        *,
        turn_embed: Callable[[str, list[str]], Any] | None = None,
        disk_key: Callable[[], str] | None = None,
        add_sure: float = ADD_SURE,
        override_sure: float = OVERRIDE_SURE,
    ) -> None:
        self._embed = embed
        self._sure = (add_sure, override_sure)
        self._turn_embed = turn_embed
        self._read = read
        self._rows = rows
        self._disk_key = disk_key
        self._lock = threading.Lock()
        self._model: Any = None  # False: no verdicts to learn from, the rules decide

    def _path(self, rows: Sequence[dict[str, Any]]) -> Path | None:
        """Where the weights fit on these rows live: keyed by the rows (text, context and
        labels), the catalog, the settings and the agent package's source, so a process
        with the weights on disk parses no example."""
        if self._disk_key is None:
            return None
        keyed = [
            (r.get("text"), r.get("context"), (r.get("slots") or {}).get("feedback")) for r in rows
        ]
        parts = [
            self._disk_key(),
            code_fingerprint(),
            f"{FEATURE_WEIGHT}:{REGULARISATION}:{PLACEHOLDER}",
            json.dumps(keyed, sort_keys=True, default=str),
        ]
        digest = hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()[:20]
        return cache_dir() / f"verdict-model-{digest}.npz"

    def fit(self) -> None:
        """Fit on the training file's clauses (or load the weights cached for them); with
        no verdict among the examples (a catalog without labelled feedback) the reader stays
        off and the rules alone decide."""
        from threadpoolctl import threadpool_limits

        rows = [r for r in self._rows() if _may_name_items(r)]
        path = self._path(rows)
        model = _load(path) if path is not None else None
        if model is None:
            examples = verdict_examples(rows, self._read)
            if len({e.label for e in examples}) < len(LABELS):
                self._model = False
                return
            vectors = np.asarray(self._embed([e.clause for e in examples]), dtype=np.float32)
            with threadpool_limits(limits=1, user_api="blas"):
                model = new_model().fit(design(examples, vectors), [e.label for e in examples])
            if path is not None:
                _save(path, model)
        self._model = model

    def warm_up(self) -> None:
        """Fit (or load) now, so a server's first verdict does not wait for it."""
        with self._lock:
            if self._model is None:
                self.fit()

    def revise(self, parse: Parse, shown: Sequence[str], focus: str | None) -> Verdicts | None:
        """The turn's feedback with the learned verdicts folded in; None when the turn names
        no item (nothing to judge) or only excluded ones."""
        del shown  # the parse already placed "the second one"
        found = mentions(parse, focus)
        if not found:
            return None
        named = {r.item_id for r in parse.refs}
        if (parse.has_slots or parse.unplaced) and not any(m.item in named for m in found):
            return None  # "meh, I think it was a romance": "it" is the film sought, not the focus
        self.warm_up()
        if self._model is False:
            return None
        pairs = clauses(parse.text, found)
        texts = [c for _, c in pairs]
        if self._turn_embed is not None:
            vectors = self._turn_embed(parse.text, texts)
        else:
            vectors = self._embed(texts)
        examples = [VerdictExample("", c, parse.text, m.role, "none", "none") for m, c in pairs]
        probs = self._model.predict_proba(design(examples, np.asarray(vectors)))
        order = [list(self._model.classes_).index(label) for label in LABELS]
        rules = dict(parse.feedback)
        asks = ASKS_FOR_MORE.search(parse.text) is not None
        decided: dict[str, FeedbackKind | None] = {}
        set_apart: set[str] = set()
        for (m, words), p in zip(pairs, probs, strict=True):
            if m.role is TitleRole.TASTE or (asks and m.item not in rules):
                continue  # "I liked X, more like it": a taste reference (README convention)
            if m.item not in rules and words.rstrip().endswith("?"):
                continue  # "pourquoi Casablanca ?": a question about the item, no verdict
            if m.item not in rules and _EXCEPTED.search(parse.text, 0, m.start):
                set_apart.add(m.item)  # "seen all of them bar the second one": not judged,
                continue  # and no reference either when the rest of the list was judged
            if m.item not in rules and asked_about(parse.text, m):
                continue  # "is it scarier than X?", "what drew you to X": asked, not judged
            if m.item in rules and _NOTHING_OWN.fullmatch(words.replace(PLACEHOLDER, " ")):
                continue  # "X watched already, Y too": no words of its own to read anew
            scores = [float(p[i]) for i in order]
            decided[m.item] = combine(rules.get(m.item), scores, *self._sure)
        feedback = [(i, decided.get(i, k)) for i, k in parse.feedback]
        feedback += [(i, k) for i, k in decided.items() if i not in rules]
        kept = tuple(dict.fromkeys((i, k) for i, k in feedback if k is not None))
        if set_apart and kept:
            parse = replace(
                parse,
                refs=tuple(r for r in parse.refs if r.item_id not in set_apart),
                items=tuple(i for i in parse.items if i not in set_apart),
            )
        return Verdicts(replace(parse, feedback=kept), tuple(parse.feedback))


# a clause with no words about its item beyond joining ones: "..., Unforgiven too"
_NOTHING_OWN = _rx(r"\W*(?:(?:and|also|too|as\s+well|both|plus|ditto|same|the\s+same)\W*)*")


# a sentence that opens as a question ("is it scarier than ...", "what drew you to ...",
# "whats the connection between my taste and ..."), not an exclamation ("what a film")
_QUESTION_OPEN = _rx(
    r"\W*(?:(?:so|and|but|ok|okay|hmm+|well)\W+)?(?:is|are|was|were|does|do|did|how|why|y|which"
    r"|would|could|can|should|where|who|will|what(?!\s+an?\b)|whats|what's|wat)\b"
)


def asked_about(text: str, mention: Mention) -> bool:
    """True when the sentence naming the item is a question (the learned reader adds no
    verdict there: the user asks about the item, the rules read any verdict it holds)."""
    left, _right = _sentence_bounds(text, mention.start, mention.end)
    return _QUESTION_OPEN.match(text, left) is not None


_TITLE_OR_PLACE = re.compile(
    r"(?<=\s)(?!I\b|I['’])[A-Z]|#|(?<![\w.])(?:10|[1-9])(?![\w.])|(?i:\b(?:first|second|third|fourth|fifth|last|top|middle)\b)"
)


def _may_name_items(row: dict[str, Any]) -> bool:
    """A row that can name an item: labelled with one, or holding a pronoun, a capital
    (a title) or a number (a place in the list); the others need no parsing."""
    slots = row.get("slots") or {}
    if slots.get("feedback") or slots.get("refs") or slots.get("taste"):
        return True
    text = str(row.get("text", ""))
    return bool(PRONOUN_RX.search(text) or _TITLE_OR_PLACE.search(text))


def _save(path: Path, model: Any) -> None:
    save_arrays(
        path,
        "verdict model",
        classes=np.asarray(model.classes_, dtype=str),
        coef=model.coef_,
        intercept=model.intercept_,
    )


def _load(path: Path) -> Any:
    try:
        with np.load(path, allow_pickle=False) as saved:
            classes, coef, intercept = saved["classes"], saved["coef"], saved["intercept"]
    except (OSError, ValueError, KeyError):
        return None
    if set(classes) != set(LABELS) or coef.ndim != 2 or coef.shape[0] != len(classes):
        return None
    model = new_model()
    model.coef_, model.intercept_, model.classes_ = coef, intercept, np.asarray(classes)
    model.n_features_in_ = coef.shape[1]
    return model
