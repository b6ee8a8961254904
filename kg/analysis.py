"""Chain analysis on the RDF graph: segment mapping, 链主 ranking, gaps (招商图谱), leads, facts.

Input is the union graph of the RDF contract (docs/ARCHITECTURE.md); chain templates
(ontology/templates/*.ttl and any *.ttl in region folders) are loaded if the graph lacks them.
Nothing here is specific to one region: clusters, chains, segments and keywords are all data.

Mapping: an Enterprise/Project is placed on a segment when a segment keyword occurs in
  its own names, its products (kg:produces), the names of projects it implements (rightmost
  keyword of a name = its head noun, e.g. "锂离子动力储能电池负极材料一体化项目" -> 负极材料), or — only if
  none of those place it — in the clause(s) right after its mention in a sentence (kg:mention /
  kg:inSentence) or in the evidence of a statement about it.  belongsToChain / belongsToCluster /
  chainLeaderOf place it on a chain without a segment.  Sentences naming unnamed players
  ("吸引了深圳等地多家上游供应商…实现了支架、载带…就地配套") cover segments of the chain they refer to.
链主: only enterprises with textual chain-leader evidence for that chain qualify (kg:chainLeaderOf,
  or a 链主/龙头/吸引…配套 sentence about the chain); structure (suppliers, projects, coverage,
  PageRank/degree on a networkx projection, investment) adds to the score, never qualifies alone.
Gaps: per template segment 已覆盖 (>=2 players, >=1 producing) / 薄弱 (one player, or only projects
  not yet producing) / 缺失; gapKind 强链 (covered), 补链 (weak, or missing inside the covered
  span of positions), 延链 (missing beyond the covered positions: up- or downstream extension).
"""
from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import networkx as nx
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SKOS

from . import resources
from .util import KG as KG_NS, KGR as KGR_NS, iri_segment, norm_name

log = logging.getLogger(__name__)

KG = Namespace(KG_NS)
KGR = Namespace(KGR_NS)
ANALYSIS_GRAPH = URIRef(KGR_NS + "graph/analysis")
POSITIONS = ("上游", "中游", "下游")
NO_LEADER = "暂无符合条件的链主"
NO_CLUSTER = "（未归入集群）"

# ---------------------------------------------------------------- cue vocabulary
LEADER_CUES = [("链主", 0.6), ("龙头企业", 0.4), ("龙头带动", 0.4), ("龙头引领", 0.4), ("行业龙头", 0.3),
               ("领军企业", 0.3), ("龙头", 0.3)]
ATTRACT_RE = re.compile(r"(吸引|带动|引进|招引|集聚)[^。；]{0,40}?(配套|供应商|上下游|集聚|全产业链)")
# verbs after which a named enterprise is an outside target (a lead), not a local player
ANON_RE = re.compile(r"([\u4e00-\u9fffA-Za-z]{0,6}等地)?(多家|一批|若干|多个|一大批)[\u4e00-\u9fff]{0,8}?(供应商|配套企业|企业|厂商)")
PRESENCE_RE = re.compile(r"就地配套|投资建厂|落户|入驻|建厂|投产|本地配套|就近配套")
ATTRACT_VERB_RE = re.compile(r"吸引|招引|引进|招商|供应商|客商|对接|叩门|考察|北上|南下|东进|驻点|紧盯|深入|赴|飞地")
WINDOW_STOP_RE = re.compile(r"吸引|带动|引进|招引|配套企业|供应商|[。；！？!?;]")
PRODUCING_RE = re.compile(r"已投产|建成投产|投入运营|投入生产|正式运营|运营中|有序运转|高速运转|源源不断下线|下线|试运行|达产|满产|当月即投入运营|销售额|远销|占据")
NOT_YET_BEFORE = re.compile(r"(向着|即将|预计|将|计划|拟|力争|后)$")
EXPANSION_RE = re.compile(r"二期|三期|扩建|扩能|技改|技术改造|改扩建|升级改造")
REGION_FALLBACK = ("京津冀", "长三角", "粤港澳大湾区", "珠三角", "成渝地区双城经济圈", "环渤海")
CLAUSE_SPLIT = re.compile(r"[，,]")


# ---------------------------------------------------------------- result dataclasses
@dataclass
class SegmentInfo:
    iri: str
    chain: str
    label: str
    position: str
    order: int
    keywords: list[str]
    next: list[str] = field(default_factory=list)


@dataclass
class ChainInfo:
    iri: str
    label: str
    alt: list[str]
    clusters: list[str]  # cluster IRIs
    segments: list[SegmentInfo]
    exclude: list[str] = field(default_factory=list)


@dataclass
class ClusterInfo:
    iri: str
    label: str
    tier: str
    chains: list[str]
    alt: list[str] = field(default_factory=list)
    scheme: str = ""


@dataclass
class Placement:
    entity: str
    label: str
    type: str  # Enterprise | Project
    chain: str
    chain_label: str
    segment: str | None  # None = placed on the chain only
    segment_label: str
    basis: str  # 产品 | 名称 | 项目 | 上下文 | 所属产业链 | 所属集群 | 链主表述 | 推断
    keyword: str
    evidence: str  # sentence text
    sentence: str | None  # sentence IRI
    operating: bool = True
    via: str | None = None  # project IRI when an enterprise is placed through its project


@dataclass
class Unplaced:
    entity: str
    label: str
    type: str
    chains: list[str]  # chain labels it is placed on without a segment
    reason: str


@dataclass
class Evidence:
    sentence: str | None
    text: str
    kind: str = ""


@dataclass
class Leader:
    chain: str
    chain_label: str
    clusters: list[str]  # cluster labels
    enterprise: str
    label: str
    score: float
    text_score: float
    structure_score: float
    components: dict
    evidence: list[Evidence]
    rank: int | None = None
    qualified: bool = False


@dataclass
class Player:
    iri: str | None
    label: str
    type: str  # Enterprise | Project | 未具名
    operating: bool
    basis: str = ""
    evidence: str = ""
    sentence: str | None = None
    multiple: bool = False


@dataclass
class Lead:
    label: str
    iri: str | None
    type: str  # Region | City | Province | Enterprise ...
    scope: str  # 产业链 (sentence about the chain) | 环节 (names segments only) | 全市 (city-wide)
    chain: str | None
    segments: list[str]
    evidence: str
    sentence: str | None
    positions: tuple[str, ...] = POSITIONS  # "上游供应商" -> only upstream segments


@dataclass
class Gap:
    chain: str
    chain_label: str
    clusters: list[str]  # cluster labels
    segment: str
    segment_label: str
    position: str
    order: int
    status: str  # 已覆盖 | 薄弱 | 缺失
    kind: str  # 强链 | 补链 | 延链
    players: list[Player]
    evidence: list[Evidence]
    leads: list[Lead] = field(default_factory=list)


@dataclass
class FactRow:
    iri: str
    subject: str
    metric: str
    value: str
    number: Decimal | None
    unit: str
    period: str
    evidence: str
    sentence: str | None


@dataclass
class AnalysisResult:
    placements: list[Placement]
    unplaced: list[Unplaced]
    leaders: list[Leader]  # all assessed candidates; .qualified marks 链主
    gaps: list[Gap]
    leads: list[Lead]
    facts: list[FactRow]
    chains: dict[str, ChainInfo] = field(default_factory=dict)
    clusters: dict[str, ClusterInfo] = field(default_factory=dict)
    generated: str = ""
    untemplated: list[str] = field(default_factory=list)  # chains named in the text with no template (add one)

    def leaders_for(self, chain: str, qualified_only: bool = True) -> list[Leader]:
        out = [l for l in self.leaders if l.chain == chain and (l.qualified or not qualified_only)]
        return sorted(out, key=lambda l: (l.rank or 10**6, -l.score))

    def gaps_for(self, chain: str) -> list[Gap]:
        return sorted((g for g in self.gaps if g.chain == chain), key=lambda g: (POSITIONS.index(g.position), g.order))

    def cluster_chains(self, cluster: str) -> list[str]:
        return [c for c in self.clusters[cluster].chains if c in self.chains]

    def unclustered_chains(self) -> list[str]:
        return [c for c, info in self.chains.items() if not info.clusters]


# ---------------------------------------------------------------- graph helpers
def _lit(v) -> str:
    return str(v) if v is not None else ""


class _G:
    """Read helpers over one rdflib Graph."""

    def __init__(self, g: rdflib.Graph):
        self.g = g
        self._labels: dict = {}

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

    def of_type(self, cls) -> list:
        return sorted(set(self.g.subjects(RDF.type, cls)), key=str)


def _load_reference(regions: list[Path] | None) -> rdflib.Graph:
    ref = rdflib.Graph()
    files = sorted(resources.templates_dir().glob("*.ttl")) if resources.templates_dir().exists() else []
    for d in regions or []:
        d = Path(d)
        if d.is_dir():
            files += sorted(d.rglob("*.ttl"))
        elif d.suffix == ".ttl":
            files.append(d)
    for f in files:
        try:
            ref.parse(f, format="turtle")
        except Exception as e:  # a broken data file must not stop the analysis
            log.warning("无法读取参考数据 %s：%s", f, e)
    return ref


def _union(graph, ref: rdflib.Graph) -> rdflib.Graph:
    """graph + reference data, without modifying graph (no copy when graph already holds the reference)."""
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
                                            sorted({str(o) for o in g.objects(ch, KG.excludeKeyword)}))
        order = G.one(seg, KG.order)
        c.segments.append(SegmentInfo(
            str(seg), str(ch), G.label(seg), _lit(G.one(seg, KG.position)) or "中游",
            int(order) if order is not None else 999,
            sorted({str(o) for o in g.objects(seg, KG.keyword)} | {G.label(seg)}, key=lambda k: (-len(k), k)),
            sorted(str(o) for o in g.objects(seg, KG.next))))
    for c in chains.values():
        c.segments.sort(key=lambda s: (POSITIONS.index(s.position) if s.position in POSITIONS else 1, s.order, s.label))
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
    return chains, clusters


def _core(name: str) -> str:
    n = norm_name(name)
    for suf in ("全产业链", "产业链", "产业集群", "产业", "链", "集群"):
        if n.endswith(suf) and len(n) > len(suf):
            n = n[: -len(suf)]
            break
    return n


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
        self._auto = None
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
        return re.sub(r"\s+", "", text).lower()

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
        t = self._prep(text)
        return {ch for term, ch in self.chain_terms if term in t}


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


def _contexts(G: _G, ent) -> list[_Ctx]:
    g = G.g
    out: list[_Ctx] = []
    seen = set()
    mentions = set(g.objects(ent, KG.mention)) | set(g.subjects(KG.denotes, ent))
    for m in sorted(mentions, key=str):
        s = G.one(m, KG.inSentence)
        if s is None:
            continue
        text = _sentence_text(G, s)
        ms, me = G.one(m, KG.startOffset), G.one(m, KG.endOffset)
        ss = G.one(s, KG.startOffset)
        start = end = -1
        if ms is not None and ss is not None and me is not None:
            start, end = int(ms) - int(ss), int(me) - int(ss)
            if not (0 <= start < end <= len(text)):
                start = end = -1
        if start < 0:
            mt = _lit(G.one(m, KG.text))
            i = text.find(mt) if mt else -1
            if i >= 0:
                start, end = i, i + len(mt)
        key = (str(s), start)
        if key not in seen:
            seen.add(key)
            out.append(_Ctx(str(s), text, start, end))
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
    """Up to two clauses after the mention, cut where the sentence turns to other actors
    (the next enterprise/project, 吸引/带动…) and before other actors' projects in a list."""
    if ctx.start < 0:
        return ""
    rest = ctx.text[ctx.end: ctx.stop if ctx.stop > ctx.end else None]
    m = WINDOW_STOP_RE.search(rest)
    if m:
        rest = rest[: m.start()]
    parts = CLAUSE_SPLIT.split(rest)
    w = "，".join(parts[:2])[:80]
    # "X公司综合业务用房和技术用房、高新区电力设施器材制造等项目": a later list item is someone else's project
    m = re.search(r"、[^、，。；]*?等[0-9一二三四五六七八九十多几]*个?项目", w)
    if m:
        w = w[: m.start()]
    return w


def _visit_spans(text: str) -> list[tuple[int, int]]:
    """Spans after 考察/拜访/走访/对接… up to the clause end: enterprises named there are outside targets."""
    out = []
    for m in re.finditer(r"考察|拜访|走访|对接|叩门|洽谈|精准叩门", text):
        end = re.search(r"[，。；,;]", text[m.end():])
        out.append((m.end(), m.end() + end.start() if end else len(text)))
    return out


def _operating_project(G: _G, proj, ctxs: list[_Ctx]) -> bool:
    for c in ctxs:
        seg = c.text[c.start:] if c.start >= 0 else c.text
        stop = re.search(r"[。；;]", seg)
        seg = seg[: stop.start()] if stop else seg
        for m in PRODUCING_RE.finditer(seg):
            if not NOT_YET_BEFORE.search(seg[max(0, m.start() - 4): m.start()]):
                return True
    return False


# ---------------------------------------------------------------- analysis
def analyze(graph: rdflib.Graph, region_dirs: list[Path] | None = None) -> AnalysisResult:
    """Map enterprises/projects onto chain segments, rank 链主, classify gaps, collect leads and facts."""
    if region_dirs is None:
        region_dirs = resources.region_dirs()
    ref = resources.load_reference(region_dirs, ontology=False)  # the shared loader (kg.resources)
    g = _union(graph, ref)
    G = _G(g)
    chains, clusters = _read_templates(G)
    matcher = _Matcher(chains)

    # data chains (extracted kg:IndustryChain entities) -> template chains
    tmpl_by_name: dict[str, str] = {}
    for c in chains.values():
        for n in (c.label, *c.alt):
            tmpl_by_name.setdefault(norm_name(n), c.iri)
    cores = sorted(((_core(c.label), c.iri) for c in chains.values()), key=lambda x: -len(x[0]))

    def chain_of(node) -> str | None:
        s = str(node)
        if s in chains:
            return s
        for n in G.names(node):
            if norm_name(n) in tmpl_by_name:
                return tmpl_by_name[norm_name(n)]
        for n in G.names(node):
            core = _core(n)
            for tc, iri in cores:
                if tc and (tc == core or tc in core):
                    return iri
            t = matcher.chains_named(n)
            if len(t) == 1:
                return next(iter(t))
        return None

    def chains_of_cluster(node) -> list[str]:
        s = str(node)
        if s in clusters:
            return clusters[s].chains
        for cl in clusters.values():
            if any(norm_name(n) in {norm_name(x) for x in (cl.label, *cl.alt)} for n in G.names(node)):
                return cl.chains
        return []

    # local places (the scheme regions and everything located in them) — not leads
    local: set = set()
    for sch in g.subjects(RDF.type, SKOS.ConceptScheme):
        for r in g.objects(sch, KG.region):
            local.add(r)
    changed = True
    while changed:
        changed = False
        for s, o in g.subject_objects(KG.locatedIn):
            if o in local and s not in local:
                local.add(s)
                changed = True
    local_names = {n for p in local for n in G.names(p)}
    # the provinces/regions the local region lies in are not sources to attract from either
    up = set(local)
    while True:
        nxt = {o for s_ in up for o in g.objects(s_, KG.locatedIn)} - up
        if not nxt:
            break
        up |= nxt
    local_names |= {n for p in up for n in G.names(p)}

    enterprises = G.of_type(KG.Enterprise)
    projects = G.of_type(KG.Project)
    ent_set0 = set(enterprises)
    ctx_cache = {e: _contexts(G, e) for e in enterprises + projects}
    # a mention's context window ends where the next enterprise starts (for a project: the next project too,
    # "年产600万套儿童早教产品项目、智能家电生产基地项目、光电LED显示屏项目" is a list of different projects)
    starts: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for e, cs in ctx_cache.items():
        for c in cs:
            if c.sentence and c.start >= 0:
                starts[c.sentence].append((c.start, e in ent_set0))
    for e, cs in ctx_cache.items():
        for c in cs:
            later = [x for x, is_ent in starts.get(c.sentence, ()) if x >= c.end and (is_ent or e not in ent_set0)]
            c.stop = min(later) if later else -1
    # enterprises only ever named as visit targets (考察圣农发展、祥云生物…等龙头企业) are outside leads
    outside = set()
    for e in enterprises:
        cs = [c for c in ctx_cache[e] if c.start >= 0]
        if cs and all(any(a <= c.start < b for a, b in _visit_spans(c.text)) for c in cs) \
                and not any(True for _ in g.objects(e, KG.implements)) and not any(True for _ in g.objects(e, KG.chainLeaderOf)):
            outside.add(e)
    implements: dict = defaultdict(set)  # enterprise -> projects
    implementer: dict = defaultdict(set)
    for e, p in g.subject_objects(KG.implements):
        implements[e].add(p)
        implementer[p].add(e)
    proj_operating = {p: _operating_project(G, p, ctx_cache[p]) for p in projects}

    placements: list[Placement] = []
    pkeys = set()

    def add(pl: Placement):
        key = (pl.entity, pl.chain, pl.segment, pl.via)
        if key in pkeys:
            return
        pkeys.add(key)
        placements.append(pl)

    def first_ctx(e) -> tuple[str | None, str]:
        cs = ctx_cache.get(e) or []
        return (cs[0].sentence, cs[0].text) if cs else (None, "")

    def stmt_evidence(s, p, o) -> tuple[str | None, str]:
        for st in g.subjects(RDF.subject, s):
            if (st, RDF.predicate, p) in g and (st, RDF.object, o) in g:
                for sent in g.objects(st, PROV.wasDerivedFrom):
                    return str(sent), _sentence_text(G, sent)
        return first_ctx(s)

    for ent in enterprises + projects:
        if ent in outside:
            continue
        etype = "Enterprise" if ent in ent_set0 else "Project"
        label = G.label(ent)
        strong: list[tuple[str, str, str | None, str, bool, str | None]] = []  # text, basis, sent, evid, operating, via
        sid, stext = first_ctx(ent)
        for n in G.names(ent):
            strong.append((n, "名称" if etype == "Enterprise" else "项目名称", sid, stext,
                           proj_operating.get(ent, True) if etype == "Project" else True, None))
        for prod in g.objects(ent, KG.produces):
            ps, pt = stmt_evidence(ent, KG.produces, prod)
            for n in G.names(prod):
                strong.append((n, "产品", ps, pt, proj_operating.get(ent, True) if etype == "Project" else True, None))
        if etype == "Enterprise":
            for p in implements.get(ent, ()):
                ps, pt = stmt_evidence(ent, KG.implements, p)
                pname = G.label(p)
                op = proj_operating.get(p, False) or bool(EXPANSION_RE.search(pname))
                for n in G.names(p):
                    strong.append((n, "项目", ps or first_ctx(p)[0], pt or first_ctx(p)[1], op, str(p)))
                for prod in g.objects(p, KG.produces):
                    for n in G.names(prod):
                        strong.append((n, "项目", ps, pt, op, str(p)))
        placed = False
        for text, basis, s, ev, op, via in strong:
            for ch, (seg, kw) in matcher.head(text).items():
                add(Placement(str(ent), label, etype, ch, chains[ch].label, seg, _seg_label(chains, ch, seg),
                              basis, kw, ev, s, op, via))
                placed = True
        if not placed:
            for c in ctx_cache[ent]:
                w = _window(c)
                if not w:
                    continue
                for a, b, kw, ch, seg in matcher.matches(w):
                    add(Placement(str(ent), label, etype, ch, chains[ch].label, seg, _seg_label(chains, ch, seg),
                                  "上下文", kw, c.text, c.sentence,
                                  proj_operating.get(ent, False) if etype == "Project" else True))
        # chain-level placements
        for p, basis in ((KG.belongsToChain, "所属产业链"), (KG.chainLeaderOf, "链主表述")):
            for o in g.objects(ent, p):
                ch = chain_of(o)
                if ch:
                    s, ev = stmt_evidence(ent, p, o)
                    add(Placement(str(ent), label, etype, ch, chains[ch].label, None, "", basis, G.label(o), ev, s,
                                  proj_operating.get(ent, True) if etype == "Project" else True))
        for o in g.objects(ent, KG.belongsToCluster):
            s, ev = stmt_evidence(ent, KG.belongsToCluster, o)
            for ch in chains_of_cluster(o):
                if ch in chains:
                    add(Placement(str(ent), label, etype, ch, chains[ch].label, None, "", "所属集群", G.label(o), ev, s,
                                  proj_operating.get(ent, True) if etype == "Project" else True))
        for n in G.names(ent):
            for ch in matcher.chains_named(n):
                add(Placement(str(ent), label, etype, ch, chains[ch].label, None, "", "名称", n, stext, sid,
                              proj_operating.get(ent, True) if etype == "Project" else True))
        for c in ctx_cache[ent]:
            for ch in matcher.chains_named(_window(c)):
                add(Placement(str(ent), label, etype, ch, chains[ch].label, None, "", "上下文", chains[ch].label,
                              c.text, c.sentence, proj_operating.get(ent, False) if etype == "Project" else True))

    # ---- sentence level: which chains each sentence is about
    sentences = G.of_type(KG.Sentence)
    sent_text = {str(s): _sentence_text(G, s) for s in sentences}
    sent_entities: dict[str, set] = defaultdict(set)
    for m, e in g.subject_objects(KG.denotes):
        s = G.one(m, KG.inSentence)
        if s is not None:
            sent_entities[str(s)].add(e)
    for e in enterprises + projects:
        for c in ctx_cache[e]:
            if c.sentence:
                sent_entities[c.sentence].add(e)
    placed_chains: dict[str, set] = defaultdict(set)
    for pl in placements:
        placed_chains[pl.entity].add(pl.chain)

    about_cache: dict[str, set[str]] = {}

    def sentence_chains(sid: str) -> set[str]:
        if sid not in about_cache:
            about_cache[sid] = _sentence_chains(sid)
        return about_cache[sid]

    def _sentence_chains(sid: str) -> set[str]:
        text = sent_text.get(sid, "")
        out = set(matcher.chains_named(text))
        for cl in clusters.values():
            if any(len(n) >= 2 and n in text for n in (cl.label, *cl.alt)):
                out.update(ch for ch in cl.chains if ch in chains)
        for e in sent_entities.get(sid, ()):
            if (e, RDF.type, KG.IndustryChain) in g:
                ch = chain_of(e)
                if ch:
                    out.add(ch)
            elif (e, RDF.type, KG.IndustryCluster) in g:
                out.update(c for c in chains_of_cluster(e) if c in chains)
        return out

    # ---- unnamed players: "吸引了深圳等地多家上游供应商…实现了支架、载带…LED封装材料就地配套"
    anon: dict[str, list[Player]] = defaultdict(list)
    known_seg = {(pl.entity, pl.chain) for pl in placements if pl.segment and pl.basis != "推断"}
    for sid, text in sent_text.items():
        m = ANON_RE.search(text)
        if not m or not PRESENCE_RE.search(text[m.end():]):
            continue
        about = sentence_chains(sid)
        if not about:
            continue
        who = m.group(0)
        for a, b, kw, ch, seg in matcher.matches(text[m.end():]):
            if ch not in about:
                continue
            anon[seg].append(Player(None, f"{who}（文本未具名）", "未具名", True, "上下文", text, sid, True))
            # the named actor who attracted them sits on the segment they supply (kg:next)
            head = text[: m.start()]
            for e in sent_entities.get(sid, ()):
                if (str(e), ch) in known_seg:
                    continue  # its own segment is known; no need to infer it from its suppliers
                if e in ent_set0 and any(n in head for n in G.names(e)) and ATTRACT_RE.search(text):
                    for nxt in _segment(chains, ch, seg).next:
                        add(Placement(str(e), G.label(e), "Enterprise", ch, chains[ch].label, nxt,
                                      _seg_label(chains, ch, nxt), "推断", f"{kw}→{_seg_label(chains, ch, nxt)}",
                                      text, sid, True))
                        placed_chains[str(e)].add(ch)

    # ---- products named in project phrases whose project was not extracted as an entity:
    # "年产10万吨磷酸锰铁锂正极材料项目向着年底投产奋力冲刺" -> a (not yet producing) project on 正极材料
    named = [norm_name(G.label(x)) for x in enterprises + projects]
    for prod in G.of_type(KG.Product):
        if any(True for _ in g.subjects(KG.produces, prod)):
            continue
        pl_ = norm_name(G.label(prod))
        if len(pl_) < 2 or any(pl_ in n for n in named):
            continue
        pat = re.compile(r"[^，。；、,;等\s]*" + re.escape(pl_) + r"[^，。；、,;等\s]*?项目")
        for sid, text in sent_text.items():
            if pl_[:2] not in text:
                continue
            m = pat.search(re.sub(r"\s+", "", text))
            if not m:
                continue
            phrase = m.group(0)
            k = re.search(r"年产|[0-9.]+(万|亿)", phrase)
            if k:
                phrase = phrase[k.start():]
            flat = re.sub(r"\s+", "", text)
            rest = flat[m.end():]
            stop = re.search(r"[。；;]", rest)
            rest = rest[: stop.start()] if stop else rest
            op = any(not NOT_YET_BEFORE.search(rest[max(0, x.start() - 4): x.start()])
                     for x in PRODUCING_RE.finditer(rest))
            for ch, (seg, kw) in matcher.head(phrase).items():
                if all(p_.label != phrase for p_ in anon[seg]):
                    anon[seg].append(Player(None, phrase, "Project", op, "文本项目", text, sid))
            break

    # ---- unplaced
    seg_placed = {pl.entity for pl in placements if pl.segment}
    unplaced = []
    for ent in enterprises + projects:
        if str(ent) in seg_placed:
            continue
        chs = sorted({pl.chain_label for pl in placements if pl.entity == str(ent)})
        unplaced.append(Unplaced(str(ent), G.label(ent), "Enterprise" if ent in ent_set0 else "Project", chs,
                                 "仅能定位到产业链，无法确定环节" if chs else "文本中没有可映射到产业链环节的产品或表述"))

    # ---- leads
    leads = _leads(G, sentences, sent_text, sent_entities, sentence_chains, matcher, chains, local, local_names,
                   enterprises, outside)

    # ---- gaps
    gaps = _gaps(chains, clusters, placements, anon, leads, implementer)

    # ---- leaders
    leaders = _leaders(G, chains, clusters, placements, [e for e in enterprises if e not in outside], projects,
                       implements, sent_text, sent_entities, sentence_chains, chain_of, chains_of_cluster, anon)

    facts = _facts(G)
    untemplated = sorted({G.label(c) for c in G.of_type(KG.IndustryChain) if chain_of(c) is None})
    return AnalysisResult(placements, unplaced, leaders, gaps, leads, facts, chains, clusters,
                          datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), untemplated)


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


def _leads(G, sentences, sent_text, sent_entities, sentence_chains, matcher, chains, local, local_names,
           enterprises, outside) -> list[Lead]:
    g = G.g
    out: list[Lead] = []
    seen = set()
    place_types = {KG.Region: "Region", KG.City: "City", KG.Province: "Province"}
    for sid, text in sent_text.items():
        if not ATTRACT_VERB_RE.search(text):
            continue
        targets: list[tuple[str | None, str, str]] = []
        for e in sent_entities.get(sid, ()):
            if e in local:
                continue
            for cls, tname in place_types.items():
                if (e, RDF.type, cls) in g:
                    targets.append((str(e), G.label(e), tname))
            if e in outside:
                targets.append((str(e), G.label(e), "Enterprise"))
        have = {t[1] for t in targets}
        for name in REGION_FALLBACK:
            if name in text and not any(name in h or h in name for h in have):
                targets.append((None, name, "Region"))
        targets = [t for t in targets if t[1] not in local_names]
        if not targets:
            continue
        about = sentence_chains(sid)
        segs_by_chain = defaultdict(list)
        for a, b, kw, ch, seg in matcher.matches(text):
            if (ch in about or not about) and seg not in segs_by_chain[ch]:
                segs_by_chain[ch].append(seg)
        aligned = _align_targets(text, [t for t in targets if t[2] == "Enterprise"], matcher) if not about else {}
        for iri, label, tname in targets:
            if about:
                for ch in sorted(about):
                    key = (label, ch, sid)
                    if key not in seen:
                        seen.add(key)
                        pos = tuple(p for p in POSITIONS if p in text) or POSITIONS
                        out.append(Lead(label, iri, tname, "产业链", ch, segs_by_chain.get(ch, []), text, sid, pos))
            elif segs_by_chain:
                # "考察圣农发展…等龙头企业，推动养殖屠宰一体化、食用菌深加工…项目落地": only the segments named;
                # enterprises listed in the same order as the projects get their own item's segments
                own = aligned.get(label)
                for ch, segs in sorted((own if own is not None else segs_by_chain).items()):
                    key = (label, ch, sid)
                    if key not in seen:
                        seen.add(key)
                        out.append(Lead(label, iri, tname, "环节", ch, segs, text, sid, ()))
            else:
                key = (label, None, sid)
                if key not in seen:
                    seen.add(key)
                    out.append(Lead(label, iri, tname, "全市", None, [], text, sid))
    return out


def _align_targets(text: str, ents: list[tuple], matcher) -> dict[str, dict[str, list[str]]]:
    """"考察A、B、C等龙头企业，推动x、y、z等项目落地": when the enterprise list and the item list after it
    have the same length, item i is taken to be enterprise i's project. {label: {chain: [segments]}}."""
    if len(ents) < 2:
        return {}
    pos = sorted((text.find(lbl), lbl) for _i, lbl, _t in ents if text.find(lbl) >= 0)
    if len(pos) != len(ents):
        return {}
    after = text[pos[-1][0] + len(pos[-1][1]):]
    for clause in re.split(r"[，。；,;]", after)[1:]:
        m = re.search(r"(推动|引进|落地|建设|布局|发展)?(.+?)等[^、]*?(项目|产业|业态)", clause)
        if not m:
            continue
        items = m.group(2).split("、")
        if len(items) != len(pos):
            return {}
        out = {}
        for (_p, lbl), item in zip(pos, items):
            segs: dict[str, list[str]] = defaultdict(list)
            for _a, _b, _k, ch, seg in matcher.matches(item):
                if seg not in segs[ch]:
                    segs[ch].append(seg)
            out[lbl] = dict(segs)
        return out
    return {}


def _gaps(chains, clusters, placements, anon, leads, implementer) -> list[Gap]:
    gaps: list[Gap] = []
    by_seg: dict[str, list[Placement]] = defaultdict(list)
    for pl in placements:
        if pl.segment:
            by_seg[pl.segment].append(pl)
    city_freq: dict[str, int] = defaultdict(int)  # how many sentences name each city-wide target region
    for ld in leads:
        if ld.scope == "全市":
            city_freq[ld.label] += 1
    for ch in chains.values():
        cl_labels = [clusters[c].label for c in ch.clusters if c in clusters]
        status: dict[str, tuple[str, list[Player], list[Evidence]]] = {}
        for seg in ch.segments:
            players: dict[str, Player] = {}
            evid: list[Evidence] = []
            for pl in by_seg.get(seg.iri, []):
                cur = players.get(pl.entity)
                if cur is None:
                    players[pl.entity] = Player(pl.entity, pl.label, pl.type, pl.operating, pl.basis, pl.evidence,
                                                pl.sentence)
                elif pl.operating and not cur.operating:
                    cur.operating = True
                if pl.evidence and all(e.text != pl.evidence for e in evid):
                    evid.append(Evidence(pl.sentence, pl.evidence, pl.basis))
            plist = list(players.values())
            for a in anon.get(seg.iri, []):
                if all(p.label != a.label for p in plist):
                    plist.append(a)
                    if all(e.text != a.evidence for e in evid):
                        evid.append(Evidence(a.sentence, a.evidence, "未具名参与者"))
            # firms: a project counts apart from its enterprise only if that enterprise is not already here
            firms = 0
            for p in plist:
                if p.type == "Project" and p.iri and any(str(e) in players
                                                         for e in implementer.get(URIRef(p.iri), ())):
                    continue
                if p.type == "Project" and any(q.type == "Enterprise" and q.sentence and q.sentence == p.sentence
                                               for q in plist):
                    continue  # "山西鹏飞集团以新能源、氢能项目开发运营为抓手": the same actor
                firms += 2 if p.multiple else 1
            operating = [p for p in plist if p.operating]
            if not plist:
                st = "缺失"
            elif not operating or firms < 2:
                st = "薄弱"
            else:
                st = "已覆盖"
            plist.sort(key=lambda p: (p.type != "Enterprise", not p.operating, p.label))
            status[seg.iri] = (st, plist, evid)
        present = [POSITIONS.index(s.position) for s in ch.segments if status[s.iri][0] != "缺失"]
        lo, hi = (min(present), max(present)) if present else (None, None)
        for seg in ch.segments:
            st, plist, evid = status[seg.iri]
            if st == "已覆盖":
                kind = "强链"
            elif st == "薄弱" or lo is None:
                kind = "补链"
            else:
                p = POSITIONS.index(seg.position)
                kind = "延链" if (p < lo or p > hi) else "补链"
            gl = []
            for ld in sorted(leads, key=lambda x: (x.scope == "全市", -city_freq.get(x.label, 0))):
                if ld.scope == "全市" and st != "已覆盖" and ld.type in ("Region", "City", "Province"):
                    if all(x.label != ld.label for x in gl):
                        gl.append(ld)  # the city's target regions apply to every link still to fill
                    continue
                if ld.chain != ch.iri:
                    continue
                # a lead sentence about the chain points at every segment still to fill, and at the ones it names
                if seg.iri in ld.segments or (st != "已覆盖" and seg.position in ld.positions):
                    if all((x.label, x.sentence) != (ld.label, ld.sentence) for x in gl):
                        gl.append(ld)
            gaps.append(Gap(ch.iri, ch.label, cl_labels, seg.iri, seg.label, seg.position, seg.order, st, kind,
                            plist, evid, gl))
    return gaps


def _leaders(G, chains, clusters, placements, enterprises, projects, implements, sent_text, sent_entities,
             sentence_chains, chain_of, chains_of_cluster, anon) -> list[Leader]:
    g = G.g
    ent_set = set(enterprises)
    proj_set = set(projects)
    # networkx projection: supply, implementation, products, signing and co-location
    NX = nx.Graph()
    for p in (KG.suppliesTo, KG.implements, KG.produces, KG.signedWith, KG.locatedIn):
        for s, o in g.subject_objects(p):
            if s in ent_set or s in proj_set or o in ent_set:
                NX.add_edge(str(s), str(o), rel=str(p))
    pr = nx.pagerank(NX) if NX.number_of_edges() else {}
    deg = dict(NX.degree()) if NX.number_of_nodes() else {}
    suppliers: dict = defaultdict(set)
    for s, o in g.subject_objects(KG.suppliesTo):
        suppliers[o].add(s)

    by_chain: dict[str, dict[str, list[Placement]]] = defaultdict(lambda: defaultdict(list))
    for pl in placements:
        by_chain[pl.chain][pl.entity].append(pl)

    # textual evidence per (enterprise, chain)
    text_ev: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    text_pts: dict[tuple[str, str], float] = defaultdict(float)
    explicit: set[tuple[str, str]] = set()
    for e in enterprises:
        for o in g.objects(e, KG.chainLeaderOf):
            targets = [chain_of(o)] if chain_of(o) else [c for c in chains_of_cluster(o) if c in chains]
            for ch in targets:
                if not ch:
                    continue
                explicit.add((str(e), ch))
                found = False
                for st in g.subjects(RDF.subject, e):
                    if (st, RDF.predicate, KG.chainLeaderOf) in g and (st, RDF.object, o) in g:
                        for s in g.objects(st, PROV.wasDerivedFrom):
                            text_ev[(str(e), ch)].append(Evidence(str(s), sent_text.get(str(s), ""), "链主表述"))
                            found = True
                if not found:
                    text_ev[(str(e), ch)].append(Evidence(None, f"{G.label(e)} kg:chainLeaderOf {G.label(o)}", "链主表述"))
    counted: set = set()
    for sid, text in sent_text.items():
        cues = [(c, w) for c, w in LEADER_CUES if c in text]
        attract = ATTRACT_RE.search(text)
        if not cues and not attract:
            continue
        about = sentence_chains(sid)
        for e in sent_entities.get(sid, ()):
            if e not in ent_set:
                continue
            i = -1
            for n in G.names(e):
                i = text.find(n)
                if i >= 0:
                    break
            if i >= 0 and any(a <= i < b for a, b in _visit_spans(text)):
                continue  # 考察…等龙头企业: an outside target, not a local leader
            e_chains = set(about) | ({pl_ch for pl_ch in by_chain if str(e) in by_chain[pl_ch]} if not about else set())
            for ch in e_chains:
                pts = 0.0
                kinds = []
                if cues:
                    best = max(w for _c, w in cues)
                    pts += best
                    kinds.append("/".join(c for c, _w in cues[:2]))
                if attract:
                    pts += 0.3
                    kinds.append("吸引配套")
                key = (str(e), ch)
                if (key, sid) in counted:
                    continue
                counted.add((key, sid))
                text_pts[key] += pts
                if all(ev.sentence != sid for ev in text_ev[key]):
                    text_ev[key].append(Evidence(sid, text, "、".join(kinds)))

    out: list[Leader] = []
    for ch, info in chains.items():
        cands = {e for e in by_chain.get(ch, {}) if URIRef(e) in ent_set}
        cands |= {e for (e, c) in text_ev if c == ch}
        rows = []
        for e in cands:
            E = URIRef(e)
            pls = by_chain.get(ch, {}).get(e, [])
            projs = implements.get(E, set())
            segs = {pl.segment for pl in pls if pl.segment}
            for p in projs:
                segs |= {pl.segment for pl in by_chain.get(ch, {}).get(str(p), []) if pl.segment}
            n_sup = len(suppliers.get(E, ())) + sum(2 for sid_list in anon.values() for a in sid_list
                                                     if a.sentence and any(ev.sentence == a.sentence
                                                                           for ev in text_ev.get((e, ch), [])))
            inv = Decimal(0)
            for p in projs:
                for v in g.objects(p, KG.investmentAmount):
                    try:
                        inv += Decimal(str(v))
                    except Exception:
                        pass
            comp = {
                "explicit": 1.0 if (e, ch) in explicit else 0.0,
                "text_cues": round(min(1.0, text_pts.get((e, ch), 0.0)), 3),
                "suppliers": round(min(1.0, n_sup / 3), 3),
                "projects": round(min(1.0, len(projs) / 3), 3),
                "coverage": round(min(1.0, len(segs) / 3), 3),
                "segments": len(segs),
                "pagerank_raw": pr.get(e, 0.0),
                "degree": deg.get(e, 0),
                "investment_yuan": str(inv),
                "investment": round(min(1.0, math.log10(1 + float(inv) / 1e8) / 2), 3) if inv > 0 else 0.0,
            }
            rows.append((e, comp, pls))
        max_pr = max((c["pagerank_raw"] for _e, c, _p in rows), default=0) or 1.0
        max_deg = max((c["degree"] for _e, c, _p in rows), default=0) or 1
        for e, comp, pls in rows:
            comp["centrality"] = round(0.5 * comp["pagerank_raw"] / max_pr + 0.5 * comp["degree"] / max_deg, 3) \
                if (comp["pagerank_raw"] or comp["degree"]) else 0.0
            comp["pagerank_raw"] = round(comp["pagerank_raw"], 5)
            text_score = round(min(1.0, 0.6 * comp["explicit"] + comp["text_cues"]), 3)
            structure = round(0.2 * (comp["suppliers"] + comp["projects"] + comp["coverage"] + comp["centrality"]
                                     + comp["investment"]), 3)
            score = round(0.6 * text_score + 0.4 * structure, 3)
            evid = list(text_ev.get((e, ch), []))
            out.append(Leader(ch, info.label, [clusters[c].label for c in info.clusters if c in clusters], e,
                              G.label(URIRef(e)), score, text_score, structure, comp, evid,
                              None, text_score > 0))
    for ch in chains:
        ranked = sorted((l for l in out if l.chain == ch and l.qualified), key=lambda l: (-l.score, l.label))
        for i, l in enumerate(ranked, 1):
            l.rank = i
    out.sort(key=lambda l: (l.chain_label, l.rank or 10**6, -l.score, l.label))
    return out


def _facts(G: _G) -> list[FactRow]:
    g = G.g
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
    (named graph kgr:graph/analysis when ds is a Dataset)."""
    if isinstance(ds, (rdflib.Dataset, rdflib.ConjunctiveGraph)):
        out = ds.graph(ANALYSIS_GRAPH) if isinstance(ds, rdflib.Dataset) else ds.get_context(ANALYSIS_GRAPH)
    else:
        out = ds
    act = URIRef(KGR_NS + "activity/analysis")
    out.add((act, RDF.type, PROV.Activity))
    out.add((act, RDFS.label, Literal("产业链分析（链主评估、缺链分析）", lang="zh")))
    if result.generated:
        out.add((act, PROV.endedAtTime, Literal(result.generated, datatype=XSD.dateTime)))
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
