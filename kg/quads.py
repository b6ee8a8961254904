"""KnowledgeBase -> per-document triples following the RDF contract, without an rdflib Dataset.

One pass per document (documents are independent once the KB is resolved): `document_triples`
yields (doc_id, set of triples) with terms made by a term factory, pyoxigraph's (OX, for the build's
store and every output file) or rdflib's (RDFLIB, for the analysis input and `kg.load()`).

Provenance grain (`mentions=`):
  "evidence"  a kg:Mention node only for a mention that is evidence of an assertion or fact: it sits
              in an evidence sentence of an assertion about its entity (head or tail) or of a fact
              about it. Every mention stays in extraction.jsonl. Sentence nodes only for evidence
              sentences, plus `extra_sentences` (those the analysis cites).
  "all"       every mention and its sentence.
  "context"   every mention and every sentence with a gap cue, slimmed to what analysis reads
              (kg.rdf.analysis_input): no rdf:type kg:Mention / prov:Entity, no kg:text of a mention
              lying inside its sentence, kg:mention only on cities (kg:denotes carries the link), no
              sentence kg:endOffset, documents with type and title only.
Entities are described (type, labels) in every document that mentions them, either way.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import lru_cache
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox
import rdflib

from . import cues
from .confidence import mention_confidence
from .model import KnowledgeBase
from .util import KG, KGR, entity_iri as _entity_iri, iri_segment as _iri_segment, to_decimal

# pure and called for every IRI of every pass (analysis input, store, context file): computed once
iri_segment = lru_cache(maxsize=1 << 18)(_iri_segment)
entity_iri = lru_cache(maxsize=1 << 18)(_entity_iri)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
TYPE = RDF + "type"
_LITERAL_PRED = {"investment": KG + "investmentText", "capacity": KG + "capacityText"}
PLACE_TYPES = ("City", "County", "Province", "Region", "Park")


@dataclass(frozen=True)
class Terms:
    """A term factory: iri(str), lit(value, datatype IRI or None, language or None)."""
    iri: Callable
    lit: Callable


def _ox_lit(v, dt=None, lang=None):
    if lang:
        return ox.Literal(v, language=lang)
    return ox.Literal(v, datatype=ox.NamedNode(dt)) if dt else ox.Literal(v)


def _rdflib_lit(v, dt=None, lang=None):
    return rdflib.Literal(v, lang=lang) if lang else rdflib.Literal(v, datatype=rdflib.URIRef(dt) if dt else None)


OX = Terms(ox.NamedNode, _ox_lit)
RDFLIB = Terms(rdflib.URIRef, _rdflib_lit)


# vocabulary IRIs (the ontology's and rdf, rdfs, xsd, skos, prov, dcterms): one object per IRI for the
# whole process, shared by every rdflib_terms() factory and kg.analysis's namespace constants. A dict
# lookup by an equal but distinct URIRef calls rdflib's Python __eq__; with one object per predicate
# and class the analysis graph's lookups (hundreds of thousands per build) match by identity.
_VOCAB: dict = {}
_VOCAB_PREFIXES = (KG, RDF, RDFS, XSD, SKOS, PROV, DCTERMS)


def vocabulary_iri(s: str) -> rdflib.URIRef:
    """The one URIRef of a vocabulary IRI (any IRI works; only vocabulary IRIs should come here:
    the table is never emptied)."""
    n = _VOCAB.get(s)
    if n is None:
        n = _VOCAB[s] = rdflib.URIRef(s)
    return n


def rdflib_terms() -> Terms:
    """rdflib terms, each distinct IRI and literal made once (a whole corpus repeats offsets, labels
    and types hundreds of thousands of times; rdflib's constructors are slow). The IRIs are the
    contract's (kg.util.entity_iri, iri_segment), so rdflib's IRI check is skipped."""
    iris: dict = {}
    lits: dict = {}

    def iri(s):
        n = iris.get(s)
        if n is None:  # str.__new__: URIRef() checks every IRI with a regex, a third of this pass
            n = iris[s] = vocabulary_iri(s) if s.startswith(_VOCAB_PREFIXES) else str.__new__(rdflib.URIRef, s)
        return n

    def lit(v, dt=None, lang=None):
        key = (v, dt, lang)
        n = lits.get(key)
        if n is None:
            n = lits[key] = _rdflib_lit(v, dt, lang)
        return n

    return Terms(iri, lit)


# --------------------------------------------------------------------------- IRIs and literals

def doc_iri(doc_id: str) -> str:
    return f"{KGR}doc/{iri_segment(doc_id)}"


def sentence_iri(doc_id: str, index: int) -> str:
    return f"{KGR}doc/{iri_segment(doc_id)}/s{index}"


def mention_iri(doc_id: str, start: int, end: int) -> str:
    return f"{KGR}doc/{iri_segment(doc_id)}/m{start}-{end}"


def graph_iri(doc_id: str) -> str:
    return f"{KGR}graph/{iri_segment(doc_id)}"


def _nt(term) -> str:
    """N-Triples form as rdflib writes it (the statement IRI hashes it: keep it byte-stable)."""
    if isinstance(term, rdflib.Literal):  # (a Literal is a str too)
        return term.n3()
    return f"<{term}>"


def statement_iri(s: str, p: str, o) -> str:
    """kgr:stmt/{sha1("<s> <p> <o>")[:16]} (o: IRI string or rdflib Literal)."""
    key = f"{_nt(s)} {_nt(p)} {_nt(o)}".encode("utf-8")
    return f"{KGR}stmt/{hashlib.sha1(key).hexdigest()[:16]}"


def fact_iri(doc_id: str, sentence: int, metric: str, value: str, subject: str) -> str:
    key = f"{doc_id}|{sentence}|{subject}|{metric}|{value}".encode("utf-8")
    return f"{KGR}fact/{hashlib.sha1(key).hexdigest()[:16]}"


def decimal_text(d) -> str:
    """xsd:decimal in Oxigraph's canonical lexical form ("2000000000", "0.5"): what the store keeps
    and writes, so the statement IRI hashes the literal as it appears in every output file."""
    txt = format(Decimal(d), "f")
    if "." in txt:
        txt = txt.rstrip("0").rstrip(".")
    if txt.startswith("-") and txt.strip("-0") == "":
        txt = "0"
    return txt


def confidence_text(c: float) -> str:
    c = min(max(float(c), 0.0), 1.0)
    return decimal_text(Decimal(str(round(c, 3))))


# --------------------------------------------------------------------------- per-document plan

@dataclass
class _DocPlan:
    mentions: list  # (entity key, Mention) in KB entity order
    assertions: list  # (Assertion, [Evidence]) in KB order
    facts: list  # Fact


def _plans(kb: KnowledgeBase) -> dict[str, _DocPlan]:
    plans: dict[str, _DocPlan] = {}

    def plan(doc_id):
        p = plans.get(doc_id)
        if p is None:
            p = plans[doc_id] = _DocPlan([], [], [])
        return p

    for d in kb.documents:
        plan(d.doc_id)
    for key, ent in kb.entities.items():
        for doc_id, m in ent.mentions:
            plan(doc_id).mentions.append((key, m))
    for a in kb.assertions:
        by_doc: dict[str, list] = defaultdict(list)
        for ev in a.evidence:
            by_doc[ev.doc_id].append(ev)
        for doc_id, evs in by_doc.items():
            plan(doc_id).assertions.append((a, evs))
    for doc_id, f in kb.facts:
        plan(doc_id).facts.append(f)
    return plans


def _fact_subjects(kb: KnowledgeBase) -> dict[str, tuple]:
    """Fact subject text -> the entity key it is about (places preferred when a name is ambiguous)."""
    index = defaultdict(list)
    for key in kb.entities:
        index[key[1]].append(key)
    out = {}
    for name, keys in index.items():
        if len(keys) > 1:
            keys = [k for k in keys if k[0] in PLACE_TYPES] or keys
        out[name] = sorted(keys)[0]
    return out


class _Doc:
    """Triples of one document graph."""

    def __init__(self, kb, terms: Terms, doc, doc_id: str, sent_map: dict, slim: bool = False):
        self.kb, self.T, self.doc_id, self.sent_map, self.slim = kb, terms, doc_id, sent_map, slim
        self.t: set = set()
        self.sentences: set[int] = set()
        self.described: set = set()
        self._iri: dict[str, object] = {}
        self.di = self.iri(doc_iri(doc_id))
        self._document(doc)

    def iri(self, s: str):
        n = self._iri.get(s)
        if n is None:
            n = self._iri[s] = self.T.iri(s)
        return n

    def add(self, s, p: str, o) -> None:
        self.t.add((s, self.iri(p), o))

    def integer(self, v):
        return self.T.lit(str(int(v)), XSD + "integer")

    def _document(self, d) -> None:
        di, L = self.di, self.T.lit
        self.add(di, TYPE, self.iri(KG + "Document"))
        title = Path(d.path).name if d is not None and d.path else self.doc_id
        self.add(di, DCTERMS + "title", L(title or self.doc_id))
        if self.slim:
            return
        self.add(di, TYPE, self.iri(PROV + "Entity"))
        if d is not None:
            if d.sha256:
                self.add(di, KG + "sha256", L(d.sha256))
            self.add(di, KG + "encoding", L(d.encoding or "utf-8"))
            self.add(di, KG + "duplicatesDropped", self.integer(d.duplicates_dropped))
            if d.format:
                self.add(di, KG + "sourceFormat", L(d.format))

    def sentence(self, index: int, text: str = "", start=None, end=None):
        si = self.iri(sentence_iri(self.doc_id, index))
        if index in self.sentences:
            return si
        self.sentences.add(index)
        s = self.sent_map.get(index)
        if s is not None:
            text, start, end = s.text, s.start, s.end
            for pred, v in (("page", s.page), ("tableNumber", s.table), ("rowNumber", s.row)):
                if v is not None:  # where in the original file: PDF page, table and row
                    self.add(si, KG + pred, self.integer(v))
        self.add(si, TYPE, self.iri(KG + "Sentence"))
        self.add(si, KG + "text", self.T.lit(text))
        if start is not None and end is not None and 0 <= start < end:
            self.add(si, KG + "startOffset", self.integer(start))
            if not self.slim:
                self.add(si, KG + "endOffset", self.integer(end))
        if not self.slim:
            self.add(si, TYPE, self.iri(PROV + "Entity"))
        self.add(si, DCTERMS + "isPartOf", self.di)
        return si

    def entity(self, key):
        ent = self.kb.entities.get(key)
        if ent is not None and ent.attrs.get("iri"):
            return self.iri(ent.attrs["iri"])
        return self.iri(entity_iri(key[0], key[1]))

    def describe(self, key):
        e = self.entity(key)
        if key in self.described:
            return e
        self.described.add(key)
        ent = self.kb.entities.get(key)
        label = ent.label if ent else key[1]
        self.add(e, TYPE, self.iri(KG + key[0]))
        self.add(e, RDFS + "label", self.T.lit(label, lang="zh"))
        self.add(e, SKOS + "prefLabel", self.T.lit(label, lang="zh"))
        if ent is not None:
            for a in sorted(ent.aliases):
                if a != label:
                    self.add(e, SKOS + "altLabel", self.T.lit(a, lang="zh"))
        return e

    def mention(self, key, m) -> None:
        e, mi = self.entity(key), self.iri(mention_iri(self.doc_id, m.start, m.end))
        si = self.sentence(m.sentence)
        self.add(mi, KG + "startOffset", self.integer(m.start))
        self.add(mi, KG + "endOffset", self.integer(m.end))
        self.add(mi, KG + "inSentence", si)
        self.add(mi, KG + "denotes", e)
        if self.slim:  # analysis finds the mention by its offsets; the text only when they do not fit
            s = self.sent_map.get(m.sentence)
            if s is None or not (s.start <= m.start < m.end <= s.end):
                self.add(mi, KG + "text", self.T.lit(m.text))
            if key[0] == "City":  # chain maps count a city's mentions (kg:mention)
                self.add(e, KG + "mention", mi)
            return
        self.add(mi, TYPE, self.iri(KG + "Mention"))
        self.add(mi, TYPE, self.iri(PROV + "Entity"))
        self.add(mi, KG + "text", self.T.lit(m.text))
        # the measured precision of the component that found it (kg.confidence)
        self.add(mi, KG + "confidence", self.T.lit(confidence_text(mention_confidence(m.source)), XSD + "decimal"))
        self.add(e, KG + "mention", mi)

    def assertion(self, a, evs) -> None:
        self.describe(a.head)
        if not a.literal:
            self.describe(a.tail)
        sents = [self.sentence(ev.sentence, ev.text, ev.start, ev.end) for ev in evs]
        conf = self.T.lit(confidence_text(a.confidence), XSD + "decimal")
        for s, p, o in assertion_triples(self.kb, a):
            st = self.iri(statement_iri(s, p, o))
            so, ot = self.iri(s), self._term(o)
            self.add(so, p, ot)
            for cls in (KG + "Assertion", RDF + "Statement", PROV + "Entity"):
                self.add(st, TYPE, self.iri(cls))
            self.add(st, RDF + "subject", so)
            self.add(st, RDF + "predicate", self.iri(p))
            self.add(st, RDF + "object", ot)
            self.add(st, KG + "confidence", conf)
            for si in sents:
                self.add(st, PROV + "wasDerivedFrom", si)

    def _term(self, o):
        if not isinstance(o, rdflib.Literal):
            return self.iri(o)
        dt = str(o.datatype) if o.datatype is not None else None
        return self.T.lit(str(o), dt, o.language)

    def fact(self, f, about) -> None:
        fi = self.iri(fact_iri(self.doc_id, f.sentence, f.metric, f.value, f.subject))
        si = self.sentence(f.sentence, f.evidence)
        L = self.T.lit
        self.add(fi, TYPE, self.iri(KG + "Fact"))
        self.add(fi, TYPE, self.iri(PROV + "Entity"))
        self.add(fi, KG + "metric", L(f.metric))
        self.add(fi, KG + "value", L(f.value))
        self.add(fi, KG + "subjectText", L(f.subject))
        n = to_decimal(f.number)
        if n is not None:
            self.add(fi, KG + "number", L(decimal_text(n), XSD + "decimal"))
        if f.unit:
            self.add(fi, KG + "unit", L(f.unit))
        if f.period:
            self.add(fi, KG + "period", L(f.period))
        self.add(fi, PROV + "wasDerivedFrom", si)
        if about is not None:
            self.add(fi, KG + "about", self.describe(about))


def entity_iri_of(kb: KnowledgeBase, key) -> str:
    ent = kb.entities.get(key)
    if ent is not None and ent.attrs.get("iri"):
        return ent.attrs["iri"]
    return entity_iri(key[0], key[1])


def assertion_triples(kb: KnowledgeBase, a) -> list[tuple]:
    """(s IRI, p IRI, o) of one assertion: o an IRI string or an rdflib Literal (hashed as N-Triples)."""
    s = entity_iri_of(kb, a.head)
    if not a.literal:
        return [(s, KG + a.rel, entity_iri_of(kb, a.tail))]
    out = [(s, _LITERAL_PRED.get(a.rel, KG + a.rel), rdflib.Literal(str(a.tail)))]
    if a.rel == "investment":
        v = to_decimal(a.value)
        if v is not None and v >= 0:
            out.append((s, KG + "investmentAmount", rdflib.Literal(decimal_text(v), datatype=rdflib.XSD.decimal)))
        if a.currency and a.currency != "CNY":
            out.append((s, KG + "currency", rdflib.Literal(a.currency)))
    return out


def _evidence_index(plan: _DocPlan, about: dict) -> set:
    """(entity key, sentence index) pairs whose mentions are evidence in this document."""
    out = set()
    for a, evs in plan.assertions:
        for ev in evs:
            out.add((a.head, ev.sentence))
            if not a.literal:
                out.add((a.tail, ev.sentence))
    for f in plan.facts:
        key = about.get(f.subject)
        if key is not None:
            out.add((key, f.sentence))
    return out


def _extra_by_doc(kb: KnowledgeBase, extra_sentences) -> dict[str, set[int]]:
    by_seg = {iri_segment(d.doc_id): d.doc_id for d in kb.documents}
    out: dict[str, set[int]] = defaultdict(set)
    prefix = f"{KGR}doc/"
    for s in extra_sentences or ():
        s = str(s)
        if not s.startswith(prefix) or "/s" not in s[len(prefix):]:
            continue
        seg, _, idx = s[len(prefix):].rpartition("/s")
        if seg in by_seg and idx.isdigit():
            out[by_seg[seg]].add(int(idx))
    return out


SEGMENT_CUES = ("sought", "present")  # kg.cues patterns the analysis reads of every sentence (gaps)


def _add_cue_sentences(kb: KnowledgeBase, extra: dict[str, set[int]]) -> None:
    """Sentences stating a gap or a local supply (某环节空白, 就地配套) name no entity of their own
    more often than not: the analysis input keeps them all the same."""
    rx = [cues.patterns()[n]["re"] for n in SEGMENT_CUES]
    for d in kb.documents:
        idx = {s.index for s in d.sentences if any(r.search(s.text) for r in rx)}
        if idx:
            extra[d.doc_id] |= idx


class DocumentGraphs:
    """The per-document plans of a resolved KB: each document's graph on demand (triples), and a key
    of everything that graph is made from (key), so a build can reuse the last build's quads of a
    document whose key is unchanged (kg.incremental.QuadCache)."""

    def __init__(self, kb: KnowledgeBase, mentions: str = "evidence", extra_sentences=None,
                 digests: dict | None = None):
        """digests: {doc_id: digest of its inputs}, shared by the passes over one KB (the analysis
        input, then the store), which must not change the KB in between."""
        self.kb, self.mentions = kb, mentions
        self.digests = digests if digests is not None else {}
        self.docs = {d.doc_id: d for d in kb.documents}
        self.about = _fact_subjects(kb)
        self.extra = _extra_by_doc(kb, extra_sentences)
        if mentions == "context":
            _add_cue_sentences(kb, self.extra)
        self.plans = _plans(kb)

    def triples(self, doc_id: str, terms: Terms = OX) -> set:
        kb, plan, about, d = self.kb, self.plans[doc_id], self.about, self.docs.get(doc_id)
        g = _Doc(kb, terms, d, doc_id, {s.index: s for s in d.sentences} if d is not None else {},
                 slim=self.mentions == "context")
        evidence = _evidence_index(plan, about) if self.mentions == "evidence" else None
        spans_done: set[tuple[int, int]] = set()  # a span denotes one entity: a second reading is dropped
        for key, m in plan.mentions:
            g.describe(key)
            if not (0 <= m.start < m.end) or (m.start, m.end) in spans_done:
                continue
            spans_done.add((m.start, m.end))
            if evidence is None or (key, m.sentence) in evidence:
                g.mention(key, m)
        for a, evs in plan.assertions:
            g.assertion(a, evs)
        for f in plan.facts:
            g.fact(f, about.get(f.subject))
        for idx in sorted(self.extra.get(doc_id, ())):
            g.sentence(idx)
        return g.t

    def _entity(self, key) -> tuple:
        ent = self.kb.entities.get(key)
        if ent is None:
            return key, None
        return key, ent.attrs.get("iri"), ent.label, sorted(ent.aliases)

    def key(self, doc_id: str) -> str:
        """Digest of what triples(doc_id) reads: the document (file name, hashes, flags, sentences),
        its mentions in order, each entity it names (IRI, label, aliases), its assertions (without
        other documents' evidence) with this document's evidence, its facts and what they are about,
        and the extra sentences. Same key, same triples in the same order."""
        h = hashlib.sha256(repr((self.mentions, sorted(self.extra.get(doc_id, ())))).encode())
        digest = self.digests.get(doc_id)
        if digest is None:
            digest = self.digests[doc_id] = self._inputs(doc_id)
        h.update(digest)
        return h.hexdigest()[:32]

    def _inputs(self, doc_id: str) -> bytes:
        plan, d, about = self.plans[doc_id], self.docs.get(doc_id), self.about
        keys = [k for k, _m in plan.mentions]
        for a, _evs in plan.assertions:
            keys += [a.head] if a.literal else [a.head, a.tail]
        keys += [about[f.subject] for f in plan.facts if f.subject in about]
        # a document's sentences follow from its bytes and the reading code (the premise of
        # kg.incremental.DocumentCache; the reading code is part of the cache's version)
        doc = None if d is None else (
            Path(d.path).name if d.path else "", d.sha256, d.encoding, d.duplicates_dropped, d.format,
            len(d.sentences)) if d.sha256 else (
            Path(d.path).name if d.path else "", d.encoding, d.duplicates_dropped, d.format,
            [(s.index, s.text, s.start, s.end, s.page, s.table, s.row) for s in d.sentences])
        # of a mention, what _Doc reads (the entity key covers its type and name)
        parts = (doc_id, doc, [(k, m.text, m.start, m.end, m.sentence, m.source) for k, m in plan.mentions],
                 [self._entity(k) for k in dict.fromkeys(keys)],
                 [(a.head, a.rel, a.tail, a.literal, a.value, a.currency, a.confidence,
                   [(ev.doc_id, ev.sentence, ev.start, ev.end, ev.text) for ev in evs]) for a, evs in plan.assertions],
                 [(f, about.get(f.subject)) for f in plan.facts])
        return hashlib.sha256(repr(parts).encode("utf-8")).digest()


def document_triples(kb: KnowledgeBase, terms: Terms = OX, mentions: str = "evidence",
                     extra_sentences=None) -> Iterator[tuple[str, set]]:
    """(doc_id, triples of its named graph) for every document, one document at a time."""
    graphs = DocumentGraphs(kb, mentions, extra_sentences)
    for doc_id in graphs.plans:
        yield doc_id, graphs.triples(doc_id, terms)
