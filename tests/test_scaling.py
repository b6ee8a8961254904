"""Issue 11, builds that scale: the lean analysis graph, the ingest and figure caches, the store
made from the build's in-memory graph. Each checks that the fast path gives what the slow one did."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import PROV, SKOS

from kg import analysis, chainmap, incremental, ingest, quads, rdf, report
from kg.cli import main
from kg.resolve import build_kb
from kg.util import KG as KG_NS

from test_rdf import news

KG = rdflib.Namespace(KG_NS)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fixed_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _pair():
    """The triples of a small KB's analysis input added in the same order to a LeanGraph and to rdflib."""
    kb = build_kb(news())
    triples = list(rdf.load_reference())
    triples += [t for _d, ts in quads.document_triples(kb, quads.RDFLIB, mentions="context") for t in ts]
    lean, g = rdf.LeanGraph(), rdflib.Graph()
    for t in triples:
        lean.add(t)
        g.add(t)
    assert set(lean) == set(rdf.analysis_input(kb)) | {t for t in triples if t[1] == RDF.type}
    return lean, g


def test_lean_graph_answers_like_rdflib():
    lean, g = _pair()
    assert len(lean) == len(g) and set(lean) == set(g)
    nodes = sorted({s for s in g.subjects()} | {o for o in g.objects() if isinstance(o, URIRef)}, key=str)
    preds = sorted(set(g.predicates()), key=str)
    for p in preds:
        assert list(lean.subject_objects(p)) == list(g.subject_objects(p))
        assert list(lean.objects(None, p)) == list(g.objects(None, p))
    for n in nodes:
        assert list(lean.predicate_objects(n)) == list(g.predicate_objects(n))
        assert list(lean.subjects(None, n)) == list(g.subjects(None, n))
        for p in (RDF.type, RDFS.label, SKOS.prefLabel, KG.mention, KG.denotes, PROV.wasDerivedFrom):
            assert list(lean.objects(n, p)) == list(g.objects(n, p))
            assert list(lean.subjects(p, n)) == list(g.subjects(p, n))
            assert lean.value(n, p) == g.value(n, p)
    assert list(lean.objects(None, RDF.type, unique=True)) == list(g.objects(None, RDF.type, unique=True))
    t = next(iter(g))
    assert t in lean and (t[0], t[1], URIRef("urn:x")) not in lean


def test_analysis_on_lean_graph_equals_rdflib(fixed_time):
    lean, g = _pair()
    a, b = analysis.analyze(lean), analysis.analyze(g)
    assert report.leaders_csv(a) == report.leaders_csv(b)
    assert report.gaps_csv(a) == report.gaps_csv(b)
    assert [p.entity for p in a.placements] == [p.entity for p in b.placements]


def test_context_file_holds_the_document_triples(tmp_path):
    kb = build_kb(news())
    path = tmp_path / "cache" / "context.nt"
    lean = rdf.analysis_input(kb, context=path)
    written = {(t.subject.value, t.predicate.value, t.object.value)
               for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}
    ref = {(str(s), str(p), str(o)) for s, p, o in rdf.load_reference()}
    assert written and written <= {(str(s), str(p), str(o)) for s, p, o in lean}
    assert {(str(s), str(p), str(o)) for s, p, o in lean} <= written | ref


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("长治市潞州区签约精密轴承项目，总投资6亿元。\n\n该项目由晋联轴承有限公司实施。", encoding="utf-8")
    (folder / "b.md").write_text("# 园区动态\n\n屯留区光伏组件项目开工，**晶辉新能源有限公司**投资12亿元。", encoding="utf-8")
    body = "".join(f"<p>襄垣县新材料产业链加快发展，第{i}批重点项目集中签约，涉及碳纤维、特种钢材等多个领域。</p>"
                   for i in range(1, 6))
    (folder / "c.html").write_text(f"<html><body><article><h1>襄垣县新材料产业</h1>{body}<table><tr><th>企业</th>"
                                   "<th>产品</th></tr><tr><td>太行碳材有限公司</td><td>碳纤维</td></tr></table>"
                                   "</article></body></html>", encoding="utf-8")
    return folder


def test_document_cache_restores_what_reading_gives(tmp_path):
    src = _corpus(tmp_path / "src")

    def load(old, new, **kw):
        cache = incremental.DocumentCache(old, new=new, **kw)
        docs, skipped = ingest.load_corpus([src], cache=cache)
        cache.close()
        assert not skipped
        return docs, cache.hits

    docs, hits = load(None, tmp_path / "one")
    assert hits == 0
    cached, hits = load(tmp_path / "one", tmp_path / "two")
    assert hits == 3 and cached == docs == ingest.load_corpus([src])[0]
    # a changed file is read again; the others still come from the cache (written on by the last build)
    (src / "a.txt").write_text("长治市潞州区签约精密齿轮项目，总投资8亿元。", encoding="utf-8")
    changed, hits = load(tmp_path / "two", tmp_path / "three")
    assert hits == 2 and changed == ingest.load_corpus([src])[0]
    assert load(tmp_path / "three", tmp_path / "four")[1] == 3
    # another reading-code version: nothing is reused
    assert load(tmp_path / "four", tmp_path / "five", version="another-release")[1] == 0


def test_blob_cache_keeps_only_what_the_build_used(tmp_path):
    old = incremental.BlobCache(None, tmp_path / "one", "figures")
    k1, k2 = old.key("png", 1), old.key("png", 2)
    assert k1 != k2 and k1 == old.key("png", 1)
    assert old.get_or(k1, lambda: b"one") == b"one" and old.get_or(k2, lambda: b"two") == b"two"
    new = incremental.BlobCache(tmp_path / "one", tmp_path / "two", "figures")
    assert new.get_or(k1, lambda: pytest.fail("recomputed")) == b"one"
    assert new.hits == 1 and sorted(p.name for p in (tmp_path / "two" / "cache" / "figures").iterdir()) == [k1]


def test_rebuild_reuses_figures_with_the_same_bytes(tmp_path, capsys, monkeypatch, fixed_time):
    src, out = tmp_path / "seeds", tmp_path / "out"
    shutil.copytree(ROOT / "seeds", src)
    assert main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)
    before = {p.relative_to(out): p.read_bytes() for p in (out / "figures").rglob("*") if p.is_file()}
    before["report.html"] = (out / "report.html").read_bytes()
    assert any(str(p).endswith(".png") for p in before)

    def redraw(*_a, **_k):
        raise AssertionError("a cached picture was drawn again")

    monkeypatch.setattr(chainmap, "to_png", redraw)
    monkeypatch.setattr(chainmap, "_cut", redraw)
    monkeypatch.setattr(report, "cluster_figure", redraw)
    assert main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)
    after = {p.relative_to(out): p.read_bytes() for p in (out / "figures").rglob("*") if p.is_file()}
    after["report.html"] = (out / "report.html").read_bytes()
    assert after == before
    # `kg analyze` on the folder reads cache/context.nt: the same leaders and gaps as the build
    leaders, gaps = (out / "leaders.csv").read_bytes(), (out / "gaps.csv").read_bytes()
    monkeypatch.undo()
    assert main(["analyze", str(out)]) == 0
    assert (out / "leaders.csv").read_bytes() == leaders and (out / "gaps.csv").read_bytes() == gaps


def test_added_document_redraws_no_unchanged_map(tmp_path, capsys, monkeypatch, fixed_time):
    """The corpus size is written beside the chain maps, not in them: a document no chain rests on
    leaves every PNG as it was (taken from the cache), while the report's text counts it."""
    import re

    src, out = tmp_path / "seeds", tmp_path / "out"
    shutil.copytree(ROOT / "seeds", src)
    assert main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)
    n = int(re.search(r"依据语料 (\d+) 篇", (out / "report.md").read_text(encoding="utf-8")).group(1))
    pngs = {p.name: p.read_bytes() for p in (out / report.CHAIN_MAP_DIR).glob("*.png")}
    assert pngs
    (src / "zz_weather.txt").write_text("今天天气晴朗，气温二十度。\n", encoding="utf-8")
    monkeypatch.setattr(chainmap, "to_png", lambda *_a, **_k: pytest.fail("an unchanged map was drawn again"))
    assert main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)
    assert {p.name: p.read_bytes() for p in (out / report.CHAIN_MAP_DIR).glob("*.png")} == pngs
    md, html = ((out / f).read_text(encoding="utf-8") for f in ("report.md", "report.html"))
    assert f"依据语料 {n + 1} 篇" in md and f"依据语料 {n + 1} 篇" in html
    assert "依据语料" not in "".join(p.read_text(encoding="utf-8") for p in (out / report.CHAIN_MAP_DIR).glob("*.svg"))


def test_store_from_graph_equals_store_from_file(tmp_path, seeds_out):
    from kg import store

    st = rdf.load_store(seeds_out)
    rdf.add_union(st)
    store.store_from_graph(st, tmp_path / "a")
    store.build_store(seeds_out, tmp_path / "b")

    def quads(p):
        s = ox.Store.read_only(str(p))
        return sorted(s.dump(format=ox.RdfFormat.N_QUADS).splitlines())

    assert quads(tmp_path / "a") == quads(tmp_path / "b")
    assert (tmp_path / "a" / store.UNION_MARKER).is_file()


def test_font_cut_of_the_last_build_serves_a_changed_map(tmp_path, monkeypatch, seeds_out, fixed_time):
    """A changed map is cut from the last build's cut of all maps' characters (cache entry face-base)
    instead of the whole font file, with the same bytes as a build without a cache; a map with a
    character that cut lacks falls back to the font file."""
    import dataclasses

    g = rdf.union_graph(rdf.load_graph(seeds_out))
    res = analysis.analyze(g)
    maps = chainmap.all_maps(res, chainmap.graph_context(g, res))
    assert len(maps) > 1
    first = chainmap.FontSubsets(maps, cache=incremental.BlobCache(None, tmp_path / "a", "figures"))
    assert all(first.face(m) for m in maps)
    cut, calls = chainmap._cut, []

    def counted(src, text):
        calls.append(isinstance(src, str))  # str: the font file itself
        return cut(src, text)

    monkeypatch.setattr(chainmap, "_cut", counted)
    for folder, extra, from_file in (("b", maps[1].label[:2], False), ("c", "龘", True)):
        changed = [dataclasses.replace(maps[0], label=maps[0].label + extra)] + maps[1:]
        calls.clear()
        again = chainmap.FontSubsets(changed, cache=incremental.BlobCache(tmp_path / "a", tmp_path / folder, "figures"))
        face = again.face(changed[0])
        assert calls == ([True, False] if from_file else [False])
        calls.clear()
        assert face == chainmap.FontSubsets(changed).face(changed[0])
    # every map cached: the shared cut is still carried into the new output for the next build
    chainmap.FontSubsets(maps, cache=incremental.BlobCache(tmp_path / "a", tmp_path / "d", "figures"))
    key = first.cache.key("face-base", first._font_id)
    assert (tmp_path / "d" / "cache" / "figures" / key).read_bytes() == (tmp_path / "a" / "cache" / "figures" / key).read_bytes()


def test_maps_drawn_in_two_processes_equal_those_drawn_in_one(tmp_path, seeds_out):
    """With workers the fonts and PNGs the cache lacks are made in forked processes, the rest of the
    build only reads them; the files are the same bytes as drawn in one process."""
    g = rdf.union_graph(rdf.load_graph(seeds_out))
    res = analysis.analyze(g)
    ctx = chainmap.graph_context(g, res)
    outs = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        cache = incremental.BlobCache(None, out, "figures")
        maps = report.write_chain_maps(res, out, cache=cache, context=ctx, workers=workers)
        outs[workers] = {p.name: p.read_bytes() for p in (out / report.CHAIN_MAP_DIR).iterdir()}
        if workers == 2:  # the parent only read the processes' fonts and PNGs (its one miss: the
            assert cache.misses == 1 and cache.hits >= 2 * len(maps)  # last build's shared cut)
    assert len(outs[1]) >= 4 and outs[1] == outs[2]
