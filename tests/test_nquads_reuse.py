"""graph.nq of a rebuild: the unchanged graphs' lines from the last build's graph.nq, the rest
serialised (kg.incremental.NQuadsReuse), the same file and digests as a whole dump."""
import json

from rdflib import RDFS, Literal, URIRef

from kg import incremental, rdf
from kg.store import GRAPH_DIGESTS
from kg.util import KGR as KGR_NS

from test_shacl_incremental import _graphs, _store


def _last_build(graphs, folder):
    """A folder as a build leaves it: graph.nq, and the digests beside its store."""
    digests = {}
    rdf.write_store_outputs(_store(graphs), folder, digests=digests)
    (folder / "store").mkdir()
    (folder / "store" / GRAPH_DIGESTS).write_text(json.dumps(digests), encoding="utf-8")


def _rebuild(graphs, folder, kept, previous):
    digests = {}
    reuse = incremental.NQuadsReuse.previous(previous, {str(g) for g in kept})
    rdf.write_store_outputs(_store(graphs), folder, digests=digests, reuse=reuse)
    return reuse, digests


def test_reused_lines_give_the_file_and_digests_of_a_whole_dump(tmp_path):
    graphs = _graphs()
    _last_build(graphs, tmp_path / "one")
    docs = [g for g in graphs if "/graph/0" in str(g)]
    changed, kept = docs[0], [g for g in graphs if g != docs[0] and "/graph/bad" not in str(g)]
    graphs[changed] = graphs[changed] + [(changed, RDFS.comment, Literal("改过的图", lang="zh"))]
    del graphs[URIRef(KGR_NS + "graph/bad-1")]  # a graph gone
    graphs[URIRef(KGR_NS + "graph/new")] = [(URIRef(KGR_NS + "x"), RDFS.label, Literal("新图", lang="zh"))]
    reuse, digests = _rebuild(graphs, tmp_path / "two", kept, tmp_path / "one")
    assert reuse is not None and reuse.lines(_store(graphs)) is not None
    whole = {}
    rdf.write_store_outputs(_store(graphs), tmp_path / "whole", digests=whole)
    assert (tmp_path / "two" / "graph.nq").read_bytes() == (tmp_path / "whole" / "graph.nq").read_bytes()
    assert digests == whole
    assert "改过的图".encode() in (tmp_path / "two" / "graph.nq").read_bytes()


def test_a_last_graph_file_that_lacks_lines_is_not_used(tmp_path):
    graphs = _graphs()
    _last_build(graphs, tmp_path / "one")
    nq = tmp_path / "one" / "graph.nq"
    kept = [g for g in graphs if "/graph/0" in str(g)]
    lines = nq.read_bytes().splitlines(keepends=True)
    lines.remove(next(x for x in lines if x.endswith(b"<" + str(kept[0]).encode() + b"> .\n")))
    nq.write_bytes(b"".join(lines))
    reuse = incremental.NQuadsReuse.previous(tmp_path / "one", {str(g) for g in kept})
    assert reuse is not None and reuse.lines(_store(graphs)) is None  # dumped whole instead
    # no digests beside the store (it was opened for writing): nothing is reused
    (tmp_path / "one" / "store" / GRAPH_DIGESTS).unlink()
    assert incremental.NQuadsReuse.previous(tmp_path / "one", {str(g) for g in kept}) is None


def test_union_size_recorded_while_writing_is_the_counted_one(tmp_path):
    st, sizes = _store(_graphs()), {}
    rdf.write_store_outputs(st, tmp_path, sizes=sizes)
    assert sizes["union"] == rdf.union_size(st) > 0
