"""Extraction components after the rule recognisers, run in the order of `ontology/data/pipeline.json`.

Each component is registered under a name with `@component(name, reads=..., writes=...)` and
built from its settings in the config (like spaCy's `@Language.factory`); it is then called
with a `State` (the document's Extraction plus the proposals made so far) and changes it in place.
New mentions go through `State.propose`, the one place where overlaps are resolved (the
policy is written there), so no component can silently overwrite another's mention.
"""
from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..model import Extraction, Mention, Relation
from ..resources import data_dir

REGISTRY: dict[str, "Factory"] = {}
# types a longer name may swallow: 苏州 inside 苏州远帆 is part of the firm's name
NESTABLE = {"City", "County", "Province", "Region", "Product"}
# types a list head or the gazetteer may correct (A、B等项目: a 产业园 being built is a project; 某银行 is a
# firm, not a body); firms stay firms
RETYPABLE = {"Park", "Product", "Organization"}


@dataclass
class Factory:
    name: str
    make: Callable[[dict], Callable[["State"], None]]
    reads: tuple[str, ...]
    writes: tuple[str, ...]


def component(name: str, reads: tuple[str, ...] = (), writes: tuple[str, ...] = ()):
    def register(make):
        REGISTRY[name] = Factory(name, make, reads, writes)
        return make
    return register


@dataclass
class State:
    ex: Extraction
    removed: set[tuple[str, str]] = field(default_factory=set)  # (type, canonical) no longer mentioned
    _index: list[int] | None = None  # starts of ex.mentions (kept sorted by start); None until first use
    _longest: int = 0
    _starts: list[int] | None = None  # sentence starts, for sentence_of

    @property
    def text(self) -> str:
        return self.ex.doc.text

    def sentence_of(self, pos: int) -> int:
        """Index of the sentence holding pos (bisection: documents may have thousands)."""
        if self._starts is None:
            self._starts = [s.start for s in self.ex.doc.sentences]
        i = bisect_right(self._starts, pos) - 1
        return self.ex.doc.sentences[i].index if i >= 0 else 0

    def _ensure_index(self) -> None:
        if self._index is None:
            self.ex.mentions.sort(key=lambda m: (m.start, m.end))
            self._index = [m.start for m in self.ex.mentions]
            self._longest = max((m.end - m.start for m in self.ex.mentions), default=0)

    def at(self, start: int, end: int) -> list[Mention]:
        """Mentions overlapping [start, end) (by bisection over mentions sorted by start)."""
        if self._index is None:
            self._ensure_index()
        lo = bisect_left(self._index, start - self._longest)
        hi = bisect_left(self._index, end)
        return [m for m in self.ex.mentions[lo:hi] if m.start < end and start < m.end]

    def add(self, m: Mention) -> None:
        """Insert a mention, keeping the mentions sorted by start."""
        self._ensure_index()
        i = bisect_right(self._index, m.start)
        self._index.insert(i, m.start)
        self.ex.mentions.insert(i, m)
        self._longest = max(self._longest, m.end - m.start)

    def drop(self, m: Mention, forget: bool = True) -> None:
        """Remove this mention (by identity); forget: remember its entity as gone until finish()."""
        self._ensure_index()
        lo = bisect_left(self._index, m.start)
        hi = bisect_right(self._index, m.start)
        for i in range(lo, hi):
            if self.ex.mentions[i] is m:
                del self.ex.mentions[i]
                del self._index[i]
                break
        if forget:
            self.removed.add((m.type, m.canonical))

    def move(self, m: Mention, start: int) -> None:
        """Change where a mention starts (keeps the index sorted)."""
        self.drop(m, forget=False)
        m.start = start
        self.add(m)

    def propose(self, start: int, end: int, type_: str, source: str, canonical: str | None = None,
                retype: bool = False, over: frozenset = frozenset()) -> Mention | None:
        """Add a mention unless the overlap policy refuses it; returns the mention now at that span.

        Policy: the same span keeps its mention (retyped only when the proposer knows the type
        from an explicit head noun: retype=True); a new name may contain places and products
        (a firm named after its city) and replaces them; any other overlap keeps the existing
        mention (the rule recognisers know their names' boundaries better than a list split),
        unless the inner mentions came from one of the sources in over and start after it does
        (北车 read out of 中国北车; 远帆汽车 at the start of 远帆汽车乘用车公司 is its brand and stays)."""
        hits = self.at(start, end)
        for m in hits:
            if m.start == start and m.end == end:
                if retype and m.type != type_ and m.type in RETYPABLE:
                    self.removed.add((m.type, m.canonical))
                    m.type, m.source = type_, source
                return m
        if end - start < 2 and source != "coref":  # an anaphor may be one character (其)
            return None
        inner = [m for m in hits if m.start >= start and m.end <= end]
        if len(inner) != len(hits) or any(m.type not in NESTABLE and (m.source not in over or m.start == start) for m in inner):
            return None
        for m in inner:
            self.drop(m)
        text = self.text[start:end]
        m = Mention(text=text, type=type_, canonical=canonical or text, start=start, end=end,
                    sentence=self.sentence_of(start), source=source)
        self.add(m)
        return m

    def relate(self, head: Mention, rel: str, tail: Mention, sentence: int, source: str,
               confidence: float) -> None:
        doc = self.ex.doc
        self.ex.relations.append(Relation(
            head=head.canonical, rel=rel, tail=tail.canonical, sentence=sentence,
            evidence=doc.sentences[sentence].text if doc.sentences else doc.text,
            head_type=head.type, tail_type=tail.type, confidence=confidence, source=source))

    def finish(self) -> None:
        """Drop relations whose ends lost their last mention; keep mentions in text order."""
        names = {(m.type, m.canonical) for m in self.ex.mentions}
        gone = self.removed - names
        if gone:
            self.ex.relations = [r for r in self.ex.relations
                                 if (r.head_type, r.head) not in gone and (r.tail_type, r.tail) not in gone]
        self.ex.mentions.sort(key=lambda m: (m.start, m.end))


@lru_cache(maxsize=8)
def load_json(rel_path: str) -> dict:
    """A data file of ontology/data, parsed once per process."""
    p = Path(data_dir()) / rel_path
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RuntimeError(f"无法读取数据文件 {p}：{e}") from e


def build_pipeline(config: str = "pipeline.json", ner: str | None = None,
                   register: tuple[str, ...] = ()) -> list[tuple[str, Callable[[State], None]]]:
    """The configured components, built from their settings; ner="lac" adds the LAC proposer
    after the list splitter; register (firm names of the user's enterprise register) goes to the
    gazetteer."""
    from . import (anchored, boundaries, coref, firm_sites, gazetteer, lac, lists, mention_patterns,  # noqa: F401
                   products, projectparts, propagate, roles)  # (registers the factories)

    entries = list(load_json(config)["components"])
    if ner:
        if ner not in REGISTRY:
            raise RuntimeError(f"未知的 --ner 取值：{ner}（可用：lac）")
        at = next((i + 1 for i, e in enumerate(entries) if e["name"] == "lists"), len(entries))
        entries.insert(at, {"name": ner})
    steps = []
    for entry in entries:
        name = entry["name"]
        if name not in REGISTRY:
            raise RuntimeError(f"数据文件 {config} 中的组件名未知：{name}")
        if name == "gazetteer" and register:
            entry = {**entry, "register": tuple(register)}
        steps.append((name, REGISTRY[name].make(entry)))
    return steps


def run(ex: Extraction, steps) -> Extraction:
    state = State(ex)
    for _, step in steps:
        step(state)
    state.finish()
    return ex
