"""End to end: `kg build seeds/` outputs, the RDF contract on them, provenance, IRI stability, bad input."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.util import KG as KG_NS, KGR as KGR_NS, entity_iri, iri_segment

ROOT = Path(__file__).resolve().parents[1]
KG = Namespace(KG_NS)
REFERENCE_GRAPH = URIRef(KGR_NS + "graph/reference")
ANALYSIS_GRAPH = URIRef(KGR_NS + "graph/analysis")
ENTITY_TYPES = ("Enterprise", "Organization", "Park", "County", "City", "Province", "Region",
                "IndustryCluster", "IndustryChain", "Project", "Product")
ENTITY_RELATIONS = ("locatedIn", "implements", "produces", "chainLeaderOf", "belongsToChain",
                    "belongsToCluster", "suppliesTo")
HUAYE = entity_iri("Enterprise", "山西高科华烨电子集团有限公司")
LED_CHAIN = entity_iri("IndustryChain", "光电LED产业链")

OUTPUT_FILES = ("graph.ttl", "graph.trig", "graph.nq", "report.md", "report.html", "leaders.csv", "gaps.csv",
                "facts.csv", "graph.html", "extraction.jsonl", "validation.txt")


@pytest.fixture(scope="module")
def ds(seeds_out) -> rdflib.Dataset:
    d = rdflib.Dataset(default_union=True)
    d.parse(seeds_out / "graph.trig", format="trig")
    return d


def _entity_iris(g) -> set[str]:
    return {str(s) for t in ENTITY_TYPES for s in g.subjects(RDF.type, KG[t])}


def _statements(g, s, p, o) -> list:
    """Statement nodes (kg:Assertion) reifying the triple (s p o)."""
    return [st for st in g.subjects(RDF.subject, s)
            if (st, RDF.predicate, p) in g and (st, RDF.object, o) in g and (st, RDF.type, KG.Assertion) in g]


# ---------------------------------------------------------------- outputs

@pytest.mark.parametrize("name", OUTPUT_FILES)
def test_output_file_exists_and_non_empty(seeds_out, name):
    p = seeds_out / name
    assert p.is_file(), f"missing {name}"
    assert p.stat().st_size > 0, f"{name} is empty"


def test_store_folder(seeds_out):
    store = seeds_out / "store"
    assert store.is_dir(), "missing store/"
    assert any(store.iterdir()), "store/ is empty"


def test_graph_ttl_parses(seeds_out):
    g = rdflib.Graph()
    g.parse(seeds_out / "graph.ttl", format="turtle")
    assert len(g) > 0
    assert _entity_iris(g), "graph.ttl has no entity of any contract type"


def test_shacl_conforms(seeds_out):
    text = (seeds_out / "validation.txt").read_text(encoding="utf-8")
    assert re.search(r"Conforms:\s*True", text) or ("通过" in text and "未通过" not in text), text[:2000]


# ---------------------------------------------------------------- the 链主 fact and its provenance

def test_huaye_is_enterprise_and_chain_leader(ds):
    s, o = URIRef(HUAYE), URIRef(LED_CHAIN)
    assert (s, RDF.type, KG.Enterprise) in ds, f"{HUAYE} is not a kg:Enterprise"
    assert (s, KG.chainLeaderOf, o) in ds, "华烨 kg:chainLeaderOf 光电LED产业链 missing"


def test_huaye_chain_leader_provenance(ds):
    s, o = URIRef(HUAYE), URIRef(LED_CHAIN)
    stmts = _statements(ds, s, KG.chainLeaderOf, o)
    assert stmts, "no kg:Assertion statement for 华烨 kg:chainLeaderOf 光电LED产业链"
    texts = []
    for st in stmts:
        for sent in ds.objects(st, PROV.wasDerivedFrom):
            if (sent, RDF.type, KG.Sentence) in ds:
                texts += [str(t) for t in ds.objects(sent, KG.text)]
    assert texts, "the statement has no prov:wasDerivedFrom kg:Sentence with kg:text"
    assert any(("链主" in t or "龙头企业" in t) and "华烨" in t for t in texts), texts
    # the sentence belongs to a document that is a kg:Document
    sents = [x for st in stmts for x in ds.objects(st, PROV.wasDerivedFrom)]
    docs = {d for x in sents for d in ds.objects(x, DCTERMS.isPartOf)}
    assert docs and all((d, RDF.type, KG.Document) in ds for d in docs)


def test_every_entity_relation_has_provenance(ds):
    reference = ds.graph(REFERENCE_GRAPH)
    missing, checked = [], 0
    for rel in ENTITY_RELATIONS:
        for s, o in set(ds.subject_objects(KG[rel])):
            if not isinstance(o, URIRef) or (s, KG[rel], o) in reference:
                continue  # literal, or reference data (region files: 县区 locatedIn 市)
            checked += 1
            ok = any((sent, RDF.type, KG.Sentence) in ds
                     for st in _statements(ds, s, KG[rel], o) for sent in ds.objects(st, PROV.wasDerivedFrom))
            if not ok:
                missing.append(f"{s} {rel} {o}")
    assert checked, "no relation between two entities was extracted"
    assert not missing, f"{len(missing)} of {checked} relation triples lack a kg:Assertion with a source sentence: " \
                        + "; ".join(missing[:10])


def test_document_named_graphs(ds, seeds_out):
    docs = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    names = {str(g.identifier) for g in ds.graphs()}
    for d in docs:
        assert f"{KGR_NS}graph/{iri_segment(d)}" in names, f"no named graph for {d}"
    assert str(REFERENCE_GRAPH) in names and str(ANALYSIS_GRAPH) in names


# ---------------------------------------------------------------- IRI stability

def test_iris_stable_across_builds(ds, seeds_out, tmp_path):
    from kg.cli import main

    out2 = tmp_path / "again"
    rc = main(["build", str(ROOT / "seeds"), "--out", str(out2), "--quiet"])
    assert rc in (0, 1)
    d2 = rdflib.Dataset(default_union=True)
    d2.parse(out2 / "graph.trig", format="trig")
    first, second = _entity_iris(ds), _entity_iris(d2)
    assert first, "no entities"
    assert first == second, f"only in build 1: {sorted(first - second)[:10]}; only in build 2: {sorted(second - first)[:10]}"
    for cls in (KG.Assertion, KG.Sentence, KG.Document, KG.ChainLeaderAssessment, KG.Gap):
        a = {str(x) for x in ds.subjects(RDF.type, cls)}
        b = {str(x) for x in d2.subjects(RDF.type, cls)}
        assert a == b, f"{cls} IRIs differ between builds: {sorted(a ^ b)[:10]}"
    # the contract's IRI for the chain leader, spelled out
    assert URIRef(HUAYE) in {URIRef(x) for x in second}


def test_entity_iris_follow_contract(ds):
    bad = []
    for t in ENTITY_TYPES:
        for s in ds.subjects(RDF.type, KG[t]):
            label = next((str(l) for l in ds.objects(s, RDFS.label)), None)
            if str(s).startswith(KGR_NS + t + "/") and label is not None and str(s) != entity_iri(t, label):
                bad.append(f"{s} (label {label})")
    assert not bad, bad[:10]


# ---------------------------------------------------------------- bad input next to good input

GOOD_TEXT = ("山西高科华烨电子集团作为光电LED产业链“链主”，紧盯目标配套企业发力，吸引了深圳等地多家上游供应商在长治投资建厂。\n"
             "总投资20亿元的年产4万吨锂离子动力储能电池负极材料一体化项目在长治高新区加速建设。\n")
BAD_FILES = {
    "empty": b"",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
    "undecodable": b"hello \x80\xff\x80\xff world \x81\xff\n",
}


def test_bad_files_skipped_good_file_built(tmp_path):
    """One good document beside an empty, a binary and an undecodable file (one build, ~20 s):
    the good one is built, each bad one is reported by name, exit code 1."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    bad_names = []
    for kind, data in sorted(BAD_FILES.items()):
        bad_names.append(f"bad_{kind}.txt")
        (src / bad_names[-1]).write_bytes(data)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    msg = proc.stdout + proc.stderr
    assert proc.returncode == 1, f"exit code {proc.returncode}, expected 1:\n{msg[-2000:]}"
    for name in bad_names:
        assert name in msg, f"{name} not reported:\n{msg[-2000:]}"
    assert "Traceback" not in msg
    d = rdflib.Dataset(default_union=True)
    d.parse(out / "graph.trig", format="trig")
    graphs = {str(g.identifier): g for g in d.graphs()}
    good = f"{KGR_NS}graph/{iri_segment('good.txt')}"
    assert good in graphs and len(graphs[good]) > 0, f"no named graph for good.txt in {sorted(graphs)}"
    for name in bad_names:
        assert f"{KGR_NS}graph/{iri_segment(name)}" not in graphs
    assert (URIRef(f"{KGR_NS}doc/{iri_segment('good.txt')}"), RDF.type, KG.Document) in d
