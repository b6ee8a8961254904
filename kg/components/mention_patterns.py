"""mention_patterns: relations stated between mentions, by patterns over typed placeholders.

Patterns are data (ontology/data/patterns/mention_patterns.json), written over a sentence in which
every outermost mention is replaced by a typed placeholder (⟨E3⟩: the sentence's mention 3, a firm),
so a pattern speaks of mentions and the words between them, like a contextual matcher: {PLACE} is a
park or a division, {PROJECT} a project, {CLUSTER} a cluster, {CHAIN} a chain, {FIRM} one firm, {ITEMS} a
list of the pattern's head types (甲、乙和丙).
Every item of the list gets the relation to the tail: 甲、乙等5家企业落户某县, 某县引进了甲,
位于某园区的甲 (locatedIn), 甲公司的某项目 (implements).

A sentence or clause that opens with a plural anaphor (两个项目, 上述项目: the file's "anaphors")
has it replaced by the placeholders of the mentions it points back to, when the text just before
names as many of that type: 甲项目、乙项目签约。这两个项目将落户某园区 places both. (该公司 and
该项目 are mentions of their own, made by kg/components/coref.py.)"""
from __future__ import annotations

import re

from ..util import LazyPattern, required_literals
from . import component, load_json
from .coref import antecedents

CODES = {"Enterprise": "E", "Project": "J", "Park": "K", "County": "D", "City": "D", "Province": "D", "Region": "D",
         "IndustryCluster": "C", "IndustryChain": "H"}
PLACEHOLDER = re.compile(r"⟨([A-Z])(\d+)⟩")
JOINS = "(?:、|和|与|及|以及)"


def _compile(p: dict, data: dict) -> LazyPattern:
    item = "⟨[" + p.get("items", "EJ") + r"]\d+⟩"
    # a list may hold a word no recogniser took (甲、创新、乙等企业): the items around it still count
    items = f"{item}(?:{JOINS}(?:[\u4e00-\u9fff]{{1,4}}{JOINS})?{item})*"
    rx = p["regex"].replace("{ITEMS}", items).replace("{PLACE}", r"⟨[KD]\d+⟩").replace("{PROJECT}", r"⟨J\d+⟩") \
        .replace("{CLUSTER}", r"⟨C\d+⟩").replace("{CHAIN}", r"⟨H\d+⟩").replace("{FIRM}", r"⟨E\d+⟩")
    for k, v in data["words"].items():
        rx = rx.replace("{" + k + "}", "(?:" + "|".join(sorted(v, key=len, reverse=True)) + ")")
    return LazyPattern(rx)  # compiled when a line first holds its literals


def masked(state, start: int, end: int, hits: list | None = None) -> tuple[str, list]:
    """The text of [start, end) with each outermost mention replaced by its placeholder, and the
    mentions by placeholder number (hits: state.at(start, end), when the caller has it)."""
    text, outer, last = state.text, [], start
    for m in sorted(state.at(start, end) if hits is None else hits, key=lambda m: (m.start, -m.end)):
        if m.start >= last and m.end <= end:  # not inside the mention before it (a product in a project's name)
            outer.append(m)
            last = m.end
    out, ms, pos = [], [], start
    for i, m in enumerate(outer):
        if m.type == "Enterprise" and i + 1 < len(outer) and outer[i + 1].type == "Project" and outer[i + 1].start == m.end:
            continue  # the firm's name before its project's (甲公司 + 光伏项目): the text places the project
        out.append(text[pos:m.start])
        out.append(f"⟨{CODES.get(m.type, 'O')}{len(ms)}⟩")
        ms.append(m)
        pos = m.end
    out.append(text[pos:end])
    return "".join(out), ms


NUMBERS = {c: i for i, c in enumerate("一两三四五六七八九十", 1)} | {"二": 2}


def _compile_anaphors(data: dict) -> list:
    return [(a, re.compile(a["regex"])) for a in data.get("anaphors", ())]


def _count(a: dict, m: re.Match) -> int | None:
    """How many mentions the anaphor points back to: the number it says (两个项目), or None (all)."""
    if a["count"] == "number":
        n = m.group("n")
        return int(n) if n.isdigit() else NUMBERS.get(n)
    return None


def resolve_anaphor(line: str, ms: list, anaphors: list, by_sentence: dict, index: int) -> tuple[list, list]:
    """The lines the patterns read, and ms with the antecedents: an anaphor that opens the sentence
    or a clause is replaced by its antecedents' placeholders, and the line read from its clause on
    (该项目由甲投资建设 reads like a sentence about the project); the line as is when there is none."""
    clause_starts = [0] + [i + 1 for i, c in enumerate(line) if c in "，,；;："]
    for pos in clause_starts:
        for a, rx in anaphors:
            m = rx.match(line, pos)
            if m is None:
                continue
            before = _mentions(line[:pos], ms)
            ants = antecedents(before, by_sentence, index, a["type"], _count(a, m), a.get("window", 2))
            if not ants:
                return [line], ms
            code = CODES[a["type"]]
            ph = "、".join(f"⟨{code}{len(ms) + i}⟩" for i in range(len(ants)))
            clause = line[pos:m.start("ana")] + ph + line[m.end("ana"):]
            return ([clause] if pos == 0 else [line, clause]), ms + ants
    return [line], ms


def _mentions(group: str, ms: list) -> list:
    return [ms[int(n)] for _, n in PLACEHOLDER.findall(group)]


@component("mention_patterns", reads=("mentions",), writes=("relations",))
def make_mention_patterns(settings: dict):
    data = load_json(settings.get("patterns", "patterns/mention_patterns.json"))
    pats = [(p, rx, required_literals(rx, 1)) for p, rx in ((p, _compile(p, data)) for p in data["patterns"])]
    trigger = re.compile("|".join(sorted({w for ws in data["words"].values() for w in ws} | {"的"}, key=len, reverse=True)))
    anaphors = _compile_anaphors(data)
    types = {a["type"] for a, _ in anaphors}
    hint = re.compile("|".join(sorted({w for a, _ in anaphors for w in a["words"]})) or "(?!)")

    def run(state) -> None:
        by_sentence: dict = {}
        for m in state.ex.mentions:
            if m.type in types:
                by_sentence.setdefault((m.sentence, m.type), []).append(m)
        for s in state.ex.doc.sentences:
            if "的" not in s.text and not trigger.search(s.text):  # (的 is one of its words: most sentences hold it)
                continue
            hits = state.at(s.start, s.end)
            if len(hits) < 2 and not (hits and hint.search(s.text, 0, 24)):
                continue  # (masked would give fewer than two mentions, with an anaphor)
            lines, ms = resolve_anaphor(*masked(state, s.start, s.end, hits), anaphors, by_sentence, s.index)
            if len(ms) >= 2:
                for line in lines:
                    _match(state, pats, line, ms, s.index)
    return run


def _match(state, pats: list, line: str, ms: list, sentence: int) -> None:
    for p, rx, need in pats:
        if not all(lit in line for lit in need):
            continue  # a literal every match holds (⟨C, 等) is not in the line
        for m in rx.finditer(line):
            tails = _mentions(m.group("tail"), ms)
            for tail in (tails if p.get("tail_list") else tails[:1]):  # tail_list: 在甲、乙等地建有工厂
                tail = _address_end(tail, ms)
                for item in _mentions(m.group("items"), ms):
                    if item.canonical != tail.canonical:
                        state.relate(item, p.get("rel", "locatedIn"), tail, sentence, "cue:" + p["name"], p["confidence"])


PLACE_TYPES = ("Province", "City", "County")


def _address_end(tail, ms: list):
    """The last division of an address that starts at tail (江苏省南京市: 南京市), the most specific."""
    while tail.type in PLACE_TYPES:
        nxt = next((m for m in ms if m.start == tail.end and m.type in PLACE_TYPES), None)
        if nxt is None:
            return tail
        tail = nxt
    return tail
