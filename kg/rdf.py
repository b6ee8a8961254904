"""KnowledgeBase -> rdflib Dataset following the RDF contract (docs/ARCHITECTURE.md).

Named graphs:
  kgr:graph/{doc_id}   what was extracted from that document (document and sentence nodes,
                       mentions, the entities it mentions, its triples and their statement nodes,
                       its facts);
  kgr:graph/reference  ontology + region data + chain templates.
The union of all named graphs is `graph.ttl`.

Only sentences that carry evidence (mentions, relations, facts) get a kg:Sentence node, so the
graph stays proportional to what was extracted rather than to the size of the corpus.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD, BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from . import quads, resources
from .model import KnowledgeBase
from .util import KG as KG_NS, KGR as KGR_NS, atomic_path

KG = Namespace(KG_NS)
KGR = Namespace(KGR_NS)
ORG = Namespace("http://www.w3.org/ns/org#")
SH = Namespace("http://www.w3.org/ns/shacl#")

REFERENCE_GRAPH = URIRef(KGR_NS + "graph/reference")
ANALYSIS_GRAPH = URIRef(KGR_NS + "graph/analysis")

PREFIXES = {"kg": KG, "kgr": KGR, "org": ORG, "prov": PROV, "skos": SKOS, "rdfs": RDFS, "owl": OWL,
            "xsd": XSD, "dcterms": DCTERMS, "rdf": RDF}


# --------------------------------------------------------------------------- IRIs

def doc_iri(doc_id: str) -> URIRef:
    return URIRef(quads.doc_iri(doc_id))


def sentence_iri(doc_id: str, index: int) -> URIRef:
    return URIRef(quads.sentence_iri(doc_id, index))


def mention_iri(doc_id: str, start: int, end: int) -> URIRef:
    return URIRef(quads.mention_iri(doc_id, start, end))


def graph_iri(doc_id: str) -> URIRef:
    return URIRef(quads.graph_iri(doc_id))


def statement_iri(s: URIRef, p: URIRef, o) -> URIRef:
    """kgr:stmt/{sha1(s p o)[:16]}, hashing the N-Triples form "<s> <p> <o>" (o: IRI or literal)."""
    o = str(o) if isinstance(o, URIRef) else o
    return URIRef(quads.statement_iri(str(s), str(p), o))


def fact_iri(doc_id: str, sentence: int, metric: str, value: str, subject: str) -> URIRef:
    return URIRef(quads.fact_iri(doc_id, sentence, metric, value, subject))


def bind_prefixes(g) -> None:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)


def decimal_literal(d) -> Literal:
    """xsd:decimal in canonical lexical form ("2000000000.0"), so it survives a Turtle round trip."""
    return Literal(quads.decimal_text(d), datatype=XSD.decimal)


# --------------------------------------------------------------------------- reference

def load_reference(region_dirs: list[Path] | None = None, shared: bool = False) -> rdflib.Graph:
    """ontology/chainkg.ttl + every region folder's *.ttl + ontology/templates/*.ttl, through the
    one loader every stage uses (kg.resources.load_reference: errors name the file and line).

    `region_dirs=None` means every bundled folder under ontology/regions/. Returns a fresh copy
    (cached by file modification times), so callers may modify it; shared: the one copy of this
    process, for callers that only iterate or read it (no prefixes bound: nothing serialises it).
    """
    if shared:
        return resources.load_reference(region_dirs, shared=True)
    out = resources.load_reference(region_dirs)
    bind_prefixes(out)
    return out


# --------------------------------------------------------------------------- build (rdflib)

def build_dataset(kb: KnowledgeBase, region_dirs: list[Path] | None = None,
                  mentions: str = "evidence") -> rdflib.Dataset:
    """Named graph per document + reference graph, as an rdflib Dataset (notebooks, small graphs;
    the build itself goes through kg.quads into an Oxigraph store, see build_store_graph)."""
    ds = rdflib.Dataset()
    bind_prefixes(ds)
    store = ds.store
    ref = ds.graph(REFERENCE_GRAPH)
    for t in load_reference(region_dirs, shared=True):
        store.add(t, ref, False)
    for doc_id, triples in quads.document_triples(kb, quads.RDFLIB, mentions=mentions):
        ctx = ds.graph(graph_iri(doc_id))
        for t in triples:
            store.add(t, ctx, False)
    return ds


# what analysis never reads: dropped from its input graph to keep it small
_ANALYSIS_SKIP_TYPES = {PROV.Entity, KG.Mention, RDF.Statement, KG.Assertion}


def analysis_input(kb: KnowledgeBase, region_dirs: list[Path] | None = None,
                   context: Path | None = None, cache=None, digests: dict | None = None,
                   ids=None) -> "LeanGraph":
    """The one graph analysis, reports and graph.html read (a LeanGraph of rdflib terms): reference
    data, entities, relations with their statement nodes, facts, and every mention with its sentence
    (analysis reads mention contexts; the output graph keeps only evidence mentions). Built from the
    KB, not from the output quads, so no union of the document graphs is ever made. context: also
    write the document triples to this N-Triples file (OUT/cache/context.nt, see load_context).
    cache (kg.incremental.QuadCache writing OUT/cache/context.nt): the same file, each document's
    lines under a comment with its key, copied from the last build's file when the key is unchanged.
    digests: shared with build_store_graph (kg.quads.DocumentGraphs), so each document's inputs are
    digested once per build. ids (kg.incremental.TermIds, with cache; made with
    term_ids): the same triples as term indexes, read back before the lines are parsed."""
    g = LeanGraph()
    terms = quads.rdflib_terms()
    g.add_all(_shared_terms(load_reference(region_dirs, shared=True), terms))
    g.reference = reference_key(region_dirs)  # analysis need not check that the reference data is in
    rdf_type, skip = RDF.type, _ANALYSIS_SKIP_TYPES
    nt = _NTriples(context) if context is not None and cache is None else None
    text = _NTriples(None) if cache is not None else None
    graphs = quads.DocumentGraphs(kb, mentions="context", digests=digests)
    reader = _NTReader(terms) if cache is not None else None
    if ids is not None and reader is not None:
        ids.start(reader._term)
    else:
        ids = None
    for doc_id in graphs.plans:
        if cache is not None:  # the document's lines as the last build wrote them, when its key is unchanged
            key = graphs.key(doc_id)
            data = cache.get(key)
            if data is not None:  # the same triples in the same order, read back instead of made again
                kept = ids.get(key) if ids is not None else None
                if kept is None:
                    kept = reader.triples(data)
                    if ids is not None:
                        ids.put(key, kept, text.term)
                g.add_all(kept)
                cache.put(key, data)
                continue
        kept = [t for t in graphs.triples(doc_id, terms) if not (t[1] == rdf_type and t[2] in skip)]
        g.add_all(kept)
        if nt is not None:
            nt.write(kept)
        elif cache is not None:
            cache.put(key, text.text(kept).encode("utf-8"))
            if ids is not None:
                ids.put(key, kept, text.term)
    if nt is not None:
        nt.close()
    return g


def _shared_terms(triples, terms) -> list:
    """The reference triples with every IRI made by terms (kg.quads.rdflib_terms): the template
    chains, segments, places and vocabulary the documents' triples name are then the same objects as
    in those triples, so analysis's dict lookups match by identity (not rdflib's Python __eq__)."""
    iri, uri = terms.iri, URIRef

    def term(x):
        return iri(str(x)) if type(x) is uri else x

    return [(term(s), term(p), term(o)) for s, p, o in triples]


_NT_ESCAPES = {"\\": "\\", "n": "\n", '"': '"', "r": "\r"}
_NT_ESCAPE_RE = re.compile(r"\\(.)")


class _NTReader:
    """N-Triples lines as _NTriples writes them (IRIs in <>, literals quoted by rdflib's N-Triples
    serialiser: only \\ \\n \\" \\r escaped) back to rdflib terms; each distinct term text made
    once, literals from their lexical form as kg.quads makes them (every literal there is built
    from a string), so a line gives back the triple it was written from."""

    def __init__(self, terms):
        self._terms: dict = {}
        self._iri = terms.iri

    def _term(self, text: str):
        t = self._terms.get(text)
        if t is None:
            t = self._terms[text] = self._iri(text[1:-1]) if text[0] == "<" else self._literal(text)
        return t

    def _literal(self, text: str) -> Literal:
        end = text.rindex('"')
        lex, rest = text[1:end], text[end + 1:]
        if "\\" in lex:
            lex = _NT_ESCAPE_RE.sub(lambda m: _NT_ESCAPES[m.group(1)], lex)
        if rest.startswith("@"):
            return Literal(lex, lang=rest[1:])
        return Literal(lex, datatype=URIRef(rest[3:-1]) if rest else None)

    def triples(self, data: bytes) -> list:
        made, term, out = self._terms.get, self._term, []
        lines = data.decode("utf-8").split("\n")  # not splitlines: a literal may hold \x1c, \u2028...
        lines.pop()  # after the last newline
        for line in lines:  # _term inlined for terms seen before (most of them): one dict lookup each
            i = line.index("> ") + 1  # an IRI holds no '>' or space
            j = line.index("> ", i + 1) + 1
            s, p, o = line[:i], line[i + 1:j], line[j + 1:-2]
            out.append((made(s) or term(s), made(p) or term(p), made(o) or term(o)))
        return out


class _NTriples:
    """rdflib triples written as N-Triples, each term's text made once (the build writes into its
    transaction folder, so the file needs no rename of its own)."""

    def __init__(self, path: Path | None):
        from rdflib.plugins.serializers.nt import _quoteLiteral

        self._f = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._f = open(path, "w", encoding="utf-8")
        self._text: dict = {}
        self._quote = _quoteLiteral

    def term(self, t) -> str:
        """A term's N-Triples text."""
        s = self._text.get(t)
        if s is None:
            s = self._text[t] = self._quote(t) if isinstance(t, Literal) else f"<{t}>"
        return s

    def text(self, triples) -> str:
        term = self.term
        return "".join(f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples)

    def write(self, triples) -> None:
        self._f.write(self.text(triples))

    def close(self) -> None:
        self._f.close()


def union_graph(ds: rdflib.Dataset) -> rdflib.Graph:
    """All triples of all named graphs (and the default graph) in one Graph (each triple once)."""
    g = rdflib.Graph()  # default (context-aware) store: pyshacl needs one
    bind_prefixes(g)
    for prefix, ns in ds.namespaces():
        if prefix and prefix not in PREFIXES:
            g.bind(prefix, ns, override=False)
    add = g.store.add
    # the store's context-free view lists every triple once, whatever graphs it sits in
    for triple, _ctxs in ds.store.triples((None, None, None), None):
        add(triple, g, False)
    return g


CONTEXT_FILE = Path("cache") / "context.nt"


def write_context(kb: KnowledgeBase, folder: Path) -> Path:
    """OUT/cache/context.nt: the document triples at the grain analysis reads (every mention and its
    sentence), so `kg analyze` on a built folder sees what the build's analysis saw. Internal: not
    part of the published graph. Streamed by Oxigraph's serialiser, one document at a time."""
    path = Path(folder) / CONTEXT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)

    def triples():
        for _doc_id, ts in quads.document_triples(kb, quads.OX, mentions="context"):
            for s, p, o in ts:
                yield ox.Triple(s, p, o)

    with atomic_path(path) as tmp:
        ox.serialize(triples(), str(tmp), format=ox.RdfFormat.N_TRIPLES)
    return path


def load_context(out_dir: Path, st: ox.Store) -> rdflib.Graph | None:
    """The analysis input of a built folder: OUT/cache/context.nt + the store's reference graph
    (None when the folder has no context file)."""
    path = Path(out_dir) / CONTEXT_FILE
    if not path.is_file():
        return None
    g = rdflib.Graph()
    bind_prefixes(g)
    add = g.store.add
    for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        if t.predicate.value == str(RDF.type) and URIRef(t.object.value) in _ANALYSIS_SKIP_TYPES:
            continue
        add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)), g, False)
    for q in st.quads_for_pattern(None, None, None, ox.NamedNode(str(REFERENCE_GRAPH))):
        add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)), g, False)
    return g


# --------------------------------------------------------------------------- lean graph (analysis input)

def _unique(it, unique: bool):
    if not unique:
        return it
    return iter(dict.fromkeys(it))


def _index(idx: dict, a, b, c) -> None:
    d = idx.get(a)
    if d is None:
        d = idx[a] = {}
    e = d.get(b)
    if e is None:
        e = d[b] = {}
    e[c] = 1


def reference_key(region_dirs) -> tuple:
    """Which reference data a graph holds (LeanGraph.reference): the region folders, resolved."""
    dirs = resources.region_dirs() if region_dirs is None else region_dirs
    return tuple(str(Path(d).resolve()) for d in dirs)


class LeanGraph:
    """A triple index with the part of rdflib.Graph's read API that analysis, reports and graph.html use
    (objects, subjects, subject_objects, predicate_objects, value, triples, `in`, len, iteration, add).
    rdflib terms, and the same iteration order as rdflib's in-memory store (insertion order per index),
    so results are the same as on an rdflib Graph. Adding a triple costs a dict insert and a list
    append; the by-predicate and by-object indexes are built on first use, replaying the insertion
    order (rdflib's store bookkeeping made the analysis input the build's slowest step)."""

    def __init__(self):
        self._spo: dict = {}
        self._log: list = []  # triples in insertion order, until both lazy indexes exist
        self._pos_idx: dict | None = None
        self._osp_idx: dict | None = None
        self.reference: tuple | None = None  # reference_key of the reference data added in full, if any
        self._n = 0

    def add(self, triple) -> "LeanGraph":
        self.add_all((triple,))
        return self

    def add_all(self, triples) -> None:
        spo, pos, osp = self._spo, self._pos_idx, self._osp_idx
        new = []
        for t in triples:
            s, p, o = t
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objs = po.get(p)
            if objs is None:
                objs = po[p] = {}
            n = len(objs)
            objs.setdefault(o, 1)  # one hash of o, not two (a Literal's hash is Python code in rdflib)
            if len(objs) != n:
                new.append(t)
        self._n += len(new)
        if self._log is not None:
            self._log += new
        for s, p, o in new if pos is not None else ():
            _index(pos, p, o, s)
        for s, p, o in new if osp is not None else ():
            _index(osp, o, s, p)

    @property
    def _pos(self) -> dict:
        if self._pos_idx is None:
            self._pos_idx = self._replay(1, 2, 0)
        return self._pos_idx

    @property
    def _osp(self) -> dict:
        if self._osp_idx is None:
            self._osp_idx = self._replay(2, 0, 1)
        return self._osp_idx

    def _replay(self, a: int, b: int, c: int) -> dict:
        """An index (keys: positions a, b, c of each triple) built from the add log in insertion
        order (_index inlined: ~0.4 million triples); the log goes once both exist."""
        idx: dict = {}
        get = idx.get
        for t in self._log:
            x = t[a]
            d = get(x)
            if d is None:
                d = idx[x] = {}
            y = t[b]
            e = d.get(y)
            if e is None:
                e = d[y] = {}
            e[t[c]] = 1
        if (self._pos_idx is not None) or (self._osp_idx is not None):
            self._log = None  # the other index exists already: the log is not needed again
        return idx

    def __len__(self) -> int:
        return self._n

    def __iter__(self):
        return self.triples((None, None, None))

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        return o in self._spo.get(s, {}).get(p, ())

    def triples(self, pattern):
        s, p, o = pattern
        if s is not None:
            yield from self._by_subject(s, p, o)
        elif p is not None:
            os_ = self._pos.get(p, {})
            for ob in ([o] if o is not None else list(os_)):
                for sub in list(os_.get(ob, ())):
                    yield sub, p, ob
        elif o is not None:
            for sub, preds in list(self._osp.get(o, {}).items()):
                for pr in list(preds):
                    yield sub, pr, o
        else:
            for sub, po in list(self._spo.items()):
                for pr, objs in list(po.items()):
                    for ob in list(objs):
                        yield sub, pr, ob

    def _by_subject(self, s, p, o):
        po = self._spo.get(s)
        if po is None:
            return
        for pr in ([p] if p is not None else list(po)):
            objs = po.get(pr, {})
            for ob in ([o] if o is not None else list(objs)):
                if ob in objs:
                    yield s, pr, ob

    def objects(self, subject=None, predicate=None, unique=False):
        if subject is not None and predicate is not None:  # the common case: a plain list iterator
            objs = self._spo.get(subject)
            return iter(list(objs.get(predicate, ()))) if objs is not None else iter(())
        return _unique((o for _s, _p, o in self.triples((subject, predicate, None))), unique)

    def first(self, subject, predicate):
        """The first object of (subject, predicate), or None: objects() without the list copy."""
        objs = self._spo.get(subject)
        objs = objs.get(predicate) if objs is not None else None
        return next(iter(objs)) if objs else None

    def subjects(self, predicate=None, object=None, unique=False):
        if predicate is not None and object is not None:
            subs = self._pos.get(predicate)
            return iter(list(subs.get(object, ()))) if subs is not None else iter(())
        return _unique((s for s, _p, _o in self.triples((None, predicate, object))), unique)

    def predicates(self, subject=None, object=None, unique=False):
        for _s, p, _o in self.triples((subject, None, object)):
            yield p

    def subject_objects(self, predicate=None, unique=False):
        for s, _p, o in self.triples((None, predicate, None)):
            yield s, o

    def predicate_objects(self, subject=None, unique=False):
        for _s, p, o in self.triples((subject, None, None)):
            yield p, o

    def subject_predicates(self, object=None, unique=False):
        for s, p, _o in self.triples((None, None, object)):
            yield s, p

    def value(self, subject=None, predicate=RDF.value, object=None, default=None, any=True):
        if subject is None:
            return next(self.subjects(predicate, object), default)
        if object is None:
            return next(self.objects(subject, predicate), default)
        return next(self.predicates(subject, object), default)


# --------------------------------------------------------------------------- build (Oxigraph)

def _ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))


def graph_quads(g: rdflib.Graph, name: URIRef):
    """An rdflib Graph's triples as Oxigraph quads in named graph `name`."""
    gn = ox.NamedNode(str(name))
    return [ox.Quad(_ox(s), _ox(p), _ox(o), gn) for s, p, o in g]


def build_store_graph(kb: KnowledgeBase, region_dirs: list[Path] | None = None,
                      analysis_graph: rdflib.Graph | None = None, progress: bool = False,
                      cache=None, digests: dict | None = None, kept: set | None = None) -> ox.Store:
    """The build's graph: an in-memory Oxigraph store holding kgr:graph/reference, one named graph
    per document (made by kg.quads, one document at a time) and kgr:graph/analysis.
    Sentences the analysis cites as evidence get their kg:Sentence node in their document graph.
    cache (kg.incremental.QuadCache): a document graph whose inputs are unchanged since the last
    build is loaded from its N-Quads there, in the order it was first inserted (the store's files
    follow insertion order); every graph goes into the new cache. kept (a set): filled with the IRIs
    of the graphs loaded from the cache."""
    st = ox.Store()
    st.extend(graph_quads(load_reference(region_dirs, shared=True), REFERENCE_GRAPH))
    cited = set()
    if analysis_graph is not None:
        cited = {str(o) for o in analysis_graph.objects(None, PROV.wasDerivedFrom)}
    graphs = quads.DocumentGraphs(kb, mentions="evidence", extra_sentences=cited, digests=digests)
    it = graphs.plans
    if progress:
        from tqdm import tqdm
        it = tqdm(it, total=len(graphs.plans), desc="写入图谱", unit="篇", leave=False)
    nq = ox.RdfFormat.N_QUADS
    loaded: list[bytes] = []  # cached graphs in a row, loaded in one call (same order of insertion)
    for doc_id in it:
        key = graphs.key(doc_id) if cache is not None else None
        data = cache.get(key) if cache is not None else None
        if data is not None:
            loaded.append(data)
            if kept is not None:
                kept.add(quads.graph_iri(doc_id))
        else:
            if loaded:
                _load_cached(st, loaded)
                loaded.clear()
            gn = ox.NamedNode(quads.graph_iri(doc_id))
            batch = [ox.Quad(s, p, o, gn) for s, p, o in graphs.triples(doc_id)]
            st.extend(batch)
            if cache is not None:
                data = ox.serialize(batch, format=nq)
        if cache is not None:
            cache.put(key, data)
    if loaded:
        _load_cached(st, loaded)
    del loaded
    if analysis_graph is not None:
        st.extend(graph_quads(analysis_graph, ANALYSIS_GRAPH))
    return st


def _load_cached(st: ox.Store, blocks: list[bytes]) -> None:
    """Cached document graphs into st, in order. Lenient (no IRI or language-tag validation, ~40% less
    parsing): every line was written by Oxigraph's own serialiser from terms it had validated, in the
    last build's OUT/cache/graphs.nq; the quads and their order of insertion are the same."""
    st.load(b"".join(blocks), format=ox.RdfFormat.N_QUADS, lenient=True)


def add_union(st: ox.Store) -> None:
    """Store the union of the named graphs in the default graph (each triple once)."""
    st.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def store_dataset(st: ox.Store, graphs=None) -> rdflib.Dataset:
    """Named graphs of an Oxigraph store (all, or the IRIs given) as an rdflib Dataset (small graphs)."""
    ds = rdflib.Dataset()
    bind_prefixes(ds)
    names = graphs if graphs is not None else [g for g in st.named_graphs() if isinstance(g, ox.NamedNode)]
    for name in names:
        gn = ox.NamedNode(str(name))
        ctx = ds.graph(URIRef(gn.value))
        for q in st.quads_for_pattern(None, None, None, gn):
            ds.store.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)), ctx, False)
    return ds


# --------------------------------------------------------------------------- validation

_SEVERITY_ZH = {SH.Violation: "违规", SH.Warning: "警告", SH.Info: "提示"}


def _report_line(severity, focus: str, label, path: str | None, value: str | None, msg: str) -> str:
    """One validation.txt line, the same from pyshacl and from the compiled shapes."""
    line = f"[{_SEVERITY_ZH.get(severity, '违规')}] 节点 {focus}"
    if label is not None:
        line += f"（{label}）"
    if path is not None:
        line += f" 属性 {path}"
    if value is not None:
        line += f" 值 {value}"
    return line + f"：{msg}"


def _shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(resources.ontology_dir() / "shapes.ttl", format="turtle")


def _short(term, g: rdflib.Graph | None = None) -> str:
    """Readable form of a term: prefixed name for known namespaces, kgr:… for instances."""
    if isinstance(term, URIRef):
        t = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
            if t.startswith(str(ns)) and len(t) > len(str(ns)):
                return f"{prefix}:{t[len(str(ns)):]}"
        return f"<{t}>"
    if isinstance(term, BNode):
        return "[空白节点]"
    if isinstance(term, Literal):
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{str(term)!r}（{_short(term.datatype)}）".replace("'", "\"")
        return f"\"{term}\"" + (f"@{term.language}" if term.language else "")
    return str(term)


def _result_rows(results: rdflib.Graph, graph: rdflib.Graph, rows: dict[str, bool]) -> None:
    """Add pyshacl's results as Chinese report lines (line -> is a violation; same finding: one line)."""
    for r in results.subjects(RDF.type, SH.ValidationResult):
        sev = results.value(r, SH.resultSeverity)
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        msgs = [m for m in results.objects(r, SH.resultMessage)]
        zh = [str(m) for m in msgs if getattr(m, "language", None) == "zh"]
        msg = zh[0] if zh else (str(msgs[0]) if msgs else "")
        label = graph.value(focus, RDFS.label) if focus is not None else None
        line = _report_line(sev, _short(focus), label, path and _short(path),
                            _short(value) if value is not None and value != focus else None, msg)
        rows[line] = rows.get(line, False) or sev == SH.Violation


def _shacl(graph: rdflib.Graph, shapes: rdflib.Graph, rows: dict[str, bool]) -> bool:
    from pyshacl import validate as shacl_validate

    conforms, results, _text = shacl_validate(graph, shacl_graph=shapes, inference="none",
                                              abort_on_first=False, allow_warnings=True,
                                              advanced=False, meta_shacl=False)
    _result_rows(results, graph, rows)
    return bool(conforms)


def _report(conforms: bool, rows: dict[str, bool], n_triples: int) -> tuple[bool, str, int]:
    n_viol = sum(rows.values())
    lines = sorted(rows)
    if conforms and not lines:
        text = f"SHACL 校验通过：{n_triples} 个三元组全部符合 ontology/shapes.ttl 的约束。\n"
    else:
        head = (f"SHACL 校验{'通过（有警告）' if conforms else '未通过'}：{n_viol} 处违规，"
                f"共 {len(lines)} 条结果（{n_triples} 个三元组）。\n")
        text = head + "\n".join(lines) + "\n"
    return bool(conforms), text, n_viol


def validate(graph: rdflib.Graph) -> tuple[bool, str, int]:
    """SHACL validation with ontology/shapes.ttl.

    Returns (conforms, report text in Chinese, number of sh:Violation results). A Dataset is
    validated as its union graph.
    """
    if isinstance(graph, rdflib.Dataset):
        graph = union_graph(graph)
    rows: dict[str, bool] = {}
    conforms = _shacl(graph, _shapes_graph(), rows)
    return _report(conforms, rows, len(graph))


def _batch_graph(st: ox.Store, names, extra: rdflib.Graph) -> rdflib.Graph:
    g = rdflib.Graph()
    add = g.store.add
    for t in extra:
        add(t, g, False)
    for name in names:
        for q in st.quads_for_pattern(None, None, None, name):
            add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)), g, False)
    return g


def _cited_context(st: ox.Store) -> rdflib.Graph:
    """What the analysis graph's evidence links point at: each cited sentence's triples and its
    document's (so sh:class kg:Sentence on prov:wasDerivedFrom is checked against the real nodes)."""
    g = rdflib.Graph()
    an = ox.NamedNode(str(ANALYSIS_GRAPH))
    cited = {q.object for q in st.quads_for_pattern(None, ox.NamedNode(str(PROV.wasDerivedFrom)), None, an)}
    part_of = ox.NamedNode(str(DCTERMS.isPartOf))
    docs = set()
    for s in cited:
        for q in st.quads_for_pattern(s, None, None):
            if isinstance(q.graph_name, ox.DefaultGraph):
                continue
            g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
            if q.predicate == part_of:
                docs.add(q.object)
    for d in docs:
        for q in st.quads_for_pattern(d, None, None):
            if not isinstance(q.graph_name, ox.DefaultGraph):
                g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
    return g


def validate_batched(st: ox.Store, n_triples: int, batch: int = 400, progress: bool = False) -> tuple[bool, str, int]:
    """SHACL over the build's store, a batch of document graphs at a time (each with the reference
    graph, which holds the class hierarchy), then the analysis graph with the nodes it cites: time
    and memory grow with the corpus linearly, never with one union graph. Same report as validate:
    every shape here looks at one node and its own values, and a node's values are the same in every
    document graph that holds it, so the batches find what the union would. n_triples: size of
    the union (for the report's first line)."""
    shapes = _shapes_graph()
    ref_name = ox.NamedNode(str(REFERENCE_GRAPH))
    an = ox.NamedNode(str(ANALYSIS_GRAPH))
    reference = _batch_graph(st, [ref_name], rdflib.Graph())
    docs = sorted((g for g in st.named_graphs() if isinstance(g, ox.NamedNode) and g not in (ref_name, an)),
                  key=lambda g: g.value)
    rows: dict[str, bool] = {}
    conforms = True
    chunks = [docs[i:i + batch] for i in range(0, len(docs), batch)] or [[]]
    if progress:
        from tqdm import tqdm
        chunks = tqdm(chunks, desc="SHACL 校验", unit="批", leave=False)
    for chunk in chunks:
        conforms &= _shacl(_batch_graph(st, chunk, reference), shapes, rows)
    conforms &= _shacl(_batch_graph(st, [an], reference + _cited_context(st)), shapes, rows)
    return _report(conforms, rows, n_triples)


def _reusable_rows(st: ox.Store, checks: list, cache, digests: dict | None) -> tuple[list, list]:
    """(checks still to run, rows of the last build that still hold): see validate_store."""
    from . import shacl

    lines = cache.changed_lines(st, digests) if cache is not None and digests is not None else None
    focus = shacl.affected_focus(st, *lines) if lines is not None else None
    if focus is None:
        return checks, []
    cache.reused = True
    kept = {str(f) for f in focus}
    return (shacl.restrict(checks, focus) if focus else []), [r for r in cache.rows if r[0] not in kept]


def validate_store(st: ox.Store, n_triples: int, progress: bool = False, cache=None,
                   digests: dict | None = None) -> tuple[bool, str, int]:
    """SHACL over the build's store: ontology/shapes.ttl compiled to SPARQL (kg.shacl) and run on
    the union default graph (write_store_outputs leaves it there), same report as validate. Shapes
    the compiler does not handle fall back to pyshacl a batch of document graphs at a time.
    cache (kg.incremental.ShaclCache) with digests (write_store_outputs): only the focus nodes that
    the graphs changed since the last build can reach are validated (kg.shacl.affected_focus), the
    last build's rows of every other node are kept; the new rows go into the new cache."""
    from . import shacl

    try:
        checks = shacl.compile_shapes(_shapes_graph())
    except shacl.Unsupported:
        return validate_batched(st, n_triples, progress=progress)
    checks, found = _reusable_rows(st, checks, cache, digests)
    label_p = ox.NamedNode(str(RDFS.label))
    for sev, node, path, value, msg in shacl.run(st, checks):
        labels = sorted(q.object.value for q in st.quads_for_pattern(node, label_p, None, ox.DefaultGraph()))
        line = _report_line(URIRef(sev), _short(_rdflib(node)), labels[0] if labels else None,
                            path and _short(URIRef(path)),
                            _short(_rdflib(value)) if value is not None and value != node else None, msg)
        found.append([str(node), line, URIRef(sev) == SH.Violation])
    rows: dict[str, bool] = {}
    for _node, line, violation in found:
        rows[line] = rows.get(line, False) or violation
    if cache is not None and digests is not None:  # a blank focus node cannot be found again next time
        cache.save(digests, None if any(r[0].startswith("_:") for r in found) else found)
    return _report(not any(rows.values()), rows, n_triples)


# --------------------------------------------------------------------------- writers

def write_outputs(ds: rdflib.Dataset, out_dir: Path) -> dict[str, Path]:
    """graph.ttl (union), graph.trig, graph.nq of an rdflib Dataset, serialised by Oxigraph (see
    write_store_outputs). Returns {"ttl"|"trig"|"nq": path}."""
    st = ox.Store()
    for ctx in ds.graphs():
        if isinstance(ctx.identifier, URIRef) and ctx.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
            st.extend(graph_quads(ctx, ctx.identifier))
    return write_store_outputs(st, out_dir)


def graph_digests(lines) -> dict[str, str]:
    """{named graph IRI: digest of its N-Quads lines} from sorted N-Quads lines (bytes): what
    kg.store compares to update OUT/store in place, graph by graph."""
    import hashlib

    hashes: dict[bytes, object] = {}
    for line in lines:
        g = line[:line.rindex(b" .")].rsplit(b" ", 1)[1]  # the last term: an IRI holds no space
        h = hashes.get(g)
        if h is None:
            h = hashes[g] = hashlib.sha256()
        h.update(line)
    return {g.decode()[1:-1]: h.hexdigest()[:32] for g, h in hashes.items() if g.startswith(b"<")}


def write_store_outputs(st: ox.Store, out_dir: Path, digests: dict | None = None, reuse=None,
                        sizes: dict | None = None) -> dict[str, Path]:
    """graph.nq (lines sorted: the same input gives byte-identical N-Quads), graph.trig, and
    graph.ttl (the union) from the store's named graphs, each written atomically. Leaves the union
    of the named graphs in the store's default graph. Returns {"ttl"|"trig"|"nq": path}.
    digests (a dict): filled with each named graph's digest (graph_digests). reuse
    (kg.incremental.NQuadsReuse): the lines and digests of the graphs unchanged since the last
    build come from its graph.nq, only the others are serialised (the same file). sizes (a dict):
    sizes["union"] is set to the number of triples in the union (union_size)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"ttl": out_dir / "graph.ttl", "trig": out_dir / "graph.trig", "nq": out_dir / "graph.nq"}
    st.update("CLEAR DEFAULT")
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    with atomic_path(paths["nq"]) as tmp:
        made = reuse.lines(st) if reuse is not None else None
        if made is not None:
            lines, known = made
        else:
            st.dump(str(tmp), format=ox.RdfFormat.N_QUADS)  # read back line by line: the dump as one
            with open(tmp, "rb") as f:  # bytes object beside its lines would double the peak (10x: ~300 MB)
                lines = f.readlines()
            lines.sort()
            known = None
        with open(tmp, "wb") as f:  # no joined copy of the whole file beside the lines (10x: ~300 MB)
            f.writelines(lines)
        if digests is not None:
            digests.update(known if known is not None else graph_digests(lines))
        del lines
    with atomic_path(paths["trig"]) as tmp:
        st.dump(str(tmp), format=ox.RdfFormat.TRIG, prefixes=prefixes)
    named = len(st)  # the default graph is empty here
    add_union(st)
    if sizes is not None:  # union_size, without walking the default graph in Python
        sizes["union"] = len(st) - named
    with atomic_path(paths["ttl"]) as tmp:
        st.dump(str(tmp), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)
    return paths


def load_store(out_dir: Path) -> ox.Store:
    """OUT/graph.nq (named graphs) into an in-memory Oxigraph store: Oxigraph's parser, ~1 s per
    100k quads, where rdflib's TriG parser took 32 s and 1.4 GB on a whole corpus."""
    st = ox.Store()
    st.bulk_load(path=str(Path(out_dir) / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    return st


def store_union(st: ox.Store, skip_graphs=()) -> rdflib.Graph:
    """The union of a store's named graphs (minus skip_graphs) as one rdflib Graph, each triple once."""
    g = rdflib.Graph()
    bind_prefixes(g)
    add = g.store.add
    skip = {ox.NamedNode(str(x)) for x in skip_graphs}
    for q in st:
        if isinstance(q.graph_name, ox.DefaultGraph) or q.graph_name in skip:
            continue
        add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)), g, False)
    return g


def drop_graph(st: ox.Store, name) -> None:
    st.remove_graph(ox.NamedNode(str(name)))


def union_size(st: ox.Store) -> int:
    return sum(1 for _ in st.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def load_graph(out_dir: Path) -> rdflib.Dataset:
    """Reload the Dataset written by write_outputs (from graph.trig, named graphs kept)."""
    ds = rdflib.Dataset()
    bind_prefixes(ds)
    ds.parse(Path(out_dir) / "graph.trig", format="trig")
    return ds


def drop_analysis(ds: rdflib.Dataset) -> None:
    """Remove the kgr:graph/analysis named graph (before re-running `kg analyze`)."""
    for ctx in list(ds.graphs()):
        if ctx.identifier == ANALYSIS_GRAPH:
            ds.remove_graph(ctx)
