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

import hashlib
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, XSD, BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from . import resources
from .model import KnowledgeBase
from .util import KG as KG_NS, KGR as KGR_NS, atomic_path, entity_iri, iri_segment

KG = Namespace(KG_NS)
KGR = Namespace(KGR_NS)
ORG = Namespace("http://www.w3.org/ns/org#")
SH = Namespace("http://www.w3.org/ns/shacl#")

REFERENCE_GRAPH = URIRef(KGR_NS + "graph/reference")
ANALYSIS_GRAPH = URIRef(KGR_NS + "graph/analysis")

PREFIXES = {"kg": KG, "kgr": KGR, "org": ORG, "prov": PROV, "skos": SKOS, "rdfs": RDFS, "owl": OWL,
            "xsd": XSD, "dcterms": DCTERMS, "rdf": RDF}

# relation name (kg.model) -> predicate; literal relations handled separately
_LITERAL_PRED = {"investment": KG.investmentText, "capacity": KG.capacityText}


# --------------------------------------------------------------------------- IRIs

def doc_iri(doc_id: str) -> URIRef:
    return URIRef(f"{KGR_NS}doc/{iri_segment(doc_id)}")


def sentence_iri(doc_id: str, index: int) -> URIRef:
    return URIRef(f"{KGR_NS}doc/{iri_segment(doc_id)}/s{index}")


def mention_iri(doc_id: str, start: int, end: int) -> URIRef:
    return URIRef(f"{KGR_NS}doc/{iri_segment(doc_id)}/m{start}-{end}")


def graph_iri(doc_id: str) -> URIRef:
    return URIRef(f"{KGR_NS}graph/{iri_segment(doc_id)}")


def statement_iri(s: URIRef, p: URIRef, o) -> URIRef:
    """kgr:stmt/{sha1(s p o)[:16]}, hashing the N-Triples form "<s> <p> <o>" (o: IRI or literal)."""
    key = f"{s.n3()} {p.n3()} {o.n3()}".encode("utf-8")
    return URIRef(f"{KGR_NS}stmt/{hashlib.sha1(key).hexdigest()[:16]}")


def fact_iri(doc_id: str, sentence: int, metric: str, value: str, subject: str) -> URIRef:
    key = f"{doc_id}|{sentence}|{subject}|{metric}|{value}".encode("utf-8")
    return URIRef(f"{KGR_NS}fact/{hashlib.sha1(key).hexdigest()[:16]}")


def bind_prefixes(g) -> None:
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)


# --------------------------------------------------------------------------- reference

def load_reference(region_dirs: list[Path] | None = None) -> rdflib.Graph:
    """ontology/chainkg.ttl + every region folder's *.ttl + ontology/templates/*.ttl, through the
    one loader every stage uses (kg.resources.load_reference: errors name the file and line).

    `region_dirs=None` means every bundled folder under ontology/regions/. Returns a fresh copy
    (cached by file modification times), so callers may modify it.
    """
    out = resources.load_reference(region_dirs)
    bind_prefixes(out)
    return out


# --------------------------------------------------------------------------- build

def _entity_uri(kb: KnowledgeBase, key) -> URIRef:
    ent = kb.entities.get(key)
    if ent is not None and ent.attrs.get("iri"):
        return URIRef(ent.attrs["iri"])
    return URIRef(entity_iri(key[0], key[1]))


def _decimal(v) -> Decimal | None:
    if v is None:
        return None
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def decimal_literal(d) -> Literal:
    """xsd:decimal in canonical lexical form ("2000000000.0"), so it survives a Turtle round trip."""
    txt = format(Decimal(d), "f")
    if "." not in txt:
        txt += ".0"
    else:
        txt = txt.rstrip("0")
        if txt.endswith("."):
            txt += "0"
    if txt.startswith("-") and txt.strip("-0.") == "":
        txt = "0.0"
    return Literal(txt, datatype=XSD.decimal)


def _conf(c: float) -> Literal:
    c = min(max(float(c), 0.0), 1.0)
    return decimal_literal(Decimal(str(round(c, 3))))


def build_dataset(kb: KnowledgeBase, region_dirs: list[Path] | None = None) -> rdflib.Dataset:
    """Named graph per document + reference graph, following the RDF contract."""
    ds = rdflib.Dataset()
    bind_prefixes(ds)
    store = ds.store
    ref = ds.graph(REFERENCE_GRAPH)
    for t in load_reference(region_dirs):
        store.add(t, ref, False)

    docs = {d.doc_id: d for d in kb.documents}
    # triples are collected per document in Python sets (cheap dedupe) and loaded at the end
    graphs: dict[str, set] = {}
    sentences_done: dict[str, set[int]] = defaultdict(set)
    entities_done: dict[str, set] = defaultdict(set)

    def graph(doc_id: str) -> set:
        g = graphs.get(doc_id)
        if g is None:
            g = graphs[doc_id] = set()
            d = docs.get(doc_id)
            di = doc_iri(doc_id)
            g.add((di, RDF.type, KG.Document))
            g.add((di, RDF.type, PROV.Entity))
            title = Path(d.path).name if d is not None and d.path else doc_id
            g.add((di, DCTERMS.title, Literal(title or doc_id)))
            if d is not None:
                if d.sha256:
                    g.add((di, KG.sha256, Literal(d.sha256)))
                g.add((di, KG.encoding, Literal(d.encoding or "utf-8")))
                g.add((di, KG.duplicatesDropped, Literal(int(d.duplicates_dropped), datatype=XSD.integer)))
                if d.format:
                    g.add((di, KG.sourceFormat, Literal(d.format)))
        return g

    sent_maps = {d.doc_id: {s.index: s for s in d.sentences} for d in kb.documents}

    def sentence(doc_id: str, index: int, text: str = "", start: int | None = None,
                 end: int | None = None) -> URIRef:
        si = sentence_iri(doc_id, index)
        if index in sentences_done[doc_id]:
            return si
        sentences_done[doc_id].add(index)
        g = graph(doc_id)
        s = sent_maps.get(doc_id, {}).get(index)
        if s is not None:
            text, start, end = s.text, s.start, s.end
            for pred, v in ((KG.page, s.page), (KG.tableNumber, s.table), (KG.rowNumber, s.row)):
                if v is not None:  # where in the original file: PDF page, table and row
                    g.add((si, pred, Literal(int(v), datatype=XSD.integer)))
        g.add((si, RDF.type, KG.Sentence))
        g.add((si, RDF.type, PROV.Entity))
        g.add((si, KG.text, Literal(text)))
        if start is not None and end is not None and 0 <= start < end:
            g.add((si, KG.startOffset, Literal(int(start), datatype=XSD.integer)))
            g.add((si, KG.endOffset, Literal(int(end), datatype=XSD.integer)))
        g.add((si, DCTERMS.isPartOf, doc_iri(doc_id)))
        return si

    def describe(doc_id: str, key) -> URIRef:
        e = _entity_uri(kb, key)
        if key in entities_done[doc_id]:
            return e
        entities_done[doc_id].add(key)
        g = graph(doc_id)
        ent = kb.entities.get(key)
        label = ent.label if ent else key[1]
        g.add((e, RDF.type, KG[key[0]]))
        g.add((e, RDFS.label, Literal(label, lang="zh")))
        g.add((e, SKOS.prefLabel, Literal(label, lang="zh")))
        if ent is not None:
            for a in sorted(ent.aliases):
                if a != label:
                    g.add((e, SKOS.altLabel, Literal(a, lang="zh")))
        return e

    # documents (even those with nothing extracted)
    for d in kb.documents:
        graph(d.doc_id)

    # entities and mentions (a span denotes one entity: a second reading of the same span is dropped)
    spans_done: set[tuple[str, int, int]] = set()
    for key, ent in kb.entities.items():
        e = _entity_uri(kb, key)
        for doc_id, m in ent.mentions:
            g = graph(doc_id)
            describe(doc_id, key)
            if not (0 <= m.start < m.end) or (doc_id, m.start, m.end) in spans_done:
                continue
            spans_done.add((doc_id, m.start, m.end))
            mi = mention_iri(doc_id, m.start, m.end)
            si = sentence(doc_id, m.sentence)
            g.add((mi, RDF.type, KG.Mention))
            g.add((mi, RDF.type, PROV.Entity))
            g.add((mi, KG.text, Literal(m.text)))
            g.add((mi, KG.startOffset, Literal(int(m.start), datatype=XSD.integer)))
            g.add((mi, KG.endOffset, Literal(int(m.end), datatype=XSD.integer)))
            g.add((mi, KG.inSentence, si))
            g.add((mi, KG.denotes, e))
            g.add((e, KG.mention, mi))

    # assertions
    for a in kb.assertions:
        s = _entity_uri(kb, a.head)
        triples = []
        if a.literal:
            pred = _LITERAL_PRED.get(a.rel, KG[a.rel])
            triples.append((s, pred, Literal(str(a.tail))))
            if a.rel == "investment":
                v = _decimal(a.value)
                if v is not None and v >= 0:
                    triples.append((s, KG.investmentAmount, decimal_literal(v)))
                if a.currency and a.currency != "CNY":
                    triples.append((s, KG.currency, Literal(a.currency)))
        else:
            triples.append((s, KG[a.rel], _entity_uri(kb, a.tail)))
        by_doc: dict[str, list] = defaultdict(list)
        for ev in a.evidence:
            by_doc[ev.doc_id].append(ev)
        for doc_id, evs in by_doc.items():
            g = graph(doc_id)
            describe(doc_id, a.head)
            if not a.literal:
                describe(doc_id, a.tail)
            sents = [sentence(doc_id, ev.sentence, ev.text, ev.start, ev.end) for ev in evs]
            for t in triples:
                g.add(t)
                st = statement_iri(*t)
                g.add((st, RDF.type, KG.Assertion))
                g.add((st, RDF.type, RDF.Statement))
                g.add((st, RDF.type, PROV.Entity))
                g.add((st, RDF.subject, t[0]))
                g.add((st, RDF.predicate, t[1]))
                g.add((st, RDF.object, t[2]))
                g.add((st, KG.confidence, _conf(a.confidence)))
                for si in sents:
                    g.add((st, PROV.wasDerivedFrom, si))

    # facts
    label_index = defaultdict(list)
    for key in kb.entities:
        label_index[key[1]].append(key)
    for doc_id, f in kb.facts:
        g = graph(doc_id)
        fi = fact_iri(doc_id, f.sentence, f.metric, f.value, f.subject)
        si = sentence(doc_id, f.sentence, f.evidence)
        g.add((fi, RDF.type, KG.Fact))
        g.add((fi, RDF.type, PROV.Entity))
        g.add((fi, KG.metric, Literal(f.metric)))
        g.add((fi, KG.value, Literal(f.value)))
        g.add((fi, KG.subjectText, Literal(f.subject)))
        n = _decimal(f.number)
        if n is not None:
            g.add((fi, KG.number, decimal_literal(n)))
        if f.unit:
            g.add((fi, KG.unit, Literal(f.unit)))
        if f.period:
            g.add((fi, KG.period, Literal(f.period)))
        g.add((fi, PROV.wasDerivedFrom, si))
        keys = label_index.get(f.subject, [])
        if len(keys) > 1:
            keys = [k for k in keys if k[0] in ("City", "County", "Province", "Region", "Park")] or keys
        if keys:
            key = sorted(keys)[0]
            describe(doc_id, key)
            g.add((fi, KG.about, _entity_uri(kb, key)))

    for doc_id, triples in graphs.items():
        ctx = ds.graph(graph_iri(doc_id))
        for t in triples:
            store.add(t, ctx, False)
    return ds


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


# --------------------------------------------------------------------------- validation

_SEVERITY_ZH = {SH.Violation: "违规", SH.Warning: "警告", SH.Info: "提示"}


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


def validate(graph: rdflib.Graph) -> tuple[bool, str, int]:
    """SHACL validation with ontology/shapes.ttl.

    Returns (conforms, report text in Chinese, number of sh:Violation results). A Dataset is
    validated as its union graph.
    """
    from pyshacl import validate as shacl_validate

    if isinstance(graph, rdflib.Dataset):
        graph = union_graph(graph)
    conforms, results, _text = shacl_validate(graph, shacl_graph=_shapes_graph(), inference="none",
                                              abort_on_first=False, allow_warnings=True,
                                              advanced=False, meta_shacl=False)
    rows: dict[str, bool] = {}  # line -> is a violation (same finding from two shapes: one line)
    for r in results.subjects(RDF.type, SH.ValidationResult):
        sev = results.value(r, SH.resultSeverity)
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        msgs = [m for m in results.objects(r, SH.resultMessage)]
        zh = [str(m) for m in msgs if getattr(m, "language", None) == "zh"]
        msg = zh[0] if zh else (str(msgs[0]) if msgs else "")
        label = graph.value(focus, RDFS.label) if focus is not None else None
        line = f"[{_SEVERITY_ZH.get(sev, '违规')}] 节点 {_short(focus)}"
        if label is not None:
            line += f"（{label}）"
        if path is not None:
            line += f" 属性 {_short(path)}"
        if value is not None and value != focus:
            line += f" 值 {_short(value)}"
        line += f"：{msg}"
        rows[line] = rows.get(line, False) or sev == SH.Violation
    n_viol = sum(rows.values())
    rows = list(rows)
    rows.sort()
    if conforms and not rows:
        text = f"SHACL 校验通过：{len(graph)} 个三元组全部符合 ontology/shapes.ttl 的约束。\n"
    else:
        head = (f"SHACL 校验{'通过（有警告）' if conforms else '未通过'}：{n_viol} 处违规，"
                f"共 {len(rows)} 条结果（{len(graph)} 个三元组）。\n")
        text = head + "\n".join(rows) + "\n"
    return bool(conforms), text, n_viol


# --------------------------------------------------------------------------- writers

def write_outputs(ds: rdflib.Dataset, out_dir: Path) -> dict[str, Path]:
    """graph.ttl (union), graph.trig, graph.nq, each written atomically. Returns {"ttl"|"trig"|"nq": path}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bind_prefixes(ds)
    paths = {"ttl": out_dir / "graph.ttl", "trig": out_dir / "graph.trig", "nq": out_dir / "graph.nq"}
    with atomic_path(paths["ttl"]) as tmp:
        union_graph(ds).serialize(destination=str(tmp), format="turtle", encoding="utf-8")
    with atomic_path(paths["trig"]) as tmp:
        ds.serialize(destination=str(tmp), format="trig", encoding="utf-8")
    with atomic_path(paths["nq"]) as tmp:
        # lines in sorted order: the same input gives byte-identical N-Quads (diffable builds)
        data = ds.serialize(format="nquads", encoding="utf-8")
        lines = sorted(set(data.splitlines(keepends=True)))
        Path(tmp).write_bytes(b"".join(lines))
    return paths


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
