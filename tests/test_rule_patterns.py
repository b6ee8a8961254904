"""Every named pattern of the rule families (ontology/data/patterns/rules_*.json) on its own
positive and negative example."""
from __future__ import annotations

import re

import pytest

from kg.components import rule_patterns
from kg.resources import data_dir

FAMILIES = sorted(p.stem.removeprefix("rules_") for p in (data_dir() / "patterns").glob("rules_*.json"))
PATTERNS = [(f, p) for f in FAMILIES for p in rule_patterns.spec(f).get("patterns", [])]


def _hit(p: dict, text: str) -> bool:
    rx = re.compile(rule_patterns.expand(p["regex"]))
    how = p.get("mode", "search")
    return bool(rx.fullmatch(text) if how == "fullmatch" else rx.match(text) if how == "match" else rx.search(text))


@pytest.mark.parametrize("family,pattern", PATTERNS, ids=[f"{f}.{p['name']}" for f, p in PATTERNS])
def test_pattern_examples(family, pattern):
    assert _hit(pattern, pattern["positive"]), "positive example not matched"
    negatives = pattern["negative"] if isinstance(pattern["negative"], list) else [pattern["negative"]]
    assert not any(_hit(pattern, n) for n in negatives), "negative example matched"


def test_families_are_loaded_with_unique_names():
    assert FAMILIES
    for f in FAMILIES:
        names = [p["name"] for p in rule_patterns.spec(f).get("patterns", [])]
        assert len(names) == len(set(names)), f
        ns = rule_patterns.load(f)
        assert all(getattr(ns, n.upper()).pattern for n in names)


RULE_EXAMPLES = rule_patterns.spec("relations")["rule_examples"]


@pytest.fixture(scope="module")
def ext():
    from kg.extract import Extractor

    return Extractor()


def _rule_relations(ext, text: str) -> set[tuple[str, str, str]]:
    from kg.ingest import build_document

    ex = ext.extract(build_document(text, "t.txt"), learned=False)
    return {(r.head, r.rel, r.tail) for r in ex.relations}


def test_every_sentence_rule_is_declared():
    from kg.components import rules_relations

    named = {e["rule"] for e in RULE_EXAMPLES}
    declared = {f.__name__ for f in rules_relations.SENTENCE_RULES}
    assert named <= declared


@pytest.mark.parametrize("example", RULE_EXAMPLES, ids=[e["rule"] for e in RULE_EXAMPLES])
def test_relation_rule_examples(ext, example):
    pos, neg = example["positive"], example["negative"]
    assert tuple(pos["relation"]) in _rule_relations(ext, pos["text"])
    assert tuple(neg["relation"]) not in _rule_relations(ext, neg["text"])
