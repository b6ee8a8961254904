"""Rule family: industry chains, clusters (named, listed, from the region's cluster schemes),
macro regions and administrative divisions."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import nlp
from . import rule_patterns
from .names import LEVEL_CHARS
from .products import vocab as product_vocab
from .rules_context import DocCtx as _DocCtx, Span

P = rule_patterns.load("places")
FUNCTION_CHARS = rule_patterns.BOUNDARIES.words["function_chars"]


def head_window(ex, ctx: _DocCtx, a: int, width: int = 16, quotes: bool = False) -> tuple[int, int, str] | None:
    """(lo, off, core): the modifier words before a chain/cluster head at a, trimmed by POS (with
    quotes: a quoted name before the head, 打造“甲+乙”产业集群)."""
    lo = ex._left_limit(ctx, a, quotes, width)
    if lo >= a:
        return None
    off = ex._trim_pos(ctx.text[lo:a])
    core = ctx.text[lo + off:a]
    joins = "及和与" if core.lstrip("及和与") in P.words["companion_cores"] else "及"
    at = off if core[:1] in joins and len(core) > 2 else off - 1  # the conjunction, in or before core
    if at >= 2 and ctx.text[lo + at] in joins:
        first = _first_conjunct(ex, ctx.text[lo:lo + at])  # 造纸及纸制品产业链, 新能源汽车及配套产业集群: one name
        if at - first >= 2:
            off, core = first, ctx.text[lo + first:a]
    return lo, off, core


def _first_conjunct(ex, left: str) -> int:
    """Where the industry before 及 starts: as a name's start is trimmed, but its last word stays
    even when jieba tags it a verb (造纸及纸制品)."""
    first = ex._trim_pos(left)
    last = nlp.cut(left)[-1] if left else ""
    if len(left) - first < 2 and len(last) >= 2 and last not in ex.g.name_verbs and last not in ex.g.stops:
        return len(left) - len(last)
    return first


def chains(ex, ctx: _DocCtx) -> None:
    """Industry chains before 链 / 产业链 / 全产业链, with a division prefix as their place."""
    t, g = ctx.text, ex.g
    for m in g.chain_re.finditer(t):
        a, b = m.start(), m.end()
        if not ctx.free(a, b):
            continue
        if _quoted_chain(ctx, g, m):
            continue
        w = _chain_window(ex, ctx, a)
        if w is None:
            continue
        lo, off, core = w
        if off > 0 and _glued_first_char(t[lo + off - 1], core):  # 梳理出|新能源: jieba glued 新 to the verb
            off, core = off - 1, t[lo + off - 1] + core
        joined = P.CATEGORY_JOIN.search(core)  # 产业集群和光伏产业链: the chain starts after the other name
        if joined:
            off, core = off + joined.end(), core[joined.end():]
        elif len(core) > 2 and ctx.conj_after_name(lo + off):
            off, core = off + 1, core[1:]
        shut = max(core.rfind("）"), core.rfind(")"))  # 中国（某市）新能源汽车产业链: an event's title before it
        if shut >= 0:
            off, core = off + shut + 1, core[shut + 1:]
        industry = _chain_industry(core)
        if industry is None:
            continue
        off, core = off + len(core) - len(industry), industry
        if m.group() == "链":
            if core not in g.chain_short_words or t[a - 2:a] == "产业":
                continue
        if core in g.chain_generic or P.NOT_A_CHAIN_CORE.search(core):
            continue
        # place prefix: 黎城县新材料产业链 → chain 新材料产业链 located in 黎城县
        dl = ex._division_prefix(core)
        place = None
        if dl and len(core) - dl >= 2:
            row = ex._div_row(core[:dl])
            if row:
                place = ctx.take(Span(lo + off, lo + off + dl, row["type"], row["name"], core[:dl], meta={"prefix": True}))
                core = core[dl:]
        tokens = nlp.cut(core)
        if all(x in g.chain_generic for x in tokens):
            continue
        canon = core + ("链" if m.group() == "链" else "产业链")
        ctx.take(Span(lo + off + (dl if place else 0), b, "IndustryChain", canon, t[lo + off + (dl if place else 0):b],
                           meta={"core": core, "place": place, "full": m.group() == "全产业链"}))


QUOTED_BEFORE = re.compile(r"[“\"][\u4e00-\u9fff+＋·]{2,10}[”\"]$")  # a quoted name right before the head


def _quoted_chain(ctx: _DocCtx, g, m) -> bool:
    """打造“某某某某”产业链: the quoted words before the head name the chain (“智能”产业链 names none)."""
    a, b, t = m.start(), m.end(), ctx.text
    quoted = QUOTED_BEFORE.search(t, max(0, a - 14), a) if m.group() != "链" else None
    if quoted is None or not ctx.free(quoted.start(), a):
        return False
    core = re.sub(r"[“”\"]", "", quoted.group())
    if all(x in g.chain_generic for x in nlp.cut(core)):
        return False
    ctx.take(Span(quoted.start(), b, "IndustryChain", core + "产业链", t[quoted.start():b],
                  meta={"core": core, "place": None, "full": m.group() == "全产业链"}))
    return True


def _chain_window(ex, ctx: _DocCtx, a: int) -> tuple[int, int, str] | None:
    """head_window before a chain head; a last word that names an industry though jieba tags it a
    verb (新型显示产业链) stays, with the modifiers before it."""
    w = head_window(ex, ctx, a)
    if w is not None and len(w[2]) >= 2:
        return w
    verb = next((v for v in P.words["industry_verbs"] if ctx.text.endswith(v, 0, a)), None)
    if verb is None:
        return w
    inner = head_window(ex, ctx, a - len(verb))
    if inner is None:
        return a - len(verb), 0, verb
    return inner[0], inner[1], inner[2] + verb


SINGLE_CHAR_INDUSTRIES = frozenset(P.words["single_char_industries"])  # 铝产业链: one character names the chain
_LEAD_TAGS = {"t", "d", "p", "c", "r", "f", "u", "uj", "ul", "uz"}  # time, adverb, preposition, conjunction...
_END_TAGS = {"c", "f", "p", "d", "u", "uj", "ul", "uz"}


def _chain_industry(core: str) -> str | None:
    """The industry a chain is named by: the core without the scope, time and function words or
    verbs before it (全球光伏: 光伏, 上一年房地产: 房地产, 于纺织: 纺织, 做强工程机械: 工程机械); None
    when the core ends in a conjunction, a locative, such a verb or a scope word (贸易和, 阵营中, 地震影响,
    某电脑整个), is a scope word, an adjective or a place alone (全球, 和整个, 强大, 台湾) or is one
    character not named after such a word (整个铅产业链: 铅)."""
    if not core:
        return None
    whole, leads = core, _chain_leads()
    while True:
        lead = next((w for w in leads if core.startswith(w) and len(core) > len(w)), None)
        if lead is None:
            toks = nlp.posseg(core)
            w, tag = toks[0]
            if len(toks) > 1 and (tag in _LEAD_TAGS or len(w) == 1 and tag == "v"):
                lead = w
        if lead is None:
            break
        core = core[len(lead):]
    core, toks = _after_inner_verb(core, toks)
    if len(core) > 3 and core[0] in "省市县区州旗" and toks[0][0] == core[0] and core[:2] not in _COMMON_LEVEL_WORDS:
        core, toks = core[1:], nlp.posseg(core[1:])  # 某岭|市|新能源电池: the level word of a place the gazetteer lacks
    if core in leads or _no_industry(toks):
        return None
    return None if len(core) < 2 and core == whole and core not in SINGLE_CHAR_INDUSTRIES else core


def _no_industry(toks) -> bool:
    """The core's words name no industry: it ends in a conjunction, locative, verb or scope word
    (某电脑整个|产业链: a firm's whole chain), or is one adjective or place (强大, 台湾)."""
    last, tag = toks[-1]
    return tag in _END_TAGS or last in P.words["chain_verbs"] or last in P.words["chain_scope"] and len(toks) > 1 \
        or len(last) == 1 and tag == "v" or len(toks) == 1 and tag in ("a", "ns")


_COMMON_LEVEL_WORDS = ("市场", "市政", "区域", "区块", "县域", "州际", "省级", "市级", "县级", "区级")


def _after_inner_verb(core: str, toks) -> tuple[str, tuple]:
    """The words after the last chain verb inside the core (县里做强钢铁: 钢铁), when two characters
    or more follow it; else the core as it is."""
    verbs, p, cut = P.words["chain_verbs"], 0, None
    for i, (w, _) in enumerate(toks):
        p += len(w)
        two = w + toks[i + 1][0] if i + 1 < len(toks) else ""
        if i and (w in verbs or two in verbs) and len(core) - p >= 2:
            cut = p + (len(two) - len(w) if two in verbs else 0)
    if cut is None or len(core) - cut < 2:
        return core, toks
    return core[cut:], nlp.posseg(core[cut:])


@lru_cache(maxsize=1)
def _chain_leads() -> tuple[str, ...]:
    """chain_scope and chain_verbs, longest first (做强 before 做)."""
    return tuple(sorted({*P.words["chain_scope"], *P.words["chain_verbs"]}, key=len, reverse=True))


def _glued_first_char(ch: str, core: str) -> bool:
    """The character before the window starts a product word or modifier with the core (新 + 能源汽车)."""
    v = product_vocab()
    return any(ch + core[:k] in v["modifiers"] or ch + core[:k] in v["terms"] for k in (2, 3, 4) if len(core) > k)


def clusters(ex, ctx: _DocCtx) -> None:
    """Clusters named with a suffix (X产业集群 / X专业镇), listed (A、B和C等N个产业集群) and the labels of
    the cluster schemes of the regions the document names."""
    _activate_schemes(ex, ctx)
    _named_clusters(ex, ctx)
    for m in P.CLUSTER_LIST_END.finditer(ctx.text):
        _cluster_list(ex, ctx, m)
    for m in P.CHAIN_LIST_END.finditer(ctx.text):
        _cluster_list(ex, ctx, m, "IndustryChain")
    for m in P.CHAIN_LIST_BARE.finditer(ctx.text):
        if _bare_list_before(ctx, m.start()):
            _cluster_list(ex, ctx, m, "IndustryChain")
    for sc in ctx.active_schemes:
        _scheme_labels(ctx, sc)


def _activate_schemes(ex, ctx: _DocCtx) -> None:
    """The cluster schemes of the cities named in the text; chain canonicalisation against them
    (LED全产业链 → 光电LED产业链)."""
    t = ctx.text
    ctx.active_schemes = [sc for sc in ex.g.schemes if sc["short"] and sc["short"] in t]
    for sp in ctx.spans:
        if sp.type != "IndustryChain":
            continue
        for sc in ctx.active_schemes:
            if sp.canonical in sc["chains"]:
                break
            hits = [c for c in sc["chains"] if sp.meta.get("core") and sp.meta["core"] in c]
            if len(hits) == 1:
                sp.canonical = hits[0]
                break


def _scheme_label(ctx: _DocCtx, name: str, default):
    for sc in ctx.active_schemes:
        if name in sc["labels"]:
            default = sc["labels"][name]
    return default


def _division_prefixes(ex, ctx: _DocCtx, pos: int, a: int):
    """Divisions opening the name at pos (before the suffix at a) as mentions; the last one."""
    t, place = ctx.text, None
    while True:
        dl = ex._division_prefix(t[pos:a])
        if not dl or a - (pos + dl) < 2:
            break
        row = ex._div_row(t[pos:pos + dl])
        if row is None:
            break
        place = ctx.take(Span(pos, pos + dl, row["type"], row["name"], t[pos:pos + dl], meta={"prefix": True}))
        pos += dl
    return place


def _named_clusters(ex, ctx: _DocCtx) -> None:
    t, g = ctx.text, ex.g
    for m in g.cluster_re.finditer(t):
        a, b = m.start(), m.end()
        if not ctx.free(a, b) or t[b:b + 1] == "区":
            continue
        w = head_window(ex, ctx, a, quotes=t[a - 1:a] in "”\"")
        if w is None:
            continue
        lo, off, core = w
        cj = max(core.rfind("和"), core.rfind("及"), core.rfind("与"))
        if cj >= 0 and core[cj + 1:] not in P.words["companion_cores"] and core[cj] != "及":
            off += cj + 1
            core = core[cj + 1:]
        ctoks = nlp.cut(core)
        if len(core) < 2 or P.DIGIT_OR_COUNT.search(core) or all(x in g.cluster_generic for x in ctoks):
            continue
        canon = _scheme_label(ctx, core, None)
        name = t[lo + off:b]
        place = _division_prefixes(ex, ctx, lo + off, a)
        cl = ctx.take(Span(lo + off, b, "IndustryCluster", canon or name, name, meta={"place": place}))
        if place is not None:
            ctx.rels.append((cl, "locatedIn", place, ctx.sent_index(a)))


LIST_ITEM = re.compile(r"[\u4e00-\u9fffA-Za-z]+")


def _cluster_list(ex, ctx: _DocCtx, m, kind: str = "IndustryCluster") -> None:
    """A、B和C等N个产业集群 (or 产业链, kind IndustryChain): 、-separated parts back to the clause start."""
    t = ctx.text
    s0, _ = ctx.sent_bounds(m.start())
    j = m.start()
    while j > s0 and t[j - 1] not in "，。；：！？,;:!?\n（(":
        j -= 1
    for h in P.LIST_HEAD_BEFORE.finditer(t, j, m.start()):
        j = h.end()  # 甲、乙两条产业链和丙、丁三大产业集群: the cluster list starts after the chains
    pos = j
    if not m.group().startswith("等") and not any(c in t[j:m.start()] for c in "、和及"):
        return  # 6大重点产业链, 3个五十亿级产业集群: a count, not a list
    for i, part in enumerate(t[j:m.start()].split("、")):
        x, y = pos, pos + len(part)
        pos = y + 1
        if i == 0:
            hj = t.find("和", x, y)
            x += ex._trim(t[x:hj if hj > 0 else y], ex.g.cluster_generic, always=True)
            x += _function_char(t[x:y])  # 梳理|出|有色金属、…: the verb's complement is no part of the item
        _cluster_list_part(ex, ctx, x, y, kind)


def _function_char(item: str) -> int:
    """1 when the item opens with a function character jieba cut off as a word of its own."""
    toks = nlp.cut(item)
    return 1 if len(toks) > 1 and toks[0] in FUNCTION_CHARS and len(item) >= 3 else 0


BARE_ITEM_STOPS = ("从", "到", "的", "等", "游", "上", "中", "下")
VERB_TAGS = ("v", "vd", "d", "p", "c", "r", "ad")
NAMED_TYPES = ("Enterprise", "Project", "Park")


def _bare_list_before(ctx: _DocCtx, end: int) -> bool:
    """The clause before end is a 、 list of industries (形成甲、乙、丙产业链): no run of links
    (从A、B到C), no segment words (上、中、下游), no name another rule took, and no item after the
    first that opens with a verb (实施…、减少…、延伸产业链: verbs, not industries)."""
    t = ctx.text
    s0, _ = ctx.sent_bounds(end)
    start = max(max(t.rfind(c, s0, end) for c in "，。；：！？,;:!?\n（(") + 1, s0)
    clause = t[start:end]
    if "、" not in clause or any(w in clause for w in BARE_ITEM_STOPS) \
            or any(sp.type in NAMED_TYPES and start <= sp.start < end for sp in ctx.spans):
        return False
    return all(_list_item_ok(item) and nlp.posseg(item)[0][1] not in VERB_TAGS for item in clause.split("、")[1:])


def _list_item_ok(sub: str) -> bool:
    """Not 3个五十亿级 (3个五十亿级、4个十亿级产业集群), 煤——焦化 or 乙两条产业链和丙: no name."""
    return 2 <= len(sub) <= 14 and bool(LIST_ITEM.fullmatch(sub)) and not P.NOT_IN_LIST_ITEM.search(sub)


def _list_item_name(ctx: _DocCtx, kind: str, name: str, prefix: str, prefix_span) -> tuple[str, dict]:
    """Canonical name and meta of a list item (name with its place prefix)."""
    if kind == "IndustryChain":
        core = name[len(prefix):] if prefix else name
        return core + "产业链", {"core": core, "place": prefix_span}
    return _scheme_label(ctx, name, name + "产业集群"), {}


def _cluster_list_part(ex, ctx: _DocCtx, x: int, y: int, kind: str) -> None:
    """One part of a cluster list, maybe A和B: an item after 和 shares the place prefix of the one before."""
    t = ctx.text
    prefix_span, prefix = None, ""
    if ctx.mask[x]:
        pk = [sp for sp in ctx.spans if sp.type == "Park" and sp.start == x]
        if not pk:
            return
        prefix_span, prefix = pk[0], t[pk[0].start:pk[0].end]
    subparts = t[x:y].split("和") if "和" in t[x:y] else [t[x:y]]
    off = x
    for k, sub in enumerate(subparts):
        sx, sy = off, off + len(sub)
        off = sy + 1
        if not _list_item_ok(sub) or (k > 0 and not ctx.free(sx, sy)):
            continue
        if k == 0 and not prefix:
            dl = ex._division_prefix(sub)
            row = ex._div_row(sub[:dl]) if dl else None
            if row is not None and len(sub) - dl >= 2:
                prefix = sub[:dl]
                prefix_span = ctx.take(Span(sx, sx + dl, row["type"], row["name"], prefix, meta={"prefix": True}))
        canon, meta = _list_item_name(ctx, kind, sub if (k == 0 or not prefix) else prefix + sub, prefix, prefix_span)
        if ctx.free(sx + (len(prefix) if k == 0 and prefix else 0), sy):
            cl = ctx.take(Span(sx, sy, kind, canon, sub, source="list", meta=meta))
            if prefix_span is not None:
                ctx.rels.append((cl, "locatedIn", prefix_span, ctx.sent_index(sx)))


def _scheme_labels(ctx: _DocCtx, sc: dict) -> None:
    """Labels of a cluster scheme, longest first, as whole words."""
    t = ctx.text
    hits = [(end - len(lab) + 1, end + 1, lab, pref) for end, (lab, pref) in sc["ac"].iter(t)]
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    last = -1
    for a, b, lab, pref in hits:
        if a < last or not ctx.free(a, b):
            continue
        # whole word: not glued to following name chars that make a longer term
        nxt = t[b:b + 2]
        if nxt[:1] and nxt[:1] in "链" or nxt.startswith(("产业链", "产品", "企业", "公司")):
            continue
        if len(lab) <= 3 and not nlp.is_word(t, a, b):
            continue
        ctx.take(Span(a, b, "IndustryCluster", pref, lab))
        last = b


def regions(ex, ctx: _DocCtx) -> None:
    """Macro regions of the lexicon; weak ones only before a follower word or in a list."""
    t, g = ctx.text, ex.g
    hits = []
    for end, (k, canon) in g.region_ac.iter(t):
        hits.append((end - len(k) + 1, end + 1, k, canon))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    last = -1
    for a, b, k, canon in hits:
        if a < last or not ctx.free(a, b):
            continue
        if k in g.region_weak:
            nxt = t[b:b + 4]
            prev = t[max(0, a - 2):a]
            if not (nxt.startswith(g.region_weak_followers) or t[b:b + 1] in "、，。和" and prev[-1:] in "、赴向到往和射"
                    or prev.endswith(("辐射", "中国"))):
                continue
        ctx.take(Span(a, b, "Region", canon, k))
        last = b


def divisions(ex, ctx: _DocCtx) -> None:
    """Provinces, cities and counties (full names; short names when unambiguous in context), then
    the document's main city."""
    hits, city_ctx = _division_hits(ctx)
    out: list[Span] = []
    last = -1
    confirmed: set[str] = set()  # counties the text has named unambiguously so far
    for a, b, k, rows, full in hits:
        if a < last or not ctx.free(a, b):
            continue
        sp = _division_span(ex, ctx, a, b, k, rows, full, city_ctx, confirmed)
        if sp is not None:
            out.append(sp)
            last = b
            if sp.type == "County":
                confirmed.add(sp.canonical)
    for sp in _merge_province_short(ex, ctx, out):
        ctx.take(sp)
    _main_city(ex, ctx)


def _division_hits(ctx: _DocCtx) -> tuple[list, set]:
    """Gazetteer hits outside names, and the cities / provinces the text names (context for short names)."""
    hits, city_ctx, mask = [], set(), ctx.mask
    for end, (k, rows, full, ctx_names) in ctx.div_hits:
        a = end - len(k) + 1
        if ctx_names:
            city_ctx.update(ctx_names)
        if mask[a] or mask[end]:
            continue
        hits.append((a, end + 1, k, rows, full))
    return hits, city_ctx


def _short_division_row(ex, t: str, a: int, b: int, rows: list, city_ctx: set) -> dict | None:
    """The one province / city, else the one county whose city is in context (or the one county,
    written with 县/旗), a short name t[a:b] stands for."""
    g = ex.g
    cands = [r for kind, r in rows]
    prev_txt = t[max(0, a - 4):a]
    for r in cands:
        if r["type"] == "County":
            prow = g.div_by_name.get(r["parent_province"])
            if prow and prow["short_name"] and prev_txt.endswith((prow["short_name"], prow["name"])):
                city_ctx.add(r["parent_city"] or r["parent_province"])
    pc = [r for r in cands if r["type"] in ("Province", "City")]
    if len(pc) == 1:
        return pc[0]
    cc = [r for r in cands if r["type"] == "County" and (r["parent_city"] in city_ctx or r["parent_province"] in city_ctx)]
    if not cc and P.COUNTY_SUFFIX_ALONE.match(t, b):
        cc = [r for r in cands if r["type"] == "County"]  # 某某县 names its county without a city around it
    return cc[0] if len(cc) == 1 else None


def _division_span(ex, ctx: _DocCtx, a: int, b: int, k: str, rows: list, full, city_ctx: set,
                   confirmed: set) -> Span | None:
    t = ctx.text
    if full is not None:
        if len(k) <= 2 and full["type"] == "County" and full["parent_city"] not in city_ctx:
            return None
        return Span(a, b, full["type"], full["name"], k)
    if k in ex.g.short_stop:
        return None
    r = _short_division_row(ex, t, a, b, rows, city_ctx)
    if r is None:
        return None
    freq = nlp.freq(k) if r["type"] == "County" else 0
    if freq >= COMMON_SHORT_FREQ and not _common_short_ok(ex, t, a, b, r, confirmed, freq):
        return None  # 资源, 比如, 平原: a common word first
    # a short name glued into a longer word (…长子…, 日照时数): it must be a word of its own
    if not nlp.is_word(t, a, b) and t[b:b + 1] not in LEVEL_CHARS and not P.PLACE_EXTENSION.match(t, b) \
            and not _after_higher_place(ex, t, a, b):
        if not (t[b:b + 1] and ("\u4e00" <= t[b] <= "\u9fff") is False):
            return None
    if P.NOT_PLACE_AFTER.match(t, b) or P.STREET_AFTER.match(t, b):
        return None  # 大庆精神, 深圳速度, 南京西路: the place's name for something else
    suffix = _LEVEL_SUFFIX.get(r["type"])
    if suffix is not None and suffix.match(t, b) and ctx.free(b, b + 1):
        b += 1  # the short name written with its level word: the mention is what the text says
    return Span(a, b, r["type"], r["name"], t[a:b], meta={"short": True})


COMMON_SHORT_FREQ = 1000  # jieba dictionary frequency from which a county's short name is a common word first
VERY_COMMON_FREQ = 5000  # … and from which only 县/区 or its city right before make it the county
_LEVEL_SUFFIX = {"County": P.COUNTY_SUFFIX, "City": P.CITY_SUFFIX}


def _common_short_ok(ex, t: str, a: int, b: int, row: dict, confirmed: set, freq: int) -> bool:
    """A county whose short name is a common word: written with 县/区 or after its city, or, unless
    the word is very common (资源), found before in the document (confirmed: see divisions)."""
    return bool(P.COUNTY_SUFFIX.match(t, b)) or _after_parent_city(ex, t, a, row) \
        or row["name"] in confirmed and freq < VERY_COMMON_FREQ


def _after_parent_city(ex, t: str, a: int, row: dict) -> bool:
    """The county's city is written right before its short name (某市某区 without 区)."""
    city = ex.g.div_by_name.get(row["parent_city"] or "")
    before = t[max(0, a - 5):a]
    return city is not None and (before.endswith(city["name"]) or bool(city["short_name"]) and before.endswith(city["short_name"]))


def _after_higher_place(ex, t: str, a: int, b: int) -> bool:
    """One word with the country or province before it (甘肃兰州, 中国台湾): still the place."""
    for k in (2, 3):
        before = t[max(0, a - k):a]
        if (before == "中国" or before in ex.g.div_by_name or before in ex.g.short_index) and nlp.is_word(t, a - k, b):
            return True
    return False


def _merge_province_short(ex, ctx: _DocCtx, out: list) -> list:
    """Province short + its county/city directly after (浙江东阳) → one mention of the lower unit."""
    merged: list[Span] = []
    for sp in out:
        if merged and merged[-1].type == "Province" and merged[-1].end == sp.start and merged[-1].meta.get("short") \
                and sp.type in ("City", "County"):
            row = ex.g.div_by_name.get(sp.canonical, {})
            if row.get("parent_province") == merged[-1].canonical:
                prev = merged.pop()
                merged.append(Span(prev.start, sp.end, sp.type, sp.canonical, ctx.text[prev.start:sp.end]))
                continue
        merged.append(sp)
    return merged


def _main_city(ex, ctx: _DocCtx) -> None:
    """Main city of the document: the most frequent city (short or full, or a park's city prefix)."""
    counts: dict[str, int] = {}
    for sp in ctx.spans:
        if sp.type == "City":
            counts[sp.canonical] = counts.get(sp.canonical, 0) + 1
        elif sp.type == "Park" and sp.meta.get("core"):
            dl = ex._division_prefix(sp.meta["core"] + "X")
            row = ex._div_row(sp.meta["core"][:dl]) if dl else None
            if row and row["type"] == "City":
                counts[row["name"]] = counts.get(row["name"], 0) + 1
    ctx.main_city = max(counts, key=counts.get) if counts else ""
    row = ex.g.div_by_name.get(ctx.main_city)
    ctx.main_city_short = row["short_name"] if row else ""
