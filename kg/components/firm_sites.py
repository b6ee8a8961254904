"""firm_sites: a firm's own site named after the firm (甲集团|某地产业园, 乙智能|某地工厂项目) is one
project, the firm's name included.

Without the firm, what is left (a place and a site word: 某地产业园) names no particular site: two
firms' parks in one county would be one entity, and the firm that builds it would be lost. So a
project or park mention that is only [a place] + a site word (+ 项目/一期 …) and follows a firm's
mention directly takes the firm's name in: it becomes the project 甲集团某地产业园, which the firm
implements (the firm stays a mention of its own). Site words and the endings are data
(patterns/firm_sites.json), with examples that run as tests."""
from __future__ import annotations

import re
from functools import lru_cache

from . import component, load_json
from .projectparts import places_in

CONFIDENCE = 0.85  # the firm implements the site named after it


@lru_cache(maxsize=1)
def _site_rx() -> re.Pattern:
    data = load_json("patterns/firm_sites.json")
    return re.compile(f"(?:{_alternation(data['site_words'])})(?:{_alternation(data['endings'])})?")


def _alternation(words: list[str]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


def bare_site(name: str) -> bool:
    """The name is a place (or none) and a site word: 某地产业园, 某地工厂项目, 产业基地."""
    places = places_in(name)
    start = places[0][1] if places and places[0][0] == 0 else 0
    return _site_rx().fullmatch(name, start) is not None


@component("firm_sites", reads=("mentions",), writes=("mentions", "relations"))
def make_firm_sites(settings: dict):
    def run(state) -> None:
        firms = {m.end: m for m in state.ex.mentions if m.type == "Enterprise" and m.source != "coref"}
        for p in [m for m in state.ex.mentions if m.type in ("Project", "Park")]:
            firm = firms.get(p.start)
            if firm is None or not bare_site(p.text):
                continue
            old = (p.type, p.canonical)
            state.move(p, firm.start)
            p.text = p.canonical = state.text[firm.start:p.end]
            p.type = "Project"
            _rename(state, old, p)
            state.relate(firm, "implements", p, p.sentence, "cue:firm-site", CONFIDENCE)
    return run


def _rename(state, old: tuple[str, str], p) -> None:
    """The relations the rules gave the bare site are the named project's (the bare name is gone
    unless another mention still bears it)."""
    if any((m.type, m.canonical) == old for m in state.ex.mentions):
        return
    for r in state.ex.relations:
        if (r.head_type, r.head) == old:
            r.head_type, r.head = p.type, p.canonical
        if (r.tail_type, r.tail) == old:
            r.tail_type, r.tail = p.type, p.canonical
