"""ontology/shapes.ttl compiled to SPARQL (kg/shacl.py) gives the same report as pyshacl."""
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef

from kg import rdf, shacl
from kg.resolve import build_kb
from kg.util import KG as KG_NS, KGR as KGR_NS

from test_rdf import _broken, news

KG = rdflib.Namespace(KG_NS)


def _more_broken(g: rdflib.Graph) -> rdflib.Graph:
    bad = _broken(g)
    seg = URIRef(KGR_NS + "ChainSegment/x/中段")
    bad.add((seg, RDF.type, KG.ChainSegment))
    bad.add((seg, RDFS.label, Literal("中段", lang="zh")))
    bad.add((seg, KG.position, Literal("侧游")))
    cl = URIRef(KGR_NS + "IndustryCluster/某集群")
    bad.add((cl, RDF.type, KG.IndustryCluster))
    bad.add((cl, RDFS.label, Literal("某集群", lang="zh")))
    org = URIRef(KGR_NS + "Organization/无语言标签")
    bad.add((org, RDF.type, KG.Organization))
    bad.add((org, RDFS.label, Literal("无语言标签")))
    bad.add((cl, KG.tier, Literal("万亿级")))
    prod = URIRef(KGR_NS + "Product/芯片")
    bad.add((prod, RDF.type, KG.Product))
    bad.add((prod, RDFS.label, Literal("芯片", lang="zh")))
    bad.add((prod, KG.chainLeaderOf, URIRef(KGR_NS + "Park/长治高新区")))
    doc = URIRef(KGR_NS + "doc/001_a.txt")
    bad.add((doc, KG.sourceFormat, Literal("exe")))
    s = URIRef(KGR_NS + "doc/001_a.txt/s99")
    bad.add((s, RDF.type, KG.Sentence))
    bad.add((s, KG.page, Literal(0)))
    return bad


def _store(g: rdflib.Graph) -> ox.Store:
    st = ox.Store()
    st.extend(rdf.graph_quads(g, URIRef(KGR_NS + "graph/test")))
    rdf.add_union(st)
    return st


@pytest.fixture(scope="module")
def union():
    return rdf.union_graph(rdf.build_dataset(build_kb(news())))


def test_every_shape_compiles():
    checks = shacl.compile_shapes(rdf._shapes_graph())
    assert len(checks) > 40 and all(c.query.startswith("SELECT") for c in checks)


def test_conforming_graph_same_report(union):
    ok, text, n = rdf.validate_store(_store(union), len(union))
    assert (ok, text, n) == rdf.validate(union)
    assert ok and n == 0


def test_broken_graph_same_report_as_pyshacl(union):
    bad = _more_broken(union)
    expected = rdf.validate(bad)
    got = rdf.validate_store(_store(bad), len(bad))
    assert not got[0] and got[2] >= 12
    assert got[1].splitlines() == expected[1].splitlines()
    assert got == expected


def test_unsupported_feature_is_refused():
    g = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern "^a" ] .
    """, format="turtle")
    with pytest.raises(shacl.Unsupported):
        shacl.compile_shapes(g)
