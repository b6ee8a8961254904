"""Chain analysis on the RDF graph: focus region, chains in scope, segment mapping, 链主, gaps, leads.

Input is the union graph of the RDF contract (docs/ARCHITECTURE.md); chain templates
(ontology/templates/*.ttl and any *.ttl in region folders) are loaded if the graph lacks them.
Nothing here is specific to one region: clusters, chains, segments and keywords are all data.

Region: the focus region is detected from the corpus (kg.region) or given; only the cluster scheme
  whose kg:region is the focus applies. Firms located elsewhere are targets, never local players.
Chains: the focus scheme's chains, templates the texts name, and chains named only in the text
  (no template: 链主/链核/firms, segments 未知).
Mapping: an Enterprise/Project is placed on a segment when a segment keyword is the head of its own
  names, its products (kg:produces) or its projects' names; else by keywords in the clause run after
  its mention. Roles (kg:chainLeaderOf / kg:chainCoreOf) and supply links (kg:suppliesTo) are read
  from the graph with their kg:confidence; sentences are not re-read for them. The few text cues
  still needed (project stage, 招引/空白, unnamed local suppliers, visit targets) are data
  (ontology/analysis/cues.json via kg.cues).
链主: kg.leaders. Gaps and leads: kg.gaps.

What is still read from sentences, and why it is matching rather than extraction:
  _contexts/_window  place a firm on a template segment by the keywords in the clause after its own
                     mention, only when the graph gives it no confident product, project or name to place
                     it by. Segments and their keywords are template data chosen per region at analysis
                     time; extraction does not know them. No fact is created: the clause is matched.
  present/sought     sentence-level statements about a segment with no firm to bind a relation to
                     ("实现封装材料就地配套", "重点招引电解液企业"): cues.json, each with examples.
  _after + stage     a project's stage (签约 < 开工 < 投产) from the clause after its mention. This one is a
                     fact about an entity and belongs in extraction; it stays here until the ontology has a
                     stage property for the extractor to write (kg:stage is not in chainkg.ttl).
Roles (链主/链核), supply links and products are never re-read: they come from the graph with their
kg:confidence (kg:produces below PRODUCES_MIN is not taken as the firm's own product).
"""
from __future__ import annotations

import os

import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from . import cues, gaps as gaps_mod, leaders as leaders_mod, quads, resources
from . import region as region_mod
from .results import (NO_CLUSTER, NO_LEADER, POSITIONS, STATUS_LEGEND, STATUSES, AnalysisResult, ChainInfo,
                      ClusterInfo, Evidence, FactRow, Gap, Lead, Leader, Placement, Player, SegmentInfo, Unplaced)
from .util import KG as KG_NS, KGR as KGR_NS, iri_segment, norm_name

log = logging.getLogger(__name__)


class _NS:
    """Namespace terms as plain attributes, each made once: rdflib's Namespace and DefinedNamespace
    build the term on every attribute access, and analysis reads them hundreds of thousands of times."""

    def __init__(self, base: str):
        self._base = str(base)

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = quads.vocabulary_iri(self._base + name)  # the analysis graph's own object (identity lookups)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        return getattr(self, name)

    def __str__(self) -> str:
        return self._base


RDF, RDFS, XSD, DCTERMS, PROV, SKOS = (_NS(str(ns)) for ns in (RDF, RDFS, XSD, DCTERMS, PROV, SKOS))
KG = _NS(KG_NS)
KGR = Namespace(KGR_NS)
ANALYSIS_GRAPH = URIRef(KGR_NS + "graph/analysis")
# result types live in kg.results; re-exported here for callers of kg.analysis
__all__ = ["analyze", "write_back", "ANALYSIS_GRAPH", "NO_CLUSTER", "NO_LEADER", "STATUS_LEGEND", "STATUSES",
           "AnalysisResult", "ChainInfo", "ClusterInfo", "Evidence", "FactRow", "Gap", "Lead", "Leader", "Placement",
           "Player", "SegmentInfo", "Unplaced"]
REGISTER_SUFFIXES = (".csv", ".xlsx", ".xlsm")
PLACE_TYPES = ("City", "County", "Province", "Region", "Park")
PRODUCES_MIN = 0.5  # kg:produces below this confidence is not read as the firm's own product

def _lit(v) -> str:
    return str(v) if v is not None else ""


class _G:
    """Read helpers over one rdflib Graph."""

    def __init__(self, g: rdflib.Graph):
        self.g = g
        self._labels: dict = {}
        if hasattr(g, "first"):  # LeanGraph: the first object without an iterator per call
            self.one = g.first

    def label(self, node) -> str:
        if node in self._labels:
            return self._labels[node]
        best = None
        for p in (SKOS.prefLabel, RDFS.label):
            for o in self.g.objects(node, p):
                if isinstance(o, Literal) and (o.language in (None, "zh") or best is None):
                    best = str(o)
                    if o.language == "zh":
                        break
            if best:
                break
        if not best:
            s = str(node)
            best = rdflib.term.URIRef(s).split("/")[-1]
            from urllib.parse import unquote
            best = unquote(best)
        self._labels[node] = best
        return best

    def names(self, node) -> list[str]:
        out = [self.label(node)]
        for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for o in self.g.objects(node, p):
                if str(o) not in out:
                    out.append(str(o))
        return out

    def one(self, s, p):
        return next(iter(self.g.objects(s, p)), None)

    def props(self, s):
        """The subject's objects by predicate: props(s).get(p) holds objects(s, p) in their order
        (a LeanGraph's own index, read only: one lookup of s for several predicates)."""
        spo = getattr(self.g, "_spo", None)
        if spo is None:
            return _Props(self.g, s)
        return spo.get(s) or {}

    def of_type(self, cls) -> list:
        return sorted(set(self.g.subjects(RDF.type, cls)), key=str)


class _Props:
    """props() of a graph other than a LeanGraph."""

    def __init__(self, g, s):
        self.g, self.s = g, s

    def get(self, p) -> list:
        return list(self.g.objects(self.s, p))


def _first(objs):
    """The first of a props() value, or None."""
    return next(iter(objs)) if objs else None


def _union(graph, ref, region_dirs: tuple = ()) -> rdflib.Graph:
    """graph + reference data, without modifying graph (no copy when graph already holds the reference).
    ref: the reference graph, or a function making it (not called when graph is a LeanGraph made with
    the reference data of region_dirs, kg.rdf.reference_key)."""
    from .rdf import LeanGraph

    if isinstance(graph, LeanGraph):
        if graph.reference is not None and graph.reference == region_dirs:
            return graph  # made with this reference data in full (kg.rdf.analysis_input)
        ref = ref() if callable(ref) else ref
        missing = [t for t in ref if t not in graph]
        if not missing:
            return graph
        g = LeanGraph()  # a copy: the caller's graph stays as it was
        for t in [*graph, *missing]:
            g.add(t)
        return g
    ref = ref() if callable(ref) else ref
    if type(graph) is rdflib.Graph:
        missing = rdflib.Graph()
        for t in ref:
            if t not in graph:
                missing.add(t)
        if not len(missing):
            return graph
        from rdflib.graph import ReadOnlyGraphAggregate
        return ReadOnlyGraphAggregate([graph, missing])  # read-only view: no copy of a large graph
    g = rdflib.Graph()
    if isinstance(graph, rdflib.Dataset) or isinstance(graph, rdflib.ConjunctiveGraph):
        for s, p, o, _c in graph.quads((None, None, None, None)):
            g.add((s, p, o))
    else:
        for t in graph:
            g.add(t)
    for t in ref:
        g.add(t)
    return g


# ---------------------------------------------------------------- templates
def _read_templates(G: _G) -> tuple[dict[str, ChainInfo], dict[str, ClusterInfo]]:
    g = G.g
    chains: dict[str, ChainInfo] = {}
    for seg in G.of_type(KG.ChainSegment):
        ch = G.one(seg, KG.segmentOf)
        if ch is None:
            continue
        c = chains.get(str(ch))
        if c is None:
            alt = [str(o) for o in g.objects(ch, SKOS.altLabel)]
            c = chains[str(ch)] = ChainInfo(str(ch), G.label(ch), sorted(set(alt)),
                                            sorted({str(o) for o in g.objects(ch, KG.forCluster)}), [],
                                            sorted({str(o) for o in g.objects(ch, KG.excludeKeyword)}),
                                            by_name_only=_lit(G.one(ch, KG.scopeByName)) == "true")
        order = G.one(seg, KG.order)
        c.segments.append(SegmentInfo(
            str(seg), str(ch), G.label(seg), _lit(G.one(seg, KG.position)) or "中游",
            int(order) if order is not None else 999,
            sorted({str(o) for o in g.objects(seg, KG.keyword)} | {G.label(seg)}, key=lambda k: (-len(k), k)),
            sorted(str(o) for o in g.objects(seg, KG.next))))
    for c in chains.values():
        c.segments.sort(key=lambda s: (POSITIONS.index(s.position) if s.position in POSITIONS else 1, s.order, s.label))
    return chains, _read_clusters(G, chains)


def _denoted_chains(G: _G) -> list:
    """The chains a mention denotes (the texts' chains; the templates are chains too)."""
    return [c for c in G.of_type(KG.IndustryChain) if any(True for _ in G.g.subjects(KG.denotes, c))]


def _unnamed_dropped(G: _G, chains: dict[str, ChainInfo], denoted: list) -> dict[str, ChainInfo]:
    """Without the templates in scope by name only (kg:scopeByName) that no denoted chain names: their
    keywords, shared with another chain's, would otherwise take that chain's firms from it."""
    named = {norm_name(n) for c in denoted for n in G.names(c)}
    return {k: c for k, c in chains.items()
            if not c.by_name_only or any(norm_name(n) in named for n in (c.label, *c.alt))}


def _read_clusters(G: _G, chains: dict[str, ChainInfo]) -> dict[str, ClusterInfo]:
    g = G.g
    clusters: dict[str, ClusterInfo] = {}
    tier_rank = {"千亿级": 0, "百亿级": 1}
    cls = sorted(G.of_type(KG.IndustryCluster),
                 key=lambda c: (tier_rank.get(_lit(G.one(c, KG.tier)), 2), G.label(c)))
    for cl in cls:
        linked = [str(o) for o in g.objects(cl, KG.chain)]
        linked += [c.iri for c in chains.values() if str(cl) in c.clusters and c.iri not in linked]
        if not linked and G.one(cl, SKOS.inScheme) is None and G.one(cl, KG.tier) is None:
            continue  # a cluster phrase from the text that is not part of any region's scheme
        clusters[str(cl)] = ClusterInfo(str(cl), G.label(cl), _lit(G.one(cl, KG.tier)), linked,
                                        sorted({str(o) for o in g.objects(cl, SKOS.altLabel)}),
                                        _lit(G.one(cl, SKOS.inScheme)))
    for cl in clusters.values():
        for ch in cl.chains:
            if ch in chains and cl.iri not in chains[ch].clusters:
                chains[ch].clusters.append(cl.iri)
        missing = [ch for ch in cl.chains if ch not in chains]
        for ch in missing:
            log.warning("集群 %s 指向的产业链 %s 没有模板", cl.label, ch)
    return clusters


def _core(name: str) -> str:
    n = norm_name(name)
    for suf in ("全产业链", "产业链", "产业集群", "产业", "链", "集群"):
        if n.endswith(suf) and len(n) > len(suf):
            n = n[: -len(suf)]
            break
    return n


_SPACES = re.compile(r"\s+")


class _Matcher:
    """Keyword matching over every template: longest match wins, quoted (metaphorical) uses ignored."""

    def __init__(self, chains: dict[str, ChainInfo]):
        self.entries: list[tuple[str, str, str]] = []  # (keyword lowered, chain, segment)
        self.original: dict[str, str] = {}
        for c in chains.values():
            for s in c.segments:
                for k in s.keywords:
                    self.entries.append((norm_name(k).lower(), c.iri, s.iri))
                    self.original.setdefault(norm_name(k).lower(), k)
        self.chain_terms: list[tuple[str, str]] = []
        for c in chains.values():
            for n in {c.label, *c.alt}:
                if len(norm_name(n)) >= 2:
                    self.chain_terms.append((norm_name(n).lower(), c.iri))
        self.exclude = {c.iri: [norm_name(x).lower() for x in c.exclude] for c in chains.values()}
        self._cache: dict[str, list] = {}
        self._named: dict[str, frozenset] = {}  # chains_named by text (every sentence is asked twice)
        self._auto = None
        self._terms_auto = None  # chains_named's automaton, made on first use
        try:  # Aho-Corasick when available (pyahocorasick is a project dependency); plain find() otherwise
            import ahocorasick
            by_kw: dict[str, list] = defaultdict(list)
            for k, ch, seg in self.entries:
                if k and (ch, seg) not in by_kw[k]:
                    by_kw[k].append((ch, seg))
            auto = ahocorasick.Automaton()
            for k, targets in by_kw.items():
                auto.add_word(k, (k, targets))
            auto.make_automaton()
            self._auto = auto
        except Exception:  # pragma: no cover - fallback path
            self._auto = None

    @staticmethod
    def _prep(text: str) -> str:
        return _SPACES.sub("", text).lower()

    def matches(self, text: str) -> list[tuple[int, int, str, str, str]]:
        """(start, end, keyword, chain, segment) after suppressing contained and quoted matches."""
        t = self._prep(text)
        key = t
        if key in self._cache:
            return self._cache[key]
        found = []
        if self._auto is not None:
            for end, (k, targets) in self._auto.iter(t):
                for ch, seg in targets:
                    found.append((end + 1 - len(k), end + 1, k, ch, seg))
        else:
            for k, ch, seg in self.entries:
                if not k:
                    continue
                i = t.find(k)
                while i >= 0:
                    found.append((i, i + len(k), k, ch, seg))
                    i = t.find(k, i + 1)
        spans = {(a, b) for a, b, *_ in found}
        out = []
        for a, b, k, ch, seg in found:
            if any(x <= a and b <= y and (x, y) != (a, b) for x, y in spans):
                continue  # inside a longer keyword (液压支架 ⊃ 支架)
            if a > 0 and b < len(t) and t[a - 1] in "“\"‘「" and t[b] in "”\"’」":
                continue  # “芯片” used as a metaphor
            if any(x in t for x in self.exclude.get(ch, ())):
                continue
            out.append((a, b, self.original.get(k, k), ch, seg))
        if len(self._cache) < 200_000:
            self._cache[key] = out
        return out

    def head(self, text: str) -> dict[str, tuple[str, str]]:
        """The head noun of a name (its rightmost keyword, over all chains): {chain: (segment, keyword)}.
        "煤矿储能项目" is storage, not coal mining: only matches ending where the rightmost one ends count."""
        best: dict[str, tuple[int, int, str, str]] = {}
        ms = self.matches(text)
        last = max((b for _a, b, *_ in ms), default=0)
        for a, b, k, ch, seg in ms:
            if b < last:
                continue
            cur = best.get(ch)
            if cur is None or (b, b - a) > (cur[0], cur[0] - cur[1]):
                best[ch] = (b, a, seg, k)
        return {ch: (v[2], v[3]) for ch, v in best.items()}

    def chains_named(self, text: str) -> set[str]:
        """Chains whose name the text contains (a new set: callers may change it)."""
        named = self._named.get(text)
        if named is None:
            named = self._chains_named(self._prep(text))
            if len(self._named) < 200_000:
                self._named[text] = named
        return set(named)

    def _chains_named(self, t: str) -> frozenset:
        if self._terms_auto is None:
            self._terms_auto = self._chain_term_automaton()
        if self._terms_auto is not False:  # every occurrence, overlapping ones too: same as `term in t`
            return frozenset(ch for _end, chains in self._terms_auto.iter(t) for ch in chains)
        return frozenset(ch for term, ch in self.chain_terms if term in t)

    def _chain_term_automaton(self):
        """Aho-Corasick over the chain names (one pass per sentence instead of one find per name)."""
        try:
            import ahocorasick
        except ImportError:  # pragma: no cover - fallback path
            return False
        by_term: dict[str, set] = defaultdict(set)
        for term, ch in self.chain_terms:
            by_term[term].add(ch)
        if not by_term:
            return False
        auto = ahocorasick.Automaton()
        for term, chains in by_term.items():
            auto.add_word(term, frozenset(chains))
        auto.make_automaton()
        return auto


# ---------------------------------------------------------------- context extraction
@dataclass
class _Ctx:
    sentence: str | None
    text: str  # sentence text
    start: int  # mention start inside text (-1 unknown)
    end: int
    stop: int = -1  # where the next enterprise/project mention starts (-1: none)


def _sentence_text(G: _G, s) -> str:
    return _lit(G.one(s, KG.text))


def _sentence_info(G: _G, s) -> tuple[str, str, int | None]:
    """A sentence node's IRI as a string, its text and its start offset (None when not stated)."""
    sp = G.props(s)
    ss = _first(sp.get(KG.startOffset))
    return str(s), _lit(_first(sp.get(KG.text))), int(ss) if ss is not None else None


def _contexts(G: _G, ent, sentences: dict | None = None) -> list[_Ctx]:
    """sentences: _sentence_info by sentence node, shared by the calls of one run (filled here)."""
    g = G.g
    out: list[_Ctx] = []
    seen = set()
    sentences = {} if sentences is None else sentences
    mentions = set(g.objects(ent, KG.mention)) | set(g.subjects(KG.denotes, ent))
    for m in sorted(mentions, key=str):
        mp = G.props(m)
        s = _first(mp.get(KG.inSentence))
        if s is None:
            continue
        known = sentences.get(s)
        if known is None:
            known = sentences[s] = _sentence_info(G, s)
        sid, text, ss = known
        ms, me = _first(mp.get(KG.startOffset)), _first(mp.get(KG.endOffset))
        start = end = -1
        if ms is not None and ss is not None and me is not None:
            start, end = int(ms) - ss, int(me) - ss
            if not (0 <= start < end <= len(text)):
                start = end = -1
        if start < 0:
            mt = _lit(_first(mp.get(KG.text)))
            i = text.find(mt) if mt else -1
            if i >= 0:
                start, end = i, i + len(mt)
        key = (sid, start)
        if key not in seen:
            seen.add(key)
            out.append(_Ctx(sid, text, start, end))
    # statement evidence about the entity
    for pos in (RDF.subject, RDF.object):
        for st in g.subjects(pos, ent):
            for s in g.objects(st, PROV.wasDerivedFrom):
                if any(c.sentence == str(s) for c in out):
                    continue
                text = _sentence_text(G, s)
                if not text:
                    continue
                start = -1
                for n in G.names(ent):
                    i = text.find(n)
                    if i >= 0:
                        start, end = i, i + len(n)
                        break
                else:
                    end = -1
                out.append(_Ctx(str(s), text, start, end))
                seen.add((str(s), start))
    return out




def _window(ctx: _Ctx) -> str:
    """Up to two clauses after the mention, cut at the next actor's mention and where the sentence turns
    to other actors (cue context_stop: 吸引/带动/供应商 …)."""
    if ctx.start < 0:
        return ""
    rest = ctx.text[ctx.end: ctx.stop if ctx.stop > ctx.end else None]
    m = cues.search("context_stop", rest)
    if m:
        rest = rest[: m.start()]
    end = cues.SENTENCE_END.search(rest)
    if end:
        rest = rest[: end.start()]
    return "，".join(cues.CLAUSE_END.split(rest)[:2])[:80]


def _after(ctx: _Ctx) -> str:
    """The mention and the rest of its sentence (for stage cues)."""
    seg = ctx.text[ctx.start:] if ctx.start >= 0 else ctx.text
    end = cues.SENTENCE_END.search(seg)
    return seg[: end.start()] if end else seg


# ---------------------------------------------------------------- analysis
def analyze(graph: rdflib.Graph, region_dirs: list[Path] | None = None, region: str | None = None) -> AnalysisResult:
    """Map enterprises/projects onto chain segments, rank 链主, classify gaps, collect leads and facts.
    `region`: the focus region's name (default: detected from the corpus)."""
    return _Run(graph, region_dirs, region).run()


def _place_counts(G: _G) -> dict[tuple[str, str], int]:
    out = {}
    for t in ("City", "County", "Province"):
        for n in G.of_type(KG[t]):
            out[(t, G.label(n))] = len(set(G.g.subjects(KG.denotes, n)))
    return out


def _build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds: the same input, the same bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)


class _Run:
    def __init__(self, graph, region_dirs, region):
        if region_dirs is None:
            region_dirs = resources.region_dirs()
        from .rdf import reference_key

        self.g = _union(graph, lambda: resources.load_reference(region_dirs, ontology=False),  # the shared loader
                        reference_key(region_dirs))
        self.G = _G(self.g)
        self.focus = region_mod.detect(_place_counts(self.G), region)
        all_chains, all_clusters = _read_templates(self.G)
        self.denoted = _denoted_chains(self.G)
        self.templates = all_chains = _unnamed_dropped(self.G, all_chains, self.denoted)
        self.matcher = _Matcher(all_chains)
        self.clusters = self._focus_clusters(all_clusters)
        self._tmpl_by_name = {norm_name(n): c.iri for c in all_chains.values() for n in (c.label, *c.alt)}
        self._cores = sorted(((_core(c.label), c.iri) for c in all_chains.values()), key=lambda x: -len(x[0]))
        self.enterprises = self.G.of_type(KG.Enterprise)
        self.orgs = self.G.of_type(KG.Organization)
        self.projects = self.G.of_type(KG.Project)
        self.ent_set = set(self.enterprises)
        self.named_bodies = self.ent_set | set(self.orgs)  # firms and organisations: their names hold other words
        self.register_docs = {d for d in self.G.of_type(KG.Document)
                              if str(self.G.one(d, DCTERMS.title) or "").lower().endswith(REGISTER_SUFFIXES)}

    # ------------------------------------------------------------ region and chains
    def _focus_clusters(self, clusters: dict[str, ClusterInfo]) -> dict[str, ClusterInfo]:
        """Only the focus region's scheme applies (no scheme: no clusters)."""
        if not self.focus.known:
            return {}
        want = {norm_name(n) for n in self.focus.names | {self.focus.label}}
        schemes = {str(s) for s, r in self.g.subject_objects(KG.region)
                   if want & {norm_name(n) for n in self.G.names(r)}}
        return {k: c for k, c in clusters.items() if c.scheme in schemes}

    def chain_of(self, node) -> str | None:
        s = str(node)
        if s in self.templates:
            return s
        names = self.G.names(node)
        for n in names:
            if norm_name(n) in self._tmpl_by_name:
                return self._tmpl_by_name[norm_name(n)]
        for n in names:
            core = _core(n)
            for tc, iri in self._cores:
                if tc and (tc == core or tc in core):
                    return iri
            t = self.matcher.chains_named(n)
            if len(t) == 1:
                return next(iter(t))
        return None

    def chains_of_cluster(self, node) -> list[str]:
        s = str(node)
        if s in self.clusters:
            return self.clusters[s].chains
        names = {norm_name(n) for n in self.G.names(node)}
        for cl in self.clusters.values():
            if names & {norm_name(x) for x in (cl.label, *cl.alt)}:
                return cl.chains
        return []

    def targets_of(self, node) -> list[str]:
        """Chain IRIs a role/membership object denotes: a template chain, a cluster's chains, or a text chain."""
        ch = self.chain_of(node)
        if ch:
            return [ch]
        if (node, RDF.type, KG.IndustryCluster) in self.g:
            return list(self.chains_of_cluster(node))
        if str(node) in self.text_chains:
            return [str(node)]
        return []

    def _text_chains(self) -> dict[str, ChainInfo]:
        out = {}
        for c in self.G.of_type(KG.IndustryChain):
            if self.chain_of(c) is not None or not any(True for _ in self.g.subjects(KG.denotes, c)):
                continue
            label = self.G.label(c)
            if len(_core(label)) < 2 or _core(label) == norm_name(label) or cues.search("chain_name_verb", label):
                continue  # "产业链" alone, not a chain name, or a verb phrase ("抓实产业链")
            out[str(c)] = ChainInfo(str(c), label, [], [], [], [], templated=False)
        return out

    def _chains_in_scope(self, placements: list[Placement]) -> dict[str, ChainInfo]:
        named = {self.chain_of(c) for c in self.denoted} - {None}
        for sid, text in self.sent_text.items():
            named |= self.matcher.chains_named(self._without_names(sid, text))
        for p in (KG.chainLeaderOf, KG.chainCoreOf, KG.belongsToChain):
            for o in self.g.objects(None, p):
                named |= set(self.targets_of(o)) & set(self.templates)
        strong = defaultdict(set)
        for pl in placements:
            if pl.segment and pl.basis in ("名称", "产品", "项目", "项目名称", "企业名录"):
                strong[pl.chain].add(pl.entity)
        named |= {ch for ch, ents in strong.items() if len(ents) >= 2 and not self.templates[ch].by_name_only}
        for cl in self.clusters.values():
            named |= {c for c in cl.chains if c in self.templates}
        out = {c: self.templates[c] for c in sorted(named, key=lambda c: self.templates[c].label)}
        for info in out.values():
            info.clusters = [c for c in info.clusters if c in self.clusters]
        out.update(self.text_chains)
        return out

    # ------------------------------------------------------------ locality
    def _local_places(self) -> tuple[set, set]:
        """(places inside the focus region, places the focus lies in)."""
        G, g = self.G, self.g
        if not self.focus.known:
            return set(), set()
        want = {norm_name(n) for n in self.focus.names | {self.focus.label}}
        local = set()
        for t in PLACE_TYPES:
            for p in G.of_type(KG[t]):
                names = {norm_name(n) for n in G.names(p)}
                rec = region_mod.divisions().get(norm_name(G.label(p)), {})
                if names & want or (t == "County" and norm_name(rec.get("city", "")) in want):
                    local.add(p)
        changed = True
        while changed:
            changed = False
            for s, o in g.subject_objects(KG.locatedIn):
                if o in local and s not in local and (s, RDF.type, KG.Enterprise) not in g:
                    local.add(s)
                    changed = True
        up = {o for s in local for o in g.objects(s, KG.locatedIn)} - local
        prov = self.focus.province
        up |= {p for p in G.of_type(KG.Province) if prov and G.label(p) == prov}
        return local, up

    def _located(self, e, local: set, up: set) -> tuple[str, str]:
        """('local'|'outside'|'', place label) following kg:locatedIn up to four hops."""
        frontier, seen = [e], set()
        for _hop in range(4):
            nxt = []
            for f in frontier:
                for o in self.g.objects(f, KG.locatedIn):
                    if o in seen:
                        continue
                    seen.add(o)
                    if o in local:
                        return "local", self.G.label(o)
                    if o not in up and any((o, RDF.type, KG[t]) in self.g for t in ("City", "County", "Province")):
                        return "outside", self.G.label(o)
                    nxt.append(o)
            frontier = nxt
        return "", ""

    def _visit_only(self, e) -> bool:
        """Named only after 考察/对接… and never as an actor: an outside target (cue: visit)."""
        cs = [c for c in self.ctx[e] if c.start >= 0]
        if not cs or any(True for _ in self.g.objects(e, KG.implements)):
            return False
        if any(True for p in (KG.chainLeaderOf, KG.chainCoreOf) for _ in self.g.objects(e, p)):
            return False
        return all(any(a <= c.start < b for a, b in cues.visit_spans(c.text)) for c in cs)

    def _locality(self) -> None:
        local, up = self._local_places()
        self.local_places, self.up_places = local, up
        self.outside: set[str] = set()
        self.place_of: dict[str, str] = {}
        for e in self.enterprises + self.orgs:
            where, label = self._located(e, local, up)
            if label:
                self.place_of[str(e)] = label
            if where == "outside" or (where == "" and e in self.ent_set and self._visit_only(e)):
                self.outside.add(str(e))

    # ------------------------------------------------------------ contexts and stage
    def _build_contexts(self) -> None:
        ents = self.enterprises + self.projects
        self.ctx = {e: _contexts(self.G, e, self._sentence_infos) for e in ents + self.orgs}
        self._products: list[tuple] | None = None
        starts: dict[str, list[tuple[int, bool]]] = defaultdict(list)
        for e in ents:
            for c in self.ctx[e]:
                if c.sentence and c.start >= 0:
                    starts[c.sentence].append((c.start, e in self.ent_set))
        for e in ents:
            for c in self.ctx[e]:
                later = [x for x, is_ent in starts.get(c.sentence, ())
                         if x >= c.end and (is_ent or e not in self.ent_set)]
                c.stop = min(later) if later else -1
        self.stage = {p: self._project_stage(p) for p in self.projects}

    def _project_stage(self, p) -> str:
        best = cues.stage(self.G.label(p)) if cues.search("stage_operating", self.G.label(p)) else ""
        for c in self.ctx[p]:
            s = cues.stage(_after(c))
            if gaps_mod.STAGE_RANK[s] > gaps_mod.STAGE_RANK[best]:
                best = s
        return best

    def _stmt_evidence(self, s, p, o) -> tuple[str | None, str]:
        for st in self.g.subjects(RDF.subject, s):
            if (st, RDF.predicate, p) in self.g and (st, RDF.object, o) in self.g:
                for sent in self.g.objects(st, PROV.wasDerivedFrom):
                    return str(sent), _sentence_text(self.G, sent)
        cs = self.ctx.get(s) or []
        return (cs[0].sentence, cs[0].text) if cs else (None, "")

    def _from_register(self, sentence: str | None) -> bool:
        return bool(sentence) and any((URIRef(sentence), DCTERMS.isPartOf, d) in self.g for d in self.register_docs)

    # ------------------------------------------------------------ placement
    def _strong_texts(self, ent, etype: str) -> list[tuple]:
        """(text, basis, sentence, evidence, stage, via, deployment) whose head noun places the entity."""
        G, g = self.G, self.g
        cs = self.ctx.get(ent) or []
        sid, stext = (cs[0].sentence, cs[0].text) if cs else (None, "")
        own_stage = self.stage.get(ent, "") if etype == "Project" else "投产"
        dep = etype == "Project" and cues.is_deployment(G.label(ent))
        out = [(n, "名称" if etype == "Enterprise" else "项目名称", sid, stext, own_stage, None, dep)
               for n in G.names(ent)]
        for prod in g.objects(ent, KG.produces):
            ps, pt = self._stmt_evidence(ent, KG.produces, prod)
            if self._assertion(ent, KG.produces, prod)[0] < PRODUCES_MIN:
                continue  # the extractor doubts the firm makes it (see _inputs)
            basis = "企业名录" if self._from_register(ps) else "产品"
            out += [(n, basis, ps, pt, own_stage, None, dep) for n in G.names(prod)]
        if etype == "Enterprise":
            for p in self.implements.get(ent, ()):
                ps, pt = self._stmt_evidence(ent, KG.implements, p)
                st, pdep = self.stage.get(p, ""), cues.is_deployment(G.label(p))
                out += [(n, "项目", ps, pt, st, str(p), pdep) for n in G.names(p)]
                out += [(n, "项目", ps, pt, st, str(p), pdep) for prod in g.objects(p, KG.produces)
                        for n in G.names(prod)]
        return out

    def _place(self, ent) -> list[Placement]:
        G = self.G
        etype = "Enterprise" if ent in self.ent_set else "Project"
        label = G.label(ent)
        out = []
        for text, basis, s, ev, st, via, dep in self._strong_texts(ent, etype):
            for ch, (seg, kw) in self.matcher.head(text).items():
                out.append(Placement(str(ent), label, etype, ch, self.templates[ch].label, seg,
                                     _seg_label(self.templates, ch, seg), basis, kw, ev, s, st, via, dep))
        own_stage = self.stage.get(ent, "") if etype == "Project" else "投产"
        if not out and etype == "Enterprise":
            out = self._inputs(ent, label)
        if not out:
            for c in self.ctx[ent]:
                for _a, _b, kw, ch, seg in self.matcher.matches(_window(c)):
                    out.append(Placement(str(ent), label, etype, ch, self.templates[ch].label, seg,
                                         _seg_label(self.templates, ch, seg), "上下文", kw, c.text, c.sentence,
                                         own_stage, None, etype == "Project" and cues.is_deployment(label)))
        out += self._chain_level(ent, etype, label, own_stage)
        return out

    def _inputs(self, ent, label: str) -> list[Placement]:
        """Products named in a sentence of the firm that says they are supplied locally (cue present:
        就地配套 …), and that the extractor does not say the firm makes, are the firm's inputs: the firm
        is their customer and sits on the segment(s) the inputs' segment feeds (kg:next in the
        template). "甲集团吸引上游供应商，实现支架、载带等封装材料就地配套" puts 甲 on LED封装, not on 封装材料."""
        out = []
        for c in self.ctx.get(ent) or []:
            if not cues.search("present", c.text):
                continue
            for prod, plabel in self._product_labels():
                if plabel not in c.text or (ent, KG.produces, prod) in self.g \
                        and self._assertion(ent, KG.produces, prod)[0] >= PRODUCES_MIN:
                    continue  # not named here, or the firm makes it
                for ch, (seg, kw) in self.matcher.head(plabel).items():
                    for nxt in _segment(self.templates, ch, seg).next:
                        out.append(Placement(str(ent), label, "Enterprise", ch, self.templates[ch].label, nxt,
                                             _seg_label(self.templates, ch, nxt), "配套客户", kw, c.text, c.sentence))
        return _dedupe(out)

    def _product_labels(self) -> list[tuple]:
        if self._products is None:
            self._products = [(p, self.G.label(p)) for p in self.G.of_type(KG.Product)]
        return self._products

    def _chain_level(self, ent, etype: str, label: str, stage: str) -> list[Placement]:
        out = []
        for p, basis in ((KG.belongsToChain, "所属产业链"), (KG.chainLeaderOf, "链主"), (KG.chainCoreOf, "链核"),
                         (KG.belongsToCluster, "所属集群")):
            for o in self.g.objects(ent, p):
                s, ev = self._stmt_evidence(ent, p, o)
                for ch in self.targets_of(o):
                    info = self.templates.get(ch) or self.text_chains.get(ch)
                    if info:
                        out.append(Placement(str(ent), label, etype, ch, info.label, None, "", basis,
                                             self.G.label(o), ev, s, stage))
        for n in self.G.names(ent):
            for ch in self.matcher.chains_named(n):
                out.append(Placement(str(ent), label, etype, ch, self.templates[ch].label, None, "", "名称", n,
                                     "", None, stage))
        return out

    def _park_placements(self) -> list[Placement]:
        """A local park named after a segment ("冻干食品产业园") is a player on that segment."""
        out = []
        for park in self.G.of_type(KG.Park):
            if self.focus.known and park not in self.local_places:
                continue
            cs = self.ctx.get(park) or _contexts(self.G, park, self._sentence_infos)
            sid, text = (cs[0].sentence, cs[0].text) if cs else (None, "")
            stage = max((cues.stage(_after(c)) for c in cs), key=gaps_mod.STAGE_RANK.get, default="") or "开工"
            for ch, (seg, kw) in self.matcher.head(self.G.label(park)).items():
                out.append(Placement(str(park), self.G.label(park), "Park", ch, self.templates[ch].label, seg,
                                     _seg_label(self.templates, ch, seg), "园区名称", kw, text, sid, stage))
        return out

    def _placements(self) -> tuple[list[Placement], list[Placement]]:
        local, outside, keys = [], [], set()
        for ent in self.enterprises + self.projects:
            target = outside if str(ent) in self.outside else local
            for pl in self._place(ent):
                key = (pl.entity, pl.chain, pl.segment, pl.via)
                if key not in keys:
                    keys.add(key)
                    target.append(pl)
        return local + self._park_placements(), outside

    # ------------------------------------------------------------ sentence-level cues
    def _sentences(self) -> None:
        G = self.G
        # each sentence's IRI string, text and start, read once for this step and the contexts
        infos = self._sentence_infos = {s: _sentence_info(G, s) for s in G.of_type(KG.Sentence)}
        self.sent_text = {sid: text for sid, text, _ss in infos.values()}
        self.sent_entities: dict[str, set] = defaultdict(set)
        self.mention_spans: dict[str, list[tuple[int, int, object]]] = defaultdict(list)
        in_sentence, start, end = KG.inSentence, KG.startOffset, KG.endOffset
        for m, e in self.g.subject_objects(KG.denotes):
            po = G.props(m)
            s = _first(po.get(in_sentence))
            if s is None:
                continue
            known = infos.get(s)
            if known is None:
                known = infos[s] = _sentence_info(G, s)
            sid, _text, ss = known
            self.sent_entities[sid].add(e)
            ms, me = _first(po.get(start)), _first(po.get(end))
            if ms is not None and ss is not None and me is not None:
                self.mention_spans[sid].append((int(ms) - ss, int(me) - ss, e))

    def _name_spans(self, sid: str) -> list[tuple[int, int]]:
        """Where the sentence names a firm or an organisation (words inside such a name are not the text's)."""
        return [(a, b) for a, b, e in self.mention_spans.get(sid, ()) if e in self.named_bodies]

    def _without_names(self, sid: str, text: str) -> str:
        """The sentence with the names of its firms and organisations blanked: 某某新材料有限公司 names
        a firm, not the 新材料 chain."""
        for a, b in self._name_spans(sid):
            text = text[:a] + "\u3000" * (b - a) + text[b:]
        return text

    def sentence_chains(self, sid: str) -> set[str]:
        """Chains a sentence is about (a new set; asked once per sentence by each sentence-level cue)."""
        known = self._about.get(sid)
        if known is None:
            known = self._about[sid] = frozenset(self._sentence_chains(sid))
        return set(known)

    def _sentence_chains(self, sid: str) -> set[str]:
        text = self.sent_text.get(sid, "")
        out = set(self.matcher.chains_named(text))
        for cl in self.clusters.values():
            if any(len(n) >= 2 and n in text for n in (cl.label, *cl.alt)):
                out.update(c for c in cl.chains if c in self.templates)
        for e in self.sent_entities.get(sid, ()):
            if (e, RDF.type, KG.IndustryChain) in self.g or (e, RDF.type, KG.IndustryCluster) in self.g:
                out.update(self.targets_of(e))
        return out

    def _segment_cues(self, chains: dict[str, ChainInfo]) -> gaps_mod.SegmentEvidence:
        ev = gaps_mod.SegmentEvidence(register_loaded=bool(self.register_docs))
        anon: dict[str, list[Player]] = defaultdict(list)
        sought: dict[str, list[Evidence]] = defaultdict(list)
        in_scope = set(chains)
        for sid, text in self.sent_text.items():
            present, asked = cues.search("present", text), list(cues.finditer("sought", text))
            if not (present or asked) or self._from_register(sid):
                continue  # the chains a sentence is about are asked only of a sentence with a cue
            about = self.sentence_chains(sid) & in_scope
            if about and present:
                for _a, _b, _kw, ch, seg in self.matcher.matches(text):
                    if ch in about and not anon[seg]:
                        anon[seg].append(Player(None, "未具名本地配套企业", "未具名", "投产", "文本（未具名）", text, sid))
            for m in asked:
                clause = cues.clause_at(text, m.start(), m.end())
                for _a, _b, _kw, ch, seg in self.matcher.matches(clause):
                    if ch in chains and (not about or ch in about) and all(e.sentence != sid for e in sought[seg]):
                        sought[seg].append(Evidence(sid, text, "招引/空白"))
        ev.anon, ev.sought = dict(anon), dict(sought)
        ev.place_leads = self._place_leads(chains)
        return ev

    def _orphan_products(self, chains: dict[str, ChainInfo], ev: gaps_mod.SegmentEvidence) -> None:
        """A product named in a project clause whose project was not extracted: a project at the stage the
        clause states ("年产10万吨磷酸锰铁锂正极材料项目向着年底投产冲刺" -> 正极材料, 开工)."""
        for prod in self.G.of_type(KG.Product):
            if any(True for _ in self.g.subjects(KG.produces, prod)):
                continue
            for c in _contexts(self.G, prod, self._sentence_infos):
                if c.start < 0 or c.sentence is None:
                    continue
                clause = cues.clause_at(c.text, c.start, c.end)
                st = cues.stage(clause)
                if not st or "项目" not in clause:
                    continue
                lbl = self.G.label(prod)
                i = clause.find(lbl)
                j = clause.find("项目", max(i, 0))
                if i < 0 or j < 0:
                    continue
                name = clause[max(clause.rfind(x, 0, i) for x in "、的，") + 1: j + 2]
                if any(norm_name(self.G.label(p)) in norm_name(name) for p in self.projects):
                    continue  # the project itself is an entity
                for ch, (seg, _kw) in self.matcher.head(lbl).items():
                    if ch in chains and all(p.label != name for p in ev.anon.get(seg, [])):
                        ev.anon.setdefault(seg, []).append(
                            Player(None, name, "Project", st, "文本项目", c.text, c.sentence))

    def _place_leads(self, chains: dict[str, ChainInfo]) -> dict[str, list[Lead]]:
        """Fallback: extracted places outside the focus named in a 招引/考察 sentence about the chain,
        never a place inside a company or agency name."""
        out: dict[str, list[Lead]] = defaultdict(list)
        for sid, text in self.sent_text.items():
            if not (cues.search("sought", text) or cues.search("visit", text)):
                continue
            about = self.sentence_chains(sid) & set(chains)
            if not about:
                continue
            spans = self.mention_spans.get(sid, [])
            orgs = self._name_spans(sid)
            for a, b, e in spans:
                if not any((e, RDF.type, KG[t]) in self.g for t in ("City", "Province", "Region")):
                    continue
                if e in self.local_places or e in self.up_places or any(x <= a and b <= y for x, y in orgs):
                    continue
                for ch in about:
                    if all(l.label != self.G.label(e) for l in out[ch]):
                        out[ch].append(Lead(self.G.label(e), str(e), "Region", "地区", ch, [], text, sid))
        return dict(out)

    # ------------------------------------------------------------ roles and supply
    def _assertion(self, s, p, o) -> tuple[float, list[Evidence]]:
        conf, evs = 0.0, []
        for st in self.g.subjects(RDF.subject, s):
            if (st, RDF.predicate, p) in self.g and (st, RDF.object, o) in self.g:
                for c in self.g.objects(st, KG.confidence):
                    conf = max(conf, float(c))
                evs += [Evidence(str(x), _sentence_text(self.G, x)) for x in self.g.objects(st, PROV.wasDerivedFrom)]
        return (conf or 1.0), evs

    def _chain_facts(self) -> leaders_mod.ChainFacts:
        roles = []
        for p, role in ((KG.chainLeaderOf, "链主"), (KG.chainCoreOf, "链核")):
            for e, o in self.g.subject_objects(p):
                conf, evs = self._assertion(e, p, o)
                roles += [leaders_mod.RoleFact(str(e), ch, role, conf, evs) for ch in self.targets_of(o)]
        supplies = []
        for s, o in self.g.subject_objects(KG.suppliesTo):
            _c, evs = self._assertion(s, KG.suppliesTo, o)
            supplies.append((str(s), str(o), evs[0] if evs else Evidence(None, "")))
        inv: dict[str, Decimal] = defaultdict(Decimal)
        for p in self.projects:
            for v in self.g.objects(p, KG.investmentAmount):
                try:
                    inv[str(p)] += Decimal(str(v))
                except Exception:  # a malformed literal counts as nothing
                    pass
        firms = {str(e) for e in self.enterprises + self.orgs}
        labels = {f: self.G.label(URIRef(f)) for f in firms}
        impl = {str(e): {str(p) for p in ps} for e, ps in self.implements.items()}
        cap = {str(x) for x in self.projects + self.enterprises if any(True for _ in self.g.objects(x, KG.capacityText))}
        return leaders_mod.ChainFacts(roles, supplies, impl, dict(inv), labels, self.outside, firms, cap)

    # ------------------------------------------------------------ run
    def run(self) -> AnalysisResult:
        self._sentences()
        self.text_chains = self._text_chains()
        self._about: dict[str, frozenset] = {}  # sentence_chains, once text_chains is known
        self._build_contexts()
        self._locality()
        self.implements: dict = defaultdict(set)
        implementer: dict[str, set[str]] = defaultdict(set)
        for e, p in self.g.subject_objects(KG.implements):
            self.implements[e].add(p)
            implementer[str(p)].add(str(e))
        local, outside = self._placements()
        chains = self._chains_in_scope(local)
        local = [p for p in local if p.chain in chains]
        outside = [p for p in outside if p.chain in chains]
        cl_labels = {c: [self.clusters[x].label for x in info.clusters if x in self.clusters]
                     for c, info in chains.items()}
        facts = self._chain_facts()
        leaders = [l for ch, info in chains.items()
                   for l in leaders_mod.score_chain(info, cl_labels[ch], local + outside, facts)]
        leaders.sort(key=lambda l: (l.chain_label, l.rank or 10**6, -l.score, l.label))
        seg_ev = self._segment_cues(chains)
        self._orphan_products(chains, seg_ev)
        role_firms = {r.firm for r in facts.roles if r.role == "链主"}
        gaps = gaps_mod.classify(chains, cl_labels, local, outside, implementer, leaders, seg_ev, role_firms,
                                 self.place_of)
        leads = [ld for g in gaps for ld in g.leads]
        return AnalysisResult(local, self._unplaced(local), leaders, gaps, leads, _facts(self.G), chains,
                              self.clusters, _build_time().strftime("%Y-%m-%dT%H:%M:%SZ"),
                              sorted(c.label for c in self.text_chains.values()), self.focus.label,
                              self.focus.detected, sorted(str(self.G.one(d, DCTERMS.title)) for d in self.register_docs))

    def _unplaced(self, local: list[Placement]) -> list[Unplaced]:
        seg_placed = {pl.entity for pl in local if pl.segment}
        chains_of: dict[str, set[str]] = defaultdict(set)
        for pl in local:
            chains_of[pl.entity].add(pl.chain_label)
        out = []
        for ent in self.enterprises + self.projects:
            if str(ent) in seg_placed or str(ent) in self.outside:
                continue
            chs = sorted(chains_of.get(str(ent), ()))
            out.append(Unplaced(str(ent), self.G.label(ent), "Enterprise" if ent in self.ent_set else "Project", chs,
                                "仅能定位到产业链，无法确定环节" if chs else "文本中没有可映射到产业链环节的产品或表述"))
        return out


def _dedupe(pls: list[Placement]) -> list[Placement]:
    seen, out = set(), []
    for pl in pls:
        if (pl.chain, pl.segment) not in seen:
            seen.add((pl.chain, pl.segment))
            out.append(pl)
    return out


def _segment(chains, ch, seg) -> SegmentInfo:
    for s in chains[ch].segments:
        if s.iri == seg:
            return s
    raise KeyError(seg)


def _seg_label(chains, ch, seg) -> str:
    try:
        return _segment(chains, ch, seg).label
    except KeyError:
        return seg.rsplit("/", 1)[-1]


def _facts(G: _G) -> list[FactRow]:
    out = []
    for f in G.of_type(KG.Fact):
        s = G.one(f, PROV.wasDerivedFrom)
        about = G.one(f, KG.about)
        num = G.one(f, KG.number)
        try:
            num = Decimal(str(num)) if num is not None else None
        except Exception:
            num = None
        out.append(FactRow(str(f), G.label(about) if about is not None else _lit(G.one(f, KG.subjectText)),
                           _lit(G.one(f, KG.metric)), _lit(G.one(f, KG.value)), num, _lit(G.one(f, KG.unit)),
                           _lit(G.one(f, KG.period)), _sentence_text(G, s) if s is not None else "",
                           str(s) if s is not None else None))
    out.sort(key=lambda x: (x.subject, x.period, x.metric, x.value))
    return out



# ---------------------------------------------------------------- write back
def _dec(x: float) -> Literal:
    return Literal(Decimal(str(round(x, 3))), datatype=XSD.decimal)


def _result_node(out, path: str, cls, label: str, act) -> URIRef:
    """An analysis result node: typed, a prov:Entity generated by this analysis run, labelled in Chinese."""
    node = URIRef(f"{KGR_NS}{path}")
    out.add((node, RDF.type, cls))
    out.add((node, RDF.type, PROV.Entity))
    out.add((node, RDFS.label, Literal(label, lang="zh")))
    out.add((node, PROV.wasGeneratedBy, act))
    return node


def write_back(ds: rdflib.Dataset | rdflib.Graph, result: AnalysisResult) -> None:
    """Add kg:ChainLeaderAssessment, kg:Gap, kg:Lead and kg:inSegment to the graph
    (named graph kgr:graph/analysis when ds is a Dataset). Every segment gets its kg:Gap node, 未知 included:
    its rdfs:comment says why (文本未提及 …), so SPARQL users see what is unknown, not just what is known."""
    if isinstance(ds, (rdflib.Dataset, rdflib.ConjunctiveGraph)):
        out = ds.graph(ANALYSIS_GRAPH) if isinstance(ds, rdflib.Dataset) else ds.get_context(ANALYSIS_GRAPH)
    else:
        out = ds
    act = URIRef(KGR_NS + "activity/analysis")
    out.add((act, RDF.type, PROV.Activity))
    out.add((act, RDFS.label, Literal("产业链分析（链主评估、缺链分析）", lang="zh")))
    if result.generated:
        out.add((act, PROV.endedAtTime, Literal(result.generated, datatype=XSD.dateTime)))
    if result.region:
        out.add((act, RDFS.comment, Literal(f"分析地区：{result.region}", lang="zh")))
    for pl in result.placements:
        if pl.segment:
            out.add((URIRef(pl.entity), KG.inSegment, URIRef(pl.segment)))
    for l in result.leaders:
        if not l.qualified:
            continue
        node = _result_node(out, f"assessment/{iri_segment(l.chain_label)}/{iri_segment(l.label)}",
                            KG.ChainLeaderAssessment, f"{l.label} — {l.chain_label} 链主评估", act)
        out.add((node, KG.enterprise, URIRef(l.enterprise)))
        out.add((node, KG.chain, URIRef(l.chain)))
        out.add((node, KG.score, _dec(l.score)))
        out.add((node, KG.textScore, _dec(l.text_score)))
        out.add((node, KG.structureScore, _dec(l.structure_score)))
        out.add((node, KG.role, Literal(l.role)))
        if l.rank:
            out.add((node, KG.rank, Literal(l.rank, datatype=XSD.integer)))
        for ev in l.evidence:
            if ev.sentence:
                out.add((node, PROV.wasDerivedFrom, URIRef(ev.sentence)))
    for gp in result.gaps:
        node = _result_node(out, f"gap/{iri_segment(gp.chain_label)}/{iri_segment(gp.segment_label)}",
                            KG.Gap, f"{gp.chain_label}·{gp.segment_label}：{gp.status}", act)
        out.add((node, KG.chain, URIRef(gp.chain)))
        out.add((node, KG.segment, URIRef(gp.segment)))
        out.add((node, KG.status, Literal(gp.status)))
        out.add((node, KG.gapKind, Literal(gp.kind)))
        for p in gp.players:
            if p.iri:
                out.add((node, KG.player, URIRef(p.iri)))
            else:
                out.add((node, RDFS.comment, Literal(f"未具名参与者：{p.label}", lang="zh")))
        out.add((node, RDFS.comment, Literal(gp.basis, lang="zh")))
        for ev in gp.evidence:
            if ev.sentence:
                out.add((node, PROV.wasDerivedFrom, URIRef(ev.sentence)))
        for ld in gp.leads:
            if ld.sentence:
                out.add((node, PROV.wasDerivedFrom, URIRef(ld.sentence)))  # the lead's evidence
            if ld.iri:
                out.add((node, KG.lead, URIRef(ld.iri)))
            else:
                h = hashlib.sha1(f"{gp.chain}|{gp.segment}|{ld.label}".encode()).hexdigest()[:12]
                ln = URIRef(f"{KGR_NS}lead/{h}")
                out.add((ln, RDF.type, KG.Lead))
                out.add((ln, RDF.type, PROV.Entity))
                out.add((ln, RDFS.label, Literal(ld.label, lang="zh")))
                if ld.sentence:
                    out.add((ln, PROV.wasDerivedFrom, URIRef(ld.sentence)))
                out.add((node, KG.lead, ln))
