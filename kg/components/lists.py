"""lists: one coordination-list splitter for every type.

A list is a run of items separated by 、 (a final 和/与/及 only where jieba reads it as a word of
its own) inside one clause. Its type comes from a head noun after 等 (A、B等12家企业), a head
noun right before the first item (知名厂商A、B), or, without a head, from the items that other
components already typed (all items of one list are of one type). Heads, cue words and
limits are data: ontology/data/patterns/lists.json."""
from __future__ import annotations

import re
from functools import lru_cache
from statistics import median

from .. import namemodel, nlp
from ..literals import CAP_RE
from . import component, load_json
from .gazetteer import load as gazetteer_forms
from .names import STRIP_POS, common_word, firm_like, is_generic, name_end, name_start, no_project, place_forms
from .products import is_product, noun_phrase, product_shape, product_spans, vocab

# a clause; a short parenthesis of Chinese words inside it stays (甲（隔膜）、乙（电解液）等企业: an item's note)
CLAUSE = re.compile(r"(?:[^，。；：！？,;:!?\n（）()]|[（(][\u4e00-\u9fff]{1,12}[）)])+")
NOTE_AFTER = re.compile(r"[（(][\u4e00-\u9fff]{1,12}[）)]$")  # a note closing an item
COUNT = r"(?:[\d一二三四五六七八九十百两多余几]+(?:家|个|项|批|户|种|类|大))?"
COUNTED = r"[\d一二三四五六七八九十百两多余几]+(?:家|个|项|批|户|种|类|大)"  # 甲、乙3家企业: a count without 等
CONJ = ("和", "与", "及", "以及")
COLONS = "：:"
MIN_LIST_FIRM_P = 0.05  # median firm-name probability of a firm list's items
LIKELY_FIRM_P = 0.5  # an item of a firm list the firm-name model likes is a firm, whatever its word shapes


@component("lists", reads=("mentions",), writes=("mentions",))
def make_lists(settings: dict):
    data = load_json(settings.get("patterns", "patterns/lists.json"))
    heads = sorted(((w, t) for t, ws in data["heads"].items() for w in ws), key=lambda x: -len(x[0]))
    head_alt = "|".join(re.escape(w) for w, _ in heads)
    after = re.compile(rf"(?:(?:……|…|\.{{3,6}})?等{COUNT}|{COUNTED})(?P<mod>[\u4e00-\u9fff\d.]{{0,{data['head_modifier_max']}}}?)(?P<head>{head_alt})")
    # 知名厂商A、B; 企业主要有3家，分别是：A、B
    before = re.compile(rf"(?P<head>{head_alt})(?:(?:主要|共)?(?:如|包括|有)(?:{COUNTED})?(?:[，,]?(?:分别是|分别为|包括))?)?(?:：)?$")
    head_type = dict(heads)
    firm_head = re.compile("|".join(re.escape(w) for w, t in heads if t == "Enterprise") or "(?!)")
    item_max = data["item_max"]
    cue_words = sorted(set(data["left_cues"]) | {"生产", "制造", "研发", "主营"}, key=len, reverse=True)
    cues = re.compile("(?:" + "|".join(map(re.escape, cue_words)) + ")(?:了|过|的|出)?")
    list_end = re.compile("等" + COUNT + "(?:" + "|".join(map(re.escape, data["list_end_words"])) + ")")
    uses = re.compile("|".join(map(re.escape, data["use_words"])))  # after a product list's head: its items use it
    trade = re.compile("(?:" + "|".join(map(re.escape, data["trade_words"])) + ")?")  # 装备[制造]企业

    # 甲和乙两家企业: two items and a counted head, no 、
    pair = re.compile(rf"(?:{'|'.join(CONJ)})[^、]{{2,{item_max}}}?(?:两|二|2)(?:家|个|大)(?:{head_alt})")

    # a later pass, after the products: it completes lists of products only, none right after a use word (应用于A、B)
    used_in = re.compile("(?:" + "|".join(map(re.escape, data["use_before_words"])) + ")$") \
        if settings.get("complete_products") else None

    def run(state) -> None:
        for cl in CLAUSE.finditer(state.text):
            if ("、" in cl.group() or pair.search(cl.group())) and _may_be_typed(state, cl, after, firm_head) \
                    and (used_in is None or any(m.type == "Product" for m in state.at(cl.start(), cl.end()))):
                _clause(state, cl.start(), cl.group(), (after, before, cues, uses, list_end, trade), head_type, item_max,
                        used_in)
    return run


def _may_be_typed(state, cl, after, firm_head) -> bool:
    """A cheap necessary condition for _clause to type a list (so the clauses that cannot are not
    segmented): a head after the items, a firm head word in the first piece (_head_before), or a
    firm or product mention in the clause (_typed_by_members). Keep it in step with _clause's
    typing rules (tests/test_prefilters.py fails when they part)."""
    clause = cl.group()
    colon = _colon_span(state.text, cl.start())
    return bool(after.search(clause) or "、" in clause and firm_head.search(clause, 0, clause.index("、"))
                or colon and firm_head.search(state.text, *colon)
                or any(m.type in ("Enterprise", "Product") for m in state.at(cl.start(), cl.end())))


def _split_items(clause: str, off: int) -> list[tuple[int, int]]:
    """(start, end) of the items of the list that the clause holds, before any trimming."""
    parts, pos = [], 0
    for piece in clause.split("、"):
        parts.append((off + pos, off + pos + len(piece)))
        pos += len(piece) + 1
    last_s, last_e = parts[-1]
    last = clause[last_s - off:last_e - off]
    dots = last.find("…")  # 甲、乙、丙……: the list is cut short there, what follows is no item (but 丙……等厂家)
    if dots >= 2 and not last[dots:].lstrip("…").startswith("等"):
        last_e, last = last_s + dots, last[:dots]
        parts[-1] = (last_s, last_e)
    # the last piece may be "B和C等…": split on a conjunction that is a word of its own
    toks, p = nlp.cut(last), 0
    deng = last.find("等")  # 甲等厂家及代理商: a conjunction after the head joins heads, not items
    for w in toks:
        if w in CONJ and 2 <= p and len(last) - p - len(w) >= 2 and not 0 <= deng < p:
            parts[-1] = (last_s, last_s + p)
            parts.append((last_s + p + len(w), last_e))
            break
        p += len(w)
    return parts


def _clause(state, off: int, clause: str, rx, head_type, item_max, used_in=None) -> None:
    """used_in: a later pass that only completes lists of products, none right after a use word."""
    read = _read_list(state, off, clause, rx, head_type)
    if read is None:
        return
    items, typ, explicit = read
    text = state.text
    if used_in and (explicit or typ != "Product" or used_in.search(text, max(0, items[0][0] - 4), items[0][0])):
        return  # (the first pass read the lists with a head)
    if typ == "Product":  # 年产30万台A、45万台B: the products are A and B (a project keeps its figure)
        items = [(_after_capacity(text, a, z), z) for a, z in items]
    items, known = _completion(state, items, typ) if used_in else (items, set())
    if _is_name_list(text, items, typ, item_max, known):
        _propose_items(state, [(a, z) for a, z in items if not (used_in and _joined(state, a, z))], typ, explicit)
    elif typ == "Enterprise":  # the rules' own list splitter may have taken it for firms
        for a, z in items:
            for m in state.at(a, z):
                if m.type == "Enterprise" and m.source == "list":
                    state.drop(m)


def _completion(state, items, typ: str) -> tuple[list, set]:
    """The items a later pass may complete a list with: those read whole as typ by now (whatever
    jieba's tags say: known), and new ones that read as a product on their own."""
    known = {(m.start, m.end) for a, z in items for m in state.at(a, z) if (m.start, m.end) == (a, z) and m.type == typ}
    return [(a, z) for a, z in items if (a, z) in known or _completes(state.text[a:z])], known


def _read_list(state, off: int, clause: str, rx, head_type) -> tuple | None:
    """(items, type, explicit) of the first list the clause holds; None when it holds none or the
    list's type is unknown."""
    after, before, cues, _, rx_end, _ = rx
    text = state.text
    parts = _first_list(_split_items(clause, off), text, after, rx_end)
    if len(parts) < 2:
        return None
    colon = _head_before_colon(text, parts[0][0], before, head_type)  # 已落地企业：A、B
    last_piece_end = parts[-1][1]
    last = _last_item(text, parts[-1], rx, head_type, colon)
    if last is None or _cut_inside_product(text, parts[-1][0], last[0][1]):
        return None
    parts[-1], typ, explicit = last
    if typ is None:
        parts[-1] = _named_last(state, parts[-1], last_piece_end)
    fs, fe = parts[0]
    b = _head_before(text[fs:fe], before, head_type, fs, state) or colon
    if b is not None and b[1] == "Enterprise" and typ in (None, "Enterprise"):
        # only firms are named after their head (知名厂商A、B); 产品以A、B为主 lists uses, not names
        typ, explicit = "Enterprise", True
        parts[0] = (fs + b[0], fe)
    else:
        named = _named_start(state, fs, fe)
        parts[0] = (fs + _first_item_start(text[fs:fe], cues) if named is None else named, fe)
    items = [(a, z) for a, z in (_without_note(text, *p) for p in parts) if z - a >= 2]
    if typ == "Project" and _typed_by_members(state, items) == "Enterprise":
        typ, explicit = "Enterprise", True  # 甲、乙、丙等数据中心项目: the firms behind the projects
    if typ is None and _typed_by_members(state, items) == "Product":
        typ = "Product"  # 甲、乙、丙 already products whole: a firm's name end (name_end) cuts none of them
    if typ in (None, "Enterprise"):
        items = [(a, a + name_end(text[a:z])) for a, z in items]
    if typ is None:
        typ = _typed_by_members(state, items)
    return None if typ is None else (items, typ, explicit)


def _without_note(text: str, a: int, z: int) -> tuple[int, int]:
    """The item without a note in parentheses closing it (甲（隔膜）: 甲)."""
    note = NOTE_AFTER.search(text, a, z)
    return (a, note.start()) if note and note.start() - a >= 2 else (a, z)


def _cut_inside_product(text: str, a: int, z: int) -> bool:
    """The last item, cut at z from its head, ends inside a product that opens it (电子|特气企业某某:
    the piece names a maker's kind and its name, not a list's last item and head)."""
    return any(s == 0 and a + e > z for s, e in product_spans(text[a:a + 12]))


def _last_item(text: str, part, rx, head_type, colon) -> tuple | None:
    """((start, end), type, explicit) of the last item: it ends at 等 + head (which types the list),
    or at its first verb (after a colon head: at the clause's end); None: the list is no list of names."""
    after, _, _, uses, _, trade = rx
    ls, le = part
    last = text[ls:le]
    m = after.search(last)
    if m is None:
        keep = colon is not None and colon[1] == "Enterprise"
        return ((ls, le) if keep else (ls, ls + _name_prefix(last))), None, False
    typ = head_type[m.group("head")]
    if typ == "Product" and _firm_head_at(last, m.end(), head_type, trade):
        typ = "Enterprise"  # 甲、乙等风电零部件制造商 / 装备制造企业: the makers of the product are listed
    elif typ == "Product" and uses.search(last, m.end()):
        return None  # 电脑、电视等设备均已采用LED: the items use a product, they are not one here
    return (ls, ls + m.start()), typ, True


def _first_list(parts, text: str, after, rx_end) -> list:
    """The pieces of the first list only: a piece before the last that closes a list (甲、乙等品牌也于
    丙、丁等地) ends it, so the next list's items do not join it."""
    for i, (a, z) in enumerate(parts[1:-1], 1):  # the first piece may hold a head before its item
        if after.search(text, a, z) or rx_end.search(text, a, z):
            return parts[:i + 1]
    return parts


def _firm_head_at(text: str, pos: int, head_type: dict, trade) -> bool:
    """A firm head right after pos, or after one trade word (装备 + 制造 + 企业)."""
    at = {pos, trade.match(text, pos).end()}
    return any(text.startswith(h, p) for h, t in head_type.items() if t == "Enterprise" for p in at)


def _is_name_list(text: str, items, typ: str, item_max: int, known=frozenset()) -> bool:
    """known: items a recogniser already took whole as typ (names, whatever jieba's tags say)."""
    if len(items) < 2 or any(z - a > item_max for a, z in items):
        return False
    if sum((a, z) not in known and not _noun_like(text[a:z], typ) for a, z in items) * 2 >= len(items):
        return False  # 请进来、留下来、长起来: a list of actions, not of names
    if typ != "Enterprise":
        return True
    if sum(text[a:z] in gazetteer_forms()[0] for a, z in items) * 2 >= len(items):
        return True  # 华为、小米等企业: firms the gazetteer knows, whatever else their names mean
    if sum(common_word(text[a:z]) for a, z in items) * 2 > len(items):
        return False  # 流程、绩效、财务等企业管理: common nouns, not brands
    if sum(_product_led(text[a:z]) for a, z in items) * 2 >= len(items):
        return False  # 水泥、石材等建材企业, 电机电控等企业: the trades of the firms, not their names
    # 协同布局、要素集约利用: phrases that a head noun nearby made look like firms
    return median(namemodel.probability(text[a:z]) for a, z in items) >= MIN_LIST_FIRM_P


def _product_led(item: str) -> bool:
    """A product, or a phrase opening with a product word (电机电控): a trade, not a firm's name."""
    first = nlp.cut(item)[0]
    return is_product(item) or len(first) >= 2 and first != item and first in vocab()["terms"]


def _propose_items(state, items, typ: str, explicit: bool) -> None:
    text = state.text
    ok = [not is_generic(text[a:z]) and (typ != "Enterprise" or firm_like(text[a:z], listed=explicit))
          and not (typ == "Project" and no_project(text[a:z]))
          for a, z in items]
    # a firm list under its own head noun (甲、乙、丙等龙头企业) vouches for the odd item among
    # names (a brand that is also a common word) when most items read as names; of two items,
    # when the other reads as a name and neither is an everyday word (two kinds of people, say)
    vouched = typ == "Enterprise" and explicit and (len(items) >= 3 and sum(ok) * 3 >= len(items) * 2
                                                   or len(items) == 2 and any(ok)
                                                   and not any(common_word(text[a:z]) for a, z in items))
    for (a, z), good in zip(items, ok):
        likely = explicit and typ == "Enterprise" and namemodel.probability(text[a:z]) >= LIKELY_FIRM_P
        if good or ((vouched or likely) and _brand_shaped(text[a:z])):
            brand = _brand_gives_way(state, a, z) if typ == "Enterprise" and explicit else None
            if state.propose(a, z, typ, source="list", retype=explicit and typ != "Product") is None and brand:
                state.add(brand)  # the item was refused: the brand stays


BRAND_TRADE_MAX = 4  # the trade word after a well-known brand in a firm list: 2-4 characters


def _brand_gives_way(state, a: int, z: int):
    """An item of a firm list that is a gazetteer brand and a product word (某锐|隔膜、甲、乙等企业)
    is one firm's name: the brand mention gives way to the whole item (returned, else None)."""
    firms = [m for m in state.at(a, z) if m.type == "Enterprise"]
    if len(firms) == 1 and firms[0].source == "gazetteer" and firms[0].start == a and firms[0].end < z \
            and z - firms[0].end <= BRAND_TRADE_MAX and is_product(state.text[firms[0].end:z]):
        state.drop(firms[0])
        return firms[0]
    return None


def _brand_shaped(name: str) -> bool:
    return 2 <= len(name) <= 8 and not is_generic(name) and not any(ch in name for ch in "，。；：,;:！？“”\"《》的")


_DEMONSTRATIVES = ("该", "这家", "此", "其", "本")  # 该集团主营A、B: the firm spoken of, not a head naming firms
_VERBS_AFTER_HEAD = frozenset({"主营", "主要", "生产", "从事", "经营", "拥有", "旗下", "下属", "业务", "的"})  # 企业的资金、…: its things
_CLAUSE_WORDS = re.compile("[了着过]")  # after the head a clause, not the first item: 经销商甲手中收回了乙、丙
_BARE_HEADS = frozenset({"公司", "企业", "集团"})  # opening the clause alone: the firm spoken of (公司二季度A、B产量…)


def _head_before(first: str, before, head_type, off: int, state) -> tuple[int, str] | None:
    """A head noun inside the first piece, right before the first item: 知名厂商A → (cut, type).
    The end of a name (…有限公司) is not a head."""
    toks, p, best = nlp.cut(first), 0, None
    for i, w in enumerate(toks[:-1]):
        p += len(w)
        m = before.search(first[:p])
        if m and len(first) - p >= 2 and not state.at(off + p - 1, off + p) and not _CLAUSE_WORDS.search(first, p) \
                and not first[:m.start()].endswith(_DEMONSTRATIVES) and toks[i + 1] not in _VERBS_AFTER_HEAD \
                and not (m.start() == 0 and m.group("head") in _BARE_HEADS):
            best = (p, head_type[m.group("head")])
    return best


def _colon_span(text: str, fs: int) -> tuple[int, int] | None:
    """(start, end) of the words before a colon that opens a list at fs (where a head may stand)."""
    return (max(0, fs - 13), fs - 1) if fs >= 3 and text[fs - 1] in COLONS else None


def _head_before_colon(text: str, fs: int, before, head_type) -> tuple[int, str] | None:
    """A head right before a colon that opens the list: 已落地企业：A、B → (0, type)."""
    span = _colon_span(text, fs)
    m = before.search(text, *span) if span else None
    return (0, head_type[m.group("head")]) if m else None


def _single_char_ends(text: str) -> set[int]:
    """Offsets where a one-character jieba word ends: a one-character cue (和, 与) right after
    one is inside a name (必和必拓), not between words."""
    out, p = set(), 0
    for w in nlp.cut(text):
        p += len(w)
        if len(w) == 1:
            out.add(p)
    return out


NAMED_TYPES = ("Enterprise", "Park", "Project")


def _named_start(state, fs: int, fe: int) -> int | None:
    """The start of a name a recogniser found ending where the first piece ends (青禾重工汨罗产业园,
    whose 重工 jieba reads as a verb): it knows the name's boundary better than the word tags."""
    starts = [m.start for m in state.at(fs, fe) if m.end == fe and m.start >= fs and m.type in NAMED_TYPES]
    return min(starts) if starts else None


COMPLETE_MAX = 10  # the longest item a later pass adds to a list of products


def _completes(item: str) -> bool:
    """An item a list of products may be completed with: short, a noun phrase, product-shaped."""
    toks = nlp.posseg(item)
    return len(item) <= COMPLETE_MAX and noun_phrase(item) and not (len(toks) == 1 and toks[0][1] in ("v", "vn")) \
        and product_shape(item) == 0 \
        and not re.search(COUNTED, item) \
        and not item.endswith(_firm_heads())


@lru_cache(maxsize=1)
def _firm_heads() -> tuple[str, ...]:
    return tuple(load_json("patterns/lists.json")["heads"]["Enterprise"])


def _joined(state, a: int, z: int) -> bool:
    """The item holds a conjunction or a dash, or two mentions (汽车及零部件, 硅片-抛光片): two products."""
    return any(c in state.text[a:z] for c in ("及", "和", "与", "-", "—", "等")) or len(state.at(a, z)) > 1


def _named_last(state, item: tuple[int, int], le: int) -> tuple[int, int]:
    """The last item, ended where a product a recogniser found at its start ends (a product with a
    word jieba reads as a verb inside, where _name_prefix stops), within its piece (up to le)."""
    a, z = item
    ends = [m.end for m in state.at(a, le) if m.start == a and z < m.end <= le and m.type == "Product"]
    return (a, max(ends)) if ends else item


def _after_capacity(text: str, a: int, z: int) -> int:
    """A product item's start after a capacity in it (该工厂年产3万台A → A)."""
    cm = CAP_RE.search(text, a, z)
    return cm.end() if cm and z - cm.end() >= 2 else a


def _first_item_start(first: str, cues: re.Pattern) -> int:
    """Where the first item starts: after the last cue word of the piece (引进了A → A), else at
    its first proper-name word when verbs come before it, else after its last verb or particle."""
    last = None
    single = _single_char_ends(first)
    for m in cues.finditer(first):
        if len(first) - m.end() >= 2 and not (m.end() - m.start() == 1 and m.start() in single):
            last = m.end()
    if last is not None:
        return last
    s, _ = name_start(first)
    if s:
        return s
    p, cut = 0, 0
    toks = nlp.posseg(first)
    for w, t in toks[:-1]:
        p += len(w)
        if (t in STRIP_POS and t not in ("b", "a", "m", "q", "f")) and len(first) - p >= 2:
            cut = p
    return cut


@lru_cache(maxsize=1)
def _last_item_end_words() -> frozenset[str]:
    return frozenset(load_json("patterns/lists.json")["last_item_end_words"])


def _name_prefix(piece: str) -> int:
    """Length of the name at the start of the last piece: up to its first verb, particle, time word
    (甲、乙去年已…) or adverb of company (…联合甲、乙一起…)."""
    p = 0
    for w, t in nlp.posseg(piece):
        if p >= 2 and (t in ("v", "p", "d", "uj", "c", "r", "t") or w in _last_item_end_words()):
            return p
        p += len(w)
    return len(piece)


PROJECT_END = re.compile(r"(?:项目|工程|基地|园|生产线|电站|工厂|中心|装置|厂|[一二三四五六七八九十\d]期)(?:[（(][^）)]*[）)])?$")


CAPACITY = re.compile(r"\d(?:\.\d+)?[万亿千百]?(?:吨|兆瓦|千瓦|MW|GW|GWh|台|套|辆|片|件|平方米)")


def _noun_like(item: str, typ: str) -> bool:
    """An item that can be a name of typ: not an action (引进来), not a phrase with 的 or 是, and for a
    project something specific (a project word at its end, a number, a proper name), since
    lists of project categories (文旅、康养等项目) are not projects."""
    if "的" in item or "是" in nlp.cut(item) or typ != "Enterprise" and item in place_forms():
        return False  # 甲和乙是本行业的两大龙头: a clause; 甲省、乙省等产区…项目: places, not names of projects
    if typ == "Enterprise" and namemodel.probability(item) >= LIKELY_FIRM_P:
        return True  # 中石油: jieba's tags on a brand's characters say little
    toks = nlp.posseg(item)
    if toks[0][1] in ("v", "vn", "vd", "d", "p", "ad", "c", "r", "f") \
            and not (typ == "Product" and len(toks) > 1 and toks[0][1] in ("v", "vn") and toks[-1][0] in vocab()["terms"]):
        return False  # (显示|模组, 存储|芯片: a verb opens many products' names)
    if typ == "Project":
        return bool(PROJECT_END.search(item) or CAPACITY.search(item)
                    or any(t in ("ns", "nr", "nt", "nrt") and len(w) >= 2 for w, t in toks))
    if typ == "Product":
        return toks[-1][1] in ("n", "nz", "eng", "nt", "j") and not toks[-1][0] in ("活动", "介绍", "策划")
    return True


def _typed_by_members(state, items) -> str | None:
    """Without a head: the type shared by at least half of the items already mentioned."""
    types = []
    for a, z in items:
        hit = [m for m in state.at(a, z) if m.start == a and m.end == z]
        if hit:
            types.append(hit[0].type)
    if types and len(types) * 2 >= len(items) and len(set(types)) == 1 and types[0] in ("Enterprise", "Product"):
        return types[0]
    return None
