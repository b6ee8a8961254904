"""Oxigraph store: build, open, canned queries, SPARQL endpoint over HTTP, Graph Store push, errors."""
from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import (PushError, QueryError, build_store, canned_queries, format_result, make_server,
                      open_store, push, run_query)

SAMPLE_TRIG = """@prefix kg:   <https://w3id.org/chainkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix e:    <https://w3id.org/chainkg/id/Enterprise/> .
@prefix pl:   <https://w3id.org/chainkg/id/> .

<https://w3id.org/chainkg/id/graph/reference> {
  <https://w3id.org/chainkg/id/City/长治市> a kg:City ; rdfs:label "长治市"@zh ; skos:prefLabel "长治市"@zh .
  <https://w3id.org/chainkg/id/County/潞城区> a kg:County ; rdfs:label "潞城区"@zh ; skos:prefLabel "潞城区"@zh ;
      kg:locatedIn <https://w3id.org/chainkg/id/City/长治市> .
  <https://w3id.org/chainkg/id/IndustryCluster/新材料产业集群> a kg:IndustryCluster, skos:Concept ;
      rdfs:label "新材料产业集群"@zh ; skos:prefLabel "新材料产业集群"@zh ; kg:tier "百亿级" .
  <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> a kg:IndustryChain ; rdfs:label "半导体产业链"@zh ;
      kg:forCluster <https://w3id.org/chainkg/id/IndustryCluster/新材料产业集群> .
  <https://w3id.org/chainkg/id/ChainSegment/半导体产业链/衬底> a kg:ChainSegment ; rdfs:label "衬底"@zh ;
      kg:segmentOf <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ; kg:position "上游" .
  <https://w3id.org/chainkg/id/ChainSegment/半导体产业链/封装> a kg:ChainSegment ; rdfs:label "封装"@zh ;
      kg:segmentOf <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ; kg:position "下游" .
}

<https://w3id.org/chainkg/id/graph/000_demo.txt> {
  <https://w3id.org/chainkg/id/doc/000_demo.txt> a kg:Document, prov:Entity ;
      dcterms:title "000_demo.txt" ; kg:sha256 "00" ; kg:encoding "utf-8" .
  <https://w3id.org/chainkg/id/doc/000_demo.txt/s0> a kg:Sentence, prov:Entity ;
      kg:text "山西高科华烨电子集团有限公司位于潞城区，属于新材料产业集群。" ;
      kg:startOffset 0 ; kg:endOffset 30 ; dcterms:isPartOf <https://w3id.org/chainkg/id/doc/000_demo.txt> .
  <https://w3id.org/chainkg/id/doc/000_demo.txt/s1> a kg:Sentence, prov:Entity ;
      kg:text "华烨电子实施年产4万吨碳化硅衬底项目，总投资20亿元，落户长治高新区。" ;
      kg:startOffset 30 ; kg:endOffset 64 ; dcterms:isPartOf <https://w3id.org/chainkg/id/doc/000_demo.txt> .
  <https://w3id.org/chainkg/id/doc/000_demo.txt/s2> a kg:Sentence, prov:Entity ;
      kg:text "长治市光电科技有限公司与山西高科华烨电子集团有限公司签约，为其供应衬底材料。" ;
      kg:startOffset 64 ; kg:endOffset 100 ; dcterms:isPartOf <https://w3id.org/chainkg/id/doc/000_demo.txt> .

  e:山西高科华烨电子集团有限公司 a kg:Enterprise ; rdfs:label "山西高科华烨电子集团有限公司"@zh ;
      skos:prefLabel "山西高科华烨电子集团有限公司"@zh ; skos:altLabel "华烨电子"@zh ;
      kg:mention <https://w3id.org/chainkg/id/doc/000_demo.txt/m0-14> ;
      kg:locatedIn <https://w3id.org/chainkg/id/County/潞城区> ;
      kg:belongsToCluster <https://w3id.org/chainkg/id/IndustryCluster/新材料产业集群> ;
      kg:belongsToChain <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ;
      kg:implements <https://w3id.org/chainkg/id/Project/年产4万吨碳化硅衬底项目> ;
      kg:produces <https://w3id.org/chainkg/id/Product/碳化硅衬底> .
  e:长治市光电科技有限公司 a kg:Enterprise ; rdfs:label "长治市光电科技有限公司"@zh ;
      skos:prefLabel "长治市光电科技有限公司"@zh ;
      kg:locatedIn <https://w3id.org/chainkg/id/County/潞城区> ;
      kg:belongsToCluster <https://w3id.org/chainkg/id/IndustryCluster/新材料产业集群> ;
      kg:suppliesTo e:山西高科华烨电子集团有限公司 ;
      kg:signedWith e:山西高科华烨电子集团有限公司 .
  <https://w3id.org/chainkg/id/Project/年产4万吨碳化硅衬底项目> a kg:Project ;
      rdfs:label "年产4万吨碳化硅衬底项目"@zh ; skos:prefLabel "年产4万吨碳化硅衬底项目"@zh ;
      kg:investmentAmount "2000000000"^^xsd:decimal ; kg:investmentText "20亿元" ; kg:capacityText "年产4万吨" ;
      kg:locatedIn <https://w3id.org/chainkg/id/Park/长治高新区> .
  <https://w3id.org/chainkg/id/Project/光电材料二期项目> a kg:Project ;
      rdfs:label "光电材料二期项目"@zh ; kg:investmentAmount "300000000"^^xsd:decimal ; kg:investmentText "3亿元" ;
      kg:locatedIn <https://w3id.org/chainkg/id/Park/长治高新区> .
  e:长治市光电科技有限公司 kg:implements <https://w3id.org/chainkg/id/Project/光电材料二期项目> .
  <https://w3id.org/chainkg/id/Park/长治高新区> a kg:Park ; rdfs:label "长治高新区"@zh ;
      kg:locatedIn <https://w3id.org/chainkg/id/City/长治市> .
  <https://w3id.org/chainkg/id/Product/碳化硅衬底> a kg:Product ; rdfs:label "碳化硅衬底"@zh .

  <https://w3id.org/chainkg/id/doc/000_demo.txt/m0-14> a kg:Mention, prov:Entity ; kg:text "山西高科华烨电子集团有限公司" ;
      kg:startOffset 0 ; kg:endOffset 14 ; kg:inSentence <https://w3id.org/chainkg/id/doc/000_demo.txt/s0> ;
      kg:denotes e:山西高科华烨电子集团有限公司 .

  <https://w3id.org/chainkg/id/stmt/0000000000000001> a kg:Assertion, rdf:Statement, prov:Entity ;
      rdf:subject e:山西高科华烨电子集团有限公司 ; rdf:predicate kg:locatedIn ; rdf:object <https://w3id.org/chainkg/id/County/潞城区> ;
      prov:wasDerivedFrom <https://w3id.org/chainkg/id/doc/000_demo.txt/s0> ; kg:confidence 0.9 .
  <https://w3id.org/chainkg/id/stmt/0000000000000002> a kg:Assertion, rdf:Statement, prov:Entity ;
      rdf:subject e:山西高科华烨电子集团有限公司 ; rdf:predicate kg:implements ; rdf:object <https://w3id.org/chainkg/id/Project/年产4万吨碳化硅衬底项目> ;
      prov:wasDerivedFrom <https://w3id.org/chainkg/id/doc/000_demo.txt/s1> ; kg:confidence 0.9 .
  <https://w3id.org/chainkg/id/stmt/0000000000000003> a kg:Assertion, rdf:Statement, prov:Entity ;
      rdf:subject e:长治市光电科技有限公司 ; rdf:predicate kg:suppliesTo ; rdf:object e:山西高科华烨电子集团有限公司 ;
      prov:wasDerivedFrom <https://w3id.org/chainkg/id/doc/000_demo.txt/s2> ; kg:confidence 0.9 .
  <https://w3id.org/chainkg/id/stmt/0000000000000004> a kg:Assertion, rdf:Statement, prov:Entity ;
      rdf:subject <https://w3id.org/chainkg/id/Project/年产4万吨碳化硅衬底项目> ; rdf:predicate kg:investmentAmount ; rdf:object "2000000000"^^xsd:decimal ;
      prov:wasDerivedFrom <https://w3id.org/chainkg/id/doc/000_demo.txt/s1> ; kg:confidence 0.9 .
}

<https://w3id.org/chainkg/id/graph/analysis> {
  <https://w3id.org/chainkg/id/assessment/半导体产业链/山西高科华烨电子集团有限公司> a kg:ChainLeaderAssessment ;
      kg:enterprise e:山西高科华烨电子集团有限公司 ; kg:chain <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ;
      kg:score 0.82 ; kg:rank 1 ; kg:textScore 0.7 ; kg:structureScore 0.9 ;
      prov:wasDerivedFrom <https://w3id.org/chainkg/id/doc/000_demo.txt/s1> .
  <https://w3id.org/chainkg/id/assessment/半导体产业链/长治市光电科技有限公司> a kg:ChainLeaderAssessment ;
      kg:enterprise e:长治市光电科技有限公司 ; kg:chain <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ;
      kg:score 0.41 ; kg:rank 2 ; kg:textScore 0.3 ; kg:structureScore 0.5 .
  e:山西高科华烨电子集团有限公司 kg:chainLeaderOf <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ;
      kg:inSegment <https://w3id.org/chainkg/id/ChainSegment/半导体产业链/衬底> .
  <https://w3id.org/chainkg/id/gap/半导体产业链/封装> a kg:Gap ; kg:chain <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ;
      kg:segment <https://w3id.org/chainkg/id/ChainSegment/半导体产业链/封装> ; kg:status "缺失" ; kg:gapKind "补链" .
  <https://w3id.org/chainkg/id/gap/半导体产业链/衬底> a kg:Gap ; kg:chain <https://w3id.org/chainkg/id/IndustryChain/半导体产业链> ;
      kg:segment <https://w3id.org/chainkg/id/ChainSegment/半导体产业链/衬底> ; kg:status "已覆盖" ; kg:gapKind "强链" ;
      kg:player e:山西高科华烨电子集团有限公司 .
}
"""

EXPECT = {  # canned query -> (min rows, a value that must appear somewhere in the result)
    "enterprises_by_cluster_county": (2, "潞城区"),
    "projects_over_amount_by_park": (1, "年产4万吨碳化硅衬底项目"),
    "chain_leaders": (2, "华烨电子实施年产4万吨碳化硅衬底项目，总投资20亿元，落户长治高新区。"),
    "gaps_by_chain": (2, "缺失"),
    "enterprise_profile": (5, "000_demo.txt"),
    "facts_per_document": (1, "000_demo.txt"),
    "document_facts": (4, "长治市光电科技有限公司与山西高科华烨电子集团有限公司签约，为其供应衬底材料。"),
}


def _canned() -> dict[str, str]:
    """The canned queries with their documented parameters set for the sample data, as a user would."""
    qs = canned_queries()
    qs["document_facts"] = qs["document_facts"].replace('VALUES ?文档 { "000_00aa1898deac1099.txt" }',
                                                        'VALUES ?文档 { "000_demo.txt" }')
    return qs


def write_sample_out(out: Path) -> dict:
    """An output folder holding SAMPLE_TRIG (graph.trig, graph.nq) and its store; the store's counts."""
    (out / "graph.trig").write_text(SAMPLE_TRIG, encoding="utf-8")
    mem = ox.Store()
    mem.load(SAMPLE_TRIG.encode("utf-8"), format=ox.RdfFormat.TRIG)
    (out / "graph.nq").write_bytes(mem.dump(format=ox.RdfFormat.N_QUADS))
    return build_store(out, out / "store")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    counts = write_sample_out(out)
    assert counts["quads"] == 148 and counts["graphs"] == 3
    return out


def test_build_is_atomic_and_repeatable(out_dir, tmp_path):
    c = build_store(out_dir, tmp_path / "store")
    c2 = build_store(out_dir, tmp_path / "store")  # rebuild over an existing store
    assert c["quads"] == c2["quads"] == 148
    assert "https://w3id.org/chainkg/id/graph/analysis" in c2["per_graph"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no temp dirs left behind


def test_open_variants(out_dir):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for p in (out_dir, out_dir / "store", out_dir / "graph.trig"):
        st = open_store(p)
        assert run_query(st, q).rows == [["148"]], p
    mem = open_store(out_dir / "store", memory=True)  # in-memory copy (what serve does read-only)
    assert run_query(mem, q).rows == [["148"]]
    mem.update("CLEAR ALL")  # the copy is independent of the persistent store
    assert run_query(open_store(out_dir), q).rows == [["148"]]
    with pytest.raises(FileNotFoundError):
        open_store(out_dir / "nope")


DUP_TRIG = """@prefix kg: <https://w3id.org/chainkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:g1> { <urn:e> a kg:Enterprise ; rdfs:label "甲"@zh ; kg:locatedIn <urn:p> . }
<urn:g2> { <urn:e> a kg:Enterprise ; rdfs:label "甲"@zh ; kg:produces <urn:x> . }
<https://w3id.org/chainkg/id/graph/reference> { <urn:p> a kg:Park ; rdfs:label "园"@zh . }
"""


def test_default_graph_is_deduplicated_union(tmp_path):
    """Each triple once in the default graph; GRAPH ?g still sees the per-document graphs."""
    from kg.store import UNION_MARKER, default_is_union
    (tmp_path / "graph.trig").write_text(DUP_TRIG, encoding="utf-8")
    c = build_store(tmp_path, tmp_path / "store")
    assert (c["quads"], c["default_graph_triples"], c["stored_quads"]) == (8, 6, 14)
    assert (tmp_path / "store" / UNION_MARKER).exists()
    plain = build_store(tmp_path, tmp_path / "plain", union_default=False)
    assert (plain["quads"], plain["default_graph_triples"]) == (8, 0)
    n_default = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n_named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    label = "SELECT ?l WHERE { ?e a <https://w3id.org/chainkg/ontology#Enterprise> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    for st in (open_store(tmp_path / "store"), open_store(tmp_path / "store", memory=True),
               open_store(tmp_path / "graph.trig")):
        assert default_is_union(st)
        assert run_query(st, n_default).rows == [["6"]]
        assert run_query(st, n_named).rows == [["8"]]
        assert run_query(st, label).rows == [["甲"]]  # not once per document graph
        assert run_query(st, label, timeout=10).rows == [["甲"]]  # forked worker: same mode
        assert run_query(st, n_default, union=True).rows == [["14"]]  # forced on-the-fly union
    old = open_store(tmp_path / "plain")  # no copy: on-the-fly union, 2 x 2 duplicates
    assert not default_is_union(old)
    assert run_query(old, label).rows == [["甲"]] * 4 and run_query(old, n_named).rows == [["8"]]
    # opened writable, the copy is dropped (writes would leave it stale): union of named graphs again
    w = open_store(tmp_path / "store", read_only=False)
    assert not default_is_union(w) and not (tmp_path / "store" / UNION_MARKER).exists()
    assert run_query(w, n_named).rows == [["8"]] and len(run_query(w, label)) == 4
    del w


def test_canned_queries_embedded(out_dir):
    st = open_store(out_dir)
    qs = _canned()
    assert set(EXPECT) <= set(qs)
    for name, text in qs.items():
        assert text.startswith("# 问题："), name
        res = run_query(st, text)
        n, needle = EXPECT.get(name, (0, ""))
        assert len(res) >= n, (name, res.rows)
        flat = [x for row in res.rows for x in row if x]
        assert any(needle in x for x in flat), (name, needle, res.rows)
    res = run_query(st, qs["projects_over_amount_by_park"])
    assert [r["项目"] for r in res.dicts()] == ["年产4万吨碳化硅衬底项目"]  # 3亿元 project is below 10亿
    leaders = run_query(st, qs["chain_leaders"]).dicts()
    assert leaders[0]["企业"] == "山西高科华烨电子集团有限公司" and leaders[0]["名次"] == "1"
    lowered = qs["projects_over_amount_by_park"].replace("BIND(10 AS ?最低亿元)", "BIND(1 AS ?最低亿元)")
    assert len(run_query(st, lowered)) == 2


def test_formats(out_dir):
    st = open_store(out_dir)
    res = run_query(st, canned_queries()["enterprises_by_cluster_county"])
    table = format_result(res, "table").splitlines()
    from kg.store import _width
    assert len({_width(line) for line in table[:-1]}) == 1  # CJK-aware alignment
    rows = list(csv.reader(io.StringIO(format_result(res, "csv"))))
    assert rows[0] == res.vars and len(rows) == 3
    js = json.loads(format_result(res, "json"))
    assert js["head"]["vars"] == res.vars and len(js["results"]["bindings"]) == 2
    assert js["results"]["bindings"][0]["企业"]["xml:lang"] == "zh"
    assert format_result(run_query(st, "ASK { ?s ?p ?o }"), "json") == '{"head": {}, "boolean": true}'
    g = run_query(st, "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/chainkg/ontology#Park> ; ?p ?o }")
    assert g.kind == "graph" and len(g) == 3 and "长治高新区" in format_result(g, "ttl")


def test_bad_query_has_line_and_column(out_dir):
    st = open_store(out_dir)
    with pytest.raises(QueryError) as ei:
        run_query(st, "SELECT ?x\nWHERE { ?x ?y }")
    e = ei.value
    assert e.line == 2 and e.column is not None
    assert "第 2 行" in str(e) and "Traceback" not in str(e)
    with pytest.raises(QueryError) as ei:  # the same through the timeout path
        run_query(st, "SELECT ?x WHERE { ?x a kg:Enterprise }", timeout=5)
    assert ei.value.line == 1 and "前缀" in str(ei.value)


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h . ?i ?u ?j }"


def test_timeout_stops_query(out_dir):
    st = open_store(out_dir)
    t0 = time.perf_counter()
    with pytest.raises(QueryError, match=r"查询超时（1 秒）"):
        run_query(st, SLOW, timeout=1)
    assert time.perf_counter() - t0 < 5
    # a normal query under a timeout still works (forked worker)
    assert run_query(st, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=10).rows == [["148"]]


# ---------------------------------------------------------------- HTTP

class Running:
    def __init__(self, store_dir, **kw):
        self.srv = make_server(store_dir, port=0, **kw)
        self.url = self.srv.url
        self.th = threading.Thread(target=self.srv.serve_forever, daemon=True)

    def __enter__(self):
        self.th.start()
        return self

    def __exit__(self, *a):
        self.srv.shutdown()
        self.srv.server_close()
        self.th.join(5)


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8")


def sparql_get(base, q, accept="application/sparql-results+json"):
    return http("GET", f"{base}/sparql?query={urllib.parse.quote(q)}", headers={"Accept": accept})


def test_http_endpoint_read_only(out_dir):
    with Running(out_dir / "store", timeout=2) as s:
        for name, text in _canned().items():
            code, ctype, body = sparql_get(s.url, text)
            assert code == 200 and ctype.startswith("application/sparql-results+json"), (name, body)
            res = json.loads(body)
            n, needle = EXPECT.get(name, (0, ""))
            assert len(res["results"]["bindings"]) >= n, name
            assert needle in body, name
        q = canned_queries()["gaps_by_chain"]
        code, ctype, body = sparql_get(s.url, q, "text/csv")
        assert code == 200 and ctype.startswith("text/csv") and body.startswith("产业链,位置,环节")
        code, ctype, body = sparql_get(s.url, q, "application/sparql-results+xml")
        assert code == 200 and "<sparql" in body and "封装" in body
        # POST forms of the protocol
        code, _, body = http("POST", f"{s.url}/sparql", q.encode("utf-8"),
                             {"Content-Type": "application/sparql-query"})
        assert code == 200 and "封装" in body
        code, _, body = http("POST", f"{s.url}/sparql", urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded"})
        assert code == 200 and json.loads(body)["boolean"] is True
        # errors: bad query -> 400 with position; update and GSP writes -> 403; timeout -> 503
        code, _, body = sparql_get(s.url, "SELECT ?x\nWHERE { ?x ?y }")
        assert code == 400 and "第 2 行" in body
        code, _, body = http("POST", f"{s.url}/sparql", b"CLEAR ALL", {"Content-Type": "application/sparql-update"})
        assert code == 403
        code, _, _ = http("PUT", f"{s.url}/store?graph=urn:x", b"<urn:a> <urn:b> <urn:c> .",
                          {"Content-Type": "text/turtle"})
        assert code == 403
        code, _, body = sparql_get(s.url, SLOW)
        assert code == 503 and "超时" in body
        # GSP read of one graph
        g = "https://w3id.org/chainkg/id/graph/analysis"
        code, ctype, body = http("GET", f"{s.url}/store?graph={urllib.parse.quote(g, safe='')}",
                                 headers={"Accept": "application/n-triples"})
        assert code == 200 and body.count("\n") == 28
        # the whole dataset: the named graphs as built, without the default-graph union copy
        code, ctype, body = http("GET", f"{s.url}/store", headers={"Accept": "application/n-quads"})
        assert code == 200 and body.count("\n") == 148
        # push to a read-only endpoint: clear Chinese error
        with pytest.raises(PushError, match="HTTP 403"):
            push(out_dir, f"{s.url}/store")
    with pytest.raises(PushError, match="无法连接"):
        push(out_dir, s.url + "/store")  # server stopped


TOKEN = "test-token-123"


def test_push_graph_store_protocol(out_dir, tmp_path):
    target = tmp_path / "target"
    with Running(target, read_only=False, timeout=None, token=TOKEN) as s:
        with pytest.raises(PushError, match="HTTP 401"):  # writes need the token
            push(out_dir, f"{s.url}/store")
        r = push(out_dir, f"{s.url}/store", token=TOKEN)
        # named graphs only: the store's default-graph union copy is not pushed a second time
        assert r["graphs"] == 3 and r["triples"] == 148
        assert all(x["graph"] for x in r["requests"])
        assert all(x["status"] == 201 for x in r["requests"])
        code, _, body = http("GET", f"{s.url}/store?default", headers={"Accept": "application/n-triples"})
        assert code == 200 and body.strip() == ""
        code, _, body = sparql_get(s.url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "148"
        # PUT replaces: pushing again keeps the same size and answers 204
        r = push(out_dir, f"{s.url}/store", token=TOKEN)
        assert all(x["status"] == 204 for x in r["requests"])
        code, _, body = sparql_get(s.url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "148"
        # the canned queries answer the same on the pushed copy
        code, _, body = sparql_get(s.url, canned_queries()["chain_leaders"])
        assert "山西高科华烨电子集团有限公司" in body
        code, _, body = sparql_get(s.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "148"
        # union into a single graph
        r = push(out_dir, f"{s.url}/store", graph_iri="https://example.org/all", per_graph=False, token=TOKEN)
        assert r["graphs"] == 1 and r["triples"] == 148
        # writable endpoint accepts SPARQL update
        code, _, _ = http("POST", f"{s.url}/sparql", b"DROP GRAPH <https://example.org/all>",
                          {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        assert code == 204
