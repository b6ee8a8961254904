"""KnowledgeBase -> RDF Dataset (kg/rdf.py): contract, SHACL, IRIs, provenance, round trip."""
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg import rdf
from kg.model import Document, Extraction, Fact, Mention, Relation, Sentence
from kg.resolve import build_kb
from kg.util import KG as KG_NS, KGR as KGR_NS, entity_iri

KG = rdflib.Namespace(KG_NS)
ROOT = Path(__file__).resolve().parents[1]


def make_doc(doc_id: str, sentences: list[str]) -> Document:
    text, sents = "", []
    for i, s in enumerate(sentences):
        sents.append(Sentence(i, len(text), len(text) + len(s), s))
        text += s
    return Document(doc_id, f"/corpus/{doc_id}", text, sents, encoding="gb18030", duplicates_dropped=1,
                    sha256="a" * 64)


def mention(doc, surface, type_, canonical=None):
    i = doc.text.index(surface)
    return Mention(surface, type_, canonical or surface, i, i + len(surface), doc.sentence_at(i).index)


def rel(doc, head, r, tail, s, ht, tt="", **kw):
    return Relation(head, r, tail, s, doc.sentences[s].text, ht, tt, **kw)


HUAYE = "山西高科华烨电子集团有限公司"
PROJECT = "MLED新型显示面板生产项目"


def news() -> list[Extraction]:
    d1 = make_doc("001_a.txt", [f"{HUAYE}在长治高新区投资20亿元建设{PROJECT}。",
                                "该项目年产LED芯片120万片，属于信创产业集群。",
                                "1—11月，长治市签约项目936个。"])
    d2 = make_doc("002_b.txt", ["高科华烨与襄垣签约，在长治高新区扩建MLED新型显示面板生产项目。"])
    e1 = Extraction(d1,
                    [mention(d1, HUAYE, "Enterprise"), mention(d1, "长治高新区", "Park"),
                     mention(d1, PROJECT, "Project"), mention(d1, "LED芯片", "Product"),
                     mention(d1, "信创产业集群", "IndustryCluster"), mention(d1, "长治市", "City")],
                    [rel(d1, HUAYE, "implements", PROJECT, 0, "Enterprise", "Project"),
                     rel(d1, PROJECT, "locatedIn", "长治高新区", 0, "Project", "Park"),
                     rel(d1, PROJECT, "investment", "20亿元", 0, "Project", literal=True,
                         value=Decimal("2000000000"), currency="CNY", confidence=0.9),
                     rel(d1, PROJECT, "capacity", "年产LED芯片120万片", 1, "Project", literal=True),
                     rel(d1, PROJECT, "produces", "LED芯片", 1, "Project", "Product"),
                     rel(d1, PROJECT, "belongsToCluster", "信创产业集群", 1, "Project", "IndustryCluster")],
                    [Fact("长治市", "签约项目数", "936个", Decimal(936), "个", "1—11月", 2, d1.sentences[2].text)])
    e2 = Extraction(d2,
                    [mention(d2, "高科华烨", "Enterprise"), mention(d2, "襄垣", "County", "襄垣"),
                     mention(d2, "长治高新区", "Park"), mention(d2, PROJECT, "Project")],
                    [rel(d2, "高科华烨", "signedWith", "襄垣", 0, "Enterprise", "County"),
                     rel(d2, "高科华烨", "implements", PROJECT, 0, "Enterprise", "Project"),
                     rel(d2, PROJECT, "locatedIn", "长治高新区", 0, "Project", "Park")])
    return [e1, e2]


@pytest.fixture(scope="module")
def built():
    kb = build_kb(news())
    ds = rdf.build_dataset(kb)
    return kb, ds, rdf.union_graph(ds)


def I(type_, name):
    return URIRef(entity_iri(type_, name))


# --------------------------------------------------------------------------- contract

def test_dataset_conforms_to_shapes(built):
    _kb, ds, g = built
    ok, text, n = rdf.validate(g)
    assert ok, text
    assert n == 0 and "通过" in text
    ok2, _t, _n = rdf.validate(ds)  # a Dataset is validated as its union
    assert ok2


def test_named_graphs_per_document_and_reference(built):
    _kb, ds, _g = built
    names = {str(c.identifier) for c in ds.graphs()}
    assert {KGR_NS + "graph/001_a.txt", KGR_NS + "graph/002_b.txt", KGR_NS + "graph/reference"} <= names
    ref = ds.graph(URIRef(KGR_NS + "graph/reference"))
    assert (KG.Enterprise, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")) in ref
    assert (I("County", "襄垣县"), KG.locatedIn, I("City", "长治市")) in ref
    g1 = ds.graph(URIRef(KGR_NS + "graph/001_a.txt"))
    g2 = ds.graph(URIRef(KGR_NS + "graph/002_b.txt"))
    # the signing is only in document 2's graph, the investment only in document 1's
    assert (I("Enterprise", HUAYE), KG.signedWith, I("County", "襄垣县")) in g2
    assert (I("Enterprise", HUAYE), KG.signedWith, I("County", "襄垣县")) not in g1
    assert (I("Project", PROJECT), KG.investmentText, Literal("20亿元")) in g1
    # both graphs describe the shared entity with the same IRI
    for g in (g1, g2):
        assert (I("Enterprise", HUAYE), RDF.type, KG.Enterprise) in g
        assert (I("Enterprise", HUAYE), RDFS.label, Literal(HUAYE, lang="zh")) in g


def test_entities_documents_and_literals(built):
    _kb, _ds, g = built
    e = I("Enterprise", HUAYE)
    assert set(g.objects(e, RDFS.label)) == {Literal(HUAYE, lang="zh")}
    assert Literal(HUAYE, lang="zh") in set(g.objects(e, SKOS.prefLabel))
    assert Literal("高科华烨", lang="zh") in set(g.objects(e, SKOS.altLabel))
    p = I("Project", PROJECT)
    amount = g.value(p, KG.investmentAmount)
    assert amount.datatype == XSD.decimal and amount.toPython() == Decimal("2000000000")
    assert g.value(p, KG.capacityText) == Literal("年产LED芯片120万片")
    doc = URIRef(KGR_NS + "doc/001_a.txt")
    assert (doc, RDF.type, KG.Document) in g
    assert g.value(doc, DCTERMS.title) == Literal("001_a.txt")
    assert g.value(doc, KG.sha256) == Literal("a" * 64)
    assert g.value(doc, KG.encoding) == Literal("gb18030")
    assert g.value(doc, KG.duplicatesDropped).toPython() == 1
    # mentions link entities to sentences
    ms = list(g.objects(e, KG.mention))
    assert len(ms) == 2
    for m in ms:
        assert (m, RDF.type, KG.Mention) in g and g.value(m, KG.denotes) == e
        s = g.value(m, KG.inSentence)
        start, end = g.value(m, KG.startOffset).toPython(), g.value(m, KG.endOffset).toPython()
        assert start < end and str(m).endswith(f"/m{start}-{end}")
        assert str(g.value(m, KG.text)) in str(g.value(s, KG.text))
    # facts
    facts = list(g.subjects(RDF.type, KG.Fact))
    assert len(facts) == 1
    f = facts[0]
    assert g.value(f, KG.metric) == Literal("签约项目数") and g.value(f, KG.value) == Literal("936个")
    assert g.value(f, KG.number).toPython() == Decimal(936) and g.value(f, KG.period) == Literal("1—11月")
    assert g.value(f, KG.about) == I("City", "长治市")
    assert g.value(g.value(f, PROV.wasDerivedFrom), KG.text) == Literal("1—11月，长治市签约项目936个。")


def test_provenance_from_triple_to_sentence_and_document(built):
    _kb, _ds, g = built
    s, p, o = I("Project", PROJECT), KG.locatedIn, I("Park", "长治高新区")
    assert (s, p, o) in g
    stmts = [st for st in g.subjects(RDF.subject, s)
             if g.value(st, RDF.predicate) == p and g.value(st, RDF.object) == o]
    assert stmts == [rdf.statement_iri(s, p, o)]
    st = stmts[0]
    assert {KG.Assertion, RDF.Statement, PROV.Entity} <= set(g.objects(st, RDF.type))
    assert g.value(st, KG.confidence).datatype == XSD.decimal
    sents = set(g.objects(st, PROV.wasDerivedFrom))
    assert len(sents) == 2  # evidence from both documents accumulated
    docs = {g.value(x, DCTERMS.isPartOf) for x in sents}
    assert docs == {URIRef(KGR_NS + "doc/001_a.txt"), URIRef(KGR_NS + "doc/002_b.txt")}
    texts = {str(g.value(x, KG.text)) for x in sents}
    assert f"{HUAYE}在长治高新区投资20亿元建设{PROJECT}。" in texts
    for x in sents:
        assert (x, RDF.type, KG.Sentence) in g
        assert (g.value(x, DCTERMS.isPartOf), RDF.type, KG.Document) in g


def test_every_extracted_triple_has_a_statement(built):
    kb, ds, g = built
    ref = ds.graph(rdf.REFERENCE_GRAPH)
    preds = {KG[r] for r in ("locatedIn", "belongsToCluster", "implements", "produces", "signedWith",
                             "investmentText", "investmentAmount", "capacityText")}
    n = 0
    for s, p, o in g:
        if p in preds and str(s).startswith(KGR_NS) and (s, RDF.type, KG.Document) not in g:
            if (s, p, o) in ref:
                continue  # reference data (county locatedIn city)
            st = rdf.statement_iri(s, p, o)
            assert (st, RDF.subject, s) in g, (s, p, o)
            assert list(g.objects(st, PROV.wasDerivedFrom)), (s, p, o)
            n += 1
    assert n >= 8


# --------------------------------------------------------------------------- IRIs

def test_iri_stability_across_builds_and_documents():
    g1 = rdf.union_graph(rdf.build_dataset(build_kb(news())))
    g2 = rdf.union_graph(rdf.build_dataset(build_kb(list(reversed(news())))))
    assert set(g1.subjects(RDF.type, KG.Enterprise)) == set(g2.subjects(RDF.type, KG.Enterprise)) \
        == {URIRef("https://w3id.org/chainkg/id/Enterprise/山西高科华烨电子集团有限公司")}
    assert set(g1) == set(g2)
    # reference entities keep the IRIs of the hand-written data files
    assert (I("Park", "长治高新区"), RDF.type, KG.Park) in g1
    assert I("Park", "长治高新区") == URIRef(KGR_NS + "Park/长治高新区")
    assert rdf.statement_iri(I("Enterprise", HUAYE), KG.implements, I("Project", PROJECT)) == \
        rdf.statement_iri(I("Enterprise", HUAYE), KG.implements, I("Project", PROJECT))


def test_doc_ids_with_unsafe_characters_give_valid_iris():
    d = make_doc("报道 #1 (2025).txt", ["长治市签约项目936个。"])
    kb = build_kb([Extraction(d, [mention(d, "长治市", "City")])])
    ds = rdf.build_dataset(kb)
    names = {str(c.identifier) for c in ds.graphs()}
    assert KGR_NS + "graph/报道%231(2025).txt" in names
    ok, text, _ = rdf.validate(ds)
    assert ok, text


def test_same_span_read_as_two_types_gives_one_mention_node():
    d = make_doc("x.txt", ["长治高新区信创专业镇加快建设。"])
    m1 = mention(d, "长治高新区信创专业镇", "IndustryCluster")
    m2 = mention(d, "长治高新区信创专业镇", "Park")
    ds = rdf.build_dataset(build_kb([Extraction(d, [m1, m2])]), mentions="all")
    g = rdf.union_graph(ds)
    mi = URIRef(KGR_NS + f"doc/x.txt/m{m1.start}-{m1.end}")
    assert len(list(g.objects(mi, KG.denotes))) == 1
    ok, text, _ = rdf.validate(g)
    assert ok, text


# --------------------------------------------------------------------------- SHACL negatives

def _broken(g: rdflib.Graph) -> rdflib.Graph:
    bad = rdflib.Graph()
    for t in g:
        bad.add(t)
    neg = URIRef(KGR_NS + "Project/负数项目")
    bad.add((neg, RDF.type, KG.Project))
    bad.add((neg, RDFS.label, Literal("负数项目", lang="zh")))
    bad.add((neg, KG.investmentAmount, Literal(Decimal("-5"), datatype=XSD.decimal)))
    txt = URIRef(KGR_NS + "Project/文本金额项目")
    bad.add((txt, RDF.type, KG.Project))
    bad.add((txt, RDFS.label, Literal("文本金额项目", lang="zh")))
    bad.add((txt, KG.investmentAmount, Literal("20亿元")))
    orphan = URIRef(KGR_NS + "stmt/orphan")
    bad.add((orphan, RDF.type, KG.Assertion))
    bad.add((orphan, RDF.subject, neg))
    bad.add((orphan, RDF.predicate, KG.locatedIn))
    bad.add((orphan, RDF.object, I("City", "长治市")))
    nolabel = URIRef(KGR_NS + "Enterprise/无名")
    bad.add((nolabel, RDF.type, KG.Enterprise))
    bad.add((nolabel, RDF.type, KG.Organization))
    gap = URIRef(KGR_NS + "gap/x/y")
    bad.add((gap, RDF.type, KG.Gap))
    bad.add((gap, KG.status, Literal("很好")))
    bad.add((gap, KG.chain, URIRef(KGR_NS + "IndustryChain/x")))
    bad.add((gap, KG.segment, URIRef(KGR_NS + "ChainSegment/x/y")))
    m = URIRef(KGR_NS + "doc/001_a.txt/m9-3")
    bad.add((m, RDF.type, KG.Mention))
    bad.add((m, KG.startOffset, Literal(9)))
    bad.add((m, KG.endOffset, Literal(3)))
    bad.add((m, KG.inSentence, URIRef(KGR_NS + "doc/001_a.txt/s0")))
    bad.add((m, KG.denotes, neg))
    return bad


def test_broken_graph_does_not_conform_and_report_names_nodes(built):
    _kb, _ds, g = built
    ok, text, n = rdf.validate(_broken(g))
    assert not ok
    assert n >= 6
    assert "未通过" in text
    for node in ("kgr:Project/负数项目", "kgr:Project/文本金额项目", "kgr:stmt/orphan", "kgr:Enterprise/无名",
                 "kgr:gap/x/y", "kgr:doc/001_a.txt/m9-3"):
        assert node in text, node
    assert "投资额" in text and "prov:wasDerivedFrom" in text and "已覆盖" in text


def test_template_files_alone_conform_to_shapes():
    templates = sorted((ROOT / "ontology" / "templates").glob("*.ttl"))
    if not templates:
        pytest.skip("no chain templates yet")
    for t in templates:
        g = rdflib.Graph().parse(t)
        ok, text, _ = rdf.validate(g)
        assert ok, f"{t.name}: {text}"


# --------------------------------------------------------------------------- I/O

def test_write_outputs_and_load_graph_round_trip(built, tmp_path):
    _kb, ds, g = built
    paths = rdf.write_outputs(ds, tmp_path)
    assert set(paths) == {"ttl", "trig", "nq"}
    for p in paths.values():
        assert p.is_file() and p.stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    ttl = paths["ttl"].read_text(encoding="utf-8")
    assert "@prefix kg: <https://w3id.org/chainkg/ontology#>" in ttl and "山西高科华烨电子集团有限公司" in ttl
    back = rdf.load_graph(tmp_path)
    assert {str(c.identifier) for c in back.graphs() if len(c)} == \
        {str(c.identifier) for c in ds.graphs() if len(c)}
    assert set(rdf.union_graph(back)) == set(g)
    assert set(rdflib.Graph().parse(paths["ttl"])) == set(g)
    nq = rdflib.Dataset()
    nq.parse(paths["nq"], format="nquads")
    assert len(rdf.union_graph(nq)) == len(g)
    # overwrite in place
    rdf.write_outputs(back, tmp_path)
    assert set(rdf.union_graph(rdf.load_graph(tmp_path))) == set(g)


def test_drop_analysis():
    ds = rdf.build_dataset(build_kb(news()))
    a = ds.graph(rdf.ANALYSIS_GRAPH)
    a.add((URIRef(KGR_NS + "gap/x/y"), RDF.type, KG.Gap))
    rdf.drop_analysis(ds)
    assert (URIRef(KGR_NS + "gap/x/y"), RDF.type, KG.Gap) not in rdf.union_graph(ds)


# --------------------------------------------------------------------------- seeds end to end

def test_seeds_end_to_end_conform_with_evidence():
    ingest = pytest.importorskip("kg.ingest")
    extract = pytest.importorskip("kg.extract")
    docs, _skipped = ingest.load_corpus([ROOT / "seeds"], progress=False)
    exs = extract.extract_all(docs, workers=1, progress=False)
    import time
    t0 = time.time()
    kb = build_kb(exs)
    ds = rdf.build_dataset(kb)
    assert time.time() - t0 < 5
    g = rdf.union_graph(ds)
    ok, text, n = rdf.validate(g)
    assert ok, text
    ref = ds.graph(rdf.REFERENCE_GRAPH)
    entity_types = {KG[t] for t in ("Enterprise", "Organization", "Park", "County", "City", "Province", "Region",
                                    "IndustryCluster", "IndustryChain", "Project", "Product")}
    entities = {s for t in entity_types for s in g.subjects(RDF.type, t)}
    checked = 0
    for s, p, o in g:
        if s in entities and o in entities and str(p).startswith(KG_NS) and (s, p, o) not in ref:
            st = rdf.statement_iri(s, p, o)
            assert (st, RDF.type, KG.Assertion) in g, (s, p, o)
            sents = list(g.objects(st, PROV.wasDerivedFrom))
            assert sents, (s, p, o)
            for x in sents:
                assert g.value(x, KG.text) is not None
                assert (g.value(x, DCTERMS.isPartOf), RDF.type, KG.Document) in g
            checked += 1
    assert checked >= 10
    assert len(kb.documents) == len(docs)


def test_mentions_only_where_they_are_evidence():
    """Mention nodes for mentions in an evidence sentence of an assertion about their entity (or a
    fact's); other mentions stay in extraction.jsonl only, their entities are still described."""
    d = make_doc("g.txt", ["晋东新材料有限公司在潞城区建设碳纤维项目。", "潞城区另有晋东新材料有限公司的仓库。",
                           "1—6月，潞城区签约项目12个。"])
    ex = Extraction(d, [mention(d, "晋东新材料有限公司", "Enterprise"), mention(d, "碳纤维项目", "Project"),
                        mention(d, "潞城区", "County")]
                    + [Mention("潞城区", "County", "潞城区", i, i + 3, d.sentence_at(i).index)
                       for i in (d.text.index("潞城区另有"), d.text.index("潞城区签约"))]
                    + [Mention("晋东新材料有限公司", "Enterprise", "晋东新材料有限公司", d.text.index("晋东", 10),
                               d.text.index("晋东", 10) + 9, 1)],
                    [rel(d, "晋东新材料有限公司", "implements", "碳纤维项目", 0, "Enterprise", "Project")],
                    [Fact("潞城区", "签约项目数", "12个", Decimal(12), "个", "1—6月", 2, d.sentences[2].text)])
    kb = build_kb([ex])
    g = rdf.union_graph(rdf.build_dataset(kb))
    mentions = {(int(g.value(m, KG.startOffset)), str(g.value(m, KG.denotes)).rsplit("/", 1)[-1])
                for m in g.subjects(RDF.type, KG.Mention)}
    firm, county = "晋东新材料有限公司", "潞城区"
    assert mentions == {(0, firm), (d.text.index("碳纤维项目"), "碳纤维项目"), (d.text.index("潞城区签约"), county)}
    sentences = {str(s).rsplit("/", 1)[-1] for s in g.subjects(RDF.type, KG.Sentence)}
    assert sentences == {"s0", "s2"}  # s1 carries no evidence
    assert (I("County", county), RDFS.label, Literal(county, lang="zh")) in g  # still described
    ok, text, _ = rdf.validate(g)
    assert ok, text
    full = rdf.union_graph(rdf.build_dataset(kb, mentions="all"))
    assert len(set(full.subjects(RDF.type, KG.Mention))) == 6
    # the non-provenance triples are the same at either grain
    prov = {KG.Mention, KG.Sentence}

    def content(graph):
        nodes = {s for c in prov for s in graph.subjects(RDF.type, c)}
        return {t for t in graph if t[0] not in nodes and t[2] not in nodes and t[1] != KG.mention}
    assert content(g) == content(full)


def test_names_ending_in_a_dot_give_graph_files_rdflib_can_read(tmp_path):
    """A firm name ending in a dot (某某Corp., 某某......) mints an IRI whose last dot is percent-encoded:
    written as a prefixed name with an escaped final dot, graph.trig and graph.ttl did not load in rdflib."""
    import pyoxigraph as ox

    from kg.util import iri_segment

    assert iri_segment("Qelvin Labs Corp.") == "QelvinLabsCorp%2E" and iri_segment("某川......").endswith("....%2E")
    assert iri_segment("a.b") == "a.b"
    firm = entity_iri("Enterprise", "Qelvin Labs Corp.")
    st = ox.Store()
    g = ox.NamedNode(KGR_NS + "graph/a.txt")
    st.add(ox.Quad(ox.NamedNode(firm), ox.NamedNode(str(RDF.type)), ox.NamedNode(KG_NS + "Enterprise"), g))
    st.add(ox.Quad(ox.NamedNode(firm), ox.NamedNode(str(RDFS.label)), ox.Literal("Qelvin Labs Corp.", language="zh"), g))
    paths = rdf.write_store_outputs(st, tmp_path)
    ds = rdflib.Dataset()
    ds.parse(paths["trig"], format="trig")
    assert (URIRef(firm), RDF.type, URIRef(KG_NS + "Enterprise")) in ds.graph(URIRef(str(g.value)))
    assert (URIRef(firm), RDFS.label, Literal("Qelvin Labs Corp.", lang="zh")) in rdflib.Graph().parse(paths["ttl"])
