"""Rule family: names of organisations, firms (legal names, names recognised by a cue, short forms,
lists) and parks. Functions take the Extractor (gazetteer, boundary helpers) and the document context."""
from __future__ import annotations

import re
from bisect import bisect_left

from .. import namemodel, nlp
from ..util import alternation
from . import load_json, rule_patterns
from .names import LEVEL_CHARS, NAME_JOINS, _lex as names_lex, opens_after_join
from .products import is_product, product_spans
from .rules_context import DocCtx as _DocCtx, Span, posseg as _posseg

P, B = rule_patterns.load("names"), rule_patterns.BOUNDARIES
NAME_KEEP = B.words["name_keep"]
CUE_AFTER = nlp.literal_scan(P.CUE_AFTER)  # a list of words: one scan shared with the gazetteers
# what opens the first piece of a firm list and is no part of the first name: (产品)(已)配套|甲、乙等企业
LIST_LEAD = re.compile(f"(?:{alternation(P.words['list_lead_openers'])})*(?:{alternation(P.words['list_lead_verbs'])})")
PROJECT_LIST_END = rule_patterns.load("projects").PROJECT_LIST_END
FUNCTION_CHARS = frozenset("与和及同跟在向对从到把将为由")
TIME_ADVERBS = frozenset(P.words["time_adverbs"])
FIRM_HEADS = frozenset(load_json("patterns/lists.json")["heads"]["Enterprise"])  # 车企, 厂商: a kind, no customer


def titles(ex, ctx: _DocCtx) -> None:
    """Mask 《…》 titles: no name is recognised inside a document title."""
    for m in P.TITLE.finditer(ctx.text):
        for i in range(m.start(), m.end()):
            ctx.mask[i] = 1


def organisations(ex, ctx: _DocCtx) -> None:
    """Organisations: 中共…委, bureaus (…局/委/中心) and organisation suffixes, name start by _trim."""
    t, g = ctx.text, ex.g
    for m in g.org_re.finditer(t):
        if not ctx.free(m.start(), m.end()):
            continue
        if m.group().startswith("中共"):
            ctx.take(Span(m.start(), m.end(), "Organization", m.group(), m.group()))
            continue
        end = m.end()
        lo = ex._left_limit(ctx, m.start(), False, 20)
        stop = P.ORG_LEFT_STOP.search(t, lo, m.start())  # 某公司受…, 由…, a figure: the name starts after it
        if stop:
            lo = stop.end()
        win = t[lo:m.start()]
        off = ex._trim(win, g.org_generic, always=True) if win else 0
        off += ex._trim_pos_name(win[off:], False) if off < len(win) else 0  # (an organisation's)
        name = t[lo + off:end]
        core = name[: len(name) - len(m.group())]
        bureau = m.group()[-1] in "部局厅委心室" and len(m.group()) > 2
        if not bureau and (len(core) < 2 or name in g.org_generic or core in g.org_generic):
            continue
        ctx.take(Span(lo + off, end, "Organization", name, name))


def name_window(ex, ctx: _DocCtx, pos: int, width: int) -> tuple[int, str, int] | None:
    """(lo, window, off): the text before pos where a company name may start, and the offset in it
    of the name's first character once leading generic and non-name words are trimmed."""
    lo = ex._left_limit(ctx, pos, False, width)
    win = ctx.text[lo:pos]
    if not win:
        return None
    off = ex._trim(win, ex.g.company_generic, keep=NAME_KEEP)
    if 0 < off < len(win) and opens_after_join(win, off):
        return lo, win, off  # 和|同益…: right after a conjunction the name opens, 同 is no preposition
    return lo, win, off + ex._trim_pos_name(win[off:])


def enterprises(ex, ctx: _DocCtx) -> None:
    """Legal firm names before a company suffix (有限公司, 集团 …)."""
    t, g = ctx.text, ex.g
    for m in g.company_re.finditer(t):
        if not ctx.free(m.start(), m.end()) or _institute_company(ctx, m):
            continue
        w = name_window(ex, ctx, m.start(), 24)
        if w is None:
            continue
        lo, win, off = w
        off = ex._division_anchor(win, off)
        # a park or a division followed by another division: the name starts at the latter
        core = t[lo + off:m.start()]
        pm = P.PARK_IN_NAME.search(core)
        if pm and pm.end() < len(core) - 1:
            off += pm.end()
        start = _org_opening(ctx, g, lo + off, m.start())
        core_plain = B.PARENTHESISED.sub("", t[start:m.start()])
        if not _not_a_firm_core(g, core_plain, m, t, start):
            ctx.take(Span(start, m.end(), "Enterprise", t[start:m.end()], t[start:m.end()], meta={"legal": True}))


def _institute_company(ctx: _DocCtx, m) -> bool:
    """An organisation right before a company suffix (某某研究所|有限公司): the institute's company,
    one firm; taken here."""
    org = next((s for s in ctx.by_end.get(m.start(), ()) if s.type == "Organization"), None)
    if org is None or not m.group().endswith("公司"):
        return False
    ctx.release(org)
    name = ctx.text[org.start:m.end()]
    ctx.take(Span(org.start, m.end(), "Enterprise", name, name, meta={"legal": True}))
    return True


def _org_opening(ctx: _DocCtx, g, start: int, end: int) -> int:
    """The name's start: an organisation's, when the name left after it is only a company word
    (某某局|重工（江苏）有限公司: one firm; the organisation gives way)."""
    org = next((s for s in ctx.by_end.get(start, ()) if s.type == "Organization"), None)
    if org is None or B.PARENTHESISED.sub("", ctx.text[start:end]) not in g.company_heads:
        return start
    ctx.release(org)
    return org.start


HOLDING_WORDS = ("控股", "投资")  # 某某控股集团, 某某投资集团: the group's own name, not a generic head
HOLDING_P = 0.8  # firm-name probability such a name needs (一多元化控股集团 is a description)


def _holding_group(g, core: str, last: str, suffix: str) -> bool:
    """某某控股集团: a brand of two or more characters before 控股/投资 and 集团 (not 该控股集团)."""
    rest = core[:-len(last)]
    return suffix == "集团" and last in HOLDING_WORDS and len(rest) >= 2 and rest not in g.company_generic \
        and nlp.cut(rest)[0] not in g.stops and rest not in g.div_by_name \
        and namemodel.probability(core + suffix) >= HOLDING_P


def _not_a_firm_core(g, core: str, m, t: str, start: int = 0) -> bool:
    """The words before the suffix name no firm: a stop or generic word, a place, a product, a
    person's title, a word of the sentence (以公司为傲) or 集团化. start: where the name starts in t
    (after a conjunction 同, 与 or 和 opens the name: 和|同益实业集团)."""
    first = nlp.cut(core)[0] if core else ""
    if first and (first in g.stops and not opens_after_join(t, start) or first in g.project_generic):
        return True
    if len(core) < 2 or core in g.company_generic or core in g.div_by_name \
            or core in g.short_index or P.NUMBER_ONLY.fullmatch(core):
        return True
    last = nlp.cut(core)[-1]
    if m.group() in ("集团", "公司") and last in g.company_generic and not _holding_group(g, core, last, m.group()):
        return True
    if is_product(core):
        return True  # 稀土公司, 电池有限公司: a kind of firm by its product, no name
    if P.PERSON_BEFORE_FIRM_WORD.search(core) or _ends_in_preposition(core):
        return True  # 采购经理某某以公司…, 职工都以公司为傲: 公司 is a word of the sentence
    return m.group() == "集团" and t[m.end():m.end() + 1] in ("化",)  # 集团化


def _ends_in_preposition(core: str) -> bool:
    """…以公司, …我公司: a one-character preposition or pronoun before 公司."""
    w, tag = _posseg(core)[-1]
    return len(w) == 1 and tag in ("p", "r")


HEAD_LENS = range(1, 5)  # lengths of the company words (company_heads)


def _ends_in_company_word(ex, name: str) -> bool:
    """A brand of two characters or more and a company word (某某电器, 某某电池)."""
    return any(name[-k:] in ex.g.company_heads for k in HEAD_LENS if len(name) - k >= 2)


def _trade_at_end(toks, i: int) -> bool:
    """Token i is the trade a firm's short name ends with (某星|显示), however jieba tags it."""
    return i == len(toks) - 1 and i > 0 and toks[i][0] in names_lex()["trade_verbs"]


CUE_NAME_REJECT = frozenset(("r", "v", "p", "c", "u", "uj", "m", "t", "d"))
TRADE_CHAR_TAGS = frozenset(("v", "d"))  # tags jieba gives a trade name's lone characters (凯|盛, 天|润)
CUE_NAME_MIN_P = 0.5


def cue_enterprise_ok(ex, name: str) -> bool:
    """A cue-recognised name that may be a firm: 2-8 characters, no division, function word or generic word."""
    g = ex.g
    if not (2 <= len(name) <= 8) or name in g.div_by_name or name in g.short_index or name in g.regions \
            or name in g.stops or name in g.company_generic or name in g.company_heads:
        return False
    toks = _posseg(name)
    # a verb or adverb of the sentence; a lone character so tagged may be a trade name's (凯|盛|环保), and
    # the trade a name ends with may be tagged a verb (某星|显示)
    odd = [(w, f) for i, (w, f) in enumerate(toks) if f in CUE_NAME_REJECT and not _trade_at_end(toks, i)]
    if any(len(w) > 1 or f not in TRADE_CHAR_TAGS for w, f in odd) \
            or odd and namemodel.probability(name) < CUE_NAME_MIN_P:
        return False
    if all(w in g.project_generic or w in g.product_reject or w in g.company_generic for w, _ in toks):
        return False
    if is_product(name):
        return False  # 卫浴企业: the trade, not a firm
    return not P.NOT_A_CUE_NAME.search(name)


def cue_enterprises(ex, ctx: _DocCtx) -> None:
    """Company names without a legal suffix, recognised by their context: X董事长/总经理/CEO, 由X投资,
    旗下的X, 收购X, X是…企业/公司, X今年营收…, X宣布…; every other occurrence of the same name is then a
    mention too."""
    t = ctx.text
    names: set[str] = set()
    for m in CUE_AFTER.finditer(t):
        if m.group() in ("股份", "集团", "公司") and not P.ROLE_AFTER_FIRM.match(t[m.end():m.end() + 3]):
            continue
        w = name_window(ex, ctx, m.start(), 10)
        if w is not None:
            _lo, win, off = w
            names.add(win[off:])
    for rx in (P.CUE_BEFORE, P.CUE_SUBSIDIARY):
        names.update(m.group(1) for m in rx.finditer(t))
    for rx in (P.CUE_DEAL_TARGET, P.CUE_SUPPORTED_FIRM):
        names.update(m.group(1) for m in rx.finditer(t) if _ends_in_company_word(ex, m.group(1)))
    for s in ctx.doc.sentences:
        names.update(m.group(1) for m in (P.CUE_IS.match(s.text), P.CUE_METRIC.match(s.text)) if m)
        m = P.CUE_SUBJECT_SAYS.match(s.text)
        if m and _ends_in_company_word(ex, m.group(1)):
            names.add(m.group(1))  # 某某电器宣布: a brand and a company word, not 县里宣布
    for name in sorted((n for n in names if cue_enterprise_ok(ex, n)), key=len, reverse=True):
        i = t.find(name)
        while i >= 0:
            j = i + len(name)
            if ctx.free(i, j) and not (i > 0 and ctx.mask[i - 1] == 0 and "\u4e00" <= t[i - 1] <= "\u9fff"
                                       and not nlp.is_word(t, i, j)):
                ctx.take(Span(i, j, "Enterprise", name, name, source="repeated"))
            i = t.find(name, j)


def parks(ex, ctx: _DocCtx) -> None:
    """Parks before a park suffix (高新区, 产业园 …); bare suffixes only where they can stand alone."""
    t, g = ctx.text, ex.g
    for m in g.park_re.finditer(t):
        a, b = m.start(), m.end()
        if not ctx.free(a, b):
            continue
        nxt = t[b:b + 2]
        if nxt in ("项目", "工程", "管委", "建设") and nxt != "建设":
            continue
        if t[b:b + 3] in ("管委会",) or t[b:b + 2] == "党工" or PROJECT_LIST_END.match(t, b, b + 16):
            continue  # (某产业园等16个项目: an item of a project list, a project)
        lo = ex._left_limit(ctx, a, False, 20)
        win = t[lo:a]
        off = _not_inside_product(win, ex._trim_pos(win)) if win else 0
        off = ex._division_anchor(win, off)
        off += ctx.conj_after_name(lo + off) if a - lo - off >= 3 else 0  # 甲开发区和散花工业园
        if t[lo + off:lo + off + 1] in "于在至到" and ex._division_prefix(t[lo + off + 1:a] + "XX"):
            off += 1  # 选址于|常德经开区: jieba's 于常德
        # don't let the window run into the previous name (… 、X园区); jieba may glue
        name = t[lo + off:b]
        core = t[lo + off:a]
        suffix = m.group()
        if _not_a_park(g, core, suffix, t[a - 1:a]):
            continue
        province = _province_before_city(ex, ctx, lo + off, name)
        if province is not None:
            off += province.end - province.start
            name, core = t[lo + off:b], t[lo + off:a]
        park = ctx.take(Span(lo + off, b, "Park", name, name, meta={"suffix": suffix, "core": core}))
        if province is not None:
            ctx.rels.append((park, "locatedIn", province, ctx.sent_index(a)))


def _not_inside_product(win: str, off: int) -> int:
    """A cut that falls inside a product's name moves to its start (签约|再生铜产业园, not 再生|铜产业园:
    jieba reads 再生 as a verb)."""
    return next((s for s, e in product_spans(win) if s < off < e), off)


def _not_a_park(g, core: str, suffix: str, before: str) -> bool:
    """The words before a park suffix name no park: a generic or trial word, a kind (老工业区), a
    bare suffix that cannot stand alone, a kind of park (工业园区), a verb and its object, or for
    片区 no place."""
    if core and (core in g.park_generic or core.endswith(("试点", "示范", "示范型", *P.words["park_kind_endings"]))) \
            or core in FUNCTION_CHARS or core in TIME_ADVERBS:
        return True  # (与园区: a function word, 现在园区: a word of time; no name)
    if not core and suffix in P.words["bare_park_suffixes"] and suffix not in P.words["bare_park_named"]:
        return True
    if not core and (suffix in P.words["bare_park_never"] or before == "的"):
        return True
    if suffix == "园区" and core and core[-2:] in ("工业", "产业", "城市", "示范"):
        return True
    if suffix in P.words["place_only_park_suffixes"] and core not in g.div_by_name and core not in g.short_index:
        return True  # 长沙片区, not 商贸功能片区
    if len(core) >= 3 and core[-1] in NAME_JOINS and core[-2] in LEVEL_CHARS:
        return True  # 某市和开发区: a place and a park it does not name
    return core.endswith("的") or _verb_object(core)


def _verb_object(core: str) -> bool:
    """A one-character verb or adjective before the park word, after a common word (项目进园区,
    文章强园区): the park word is its object, not a name's end (北兴园区, a place before, stays)."""
    toks = _posseg(core)
    return len(toks) >= 2 and len(toks[-1][0]) == 1 and toks[-1][1] in ("v", "a") \
        and toks[-2][1] in ("n", "vn", "v", "d")


def _province_before_city(ex, ctx: _DocCtx, start: int, name: str):
    """A province opening a park's name before its city's (某省某市经济开发区): the province is a
    place of its own and the park is named from its city on."""
    dl = ex._division_prefix(name)
    row = ex._div_row(name[:dl]) if dl else None
    if row is None or row["type"] != "Province" or not ex._division_prefix(name[dl:]):
        return None
    return ctx.take(Span(start, start + dl, "Province", row["name"], name[:dl], meta={"prefix": True}))


def merge_parks(ex, ctx: _DocCtx) -> None:
    """Adjacent parks: the first contains the second, or a short second core glues onto the first."""
    parks = sorted((s for s in ctx.spans if s.type == "Park"), key=lambda s: s.start)
    for x, y in zip(parks, parks[1:]):
        if x.end == y.start and y.meta.get("core") and x in ctx.spans and y in ctx.spans and \
                x.meta.get("suffix") in P.words["park_in_park_suffixes"]:
            ctx.rels.append((y, "locatedIn", x, ctx.sent_index(y.start)))
            continue
        if x.end == y.start and y.meta.get("core") and len(y.meta["core"]) <= 4 and x in ctx.spans and y in ctx.spans:
            name = ctx.text[x.start:y.end]
            ctx.spans.remove(x)
            y.start, y.canonical, y.text = x.start, name, name
            y.meta["core"] = ctx.text[x.start:y.end - len(y.meta.get("suffix", ""))]


def resolve_parks(ex, ctx: _DocCtx) -> None:
    """Bare 高新区/经开区 → the doc's named one, or <main city>高新区; abbreviations ↔ full forms."""
    g = ex.g
    parks = [s for s in ctx.spans if s.type == "Park"]
    main = ctx.main_city_short
    named = {s.text for s in parks if s.meta.get("core")}
    for s in parks:
        core, suf = s.meta.get("core", ""), s.meta.get("suffix", "")
        if not core:
            cands = [n for n in named if n.endswith(suf)]
            if suf in g.park_abbrev:
                full = g.park_abbrev[suf]
                cands += [n for n in named if n.endswith(full)]
            if len(set(cands)) == 1:
                s.canonical = cands[0]
            elif main and suf in ("高新区", "经开区", "经济技术开发区", "高新技术产业开发区"):
                s.canonical = main + suf
            s.meta["bare"] = True
        elif core:
            longer = {n for n in named if n.endswith(s.text) and n != s.text}
            if longer and not ex._division_prefix(s.text + "X"):
                s.canonical = min(longer, key=len)
        # X经开区 → X经济技术开发区 when the full form is in the doc
        for ab, full in g.park_abbrev.items():
            if s.canonical.endswith(ab):
                f = s.canonical[: -len(ab)] + full
                if any(p.text == f for p in parks):
                    s.canonical = f


def enterprise_lists(ex, ctx: _DocCtx) -> None:
    """Firms listed before 等企业/等客户 (two items at least), and supply targets: 为A、B和C等配套."""
    t = ctx.text
    for m in P.ENTERPRISE_LIST_END.finditer(t):
        s0, _ = ctx.sent_bounds(m.start())
        j = m.start()
        while j > s0 and t[j - 1] not in "，。；：！？,;:!?\n（(":
            j -= 1
        seg = t[j:m.start()]
        if "、" in seg or "和" in seg:  # single item lists are too ambiguous unless a legal name
            _list_firms(ex, ctx, j, seg, _listed_firm_ok, "list", skip_empty=True)
    for rx in ex.g.supply_res:
        for m in rx.finditer(t):
            _list_firms(ex, ctx, m.start("c"), m.group("c"), _supply_target_ok, "supply-target", skip_empty=False)


def _listed_firm_ok(g, name: str) -> bool:
    return 2 <= len(name) <= 10 and name not in g.div_by_name and name not in g.short_index and name not in g.stops \
        and name not in g.company_generic and not B.DIGIT.search(name)


def _supply_target_ok(g, name: str) -> bool:
    return 2 <= len(name) <= 10 and name not in g.div_by_name and name not in g.short_index \
        and name not in g.stops and name not in FIRM_HEADS and not P.NOT_A_SUPPLY_TARGET.search(name) and not name.endswith(("地区", "市场", "领域")) \
        and not _common_noun(name)


def _common_noun(name: str) -> bool:
    """One dictionary word tagged a common noun, verb or adjective (电子, 通讯, 商务): a trade, not a
    customer (a brand that is a place or a name, 长城, keeps its proper-noun tag)."""
    toks = _posseg(name)
    return len(toks) == 1 and toks[0][1] in ("n", "vn", "v", "a", "an")


def _list_firms(ex, ctx: _DocCtx, pos: int, seg: str, ok, source: str, skip_empty: bool) -> None:
    """The 、/和/及-separated items of seg (starting at pos) that pass ok, as firms; the first item
    loses its leading generic words."""
    t, g = ctx.text, ex.g
    for k, part in enumerate(B.LIST_SEPARATOR.split(seg)):
        if part in ("、", "和", "及"):
            pos += len(part)
            continue
        x, y = pos, pos + len(part)
        pos = y
        if not ctx.free(x, y) or (skip_empty and not part):
            continue
        if k == 0:
            x += ex._trim(t[x:y], g.company_generic)
            lead = LIST_LEAD.match(t, x, y)
            x = lead.end() if lead and y - lead.end() >= 2 else x
        name = t[x:y]
        if ok(g, name):
            ctx.take(Span(x, y, "Enterprise", name, name, source=source))


def short_enterprises(ex, ctx: _DocCtx) -> None:
    """Short forms of the legal names (and legal-name prefixes) as firm mentions, canonical = the legal name."""
    t, g = ctx.text, ex.g
    shorts: dict[str, str] = {}
    for sp in list(ctx.spans):
        if sp.type == "Enterprise" and sp.meta.get("legal"):
            for s in ex._short_forms(sp.canonical):
                shorts.setdefault(s, sp.canonical)
            # legal name without suffix written elsewhere (山西高科华烨电子集团 ↔ …有限公司)
    # enterprise spans whose text is a prefix of a legal name → link
    legal = [s for s in ctx.spans if s.type == "Enterprise" and s.meta.get("legal")]
    # the legal names in text order, once each, and sorted for prefix lookups (linear, not
    # quadratic, in the number of firm mentions: a page may list thousands)
    order = {l.canonical: i for i, l in enumerate(legal)}
    names = sorted(order)

    def longer(prefix: str) -> list[str]:
        """Legal names that extend prefix, in text order of their last mention."""
        i, out = bisect_left(names, prefix), []
        while i < len(names) and names[i].startswith(prefix):
            if names[i] != prefix:
                out.append(names[i])
            i += 1
        return sorted(out, key=order.get)

    for sp in ctx.spans:
        if sp.type == "Enterprise" and not sp.meta.get("legal"):
            for c in longer(sp.text):
                if sp.source != "repeated" or c[len(sp.text):] in g.company_suffixes:
                    sp.canonical = c
            if sp.text in shorts and sp.source != "repeated":
                sp.canonical = shorts[sp.text]
    for sp in legal:
        ext = longer(sp.canonical)
        if ext:
            sp.canonical = ext[-1]
        elif len(shorts.get(sp.canonical, "")) > len(sp.canonical):
            sp.canonical = shorts[sp.canonical]  # 东岳集团 after 山东东岳集团有限公司
    for s, full in sorted(shorts.items(), key=lambda kv: -len(kv[0])):
        i = t.find(s)
        while i >= 0:
            if ctx.free(i, i + len(s)) and not _head_follows(g, t, i + len(s), full):
                ctx.take(Span(i, i + len(s), "Enterprise", full, s, source="short"))
            i = t.find(s, i + len(s))


def _head_follows(g, t: str, end: int, full: str) -> bool:
    """A company word the legal name lacks goes on after the short form (某辰集团 … 某辰|光伏): another
    firm of that trade name, a subsidiary or a sister firm, not the legal name's short form."""
    return any(t[end:end + k] in g.company_heads and t[end:end + k] not in full
               and t[end + k:end + k + 1] in NAME_ENDERS for k in HEAD_LENS)  # (某帆电子|智能终端项目: a product)


NAME_ENDERS = frozenset("在于将已的是为和与及、，,。；;：:（(") | {""}
