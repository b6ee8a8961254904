"""SHACL Core shapes compiled to SPARQL, run on the build's Oxigraph store.

pyshacl walks an rdflib graph in Python (85 s on a 565k-triple union); the same constraints as
SPARQL SELECTs over the store's union default graph run in Oxigraph. Each constraint of
ontology/shapes.ttl becomes one query returning (focus node, value) rows, reported in the same
lines as kg.rdf.validate (pyshacl): node, label, property, value, the shape's Chinese message.
Supported (everything shapes.ttl uses): targets sh:targetClass (with rdfs:subClassOf*),
sh:targetSubjectsOf; node-level sh:xone / sh:or of sh:class or qualified-count members; property
shapes with a single-IRI sh:path and sh:minCount, sh:maxCount, sh:datatype, sh:minInclusive,
sh:maxInclusive, sh:in, sh:nodeKind, sh:class, sh:lessThan, sh:or of sh:class,
sh:qualifiedValueShape [sh:languageIn] with sh:qualifiedMinCount / sh:qualifiedMaxCount.
Anything else raises Unsupported, and the caller falls back to pyshacl.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.collection import Collection

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
_SUB = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_PROPERTY_KEYS = {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.minInclusive, SH.maxInclusive, SH["in"],
                  SH.nodeKind, SH["class"], SH.lessThan, SH["or"], SH.qualifiedValueShape, SH.qualifiedMinCount,
                  SH.qualifiedMaxCount, SH.message, SH.name, SH.description, RDFS.comment, SH.severity}
_NODE_KEYS = {RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.xone, SH["or"], SH.property, SH.message,
              RDFS.comment, SH.severity}


class Unsupported(Exception):
    """A shape uses a SHACL feature this compiler does not handle."""


@dataclass
class Check:
    """One compiled constraint: rows (?f, ?v?) are its results."""
    query: str
    message: str
    path: str | None
    severity: str
    has_value: bool


def _term(t) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        return t.n3()
    raise Unsupported(f"term {t!r}")


def _list(g, node) -> list:
    return list(Collection(g, node))


def _message(g, *nodes) -> str:
    for n in nodes:
        msgs = list(g.objects(n, SH.message))
        zh = [str(m) for m in msgs if getattr(m, "language", None) == "zh"]
        if zh or msgs:
            return zh[0] if zh else str(msgs[0])
    return "不符合约束"


def _check_keys(g, node, allowed) -> None:
    extra = {p for p in g.predicates(node) if p not in allowed}
    if extra:
        raise Unsupported(", ".join(sorted(str(p) for p in extra)))


def _targets(g, shape) -> str:
    parts = [f"{{ ?f {_SUB} {_term(c)} }}" for c in g.objects(shape, SH.targetClass)]
    parts += [f"{{ ?f {_term(p)} [] }}" for p in g.objects(shape, SH.targetSubjectsOf)]
    if not parts:
        raise Unsupported("shape without a target")
    return " UNION ".join(parts)


def _lang_cond(g, value_shape, var: str) -> str:
    _check_keys(g, value_shape, {SH.languageIn})
    langs = [str(x) for x in _list(g, g.value(value_shape, SH.languageIn))]
    return "(" + " || ".join(f'langMatches(lang({var}), "{x}")' for x in langs) + ")"


def _member(g, m, var: str) -> str:
    """A boolean SPARQL expression: does node `var` conform to the member shape `m`?"""
    cls = g.value(m, SH["class"])
    if cls is not None:
        _check_keys(g, m, {SH["class"]})
        return f"EXISTS {{ {var} {_SUB} {_term(cls)} }}"
    path = g.value(m, SH.path)
    if path is not None and g.value(m, SH.qualifiedValueShape) is not None:
        _check_keys(g, m, {SH.path, SH.qualifiedValueShape, SH.qualifiedMinCount})
        if int(g.value(m, SH.qualifiedMinCount) or 0) != 1:
            raise Unsupported("qualifiedMinCount other than 1 in a logical member")
        cond = _lang_cond(g, g.value(m, SH.qualifiedValueShape), "?m_v")
        return f"EXISTS {{ {var} {_term(path)} ?m_v FILTER({cond}) }}"
    raise Unsupported("logical member")


def _severity(g, shape) -> str:
    return str(g.value(shape, SH.severity) or SH.Violation)


def _node_checks(g, shape, target: str) -> list[Check]:
    out = []
    msg, sev = _message(g, shape), _severity(g, shape)
    xone = g.value(shape, SH.xone)
    if xone is not None:
        n = " + ".join(f"IF({_member(g, m, '?f')}, 1, 0)" for m in _list(g, xone))
        out.append(Check(f"SELECT DISTINCT ?f WHERE {{ {target} FILTER(({n}) != 1) }}", msg, None, sev, False))
    alt = g.value(shape, SH["or"])
    if alt is not None:
        cond = " || ".join(_member(g, m, "?f") for m in _list(g, alt))
        out.append(Check(f"SELECT DISTINCT ?f WHERE {{ {target} FILTER(!({cond})) }}", msg, None, sev, False))
    return out


def _value_filters(g, ps) -> list[str]:
    """FILTER expressions true for a value ?v that violates the property shape."""
    out = []
    dt = g.value(ps, SH.datatype)
    if dt is not None:
        out.append(f"!isLiteral(?v) || datatype(?v) != {_term(dt)}")
    for key, op in ((SH.minInclusive, ">="), (SH.maxInclusive, "<=")):
        lim = g.value(ps, key)
        if lim is not None:
            out.append(f"!COALESCE(?v {op} {_term(lim)}, false)")
    allowed = g.value(ps, SH["in"])
    if allowed is not None:
        vals = ", ".join(_term(x) for x in _list(g, allowed))
        out.append(f"!COALESCE(?v IN ({vals}), false)")
    kind = g.value(ps, SH.nodeKind)
    if kind is not None:
        test = {SH.IRI: "isIRI(?v)", SH.Literal: "isLiteral(?v)", SH.BlankNode: "isBlank(?v)"}.get(kind)
        if test is None:
            raise Unsupported(f"nodeKind {kind}")
        out.append(f"!{test}")
    cls = g.value(ps, SH["class"])
    if cls is not None:
        out.append(f"NOT EXISTS {{ ?v {_SUB} {_term(cls)} }}")
    alt = g.value(ps, SH["or"])
    if alt is not None:
        out.append("!(" + " || ".join(_member(g, m, "?v") for m in _list(g, alt)) + ")")
    return out


def _property_checks(g, shape, ps, target: str) -> list[Check]:
    _check_keys(g, ps, _PROPERTY_KEYS)
    path = g.value(ps, SH.path)
    if not isinstance(path, URIRef):
        raise Unsupported("property path other than one IRI")
    p, msg, sev = _term(path), _message(g, ps, shape), _severity(g, ps)
    out = []

    def add(q, has_value):
        out.append(Check(q, msg, str(path), sev, has_value))

    for f in _value_filters(g, ps):
        add(f"SELECT DISTINCT ?f ?v WHERE {{ {target} ?f {p} ?v FILTER({f}) }}", True)
    other = g.value(ps, SH.lessThan)
    if other is not None:
        add(f"SELECT DISTINCT ?f ?v WHERE {{ {target} ?f {p} ?v . ?f {_term(other)} ?w "
            f"FILTER(!COALESCE(?v < ?w, false)) }}", True)
    for key, having in ((SH.minCount, "<"), (SH.maxCount, ">")):
        n = g.value(ps, key)
        if n is not None:
            add(f"SELECT ?f WHERE {{ {target} OPTIONAL {{ ?f {p} ?v }} }} GROUP BY ?f "
                f"HAVING (COUNT(DISTINCT ?v) {having} {int(n)})", False)
    qvs = g.value(ps, SH.qualifiedValueShape)
    if qvs is not None:
        cond = _lang_cond(g, qvs, "?v")
        for key, having in ((SH.qualifiedMinCount, "<"), (SH.qualifiedMaxCount, ">")):
            n = g.value(ps, key)
            if n is not None:
                add(f"SELECT ?f WHERE {{ {target} OPTIONAL {{ ?f {p} ?v FILTER({cond}) }} }} GROUP BY ?f "
                    f"HAVING (COUNT(DISTINCT ?v) {having} {int(n)})", False)
    return out


def compile_shapes(g: rdflib.Graph) -> list[Check]:
    """Every constraint of the shapes graph as a Check (raises Unsupported)."""
    checks = []
    for shape in sorted(set(g.subjects(RDF.type, SH.NodeShape)), key=str):
        _check_keys(g, shape, _NODE_KEYS)
        target = _targets(g, shape)
        checks += _node_checks(g, shape, target)
        for ps in g.objects(shape, SH.property):
            checks += _property_checks(g, shape, ps, target)
    return checks


def run(st: ox.Store, checks: list[Check]) -> list[tuple[str, ox.Term, str | None, object, str]]:
    """(severity, focus, path, value or None, message) for every result, over the default graph
    (the union of the named graphs, as kg.rdf.write_store_outputs leaves it)."""
    out = []
    for c in checks:
        for row in st.query(c.query):
            out.append((c.severity, row["f"], c.path, row["v"] if c.has_value else None, c.message))
    return out


# ---------------------------------------------------------------- incremental validation
#
# Every constraint compile_shapes accepts looks at a focus node's own triples (its types, its values
# on single-IRI paths) and at its values' own triples (sh:class on a value, sh:or members on a value),
# with the class hierarchy (rdfs:subClassOf*) of the reference graph. So when the union changes by a
# set of triples D, only two kinds of focus nodes can change their results: subjects of D, and nodes
# with a value that is a subject of D. Every other node's rows of the last build still hold.

MAX_FOCUS = 20_000  # more affected nodes than this: validating everything is as fast
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))


def _triples(lines) -> set:
    """(s, p, o) of N-Quads lines (the graph term dropped)."""
    data = b"".join(lines)
    if not data:
        return set()
    return {(q.subject, q.predicate, q.object) for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)}


def _union_changes(st: ox.Store, changed: set, old: set, new: set) -> list:
    """Triples of the changed graphs (old and new versions) that entered or left the union: a triple
    another, unchanged graph still states was in the union before and is after."""
    out = []
    for t in old ^ new:
        if not any(not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name not in changed
                   for q in st.quads_for_pattern(*t)):
            out.append(t)
    return out


def affected_focus(st: ox.Store, old_lines: dict[str, list], new_lines: dict[str, list]) -> set | None:
    """The focus nodes whose validation results may differ from the last build's, given the N-Quads
    lines of every named graph that changed (old_lines: as the last build wrote them, new_lines: now;
    a graph that is new or gone has no lines on one side). st: this build's store, its default graph
    the union. None when everything must be validated (a blank node or the class hierarchy changed,
    or too many nodes are affected)."""
    changed = {ox.NamedNode(g) for g in {*old_lines, *new_lines}}
    old = _triples(x for g in old_lines.values() for x in g)
    new = _triples(x for g in new_lines.values() for x in g)
    subjects = set()
    for s, p, _o in _union_changes(st, changed, old, new):
        if not isinstance(s, ox.NamedNode) or p == _SUBCLASS:
            return None
        subjects.add(s)
    focus = set(subjects)
    dg = ox.DefaultGraph()
    for v in subjects:
        for q in st.quads_for_pattern(None, None, v, dg):
            if not isinstance(q.subject, ox.NamedNode):
                return None
            focus.add(q.subject)
        if len(focus) > MAX_FOCUS:
            return None
    return focus


def restrict(checks: list[Check], focus) -> list[Check]:
    """The checks with their focus node ?f bound to the given nodes (a VALUES block)."""
    from dataclasses import replace

    values = "VALUES ?f { " + " ".join(str(f) for f in sorted(focus, key=lambda n: n.value)) + " } "
    return [replace(c, query=c.query.replace("WHERE { ", "WHERE { " + values, 1)) for c in checks]
