"""Entity resolution: [Extraction] -> KnowledgeBase (one Entity per real entity).

Names are grouped per entity type with a union-find over the extractor's canonical names:

1. exact: same (type, normalised canonical) -> same node;
2. surface / alias links: a surface or alias of canonical A that is itself the canonical B
   joins A and B, but only when no other canonical claims that name (ambiguous names such as a
   bare 高新区 used for two parks never join anything);
3. reference data (ontology/regions/*/*.ttl + templates): a canonical equal to a reference
   entity's label / prefLabel / altLabel (or its admin short form, 襄垣 -> 襄垣县, or its park
   abbreviation, 长治经开区 -> 长治经济技术开发区) joins that entity when the match is unique;
4. normalised keys within a type: parks (经济技术开发区 == 经开区, 高新技术产业开发区 == 高新区),
   administrative units (襄垣 == 襄垣县), projects (X == X项目), companies with the same
   distinctive core (山西霍家工业有限公司 == 霍家工业); two different full legal names
   (both ending in 公司) are never joined this way;
5. company short names: the distinctive core of a short name (华烨, 高科华烨) that is a prefix or
   suffix of exactly one other company's core (山西高科华烨电子集团有限公司 -> 高科华烨) joins it.

The label of a group is the reference prefLabel when the group matched reference data, else the
fullest (longest) canonical name the extractor produced. Relations are rewritten to the resolved
keys, deduplicated, and their evidence accumulated.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .model import (ENTITY_TYPES, Assertion, Entity, Evidence, Extraction, Fact, KnowledgeBase, Skipped)
from .util import KG, norm_name, to_decimal

PLACE_TYPES = ("Park", "County", "City", "Province", "Region")
COMPANY_TYPES = ("Enterprise", "Organization")

# Province-level short and full names (generic gazetteer, used to strip locative prefixes).
_PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
              "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
              "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
_PROVINCE_FULL = tuple(p + s for p in _PROVINCES for s in ("省", "市", "自治区", "壮族自治区", "回族自治区",
                                                           "维吾尔自治区", "特别行政区"))
_PROVINCE_SET = frozenset(_PROVINCES) | frozenset(_PROVINCE_FULL)
# Suffixes that say what kind of legal body a firm is, not its trade (longest first).
_LEGAL_WORDS = tuple(sorted(("股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "分公司",
                             "总公司", "公司", "集团", "控股", "股份", "有限", "国际", "（中国）", "(中国)", "中国"),
                            key=len, reverse=True))
# Legal-form and generic business words stripped from the end of company names (longest first).
_COMPANY_SUFFIXES = tuple(sorted(_LEGAL_WORDS + (
    "科技", "技术", "实业", "发展", "工业", "电子", "智能", "新材料", "材料", "新能源", "能源", "生物", "制药", "医药",
    "药业", "光电", "环保", "投资", "产业", "化工", "装备", "自动化", "信息", "数据", "网络", "农牧", "食品", "物流",
    "贸易", "建设", "工程", "电气", "机械", "制造", "创新", "研究院", "研究所", "中心"), key=len, reverse=True))
# Cores that are too generic to identify a company on their own.
_GENERIC_CORES = set(_COMPANY_SUFFIXES) | {
    "高科", "中科", "新兴", "华夏", "中华", "东方", "长城", "中国", "国家", "省级", "市级", "园区", "企业",
    "招商", "商务", "银行", "产业园", "开发区", "高新", "经开", "链主", "龙头"}

_PAREN = re.compile(r"[（(][^（）()]{1,12}[）)]")
_ADMIN_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:省|市|县|自治州|地区)")
_ADMIN_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|省|市|县|区|旗|盟)$")
_PARK_ABBR = (("高新技术产业开发区", "高新区"), ("高新技术开发区", "高新区"), ("经济技术开发区", "经开区"),
              ("经济开发区", "经开区"), ("工业园区", "工业园"), ("产业园区", "产业园"))
_LEGAL_END = ("公司",)


# --------------------------------------------------------------------------- reference data

@lru_cache(maxsize=8)
def _reference_index(dirs_key: tuple[str, ...] | None):
    """Reference entities (regions + templates) by name.

    Returns {"label": {type: {key: {ref}}}, "alt": {type: {key: {ref}}}, "context": {iri: names}}
    with ref = (type, label, iri): "label" holds rdfs:label/prefLabel keys, "alt" skos:altLabel
    keys, "context" the names of the places the entity is kg:locatedIn (two hops), used to accept
    an altLabel match (高新区, 襄垣) only in documents that name the place (长治).
    """
    from rdflib import RDF, RDFS, URIRef
    from rdflib.namespace import SKOS

    from .rdf import load_reference
    g = load_reference([Path(d) for d in dirs_key] if dirs_key is not None else None, shared=True)  # read only
    exact: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    alt: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    context: dict[str, tuple[str, ...]] = {}
    located = URIRef(KG + "locatedIn")

    def names(node, preds=(RDFS.label, SKOS.prefLabel, SKOS.altLabel)):
        return {norm_name(str(o)) for p in preds for o in g.objects(node, p) if _zh(o)}

    for t in ENTITY_TYPES:
        for s in g.subjects(RDF.type, URIRef(KG + t)):
            if not isinstance(s, URIRef):
                continue
            # the label the data file gives (rdfs:label first: rdf.py writes the label as rdfs:label,
            # and an entity must have a single Chinese rdfs:label)
            labels = [str(o) for o in g.objects(s, RDFS.label) if _zh(o)] or \
                     [str(o) for o in g.objects(s, SKOS.prefLabel) if _zh(o)]
            if not labels:
                continue
            pref = norm_name(sorted(labels)[0])
            ref = (t, pref, str(s))
            own = names(s, (RDFS.label, SKOS.prefLabel)) | {pref}
            for n in own:
                for k in _match_keys(t, n):
                    exact[t][k].add(ref)
            for n in names(s, (SKOS.altLabel,)) - own:
                for k in _match_keys(t, n):
                    alt[t][k].add(ref)
            ctx: set[str] = set()
            frontier = [s]
            for _hop in range(2):
                frontier = [o for f in frontier for o in g.objects(f, located) if isinstance(o, URIRef)]
                for o in frontier:
                    ctx |= {n for n in names(o) if len(n) >= 2}
            context[str(s)] = tuple(sorted(ctx))
    return {"label": {t: dict(v) for t, v in exact.items()}, "alt": {t: dict(v) for t, v in alt.items()},
            "context": context}


def _zh(lit) -> bool:
    lang = getattr(lit, "language", None)
    return lang is None or lang.lower().startswith("zh")


@lru_cache(maxsize=1)
def division_names() -> frozenset[str]:
    """City and province names (full and short) from ontology/data/divisions.tsv, if present."""
    from .resources import data_dir
    out: set[str] = set()
    path = data_dir() / "divisions.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    header = lines[0].split("\t") if lines else []
    try:
        i_name, i_short, i_type = header.index("name"), header.index("short_name"), header.index("type")
    except ValueError:
        return frozenset()
    for line in lines[1:]:
        cols = line.split("\t")
        if len(cols) <= max(i_name, i_short, i_type) or cols[i_type] not in ("City", "Province"):
            continue
        for n in (cols[i_name], cols[i_short]):
            n = norm_name(n)
            if len(n) >= 2:
                out.add(n)
    return frozenset(out)


def reference_index(region_dirs: list[Path] | None = None) -> dict:
    key = tuple(str(p) for p in region_dirs) if region_dirs is not None else None
    return _reference_index(key)


# --------------------------------------------------------------------------- name keys

def park_key(name: str) -> str:
    for full, abbr in _PARK_ABBR:
        name = name.replace(full, abbr)
    return name


def admin_key(name: str) -> str:
    stripped = _ADMIN_SUFFIX.sub("", name)
    return stripped if len(stripped) >= 2 else name


def _match_keys(type_: str, name: str) -> set[str]:
    """Keys under which a name is looked up in reference data."""
    keys = {name}
    if type_ == "Park":
        keys.add(park_key(name))
    elif type_ in ("County", "City", "Province"):
        keys.add(admin_key(name))
    elif type_ == "Project" and name.endswith("项目") and len(name) > 4:
        keys.add(name[:-2])
    return keys


def company_core(name: str, places: frozenset[str] = frozenset()) -> str:
    """Distinctive core of a company name: locative prefixes and legal/business suffixes removed."""
    s = _PAREN.sub("", norm_name(name))
    prefixes = places | _PROVINCE_SET
    changed = True
    while changed:
        changed = False
        for n in range(min(len(s) - 2, 12), 1, -1):  # longest place prefix first
            if s[:n] in prefixes:
                s = s[n:]
                changed = True
                break
        if not changed:
            m = _ADMIN_PREFIX.match(s)
            if m and len(s) - m.end() >= 4:
                s = s[m.end():]
                changed = True
    changed = True
    while changed:
        changed = False
        for suf in _COMPANY_SUFFIXES:
            if s.endswith(suf) and len(s) - len(suf) >= 2:
                s = s[: -len(suf)]
                changed = True
                break
    return s


def _distinctive(core: str, places: frozenset[str]) -> bool:
    return len(core) >= 2 and core not in _GENERIC_CORES and core not in places \
        and admin_key(core) not in places


_GENERIC_NAMES = {"开发区", "高新区", "经开区", "园区", "工业园", "产业园", "工业园区", "产业园区", "新区", "保税区",
                  "综保区", "自贸区", "示范区", "科技城", "基地", "集聚区", "产业集群", "产业链", "项目", "本项目",
                  "该项目", "公司", "集团", "企业", "本市", "全市", "我市", "我省", "全省", "该区", "该县"}


def _generic(type_: str, name: str) -> bool:
    """A name that denotes different things in different texts (开发区, 公司 …)."""
    return len(name) < 2 or name in _GENERIC_NAMES or (type_ in COMPANY_TYPES and name in _GENERIC_CORES)


def _is_legal_name(name: str) -> bool:
    return name.endswith(_LEGAL_END)


# --------------------------------------------------------------------------- union-find

class _UF:
    def __init__(self):
        self.parent: dict = {}

    def add(self, x):
        self.parent.setdefault(x, x)

    def find(self, x):
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # deterministic root: smaller key wins
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


# --------------------------------------------------------------------------- main entry

@dataclass
class _Nodes:
    """The extractor's canonical names as union-find nodes (type, name), with what links them."""
    uf: _UF = field(default_factory=_UF)
    names_of: dict = field(default_factory=lambda: defaultdict(set))  # node -> surfaces/aliases
    claims: dict = field(default_factory=lambda: defaultdict(set))  # (type, name) -> canonical nodes
    canon_count: dict = field(default_factory=lambda: defaultdict(int))
    mentions_of: dict = field(default_factory=lambda: defaultdict(list))
    canon_by_name: dict = field(default_factory=lambda: defaultdict(set))
    docs_of: dict = field(default_factory=lambda: defaultdict(set))  # node -> doc ids
    surface_links: list = field(default_factory=list)  # (node, (type, surface), doc id)
    docs: dict = field(default_factory=dict)

    def node(self, type_: str, name: str) -> tuple[str, str]:
        k = (type_, norm_name(name))
        if k not in self.uf.parent:
            self.uf.add(k)
            self.claims[k].add(k)
            self.canon_by_name[k[1]].add(k)
        return k

    def add_mention(self, doc_id: str, m) -> None:
        k = self.node(m.type, m.canonical)
        self.canon_count[k] += 1
        self.mentions_of[k].append((doc_id, m))
        self.docs_of[k].add(doc_id)
        surface = norm_name(m.text)
        if surface and surface != k[1]:
            self.names_of[k].add(surface)
            self.surface_links.append((k, (m.type, surface), doc_id))
        for a in m.aliases:  # the extractor's knowledge: holds across documents
            a = norm_name(a)
            if a and a != k[1]:
                self.names_of[k].add(a)
                self.claims[(m.type, a)].add(k)


def _collect(extractions: list[Extraction]) -> _Nodes:
    """1. exact: same (type, normalised canonical) -> same node."""
    n = _Nodes()
    for ex in extractions:
        doc_id = ex.doc.doc_id
        n.docs.setdefault(doc_id, ex.doc)
        for m in ex.mentions:
            if m.canonical.strip():
                n.add_mention(doc_id, m)
        for r in ex.relations:
            if r.head_type and r.head.strip():
                n.docs_of[n.node(r.head_type, r.head)].add(doc_id)
            if not r.literal and r.tail_type and r.tail.strip():
                n.docs_of[n.node(r.tail_type, r.tail)].add(doc_id)
    return n


def _link_surfaces(n: _Nodes, canon_nodes: list) -> None:
    """2a. surfaces: within the document only (a bare 开发区 in one article says nothing about
    another article's 开发区), unambiguous within that document; 2b. extractor aliases: across
    documents, unless generic or claimed by two canonicals."""
    uf = n.uf
    local_claims: dict[tuple, set] = defaultdict(set)
    for k, name, doc_id in n.surface_links:
        local_claims[(name, doc_id)].add(k)
    for k, name, doc_id in n.surface_links:
        if name in uf.parent and doc_id in n.docs_of.get(name, ()) and local_claims[(name, doc_id)] == {k}:
            uf.union(k, name)
    for k in canon_nodes:
        for a in n.names_of.get(k, ()):
            other = (k[0], a)
            if other in uf.parent and other != k and k in n.claims.get(other, ()) and not _generic(k[0], a):
                if n.claims[other] - {other} == {k}:
                    uf.union(k, other)


def _link_reference(n: _Nodes, canon_nodes: list, ref: dict) -> dict:
    """3. reference data (canonical names only, unique match). An altLabel match (高新区, 襄垣)
    also needs one of the entity's documents to name the place it lies in (长治)."""
    def doc_names_place(k, iri) -> bool:
        ctx = ref["context"].get(iri, ())
        if not ctx:
            return True
        return any(any(c in n.docs[d].text for c in ctx) for d in n.docs_of.get(k, ()) if d in n.docs)

    ref_nodes: dict[tuple[str, str], tuple[str, str, str]] = {}
    for k in canon_nodes:
        keys = _match_keys(k[0], k[1])
        hits = set().union(*(ref["label"].get(k[0], {}).get(key, set()) for key in keys))
        if not hits:
            alt_hits = set().union(*(ref["alt"].get(k[0], {}).get(key, set()) for key in keys))
            hits = {h for h in alt_hits if doc_names_place(k, h[2])}
            if len(alt_hits) > 1:
                hits = set()  # the name is ambiguous across reference entities
        if len(hits) == 1:
            t, pref, iri = next(iter(hits))
            rk = (t, pref)
            ref_nodes[rk] = (t, pref, iri)
            n.uf.add(rk)
            n.uf.union(k, rk)
    return ref_nodes


def _link_keys(n: _Nodes, canon_nodes: list, places: frozenset) -> dict:
    """4. normalised keys within a type (parks, divisions, projects); the companies' distinctive cores."""
    by_key: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    cores: dict[tuple[str, str], str] = {}
    for k in canon_nodes:
        t, name = k
        if t == "Park":
            by_key[(t, park_key(name))].append(k)
        elif t in ("County", "City", "Province"):
            by_key[(t, admin_key(name))].append(k)
        elif t == "Project":
            by_key[(t, name[:-2] if name.endswith("项目") and len(name) > 4 else name)].append(k)
        elif t in COMPANY_TYPES:
            c = company_core(name, places)
            if _distinctive(c, places):
                cores[k] = c
    for ks in by_key.values():
        for k in ks[1:]:
            n.uf.union(ks[0], k)
    return cores


def _link_companies(uf: _UF, cores: dict, t: str) -> None:
    """5. companies of type t: a name that is not a full legal name joins the unique other group
    whose core equals its core or starts/ends with it and, when its name goes on with a trade word
    (某辰|光电), whose names go on with the same trade (longest short names first, so 高科华烨 joins
    before 华烨 is tried); a group never ends up with two different legal names."""
    ks = [k for k in cores if k[0] == t]
    index: dict[str, set] = defaultdict(set)  # core -> nodes whose core equals it, or starts or ends with it
    for k in ks:
        o = cores[k]
        index[o].add(k)
        for i in range(2, len(o)):
            index[o[:i]].add(k)
            index[o[-i:]].add(k)
    legal_of: dict[tuple, set[str]] = defaultdict(set)
    names_of: dict[tuple, set[str]] = defaultdict(set)
    for k in uf.parent:
        if k[0] == t:
            names_of[uf.find(k)].add(norm_name(k[1]))
            if _is_legal_name(k[1]):
                legal_of[uf.find(k)].add(k[1])
    for k in sorted(ks, key=lambda x: (-len(cores[x]), x)):
        if _is_legal_name(k[1]):
            continue  # a full legal name is never someone else's short name
        mine = uf.find(k)
        cands = {uf.find(m) for m in index.get(cores[k], ())} - {mine}
        cands = {c for c in cands if _same_trade(k[1], cores[k], names_of.get(c, set()))}
        if len(cands) != 1:
            continue
        other = cands.pop()
        la, lb = legal_of.get(mine, set()), legal_of.get(other, set())
        if la and lb and la != lb:
            continue
        uf.union(mine, other)
        merged = legal_of.pop(mine, set()) | legal_of.pop(other, set())
        if merged:
            legal_of[uf.find(mine)] = merged
        names_of[uf.find(mine)] = names_of.pop(mine, set()) | names_of.pop(other, set())


def _same_trade(name: str, core: str, others: set[str]) -> bool:
    """A short name with a trade word after its core (某辰|光电) is another firm's short name only if
    that firm's names go on with the same trade (某辰光电科技有限公司), not another (某辰锂业)."""
    n = norm_name(name)
    i = n.find(core)
    trade = n[i + len(core):] if i >= 0 else ""
    while trade and (suf := next((x for x in _LEGAL_WORDS if trade.endswith(x)), None)):
        trade = trade[: -len(suf)]
    return not trade or any(core + trade in o for o in others)


def _entities(n: _Nodes, ref_nodes: dict) -> tuple[dict, dict]:
    """One Entity per group: the reference label, else the fullest canonical; node -> entity key."""
    groups: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    for k in n.uf.parent:
        groups[n.uf.find(k)].append(k)
    resolved: dict[tuple[str, str], tuple[str, str]] = {}
    entities: dict[tuple[str, str], Entity] = {}
    for members in groups.values():
        refs = [ref_nodes[m] for m in members if m in ref_nodes]
        canon = [m for m in members if m not in ref_nodes or n.canon_count.get(m)]
        if refs:
            t, label, iri = sorted(refs)[0]
        else:
            best = max(canon, key=lambda m: (len(m[1]), n.canon_count.get(m, 0), m[1]))
            t, label, iri = best[0], best[1], None
        key = (t, label)
        ent = entities.get(key)
        if ent is None:
            ent = entities[key] = Entity(type=t, label=label)
            if iri:
                ent.attrs["iri"] = iri
                ent.attrs["reference"] = True
        for m in members:
            resolved[m] = key
            if m[1] != label:
                ent.aliases.add(m[1])
            ent.aliases |= {a for a in n.names_of.get(m, ()) if a != label}
            ent.mentions.extend(n.mentions_of.get(m, ()))
    for ent in entities.values():
        ent.mentions.sort(key=lambda dm: (dm[0], dm[1].start, dm[1].end))
        ent.attrs["docs"] = sorted({d for d, _ in ent.mentions})
    return resolved, entities


class _Lookup:
    """Name (and type) -> resolved entity key, for relation endpoints and fact subjects."""

    def __init__(self, resolved: dict, entities: dict):
        self.resolved = resolved
        self.name_index: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for k, rk in resolved.items():
            self.name_index[k[1]].add(rk)
        for rk, ent in entities.items():
            self.name_index[ent.label].add(rk)
            for a in ent.aliases:
                self.name_index[a].add(rk)

    def __call__(self, name: str, type_: str = "") -> tuple[str, str] | None:
        n = norm_name(name)
        if type_ and (type_, n) in self.resolved:
            return self.resolved[(type_, n)]
        cands = {c for c in self.name_index.get(n, ()) if not type_ or c[0] == type_}
        if len(cands) == 1:
            return next(iter(cands))
        if cands:  # prefer places, then the entity whose label is the name
            exact = [c for c in cands if c[1] == n]
            if len(exact) == 1:
                return exact[0]
            pl = sorted(c for c in cands if c[0] in PLACE_TYPES)
            if len(pl) == 1:
                return pl[0]
        return None


def _endpoints(r, lookup: _Lookup):
    """(head key, tail key or literal) of a relation, None when either does not resolve."""
    head = lookup(r.head, r.head_type)
    if head is None:
        return None
    if r.literal:
        tail = r.tail.strip()
        return (head, tail) if tail else None
    tail = lookup(r.tail, r.tail_type)
    return None if tail is None or tail == head else (head, tail)


def _assertion_key(head, r, tail) -> tuple:
    """One assertion per key. An investment is one per project and amount: 50亿元 and 50个亿元 state
    the same figure (and would make one kg:investmentAmount statement with two confidences)."""
    amount = to_decimal(r.value) if r.rel == "investment" else None
    if amount is not None:
        return head, r.rel, ("amount", amount.normalize(), r.currency)
    return head, r.rel, tail


def _assertions(extractions: list[Extraction], lookup: _Lookup) -> list[Assertion]:
    """Relations rewritten to resolved keys, deduplicated, their evidence accumulated."""
    assertions: dict[tuple, Assertion] = {}
    for ex in extractions:
        doc = ex.doc
        sent_by_index = {s.index: s for s in doc.sentences}
        for r in ex.relations:
            ends = _endpoints(r, lookup)
            if ends is None:
                continue
            akey = _assertion_key(ends[0], r, ends[1])
            a = assertions.get(akey)
            if a is None:
                a = assertions[akey] = Assertion(head=ends[0], rel=r.rel, tail=ends[1], literal=r.literal,
                                                 value=r.value, currency=r.currency,
                                                 confidence=r.confidence)
            else:
                a.confidence = max(a.confidence, r.confidence)
                if a.value is None and r.value is not None:
                    a.value, a.currency = r.value, r.currency
            s = sent_by_index.get(r.sentence)
            ev = Evidence(doc_id=doc.doc_id, sentence=r.sentence,
                          start=s.start if s else 0, end=s.end if s else len(r.evidence),
                          text=s.text if s else r.evidence)
            if not any(e.doc_id == ev.doc_id and e.sentence == ev.sentence for e in a.evidence):
                a.evidence.append(ev)
    return list(assertions.values())


def _facts(extractions: list[Extraction], lookup: _Lookup) -> list[tuple[str, Fact]]:
    """Facts with their subject resolved, once per (document, subject, metric, value, period, sentence)."""
    facts: list[tuple[str, Fact]] = []
    seen_facts = set()
    for ex in extractions:
        for f in ex.facts:
            k = lookup(f.subject)
            f2 = replace(f, subject=k[1]) if k else f
            fk = (ex.doc.doc_id, f2.subject, f2.metric, f2.value, f2.period, f2.sentence)
            if fk in seen_facts:
                continue
            seen_facts.add(fk)
            facts.append((ex.doc.doc_id, f2))
    return facts


def build_kb(extractions: list[Extraction], skipped: list[Skipped] = (), *,
             region_dirs: list[Path] | None = None) -> KnowledgeBase:
    """Resolve entities across documents and collect assertions with evidence.

    `region_dirs`: reference folders (default: every bundled folder under ontology/regions/).
    """
    ref = reference_index(region_dirs)
    places = frozenset(n for t in ("County", "City", "Province", "Region")
                       for idx in (ref["label"], ref["alt"]) for n in idx.get(t, {})) \
        | _PROVINCE_SET | division_names()
    nodes = _collect(extractions)
    canon_nodes = sorted(nodes.uf.parent)
    _link_surfaces(nodes, canon_nodes)
    ref_nodes = _link_reference(nodes, canon_nodes, ref)
    cores = _link_keys(nodes, canon_nodes, places)
    for t in COMPANY_TYPES:
        _link_companies(nodes.uf, cores, t)
    resolved, entities = _entities(nodes, ref_nodes)
    lookup = _Lookup(resolved, entities)
    return KnowledgeBase(documents=list(nodes.docs.values()), entities=entities,
                         assertions=_assertions(extractions, lookup), facts=_facts(extractions, lookup),
                         skipped=list(skipped))


# --------------------------------------------------------------------------- enterprise register

def resolve_register_name(kb: KnowledgeBase, name: str) -> tuple[str, str] | None:
    """The extracted Enterprise a register row names: same name or alias, else the same distinctive core
    (山西高科华烨电子集团 = 山西高科华烨电子集团有限公司). None when the register firm is new."""
    n = norm_name(name)
    by_core: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, ent in kb.entities.items():
        if key[0] != "Enterprise":
            continue
        if n == norm_name(ent.label) or n in {norm_name(a) for a in ent.aliases}:
            return key
        by_core[company_core(ent.label)].append(key)
    core = company_core(n)
    hits = by_core.get(core, []) if _distinctive(core, frozenset()) else []
    return hits[0] if len(hits) == 1 else None
