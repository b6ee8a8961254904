"""Rule relations: the legacy extractor's relation proposals, one small function per family.

`relations(ex, ctx)` runs `park_prefixes`, then every rule of SENTENCE_RULES on each sentence in
order (later rules may read what earlier ones proposed), then `chain_headings`. A rule gets the
Extractor (gazetteer, division helpers), the document context (ctx.rels collects the proposals),
the sentence's spans sorted by type, and the memory carried from earlier sentences.
"""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from ..literals import CAP_RE, INVEST_RE, capacity_text
from . import rule_patterns
from .rules_context import Span

P = rule_patterns.load("relations")
KIND_CORES = rule_patterns.load("names").words["park_kind_cores"]  # 宜都市|高新技术产业园区 keeps its place

_START = attrgetter("start")


@dataclass
class Sentence:
    si: int
    s0: int  # offset of the sentence in the document
    text: str
    spans: list
    projects: list
    ents: list
    places: list  # parks and counties that are not inside a name
    guess_places: list  # places that are not a name's own prefix
    clusters: list
    chains: list
    products: list


@dataclass
class Memory:
    last_project: object = None
    last_ent: object = None


def _sentence(ctx, si: int, spans: list) -> Sentence:
    spans.sort(key=_START)
    sent = ctx.doc.sentences[si] if ctx.doc.sentences else None
    by_type: dict[str, list] = {}  # the spans of each type, in order (one pass)
    for s in spans:
        by_type.setdefault(s.type, []).append(s)
    of = lambda t: by_type.get(t, [])  # noqa: E731
    places = [s for s in spans if s.type in ("Park", "County") and not s.meta.get("in_name")]
    return Sentence(si, sent.start if sent else 0, sent.text if sent else ctx.text, spans, of("Project"),
                    of("Enterprise"), places, [x for x in places if not x.meta.get("prefix")],
                    of("IndustryCluster"), of("IndustryChain"), of("Product"))


def _implements(R: list, e, p, si: int) -> None:
    R.append((e, "implements", p, si))
    if p.meta.get("product") is not None:
        R.append((e, "produces", p.meta["product"], si))


def _year_capacity(cm) -> bool:
    """An output per period (年产…, a power unit, or a capacity word right before: 设计产能20万千升),
    not any quantity (占地300亩, 3000吨原料)."""
    if not cm:
        return False
    g = cm.group()
    return g.startswith(("年", "月产", "日产")) or bool(P.POWER_UNIT.search(g)) \
        or bool(P.CAPACITY_CUE_BEFORE.search(cm.string, max(0, cm.start() - 8), cm.start()))


# ------------------------------------------------------------------ document level

def park_prefixes(ex, ctx) -> None:
    """长子县冻干食品产业园: the county is a mention, the park is located in the last division of
    its prefix, and the canonical name drops a full division prefix (as do the bare mentions that
    point to it: 食品产业园 after 某县食品产业园)."""
    parks = [s for s in ctx.spans if s.type == "Park"]
    renamed: dict[str, str] = {}
    for sp in parks:
        core = sp.meta.get("core", "")
        if sp.meta.get("bare"):
            continue
        pos, last_row, strip_to = 0, None, 0
        while core:
            dl = ex._division_prefix(core[pos:] + "XX")
            row = ex._div_row(core[pos:pos + dl]) if dl else None
            if row is None or row["type"] not in ("City", "County", "Province"):
                break
            if core[pos:pos + dl] == row["name"] and row["type"] == "County":
                ctx.add(Span(sp.start + pos, sp.start + pos + dl, "County", row["name"], core[pos:pos + dl]))
            if core[pos:pos + dl] == row["name"] and len(core) - pos - dl >= 2:
                strip_to = pos + dl
            last_row = row
            pos += dl
        if last_row is not None and last_row["type"] in ("City", "County"):
            ctx.rels.append((sp, "locatedIn", (last_row["type"], last_row["name"]), ctx.sent_index(sp.start), "guess"))
        if strip_to and not sp.canonical.endswith(("高新区", "经开区", "开发区")) and core[strip_to:] not in KIND_CORES:
            renamed[sp.canonical] = sp.canonical = sp.canonical[strip_to:]
    for sp in parks:
        sp.canonical = renamed.get(sp.canonical, sp.canonical)


def park_named_chains(ctx) -> None:
    """某经开区新能源汽车产业集群: a cluster or chain named right after a park is the park's."""
    ends = {sp.end: sp for sp in ctx.spans if sp.type == "Park"}
    for sp in ctx.spans:
        park = ends.get(sp.start) if sp.type in ("IndustryCluster", "IndustryChain") else None
        if park is not None and sp.canonical == sp.text:  # (not renamed to a label of a cluster scheme)
            ctx.rels.append((sp, "locatedIn", park, ctx.sent_index(sp.start), "explicit"))


def _heading_after(rest: str) -> bool:
    """What follows a chain in a heading: nothing, a quoted slogan or a colon (X链“…”), or words
    a headline ends with no full stop (某产业链招商成效明显); not a sentence (某产业链不断延链补链。)."""
    rest = rest.strip(" \t")
    return not rest.strip("。") or rest[0] in "“\"「『（(：:" or not rest.endswith(("。", "！", "？"))


def chain_headings(ex, ctx) -> None:
    """A heading "X链“…”" followed by projects in the next sentence(s) of the paragraph."""
    sents = ctx.doc.sentences or ()
    chains = [s for s in ctx.spans if s.type == "IndustryChain"]
    projs = [p for p in ctx.spans if p.type == "Project"]
    for c in chains:
        si = ctx.sent_index(c.start)
        s = sents[si] if sents else None
        if s is None or len(s.text) > 20 or c.start - s.start > 2 or not _heading_after(s.text[c.end - s.start:]):
            continue
        for sj in range(si + 1, min(si + 4, len(sents))):
            for p in projs:
                if sents[sj].start <= p.start < sents[sj].end:
                    ctx.rels.append((p, "belongsToChain", c, sj))


# ------------------------------------------------------------------ sentence rules

def _nearest_place(s: Sentence, p):
    """Nearest preceding park in the sentence, else the following park, else any place; not one
    inside another project's name (甲项目、乙园二期项目: 乙园 places the second only)."""
    own = [x for x in s.guess_places if not any(q is not p and q.start <= x.start and x.end <= q.end
                                                 for q in s.projects)]
    prev = [x for x in own if x.end <= p.start and x is not p]
    nxt = [x for x in own if x.start >= p.end]
    prev_pk = [x for x in prev if x.type == "Park"]
    nxt_pk = [x for x in nxt if x.type == "Park"]
    for group, last in ((prev_pk, True), (nxt_pk, False), (prev, True), (nxt, False)):
        if group:
            return group[-1] if last else group[0]
    return None


def project_links(ex, ctx, s: Sentence, mem: Memory) -> None:
    """What the project recogniser attached: its enterprise, product, place and capacity."""
    R, si = ctx.rels, s.si
    for p in s.projects:
        e = p.meta.get("enterprise")
        if e is not None:
            R.append((e, "implements", p, si))
            prod = p.meta.get("product")
            if prod is not None:
                R.append((e, "produces", prod, si))
        pl = p.meta.get("place")
        if pl is not None:
            R.append((p, "locatedIn", pl, si))
        else:
            cand = _nearest_place(s, p)
            if cand is not None:
                R.append((p, "locatedIn", cand, si, "guess"))
        if "capacity" in p.meta:
            R.append((p, "capacity", p.meta["capacity"], si))


def capacity_after(ex, ctx, s: Sentence, mem: Memory) -> None:
    """Capacity stated after the project (…项目现场，300MW…生产线 / 年供水量…)."""
    for p in s.projects:
        if "capacity" in p.meta:
            continue
        later = s.text[p.end - s.s0:]
        nxt_p = [q for q in s.projects if q.start > p.start]
        limit = (nxt_p[0].start - p.end) if nxt_p else len(later)
        cm = CAP_RE.search(later[:limit])
        if _year_capacity(cm):
            ctx.rels.append((p, "capacity", capacity_text(cm.group()), s.si))


def _group_owner(s: Sentence, prev: list):
    """甲项目包括乙、丙两个子项目，总投资…: the project that names the group, if one does."""
    return next((p for p in prev if P.GROUP_OPENING.match(s.text, p.end - s.s0)), None)


def _investment_target(s: Sentence, m, mem: Memory):
    stext, projects = s.text, s.projects
    a, b = s.s0 + m.start(), s.s0 + m.end()
    after = [p for p in projects if p.start >= b and p.start - b <= 3]
    if after and stext[m.end():m.end() + 1] == "的":
        return after[0]
    prev = [p for p in projects if p.end <= a and not p.meta.get("list")]
    nxt = [p for p in projects if p.start >= b]
    if prev:
        if not P.COUNT_OF_PROJECTS.search(stext[prev[-1].end - s.s0:m.start()]):
            return prev[-1]
        group = _group_owner(s, prev)
        if group is not None:
            return group
    if nxt and not P.SEMICOLON.search(stext[m.end():nxt[0].start - s.s0]):
        return nxt[0]
    if not projects and P.PROJECT_OPENING.match(stext) and mem.last_project is not None:
        return mem.last_project
    if not projects:
        pk = [x for x in s.spans if x.type == "Park" and not x.meta.get("bare")]
        if len(pk) == 1 and stext.find("计划投资") >= 0:
            return pk[0]
    return None


def investment(ex, ctx, s: Sentence, mem: Memory) -> None:
    """总投资N亿元的X / X … 总投资N亿元 (not for aggregates "N个项目")."""
    for m in (INVEST_RE.finditer(s.text) if ("投" in s.text) else ()):
        if P.AGGREGATE_BEFORE.search(s.text[max(0, m.start() - 12):m.start()]) \
                or P.PROGRESS_BEFORE.search(s.text, max(0, m.start() - 4), m.start()):
            continue
        target = _investment_target(s, m, mem)
        if target is not None:
            ctx.rels.append((target, "investment", P.WHITESPACE_RUN.sub("", m.group(1)).replace("个", ""), s.si))


def enterprise_places(ex, ctx, s: Sentence, mem: Memory) -> None:
    """X在/落户/入驻 Y → X located in Y; a legal name with a county prefix is in that county."""
    t, R = ctx.text, ctx.rels
    for e in s.ents:
        if P.SETTLE_AFTER.match(s.text[e.end - s.s0:e.end - s.s0 + 14]):
            # 由X在Y投资设立: the company the sentence is about is in Y, not the investor X
            subj = s.ents[0] if t[e.start - 1:e.start] == "由" and s.ents[0] is not e else e
            for pl in s.places:
                if pl.start >= e.end and pl.start - e.end <= 4:
                    R.append((subj, "locatedIn", pl, s.si))
        dl = ex._division_prefix(e.text)
        if dl and e.meta.get("legal"):
            row = ex._div_row(e.text[:dl])
            if row and row["type"] == "County" and e.text[:dl] == row["name"]:
                R.append((e, "locatedIn", (row["type"], row["name"]), s.si))


def single_subject(ex, ctx, s: Sentence, mem: Memory) -> None:
    """One enterprise as the subject, then a build/invest verb, then the project."""
    if len({e.canonical for e in s.ents}) != 1:
        return
    e0 = s.ents[0]
    for p in s.projects:
        if p.meta.get("enterprise") is None and p.start > e0.end and P.IMPLEMENT_VERB.search(ctx.text[e0.end:p.start]):
            _implements(ctx.rels, e0, p, s.si)


def invested_by(ex, ctx, s: Sentence, mem: Memory) -> None:
    """X投资(建设)的Y, and Y由X投资建设: the enterprise implements the project."""
    for e in s.ents:
        a, b = e.start - s.s0, e.end - s.s0
        mm = P.INVESTED_OF.match(s.text[b:b + 6])
        if mm:
            for p in s.projects:
                if 0 <= p.start - (e.end + mm.end()) <= 2:
                    _implements(ctx.rels, e, p, s.si)
        if P.BUILDS_AFTER_FIRM.match(s.text[b:b + 8]):
            for p in s.projects:
                if p.end <= e.start and _built_by(s, p, e):
                    _implements(ctx.rels, e, p, s.si)


def _built_by(s: Sentence, p, e) -> bool:
    """Y由X, or Y<a clause about Y>，由X with no other project or firm between."""
    gap = s.text[p.end - s.s0:e.start - s.s0]
    if P.BUILT_BY.match(gap):
        return True
    return bool(P.BUILT_BY_AFTER_CLAUSE.match(gap)) and not any(
        p.end <= x.start and x.end <= e.start for x in s.projects + s.ents if x is not p and x is not e)


def _cue_placement(ctx, s: Sentence, m) -> None:
    t, s0, places = ctx.text, s.s0, s.places
    cue_end = s0 + m.end()
    if not any(0 <= x.start - cue_end <= 16 for x in places):
        return
    pm = P.CLAUSE_END.search(t, cue_end, s0 + len(s.text))
    seg_end = pm.start() if pm else s0 + len(s.text)
    tails = [x for x in places if cue_end <= x.start < seg_end]
    if not tails:
        return
    tail = tails[-1]
    htypes = ("Project",) if m.group() == "在" else ("Project", "Enterprise", "Park")
    heads = [x for x in s.spans if x.end <= s0 + m.start() and x.type in htypes
             and x is not tail and not t[x.end:s0 + m.start()].count("，")
             and s0 + m.start() - x.end <= 12]
    if heads:
        ctx.rels.append((heads[-1], "locatedIn", tail, s.si, "explicit"))
        if len(tails) >= 2 and tails[-2].type in ("County", "Park") and tails[-2].end == tail.start \
                and tail.type == "Park":
            ctx.rels.append((tail, "locatedIn", tails[-2], s.si))


def explicit_places(ex, ctx, s: Sentence, mem: Memory) -> None:
    """X位于/落户/入驻/落地/在 Y; 在<place>投资建设<project>; 在<park>设立了<enterprise>; <place>的<chain or firm>."""
    if not s.places:
        return
    R, s0, si = ctx.rels, s.s0, s.si
    for m in P.LOCATION_CUE.finditer(s.text):
        _cue_placement(ctx, s, m)
    for m in P.BUILD_AT_PLACE.finditer(s.text):
        pl = [x for x in s.places if s0 + m.start(1) <= x.start < s0 + m.end(1)]
        pj = [p for p in s.projects if 0 <= p.start - (s0 + m.end()) <= 2]
        if pl and pj:
            R.append((pj[0], "locatedIn", pl[-1], si, "explicit"))
    for m in P.FOUND_AT_PLACE.finditer(s.text):
        pl = [x for x in s.places if s0 + m.start() < x.start < s0 + m.end()]
        en = [e for e in s.ents if 0 <= e.start - (s0 + m.end()) <= 2]
        if pl and en:
            R.append((en[0], "locatedIn", pl[-1], si))
    for c in s.chains + s.ents:  # <place>的<chain or firm> (某经开区的某公司)
        for x in s.places:
            if x.end + 1 == c.start and ctx.text[x.end] == "的":
                R.append((c, "locatedIn", x, si))


def park_opening(ex, ctx, s: Sentence, mem: Memory) -> None:
    """在<park>，…<enterprise> (the enterprise settled there); a chain with a place prefix."""
    mm = P.AT_PLACE_OPENING.match(s.text)
    if mm:
        pl = [p for p in s.places if s.s0 + mm.start(1) <= p.start < s.s0 + mm.end(1)]
        if pl and pl[0].type == "Park":
            for e in s.ents:
                if e.meta.get("legal"):
                    ctx.rels.append((e, "locatedIn", pl[0], s.si))
            for c in s.chains:
                ctx.rels.append((c, "locatedIn", pl[0], s.si))
    for c in s.chains:
        if c.meta.get("place") is not None:
            ctx.rels.append((c, "locatedIn", c.meta["place"], s.si))


def chain_leaders(ex, ctx, s: Sentence, mem: Memory) -> None:
    """chainLeaderOf from the lexicon's leader patterns (…链主企业…)."""
    for rx in (ex.g.leader_res if "链" in s.text else ()):
        for m in rx.finditer(s.text):
            ch = [c for c in s.chains if s.s0 + m.start("chain") <= c.end <= s.s0 + m.end("chain") + 1]
            heads = [e for e in s.ents if e.end <= s.s0 + m.start()]
            if ch and heads:
                ctx.rels.append((heads[0], "chainLeaderOf", ch[-1], s.si))


def supplies(ex, ctx, s: Sentence, mem: Memory) -> None:
    """suppliesTo from the lexicon's supply patterns (为…配套 …)."""
    st = s.text
    for rx in (ex.g.supply_res if s.ents and ("配套" in st or "供" in st or "售" in st) else ()):
        for m in rx.finditer(st):
            ca, cb = s.s0 + m.start("c"), s.s0 + m.end("c")
            targets = [e for e in s.ents if ca <= e.start < cb]
            heads = [e for e in s.ents if e.end <= ca and e not in targets]
            if targets and heads:
                for tg in targets:
                    ctx.rels.append((heads[0], "suppliesTo", tg, s.si))


def chain_products(ex, ctx, s: Sentence, mem: Memory) -> None:
    """Listed products in a sentence about one chain, nobody producing them: the chain's products."""
    lprods = [p for p in s.products if p.source == "product-list"]
    if lprods and len(s.chains) == 1 and not P.MAKE_VERB.search(s.text):
        for p in lprods:
            ctx.rels.append((p, "belongsToChain", s.chains[0], s.si))


def products(ex, ctx, s: Sentence, mem: Memory) -> None:
    """Produce-verb products of the subject firm; 该项目… products of the previous project's firm."""
    R, si, st = ctx.rels, s.si, s.text
    vprods = [p for p in s.products if p.source == "produce-verb" or (
        p.source == "product-list" and P.PRODUCT_CUE.search(st))]
    subj = [e for e in s.ents if e.start < vprods[0].start] if vprods else []
    for p in (vprods if subj else ()):
        R.append((subj[0], "produces", p, si))
    if s.ents or mem.last_project is None or not P.THIS_PROJECT_OPENING.match(st):
        return
    e_lp = mem.last_project.meta.get("enterprise")
    if e_lp is None:
        e_lp = next((r[0] for r in R if r[1] == "implements" and r[2] is mem.last_project), None)
    if e_lp is not None:
        for p in s.products:
            if p.source in ("produce-verb", "product-list"):
                R.append((e_lp, "produces", p, si))


def memberships(ex, ctx, s: Sentence, mem: Memory) -> None:
    """Projects with the sentence's only cluster / only chain (…形成X产业链上重要支点)."""
    if len({c.canonical for c in s.clusters}) == 1 and s.projects:
        for p in s.projects:
            ctx.rels.append((p, "belongsToCluster", s.clusters[0], s.si))
    if len(s.chains) == 1 and s.projects:
        for p in s.projects:
            ctx.rels.append((p, "belongsToChain", s.chains[0], s.si))


SITE_TYPES = ("Park", "County", "City")


def _sited(ctx, s: Sentence, project) -> None:
    """该项目位于某开发区: the place right after the opening is where the last project is."""
    sited = P.THIS_PROJECT_SITED.match(s.text)
    place = next((x for x in s.spans if sited and x.start - s.s0 == sited.end() and x.type in SITE_TYPES
                  and not x.meta.get("in_name")), None)
    if place is not None:
        ctx.rels.append((project, "locatedIn", place, s.si))


def continuations(ex, ctx, s: Sentence, mem: Memory) -> None:
    """项目/该项目… continues the previous project; 公司/该公司… the most recent enterprise."""
    if not s.projects and mem.last_project is not None and P.THIS_PROJECT_OPENING_LONG.match(s.text):
        cm = CAP_RE.search(s.text)
        if _year_capacity(cm) and "capacity" not in mem.last_project.meta:
            ctx.rels.append((mem.last_project, "capacity", capacity_text(cm.group()), s.si))
        _sited(ctx, s, mem.last_project)
        owners = [e for e in s.ents if P.PROJECT_OWNER.search(s.text[:e.start - s.s0])]
        if len({e.canonical for e in owners}) == 1:  # 该项目由甲公司投资建设 / 项目业主为甲公司
            _implements(ctx.rels, owners[0], mem.last_project, s.si)
    if not s.ents and mem.last_ent is not None and P.COMPANY_SUBJECT.search(s.text):
        for p in s.projects:
            if p.meta.get("enterprise") is None:
                ctx.rels.append((mem.last_ent, "implements", p, s.si))
        for p in s.products:
            if p.source == "produce-verb":
                ctx.rels.append((mem.last_ent, "produces", p, s.si))


def province_city(ex, ctx, s: Sentence, mem: Memory) -> None:
    """Province (full name) directly followed by one of its cities: 山西省太原市."""
    divs = [x for x in s.spans if x.type in ("Province", "City", "County")]
    for x, y in zip(divs, divs[1:]):
        if x.end == y.start and not x.meta.get("short"):
            row = ex.g.div_by_name.get(y.canonical, {})
            if x.type == "Province" and y.type == "City" and row.get("parent_province") == x.canonical:
                ctx.rels.append((y, "locatedIn", x, s.si))


def remember(ex, ctx, s: Sentence, mem: Memory) -> None:
    """Carry the sentence's last project and last legal firm to the next sentences."""
    if s.projects:
        mem.last_project = s.projects[-1]
    legal_here = [e for e in s.ents if e.meta.get("legal") or e.source in ("repeated", "invested-by")]
    if legal_here:
        mem.last_ent = legal_here[-1]


# the evaluation order of the rules on each sentence (later rules read earlier proposals)
SENTENCE_RULES = (project_links, capacity_after, investment, enterprise_places, single_subject, invested_by,
                  explicit_places, park_opening, chain_leaders, supplies, chain_products, products, memberships, continuations,
                  province_city, remember)


def relations(ex, ctx) -> None:
    """Relation proposals of the document: park prefixes, the sentence rules in order, chain headings."""
    by_sent: dict[int, list] = {}
    for sp in ctx.spans:
        by_sent.setdefault(ctx.sent_index(sp.start), []).append(sp)
    park_prefixes(ex, ctx)  # its county mentions come after the sentences' spans were taken
    park_named_chains(ctx)
    mem = Memory()
    sents = ctx.doc.sentences or ()
    # a sentence naming nothing still continues the last project: 该项目总投资12亿元。
    opening = [i for i, x in enumerate(sents) if i not in by_sent and P.PROJECT_OPENING.match(x.text)]
    for si in sorted([*by_sent, *opening]):
        s = _sentence(ctx, si, by_sent.get(si, []))
        for rule in SENTENCE_RULES:
            rule(ex, ctx, s, mem)
    chain_headings(ex, ctx)
