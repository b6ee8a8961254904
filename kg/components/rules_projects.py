"""Rule family: project names (suffix 项目/工程/生产线/基地…), project lists (…等N个项目) and the
company / place prefix of a project name, its capacity and product."""
from __future__ import annotations

import re

from .. import namemodel, nlp
from ..literals import CAP_PLAIN_RE, CAP_RE, INVEST_RE, capacity_text
from . import load_json, rule_patterns
from .names import company_words, lead_particle, no_project
from .products import is_product, noun_phrase, product_spans, vocab
from .rules_context import DocCtx as _DocCtx, Span, posseg as _posseg

P, B = rule_patterns.load("projects"), rule_patterns.BOUNDARIES
time_token = rule_patterns.time_token
GENERIC_BEFORE_SUFFIX, BUILD_VERBS, VERB_OK = (P.words[k] for k in ("generic_before_suffix", "build_verbs", "verb_ok"))
IMPROVEMENT_WORKS = frozenset(P.words["improvement_works"])
CLOSING_QUOTES = ("”", '"', "」", "』")
QUICK_REJECT = frozenset(P.words["quick_reject_chars"])
COUNTRIES = frozenset(load_json("patterns/generic_names.json")["countries"])
QUICK_KEEP = frozenset(P.words["quick_reject_keep"])  # words ending in such a character that end a name (升级)
SOFT_STOPS = B.words["soft_stops"]
_CLAUSE_MARK = re.compile(r"[，,。；;：:！？!?\n]")
PRODUCTION_WORDS = vocab()["production_words"]  # 年产…: a figure that opens a list of products
KIND_WORDS = ("产业", "建设")  # X产业项目, X建设项目: a name when X is one
PRODUCT_MODIFIERS = frozenset(load_json("patterns/products.json")["modifiers"])  # 高效, 新型: they open a product


def _tail_tokens(window: str, off: int) -> tuple | None:
    """The jieba words of window[off:] when off falls on a word boundary of window (no new cut)."""
    p = 0
    toks = nlp.cut(window)
    for k, w in enumerate(toks):
        if p == off:
            return toks[k:]
        if p > off:
            return None
        p += len(w)
    return () if p == off else None


PLANT_SUFFIXES = tuple(P.words["plant_suffixes"])
PLANT_DESCRIPTIONS = tuple(P.words["plant_descriptions"])
NAMED_PLANT_SUFFIXES = tuple(P.words["named_plant_suffixes"])
PROPER_POS = ("ns", "nr", "nrt", "nz", "nt", "j")


def projects(ex, ctx: _DocCtx) -> None:
    """Project names before a suffix, then list items before 等N个项目; spans taken in text order."""
    found = [sp for m in ex.g.project_re.finditer(ctx.text) if (sp := _suffix_project(ex, ctx, m)) is not None]
    for m in P.PROJECT_LIST_END.finditer(ctx.text):
        _list_projects(ex, ctx, m, found)
    found.sort(key=lambda s: (s.start, -s.end))
    _take_projects(ex, ctx, found)


def _suffix_rejected(ctx: _DocCtx, a: int) -> bool:
    """Characters before the suffix that never end a project name (的项目, 等N个项目, 重大项目)."""
    t = ctx.text
    quoted = t[a - 3:a - 2] in CLOSING_QUOTES  # “智慧港口”建设项目: the quoted name is the project's
    if a == 0 or t[a - 1] in QUICK_REJECT and t[a - 2:a] not in QUICK_KEEP \
            or (t[a - 2:a] in GENERIC_BEFORE_SUFFIX and t[a] in "项工" and not quoted):
        return True
    if t[a - 2:a] in KIND_WORDS and not quoted and (a < 3 or t[a - 4:a - 2] in GENERIC_BEFORE_SUFFIX or t[a - 3] in QUICK_REJECT):
        return True  # 新兴产业项目, 的建设项目: a kind of project (某某产业项目 is a name)
    before = t[max(0, a - 8):a]  # "… 等N个项目" = a list; handled by _list_projects
    return bool(P.LIST_BEFORE.search(before) or P.COUNTED_BEFORE.search(before)
                or P.BATCH_BEFORE.search(t, max(0, a - 10), a))


def _plant_context_ok(ctx: _DocCtx, a: int, b: int) -> bool:
    """基地/工厂/厂区 is a project only in a sentence about a firm, an investment or a start of works."""
    t = ctx.text
    s0_, s1_ = ctx.sent_bounds(a)
    sent_txt = t[s0_:s1_]
    has_ent = any(e.type == "Enterprise" and s0_ <= e.start < s1_ for e in ctx.spans)
    if not (has_ent or "公司" in sent_txt or INVEST_RE.search(sent_txt) or P.START_EVENT.search(sent_txt)) \
            or t[b:b + 1] in "和的":
        return False
    return not P.NON_INDUSTRIAL_BASE.search(t[max(0, a - 4):b])


def _suffix_project(ex, ctx: _DocCtx, m) -> Span | None:
    t = ctx.text
    a, b = m.start(), m.end()
    if not ctx.free(a, b) or _suffix_rejected(ctx, a) or P.SUFFIX_IN_OTHER_WORD.match(t, a):
        return None  # (工程|机械: the suffix is part of another noun)
    suffix = m.group()
    free_from = ex._left_limit(ctx, a, True, 32)
    pre = _prefix_mention(ctx, free_from, a)
    lo = pre.start if pre else free_from
    win = t[lo:a]
    if not win:
        return None
    if not _suffix_context_ok(ctx, suffix, win, a, b):
        return None
    off = _trim_after_prefix(ex, win, pre.end - lo if pre else 0, 2 if suffix.endswith(PLANT_SUFFIXES) else 3)
    if off != 0 and _after_firm(ctx, lo) and _whole_core(ex, win) and not P.LEAD_VERB.match(win):
        off = 0  # 某某有限公司|光纤预制棒项目: what follows a firm's name up to the suffix is the name
    if off is None:
        return None
    start = _over_product_list(ex, ctx, lo + off)
    name, core = t[start:b], t[start:a]
    phase_plant = suffix.endswith(("工厂", "厂区")) and P.PHASE.fullmatch(core)
    if not phase_plant and not specific_project(ex, core, _tail_tokens(win, off)):
        return None
    if suffix.endswith(PLANT_SUFFIXES) and any(w in core for w in PLANT_DESCRIPTIONS) \
            or suffix.endswith(NAMED_PLANT_SUFFIXES) and not _proper_start(core):
        return None
    if suffix.startswith("工程") and len(P.QUOTES.sub("", core)) < 4:
        return None
    if not namelike_project(ex, ctx, core, start, a, b, pre is not None):
        return None
    return Span(start, b, "Project", name, name, meta={"core": core, "free_from": max(start, free_from)})


def _over_product_list(ex, ctx: _DocCtx, start: int) -> int:
    """年产3万吨铜杆、铜线项目: a name that opens right after 、 takes in the products listed
    before it, back to the production figure that opens the list (one project makes them all)."""
    t = ctx.text
    fig = next((m for m in CAP_RE.finditer(t, max(0, start - 12), start) if m.end() == start), None)
    x = fig.start() if fig else start  # 、2万吨|再生铜项目: the last item's own figure
    if x < 2 or t[x - 1] != "、":
        return start
    s0, _ = ctx.sent_bounds(start)
    lo = max(s0, start - 40, *(m.end() for m in _CLAUSE_MARK.finditer(t, max(s0, start - 40), start)))
    caps = [m for m in CAP_RE.finditer(t, lo, x) if m.group().startswith(PRODUCTION_WORDS)]
    if not caps or not ctx.free(caps[-1].start(), start):
        return start
    items = t[caps[-1].end():x - 1].split("、")
    names = (CAP_RE.sub("", it) if i else it for i, it in enumerate(items))  # (an item's own figure aside)
    ok = all(2 <= len(n) <= 12 and noun_phrase(n) and not ex.g.project_re.search(n) for n in names)
    return caps[-1].start() if ok else start


def _trim_after_prefix(ex, win: str, n: int, min_len: int) -> int | None:
    """trim_project with the mention opening the window (its first n characters: a park, a firm's
    name before its phase) kept whole: a stop character inside it (青州经|开区) cuts nothing."""
    if not n:
        return trim_project(ex, win, min_len=min_len)
    off = trim_project(ex, win[n:], min_len=min_len)
    return off if not off else n + off


def _suffix_context_ok(ctx: _DocCtx, suffix: str, win: str, a: int, b: int) -> bool:
    """A plant word in a sentence about a firm or an investment; a production line that opens a
    name (年产…生产线) in a sentence naming no project before it."""
    if suffix.endswith(PLANT_SUFFIXES) and not _plant_context_ok(ctx, a, b):
        return False
    return not (suffix.startswith("生产线") and (
        not _line_opens(win) or "项目" in ctx.text[ctx.sent_bounds(a)[0]:a]))


def _line_opens(win: str) -> bool:
    """The window before 生产线 opens with a figure or 年产, maybe after a verb of building
    (建设|年产5GWh电池生产线)."""
    if P.LINE_OPENING.match(win):
        return True
    ends = [win.rfind(v) + len(v) for v in BUILD_VERBS if v in win]
    return bool(ends) and P.LINE_OPENING.match(win, max(ends)) is not None


def _after_firm(ctx: _DocCtx, lo: int) -> bool:
    return any(s.type == "Enterprise" and s.meta.get("legal") for s in ctx.by_end.get(lo, ()))


def _whole_core(ex, win: str) -> bool:
    """A short run of words with no stop word, verb of building, time, figure or punctuation: jieba's
    verb tags inside it (预制, 压延, 防护) belong to a product's name."""
    if not 3 <= len(win) <= 12 or B.DIGIT.search(win) or not win.isalpha():
        return False
    toks = nlp.cut(win)
    return not any(t in ex.g.stops or t in BUILD_VERBS or t in HARD_WORDS or t in LIST_JOINS or time_token(t)
                   for t in toks) and specific_project(ex, win, tuple(toks))


def _prefix_mention(ctx: _DocCtx, lo: int, a: int) -> Span | None:
    """The mention ending at lo that opens the project's name: a park is its locative prefix
    (开发区光伏项目); a firm's name is the prefix of its phase (某某新材料|二期项目)."""
    phase = P.PHASE.fullmatch(ctx.text[lo:a])
    return next((s for s in ctx.by_end.get(lo, ()) if s.type == "Park" or phase and s.type == "Enterprise"), None)


def _proper_start(core: str) -> bool:
    """core opens with a proper name (a place or a trade name), with no figure: a named plant."""
    toks = _posseg(core)
    return bool(toks) and toks[0][1] in PROPER_POS and not B.DIGIT.search(core)


def _list_segments(ex, ctx: _DocCtx, m) -> list[list[int]]:
    """The items of the list ending at m: 、/和/及 separated, back to the clause start; 和/及 inside
    a name (研发和产业化) is rejoined when the right part is not an item on its own."""
    t = ctx.text
    s0, _ = ctx.sent_bounds(m.start())
    j = m.start()
    while j > s0 and t[j - 1] not in "，。；：！？,;:!?\n（(":
        j -= 1
    items, pos = [], j
    for part in B.LIST_SEPARATOR.split(t[j:m.start()]):
        if part not in ("、", "和", "及"):
            items.append((pos, pos + len(part)))
        pos += len(part)
    merged: list[list[int]] = []
    for k, (x, y) in enumerate(items):
        sep = t[items[k - 1][1]:x] if k else ""
        if merged and sep in ("和", "及") and not itemlike(ex, t[x:y]):
            merged[-1][1] = y
        else:
            merged.append([x, y])
    return merged


def _extend_enterprise(ex, ctx: _DocCtx, x0: int, x: int, y: int) -> bool:
    """An item that starts inside a firm's name ending at x: the firm's name runs to the item's end."""
    t = ctx.text
    pe = [e for e in ctx.by_end.get(x, ()) if e.type == "Enterprise"]
    if not (x > x0 and x < y and pe and looks_enterprise(ex, t[pe[0].start:y])):
        return False
    e = pe[0]
    ctx.by_end[e.end].remove(e)
    e.end, e.text, e.canonical, e.source = y, t[e.start:y], t[e.start:y], "list"
    ctx.by_end.setdefault(y, []).append(e)
    ctx.mask[x:y] = b"\x01" * (y - x)
    return True


def _list_item(ex, ctx: _DocCtx, m, k: int, x: int, y: int, named: bool) -> Span | None:
    """Item k of the list: a firm (taken at once), a project (returned) or nothing; named: the
    list opens with a named project, whose firm or place its items share."""
    x0 = x
    while x < y and ctx.mask[x]:
        x += 1
    if _extend_enterprise(ex, ctx, x0, x, y) or not ctx.free(x, y):
        return None
    named = named or x > x0  # a firm or place taken before the item names it
    if k == 0:
        off = trim_project(ex, ctx.text[x:y], is_item=True)
        if off is None:
            return None
        x += off
    item = ctx.text[x:y]
    if not item:
        return None
    if looks_enterprise(ex, item):
        ctx.take(Span(x, y, "Enterprise", item, item, source="list"))
        return None
    if not specific_project(ex, item) or no_project(item):
        return None
    if len(item) <= 5 and not P.LETTER_OR_DIGIT.search(item) and not m.group().startswith("等一批"):
        return None
    if item.endswith(ex.g.category_endings) and not B.DIGIT.search(item) or not (named or _named_item(ex, item)):
        return None
    return Span(x, y, "Project", item, item, meta={"core": item, "list": True, "list_id": m.start()})


ITEM_NAME_POS = ("ns", "nr", "nrt", "nz", "nt", "eng")


def _named_item(ex, item: str) -> bool:
    """A list item with no firm or place before it is one project when something in it names it: a
    figure or a Latin letter, a quote, a place or a proper-name word; 打通交通堵点、改善人居环境等工程
    and 种植、文旅等项目 are kinds of works (gold guidelines: project categories)."""
    if P.LETTER_OR_DIGIT.search(item) or P.QUOTES.search(item) or ex._division_prefix(item):
        return True
    return any(t in ITEM_NAME_POS and w not in ex.g.project_generic for w, t in _posseg(item))  # not 城镇, 城市


def _list_projects(ex, ctx: _DocCtx, m, found: list) -> None:
    """List items before 等N个项目 / 等一批…项目; gapping: 甲公司100兆瓦和乙公司50兆瓦电池组件 →
    the head noun of the last item completes the others."""
    named = False  # the first item was a named project: the others share its firm or place
    for k, (x, y) in enumerate(_list_segments(ex, ctx, m)):
        sp = _list_item(ex, ctx, m, k, x, y, named)
        if sp is not None:
            found.append(sp)
            named = named or k == 0
    items_here = [f for f in found if f.meta.get("list_id") == m.start()]
    if len(items_here) < 2:
        return
    last = items_here[-1].text
    cm = CAP_PLAIN_RE.search(last) or CAP_RE.search(last)
    head = last[cm.end():] if cm else ""
    if head and len(head) >= 2:
        for f in items_here[:-1]:
            if P.CAPACITY_END.search(f.text):
                f.meta["gap_head"] = head


def _share_list_prefix(proj: Span, lid: int, shared: dict) -> None:
    """The first item's company / place prefix is shared by the other items of its list, unless
    an item names its own."""
    if lid not in shared:
        e0 = proj.meta.get("enterprise")
        p0 = proj.meta.get("place")
        shared[lid] = (e0 if e0 is not None and e0.source == "project-prefix" else None,
                       p0 if p0 is not None and p0.type in ("County", "City") else None)
    elif proj.meta.get("enterprise") is not None or proj.meta.get("place") is not None:
        shared[lid] = (None, None)
    else:
        e0, p0 = shared[lid]
        if proj.meta.get("enterprise") is None and e0 is not None:
            proj.meta["enterprise"] = e0
        if proj.meta.get("place") is None and p0 is not None:
            proj.meta["place"] = p0


def _take_projects(ex, ctx: _DocCtx, found: list) -> None:
    last_end = -1
    shared: dict[int, tuple] = {}
    for sp in found:
        if sp.start < last_end or not ctx.free(sp.meta.get("free_from", sp.start), sp.end):
            continue
        n_before = len(ctx.spans)
        split_project(ex, ctx, sp)
        last_end = sp.end
        proj = next((x for x in ctx.spans[n_before:] if x.type == "Project"), None)
        lid = sp.meta.get("list_id")
        if proj is not None and lid is not None:
            _share_list_prefix(proj, lid, shared)


def namelike_project(ex, ctx: _DocCtx, core: str, start: int, a: int, b: int, park_prefix: bool) -> bool:
    """Reject descriptions and counts that end in 项目: 签约…项目323个, 作为首个…的X项目,
    two-character cores, runs of single characters (谋实谋快…), division + verb."""
    t = ctx.text
    plain = P.QUOTES_OR_SPACE.sub("", core)
    if P.COUNT_AFTER.match(t, b, b + 6):
        return False
    if len(plain) < (2 if t[a:b].startswith(("基地", "工厂", "厂区")) else 3) and not park_prefix \
            and not is_product(plain) or P.LEADING_COUNT.match(plain):
        return False  # two characters, unless a product's (铜箔项目); a count of works (3万多座…水库加固项目)
    s0, _ = ctx.sent_bounds(start)
    clause = t[s0:start]
    clause = clause[max(clause.rfind("，"), clause.rfind(","), -1) + 1:]
    if P.DESIGNATION.search(clause) and t[start - 1:start] == "的":
        return False
    if t[start - 2:start] in ("成为", "作为", "打造", "建成") and t[a:b].startswith("基地"):
        return False
    toks = _posseg(plain)
    if plain[-1:].isdigit() and P.WORDS_THEN_NUMBER.fullmatch(plain) and all(f in ("v", "a", "d", "m") for _, f in toks):
        return False
    dl = ex._division_prefix(plain)
    if dl and len(plain) - dl < 3 and not P.PHASE_OPENING.match(plain[dl:]) and not _trade_noun(ex, plain[dl:]):
        return False  # 某市建设项目; 某地钢铁项目 (place + trade) names one
    if toks and toks[-1][1] == "a" and len(toks[-1][0]) >= 2 and not B.DIGIT.search(plain):
        return False
    return True


TRADE_NOUN_FREQ = 500  # jieba dictionary frequency of a common noun


def _trade_noun(ex, rest: str) -> bool:
    """One common noun of a trade or product after a place (钢铁, 水泥; a rare word may be a brand or
    a mistagged verb), not a generic project word."""
    toks = _posseg(rest)
    return len(toks) == 1 and toks[0][1] == "n" and nlp.freq(rest) >= TRADE_NOUN_FREQ \
        and rest not in ex.g.project_generic and rest not in ex.g.stops


def looks_enterprise(ex, item: str) -> bool:
    """A bare company short name: name + company head word, no figures, no project words."""
    g = ex.g
    if P.NOT_A_FIRM_ITEM.search(item) or not (4 <= len(item) <= 10):
        return False
    toks = nlp.cut(item)
    if len(toks) < 2 or toks[-1] not in g.company_heads:
        return False
    pre = "".join(toks[:-1])
    return pre not in g.project_generic and pre not in g.div_by_name and not all(x in g.company_heads for x in toks)


def itemlike(ex, s: str) -> bool:
    """A list part that is an item on its own (a figure, a project suffix or a long name)."""
    return bool(B.DIGIT.search(s)) or s.endswith(("项目", "工程", "生产线", "基地", "工厂")) or len(s) >= 8


def specific_project(ex, core: str, tokens: tuple | None = None) -> bool:
    """A project core with at least two specific (non-generic, non-stop) characters and no count."""
    g = ex.g
    c = P.QUOTES_OR_PARENS.sub("", core)
    if len(c) < 2:
        return False
    if P.NUMBER_ONLY.fullmatch(c):
        return False
    toks = [x for x in (tokens if tokens is not None else nlp.cut(c)) if x.strip() and x not in "“”‘’\"（）()"]
    while len(toks) > 1 and toks[0] in g.name_verbs:
        toks = toks[1:]  # 收购|某国资源项目: the verb before a name is no part of it (boundaries cut it later)
    spec = [x for x in toks if x not in g.project_generic and x not in g.stops and not time_token(x)]
    if not spec or sum(len(x) for x in spec) < 2:
        return False
    if all(x in g.div_by_name or x in COUNTRIES or x.isdigit() or x in "年度" for x in spec):
        return False  # 某县2026年招商引资项目, 某国资源项目: a place and a year say which projects, name none
    if P.COUNTISH.search(c):
        return False
    return True


def _adjacent_prefixes(ctx: _DocCtx, sp: Span) -> tuple:
    """A legal-name firm and a park directly before the project span (the park stays in the name)."""
    ent = place = None
    for e in ctx.by_end.get(sp.start, ()):
        if e.type == "Enterprise":
            ent = e
        if e.type == "Park":
            place = e
    for p in ctx.by_end.get(sp.meta.get("free_from", sp.start), ()):
        if p.type == "Park" and p.start == sp.start:
            place = p
    return ent, place


def _peel_prefix(ex, ctx: _DocCtx, sp: Span, ent, place) -> tuple:
    """Short-name firm at the start ([division]? X head: 凤凰科技…, 山西某某制药…, or X + capacity),
    else a division prefix: (start of the rest, firm, place, start of the firm or None)."""
    start = sp.start
    name = ctx.text[start:sp.end]
    if place is not None and place.type == "Park" and place.start == start:
        return start, ent, place, None  # 某科技园|某项目: the park opens the name, no firm cut inside it
    is_list = sp.meta.get("list", False)
    ent_len0 = enterprise_prefix(ex, name, is_list)
    div_len = 0 if ent_len0 else ex._division_prefix(name)
    ent_len = ent_len0 or enterprise_prefix(ex, name[div_len:], is_list)
    if ent is None and ent_len:
        en = name[: div_len + ent_len]
        dl = ex._division_prefix(en)
        row = ex._div_row(en[:dl]) if dl else None
        if row is not None and row["type"] == "County" and len(en) - dl >= 2:
            # 义县勃大化工…: the county is a place of its own, the company and its project are there
            place = ctx.take(Span(start, start + dl, "County", row["name"], en[:dl], meta={"prefix": True}))
            ent = ctx.take(Span(start + dl, start + len(en), "Enterprise", en[dl:], en[dl:], source="project-prefix"))
            ctx.rels.append((ent, "locatedIn", place, ctx.sent_index(start)))
        else:
            ent = ctx.take(Span(start, start + len(en), "Enterprise", en, en, source="project-prefix"))
        rest = start + div_len + ent_len
        lead = P.LEAD_VERB.match(ctx.text, rest, sp.end)  # 某化工|新上|年产…项目: the verb is in neither name
        return (lead.end() if lead and sp.end - lead.end() >= 3 else rest), ent, place, ent.start
    if div_len:
        dname = name[:div_len]
        row = ex._div_row(dname)
        if row and row["type"] in ("County", "City") and len(name) - div_len >= 3:
            place = ctx.take(Span(start, start + div_len, row["type"], row["name"], dname, meta={"prefix": True}))
    return start, ent, place, None


def _name_details(ex, ctx: _DocCtx, proj: Span, text: str, start: int, place) -> None:
    """Capacity and product named inside the project name."""
    cm = CAP_RE.search(text)
    if cm and (cm.start() <= 2 or cm.start() == ex._division_prefix(text)):
        proj.meta["capacity"] = capacity_text(cm.group())
    elif (cm2 := CAP_PLAIN_RE.search(text)):
        proj.meta["capacity"] = cm2.group()
    pl_len = ex._division_prefix(text)
    if place is not None and place.end == start:
        pl_len = 0
    prod = product_of(ex, text[pl_len:] if pl_len and pl_len < len(text) - 2 else text)
    if prod:
        ps = start + text.find(prod)
        p = ctx.add(Span(ps, ps + len(prod), "Product", prod, prod, source="project-name"))  # nested: not masked
        proj.meta["product"] = p


def split_project(ex, ctx: _DocCtx, sp: Span) -> None:
    """Peel an enterprise / place / park prefix off a project span; record capacity & product."""
    t = ctx.text
    ent, place = _adjacent_prefixes(ctx, sp)
    start, ent, place, ent_start = _peel_prefix(ex, ctx, sp, ent, place)
    if ent_start is not None:
        start += lead_particle(t[start:sp.end])  # 某纸业|因|某技改项目
    text = t[start:sp.end]
    if len(text) < 2:
        return
    # "X投资的Y" inside list items: X is the investing firm; 甲、乙等国企投资的Y: the list's head, no firm
    mi = P.INVESTED_BY_PREFIX.match(text)
    if mi:
        if not mi.group("list_head"):
            e_txt = mi.group("firm")
            e_txt2 = e_txt[ex._division_prefix(e_txt):] if len(e_txt) > 4 else e_txt
            off = len(e_txt) - len(e_txt2)
            ent = ctx.take(Span(start + off, start + len(e_txt), "Enterprise", e_txt2, e_txt2, source="invested-by"))
        start += mi.end()
        text = t[start:sp.end]
    canon = text + sp.meta.get("gap_head", "")
    if ent_start is not None:  # the surface keeps the company short name (甲公司100兆瓦…); canonical drops it
        proj = ctx.take(Span(ent_start, sp.end, "Project", canon, t[ent_start:sp.end], meta=dict(sp.meta)))
    else:
        proj = ctx.take(Span(start, sp.end, "Project", canon, text, meta=dict(sp.meta)))
    inner = _inner_firm(ctx, sp)  # 某某新材料|二期项目: the name keeps its firm, the firm is no product
    proj.meta["enterprise"] = inner or ent
    proj.meta["place"] = place
    _name_details(ex, ctx, proj, t[inner.end:sp.end] if inner else text, inner.end if inner else start, place)


def _inner_firm(ctx: _DocCtx, sp: Span) -> Span | None:
    """The firm whose phase the project is, named at the start of the project's span (_suffix_project)."""
    end = sp.meta.get("free_from", sp.start)
    return next((e for e in ctx.by_end.get(end, ()) if e.type == "Enterprise" and e.start == sp.start and end > sp.start), None)



END_PARTICLES, HARD_WORDS = P.words["end_particles"], P.words["hard_words"]
LIST_JOINS = ("和", "与", "及", "以及", "、")


def _not_a_name_end(toks: list, window: str, is_item: bool) -> bool:
    """A window ending in a verb, particle, classifier or a verb + number is no project name."""
    if not toks:
        return False
    w, f = toks[-1]
    if not is_item and f in ("v", "d", "ad", "z") and w not in VERB_OK and len(w) > 1 and not B.DIGIT.search(window) \
            and not P.PHASE.fullmatch(w):  # (jieba tags 一期 an adverb)
        return True
    if not is_item and f in ("u", "uz", "ul", "uj", "q", "y") and not _product_piece(window, w, f):
        return True
    if len(toks) >= 2 and f == "m" and w.isdigit() and toks[-2][1] == "v":
        return True
    return all(f2 in ("v", "a", "d", "ad") and len(w2) == 1 for w2, f2 in toks[-2:]) or w in END_PARTICLES


def _product_piece(window: str, w: str, f: str) -> bool:
    """A one-character classifier right after a product is a piece of it: 光伏电池片, 晶圆片."""
    return f == "q" and len(w) == 1 and any(e >= len(window) - 1 for _, e in product_spans(window))


def _hard_stop(g, toks: list, k: int, tail_len: int, has_digit: bool, min_len: int) -> bool:
    """Token k ends the text before a name: a stop word, a time, a currency, or a verb / adverb /
    preposition close to the suffix (unless a verb follows it)."""
    tk, fl = toks[k]
    if (tk in g.stops and tk not in SOFT_STOPS) or time_token(tk) or tk in HARD_WORDS:
        return True
    if len(tk) == 4 and tk[:2] in g.stops and tk[2:] in g.stops:
        return True  # 全面实施, 积极争取: jieba's word for two stop words
    if tk in LIST_JOINS and k > 0:
        before = toks[k - 2][0] if k > 1 and toks[k - 1][0] in "”’\"" else toks[k - 1][0]
        if P.PROJECT_SUFFIX_END.search(before):
            return True  # 甲工程和“乙”工程: two projects, each with its own suffix
    return (fl in ("v", "d", "p", "u", "uz", "uj", "ul") and tk not in VERB_OK and tk not in SOFT_STOPS
            and 0 < tail_len <= 3 and len(tk) >= 2 and not has_digit and (min_len > 2 or k == 0)
            and not (k + 1 < len(toks) and toks[k + 1][1] in ("v", "vn")))


def _start_after_stop(g, window: str, rest: list, min_len: int) -> int | None:
    """Name start after a hard stop: the rest must hold >= 2 specific characters (扩建|二期工厂 aside)."""
    spec = [r for r in rest if r not in g.stops and r not in g.project_generic and not time_token(r)
            and r.strip("“”‘’\"")]
    while rest and rest[0] in BUILD_VERBS:
        rest = rest[1:]
    if rest and all(P.PHASE.fullmatch(r) for r in rest):
        return len(window) - len("".join(rest))  # 扩建|二期工厂
    if spec and sum(len(r) for r in spec) >= 2 and len(P.QUOTES.sub("", "".join(rest))) >= min_len:
        best = len(window) - len("".join(rest))
        while best < len(window) and window[best] in "”’、，":
            best += 1
        return best
    return None


def trim_project(ex, window: str, is_item: bool = False, min_len: int = 3) -> int | None:
    """Start offset of a project name in window, or None when the candidate is not a name
    (VERB + 项目, 的项目, generic words only)."""
    off = _trim_project(ex, window, is_item, min_len)
    lead = P.LEAD_VERB.match(window, off) if off is not None else None
    return lead.end() if lead and len(window) - lead.end() >= min_len else off


@nlp.text_cache
def _trim_project(ex, window: str, is_item: bool, min_len: int) -> int | None:
    """trim_project, cached (it reads only the window and the extractor's word lists)."""
    toks = _posseg(window)
    g = ex.g
    if _not_a_name_end(toks, window, is_item):
        return None
    offs, p = [], 0
    for tk, _ in toks:
        offs.append(p)
        p += len(tk)
    has_digit = bool(B.DIGIT.search(window))
    for k in range(len(toks) - 1, -1, -1):
        tk = toks[k][0]
        tail_len = len(window) - offs[k] - len(tk)
        build = tk in BUILD_VERBS and tail_len >= 4
        if tail_len == 0 and k and tk in g.product_strip:
            continue  # 某制动系统|扩产|项目: the works a project's name ends with, not a word before it
        if not build and _kind_of_works(toks, k):
            continue  # 烧结机|节能|技改: a verb before the works only says what kind of works
        if not build and not _hard_stop(g, toks, k, tail_len, has_digit, min_len) \
                or _inside_the_name(window, toks, offs, k, build):
            continue
        rest = [r for r, _ in toks[k + 1:]]
        if not build:
            return _start_after_stop(g, window, rest, min_len)
        spec = [r for r in rest if r not in g.stops and r not in g.project_generic]
        if spec and rest[0] not in ("和", "及", "与") and sum(len(r) for r in spec) >= 2:
            return offs[k] + len(tk)
    return 0


def _kind_of_works(toks: list, k: int) -> bool:
    """toks[k] is a verb between a noun and the improvement works that end the window (烧结机|节能|
    技改, 锅炉|环保|改造): it says what kind of works, the name goes on before it."""
    return 0 < k < len(toks) - 1 and toks[k][1] in ("v", "vn") and len(toks[k][0]) == 2 \
        and toks[k - 1][1] in ("n", "nz", "eng") and all(w in IMPROVEMENT_WORKS for w, _ in toks[k + 1:])


def _inside_the_name(window: str, toks: list, offs: list, k: int, build: bool) -> bool:
    """A stop word that belongs to the name all the same: an adjective after a figure (10GW高效光伏
    组件), a verb that opens a product (显示模组), a modifier inside a product however jieba tags it
    (高效电池片), 的 after the name's capacity (年产300万只的车灯生产线)."""
    tk, tag = toks[k]
    if tag == "a" and k and P.SPEC_TOKEN.fullmatch(toks[k - 1][0]):
        return True
    if not build and tag == "v" and is_product(window[offs[k]:]):
        return True
    if not build and tk in PRODUCT_MODIFIERS and any(a <= offs[k] < e for a, e in product_spans(window)):
        return True
    if not build and tag in ("v", "vn") and _brand_then_company_word(toks, k):
        return True
    return tk == "的" and bool(P.CAPACITY_AT_END.search(window, 0, offs[k]))


def _brand_then_company_word(toks: list, k: int) -> bool:
    """弗|思|创新|材料: a verb-tagged word between a brand of single characters (one a name's) and
    a company word is part of a firm's short name."""
    brand = toks[max(0, k - 2):k]
    return k >= 2 and k + 1 < len(toks) and toks[k + 1][0] in company_words() \
        and all(len(w) == 1 for w, _ in brand) and any(t in ("nr", "ns", "nz", "nrt") for _, t in brand)


def _namelike_prefix(g, pre: str) -> bool:
    pre_tags = _posseg(pre)
    namelike = any(f in ("nr", "ns", "nz", "nt", "nrt", "x", "j") for _, f in pre_tags) or (
        all(len(x) == 1 for x, _ in pre_tags) and not all(f.startswith("n") for _, f in pre_tags))
    return namelike and not B.DIGIT.search(pre) and not P.MATERIAL_CHAR.match(pre) \
        and not any(len(x) > 1 and (x in g.stops or x in g.project_generic) for x, _ in pre_tags)


CAPACITY_PREFIX_ENDS = tuple(sorted(P.words["capacity_prefix_ends"]))  # for str.endswith


@nlp.text_cache
def enterprise_prefix(ex, rest: str, is_list: bool) -> int:
    """Length of a company short name opening a project name (凤凰科技|无人机…, 锦州钛业|钛白粉…):
    name-like characters + a company head word, followed by a specific project remainder
    (cached: it reads only the text and the extractor's word lists)."""
    g = ex.g
    if not rest or rest[0].isdigit() or rest[:2] in g.stops or rest[:2] in g.project_generic \
            or rest[:1] in g.stops or time_token(rest[:3]):
        return 0
    heads = ex._prefix_heads_set
    for L in range(2, 9):
        for h in (rest[L:L + 4], rest[L:L + 3], rest[L:L + 2]):
            # a head that may open a product (新能源汽车) ends the firm's name when a production figure follows it
            head = h in heads or h in g.prefix_head_excluded and rest.startswith(PRODUCTION_WORDS, L + len(h))
            if head and _namelike_prefix(g, rest[:L]) and not _industry_after_place(ex, rest[:L]):
                remainder = rest[L + len(h):]
                if remainder.startswith(tuple(g.company_suffixes)):
                    break  # 某某科技|股份有限公司二期项目: the legal name opens it, not a short name
                if len(remainder) >= 2 and specific_project(ex, remainder):
                    return L + len(h) + _trade_before_figure(rest, L + len(h))
    # X + capacity: 2-6 name chars directly followed by a number (list items)
    mm = P.NAME_BEFORE_NUMBER.match(rest)
    if mm and is_list:
        cand = mm.group(1)
        if cand not in g.project_generic and cand not in g.div_by_name and cand not in g.short_index \
                and not cand.endswith(CAPACITY_PREFIX_ENDS):
            return len(cand)
    return 0


def _trade_before_figure(rest: str, end: int) -> int:
    """Length of a trade word between a firm's head and a production figure (某某精密|机械|年产…):
    part of the firm's name, unless it is a product (某某科技|无人机|年产…: the project's)."""
    for k in (4, 3, 2):
        w = rest[end:end + k]
        if len(w) == k and rest.startswith(PRODUCTION_WORDS, end + k) and _one_noun(w) and not is_product(w):
            return k
    return 0


def _one_noun(w: str) -> bool:
    """w is one noun (机械), not a verb or an adjective with a noun (新上, 新建)."""
    toks = nlp.posseg(w)
    return len(toks) == 1 and toks[0][1] == "n"


def _industry_after_place(ex, name: str) -> bool:
    """[place +] an industry word before the head (合川|新能源|汽车…产业园): an industry, not a firm's
    short name."""
    g = ex.g
    return any(name.endswith(w) and (name[:-len(w)] in g.div_by_name or name[:-len(w)] in g.short_index)
               for w in g.prefix_head_excluded) or name[ex._division_prefix(name):] in g.prefix_head_excluded


FIRM_NAME_P = 0.9  # firm-name model probability above which a product phrase reads as a firm's name


def _firm_before_product(s: str) -> bool:
    p = namemodel.probability(s)
    return p >= FIRM_NAME_P and p > namemodel.probability(s, "product")


def product_of(ex, text: str) -> str | None:
    """The product named in a project name (年产4万吨|锂离子…负极材料|一体化项目 → …负极材料)."""
    g = ex.g
    s = P.PHASE_END.sub("", P.PROJECT_SUFFIX_END.sub("", text))
    cm = CAP_RE.match(s) or CAP_PLAIN_RE.match(s) or CAP_RE.search(s)  # …after a firm's name (某某动力年产30GWh…)
    if cm:
        s = s[cm.end():]
    s = P.LEADING_SPEC.sub("", s).lstrip("的")  # 8.5代液晶面板: a specification, not the product
    s = s.rsplit("、", 1)[-1]  # 铜杆、铜线: the last of the products listed (the others are read as a list)
    head, sep, tail = s.partition("及")
    if sep and is_product(head) and not product_spans(tail):
        return head  # 正极材料及研发总部: the product, then what else the project builds
    inner = [m for m in CAP_RE.finditer(s) if m.start() >= 2]  # 甲醇60万吨烯烃: each product has its figure
    if inner:
        s = P.PROJECT_SUFFIX_END.sub("", s[inner[-1].end():])  # the last one, as of a list (above)
    m = ex._strip_re.search(s)
    while m and m.start() > 1:
        s = s[:m.start()]
        m = ex._strip_re.search(s)
    if "“" in s or "+" in s or len(s) < 2 or s in g.product_reject:
        return None
    return _product_by_head(ex, s)


def _product_by_head(ex, s: str) -> str | None:
    """The product s names, cut at the product head word the lexicon knows."""
    g = ex.g
    for L in range(min(6, len(s)), 0, -1):
        if s[-L:] in ex._product_head_set:
            if L == 1 and len(s) < 3:
                return None
            if L >= 2 and L < len(s) and _firm_before_product(s):
                s = s[-L:]  # 某某新材料生产基地: the firm's name, then what it makes
                return s if s not in g.product_reject else None
            s2 = P.QUALITY_ADJECTIVE.sub("", s)
            return s2 if len(s2) >= 2 and s2 not in g.product_reject else s
    # no head word the lexicon knows: the product vocabulary or the product-name model decides (…紧固件, 再生铝)
    if 2 <= len(s) <= 12 and (is_product(s) or namemodel.probability(s, "product") >= 0.7):
        return s
    return None
