"""How an answer reads in the web UI: a short chat reply (a lead line and one reason per item)
and item cards that carry the details — the main reason first in plain words, then the evidence
behind a "Why exactly?" disclosure (ranker components, the counterfactual with a with/without
rank bar, the supporting effect with its interval).

The reply text comes from the planner or the LLM, the explanations from tools.explain; this
module only chooses and shortens. Everything from the data, the user or a model is escaped:
the chat renders markdown, so `safe_markdown` makes user-supplied text literal (no images,
no links, no HTML).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

MAX_ATTRIBUTES = 4
MAX_REASON_CHARS = 160
MAX_WHY_BULLETS = 3
# Evidence kinds in the order a person cares about them: what is specific to this item and
# this user first, the model's internals last.
REASON_ORDER = ("counterfactual", "similar_liked", "query", "popularity", "attribute", "causal")
REASON_KEYS = ("main_reason", "reason", "headline")
COMPONENT_WORDS = {
    "preference": "predicted rating for you",
    "choice": "chance it is picked over an average item",
    "similarity": "taste similarity to what you liked",
    "popularity": "popularity",
    "popularity_boost": "boost from popularity",
    "score": "ranker score",
}
# Markdown and HTML syntax (plus ":" and "." so that bare URLs are not auto-linked).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])")
# A reply's own emphasis (**bold**, _italic_) may stay; links, images and HTML may not.
_REPLY_SPECIAL = re.compile(r"([\\`{}\[\]()<>#+\-.!|~:$&])")
_LIST_MARKER = re.compile(r"^(\s*(?:[-*•]|\d{1,2}[.)])\s+)(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(.*)$")


def safe_markdown(text: str) -> str:
    """`text` shown literally by a markdown renderer: every markdown or HTML character is
    backslash-escaped, so `![x](http://host/)` shows as those characters and fetches nothing."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _reply_line(text: str) -> str:
    return _REPLY_SPECIAL.sub(r"\\\1", str(text))


def safe_reply_markdown(text: str) -> str:
    """A model's or planner's reply as markdown that keeps its line structure (bullets,
    numbered lists, line breaks) but no links, images, HTML or emphasis from its content."""
    out = []
    for line in str(text).splitlines():
        marker = _LIST_MARKER.match(line)
        if marker:
            bullet = "-" if marker.group(1).strip() in ("-", "*", "•") else marker.group(1).strip()
            out.append(f"{bullet} {_reply_line(marker.group(2))}")
        else:
            out.append(_reply_line(line))
    return "\n".join(out)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def evidence_of(item: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """The item's evidence records of one kind, in order."""
    found = []
    for record in item.get("evidence") or []:
        if isinstance(record, Mapping) and str(record.get("kind")) == kind:
            found.append(record)
    return found


def counterfactual_of(item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The item's counterfactual ({"without", "rank", "rank_without", "text"}), from its own
    field or a counterfactual evidence record; None when the answer has none."""
    value = item.get("counterfactual")
    if isinstance(value, Mapping) and value.get("text"):
        return value
    for record in evidence_of(item, "counterfactual"):
        data = record.get("data")
        merged = dict(data) if isinstance(data, Mapping) else {}
        if record.get("text"):
            merged.setdefault("text", record["text"])
        if merged.get("text"):
            return merged
    return None


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return (match.group(1) if match else text.strip())[:MAX_REASON_CHARS]


def _plain_ranker(record: Mapping[str, Any]) -> str:
    data = record.get("data") if isinstance(record.get("data"), Mapping) else {}
    preference = data.get("preference")
    if isinstance(preference, int | float) and math.isfinite(preference):
        return f"It suits your taste: predicted rating {preference:.1f}."
    choice = data.get("choice")
    if isinstance(choice, int | float) and math.isfinite(choice):
        return f"It suits your taste: picked over an average item {choice:.0%} of the time."
    return _first_sentence(str(record.get("text") or ""))


def main_reason(item: Mapping[str, Any]) -> str:
    """The one reason a person reads first: the explanation's own main reason when it gives
    one, else the most specific evidence (what would change without your signals, similarity
    to what you liked, your words, popularity, a matched attribute), else the ranker in
    plain words, else the explanation's first sentence."""
    counterfactual = counterfactual_of(item)
    # "no signal of yours decides it" says nothing about this item: skip it as the lead
    generic = counterfactual is not None and not counterfactual.get("without")
    for key in REASON_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            if generic and value.strip() == str(counterfactual.get("text", "")).strip():
                continue
            return value.strip()[: MAX_REASON_CHARS * 2]
    if counterfactual is not None and counterfactual.get("without"):
        return str(counterfactual["text"])[: MAX_REASON_CHARS * 2]
    for kind in REASON_ORDER[1:]:
        for record in evidence_of(item, kind):
            if record.get("text"):
                return _first_sentence(str(record["text"]))
    for record in evidence_of(item, "ranker"):
        reason = _plain_ranker(record)
        if reason:
            return reason
    return _first_sentence(str(item.get("explanation") or ""))


def short_reply(text: str, items: Sequence[Mapping[str, Any]]) -> str:
    """The chat's version of a reply, as safe markdown: numbered item lines cut to the title
    and one reason; a "why" answer cut to its few most telling points (model internals last);
    other lines kept."""
    titles = {str(i.get("title") or ""): i for i in items}
    kinds = {
        str(r.get("text")).strip(): str(r.get("kind"))
        for i in items
        for r in i.get("evidence") or []
        if isinstance(r, Mapping) and r.get("text")
    }
    out: list[str] = []
    bullets: list[str] = []
    dropped = 0

    def flush() -> None:
        nonlocal dropped
        ranked = sorted(bullets, key=lambda b: _bullet_rank(kinds.get(b.strip())))
        out.extend(f"- {_reply_line(b)}" for b in ranked[:MAX_WHY_BULLETS])
        dropped += max(0, len(ranked) - MAX_WHY_BULLETS)
        bullets.clear()

    for line in str(text).splitlines():
        numbered = _NUMBERED.match(line)
        marker = None if numbered else _LIST_MARKER.match(line)
        if marker:
            bullets.append(marker.group(2))
            continue
        if bullets:
            flush()
        if numbered:
            number, rest = int(numbered.group(1)), numbered.group(2)
            item = items[number - 1] if 0 < number <= len(items) else None
            title = str(item.get("title") or "") if item is not None else ""
            if item is None or not rest.startswith(title):
                item = next((i for t, i in titles.items() if t and rest.startswith(t)), None)
                title = str(item.get("title") or "") if item is not None else ""
            if item is not None:
                reason = main_reason(item)
                suffix = f" — {safe_markdown(reason)}" if reason else ""
                out.append(f"{number}. {safe_markdown(title)}{suffix}")
            else:
                out.append(f"{number}. {_reply_line(_cut(rest))}")
            continue
        if out and re.match(r"^(\d{1,2}\.|-) ", out[-1]) and line.strip():
            out.append("")  # else markdown folds this line into the list's last item
        out.append(_reply_line(line))
    if bullets:
        flush()
    if dropped:
        more = "reason" if dropped == 1 else "reasons"
        out.append(f"_({dropped} more {more} in the card, under Why exactly?)_")
    return "\n".join(out).strip()


def _bullet_rank(kind: str | None) -> float:
    """Where a reason of this evidence kind goes in a short "why": people's reasons first,
    the ranker's internals last, unknown sentences in between."""
    if kind in REASON_ORDER:
        return float(REASON_ORDER.index(kind))
    return len(REASON_ORDER) + (1.0 if kind == "ranker" else 0.5)


def streaming_reply(text: str) -> str:
    """A partial reply while it streams: numbered lines cut to the title and first clause."""
    out = []
    for line in str(text).splitlines():
        numbered = _NUMBERED.match(line)
        if numbered:
            out.append(f"{numbered.group(1)}. {_reply_line(_cut(numbered.group(2)))}")
        else:
            out.append(_reply_line(line))
    return "\n".join(out)


def _cut(text: str) -> str:
    head, sep, tail = text.partition(" — ")
    return head + (f" — {_first_sentence(tail)}" if sep else "")


# ----------------------------------------------------------------------------- cards


def _attributes(item: Mapping[str, Any]) -> str:
    shown = []
    for key, value in list((item.get("attributes") or {}).items())[:MAX_ATTRIBUTES]:
        if value in (None, "", []):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        text = text.replace("|", ", ")
        if isinstance(value, int | float) and "year" not in str(key).lower():
            text = f"{str(key).replace('_', ' ')} {text}"  # a bare number says nothing
        shown.append(f'<span title="{html.escape(str(key))}">{html.escape(text[:60])}</span>')
    return " · ".join(shown)


def _components(item: Mapping[str, Any]) -> str:
    rows = []
    for record in evidence_of(item, "ranker"):
        data = record.get("data") if isinstance(record.get("data"), Mapping) else {}
        for key, value in data.items():
            if not isinstance(value, int | float) or not math.isfinite(value):
                continue
            label = COMPONENT_WORDS.get(str(key), str(key).replace("_", " "))
            shown = f"{value:.0%}" if key == "choice" else f"{value:.2f}"
            rows.append(
                f"<tr><td>{html.escape(label)}</td><td class='num'>{html.escape(shown)}</td></tr>"
            )
        break
    if not rows:
        return ""
    return (
        "<div class='part'><b>Ranker components</b>"
        f"<table class='components'>{''.join(rows)}</table></div>"
    )


def rank_bar(rank: Any, rank_without: Any, k: Any = None) -> str:
    """A small with/without rank picture: where the item ranks with your signals and without
    them (beyond the list when it drops out)."""
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        return ""
    gone = not isinstance(rank_without, int) or isinstance(rank_without, bool)
    worst = max(rank, rank_without if not gone else 0, int(k) if isinstance(k, int) else 10)
    scale = max(worst + 1, 2)

    def left(r: int) -> float:
        return 100.0 * (r - 1) / (scale - 1)

    without_label = "beyond the list" if gone else f"#{rank_without}"
    without_pos = 100.0 if gone else left(rank_without)
    return (
        "<div class='rankbar' role='img' "
        f"aria-label='rank {rank} with your signals, {html.escape(without_label)} without'>"
        f"<div class='track'><span class='dot with' style='left:{left(rank):.1f}%'></span>"
        f"<span class='dot without' style='left:{without_pos:.1f}%'></span></div>"
        f"<div class='legend'><span class='with'>● with: #{rank}</span>"
        f"<span class='without'>● without: {html.escape(without_label)}</span></div></div>"
    )


def _counterfactual(item: Mapping[str, Any]) -> str:
    cf = counterfactual_of(item)
    if cf is None:
        return ""
    bar = rank_bar(cf.get("rank"), cf.get("rank_without"), cf.get("k")) if cf.get("without") else ""
    return (
        "<div class='part'><b>Without your signals</b>"
        f"<p>{html.escape(str(cf.get('text')))}</p>{bar}</div>"
    )


def _effect(item: Mapping[str, Any]) -> str:
    parts = []
    for record in evidence_of(item, "causal"):
        data = record.get("data") if isinstance(record.get("data"), Mapping) else {}
        estimate, low, high = data.get("estimate"), data.get("ci_low"), data.get("ci_high")
        figures = ""
        if isinstance(estimate, int | float):
            figures = f"effect {estimate:+.3f}"
            if isinstance(low, int | float) and isinstance(high, int | float):
                figures += f" (95% interval {low:+.3f} to {high:+.3f})"
        text = html.escape(str(record.get("text") or ""))
        extra = f"<br><span class='figures'>{html.escape(figures)}</span>" if figures else ""
        parts.append(f"<p>{text}{extra}</p>")
    if not parts:
        return ""
    return f"<div class='part'><b>Supporting effect</b>{''.join(parts)}</div>"


def card_html(item: Mapping[str, Any], rank: int, *, open_details: bool = False) -> str:
    """One item card: rank, title, key attributes, the main reason in plain words, then the
    evidence behind a "Why exactly?" disclosure."""
    item_id = html.escape(str(item.get("item_id")))
    title = html.escape(str(item.get("title") or item.get("item_id")))
    reason = html.escape(main_reason(item))
    records = [r for r in item.get("evidence") or [] if isinstance(r, Mapping) and r.get("text")]
    records.sort(key=lambda r: _bullet_rank(str(r.get("kind"))))  # people's reasons first
    texts = [f"<li>{html.escape(str(r.get('text')))}</li>" for r in records]
    if not texts and item.get("explanation"):
        texts = [f"<li>{html.escape(str(item['explanation']))}</li>"]
    details = "".join(
        [
            f"<div class='part'><b>All reasons</b><ul>{''.join(texts)}</ul></div>" if texts else "",
            _counterfactual(item),
            _components(item),
            _effect(item),
        ]
    )
    disclosure = (
        f"<details{' open' if open_details else ''}><summary>Why exactly?</summary>"
        f"{details}</details>"
        if details
        else ""
    )
    return (
        f'<div class="whyrec-card{" focus" if open_details else ""}" data-item-id="{item_id}">'
        f'<div class="head"><span class="rank">{rank}</span><h4>{title}</h4></div>'
        f'<div class="attrs">{_attributes(item)}</div>'
        f'<p class="why">{reason}</p>{disclosure}</div>'
    )


CARD_CSS = """
.whyrec-card { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 10px 12px; margin: 0; background: var(--background-fill-secondary); }
.whyrec-card.focus { border: 2px solid #c1121f; }
.whyrec-card .head { display: flex; gap: 8px; align-items: baseline; }
.whyrec-card .rank { font-weight: 700; opacity: 0.6; }
.whyrec-card h4 { margin: 0; font-size: 1.05em; }
.whyrec-card .attrs { font-size: 0.85em; opacity: 0.75; margin: 2px 0 4px 0; }
.whyrec-card .why { font-size: 0.95em; margin: 4px 0; }
.whyrec-card details { font-size: 0.88em; margin-top: 4px; }
.whyrec-card summary { cursor: pointer; color: var(--link-text-color, #2563eb); }
.whyrec-card .part { margin: 6px 0; }
.whyrec-card .part p { margin: 2px 0; }
.whyrec-card ul { margin: 2px 0 2px 18px; padding: 0; }
.whyrec-card table.components td { padding: 0 10px 0 0; border: none; }
.whyrec-card td.num { text-align: right; font-variant-numeric: tabular-nums; }
.whyrec-card .figures { opacity: 0.8; font-variant-numeric: tabular-nums; }
.rankbar { margin: 4px 0 2px 0; max-width: 320px; }
.rankbar .track { position: relative; height: 6px; border-radius: 3px; margin: 6px 6px;
  background: linear-gradient(90deg, #2a9d8f, #e9ecef); }
.rankbar .dot { position: absolute; top: -4px; width: 14px; height: 14px; border-radius: 50%;
  margin-left: -7px; border: 2px solid white; }
.rankbar .dot.with, .rankbar .legend .with { background: #2a9d8f; color: #2a9d8f; }
.rankbar .dot.without, .rankbar .legend .without { background: #6c757d; color: #6c757d; }
.rankbar .legend { display: flex; justify-content: space-between; font-size: 0.85em; }
.rankbar .legend span { background: none !important; }
"""
