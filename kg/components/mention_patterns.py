"""mention_patterns: relations stated between mentions, by patterns over typed placeholders.

Patterns are data (ontology/data/patterns/mention_patterns.json), written over a sentence in which
every outermost mention is replaced by a typed placeholder (⟨E3⟩: the sentence's mention 3, a firm),
so a pattern speaks of mentions and the words between them, like a contextual matcher: {PLACE} is a
park or a division, {PROJECT} a project, {CLUSTER} a cluster, {CHAIN} a chain, {FIRM} one firm, {ITEMS} a
list of the pattern's head types (甲、乙和丙).
Every item of the list gets the relation to the tail: 甲、乙等5家企业落户某县, 某县引进了甲,
位于某园区的甲 (locatedIn), 甲公司的某项目 (implements)."""
from __future__ import annotations

import re

from ..util import required_literals
from . import component, load_json

CODES = {"Enterprise": "E", "Project": "J", "Park": "K", "County": "D", "City": "D", "Province": "D", "Region": "D",
         "IndustryCluster": "C", "IndustryChain": "H"}
PLACEHOLDER = re.compile(r"⟨([A-Z])(\d+)⟩")
JOINS = "(?:、|和|与|及|以及)"


def _compile(p: dict, data: dict) -> re.Pattern:
    item = "⟨[" + p.get("items", "EJ") + r"]\d+⟩"
    # a list may hold a word no recogniser took (甲、创新、乙等企业): the items around it still count
    items = f"{item}(?:{JOINS}(?:[\u4e00-\u9fff]{{1,4}}{JOINS})?{item})*"
    rx = p["regex"].replace("{ITEMS}", items).replace("{PLACE}", r"⟨[KD]\d+⟩").replace("{PROJECT}", r"⟨J\d+⟩") \
        .replace("{CLUSTER}", r"⟨C\d+⟩").replace("{CHAIN}", r"⟨H\d+⟩").replace("{FIRM}", r"⟨E\d+⟩")
    for k, v in data["words"].items():
        rx = rx.replace("{" + k + "}", "(?:" + "|".join(sorted(v, key=len, reverse=True)) + ")")
    return re.compile(rx)


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


def _mentions(group: str, ms: list) -> list:
    return [ms[int(n)] for _, n in PLACEHOLDER.findall(group)]


@component("mention_patterns", reads=("mentions",), writes=("relations",))
def make_mention_patterns(settings: dict):
    data = load_json(settings.get("patterns", "patterns/mention_patterns.json"))
    pats = [(p, rx, required_literals(rx, 1)) for p, rx in ((p, _compile(p, data)) for p in data["patterns"])]
    trigger = re.compile("|".join(sorted({w for ws in data["words"].values() for w in ws} | {"的"}, key=len, reverse=True)))

    def run(state) -> None:
        for s in state.ex.doc.sentences:
            if "的" not in s.text and not trigger.search(s.text):  # (的 is one of its words: most sentences hold it)
                continue
            hits = state.at(s.start, s.end)
            if len(hits) < 2:
                continue  # (masked would give fewer than two mentions)
            line, ms = masked(state, s.start, s.end, hits)
            if len(ms) < 2:
                continue
            for p, rx, need in pats:
                if not all(lit in line for lit in need):
                    continue  # a literal every match holds (⟨C, 等) is not in the line
                for m in rx.finditer(line):
                    tail = _mentions(m.group("tail"), ms)[0]
                    for item in _mentions(m.group("items"), ms):
                        if item.canonical != tail.canonical:
                            state.relate(item, p.get("rel", "locatedIn"), tail, s.index, "cue:" + p["name"], p["confidence"])
    return run
