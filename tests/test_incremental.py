"""Incremental `kg build`: cached per-document extractions, equal to a from-scratch build."""
from __future__ import annotations

import json
import shutil

import pytest

from kg import incremental, rdf
from kg.cli import main

DOCS = {
    "a.txt": "晋东新材料有限公司在潞城区投资5亿元建设年产2万吨碳纤维项目。该项目位于潞城经济开发区。",
    "b.txt": "长治市装备制造产业集群加快发展，太行重工有限公司是装备制造产业链的链主企业。",
    "c.txt": "屯留区签约光伏组件项目，由晶辉新能源有限公司实施，总投资12亿元。",
}


def _write(folder, names, changed=None):
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / n).write_text((changed or {}).get(n, DOCS[n]), encoding="utf-8")


def _build(src, out, capsys):
    capsys.readouterr()
    rc = main(["build", str(src), "--out", str(out)])
    assert rc in (0, 1)
    return capsys.readouterr().err


@pytest.fixture
def fixed_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _fresh(src, tmp_path, capsys):
    """A from-scratch build of the same documents (another folder, no cache)."""
    copy, out = tmp_path / "fresh-src", tmp_path / "fresh-out"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(src, copy)
    _build(copy, out, capsys)
    return out


def test_added_document_equals_a_fresh_build(tmp_path, capsys, fixed_time, monkeypatch):
    from kg import shacl

    focus = []  # what SHACL validated on each build (None: everything)
    real = shacl.affected_focus
    monkeypatch.setattr(shacl, "affected_focus", lambda *a: focus.append(real(*a)) or focus[-1])
    reused = []  # graph.nq lines taken from the last build's (None: dumped whole)
    lines = incremental.NQuadsReuse.lines
    monkeypatch.setattr(incremental.NQuadsReuse, "lines", lambda self, st: reused.append(lines(self, st)) or reused[-1])
    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, ["a.txt", "b.txt"])
    err = _build(src, out, capsys)
    assert "增量构建" not in err  # nothing cached yet
    assert not focus and (out / incremental.SHACL_CACHE).is_file()
    cache = [json.loads(x) for x in (out / incremental.CACHE).read_text(encoding="utf-8").splitlines()]
    assert {r["doc"] for r in cache} == {"a.txt", "b.txt"}
    # one document added: the other two come from the cache, the result equals a fresh build
    _write(src, ["c.txt"])
    err = _build(src, out, capsys)
    assert "复用 2 篇文档的抽取结果，重新抽取 1 篇" in err
    assert len(focus) == 1 and focus[0] is not None  # SHACL on what the new graph reaches only
    assert len(reused) == 1 and reused[0] is not None
    fresh = _fresh(src, tmp_path, capsys)
    for name in ("graph.nq", "validation.txt"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes()
    assert "graph/c.txt" in (out / "graph.nq").read_text(encoding="utf-8")


@pytest.mark.slow
def test_changed_and_removed_documents_equal_a_fresh_build(tmp_path, capsys, fixed_time):
    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, ["a.txt", "b.txt", "c.txt"])
    _build(src, out, capsys)
    # one changed, one removed: re-extracted / its named graph gone; equal to a fresh build
    (src / "a.txt").write_text(DOCS["a.txt"].replace("5亿元", "8亿元"), encoding="utf-8")
    (src / "b.txt").unlink()
    err = _build(src, out, capsys)
    assert "复用 1 篇文档的抽取结果，重新抽取 1 篇" in err
    nq = (out / "graph.nq").read_text(encoding="utf-8")
    assert "graph/b.txt" not in nq and "800000000" in nq and "500000000" not in nq
    assert (out / "graph.nq").read_bytes() == (_fresh(src, tmp_path, capsys) / "graph.nq").read_bytes()


@pytest.mark.slow
def test_new_extractor_version_extracts_everything_again(tmp_path, capsys, monkeypatch):
    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, ["a.txt"])
    _build(src, out, capsys)
    assert "复用 1 篇" in _build(src, out, capsys)
    monkeypatch.setattr(incremental, "extractor_version", lambda *a, **k: "another-release")
    assert "增量构建" not in _build(src, out, capsys)


def test_damaged_cache_line_is_extracted_again(tmp_path, capsys):
    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, ["a.txt", "c.txt"])
    _build(src, out, capsys)
    cache = out / incremental.CACHE
    lines = cache.read_text(encoding="utf-8").splitlines()
    cache.write_text(lines[0][: len(lines[0]) // 2] + "\n" + lines[1] + "\n", encoding="utf-8")
    assert "复用 1 篇文档的抽取结果，重新抽取 1 篇" in _build(src, out, capsys)


def test_version_digest_follows_data_files(tmp_path):
    region = tmp_path / "region"
    region.mkdir()
    (region / "x.ttl").write_text("# one\n", encoding="utf-8")
    v1 = incremental.extractor_version([region])
    assert v1 == incremental.extractor_version([region])
    (region / "x.ttl").write_text("# two\n", encoding="utf-8")
    assert incremental.extractor_version([region]) != v1


def _store_quads(out):
    import pyoxigraph as ox

    st = ox.Store.read_only(str(out / "store"))
    return sorted(st.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines())


def test_store_is_updated_graph_by_graph_and_equals_a_fresh_build(tmp_path, capsys, monkeypatch, fixed_time):
    from kg import store

    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, ["a.txt", "b.txt", "c.txt"])
    _build(src, out, capsys)
    assert (out / "store" / store.GRAPH_DIGESTS).is_file()
    updated = []
    real = store._update_store
    monkeypatch.setattr(store, "_update_store", lambda *a: updated.append(real(*a)) or updated[-1])
    # one changed, one removed: only their graphs and the derived ones are touched in the store
    (src / "a.txt").write_text(DOCS["a.txt"].replace("5亿元", "8亿元"), encoding="utf-8")
    (src / "b.txt").unlink()
    assert "复用 1 篇文档的抽取结果，重新抽取 1 篇" in _build(src, out, capsys)
    assert len(updated) == 1 and 2 <= updated[0] <= 4  # a, b, and the analysis graph if it changed
    quads = _store_quads(out)
    assert not any("graph/b.txt" in q for q in quads) and any("graph/a.txt" in q for q in quads)
    fresh = _fresh(src, tmp_path, capsys)
    assert quads == _store_quads(fresh)
    assert (out / "graph.nq").read_bytes() == (fresh / "graph.nq").read_bytes()
    # unchanged documents' cache lines are copied: the same file a fresh build writes
    assert (out / incremental.CACHE).read_bytes() == (fresh / incremental.CACHE).read_bytes()


def test_store_opened_for_writing_is_rebuilt_afresh(tmp_path, capsys, monkeypatch):
    from kg import store

    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, ["a.txt"])
    _build(src, out, capsys)
    st = store.open_store(out / "store", read_only=False)  # SPARQL updates may change it: digests dropped
    del st
    assert not (out / "store" / store.GRAPH_DIGESTS).exists()
    monkeypatch.setattr(store, "_update_store", lambda *a: pytest.fail("stale store updated in place"))
    _build(src, out, capsys)
    assert (out / "store" / store.GRAPH_DIGESTS).is_file()


def test_unchanged_document_graphs_come_from_the_quad_cache(tmp_path, capsys, monkeypatch, fixed_time):
    """A rebuild after adding a document loads the other documents' graphs from cache/graphs.nq;
    the graph files, the validation report and the store equal a fresh build's."""
    seen = []
    close = incremental.QuadCache.close

    def counted(self):
        seen.append((self.hits, self.misses))
        close(self)

    monkeypatch.setattr(incremental.QuadCache, "close", counted)
    src, out = tmp_path / "src", tmp_path / "out"
    _write(src, ["a.txt", "c.txt"])
    _build(src, out, capsys)
    _write(src, ["b.txt"])
    _build(src, out, capsys)
    # two caches per build: the analysis input's context.nt, then the store's graphs.nq
    assert seen[:2] == [(0, 2), (0, 2)] and all(h >= 1 and h + m == 3 for h, m in seen[2:]), seen
    fresh = _fresh(src, tmp_path, capsys)
    for f in ("graph.nq", "graph.trig", "graph.ttl", "validation.txt", "leaders.csv", "gaps.csv", "facts.csv",
              incremental.QUAD_CACHE, rdf.CONTEXT_FILE):
        assert (out / f).read_bytes() == (fresh / f).read_bytes(), f


def test_document_graph_key_follows_what_the_graph_is_made_from():
    from kg import quads
    from kg.resolve import build_kb

    from test_rdf import news

    kb = build_kb(news())
    graphs = quads.DocumentGraphs(kb)
    doc_id = next(d for d, p in graphs.plans.items() if p.mentions)
    before = graphs.key(doc_id)
    assert before == quads.DocumentGraphs(kb).key(doc_id)
    others = {d: graphs.key(d) for d in graphs.plans if d != doc_id}
    key, _m = graphs.plans[doc_id].mentions[0]
    kb.entities[key].aliases.add("另一个名字")  # an alias is written in every graph naming the entity
    assert quads.DocumentGraphs(kb).key(doc_id) != before
    kb.entities[key].aliases.discard("另一个名字")
    assert quads.DocumentGraphs(kb).key(doc_id) == before
    cited = {quads.sentence_iri(doc_id, 10_000)}  # a sentence the analysis cites gets its node
    again = quads.DocumentGraphs(kb, extra_sentences=cited)
    assert again.key(doc_id) != before and {d: again.key(d) for d in others} == others
    # the analysis input's pass and the store's share each document's digest of inputs
    shared: dict = {}
    context = quads.DocumentGraphs(kb, mentions="context", digests=shared).key(doc_id)
    assert shared and context != before == quads.DocumentGraphs(kb, digests=shared).key(doc_id)


def test_analysis_input_read_back_from_context_cache_is_the_same_graph(tmp_path):
    """Documents whose key is unchanged are read back from cache/context.nt: the same rdflib terms
    (type, lexical form, datatype, language, value), triples in the same order, as made afresh."""
    from kg.resolve import build_kb

    from test_rdf import news

    kb = build_kb(news())
    ref = tmp_path / "first"
    c = incremental.QuadCache(None, ref, file=rdf.CONTEXT_FILE, kind="context")
    made = rdf.analysis_input(kb, cache=c)
    c.close()
    c = incremental.QuadCache(ref, tmp_path / "second", file=rdf.CONTEXT_FILE, kind="context")
    read = rdf.analysis_input(kb, cache=c)
    c.close()
    assert c.hits == len(kb.documents) and c.misses == 0
    a, b = list(made), list(read)
    assert a == b
    for x, y in zip(a, b):
        for s, t in zip(x, y):
            assert type(s) is type(t) and getattr(s, "datatype", None) == getattr(t, "datatype", None)
            assert getattr(s, "language", None) == getattr(t, "language", None)
            assert getattr(s, "value", None) == getattr(t, "value", None)
    assert any(isinstance(t[2], rdf.Literal) and t[2].datatype is not None for t in b)
    assert any(isinstance(t[2], rdf.Literal) and t[2].language for t in b)
    assert ((ref / rdf.CONTEXT_FILE).read_bytes() == (tmp_path / "second" / rdf.CONTEXT_FILE).read_bytes())


def test_nt_reader_unescapes_what_the_writer_escapes():
    from rdflib import Literal, URIRef

    terms = rdf.quads.rdflib_terms()
    odd = ['引号"与反斜杠\\n不是换行', "换行\n回车\r", "分隔\x1c\u2028符", "> 尖括号 <x> . 结尾\\"]
    triples = [(URIRef("http://e/s"), URIRef("http://e/p"), Literal(t)) for t in odd]
    triples.append((URIRef("http://e/s"), URIRef("http://e/q"), Literal("长治", lang="zh")))
    triples.append((URIRef("http://e/s"), URIRef("http://e/r"), Literal("1.50", datatype=rdf.XSD.decimal)))
    data = rdf._NTriples(None).text(triples).encode("utf-8")
    back = rdf._NTReader(terms).triples(data)
    assert back == triples
    assert [t[2].language for t in back] == [t[2].language for t in triples]


def test_analysis_input_read_back_from_term_indexes_is_the_same_graph(tmp_path):
    """cache/context.ids: unchanged documents come back from their term indexes, the same triples in
    the same order as made afresh and as read from context.nt; a removed document's terms stay in
    the table until most of it is unused, then the file is dropped (made again next time)."""
    from kg.resolve import build_kb

    from test_rdf import news

    kb = build_kb(news())

    def run(old, new):
        c = incremental.QuadCache(old, new, file=rdf.CONTEXT_FILE, kind="context")
        ids = incremental.TermIds(old, new)
        g = rdf.analysis_input(kb, cache=c, ids=ids)
        c.close()
        ids.close()
        return list(g), ids

    made, ids = run(None, tmp_path / "a")
    assert ids.hits == 0 and (tmp_path / "a" / incremental.CONTEXT_IDS).is_file()
    back, ids = run(tmp_path / "a", tmp_path / "b")
    assert back == made and ids.hits == len(kb.documents)
    for x, y in zip(made, back):
        assert all(type(s) is type(t) and getattr(s, "datatype", None) == getattr(t, "datatype", None)
                   and getattr(s, "language", None) == getattr(t, "language", None) for s, t in zip(x, y))
    assert ((tmp_path / "a" / incremental.CONTEXT_IDS).read_bytes()
            == (tmp_path / "b" / incremental.CONTEXT_IDS).read_bytes())
    # a damaged or foreign file is not used: the lines of context.nt are read instead
    (tmp_path / "b" / incremental.CONTEXT_IDS).write_bytes(b"# chainkg-context-ids other 0\n")
    again, ids = run(tmp_path / "b", tmp_path / "c")
    assert again == made and ids.hits == 0 and (tmp_path / "c" / incremental.CONTEXT_IDS).is_file()
    # most of the table unused (a big document removed): not written
    from rdflib import URIRef

    def ntext(t):
        return f"<{t}>"

    w = incremental.TermIds(None, tmp_path / "e")
    w.start(None)
    big = [(URIRef(f"http://e/s{i}"), URIRef("http://e/p"), URIRef(f"http://e/o{i}")) for i in range(10)]
    w.put("a" * 32, big, ntext)
    w.put("b" * 32, big[:1], ntext)
    w.close()
    kept = incremental.TermIds(tmp_path / "e", tmp_path / "f")
    kept.start(rdf._NTReader(rdf.quads.rdflib_terms())._term)
    assert kept.get("b" * 32) == big[:1] and kept.get("0" * 32) is None
    kept.close()
    assert not (tmp_path / "f" / incremental.CONTEXT_IDS).exists()
    assert not list((tmp_path / "f" / "cache").glob("*.part"))


def test_analysis_on_its_input_does_not_load_the_reference_data_again(monkeypatch):
    """The analysis input holds the reference data in full: analysis does not load and check it
    again, and its result is the one it gives on a graph without that mark."""
    from kg import analysis, resources
    from kg.resolve import build_kb

    from test_rdf import news

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    dirs = resources.region_dirs()
    g = rdf.analysis_input(build_kb(news()), dirs)
    plain = rdf.LeanGraph()
    plain.add_all(list(g))
    loads = []
    real = resources.load_reference
    monkeypatch.setattr(resources, "load_reference", lambda *a, **k: loads.append(a) or real(*a, **k))
    marked = analysis.analyze(g, dirs)
    assert not loads
    assert analysis.analyze(plain, dirs) == marked and loads


def test_cached_graphs_load_leniently_into_the_same_store():
    """kg.rdf._load_cached skips validation only: the quads and their order are those of a strict load
    (escapes, language tags, datatypes, IRIs with non-ASCII characters, two graphs)."""
    import pyoxigraph as ox

    g1, g2 = ox.NamedNode("https://example.org/g/文档1"), ox.NamedNode("https://example.org/g/2")
    s, p = ox.NamedNode("https://example.org/e/澄远科技"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [ox.Quad(s, p, ox.Literal("澄远\n\"微电子\"\\", language="zh"), g1),
             ox.Quad(s, p, ox.Literal("4.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")), g1),
             ox.Quad(ox.NamedNode("https://example.org/e/a"), p, ox.Literal("青岚县"), g2)]
    blocks = [ox.serialize(quads[:2], format=ox.RdfFormat.N_QUADS), ox.serialize(quads[2:], format=ox.RdfFormat.N_QUADS)]
    strict, lenient = ox.Store(), ox.Store()
    strict.load(b"".join(blocks), format=ox.RdfFormat.N_QUADS)
    rdf._load_cached(lenient, blocks)
    for fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        assert lenient.dump(format=fmt) == strict.dump(format=fmt)
    assert list(lenient) == list(strict) and len(lenient) == 3


def test_version_digest_follows_the_reading_code():
    """How a text becomes sentences decides what is extracted (a record line read as a table row):
    a change to kg/ingest.py extracts every document again."""
    names = {p.name for p in incremental._files(incremental.Path(__file__).resolve().parents[1] / "ontology")}
    assert "ingest.py" in names
