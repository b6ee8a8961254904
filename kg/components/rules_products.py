"""Rule family: products in lists (A、B等产品) and after a production verb (主要生产…)."""
from __future__ import annotations

import re

from .. import nlp
from ..literals import CAP_RE, CAP_UNITS, _num
from .names import _lex as names_lex, strong_firm
from . import rule_patterns
from .rules_context import DocCtx as _DocCtx, Span

P, B = rule_patterns.load("products"), rule_patterns.BOUNDARIES
NOT_AFTER_VERB_WORDS = tuple(P.words["not_after_verb_words"])  # 生产经营, 生产监管: no product


def product_list_matches(ex, t: str):
    """PRODUCT_LIST.finditer(t), faster: a match lies inside one run of its characters (CJK,
    ASCII letters/digits, 、) and needs 、 and 等 in it, so only such runs are searched."""
    rx, stop, n = P.PRODUCT_LIST, P.NOT_A_LIST_CHAR, len(t)
    q = t.find("、")
    if q < 0:
        return
    rt = t[::-1]  # the run's left end: the first stop character scanning backwards
    while q >= 0:
        m = stop.search(rt, n - q)
        a = n - m.start() if m else 0
        m = stop.search(t, q)
        b = m.start() if m else n
        if b - a >= 6 and t.find("等", a, b) >= 0:
            yield from rx.finditer(t, a, b)
        q = t.find("、", b)


GENERIC_LIST_HEADS = ("机组", "产品", "设备")


def _list_head(ex, head: str) -> str | None:
    """The product head noun after 等 ('' for 为主 / 为代表 / 系列), None when there is none."""
    if head.startswith(("为主", "为代表", "系列")):
        return ""
    for i in range(len(head), 1, -1):
        if any(head[max(0, i - L):i] in ex._product_heads2 for L in range(2, 6)) or head[:i] in GENERIC_LIST_HEADS:
            return head[:i]
    return None


def _list_items(ex, ctx: _DocCtx, m) -> list[tuple[int, int]]:
    """Item spans of A、B、C; the first loses a leading verb, a 的-phrase and a capacity."""
    t = ctx.text
    items = []
    pos = m.start(1)
    for k, part in enumerate(B.LIST_SEPARATOR.split(m.group(1))):
        if part in ("、", "和", "及"):
            pos += len(part)
            continue
        x, y = pos, pos + len(part)
        pos = y
        if k == 0:
            x += ex._trim(t[x:y], ex.g.product_reject)
            vm = P.PRODUCE_VERB_OPENING.match(t[x:y])
            if vm:
                x += vm.end()
            sv = [v for v in P.SUPPLY_VERB_INSIDE.finditer(t, x, y) if y - v.end() >= 2]
            if sv:  # 为某汽车基地提供座椅: the first product starts after the supply verb
                x = sv[-1].end()
            dj = t.rfind("的", x, y)
            if dj >= 0:
                x = dj + 1
            cm = CAP_RE.search(t, x, y)  # 年产3万台A: the product starts after the figure, whatever opens it
            if cm and y - cm.end() >= 2:
                x = cm.end()
        items.append((x, y))
    return items


def product_lists(ex, ctx: _DocCtx) -> None:
    """A、B、C等<product head>: every item is a product (支架、载带…等封装材料)."""
    t, g = ctx.text, ex.g
    chain_starts = [c.start for c in ctx.spans if c.type == "IndustryChain"]
    for m in product_list_matches(ex, t):
        s0, s1 = ctx.sent_bounds(m.start())
        if not (P.PRODUCTION_CUE.search(t[s0:s1]) or any(s0 <= c < s1 for c in chain_starts)):
            continue  # uses and markets (电脑、电视等设备) are not products of anyone here
        head_txt = _list_head(ex, m.group(2))
        if head_txt is None or m.group(2)[len(head_txt):].startswith(tuple(P.words["firm_heads"])):
            continue  # 甲、乙等风电零部件制造商: the items are the makers, not products
        items = _list_items(ex, ctx, m)
        if len(items) < 2 or any(not (2 <= y - x <= 12) for x, y in items):
            continue
        if sum(strong_firm(t[x:y]) for x, y in items) * 2 >= len(items):
            continue  # 以长盈精密、劲胜股份等为代表: firms, not products
        if any(t[x:y] in g.div_by_name or t[x:y] in g.short_index or not ctx.free(x, y) for x, y in items):
            continue
        for x, y in items:
            ctx.take(Span(x, y, "Product", t[x:y], t[x:y], source="product-list"))
        hx = m.start(2)
        if head_txt and head_txt not in g.product_reject and head_txt not in GENERIC_LIST_HEADS \
                and not _after_last_verb(head_txt) and not _clause_adverb(head_txt) \
                and ctx.free(hx, hx + len(head_txt)):  # no clause: 等车型因停产…, 等产品已供应…
            ctx.take(Span(hx, hx + len(head_txt), "Product", head_txt, head_txt, source="product-list"))


def _clause_adverb(head: str) -> bool:
    return any(w in P.words["clause_adverbs"] for w, _ in nlp.posseg(head))


CLAUSE_TAGS = {"p", "r", "c", "uj", "ul", "uz"}  # tags of words a product name does not hold
NAME_INNER = {"用"}  # 某某用显示屏: a product for some use


def _after_last_verb(name: str) -> int:
    """Offset in name after its last common verb or adverb of two characters or more (a rarer one,
    or one character, may be part of the product: 照明芯片, 开关电源, 直驱风机, 空气能热水器), preposition,
    pronoun or particle; 0 if none."""
    off = k = 0
    for w, tag in nlp.posseg(name):
        off += len(w)
        if w in NAME_INNER:
            continue
        if tag in CLAUSE_TAGS or tag in ("v", "d") and len(w) >= 2 and nlp.freq(w) >= names_lex()["common_verb_freq"]:
            k = off
    return k


def _no_product_after(t: str, a: int) -> bool:
    """What follows the production verb at a opens no product (生产线, 生产经营, 生产监管)."""
    return t[a:a + 1] in P.words["not_after_verb"] or t.startswith(NOT_AFTER_VERB_WORDS, a)


def products(ex, ctx: _DocCtx) -> None:
    """Product lists, then products after a production verb (主要生产A、B和C)."""
    t, g = ctx.text, ex.g
    product_lists(ex, ctx)
    rx = ex.__dict__.get("_products_rx")
    if rx is None:
        verbs = "|".join(map(re.escape, g.produce_verbs))
        fc = "".join(re.escape(c) for c in sorted({v[0] for v in g.produce_verbs} | set("进从专")))
        look = f"(?=[{fc}])" if g.produce_verbs and all(g.produce_verbs) else ""  # candidate positions by a charset scan
        rx = ex._products_rx = re.compile(rf"{look}(?:(?:{verbs})(?:{_num}(?:(?:{CAP_UNITS})|[万亿千百](?:余|多)?(?:{CAP_UNITS})?|(?:余|多)(?:{CAP_UNITS})?)?(?:余|多)?)?|(?:进行|从事|专注于?)(?=[^，。；]{{2,20}}的(?:研发|生产|制造|设计)))")
    for m in rx.finditer(t):
        a = m.end()
        if _no_product_after(t, a):
            continue
        if P.SIZE_UNIT.match(t, a):  # 生产12|英寸硅片: a size, not a quantity, opens the product
            while a > m.start() and (t[a - 1].isdigit() or t[a - 1] == "."):
                a -= 1
        s0, s1 = ctx.sent_bounds(a)
        seg_end = a
        while seg_end < s1 and t[seg_end] not in "，。；：！？,;:!?（(" and seg_end - a < 40:
            seg_end += 1
        seg = t[a:seg_end]
        # stop at 的 / 等 / verbs
        cut = P.PRODUCT_RUN_END.search(seg)
        if cut:
            seg = seg[:cut.start()]
        pos = a
        for part in P.PRODUCT_SEPARATOR.split(seg):
            if part in ("、", "和", "及", "与"):
                pos += len(part)
                continue
            x, y = pos, pos + len(part)
            pos = y
            name = part if P.SIZED_PRODUCT.match(part) else P.LEADING_QUANTITY.sub("", part)
            x = y - len(name)
            name = P.TRAILING_QUANTITY.sub("", name)
            y = x + len(name)
            k = _after_last_verb(name)  # 生产全部采用某涂料: the clause's verbs before the product
            x, name = x + k, name[k:]
            if not (2 <= len(name) <= 14) or not ctx.free(x, y):
                continue
            if name in g.product_reject or not name.endswith(ex._product_heads_tuple):
                continue
            if any(name.startswith(s) for s in ("生产", "制造", "能力", "规模")):
                continue
            ctx.take(Span(x, y, "Product", name, name, source="produce-verb", meta={"verb_pos": m.start()}))
