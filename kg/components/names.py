"""Word-level tests shared by the components: where a name starts, whether a string is name-like.

Both read jieba's segmentation and POS dictionary (kg.nlp.posseg), nothing fitted to a text."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .. import namemodel, nlp
from ..resources import data_dir
from . import load_json

# tokens that never begin a name: verbs, adverbs, prepositions, conjunctions, pronouns, particles,
# locality and time words, numerals and classifiers, distinguishing words (国家级, 大型)
STRIP_POS = {"v", "vn", "vd", "a", "ad", "d", "p", "c", "r", "u", "uj", "ul", "uz", "ug", "uv", "ud",
             "f", "t", "m", "q", "mq", "y", "zg", "e", "o", "b", "l", "i"}
# tokens that may begin a proper name: places, person names, organisations, other proper nouns,
# abbreviations, Latin words
PROPER_POS = {"ns", "nr", "nrt", "nrfg", "nt", "nz", "j", "eng"}
PLACE_PERSON_POS = {"ns", "nr", "nrt", "nrfg", "nt", "eng"}  # jieba's nz is often a technical term
CONTEXT_POS = {"v", "vd", "d", "ad", "p", "c", "r"}
NAME_CHAR_POS = {"n", "ng", "b"}  # tags of a single character that may open a name before a proper word
FUNCTION_POS = {"r", "p", "d", "ad", "t", "uj", "ul"}  # … after one of these (其中|晶|瑞光电; not 和|力|拓: two firms)
BUILD_WORDS = {"建设", "新建", "扩建", "兴建", "开建", "投建", "开工", "打造", "投资", "投资建设", "建成", "推进", "实施"}


@lru_cache(maxsize=1)
def _lex() -> dict:
    lex = load_json("extract_lexicon.json")
    names = load_json("patterns/generic_names.json")
    countries = tuple(sorted(names["countries"], key=len, reverse=True))
    generic = set(names["words"]) | set(countries)
    generic |= set(lex["company_generic_heads"]) | set(lex["park_generic_heads"]) | set(lex["project_generic"])
    ctx = load_json("patterns/left_context.json")
    left = set(lex["left_stops"]) | set(ctx["words"])
    policy = sorted(ctx["policy_verbs"], key=len, reverse=True)
    titles = tuple(names["person_titles"])
    copulas = frozenset(names["copulas"])
    right = frozenset(ctx["right_words"])
    inner = frozenset(ctx["inner_verbs"])
    verbs = frozenset(left | set(ctx["object_verbs"]) | set(ctx["fused_verbs"]) | inner | set(policy))  # any word that comes before names
    appositive = tuple(sorted(names["appositive_heads"], key=len, reverse=True))
    return {"left_stops": left, "right_words": right, "generic": generic, "titles": titles, "copulas": copulas, "policy_verbs": policy,
            "suffixes": tuple(lex["company_suffixes"]), "heads": set(lex["company_heads"]),
            "park_suffixes": tuple(lex["park_suffixes"]),
            "non_project_endings": tuple(names["non_project_endings"] + lex["org_suffixes"]),
            "appositive": appositive, "descriptors": tuple(names["descriptors"]), "countries": countries,
            "inner_verbs": inner, "name_verbs": verbs, "common_verb_freq": ctx["common_verb_freq"],
            "chain_scope": sorted(ctx["chain_scope_words"], key=len, reverse=True), "fused_verbs": frozenset(ctx["fused_verbs"]),
            "rare_name_word_freq": ctx["rare_name_word_freq"], "rare_noun_freq": ctx["rare_noun_freq"],
            "trade_verbs": frozenset(ctx["trade_verbs"]), "object_verbs": frozenset(ctx["object_verbs"]),
            "lead_particles": frozenset(ctx["lead_particles"]), "right_phrases": tuple(ctx["right_phrases"])}


NAME_JOINS = ("和", "与", "及", "、")
LEVEL_CHARS = "县区市旗省州盟"  # the level word that ends a division's full name
PREPOSITION_NAME_CHARS = ("同", "与", "和")  # right after a NAME_JOINS word, the first character of a name


def opens_after_join(text: str, pos: int) -> bool:
    """text[pos] is 同, 与 or 和 right after a conjunction (和|同益…): the name's first character,
    not a preposition before it."""
    return 0 < pos < len(text) and text[pos - 1] in NAME_JOINS and text[pos] in PREPOSITION_NAME_CHARS


def name_start(text: str) -> tuple[int, list[str]]:
    """Offset in text where a name starts, and the words stripped before it.

    Words are stripped only before the first proper-name word (a place, person or organisation
    word) and only when at least one of them can never begin a name: 快建设临河…产业园 → 临河…,
    项目拟选址东湖工业园 → 东湖工业园, 完工投产星河汽车… → 星河汽车…; a description before the
    name ends with its head noun (钢铁企业某某公司 → 某某公司) or an aspect particle (标志着某集团)."""
    off, stripped = _name_start(text)
    return off, list(stripped)


@nlp.text_cache
def _name_start(text: str) -> tuple[int, tuple[str, ...]]:
    """name_start, cached (the same windows come back from several components)."""
    toks = nlp.posseg(text)
    cut = _described_start(text, toks) or _lead_particle(text, toks)
    if cut:
        return cut, (text[:cut],)
    first_proper = _first_name_word(toks)
    if not first_proper:
        return 0, ()
    lead = toks[:first_proper]
    if not lead:
        return 0, ()
    if any(t == "x" or any(c.isdigit() for c in w) or w.startswith("年产") for w, t in lead):
        return 0, ()  # brackets, figures, capacities (年产10亿只的…生产线): part of the name
    # a real left context: a cue word, or a verb, adverb or preposition of two characters
    # (吾xx, 旺xx stay; jieba's vn/j tags on 设备/研发 are too loose to count)
    if not any(w in _lex()["left_stops"] or (t in CONTEXT_POS and len(w) >= 2) for w, t in lead):
        return 0, ()
    off = sum(len(w) for w, _ in lead)
    if len(text) - off < 2:
        return 0, ()
    return off, tuple(w for w, _ in lead)


def _first_name_word(toks) -> int | None:
    """Index of the word a name opens with: the first proper-name word, or a one-character word
    right before it that belongs to the name."""
    first = next((i for i, (w, t) in enumerate(toks) if t in PROPER_POS and t != "j"), None)
    if not first:
        return first
    while first and toks[first - 1][1] == "j" and len(toks[first - 1][0]) == 1:
        first -= 1  # 随后|滇虹药业: a one-character place abbreviation opens the name
    if first >= 2 and len(toks[first - 1][0]) == 1 and toks[first - 1][1] in NAME_CHAR_POS \
            and toks[first - 2][1] in FUNCTION_POS:
        first -= 1  # 其中|晶瑞光电: a one-character noun after a function word opens the name
    return first


def countries() -> tuple[str, ...]:
    """generic_names.json countries, longest first."""
    return _lex()["countries"]


def person_titles() -> tuple[str, ...]:
    """generic_names.json person_titles: 董事长, 记者 …"""
    return _lex()["titles"]


def lead_particle(text: str) -> int:
    """_lead_particle of text (a project's name after its firm: 某纸业|因|某技改项目)."""
    return _lead_particle(text, nlp.posseg(text)) if text else 0


def _lead_particle(text: str, toks) -> int:
    """1 when text opens with a one-character preposition or conjunction jieba reads as a word of
    its own (因|某技改项目, 与|某公司) and no place's name starts there; else 0."""
    if len(toks) < 2:
        return 0
    w, t = toks[0]
    if len(w) != 1 or t not in ("p", "c") or w not in _lex()["lead_particles"]:
        return 0
    return 0 if any(text[:k] in place_forms() for k in (2, 3, 4)) else 1


def after_object_verb(text: str) -> int:
    """Where a firm's name with no proper word starts after a verb that takes a firm as its object
    (记者走进|某某电气); 0 if none."""
    toks = nlp.posseg(text)
    if any(t in PROPER_POS and t != "j" for _, t in toks):
        return 0  # (name_start's case)
    p, cut = 0, 0
    for w, _t in toks[:-1]:
        p += len(w)
        rest = text[p:]
        if w in _lex()["object_verbs"] and w not in _lex()["trade_verbs"] and len(rest) >= 2 \
                and not rest.startswith(_lex()["suffixes"]) and rest[0] not in "（(":
            cut = p
    return cut


PARTICLES = {"uz", "ul", "ug"}  # 着, 了, 过: a verb's, never inside a name


def _described_start(text: str, toks) -> int:
    """After the last aspect particle, or after a descriptive head noun (企业, 巨头, 上市公司)
    that a name beginning with a proper word follows: 钢铁企业某某公司, 标志着某集团."""
    p, cut = 0, 0
    if len(toks) > 1 and toks[0][1] in ("p", "c") and toks[0][0] in _lex()["left_stops"] and len(text) >= 4:
        cut = len(toks[0][0])  # 除某集团, 据某公司: a name does not begin with a preposition
    for i, (w, t) in enumerate(toks[:-1]):
        p += len(w)
        rest = toks[i + 1]
        if len(text) - p < 2:
            break
        if w in _lex()["inner_verbs"] and len(text) - p >= 4:
            cut = p  # 甲中标乙公司: the name is the deal's other side
        elif t in PARTICLES or (text[:p].endswith(_lex()["appositive"]) and len(text) - p >= 3
                              and (not text[:p].endswith("基地") or text.endswith(_lex()["suffixes"]))
                              and (rest[1] in PROPER_POS or not generic_company(text[p:]))
                              and not text[p:].startswith(_lex()["suffixes"])):
            cut = p
    return cut


RIGHT_POS = {"d", "p", "u", "uj", "ul", "c", "y", "r", "mq"}


@nlp.text_cache
def name_end(text: str) -> int:
    """Where a firm's name ends once the words glued after it are gone: 某某锂电年产 → 某某锂电,
    某某重工等均在 → 某某重工 (function words, and the verbs of right_words and right_phrases)."""
    toks = nlp.posseg(text)
    ends, p = [], 0
    for w, t in toks:
        if w == "等" and p >= 2:
            break
        p += len(w)
        ends.append((p, w, t))
    while len(ends) > 1 and ends[-2][0] >= 2 and (ends[-1][2] in RIGHT_POS or ends[-1][1] in _lex()["right_words"]):
        ends.pop()
    end = ends[-1][0] if ends else len(text)
    phrase = next((w for w in _lex()["right_phrases"] if text.endswith(w, 0, end) and end - len(w) >= 2), None)
    return name_end(text[:end - len(phrase)]) if phrase else end


STOP_POS = {"t", "p", "d", "c", "u", "uj", "ul", "uz", "ug", "y"}


def clause_verb(name: str) -> bool:
    """name holds a common verb of two characters or more that no trade is named by (发布, 掀起;
    not 显示, 封装): a clause, not a product's name."""
    lex = _lex()
    return any(t == "v" and len(w) >= 2 and w not in lex["trade_verbs"] and nlp.freq(w) >= lex["common_verb_freq"]
               for w, t in nlp.posseg(name))


def _common_verb(w: str, t: str) -> bool:
    return t == "v" and (w in _lex()["name_verbs"] or nlp.freq(w) >= _lex()["common_verb_freq"])


def has_common_verb(text: str) -> bool:
    """A common verb or verbal noun in text (销售, 采购): a clause, not a name."""
    return any(_common_verb(w, "v" if t == "vn" else t) for w, t in nlp.posseg(text))


@nlp.text_cache
def name_after_verb(text: str) -> int:
    """Where a firm's name starts after the subject and verb glued before it (某市发挥某重工):
    after the last common verb that leaves at least two characters."""
    p, cut = 0, 0
    toks = nlp.posseg(text)
    for i, (w, t) in enumerate(toks[:-1]):
        p += len(w)
        if _common_verb(w, t) and len(text) - p >= 2 and not _split_name_char(toks, i):
            cut = p
    return cut


@nlp.text_cache
def name_stop(text: str) -> int:
    """Where a firm's name ends when the rest of its clause is glued to it (某重工今年产值…,
    某重工被认定为…, 某重工扩大产能): after a legal suffix, else before the first time word,
    function word or common verb after the name's first two characters."""
    rest = text[2:]
    ends = [text.find(s) + len(s) for s in _lex()["suffixes"] if s in rest]
    if ends:
        return min(ends)
    p = 0
    for w, t in nlp.posseg(text):
        if p >= 2 and (t in STOP_POS or w in _lex()["right_words"] or _common_verb(w, t)):
            return p
        p += len(w)
    return len(text)


COMMON_POS = {"n", "v", "vn", "a", "ad", "d", "ns", "s", "f"}


@nlp.text_cache
def common_word(name: str) -> bool:
    """One dictionary word of common use (电器, 石油), or a two-letter acronym (IT): what a
    short form or a repeated mention must not be, though a firm's full name may contain it."""
    toks = nlp.posseg(name)
    return len(toks) == 1 and (toks[0][1] in COMMON_POS or toks[0][1] == "eng" and len(name) <= 2)


QUANTIFIERS = ("一些", "一家", "这家", "那家", "这些", "那些", "多家", "各家", "有的", "该", "此", "其", "某", "各")
PRONOUN_LEADS = ("哪", "那个", "这个", "每个", "每家", "任何", "其他", "其它", "整个", "各个")
# 三大, 两家, 第二大: a count of firms; not a model number (Z300大型) nor 大型/大规模 after a figure
COUNTED = re.compile(r"(?<![A-Za-z\d.])第?[\d一二三四五六七八九十两几数多]+(?:大(?![型规])|家|个)")


def strip_descriptors(core: str) -> str:
    """core without the quantifiers, counts and descriptive words before it (一些, 三大, 大型, 当地)."""
    words = QUANTIFIERS + _lex()["descriptors"]
    while core:
        m = COUNTED.match(core)
        w = next(w for w in words if core.startswith(w)) if core.startswith(words) else ""
        if not (m or w):
            break
        core = core[m.end() if m else len(w):]
    return core


@nlp.text_cache
def _company_of_a_trade(core: str) -> bool:
    """电缆公司 (a product's), 器械公司, 美国光伏公司 (an industry's): a kind of company, not one;
    中国黄金集团公司 names one (a country before a product)."""
    from .products import is_product  # (products reads this module)
    if core and is_product(core):
        return True
    core = strip_descriptors(_strip_country(core))
    return bool(core) and (_industry_word(core) or core in company_words())


def generic_company(name: str) -> bool:
    """A kind of company written with a legal suffix (物业管理公司, 一些期货公司, 中国公司, 三大公司,
    济南有限公司), not a company: what is left without the suffix, the quantifiers and the
    descriptive words is a company-type word, a generic word, a country or a place."""
    suffix = next((s for s in _lex()["suffixes"] if name.endswith(s)), None)
    if suffix is None:
        return bool(COUNTED.fullmatch(name))
    core = strip_descriptors(name[: -len(suffix)])
    lead = _function_lead(core)
    if lead and generic_company(name[lead:]):
        return True  # 要看主流公司, 比如说跨国公司: words of the sentence before a kind of company
    if suffix.endswith("厂") and (rest := _strip_place(core)) and not any(tag in PROPER_POS for _, tag in nlp.posseg(rest)):
        return True  # 电子制造厂, 常州两座卡车轮胎厂: a factory is a firm's name with a place or a proper name before it
    if core.startswith(PRONOUN_LEADS) or core.endswith("等"):
        return True  # 哪一个公司, 那个公司; 甲等公司: a list's head, not a firm's name
    kind = strip_descriptors(_strip_place(core))
    if kind in _platform_firms() and kind != core:
        return False  # 某市农发集团: a place's own investment company, one firm
    if kind.endswith("企业") and (kind[:-2] in _company_types() or _industry_word(kind[:-2])):
        return True  # 山西省大型煤炭企业集团: a group of an industry's firms (河北钢铁集团 is one firm)
    if suffix.endswith("公司"):
        if _company_of_a_trade(core):
            return True
        core = strip_descriptors(_strip_country(core))
    return not core or core in _company_types() or is_generic(core) or place_core(name) or _activity(core)


LEAD_POS = {"v", "d", "p", "c", "r", "l", "u", "uj"}


def _function_lead(core: str) -> int:
    """Length of the verbs and function words opening core when no proper noun follows them."""
    toks = nlp.posseg(core)
    if any(t in PROPER_POS for _, t in toks):
        return 0
    n = 0
    for i, (w, t) in enumerate(toks[:-1]):
        if t not in LEAD_POS or t == "v" and not _common_verb(w, t):
            break  # a rare 'verb' is jieba's guess at a trade name (启明)
        if i == 0 and len(w) == 1 and t == "v" and toks[i + 1][1] not in LEAD_POS:
            break  # a lone 'verb' before a noun: a trade name's character (聚|力|精密), not 要|看
        n += len(w)
    return n


@lru_cache(maxsize=1)
def _platform_firms() -> frozenset[str]:
    return frozenset(load_json("patterns/generic_names.json")["platform_firms"])


def _strip_place(core: str) -> str:
    """core without a leading division name (山西省, 山西): what kind of company is left."""
    k = next((k for k in (4, 3, 2) if len(core) > k and core[:k] in place_forms()), 0)
    return core[k:]


def _strip_country(core: str) -> str:
    lead = next((c for c in _lex()["countries"] if core.startswith(c)), "")
    core = core[len(lead):]
    return core[1:] if core.startswith("某") else core


def _industry_word(core: str) -> bool:
    """One everyday noun, not a place (太阳能, 器械, 百货): what a company deals in, not its name."""
    toks = nlp.posseg(core)
    return len(toks) == 1 and toks[0][1] in ("n", "vn") and namemodel.probability(core) < 0.5


def _rare_word_alone(toks) -> bool:
    """One word jieba tags a verb but hardly knows (宏碁): a trade name, not something done."""
    return len(toks) == 1 and len(toks[0][0]) >= 2 and nlp.freq(toks[0][0]) < _lex()["rare_name_word_freq"]


def _activity(core: str) -> bool:
    """做大做强, 铬铁矿勘探: words of doing with no proper name in them, which the firm-name model
    does not take for a name: what a company does, not which company."""
    toks = nlp.posseg(core)
    return (toks[-1][1] in ("v", "vn", "a") and not _rare_word_alone(toks)
            and not any(t in PLACE_PERSON_POS for _, t in toks) and not _trade_name_first(toks)
            and namemodel.probability(core) < 0.5)


def trade_name_and_trade(name: str) -> bool:
    """name is a trade name and the trade it ends with (某星显示, 某力精密)."""
    return _trade_name_first(nlp.posseg(name))


def _trade_name_first(toks) -> bool:
    """A trade name and the trade a verb names (某星|铸造, 某星|显示): a firm's name, not an activity."""
    return len(toks) > 1 and toks[-1][0] in _lex()["trade_verbs"] \
        and _trade_name_before("".join(w for w, _ in toks[:-1]))


NOT_TRADE_NAME_TAGS = frozenset(("m", "q", "d", "p", "c", "r", "u", "uj", "f", "t"))
FIRM_WORDS = frozenset(("公司", "企业", "集团", "工厂", "厂"))


def _trade_name_before(head: str) -> bool:
    """head, before a trade verb and a legal suffix, may be a trade name: two characters or more, a
    word jieba hardly knows (below rare_noun_freq) and no product or company word (光伏|发电 and
    市场|开拓 are kinds of firm)."""
    from .products import is_product  # (products reads this module)
    if len(head) < 2 or nlp.freq(head) >= _lex()["rare_noun_freq"] or is_product(head) or head in company_words():
        return False
    toks = nlp.posseg(head)  # no count, function word, common verb or company word in it, no product at its end
    return not any(t in NOT_TRADE_NAME_TAGS or w in company_words() or w in FIRM_WORDS
                   or _common_verb(w, t) and not _split_name_char(toks, i)
                   for i, (w, t) in enumerate(toks)) and not is_product(toks[-1][0])  # (婴儿食品)


def _split_name_char(toks, i: int) -> bool:
    """Token i is a lone character after another: a trade name jieba split, whatever it tags them
    (德|润, 聚|力), not a verb of the clause."""
    return len(toks[i][0]) == 1 and i > 0 and len(toks[i - 1][0]) == 1


def place_core(name: str) -> bool:
    """A place and 公司 only (济南有限公司, 山东公司): a subsidiary written after its parent. A
    group may be named after its place (北辰集团)."""
    suffix = next((s for s in _lex()["suffixes"] if name.endswith(s)), None)
    return suffix is not None and suffix.endswith("公司") and name[: -len(suffix)] in place_forms()


@lru_cache(maxsize=1)
def place_forms() -> dict[str, list[tuple[str, str, str]]]:
    """Division names and their short forms (保山市 → 保山) → [(type, official name, parents)],
    a city before a county before a province (长沙 → 长沙市, then 长沙县)."""
    import csv

    order = {"City": 0, "County": 1, "Province": 2}
    rows = []
    with open(data_dir() / "divisions.tsv", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["type"] in order:
                parents = " ".join(x for x in (r["parent_city"], r["parent_province"]) if x)
                rows.append((order[r["type"]], r["name"], r["short_name"] or r["name"], r["type"], parents))
    out: dict[str, list[tuple[str, str, str]]] = {}
    for _, name, short, typ, parents in sorted(rows):
        for form in {name, short}:
            if len(form) >= 2:
                out.setdefault(form, []).append((typ, name, parents))
    return out


def place_prefix(name: str, start: int = 0, min_rest: int = 2, types: tuple[str, ...] = ()) -> int:
    """Length of the division name or short form (of one of types, if given) that opens name at
    start and leaves min_rest characters after it (山西|青禾电池, 某市|新材料产业链); 0 if none."""
    forms = place_forms()
    for k in (4, 3, 2):
        rows = forms.get(name[start:start + k])
        if rows and len(name) - start - k >= min_rest and (not types or any(r[0] in types for r in rows)):
            return k
    return 0


@lru_cache(maxsize=1)
def _company_types() -> frozenset[str]:
    return frozenset(load_json("patterns/generic_names.json")["company_types"])


PARK_HEADS = ("产业园区", "工业园区", "产业园", "工业园", "园区")


def generic_park(name: str) -> bool:
    """园区 with a count, a pronoun or one descriptive word before it (2个园区, 这些园区, 配套园区),
    or with nothing that names it: a mention of parks in general."""
    head = next((h for h in PARK_HEADS if name.endswith(h)), None)
    if head is None:
        return False
    core = name[: -len(head)]
    if not core:
        return True
    if core in place_forms():
        return False  # 三门工业园区: a place's name, however jieba tags it
    toks = nlp.posseg(core)
    if any(t in ("m", "q", "r") for _, t in toks):
        return True
    return len(toks) == 1 and toks[0][1] in ("a", "ad", "v", "vn", "d", "b")


def company_words() -> set[str]:
    """Words that end a short firm name (控股, 科技, 药业): the rule lexicon's company heads."""
    return _lex()["heads"]


PROJECT_WORDS = ("项目", "工程")


@nlp.text_cache
def category_project(name: str) -> bool:
    """太阳能项目, 文旅项目: one common word before 项目 names a kind of project, not a project
    (a product is a project's name: 数控机床项目)."""
    from .products import vocab

    core = next((name[: -len(w)] for w in PROJECT_WORDS if name.endswith(w)), None)
    if not core:
        return False
    if core.startswith(_scope_leads()):
        return True  # 全县光伏项目: a place's projects of a kind, together
    if core in vocab()["terms"] or core.endswith("期") or any(c.isdigit() for c in core):
        return False  # 芯片项目, 二期项目: a product or a phase
    toks = nlp.posseg(core)
    if any(t in PLACE_PERSON_POS for _, t in toks):
        return False
    return len(toks) == 1 or len(core) <= 2  # 太阳能, 文旅


@lru_cache(maxsize=1)
def _scope_leads() -> tuple[str, ...]:
    """全县, 本市, 我省 …: the scope words (left_context.json) that speak of a whole place."""
    return tuple(w for w in _lex()["chain_scope"]
                 if len(w) == 2 and w[0] in "全本我该" and w[1] in "市省县区州")


def common_words_only(name: str) -> bool:
    """No place, person or organisation word in the name (jieba's tags; its j and nz tags are often
    an industry's words: 光伏, 铬铁矿)."""
    return not any(t in PLACE_PERSON_POS for _, t in nlp.posseg(name))


@lru_cache(maxsize=1)
def project_events() -> tuple[str, ...]:
    return tuple(load_json("patterns/generic_names.json")["project_events"])


@lru_cache(maxsize=1)
def project_modifier_tails() -> tuple[str, ...]:
    return tuple(load_json("patterns/generic_names.json")["project_modifier_tails"])


def legal_suffixes() -> tuple[str, ...]:
    """有限公司, 集团 …: the rule lexicon's company suffixes, longest first."""
    return _lex()["suffixes"]


def is_generic(name: str) -> bool:
    return name in _lex()["generic"]


_PUNCTUATION = frozenset("，。；：,;:！？“”\"《》")  # characters no name holds
_NOT_IN_FIRM_LIKE = _PUNCTUATION | frozenset("等的")
_NOT_IN_STRONG_FIRM = _NOT_IN_FIRM_LIKE | frozenset("某")
CLAUSE_POS = frozenset({"d", "p", "c", "u", "uj", "ul"})  # one-character adverbs and particles (也, 还, 在): no word of a name


def no_project(name: str) -> bool:
    """name ends like a body, a hospital or an event (某市档案局, 某博览会): no project, whatever its list's head."""
    return name.endswith(_lex()["non_project_endings"])


@nlp.text_cache
def firm_like(name: str, known: bool = False, listed: bool = False) -> bool:
    """Could name be a firm? known: already a firm mention; listed: an item of a list whose head
    says firms (大众、奥迪等车企), where a common word may still be a brand."""
    if known:
        return True
    if not 2 <= len(name) <= 24 or is_generic(name) or name.isdigit():
        return False
    if not _NOT_IN_FIRM_LIKE.isdisjoint(name) or "多家" in name:
        return False
    if any(t in name for t in _lex()["titles"]):
        return False  # 董事长李某: a person
    if name.endswith(("项目", "基地", "园", "工程", "产业", "行业", "品牌", "产品")) or name.endswith(_lex()["park_suffixes"]):
        return False  # a project, a trade or a park (某物流园区)
    toks = nlp.posseg(name)
    return not _odd_words(toks) and (listed or not _unvouched_odd(toks))


def _odd_words(toks) -> bool:
    """Word shapes no firm name has, whatever vouches for it."""
    if toks[0][1] in {"r", "p", "c", "u", "uj", "d", "m", "q", "t", "f"} and not _trade_name_opening(toks) \
            or toks[-1][1] in {"uj", "u", "p", "c", "y", "f"}:
        return True  # …建成后, 该…, 在…: not where a name starts or ends
    if is_generic(toks[0][0]) and len(toks) > 1 and toks[1][1] in ("v", "vn", "vd", "d", "f"):
        return True  # 项目建成, 企业加快: a generic subject and its verb
    if all(t in ("v", "vd", "vn", "d", "ad", "a") for _, t in toks):
        return True  # 要发挥, 创新: words of doing, not a name
    if len(toks[-1][0]) == 1 and toks[-1][1] == "v":
        return True  # 零部件做
    if len(toks) > 1 and toks[-1][1] == "q" and toks[-2][1] == "m":
        return True  # 达到5家: a count
    return toks[0][0][-1:] in ("省", "市") and len(toks) == 2 and toks[1][0] in _lex()["heads"]  # 某省汽车


def _trade_name_opening(toks) -> bool:
    """A lone first character jieba tags as a direction, count or adverb, in a name the firm-name
    model is sure of (中|鼎|钢铁, 天|润|汽车): the trade name's."""
    return len(toks) > 2 and len(toks[0][0]) == 1 and toks[0][1] in ("f", "q", "d") \
        and namemodel.probability("".join(w for w, _ in toks)) >= SURE_FIRM_P


def _unvouched_odd(toks) -> bool:
    """Shapes a firm name has only when a list head or a role vouches for it."""
    if len(toks) > 1 and toks[-1][1] in ("v", "vn") and toks[-1][0] not in _lex()["heads"] \
            and not _trade_name_first(toks):
        return True  # 养殖加工, 园林绿化: an activity, not a name (某星|显示 is one)
    if len(toks) == 1 and toks[0][1] not in PROPER_POS:
        return True  # a single common word (客户, 企业, 项目) needs a list head to be a firm
    return toks[0][1] in {"v", "vn", "a", "ad"} and not any(t in PROPER_POS for _, t in toks)  # 推动产业链


@nlp.text_cache
def clearly_not_name(name: str) -> bool:
    """A firm mention from the rules that no reader would take for a name: punctuation inside,
    an activity (推动产业链), a dangling verb (零部件做), a place plus an industry word."""
    if not _PUNCTUATION.isdisjoint(name) or is_generic(name):
        return True
    toks = nlp.posseg(name)
    if len(toks[-1][0]) == 1 and toks[-1][1] == "v" and len(name) >= 4 and namemodel.probability(name) < LIKELY_NAME_P:
        return True  # 零部件做; not 某帆光|能, which jieba cuts before a verb-like last character
    if toks[0][0][-1:] in ("省", "市") and len(toks) == 2 and toks[1][0] in _lex()["heads"]:
        return True
    return toks[0][1] in ("v", "vn", "ad", "d", "p") and not (_rare_word_alone(toks[:1]) and name.endswith(_lex()["suffixes"])) \
        and not any(t in PROPER_POS for _, t in toks)


SURE_FIRM_P = 0.9
LIKELY_NAME_P = 0.5  # firm-name model probability from which a name's odd last word is jieba's cut, not a verb


@nlp.text_cache
def strong_firm(name: str) -> bool:
    """A name that looks like a firm's without a list or role to vouch for it, by the firm-name
    model (kg.namemodel): likely on its own, or less likely but ending in a company word after a
    name of two characters or more (云帆电子, 青禾能源)."""
    from .products import is_product  # (products reads this module)
    if not 2 <= len(name) <= 16 or is_generic(name) or not _NOT_IN_STRONG_FIRM.isdisjoint(name):
        return False  # 某: a firm the text does not name
    if is_product(name):
        return False  # 锂矿, 正极材料: what a firm makes
    if any(t in name for t in _lex()["titles"]):
        return False  # 某光电副总经理王: a person and their title
    toks = nlp.posseg(name)
    p = namemodel.probability(name)
    odd_start = {"r", "p", "c", "t", "f", "m", "q"} | ({"d"} if p < SURE_FIRM_P else set())  # 尚德电力: a brand's 尚
    if _trade_name_opening(toks):
        odd_start -= {"f", "q", "d"}
    if toks[0][1] in odd_start or starts_with_division(name):
        return False  # 该项目, 某区聚焦: a firm is not written with the official name of a place
    copulas = _lex()["copulas"]
    if any(w in copulas for w, _ in toks[1:]) or _adverb_after_head(toks):
        return False  # 某公路是某路网, 某电子也很少: a clause, not a name
    heads = _lex()["heads"]
    if p >= 0.5 or _trade_name_first(toks):
        return True  # (某星|显示: a trade name and its trade, which the model hardly saw)
    head = toks[-1][0] if toks[-1][0] in heads else _head_suffix(name, heads)  # 蓝桥|新|材: jieba splits the head
    return p >= 0.15 and len(toks) > 1 and head is not None and len(name) - len(head) >= 2


def _adverb_after_head(toks) -> bool:
    """A one-character adverb or particle ending the name or right after a company word (某电子也很少,
    某控股仍): the clause goes on after the name. Inside a trade name (某都药业) it is the name's."""
    heads = _lex()["heads"]
    return any(len(w) == 1 and tag in CLAUSE_POS and (i == len(toks) - 1 or toks[i - 1][0] in heads)
               for i, (w, tag) in enumerate(toks) if i)


def _head_suffix(name: str, heads) -> str | None:
    """The company word of two characters or more that ends name, whatever jieba made of it."""
    return next((name[-k:] for k in (4, 3, 2) if len(name) > k and name[-k:] in heads), None)


def trade_words_only(name: str) -> bool:
    """Common words of two characters or more of which one is a product word or modifier: the name
    of a trade (what is left of 某地稀土集团, 某地智能装备公司), not of a firm (茅台 stays)."""
    from .products import vocab  # (products reads this module)

    toks, v = nlp.cut(name), vocab()
    return all(len(t) >= 2 and common_word(t) for t in toks) \
        and any(t in v["terms"] or t in v["modifiers"] for t in toks)


@nlp.text_cache
def chain_start(name: str) -> int:
    """Where a chain or cluster name starts once the policy verbs and the scope before it are gone:
    做强X产业链 → X产业链, 全市X产业链 → X产业链 (新材料产业链 keeps its 新)."""
    verbs = _lex()["policy_verbs"] + _lex()["chain_scope"]
    off, changed = enumeration_end(name), True  # （一）做强X产业链: a heading's number is no part of it
    while changed:
        changed = False
        for v in verbs:
            if name.startswith(v, off) and len(name) - off - len(v) >= 4:
                off += len(v)
                changed = True
                break
    return off


def enumeration_end(name: str) -> int:
    """Length of the item number that opens name (1.某开发区, （三）某公司), 0 if none."""
    enum = _enumeration().match(name)
    return enum.end() if enum else 0


@lru_cache(maxsize=1)
def _enumeration() -> re.Pattern:
    from .rule_patterns import BOUNDARIES
    return BOUNDARIES.ENUMERATION_PREFIX


@lru_cache(maxsize=1)
def full_divisions() -> frozenset[str]:
    """Official names of administrative divisions (长治市, 东城区 …) from ontology/data/divisions.tsv."""
    import csv

    with open(Path(data_dir()) / "divisions.tsv", encoding="utf-8") as f:
        return frozenset(row["name"] for row in csv.DictReader(f, delimiter="\t"))


def starts_with_division(name: str) -> bool:
    return any(name[:k] in full_divisions() for k in range(2, min(len(name), 8)))


def word_end(text: str, pos: int, window: int = 6) -> bool:
    """Whether a jieba word of the text around pos ends at pos (工程 in 工程机械 does not, 南水 in
    南水北调 does not)."""
    lo = max(0, pos - window)
    p = lo
    for w in nlp.cut(text[lo:pos + window]):
        p += len(w)
        if p >= pos:
            return p == pos
    return True
