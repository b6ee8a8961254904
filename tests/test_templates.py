"""Chain templates (ontology/templates/*.ttl, and templates in region folders) are valid data:
SHACL-conformant to ontology/shapes.ttl and complete for every cluster."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib import RDF, Namespace
from rdflib.namespace import SKOS

from kg import resources
from kg.util import KG as KG_NS, KGR as KGR_NS

KG = Namespace(KG_NS)
ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
TEST_REGION = Path(__file__).resolve().parent / "regions" / "jincheng"
CORPUS_CHAINS = ("锂电产业链", "氢能产业链", "新能源汽车产业链", "高端装备制造产业链", "能源产业链")


def _templates(*extra: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    for f in sorted(resources.templates_dir().glob("*.ttl")):
        g.parse(f, format="turtle")
    for d in extra:
        for f in sorted(d.rglob("*.ttl")):
            g.parse(f, format="turtle")
    return g


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES, format="turtle")


@pytest.mark.parametrize("path", sorted(resources.templates_dir().glob("*.ttl")), ids=lambda p: p.name)
def test_template_conforms_to_shapes(path, shapes):
    g = rdflib.Graph().parse(path, format="turtle")
    ok, _r, text = validate(g, shacl_graph=shapes)
    assert ok, text


def test_templates_with_region_data_conform(shapes):
    g = _templates(resources.regions_dir() / "changzhi", TEST_REGION)
    ok, _r, text = validate(g, shacl_graph=shapes)
    assert ok, text


def test_every_cluster_chain_has_a_template():
    g = _templates(resources.regions_dir() / "changzhi")
    clusters = list(g.subjects(RDF.type, KG.IndustryCluster))
    assert len(clusters) == 9
    for cl in clusters:
        chains = list(g.objects(cl, KG.chain))
        assert chains, cl
        for ch in chains:
            assert (ch, RDF.type, KG.IndustryChain) in g, f"no template for {ch}"
            segs = list(g.subjects(KG.segmentOf, ch))
            assert len(segs) >= 3, ch
    for name in CORPUS_CHAINS:
        assert (rdflib.URIRef(f"{KGR_NS}IndustryChain/{name}"), RDF.type, KG.IndustryChain) in g, name


def test_segments_are_well_formed():
    g = _templates()
    for seg in g.subjects(RDF.type, KG.ChainSegment):
        assert str(seg).startswith(KGR_NS + "ChainSegment/")
        ch = g.value(seg, KG.segmentOf)
        chain_name = str(ch).rsplit("/", 1)[-1]
        assert str(seg).split("/")[-2] == chain_name, seg  # {chain}/{segment}
        assert g.value(seg, KG.position) is not None
        assert len(list(g.objects(seg, KG.keyword))) >= 2, seg
        assert g.value(seg, SKOS.prefLabel).language == "zh"
        for nxt in g.objects(seg, KG.next):
            assert g.value(nxt, KG.segmentOf) == ch, (seg, nxt)
    # each chain has an upstream and a downstream end
    for ch in g.subjects(RDF.type, KG.IndustryChain):
        positions = {str(g.value(s, KG.position)) for s in g.subjects(KG.segmentOf, ch)}
        assert {"上游", "下游"} <= positions, ch


def test_domain_keywords_present():
    g = _templates()
    def kws(chain, segment):
        s = rdflib.URIRef(f"{KGR_NS}ChainSegment/{chain}/{segment}")
        return {str(k) for k in g.objects(s, KG.keyword)}
    assert {"支架", "载带", "盖带", "卷盘"} <= kws("光电LED产业链", "封装材料")
    assert {"磷酸锰铁锂", "磷酸铁锂"} <= kws("锂电产业链", "正极材料")
    assert "MLED" in kws("光电LED产业链", "显示屏")
