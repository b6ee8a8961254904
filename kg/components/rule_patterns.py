"""Named patterns and word lists of the rule recognisers, one data file per rule family:
ontology/data/patterns/rules_<family>.json. Each pattern has a name, a regex and a positive and a
negative example (tests/test_rule_patterns.py runs them). In a regex, <CJK>, <NUM> and <CAP_UNITS>
stand for the shared character class, number and capacity units of kg.literals."""
from __future__ import annotations

import re
from functools import lru_cache
from types import SimpleNamespace

from .. import nlp
from ..literals import CAP_UNITS, CJK, _num
from . import load_json

PLACEHOLDERS = {"<CJK>": CJK, "<NUM>": _num, "<CAP_UNITS>": CAP_UNITS}


def expand(regex: str) -> str:
    for k, v in PLACEHOLDERS.items():
        regex = regex.replace(k, v)
    return regex


def spec(family: str) -> dict:
    return load_json(f"patterns/rules_{family}.json")


@lru_cache(maxsize=None)
def load(family: str) -> SimpleNamespace:
    """The family's patterns compiled, as upper-case attributes (P.POWER_UNIT), and its word
    lists as frozensets (P.words["build_verbs"]); once per process, whichever modules read it."""
    data = spec(family)
    ns = SimpleNamespace(**{p["name"].upper(): re.compile(expand(p["regex"])) for p in data.get("patterns", [])})
    ns.words = {k: frozenset(v) if isinstance(v, list) else v for k, v in data.get("words", {}).items()}
    return ns


BOUNDARIES = load("boundaries")  # shared by the boundary helpers and every rule family


@nlp.text_cache
def time_token(word: str) -> bool:
    """BOUNDARIES.TIME_TOKEN matches the word (年底, 3月): cached, the boundary helpers ask it of
    every word of their windows, the same words again and again."""
    return BOUNDARIES.TIME_TOKEN.match(word) is not None
