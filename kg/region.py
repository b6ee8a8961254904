"""Focus region of a build: which city (or county) the corpus is about, and which region folders apply.

The focus is the administrative unit the texts name most (a county counts for its city), unless the
user names one (`--region`). Cluster schemes apply only to their own region: a region folder is
used when its scheme's kg:region (or one of its cities) is the focus.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import resources
from .util import norm_name

log = logging.getLogger(__name__)


@dataclass
class Focus:
    label: str  # e.g. 长治市 ("" when nothing identifies one)
    type: str = "City"  # City | County | Province
    province: str = ""
    detected: bool = True  # False when given with --region
    names: set[str] = field(default_factory=set)  # label, short name

    @property
    def known(self) -> bool:
        return bool(self.label)


@lru_cache(maxsize=1)
def _records() -> tuple[dict, ...]:
    """The rows of ontology/data/divisions.tsv as {name, short, type, city, province}."""
    path = resources.data_dir() / "divisions.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ()
    head = lines[0].split("\t")
    rows = (dict(zip(head, line.split("\t"))) for line in lines[1:])
    return tuple({"name": r.get("name", ""), "short": r.get("short_name", ""), "type": r.get("type", ""),
                  "city": r.get("parent_city", ""), "province": r.get("parent_province", "")} for r in rows)


@lru_cache(maxsize=1)
def divisions() -> dict[str, dict]:
    """{full or short name: {name, short, type, city, province}} from ontology/data/divisions.tsv."""
    out: dict[str, dict] = {}
    for rec in _records():
        for n in (rec["name"], rec["short"]):
            if n and len(n) >= 2:
                out.setdefault(norm_name(n), rec)
    return out


@lru_cache(maxsize=1)
def _parents() -> dict[str, frozenset[str]]:
    """{official name: the cities and provinces of every division of that name} (南山区 is in 深圳市
    and in 鹤岗市)."""
    out: dict[str, set[str]] = {}
    for rec in _records():
        out.setdefault(rec["name"], set()).update(x for x in (rec["city"], rec["province"]) if x)
    return {k: frozenset(v) for k, v in out.items()}


def inside(name: str, other: str) -> bool:
    """The division named name lies in the city or province named other (by any division of that name)."""
    return other in _parents().get(name, ())


def _unit(name: str, type_: str) -> tuple[str, str, str]:
    """(unit label, unit type, province) a mention counts for: a county counts for its city."""
    rec = divisions().get(norm_name(name))
    if rec is None:
        return (name, type_, "")
    if rec["type"] == "County" and rec["city"]:
        return (rec["city"], "City", rec["province"])
    return (rec["name"], rec["type"] or type_, rec["province"])


def detect(counts: dict[tuple[str, str], int], override: str | None = None) -> Focus:
    """counts: {(type, label): number of mentions} for City/County/Province entities."""
    if override:
        rec = divisions().get(norm_name(override))
        if rec:
            return Focus(rec["name"], rec["type"], rec["province"], False, {rec["name"], rec["short"]})
        return Focus(override, "City", "", False, {override})
    score: Counter = Counter()
    prov: dict[str, str] = {}
    for (type_, label), n in counts.items():
        if type_ not in ("City", "County"):
            continue
        unit, _t, p = _unit(label, type_)
        score[unit] += n
        prov.setdefault(unit, p)
    if not score:
        return Focus("", detected=True)
    best = sorted(score.items(), key=lambda x: (-x[1], x[0]))[0][0]
    rec = divisions().get(norm_name(best), {})
    return Focus(best, rec.get("type", "City") or "City", prov.get(best) or rec.get("province", ""), True,
                 {best, rec.get("short", "")} - {""})


def counts_from_kb(kb) -> dict[tuple[str, str], int]:
    return {k: len(e.mentions) for k, e in kb.entities.items() if k[0] in ("City", "County", "Province")}


def _region_names(d: Path) -> set[str]:
    """Names of the scheme regions (kg:region) and cities a region folder describes."""
    import rdflib
    from rdflib import RDF, RDFS
    from rdflib.namespace import SKOS

    from .util import KG
    g = rdflib.Graph()
    for f in sorted(Path(d).rglob("*.ttl")):
        try:
            g.parse(f, format="turtle")
        except Exception as e:  # a broken data file must not stop the build
            log.warning("无法读取区域数据 %s：%s", f, e)
    kg = rdflib.Namespace(KG)
    nodes = set(g.objects(None, kg.region)) or set(g.subjects(RDF.type, kg.City))
    return {str(o) for n in nodes for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in g.objects(n, p)}


def select_dirs(focus: Focus, dirs: list[Path]) -> list[Path]:
    """The region folders whose scheme describes the focus region (none when the focus has no scheme)."""
    if not focus.known:
        return []
    want = {norm_name(n) for n in focus.names | {focus.label}}
    return [d for d in dirs if want & {norm_name(n) for n in _region_names(d)}]


def bundled_and_extra(extra: list[str] | None) -> list[Path]:
    """`--data` replaces the bundled region folders; without it every bundled folder is a candidate."""
    if extra:
        return resources.expand_dirs([Path(e) for e in extra])  # nested folders read as every stage reads them
    return resources.region_dirs()
