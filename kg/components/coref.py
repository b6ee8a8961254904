"""coref: an anaphor that opens a sentence or a clause (该公司, 该项目) is a mention of the firm or
project it points back to.

Anaphors are data (ontology/data/patterns/coref.json): a regular expression matched at the start of
a clause, whose group ana is the anaphor, and the type it stands for. What it points back to is the
one name of that type named before it in its sentence, else in the nearest sentence before (at
most window sentences back) that names any; where that sentence names two or more, the anaphor is
ambiguous and left alone. The mention keeps its surface (该公司) and takes the antecedent's
canonical name, so every later component and the relation stage read 该公司主要生产… as a sentence
about that firm. Plural anaphors (两个项目, 上述项目) are read by mention_patterns."""
from __future__ import annotations

import re

from . import component, load_json

CLAUSE_START = re.compile(r"[，,；;：:]")


@component("coref", reads=("mentions",), writes=("mentions",))
def make_coref(settings: dict):
    data = load_json(settings.get("patterns", "patterns/coref.json"))
    rules = [(a, re.compile(a["regex"])) for a in data["anaphors"]]
    hint = re.compile("|".join(sorted({w for a in data["anaphors"] for w in a["words"]})))
    window = data.get("window", 2)

    def run(state) -> None:
        text, sentences = state.text, state.ex.doc.sentences
        by_sentence: dict[tuple[int, str], list] = {}
        for m in state.ex.mentions:
            by_sentence.setdefault((m.sentence, m.type), []).append(m)
        topic = _topic_firm(state.ex.mentions)
        for s in sentences:
            if not hint.search(s.text):
                continue
            for pos in [s.start] + [c.end() for c in CLAUSE_START.finditer(text, s.start, s.end)]:
                found = _anaphor(rules, text, pos, s.end)
                if found:
                    a, (start, end) = found
                    ant = _antecedent(by_sentence, s.index, start, a["type"], window)
                    if ant is None and a["type"] == "Enterprise" and a.get("topic_fallback"):
                        ant = topic
                    if ant is None and a.get("doc_fallback"):
                        ant = _only_one(state.ex.mentions, a["type"])
                    if ant is not None and not state.at(start, end):
                        state.propose(start, end, a["type"], source="coref", canonical=ant.canonical)
    return run


def _topic_firm(mentions: list):
    """The firm a document is about: named in its first two sentences (title, lead) and more often
    than any other firm; None when there is no such one."""
    counts: dict[str, int] = {}
    first: dict[str, object] = {}
    for m in mentions:
        if m.type == "Enterprise" and m.source != "coref":
            counts[m.canonical] = counts.get(m.canonical, 0) + 1
            first.setdefault(m.canonical, m)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    m = first[ranked[0][0]]
    return m if m.sentence <= 1 else None


def _only_one(mentions: list, type_: str):
    """The one name of type_ the document gives (该县 in a text about one county); None if not one."""
    names = {m.canonical: m for m in mentions if m.type == type_ and m.source != "coref"}
    return next(iter(names.values())) if len(names) == 1 else None


def _anaphor(rules, text: str, pos: int, end: int):
    for a, rx in rules:
        m = rx.match(text, pos, end)
        if m:
            return a, m.span("ana")
    return None


def _antecedent(by_sentence: dict, index: int, start: int, type_: str, window: int):
    """The one name of type_ before start in its sentence, else in the nearest sentence before that
    names any; None where that is two or more names."""
    before = [m for m in by_sentence.get((index, type_), ()) if m.end <= start]
    found = antecedents(before, by_sentence, index, type_, 1, window)
    return found[0] if found else None


def antecedents(before: list, by_sentence: dict, index: int, type_: str, count: int | None, window: int) -> list:
    """What an anaphor points back to: the mentions of type_ before it in its sentence (before), else
    those of the sentences just before (by_sentence: (sentence, type) -> mentions), nearest first,
    when they are exactly count distinct names (count None: all those of the nearest sentence that
    names any, two or more). Mentions this component made are no antecedents."""
    found: dict = {}  # canonical -> mention, nearest sentence first
    groups = [before] + [by_sentence.get((k, type_), ()) for k in range(index - 1, max(-1, index - 1 - window), -1)]
    for ms in groups:
        for m in ms:
            if m.type == type_ and m.source != "coref":
                found.setdefault(m.canonical, m)
        if count is None and found:
            return list(found.values()) if len(found) >= 2 else []
        if count is not None and len(found) >= count:
            return list(found.values()) if len(found) == count else []
    return []
