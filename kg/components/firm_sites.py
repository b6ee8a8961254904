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

from ..util import alternation
from . import component, load_json
from .products import nested
from .projectparts import places_in

CONFIDENCE = 0.85  # the firm implements the site named after it
SHIFT = 4  # characters of a firm's name the rules may have glued to its site's name


@lru_cache(maxsize=1)
def _site_rx() -> re.Pattern:
    data = load_json("patterns/firm_sites.json")
    return re.compile(f"(?:{alternation(data['site_words'])})(?:{alternation(data['endings'])})?")


@lru_cache(maxsize=1)
def _site_end() -> re.Pattern:
    """A name ending with a site word (and an ending): the only ones worth reading further."""
    return re.compile(_site_rx().pattern + "$")


def bare_site(name: str) -> bool:
    """The name is a place (or none) and a site word: 某地产业园, 某地工厂项目, 产业基地."""
    places = places_in(name)
    start = places[0][1] if places and places[0][0] == 0 else 0
    return _site_rx().fullmatch(name, start) is not None


@component("firm_sites", reads=("mentions",), writes=("mentions", "relations"))
def make_firm_sites(settings: dict):
    def run(state) -> None:
        firms = [m for m in state.ex.mentions if m.type == "Enterprise" and m.source != "coref"]
        by_end = {m.end: m for m in firms}
        canonical = {m.text: m.canonical for m in firms if len(m.text) >= 2}
        names = sorted(canonical, key=len, reverse=True)
        for p in [m for m in state.ex.mentions if m.type in ("Project", "Park") and _site_end().search(m.text)]:
            found = _firm_and_site(state.text, p, by_end, names)
            if found is None:
                continue
            a, q, firm = found
            old = (p.type, p.canonical)
            state.move(p, a)
            p.text = p.canonical = state.text[a:p.end]
            p.type = "Project"
            _carry(state, old, p)
            if firm is None:  # a firm the document names elsewhere, cut by the rules into the site's name
                firm = nested(state, a, q, "firm-site", "Enterprise")
                firm.canonical = canonical[firm.text]
            state.relate(firm, "implements", p, p.sentence, "cue:firm-site", CONFIDENCE)
    return run


def _firm_and_site(text: str, p, by_end: dict, names: list[str]):
    """(start, end of the firm, its mention or None) when p is a bare site right after a firm's
    mention, or a bare site from some character on (at most SHIFT) after a firm the document names
    elsewhere whose name the rules cut (博达|智能平江产业园项目 after 博达智能平江产业园)."""
    for q in range(p.start, min(p.start + SHIFT, p.end - 2) + 1):
        if not bare_site(text[q:p.end]):
            continue
        if q == p.start and q in by_end:
            return by_end[q].start, q, by_end[q]
        name = next((n for n in names if q - len(n) <= p.start and text.startswith(n, q - len(n))), None)
        if name is not None:
            return q - len(name), q, None
    return None


def _carry(state, old: tuple[str, str], p) -> None:
    """The rules' relations of the bare site in p's sentence that are no literal (the place its
    name holds, the park it is in) are the named project's; the rest go with the bare name unless
    another mention still bears it (two firms' sites of one name: the relation stage reads each
    one's amount from where it stands)."""
    for r in state.ex.relations:
        if r.sentence != p.sentence or r.literal:
            continue
        if (r.head_type, r.head) == old:
            r.head_type, r.head = p.type, p.canonical
        if (r.tail_type, r.tail) == old:
            r.tail_type, r.tail = p.type, p.canonical
    if not any((m.type, m.canonical) == old for m in state.ex.mentions):
        state.removed.add(old)
