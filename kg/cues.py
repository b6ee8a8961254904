"""Named text cues analysis still needs (project stage, sought/absent segments, visit targets ...).

Patterns are data (ontology/analysis/cues.json, each with a positive and a negative example run by
tests/test_cues.py), not code: when extraction emits these as relations, drop the cue here.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from . import resources

STAGES = ("签约", "开工", "投产")  # ordered: a later stage outranks an earlier one
CLAUSE_END = re.compile(r"[，,。；;！？!?]")
SENTENCE_END = re.compile(r"[。；;！？!?]")


@lru_cache(maxsize=1)
def patterns() -> dict[str, dict]:
    path = resources.ontology_dir() / "analysis" / "cues.json"
    data = json.loads(path.read_text(encoding="utf-8"))["patterns"]
    return {name: {**p, "re": re.compile(p["regex"])} for name, p in data.items()}


def search(name: str, text: str):
    return patterns()[name]["re"].search(text or "")


def finditer(name: str, text: str):
    return patterns()[name]["re"].finditer(text or "")


def stage(text: str) -> str:
    """Project stage stated in text (the clause run after a mention): 投产 > 开工 > 签约, "" if silent."""
    t = text or ""
    if search("stage_operating", t) and not search("stage_future", t):
        return "投产"
    if search("stage_construction", t) or search("stage_future", t):
        return "开工"  # "向着年底投产冲刺": being built
    if search("stage_signed", t):
        return "签约"
    return ""


def is_deployment(name: str) -> bool:
    """A project that deploys equipment (a power station, a demonstration) rather than manufactures."""
    return bool(search("deployment", name)) and not search("manufacturing", name)


def visit_spans(text: str) -> list[tuple[int, int]]:
    """Spans after a visit verb up to the clause end: firms named there are outside targets."""
    out = []
    for m in finditer("visit", text):
        end = CLAUSE_END.search(text, m.end())
        out.append((m.end(), end.start() if end else len(text)))
    return out


def clause_at(text: str, start: int, end: int) -> str:
    """The clause of text that contains [start, end)."""
    a = max((m.end() for m in CLAUSE_END.finditer(text, 0, start)), default=0)
    m = CLAUSE_END.search(text, end)
    return text[a: m.start() if m else len(text)]
