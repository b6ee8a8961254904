"""SHACL on a rebuild validates only what the changed graphs can reach (kg.shacl.affected_focus,
kg.incremental.ShaclCache), with the same report as validating everything."""
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef

from kg import incremental, rdf, shacl
from kg.resolve import build_kb
from kg.util import KG as KG_NS, KGR as KGR_NS

from test_rdf import news
from test_shacl_sparql import _more_broken

KG = rdflib.Namespace(KG_NS)


def _graphs():
    """{graph IRI: triples}: the reference and document graphs of a small build, plus two graphs of
    triples that break the shapes."""
    ds = rdf.build_dataset(build_kb(news()))
    out = {ctx.identifier: list(ctx) for ctx in ds.graphs()
           if isinstance(ctx.identifier, URIRef) and ctx.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID}
    union = rdf.union_graph(ds)
    bad = [t for t in _more_broken(union) if t not in union]
    half = len(bad) // 2
    out[URIRef(KGR_NS + "graph/bad-1")] = bad[:half]
    out[URIRef(KGR_NS + "graph/bad-2")] = bad[half:]
    return out


def _store(graphs):
    """An Oxigraph store holding these graphs."""
    import pyoxigraph as ox

    st = ox.Store()
    for name, triples in graphs.items():
        g = rdflib.Graph()
        for t in triples:
            g.add(t)
        st.extend(rdf.graph_quads(g, name))
    return st


def _build(graphs, folder):
    """The build's store and outputs (graph.nq, digests) for these graphs."""
    st = _store(graphs)
    digests = {}
    rdf.write_store_outputs(st, folder, digests=digests)
    return st, digests


def _validate(graphs, folder, previous):
    st, digests = _build(graphs, folder)
    cache = incremental.ShaclCache(previous, folder)
    result = rdf.validate_store(st, rdf.union_size(st), cache=cache, digests=digests)
    return result, cache.reused, rdf.validate_store(st, rdf.union_size(st))


def test_changed_graphs_give_the_report_of_a_full_validation(tmp_path):
    graphs = _graphs()
    first, reused, full = _validate(graphs, tmp_path / "one", None)
    assert not reused and first == full and not first[0] and first[2] > 0
    assert (tmp_path / "one" / incremental.SHACL_CACHE).is_file()

    # one broken graph gone, a new one: a second Chinese label on an entity of an unchanged document
    # graph, and a second type on a node other nodes point at (their sh:class checks read its types)
    ent = next(s for s, p, o in graphs[next(g for g in graphs if str(g).endswith("001_a.txt"))]
               if p == RDF.type and o == KG.Enterprise)
    target = next(o for s, p, o in graphs[next(g for g in graphs if str(g).endswith("001_a.txt"))]
                  if p == KG.locatedIn)
    del graphs[URIRef(KGR_NS + "graph/bad-2")]
    graphs[URIRef(KGR_NS + "graph/bad-3")] = [(ent, RDFS.label, Literal("另一个名字", lang="zh")),
                                              (target, RDF.type, KG.Product)]
    second, reused, full = _validate(graphs, tmp_path / "two", tmp_path / "one")
    assert reused and second == full and not second[0]
    assert "另一个名字" in second[1] and second[1] != first[1]

    # nothing changed: every row comes from the cache
    third, reused, full = _validate(graphs, tmp_path / "three", tmp_path / "two")
    assert reused and third == full == second


def test_affected_focus_reaches_subjects_and_what_points_at_them(tmp_path):
    graphs = _graphs()
    _build(graphs, tmp_path / "one")
    doc = next(g for g in graphs if str(g).endswith("001_a.txt"))
    target = next(o for s, p, o in graphs[doc] if p == KG.locatedIn)
    pointing = {s for triples in graphs.values() for s, p, o in triples if o == target}
    extra = URIRef(KGR_NS + "graph/extra")
    graphs[extra] = [(target, RDFS.comment, Literal("新的说明", lang="zh"))]
    st, _d = _build(graphs, tmp_path / "two")
    new = incremental.graph_lines(tmp_path / "two" / "graph.nq", [str(extra)])[str(extra)]
    assert new == incremental.store_lines(st, str(extra))
    focus = shacl.affected_focus(st, {}, {str(extra): new})
    assert {f.value for f in focus} == {str(target)} | {str(s) for s in pointing}
    # a triple another graph already states does not change the union: nothing to validate
    again = [t for t in graphs[doc] if t[0] == target][:1]
    graphs[extra] = again
    st, _d = _build(graphs, tmp_path / "three")
    new = incremental.graph_lines(tmp_path / "three" / "graph.nq", [str(extra)], chunk=100)[str(extra)]
    assert new == incremental.store_lines(st, str(extra))
    assert len(new) == 1 and shacl.affected_focus(st, {}, {str(extra): new}) == set()


def test_old_graph_file_that_does_not_match_the_cache_is_not_trusted(tmp_path):
    graphs = _graphs()
    _validate(graphs, tmp_path / "one", None)
    nq = tmp_path / "one" / "graph.nq"
    nq.write_bytes(b"".join(line for line in nq.read_bytes().splitlines(keepends=True) if b"bad-1" not in line))
    del graphs[URIRef(KGR_NS + "graph/bad-1")]
    second, reused, full = _validate(graphs, tmp_path / "two", tmp_path / "one")
    assert not reused and second == full


def test_graph_lines_read_in_chunks_are_each_graphs_lines(tmp_path):
    st, digests = _build(_graphs(), tmp_path)
    lines = (tmp_path / "graph.nq").read_bytes().splitlines(keepends=True)
    for chunk in (64, 1000, 1 << 24):
        found = incremental.graph_lines(tmp_path / "graph.nq", list(digests), chunk=chunk)
        assert sum(len(v) for v in found.values()) == len(lines)
        for g, got in found.items():
            assert got == incremental.store_lines(st, g)
            assert incremental._digest(got) == digests[g]
