"""products and projectparts: product words in production contexts, and the parts of a project's name.

`products`: a word of the product vocabulary (ontology/data/patterns/products.json), extended
left by its modifiers (储能 + 锂电池), is a Product where its clause says something is made or
supplied (生产, 年产, 下线 …) before it, or where it sits inside a project's name; not where it
names an industry (动力电池产业, 芯片行业).

`projectparts`: a project's name is read as [firm][place][capacity][products][works]项目 (the
gold guidelines' own reading: a project is named without its leading firm). A leading part
that the firm-name model accepts becomes the firm that implements the project and produces its
products: 青松能源安平多晶硅项目 → 青松能源 implements it, produces 多晶硅."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import namemodel, nlp
from ..model import Mention
from . import component, load_json
from .names import full_divisions, is_generic, name_end, name_start, strong_firm

CLAUSE_BREAK = re.compile(r"[，。；：！？,;:!?\n]")
FIRM_P = 0.5  # firm-name probability a project's leading part needs
SPLIT_P = 0.6  # product-name probability the rest of a model-cut project name needs
PARTS_CONF = 0.8  # confidence of relations read off a project's name
PLACE_CONF = 0.75  # a project is where its name says
NAME_POS = {"ns", "nr", "nrt", "nrfg", "nz", "nt", "eng", "x"}
MAKER_CONF = 0.75  # a firm named as a product's maker (某材料生产企业某公司, 某公司生产某材料)
FUNCTION_POS = {"c", "p", "u", "uj", "r", "f"}
SOFT_POS = {"d", "a", "b", "ad", "m", "q"}  # 全新动力电池: the adjective is not part of the product


def _automaton(words):
    a = nlp.CJKAutomaton()
    for w in words:
        a.add_word(w, w)
    a.make_automaton()
    return a


@lru_cache(maxsize=1)
def vocab() -> dict:
    data = load_json("patterns/products.json")
    alt = lambda ws: "|".join(map(re.escape, sorted(set(ws), key=len, reverse=True)))  # noqa: E731
    return {
        "automaton": _automaton(data["terms"]),
        "modifier_lens": sorted({len(m) for m in data["modifiers"]}, reverse=True),
        "maker": re.compile(data["producer_patterns"][0]["regex"]),
        "makes": re.compile(data["producer_patterns"][1]["regex"]),
        "makes_before": re.compile(data["producer_patterns"][1]["regex"] + "$"),
        "cue": re.compile(alt(data["cues"])),
        "industry_after": tuple(data["industry_after"]),
        "project_starts": tuple(data["project_starts"]),
        "project_tails": sorted(data["project_tails"], key=len, reverse=True),
        "terms": frozenset(data["terms"]),
        "modifiers": frozenset(data["modifiers"]),
    }


def product_spans(text: str) -> list[tuple[int, int]]:
    """Non-overlapping product phrases in text: a product word (leftmost-longest, by automaton)
    and the modifiers right before it, each phrase starting a word (锂正极材料 is not read out
    of 磷酸锰铁锂正极材料)."""
    v, out, last = vocab(), [], 0
    for end, term in v["automaton"].iter_long(text):
        e = end + 1
        s = _extend_left(text, e - len(term), last, v)
        if _starts_word(text, s):
            out.append((s, e))
            last = e
    return out


def _extend_left(text: str, s: int, floor: int, v: dict) -> int:
    while True:
        k = next((k for k in v["modifier_lens"] if s - k >= floor and text[s - k:s] in v["modifiers"]), 0)
        if not k:
            return s
        s -= k


def _starts_word(text: str, pos: int) -> bool:
    if pos == 0 or not ("\u4e00" <= text[pos - 1] <= "\u9fff"):
        return True
    lo = max(0, pos - 6)
    return pos - lo in nlp.token_starts(text[lo:pos + 6])


def _clause_start(text: str, pos: int) -> int:
    lo = max(0, pos - 60)
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(text, lo, pos)]
    return breaks[-1] if breaks else lo


@component("products", reads=("mentions",), writes=("mentions",))
def make_products(settings: dict):
    def run(state) -> None:
        text, v = state.text, vocab()
        for s, e in product_spans(text):
            hits = state.at(s, e)
            if any(m.type == "Product" for m in hits):
                continue
            projects = [m for m in hits if m.type == "Project" and m.start <= s and e <= m.end]
            if projects and len(projects) == len(hits):
                _nested(state, s, e, "product-in-project")
            elif not hits and (_maker_named(text, e) or not text.startswith(v["industry_after"], e)
                               and v["cue"].search(text, _clause_start(text, s), s)):
                state.propose(s, e, "Product", source="product-lexicon")
        _makers(state)
    return run


NAME_STOP_POS = {"v", "p", "d", "u", "uj", "c", "x", "m"}


def _maker_named(text: str, pos: int) -> bool:
    m = vocab()["maker"].match(text, pos)
    return bool(m) and ("生产" in m.group() or "制造" in m.group())


def _propose_makers(state) -> None:
    """A firm that no recogniser found but that the text names as a product's maker, where the
    name is firm-like on its own (names.strong_firm): 某材料生产企业X签约, X主要生产某材料."""
    text = state.text
    for p in [m for m in state.ex.mentions if m.type == "Product"]:
        m = vocab()["maker"].match(text, p.end)
        if m:
            toks, end = nlp.posseg(text[m.end():m.end() + 12]), m.end()
            for w, t in toks:
                if t in NAME_STOP_POS or w in "，。；：、":
                    break
                end += len(w)
            _propose_firm(state, m.end(), end)
        cs = _clause_start(text, p.start)
        m = vocab()["makes_before"].search(text, cs, p.start)
        if m and m.start() - cs >= 2:
            off, _ = name_start(text[cs:m.start()])
            _propose_firm(state, cs + off, m.start())


def _propose_firm(state, s: int, e: int) -> None:
    if e - s >= 2 and not state.at(s, e) and strong_firm(state.text[s:e]):
        state.propose(s, e, "Enterprise", source="product-maker")


def _makers(state) -> None:
    """produces where the words between a product and a firm say the firm makes it: the
    product's maker named after it, or the firm and its production verb before it."""
    _propose_makers(state)
    ms = [m for m in state.ex.mentions if m.type in ("Enterprise", "Product")]
    for a, b in zip(ms, ms[1:]):
        between = state.text[a.end:b.start]
        if a.type == "Product" and b.type == "Enterprise" and vocab()["maker"].fullmatch(between):
            state.relate(b, "produces", a, b.sentence, "cue:product-maker", MAKER_CONF)
        elif a.type == "Enterprise" and b.type == "Product" and vocab()["makes"].fullmatch(between):
            state.relate(a, "produces", b, a.sentence, "cue:firm-makes", MAKER_CONF)


def _nested(state, s: int, e: int, source: str, type_: str = "Product") -> Mention:
    text = state.text[s:e]
    m = Mention(text=text, type=type_, canonical=text, start=s, end=e, sentence=state.sentence_of(s), source=source)
    state.add(m)
    return m


TYPE_ORDER = {"City": 0, "County": 1, "Province": 2}


@lru_cache(maxsize=1)
def place_forms() -> dict[str, list[tuple[str, str, str]]]:
    """Division names and their short forms (保山市 → 保山) → [(type, official name, parents)],
    a city before a county before a province (长沙 → 长沙市, then 长沙县)."""
    import csv

    from ..resources import data_dir

    rows = []
    with open(data_dir() / "divisions.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["type"] in TYPE_ORDER:
                parents = " ".join(x for x in (r["parent_city"], r["parent_province"]) if x)
                rows.append((TYPE_ORDER[r["type"]], r["name"], r["short_name"] or r["name"], r["type"], parents))
    out: dict[str, list[tuple[str, str, str]]] = {}
    for _, name, short, typ, parents in sorted(rows):
        for form in {name, short}:
            if len(form) >= 2:
                out.setdefault(form, []).append((typ, name, parents))
    return out


def places_in(name: str, start: int = 0, context: frozenset = frozenset()) -> list[tuple[int, int, str, str]]:
    """(start, end, type, official name) of the places a project's name holds from start on: a
    full official name, a short form that jieba reads as a place word of its own, or a short
    form whose city or province the document names (铁西 in a text about 沈阳市 → 沈阳's 铁西区)."""
    forms, out, i = place_forms(), [], start
    while i < len(name) - 1 and len(out) < 2:
        hit = next((k for k in (5, 4, 3, 2) if name[i:i + k] in forms), None)
        cands = forms[name[i:i + hit]] if hit else []
        near = [c for c in cands if any(p in context for p in c[2].split())]
        if near or (cands and _place_word(name, i, i + hit)):
            typ, official, _ = (near or cands)[0]
            out.append((i, i + hit, typ, official))
            i += hit
        else:
            i += 1
    return out


def _place_word(name: str, s: int, e: int) -> bool:
    part = name[s:e]
    if part in full_divisions() and len(part) >= 3:
        return True
    toks = nlp.posseg(part)
    return len(toks) == 1 and toks[0][1] in ("ns", "nz", "nr", "nrt") and nlp.is_word(name, s, e)


def split_project(name: str) -> tuple[str | None, list[tuple[int, int]]]:
    """(leading firm or None, product spans) of a project's name. Without a place, figure or
    known product to end the firm's part, the name models choose the cut: the firm-like start
    and product-like rest that are likeliest together (某某正一|砼泵配件制造项目)."""
    prods = product_spans(name)
    cut = _first_boundary(name, _phrase_start(name, prods[0][0]) if prods else len(name))
    if cut < len(name):
        firm = name[:name_end(name[:cut])]
        return (firm if _firm_prefix(firm) else None), prods
    best = model_split(name)
    if best is None:
        return None, prods
    return name[:best[0]], prods or [best]


def _phrase_start(name: str, s: int) -> int:
    """Start of the coordinated product phrase ending in the product at s: 储能与动力电池 → 储能."""
    v = vocab()
    while s >= 3 and name[s - 1] in "与和及、":
        k = next((k for k in v["modifier_lens"] if s - 1 - k >= 0 and name[s - 1 - k:s - 1] in v["modifiers"]), 0)
        if not k:
            break
        s -= 1 + k
    return s


def model_split(name: str) -> tuple[int, int] | None:
    """(firm end, product end) of a name that starts with a place: the firm is the place, a
    brand of two or three characters (the usual shape of a short firm name) and any company
    word after it; the cut is at a word boundary and leaves the likeliest product by the
    product-name model (某某海松|砼泵配件, 某某万利康|精密组件)."""
    core = _strip_tails(name)
    place = next((k for k in (3, 2) if core[:k] in place_forms()), 0)
    if not place:
        return None
    starts = nlp.token_starts(core)
    cuts = [k for k in (place + 2, place + 3) if k in starts and len(core) - k >= 2]
    scored = [(namemodel.probability(core[k:], "product"), k) for k in cuts]
    if not scored or max(scored)[0] < SPLIT_P:
        return None
    k = max(scored)[1]
    if core[k:] in _company_heads() or core[k - 1:] in _company_heads():
        return None  # 某某新材料: the rest is the firm's company word, not its product
    if nlp.posseg(core[place:k])[0][1] in FUNCTION_POS:
        return None  # 某地和独立…: a conjunction, not a brand, follows the place
    k += next((len(h) for h in _company_heads() if core.startswith(h, k) and len(core) - k - len(h) >= 2), 0)
    return (k, len(core)) if _firm_prefix(core[:k], min_p=0.0) else None


def _company_heads() -> list[str]:
    from .names import _lex
    return sorted(_lex()["heads"] - vocab()["modifiers"], key=len, reverse=True)  # 精密 may start a product


def _strip_tails(name: str) -> str:
    tails = vocab()["project_tails"]
    while True:
        t = next((t for t in tails if name.endswith(t) and len(name) > len(t) + 3), None)
        if t is None:
            return name
        name = name[: -len(t)]


def _first_boundary(name: str, limit: int) -> int:
    """Where the name's leading part ends: a place, a figure, a bracket or the first product."""
    for i in range(2, min(limit, 10)):
        ch = name[i]
        if ch.isdigit() or ch in "（(“\"":
            return i
        if any(name[i:i + k] in place_forms() for k in (2, 3, 4)):
            return i
    return limit


def _firm_prefix(part: str, min_p: float = FIRM_P) -> bool:
    v = vocab()
    if not 2 <= len(part) <= 8 or is_generic(part) or part.startswith(v["project_starts"]):
        return False
    if any(part[:k] in full_divisions() for k in (2, 3, 4)) or part in place_forms() \
            or part in v["terms"] or part in v["modifiers"]:
        return False  # 某区某矿: an official place name starts it (长安汽车 is a firm, 长安区 a place)
    toks = nlp.posseg(part)
    if len(toks) == 1 and toks[0][1] not in NAME_POS:
        return False  # one common word (光电, 智慧) is a description, not a firm
    return namemodel.probability(part) >= min_p


def _free_for_firm(state, p: Mention, firm_text: str) -> bool:
    """No firm inside the project yet, or only one the rules guessed from the project's prefix
    with another cut (某某万利康精密|组件 → 某某万利康|精密组件): that one gives way."""
    firms = [m for m in state.at(p.start, p.end) if m.type == "Enterprise"]
    if not firms:
        return True
    old = firms[0]
    if len(firms) == 1 and old.source == "project-prefix" and old.start == p.start and old.text != firm_text \
            and not places_in(old.text, min(len(firm_text), len(old.text))):
        state.drop(old)
        if p.canonical == p.text[len(old.text):]:
            _rename_project(state, p, p.text[len(firm_text):])
        return True
    return False


def _rename_project(state, p: Mention, canonical: str) -> None:
    for r in state.ex.relations:
        if (r.head_type, r.head) == ("Project", p.canonical):
            r.head = canonical
        if (r.tail_type, r.tail) == ("Project", p.canonical):
            r.tail = canonical
    state.removed.add((p.type, p.canonical))
    p.canonical = canonical


def _firm(state, p: Mention, firm_text: str, prods) -> None:
    n = len(firm_text)
    for m in state.at(p.start, p.start + n):
        if m is not p and m.type in TYPE_ORDER and m.end <= p.start + n:
            state.drop(m)  # a place inside a firm's name is part of the name
    firm = _nested(state, p.start, p.start + n, "project-name", "Enterprise")
    _strip_firm(state, p, n)
    state.relate(firm, "implements", p, p.sentence, "cue:project-name", PARTS_CONF)
    for s, e in prods:
        prod = _product_at(state, p.start + s, p.start + e, p.start + n)
        state.relate(firm, "produces", prod, p.sentence, "cue:project-name", PARTS_CONF)


def _product_at(state, s: int, e: int, firm_end: int) -> Mention:
    """The product mention at [s, e); one the rules cut across the firm's name gives way."""
    for m in state.at(s, e):
        if m.type == "Product":
            if m.start == s and m.end == e:
                return m
            if m.start < firm_end or m.start >= s:
                state.drop(m)
    return _nested(state, s, e, "project-name")


def _places(state, p: Mention, skip: int, context: dict) -> None:
    """The places a project is named after are mentions (the gold guidelines count them, unlike
    places inside firm or park names) and where the project is."""
    for s, e, typ, official in places_in(p.text, skip, frozenset(context)):
        typ = context.get(official, typ)  # as the document's other mentions of it are typed
        if any(m is not p and m.type != "Product" for m in state.at(p.start + s, p.start + e)):
            continue
        place = _nested(state, p.start + s, p.start + e, "project-name", typ)
        place.canonical = official
        state.relate(p, "locatedIn", place, p.sentence, "cue:project-name", PLACE_CONF)


def _strip_firm(state, p: Mention, n: int) -> None:
    """A product the rules cut from the project's name with its firm (and place) still on it
    (青松能源安平多晶硅) keeps only what follows them (多晶硅)."""
    for m in state.at(p.start, p.start + n + 1):
        if m.type == "Product" and m.start == p.start and m.end > p.start + n:
            rest = p.start + n + _place_len(state.text[p.start + n:m.end])
            rest += _soft_len(state.text[rest:m.end])
            if m.end - rest >= 2:
                state.move(m, rest)
                m.text = m.canonical = state.text[rest:m.end]


def _soft_len(s: str) -> int:
    """Length of the adverbs and adjectives before the product words (全新动力电池 → 2)."""
    spans = product_spans(s)
    if not spans or spans[-1][1] != len(s) or spans[-1][0] == 0:
        return 0
    head = s[:spans[-1][0]]
    return len(head) if all(t in SOFT_POS for _, t in nlp.posseg(head)) else 0


def _place_len(s: str) -> int:
    return next((k for k in (4, 3, 2) if s[:k] in place_forms() and len(s) - k >= 2), 0)


@component("projectparts", reads=("mentions",), writes=("mentions", "relations"))
def make_projectparts(settings: dict):
    def run(state) -> None:
        context = {m.canonical: m.type for m in state.ex.mentions if m.type in TYPE_ORDER}
        for p in [m for m in state.ex.mentions if m.type == "Project"]:
            firm_text, prods = split_project(p.text)
            if firm_text and _free_for_firm(state, p, firm_text):
                _firm(state, p, firm_text, prods)
            _places(state, p, len(firm_text or ""), context)
    return run
