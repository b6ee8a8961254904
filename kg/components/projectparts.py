"""projectparts: a project's name read as [firm][place][capacity][products][works]项目.

This is the gold guidelines' own reading (a project is named without its leading firm; places
inside a project's name count, unlike places inside firm or park names). A leading part that the
firm-name model accepts, or, after a place, a two- or three-character brand cut where the
product-name model likes the rest best, becomes the firm that implements the project and produces
its products; the places in the name become mentions and where the project is:
青松能源安平多晶硅项目 → 青松能源 implements it, produces 多晶硅, it is in 安平县."""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from .. import namemodel, nlp
from ..model import Mention
from . import component, load_json, rule_patterns
from .gazetteer import load as gazetteer_forms
from .names import common_word, full_divisions, is_generic, name_end, place_forms
from .products import nested, product_spans, vocab

FIRM_P = 0.5  # firm-name probability a project's leading part needs
SPLIT_P = 0.6  # product-name probability the rest of a model-cut project name needs
PARTS_CONF = 0.8  # confidence of relations read off a project's name
PLACE_CONF = 0.75  # a project is where its name says
NAME_POS = {"ns", "nr", "nrt", "nrfg", "nz", "nt", "eng", "x"}
FUNCTION_POS = {"c", "p", "u", "uj", "r", "f"}
SOFT_POS = {"d", "a", "b", "ad", "m", "q"}  # 全新动力电池: the adjective is not part of the product
TYPE_ORDER = {"City": 0, "County": 1, "Province": 2}
STREET_AFTER = rule_patterns.load("places").STREET_AFTER  # 某某大桥 in a project's name: a bridge, not the place


def places_in(name: str, start: int = 0, context: frozenset = frozenset()) -> list[tuple[int, int, str, str]]:
    """(start, end, type, official name) of the places a project's name holds from start on: a
    full official name, a short form that jieba reads as a place word of its own, or a short
    form whose city or province the document names (铁西 in a text about 沈阳市 → 沈阳's 铁西区)."""
    return list(_places_in(name, start, context))


@nlp.text_cache
def _places_in(name: str, start: int, context: frozenset) -> tuple[tuple[int, int, str, str], ...]:
    """places_in, cached (names and their parts come back from several components)."""
    forms, out, i = place_forms(), [], start
    firsts = _form_prefixes()
    while i < len(name) - 1 and len(out) < 2:
        if name[i:i + 2] not in firsts:  # no form starts here (most characters)
            i += 1
            continue
        hit = None
        for k in (5, 4, 3, 2):  # the longest form starting at i (a plain loop: this runs per character)
            if i + k <= len(name) and name[i:i + k] in forms:
                hit = k
                break
        cands = forms[name[i:i + hit]] if hit else []
        word = bool(cands) and nlp.is_word(name, i, i + hit)  # once, not per candidate
        # the city or province itself named in the document (乌鲁木齐市, not its 乌鲁木齐县), else a
        # place whose city or province is
        near = [c for c in cands if c[0] != "County" and c[1] in context] \
            or [c for c in cands if _named_parent(c, context, word)]
        bare_ok = cands and name[i:i + hit] not in _short_stop() and name[i:i + hit] not in _firm_forms()
        if (near or (bare_ok and _place_word(name, i, i + hit))) and not STREET_AFTER.match(name, i + hit):
            typ, official, _ = (near or cands)[0]
            out.append((i, i + hit, typ, official))
            i += hit
        else:
            i += 1
    return tuple(out)


def _named_parent(cand: tuple[str, str, str], context: frozenset, word: bool) -> bool:
    """The document names the place's city or province; a county with only its province named
    must be a word of the name too (安居 inside 安居乐业 is no county for a text naming 四川)."""
    typ, _, parents = cand
    ps = parents.split()
    if typ == "County" and len(ps) > 1 and ps[0] not in context:
        return word and ps[1] in context
    return any(p in context for p in ps)


@lru_cache(maxsize=1)
def _short_stop() -> frozenset[str]:
    """Short forms that are common words too (南山, 城关): a place only where the document names its city."""
    return frozenset(load_json("extract_lexicon.json")["division_short_stop"])


@lru_cache(maxsize=1)
def _firm_forms() -> frozenset[str]:
    """Forms of the gazetteer's firms: a place's short form that is one (吉利) is a place only where
    the document names its city."""
    return frozenset(gazetteer_forms()[0])


@lru_cache(maxsize=1)
def _form_prefixes() -> frozenset[str]:
    """The first two characters of every place form."""
    return frozenset(f[:2] for f in place_forms())


def _place_word(name: str, s: int, e: int) -> bool:
    part = name[s:e]
    if part in full_divisions() and len(part) >= 3:
        return True
    toks = nlp.posseg(part)
    return len(toks) == 1 and toks[0][1] in ("ns", "nz", "nr", "nrt") and nlp.is_word(name, s, e)


def split_project(name: str) -> tuple[str | None, list[tuple[int, int]]]:
    """(leading firm or None, product spans) of a project's name. Without a place, figure or
    known product to end the firm's part, a name that starts with a place is cut by model_split."""
    firm, prods = _split_project(name)
    return firm, list(prods)


@nlp.text_cache
def _split_project(name: str) -> tuple[str | None, tuple[tuple[int, int], ...]]:
    """split_project, cached (a project's name comes back in many sentences)."""
    firm, prods = _split(name)
    return firm, tuple(prods)


def _split(name: str) -> tuple[str | None, list[tuple[int, int]]]:
    firm = _brand_and_company_word(name)
    if firm:
        return firm, []
    prods = product_spans(name)
    cut = _first_boundary(name, _phrase_start(name, prods[0][0]) if prods else len(name))
    if prods and cut == prods[0][0]:
        cut, prods = _trade_word_after_brand(name, cut, prods)
    if cut < len(name):
        firm = name[:name_end(name[:cut])]
        return (firm if _firm_prefix(firm) or _place_brand(firm) else None), prods
    best = model_split(name)
    if best is None:
        return None, prods
    return name[:best[0]], prods or [best]


def _trade_word_after_brand(name: str, cut: int, prods) -> tuple[int, list]:
    """某某生物|新型疫苗: a brand of two or three characters keeps a trade word (firm_trade_words)
    that the product vocabulary would read as the start of the product, when a product of three
    or more characters still follows it."""
    w = next((w for w in vocab()["firm_trade_words"] if name.startswith(w, cut)), None)
    if w is None or not 2 <= cut <= 3:
        return cut, prods
    rest = [(s + cut + len(w), e + cut + len(w)) for s, e in product_spans(name[cut + len(w):])]
    if not rest or rest[0][0] != cut + len(w) or rest[0][1] - rest[0][0] < 3:
        return cut, prods
    return cut + len(w), rest


def _brand_and_company_word(name: str) -> str | None:
    """某某新材料项目, 某某科技项目: a brand of two or three characters and a company word, then
    only the project word: the firm's short name (its project names no product)."""
    core = _strip_tails(name) if name.endswith(("项目", "工程")) else None
    if core is None or core == name:
        return None
    if not core.endswith(_company_heads()):
        return None  # (one test for all the heads)
    v = vocab()
    for h in _company_heads():
        brand = core[:-len(h)]
        if core.endswith(h) and 2 <= len(brand) <= 3 and brand not in v["modifiers"] and brand not in v["terms"] \
                and not common_word(brand) and not is_generic(brand) and not _one_common_word(brand) \
                and not product_spans(brand) and not _place_opens(core) and _firm_prefix(core, min_p=0.0):
            return core
    return None


def _place_opens(core: str) -> bool:
    """A place's name opens it (某地新材料|产业园项目): the place's park or trade, not a firm."""
    return core[:2] in place_forms() or core[:3] in place_forms()


def _one_common_word(text: str) -> bool:
    """One dictionary word that is no proper name (数字, 综合, 绿色): a description, not a brand."""
    toks = nlp.posseg(text)
    return len(toks) == 1 and toks[0][1] not in NAME_POS


def _place_brand(part: str) -> bool:
    """A place and a brand of two or three characters (温州禾田): model_split's shape of a short
    firm name, here ended by a known product."""
    place = next((k for k in (3, 2) if part[:k] in place_forms()), 0)
    return bool(place) and 2 <= len(part) - place <= 3 and _firm_prefix(part, min_p=0.0)


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


@lru_cache(maxsize=1)
def _company_heads() -> tuple[str, ...]:
    from .names import _lex
    return tuple(sorted(_lex()["heads"] - vocab()["modifiers"], key=len, reverse=True))  # 精密 may start a product


def _strip_tails(name: str) -> str:
    tails = vocab()["project_tails"]
    while True:
        t = next((t for t in tails if name.endswith(t) and len(name) > len(t) + 3), None)
        if t is None:
            return name
        name = name[: -len(t)]


def _first_boundary(name: str, limit: int) -> int:
    """Where the name's leading part ends: a place, a figure, a bracket or the first product."""
    forms = place_forms()
    for i in range(2, min(limit, 10)):
        ch = name[i]
        if ch.isdigit() or ch in "（(“\"" or name[i:i + 2] in forms or name[i:i + 3] in forms or name[i:i + 4] in forms:
            while ch.isdigit() and i > 2 and name[i - 1].isascii() and name[i - 1].isalpha():
                i -= 1  # 某航空|C929客机: a model number's letters go with its figures
            return i
    return limit


def _firm_prefix(part: str, min_p: float = FIRM_P) -> bool:
    v = vocab()
    if not 2 <= len(part) <= 8 or is_generic(part) or part.startswith(v["project_starts"]):
        return False
    if any(part[:k] in full_divisions() for k in (2, 3, 4)) or part in place_forms() \
            or part in v["terms"] or part in v["modifiers"] or part.endswith(_park_suffixes()):
        return False  # 某区某矿: an official place name starts it (长安汽车 is a firm, 长安区 a place)
    toks = nlp.posseg(part)
    if len(toks) == 1 and toks[0][1] not in NAME_POS:
        return False  # one common word (光电, 智慧) is a description, not a firm
    return namemodel.probability(part) >= min_p


@lru_cache(maxsize=1)
def _park_suffixes() -> tuple[str, ...]:
    """开发区, 产业园 …: a project opening with a park's name is sited there, not built by it."""
    return tuple(load_json("extract_lexicon.json")["park_suffixes"])


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
        if m is not p and (m.type in TYPE_ORDER or m.type == "Product") and m.end <= p.start + n:
            state.drop(m)  # a place or product word inside a firm's name is part of the name
    firm = nested(state, p.start, p.start + n, "project-name", "Enterprise")
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
    return nested(state, s, e, "project-name")


def _places(state, p: Mention, skip: int, context: dict) -> None:
    """The places a project is named after are mentions (the gold guidelines count them, unlike
    places inside firm or park names) and where the project is."""
    for s, e, typ, official in places_in(p.text, skip, frozenset(context)):
        typ = context.get(official, typ)  # as the document's other mentions of it are typed
        if any(m is not p and m.type != "Product" for m in state.at(p.start + s, p.start + e)):
            continue
        place = nested(state, p.start + s, p.start + e, "project-name", typ)
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
        known = _known_firms(state)
        for p in [m for m in state.ex.mentions if m.type == "Project"]:
            firm_text, prods = _known_prefix(p.text, known) or _listed_prefix(p.text) or split_project(p.text)
            if firm_text and _free_for_firm(state, p, firm_text):
                _firm(state, p, firm_text, prods)
            park = next((m for m in state.at(p.start, p.end) if m.type == "Park" and m.start == p.start), None)
            if park is not None and not firm_text:
                _strip_firm(state, p, park.end - p.start)  # 某开发区光伏组件项目: the product is 光伏组件
            _places(state, p, len(firm_text or ""), context)
    return run


def _known_firms(state) -> list[str]:
    """The names the document's firm mentions go by outside project names, longest first (a firm
    read off a project's name is a guess this component may correct)."""
    projects = sorted((m.start, m.end) for m in state.ex.mentions if m.type == "Project")
    starts, reach, far = [a for a, _ in projects], [], -1
    for _, b in projects:  # reach[i]: the furthest end of the projects up to the i-th
        far = max(far, b)
        reach.append(far)

    def inside(m) -> bool:
        i = bisect_right(starts, m.start) - 1
        return i >= 0 and reach[i] >= m.end

    names = {n for m in state.ex.mentions if m.type == "Enterprise" and m.source != "coref" and not inside(m)
             for n in (m.text, m.canonical)}
    return sorted((n for n in names if len(n) >= 3), key=len, reverse=True)


def _known_prefix(name: str, known: list[str]) -> tuple[str, list] | None:
    """A project's name that opens with a firm the document names elsewhere (某某复合材料|风电叶片项目):
    that firm, and the products of the rest, where the product words would have swallowed the
    firm's trade word."""
    firm = next((n for n in known if name.startswith(n) and len(name) - len(n) >= 4), None)
    if firm is None:
        return None
    return firm, [(s + len(firm), e + len(firm)) for s, e in product_spans(name[len(firm):])]


def _listed_prefix(name: str) -> tuple[str, list] | None:
    """A project's name that opens with a well-known firm of the gazetteer (某某新航|动力电池项目),
    written as the gazetteer writes it, of three characters or more, not one that is also an
    everyday word or a place: that firm and the products of the rest."""
    forms, _ = gazetteer_forms()
    for k in range(min(10, len(name) - 4), 2, -1):  # not two characters: a joint venture may open with one firm's short form
        entry = forms.get(name[:k])
        if entry is not None and not entry.ambiguous:
            return name[:k], [(s + k, e + k) for s, e in product_spans(name[k:])]
    return None

