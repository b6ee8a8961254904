"""Vocabulary IRIs are one object per process (kg.quads.vocabulary_iri): the analysis graph's
predicates and classes are the very objects kg.analysis looks them up with, so its dict lookups
match by identity instead of calling rdflib's Python __eq__ (round 8 of issue 11)."""
from __future__ import annotations

from kg import analysis, incremental, quads, rdf
from kg.resolve import build_kb
from kg.util import KG, KGR

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_term_factories_and_analysis_share_vocabulary_objects():
    a, b = quads.rdflib_terms(), quads.rdflib_terms()
    for iri in (KG + "denotes", KG + "inSentence", RDF_TYPE, "http://www.w3.org/2000/01/rdf-schema#label"):
        assert a.iri(iri) is b.iri(iri) is quads.vocabulary_iri(iri)
    assert a.iri(KG + "denotes") is analysis.KG.denotes
    assert a.iri(RDF_TYPE) is analysis.RDF.type
    assert a.iri(KG + "Enterprise") is analysis.KG["Enterprise"]
    # a term made by analysis first is the one the factories hand out afterwards
    late = analysis.KG.someTermNoDocumentUses
    assert quads.rdflib_terms().iri(KG + "someTermNoDocumentUses") is late


def test_data_iris_stay_out_of_the_vocabulary_table():
    """The table is never emptied: entity and sentence IRIs (a corpus holds hundreds of thousands)
    are made by each factory, not kept for the whole process."""
    t = quads.rdflib_terms()
    data = KGR + "doc/vocabulary-test/s1"
    assert str(t.iri(data)) == data and t.iri(data) is t.iri(data)
    assert data not in quads._VOCAB
    assert all(k.startswith(quads._VOCAB_PREFIXES) for k in quads._VOCAB)


def test_analysis_input_uses_the_analysis_constants(tmp_path):
    """Made afresh and read back from the context cache alike, the document triples' predicates and
    classes are the objects kg.analysis names them by, and the analysis result is unchanged."""
    from test_rdf import news

    kb = build_kb(news())
    checked = {analysis.KG.denotes, analysis.KG.inSentence, analysis.KG.startOffset, analysis.RDF.type}
    first = incremental.QuadCache(None, tmp_path / "a", file=rdf.CONTEXT_FILE, kind="context")
    made = rdf.analysis_input(kb, cache=first)
    first.close()
    again = incremental.QuadCache(tmp_path / "a", tmp_path / "b", file=rdf.CONTEXT_FILE, kind="context")
    read = rdf.analysis_input(kb, cache=again)
    again.close()
    assert again.hits == len(kb.documents)
    for g in (made, read):
        preds = [p for s, p, _o in g if p in checked and str(s).startswith(KGR + "doc/")]
        assert preds and all(any(p is c for c in checked) for p in preds)
        assert any(o is analysis.KG.Sentence for _s, p, o in g if p is analysis.RDF.type)
