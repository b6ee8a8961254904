"""roles: 链主 / 链核 roles and supplier links bound to the firm the cue is about.

Patterns are data (ontology/data/patterns/roles.json): named regular expressions over one clause
whose groups name the firm(s), the chain, the customer and the supplier. A group holding a list
(A、B和C) gives every item the role. The chain is the chain named in the cue, else the chain
mentioned nearest in the sentence, else the last chain mentioned before it in the document."""
from __future__ import annotations

import re

from . import component, load_json
from .names import firm_like, name_start, strong_firm

CLAUSE = re.compile(r"[^。；;！？!?\n]+")
ITEM_SEP = re.compile(r"、|和|与|及")


@component("roles", reads=("mentions",), writes=("mentions", "relations"))
def make_roles(settings: dict):
    data = load_json(settings.get("patterns", "patterns/roles.json"))
    pats = [(p, re.compile(p["regex"].replace("{NAME}", data["name"])),
             re.compile("|".join(map(re.escape, p["trigger"])))) for p in data["patterns"]]

    def run(state) -> None:
        text = state.text
        live = [x for x in pats if x[2].search(text)]
        for cl in CLAUSE.finditer(text) if live else ():
            clause = cl.group()
            for p, rx, trigger in live:
                if trigger.search(clause):
                    for m in rx.finditer(clause):
                        _apply(state, p, m, cl.start())
    return run


def _firm_spans(state, m, group: str, off: int, strict: bool = False) -> list[tuple[int, int]]:
    """Spans of the group's items that are firms: existing firm mentions or name-like spans."""
    if m.group(group) is None:
        return []
    out = []
    for s, e in _items(m.group(group), m.start(group) + off):
        known = [x for x in state.at(s, e) if x.type == "Enterprise" and x.start <= s and x.end >= e - 1]
        if known:
            out.append((known[0].start, known[0].end))
            continue
        s += name_start(state.text[s:e])[0]
        name = state.text[s:e]
        if strong_firm(name) if strict else firm_like(name, listed=True):  # the role vouches for it
            out.append((s, e))
    return out


def _firms(state, spans: list[tuple[int, int]]):
    out = []
    for s, e in spans:
        f = state.propose(s, e, "Enterprise", source="role-cue")
        if f is not None and f.type == "Enterprise":
            out.append(f)
    return out


def _items(group_text: str, start: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for piece in ITEM_SEP.split(group_text):
        if piece:
            out.append((start + pos, start + pos + len(piece)))
        pos += len(piece) + 1
    return out


def _chain(state, m, off: int, sentence: int):
    chains = [x for x in state.ex.mentions if x.type == "IndustryChain"]
    if "chain" in m.re.groupindex and m.group("chain"):
        a, b = m.start("chain") + off, m.end("chain") + off
        inside = [x for x in chains if x.start >= a and x.end <= b]
        if inside:
            return inside[-1]
    same = [x for x in chains if x.sentence == sentence]
    if same:
        pos = m.start() + off
        return min(same, key=lambda x: abs(x.start - pos))
    before = [x for x in chains if x.start < m.start() + off]
    return before[-1] if before else None


def _apply(state, p: dict, m, off: int) -> None:
    sentence = state.sentence_of(m.start() + off)
    source = "cue:" + p["name"]
    if p.get("rel") is None and "rel_by_role" not in p:  # names a firm, states no relation
        _firms(state, _firm_spans(state, m, "firm", off, strict=p.get("strict", False)))
        return
    if "rel_by_role" in p:
        rel = p["rel_by_role"][m.group("role")]
        firms = _firms(state, _firm_spans(state, m, "firm", off))  # a role names firms, chain or not
        chain = _chain(state, m, off, sentence)
        for f in firms if chain is not None else []:
            state.relate(f, rel, chain, sentence, source, p["confidence"])
    else:
        sup, cus = _firm_spans(state, m, "supplier", off), _firm_spans(state, m, "customer", off)
        if not sup or not cus:
            return  # both ends must be firms before either becomes a mention
        customers = _firms(state, cus)
        for s in _firms(state, sup):
            for c in customers:
                if s.canonical != c.canonical:
                    state.relate(s, p["rel"], c, sentence, source, p["confidence"])
