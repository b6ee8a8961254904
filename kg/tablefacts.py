"""Table rows -> mentions and relations, from header semantics kept as data.

kg.ingest turns each table row into one sentence "表头：单元格；…。" whose Sentence carries the
(header, cell) pairs. Here each header is mapped to a role (ontology/tables/headers.json: 链主企业名称
-> leader, 所属产业链 -> chain, 镇街（园区） -> place, 项目名称 -> project, 建设单位 -> builder,
总投资 -> investment ...), each cell becomes a Mention at its exact offsets in the row sentence,
and the file's relation rules link the roles of one row (leader chainLeaderOf chain, builder
implements project ...). The evidence of every table fact is its row sentence, so the graph's
provenance names document, table and row.

`merge(extraction)` adds these to what the text extractor produced for the same document: a cell
the text extractor also recognised (same span) keeps the extractor's type and canonical name
(it knows the gazetteers); mentions are deduplicated by (type, canonical, span) and relations by
(head, rel, tail, sentence). In row sentences the table structure is known, so text-extractor
mentions of a header word (所属产业链 read as a chain) or of a fragment inside a cell the table
reading typed the same way (药业有限公司 inside 南汀澄和药业有限公司) are dropped.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from . import resources
from .model import Document, Extraction, Mention, Relation, Sentence
from .util import norm_name

CONFIDENCE = 0.95
TITLE_HEADER = "项目名称"  # the header a record line's title is filed under (kg.ingest.record_cells)
_PAREN_NOTE = re.compile(r"[（(][^（）()]*[）)]$")
_SPLIT = re.compile(r"[^、，,；;/\s]+(?:[（(][^（）()]*[）)][^、，,；;/\s]*)*")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|亿|千万|百万|万)?\s*(美元|欧元|港元|日元|元)?")
_MULT = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
         "万": Decimal(10) ** 4, None: Decimal(1)}
_CURRENCY = {"美元": "USD", "欧元": "EUR", "港元": "HKD", "日元": "JPY", "元": "CNY", None: "CNY"}


def headers_file() -> Path:
    return resources.ontology_dir() / "tables" / "headers.json"


@lru_cache(maxsize=4)
def load_headers(path: str | None = None) -> dict:
    """The header table, with a lookup {normalised header: role} added under "_index"."""
    data = json.loads(Path(path or headers_file()).read_text(encoding="utf-8"))
    index = {}
    for role, spec in data["roles"].items():
        for h in spec["headers"]:
            index[_key(h)] = role
    data["_index"] = index
    return data


def _key(header: str) -> str:
    return re.sub(r"\s+", "", header)


def role_of(header: str, headers: dict | None = None) -> str | None:
    """Role of a header cell: exact match, else without a trailing note (总投资（亿元） -> 总投资)."""
    index = (headers or load_headers())["_index"]
    k = _key(header)
    return index.get(k) or index.get(_PAREN_NOTE.sub("", k))


def _unit_of(header: str) -> str:
    m = _PAREN_NOTE.search(_key(header))
    return m.group()[1:-1] if m else ""


def canonical(role: str, text: str, headers: dict | None = None) -> str:
    spec = (headers or load_headers())["roles"][role]
    name = norm_name(text)
    rule = spec.get("canonical")
    if not rule or name.endswith(tuple(rule["keep_if_ends"])):
        return name
    for end, add in rule.get("if_ends", []):
        if name.endswith(end):
            return name + add
    return name + rule["append"]


def entity_type(role: str, text: str, headers: dict | None = None) -> str:
    h = headers or load_headers()
    spec = h["roles"][role]
    if role == "place":
        return next((t for end, t in h["place_types"] if text.endswith(end)), spec["type"])
    if spec["type"] == "Enterprise" and text.endswith(tuple(h["organisation_suffixes"])):
        return "Organization"
    return spec["type"]


def amount(text: str, header: str = "") -> tuple[str, Decimal | None, str]:
    """(literal text, value in yuan, currency) of an investment cell; a bare number takes the unit
    from its header (总投资（亿元） + "12.5" -> "12.5亿元")."""
    t = norm_name(text)
    unit = _unit_of(header)
    if re.fullmatch(r"\d+(?:\.\d+)?", t) and unit:
        t += unit
    m = _AMOUNT.search(t)
    if not m:
        return t, None, ""
    try:
        value = Decimal(m.group(1)) * _MULT[m.group(2)]
    except InvalidOperation:
        return t, None, ""
    return t, value, _CURRENCY[m.group(3)]


def _cell_spans(s: Sentence) -> list[tuple[str, str, int]]:
    """(header, cell, absolute start of the cell) for each pair of a row sentence."""
    out, pos = [], 0
    for h, v in s.cells:
        i = s.text.find(f"{h}：{v}", pos)
        start = i + len(h) + 1 if i >= 0 else -1
        if start < 0 and h == TITLE_HEADER:  # a record's title, written without its header (kg.ingest.record_cells)
            start = s.text.find(v, pos)
        if start >= 0:
            out.append((h, v, s.start + start))
            pos = start + len(v)
    return out


def _row(s: Sentence, headers: dict) -> tuple[list[Mention], list[Relation]]:
    roles: dict[str, list[Mention]] = {}
    literals: dict[str, tuple[str, Decimal | None, str]] = {}
    mentions: list[Mention] = []
    for h, v, start in _cell_spans(s):
        role = role_of(h, headers)
        if role is None or role in roles or role in literals:  # first column of a role wins
            continue
        spec = headers["roles"][role]
        if spec.get("literal"):
            literals[role] = amount(v, h)
            continue
        parts = list(_SPLIT.finditer(v)) if spec.get("split") else [re.match(r".+", v)]
        for p in parts:
            text = p.group()
            m = Mention(text=text, type=entity_type(role, text, headers), canonical=canonical(role, text, headers),
                        start=start + p.start(), end=start + p.end(), sentence=s.index, source="table")
            roles.setdefault(role, []).append(m)
            mentions.append(m)
    relations = []
    for rule in headers["relations"]:
        if rule.get("unless") in roles:
            continue
        for head in roles.get(rule["head"], []):
            relations.extend(_relations(head, rule, roles, literals, s))
    return mentions, relations


def _relations(head: Mention, rule: dict, roles: dict, literals: dict, s: Sentence) -> list[Relation]:
    tail_role = rule["tail"]
    if tail_role in literals:
        text, value, currency = literals[tail_role]
        return [Relation(head.canonical, rule["rel"], text, s.index, s.text, head_type=head.type, literal=True,
                         value=value, currency=currency, confidence=CONFIDENCE)]
    return [Relation(head.canonical, rule["rel"], t.canonical, s.index, s.text, head_type=head.type,
                     tail_type=t.type, confidence=CONFIDENCE)
            for t in roles.get(tail_role, []) if t.canonical != head.canonical]


def table_extraction(doc: Document, headers: dict | None = None) -> tuple[list[Mention], list[Relation]]:
    """Mentions and relations of every table row of the document (rows with known headers)."""
    h = headers or load_headers()
    mentions: list[Mention] = []
    relations: list[Relation] = []
    for s in doc.sentences:
        if s.cells:
            ms, rs = _row(s, h)
            mentions.extend(ms)
            relations.extend(rs)
    return mentions, relations


def merge(ex: Extraction, headers: dict | None = None) -> Extraction:
    """Add the table facts of ex.doc to ex (in place; also returned)."""
    if not any(s.cells for s in ex.doc.sentences):
        return ex
    mentions, relations = table_extraction(ex.doc, headers)
    ex.mentions = [m for m in ex.mentions if not _noise(m, ex.doc, mentions)]
    by_span = {(m.start, m.end): m for m in ex.mentions}
    renamed: dict[tuple[str, str], tuple[str, str]] = {}
    seen_m = {(m.type, m.canonical, m.start, m.end) for m in ex.mentions}
    for m in mentions:
        known = by_span.get((m.start, m.end))
        if known is not None:  # the text extractor read this cell: its type and name win
            renamed[(m.type, m.canonical)] = (known.type, known.canonical)
            continue
        if (m.type, m.canonical, m.start, m.end) not in seen_m:
            seen_m.add((m.type, m.canonical, m.start, m.end))
            ex.mentions.append(m)
    seen_r = {(r.head, r.rel, r.tail, r.sentence): r for r in ex.relations}
    for r in relations:
        r.head_type, r.head = renamed.get((r.head_type, r.head), (r.head_type, r.head))
        if not r.literal:
            r.tail_type, r.tail = renamed.get((r.tail_type, r.tail), (r.tail_type, r.tail))
        key = (r.head, r.rel, r.tail, r.sentence)
        old = seen_r.get(key)
        if old is not None:  # the text extractor guessed what the row states: the row's confidence
            old.confidence, old.source = max(old.confidence, r.confidence), r.source
        elif r.head != r.tail:
            seen_r[key] = r
            ex.relations.append(r)
    ex.mentions.sort(key=lambda m: (m.start, m.end))
    return ex


def _header_spans(s: Sentence) -> list[tuple[int, int]]:
    return [(start - len(h) - 1, start) for h, _v, start in _cell_spans(s)]


def _noise(m: Mention, doc: Document, table_mentions: list[Mention]) -> bool:
    """A text-extractor mention of a header word, or a same-typed fragment inside a table cell."""
    s = doc.sentences[m.sentence] if 0 <= m.sentence < len(doc.sentences) else None
    if s is None or not s.cells:
        return False
    if any(m.start < e and a < m.end for a, e in _header_spans(s)):
        return True
    return any(t.type == m.type and t.start <= m.start and m.end <= t.end and (t.start, t.end) != (m.start, m.end)
               for t in table_mentions if t.sentence == m.sentence)


def merge_all(extractions: list[Extraction]) -> list[Extraction]:
    for ex in extractions:
        merge(ex)
    return extractions
