"""The OWL ontology, SHACL shapes and the 长治 reference data (ontology/)."""
import re
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS

from kg import rdf
from kg.util import KG as KG_NS, entity_iri

ROOT = Path(__file__).resolve().parents[1]
ONTO = ROOT / "ontology"
KG = rdflib.Namespace(KG_NS)
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")

CLASSES = ("Enterprise", "Organization", "Place", "Park", "County", "City", "Province", "Region",
           "IndustryCluster", "IndustryChain", "ChainSegment", "Product", "Project", "Document", "Sentence",
           "Mention", "Assertion", "Fact", "ChainLeaderAssessment", "Gap", "Lead")
OBJECT_PROPS = ("locatedIn", "belongsToCluster", "belongsToChain", "chainLeaderOf", "chainCoreOf", "suppliesTo", "implements",
                "produces", "signedWith", "inSegment", "forCluster", "segmentOf", "chain", "segment",
                "enterprise", "player", "lead", "mention", "denotes", "inSentence")
DATA_PROPS = ("investmentAmount", "investmentText", "capacityText", "tier", "position", "keyword", "text",
              "startOffset", "endOffset", "sha256", "encoding", "duplicatesDropped", "confidence", "metric",
              "value", "number", "unit", "period", "score", "rank", "textScore", "structureScore", "status",
              "gapKind")
COUNTIES = ("潞州区", "上党区", "屯留区", "潞城区", "襄垣县", "平顺县", "黎城县", "壶关县", "长子县", "武乡县", "沁县", "沁源县")


@pytest.fixture(scope="module")
def onto():
    return rdflib.Graph().parse(ONTO / "chainkg.ttl")


@pytest.fixture(scope="module")
def region():
    g = rdflib.Graph()
    for f in (ONTO / "regions" / "changzhi").glob("*.ttl"):
        g.parse(f)
    return g


def _langs(g, s, p):
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal)}


def test_classes_declared_with_bilingual_labels_and_chinese_comment(onto):
    for c in CLASSES:
        assert (KG[c], RDF.type, OWL.Class) in onto, c
        assert {"zh", "en"} <= _langs(onto, KG[c], RDFS.label), c
        assert "zh" in _langs(onto, KG[c], RDFS.comment), c


def test_properties_declared(onto):
    for p in OBJECT_PROPS:
        assert (KG[p], RDF.type, OWL.ObjectProperty) in onto, p
    for p in DATA_PROPS:
        assert (KG[p], RDF.type, OWL.DatatypeProperty) in onto, p
    for p in OBJECT_PROPS + DATA_PROPS:
        assert {"zh", "en"} <= _langs(onto, KG[p], RDFS.label), p
        assert "zh" in _langs(onto, KG[p], RDFS.comment), p


def test_class_hierarchy_uses_standard_vocabularies(onto):
    sub = lambda a, b: (a, RDFS.subClassOf, b) in onto  # noqa: E731
    assert sub(KG.Enterprise, ORG.Organization) and sub(KG.Organization, ORG.Organization)
    for c in ("Park", "County", "City", "Province", "Region"):
        assert sub(KG[c], KG.Place)
    assert sub(KG.IndustryCluster, SKOS.Concept) and sub(KG.ChainSegment, SKOS.Concept)
    assert sub(KG.Assertion, RDF.Statement) and sub(KG.Assertion, PROV.Entity)
    for c in ("Document", "Sentence", "Mention", "Fact"):
        assert sub(KG[c], PROV.Entity)
    assert (KG.investmentAmount, RDFS.range, rdflib.XSD.decimal) in onto


def test_region_counties_city_province(region):
    city = URIRef(entity_iri("City", "长治市"))
    assert (city, KG.locatedIn, URIRef(entity_iri("Province", "山西省"))) in region
    counties = set(region.subjects(RDF.type, KG.County))
    assert {str(region.value(c, SKOS.prefLabel)) for c in counties} == set(COUNTIES)
    for c in counties:
        label = str(region.value(c, RDFS.label))
        assert c == URIRef(entity_iri("County", label))  # IRIs follow kg.util.entity_iri
        assert (c, KG.locatedIn, city) in region
    assert Literal("襄垣", lang="zh") in set(region.objects(URIRef(entity_iri("County", "襄垣县")), SKOS.altLabel))


def test_region_parks(region):
    hi = URIRef(entity_iri("Park", "长治高新区"))
    ed = URIRef(entity_iri("Park", "长治经济技术开发区"))
    city = URIRef(entity_iri("City", "长治市"))
    assert region.value(hi, SKOS.prefLabel) == Literal("长治高新区", lang="zh")
    assert {str(x) for x in region.objects(hi, SKOS.altLabel)} >= {"长治高新技术产业开发区", "高新区"}
    assert {str(x) for x in region.objects(ed, SKOS.altLabel)} >= {"长治经开区", "经开区"}
    assert (hi, KG.locatedIn, city) in region and (ed, KG.locatedIn, city) in region


def test_cluster_scheme_lists_all_nine(region):
    scheme = URIRef("https://w3id.org/chainkg/id/scheme/长治市产业集群")
    tops = set(region.objects(scheme, SKOS.hasTopConcept))
    clusters = set(region.subjects(RDF.type, KG.IndustryCluster))
    assert len(clusters) == 9 and tops == clusters
    tiers = sorted(str(region.value(c, KG.tier)) for c in clusters)
    assert tiers == ["千亿级"] + ["百亿级"] * 8


def test_reference_graph_conforms(region):
    ref = rdf.load_reference()
    ok, text, n = rdf.validate(ref)
    assert ok, text
    assert (KG.Enterprise, RDF.type, OWL.Class) in ref
    assert len(ref) > len(region)


def _shape_violations(ttl: str) -> tuple[bool, str]:
    # kgr:Type/name is not a valid prefixed name in Turtle: expand to full IRIs
    ttl = re.sub(r"kgr:([^\s;,.]+)", lambda m: f"<https://w3id.org/chainkg/id/{m.group(1)}>", ttl)
    g = rdflib.Graph().parse(data="""
@prefix kg: <https://w3id.org/chainkg/ontology#> .
@prefix kgr: <https://w3id.org/chainkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
""" + ttl, format="turtle")
    ok, text, _n = rdf.validate(g)
    return ok, text


def test_template_like_nodes_need_no_instance_data():
    ok, text = _shape_violations("""
kgr:IndustryChain/测试链 a kg:IndustryChain ; skos:prefLabel "测试链"@zh ;
    kg:forCluster kgr:IndustryCluster/测试集群 .
kgr:ChainSegment/测试链/原料 a kg:ChainSegment ; skos:prefLabel "原料"@zh ; kg:position "上游" ;
    kg:segmentOf kgr:IndustryChain/测试链 ; kg:keyword "原料"@zh .
""")
    assert ok, text


@pytest.mark.parametrize("ttl,needle", [
    ('kgr:ChainSegment/x a kg:ChainSegment ; rdfs:label "x"@zh ; kg:position "上中游" ; kg:segmentOf kgr:IndustryChain/y .',
     "kg:position"),
    ('kgr:ChainSegment/x a kg:ChainSegment ; rdfs:label "x"@zh ; kg:position "上游" .', "kg:segmentOf"),
    ('kgr:IndustryCluster/x a kg:IndustryCluster ; rdfs:label "x"@zh ; kg:tier "万亿级" .', "kg:tier"),
    ('kgr:Park/x a kg:Park ; rdfs:label "x"@en .', "rdfs:label"),
    ('kgr:Park/x a kg:Park , kg:County ; rdfs:label "x"@zh .', "恰好有一个"),
    ('kgr:Project/x a kg:Project ; rdfs:label "x"@zh ; kg:investmentAmount "1e9"^^xsd:double .', "投资额"),
    ('kgr:stmt/x a kg:Assertion ; rdf:subject kgr:Park/a ; rdf:predicate kg:locatedIn ; rdf:object kgr:City/b ;'
     ' prov:wasDerivedFrom kgr:doc/d/s0 . kgr:doc/d/s0 a kg:Sentence ; kg:text "句子" .', "dcterms:isPartOf"),
    ('kgr:gap/x a kg:Gap ; kg:status "缺失" ; kg:gapKind "扩链" ; kg:chain kgr:IndustryChain/x ;'
     ' kg:segment kgr:ChainSegment/x .', "kg:gapKind"),
])
def test_shapes_reject(ttl, needle):
    ok, text = _shape_violations(ttl)
    assert not ok
    assert needle in text, text
