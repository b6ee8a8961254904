"""boundaries: names do not start with the verb or function words before them.

The rule recognisers find a name by its suffix (…产业园, …有限公司, …项目) and walk left; where
they walk too far they glue the clause's verb onto the name (加快建设X产业园, 完工投产X工厂).
This component moves the start of firm, park and project names to their first proper-name word
(kg.components.names.name_start), turns a park that the text says is being built into a
project, drops firm mentions that are not name-like at all, and cuts the verbs glued before a
product (上马化肥)."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import namemodel, nlp
from . import component, load_json
from .names import (BUILD_WORDS, COUNTED, QUANTIFIERS, after_object_verb, category_project, chain_start, clearly_not_name,
                    common_word, common_words_only, company_words, countries, enumeration_end, generic_company,
                    generic_park, is_generic, lead_particle, name_end, name_start, opens_after_join, person_titles,
                    place_core, project_events, project_modifier_tails, strong_firm, trade_name_and_trade, word_end)
from .products import product_shape, vocab as product_vocab
from .projectparts import places_in

TYPES = ("Enterprise", "Park", "Project", "Product")
CHAIN_TYPES = ("IndustryChain", "IndustryCluster")
# firm names the rule recognisers found by context alone (no legal suffix) must also look like a
# firm's to the firm-name model: 产业协同发展, 要素集约利用 are phrases, not firms
RULE_SOURCES = {"rule", "cue", "list", "short", "repeated", "coref-prefix", "project-prefix", "supply-target"}
MIN_FIRM_P = 0.05
DERIVED = {"short", "repeated", "coref-prefix"}  # short forms and repeats of a name found elsewhere
_DATE = re.compile(r"(?:\d{2,4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:年底|年初|年末|前后)?")
_COMPANY_END = re.compile(r"(?:集团|公司|企业|巨头)?")
_COUNT_TAIL = re.compile(COUNTED.pattern + _COMPANY_END.pattern)
SUFFIXES = frozenset(load_json("extract_lexicon.json")["company_suffixes"])
PARK_BUILT_SUFFIXES = ("产业园", "工业园", "科技园", "基地", "园")  # not 开发区/高新区: those are designated zones


@component("boundaries", reads=("mentions",), writes=("mentions", "relations"))
def make_boundaries(settings: dict):
    trim_only = settings.get("trim_only", False)  # after the lists and roles: they vouch for their names

    def run(state) -> None:
        firms = frozenset(m.text for m in state.ex.mentions if m.type == "Enterprise" and len(m.text) >= 2)
        for m in list(state.ex.mentions):
            if m.source == "coref":
                continue  # 该公司: an anaphor, not a name
            if m.type in CHAIN_TYPES:
                off = chain_start(m.text)
                if off:
                    _trim(state, m, off, [])
            elif m.type in TYPES and _unnumbered(state, m) and _CHECKS[m.type](state, m, trim_only):
                off, stripped = name_start(m.text)
                if m.source == "gazetteer":
                    off = 0  # 联想控股集团: a gazetteer form is a name from its first word
                elif off == 1 and m.type == "Enterprise" and opens_after_join(state.text, m.start):
                    off = 0  # 和|同益实业集团: 同 opens the name
                if not off and m.type == "Enterprise":
                    off = glued_prefix(m.text, firms) or after_object_verb(m.text)
                    stripped = [m.text[:off]]
                elif m.type in ("Project", "Park") and (k := inside_firm(state.text, m.start + off, firms)):
                    off += k
                    stripped = stripped + [m.text[off - k:off]]
                if off:
                    _trim(state, m, off, stripped)
    return run


def _unnumbered(state, m) -> bool:
    """Cut the item number a name opens with (1.某开发区, （三）某公司); False if that drops it."""
    k = enumeration_end(m.text)
    if not k or len(m.text) - k < 2:
        return True
    _trim(state, m, k, [m.text[:k]])
    return any(x is m for x in state.at(m.start, m.end))


def _project(state, m, trim_only: bool) -> bool:
    """False when the project mention is dropped (a kind or a group of projects)."""
    if not trim_only and (category_project(m.text) or _not_one_project(state, m) or _unanchored_kind(state, m)):
        state.drop(m)
        return False
    _after_date(state, m)
    return True


def _park(state, m, trim_only: bool) -> bool:
    if generic_park(m.text):
        state.drop(m)
        return False
    return True


def _enterprise(state, m, trim_only: bool) -> bool:
    """False when the firm mention is dropped or joined into its parent's name."""
    generic = m.source != "gazetteer" and generic_company(m.text)  # (苹果公司: the gazetteer lists the form)
    if generic and _join_parent(state, m):
        return False
    if _inner_count(m.text) or generic:
        if not _leading_place(state, m):
            state.drop(m)  # 某某出售某某9家白电公司: no firm's name holds a count of firms
        return False
    if not _after_title(state, m):
        return False
    _after_date(state, m)
    _lead_dashes(state, m)
    _trim_count(state, m)
    if _suffixed(m.text):
        if not trim_only and m.source in RULE_SOURCES and _unlikely_short_company(m.text):
            state.drop(m)  # 一部分公司, 受访公司, 安全公司: words before 公司, no firm's name
            return False
        return True
    if not trim_only and (clearly_not_name(m.text) and not _slot_firm(m) and not _short_of_legal(m)
                          or m.source in DERIVED and common_word(m.text)
                          or m.source in RULE_SOURCES and namemodel.probability(m.text) < MIN_FIRM_P
                          and not trade_name_and_trade(m.text)):
        state.drop(m)
        return False
    _trim_end(state, m, name_end(m.text))
    return True


def _short_of_legal(m) -> bool:
    """The short form of a legal name the document writes in full (湖北某航铜业有限公司 … 某航铜业):
    a name, whatever jieba makes of its first word (远航 read as a verb)."""
    return m.source == "short" and m.text != m.canonical and m.text in m.canonical and LEGAL_FORM.search(m.canonical) is not None


LEGAL_FORM = re.compile(r"有限(?:责任)?公司$|股份公司$|集团$")  # 某某公司 alone may be a phrase (某人称公司)


SLOT_SOURCES = {"supply-target"}  # a slot only a firm fills: 为X提供, 向X供应


def _slot_firm(m) -> bool:
    """A word and a firm's trade word in a customer's slot (为纵横|钢铁提供): a firm, although jieba
    tags the first word a verb."""
    toks = nlp.posseg(m.text)
    return m.source in SLOT_SOURCES and len(toks) == 2 and len(toks[0][0]) >= 2 and toks[1][0] in company_words()


GLUED_MAX = 4  # 原则同意|某集团: the longest clause word glued before a firm's name
NAME_POS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz", "j", "eng", "x"})


def glued_prefix(text: str, firms: frozenset[str]) -> int:
    """Length of the clause words glued before a firm the document names on its own elsewhere
    (出售|某集团, 占|某集团): a short prefix with no proper-name word that ends at that name."""
    for k in range(1, min(GLUED_MAX, len(text) - 3) + 1):  # (the firm itself has 3 characters or more)
        if text[k:] in firms:
            words = nlp.posseg(text[:k])
            if not any(t in NAME_POS for _, t in words) and not text[:k].isascii():
                return k
    return 0


def inside_firm(text: str, start: int, firms: frozenset[str]) -> int:
    """How far into a name starting at start a firm's name the document names runs on (力|拓某国
    铁矿项目 starts inside 力拓): the name starts after it."""
    return _firm_inner_ends(text, firms).get(start, start) - start


@lru_cache(maxsize=8)
def _firm_inner_ends(text: str, firms: frozenset) -> dict[int, int]:
    """Each position strictly inside an occurrence of a firm's name (at most 5 characters before its
    end) → that end."""
    ends: dict[int, int] = {}
    for f in firms:
        i = text.find(f)
        while i >= 0:
            e = i + len(f)
            for pos in range(max(i + 1, e - 5), e):
                ends.setdefault(pos, e)
            i = text.find(f, i + 1)
    return ends


def _after_title(state, m) -> bool:
    """A person's title inside a firm's name (某报记者向|某某, 某网总裁|某某): the name starts after it
    (and after a preposition right after it); nothing left of a name (某某库经理) drops the mention.
    False when the mention is dropped."""
    if not any(t in m.text for t in person_titles()):
        return True
    cuts = nlp.token_starts(m.text)
    ends = [x.end() for t in person_titles() for x in re.finditer(re.escape(t), m.text)
            if x.start() in cuts and x.end() in cuts]
    if not ends:
        return True  # 宜兴市|长江…: 市长 across two words is no title
    k = max(ends)
    k += lead_particle(m.text[k:]) or (m.text[k:k + 1] == "向")
    k += name_start(m.text[k:])[0] if len(m.text) - k >= 2 else 0
    if len(m.text) - k < 2 or is_generic(m.text[k:]):
        state.drop(m)
        return False
    _trim(state, m, k, [m.text[:k]])
    return any(x is m for x in state.at(m.start, m.end))


def _leading_place(state, m, end: int | None = None) -> bool:
    """A place and a count or a kind of firms (常州两家公司, 常州两座卡车轮胎厂) name no firm: the
    place they open with is a place (up to end, when given)."""
    found = places_in(m.text[:end] if end else m.text, 0)
    if not found or found[0][0] != 0 or end and found[0][1] != end or m.text[found[0][1]:] in SUFFIXES:
        return False  # 兴隆公司: a firm may be named after a place
    state.drop(m)
    state.propose(m.start, m.start + found[0][1], found[0][2], "generic-firm-place", canonical=found[0][3])
    return True


def _product(state, m, trim_only: bool) -> bool:
    """上马化肥, 即大量甲醇, 在内的服装生产设备: a verb, adverb or a phrase ending in 的 before a
    product is not part of it, nor is a quantity (一吨淀粉); 初级产品, 相关产品, 化工行业 and clauses
    name no product (products.product_shape). Never needs name_start (False)."""
    k = m.text.rfind("的") + 1
    k += _lead_function_words(m.text[k:])
    q = product_shape(m.text[k:])
    if q is None or len(m.text) - k - q < 2:
        state.drop(m)
        return False
    k += q
    if k:
        _trim(state, m, k, [m.text[:k]])
    alive = any(x is m for x in state.at(m.start, m.end))  # _trim drops a name it leaves generic
    if alive and m.text.endswith("产品") and len(m.text) <= 4:
        if m.text[:-2] in product_vocab()["terms"]:
            _trim_end(state, m, len(m.text) - 2)  # 电机产品 → 电机
        else:
            state.drop(m)  # 初级产品, 相关产品
    return False


def _lead_function_words(text: str) -> int:
    """Length of the verbs and adverbs of products.json lead_words at the start of text (上马, 即大量):
    a product's own first characters often look like verbs to jieba (无灰分散剂, 低速柴油机)."""
    n, words = 0, _product_lead_words()
    for w in nlp.cut(text)[:-1]:
        if w not in words:
            break
        n += len(w)
    return n


@lru_cache(maxsize=1)
def _product_lead_words() -> frozenset[str]:
    return frozenset(load_json("patterns/products.json")["lead_words"])


_CHECKS = {"Project": _project, "Park": _park, "Enterprise": _enterprise, "Product": _product}


def _trim_end(state, m, end: int) -> None:
    if end >= len(m.text):
        return
    old = (m.type, m.canonical)
    new_text = m.text[:end]
    if is_generic(new_text) or state.at(m.start + end, m.end) != [m]:
        return
    m.end = m.start + end
    m.text = new_text
    if m.canonical.startswith(new_text):
        m.canonical = new_text
    state.removed.add(old)
    _rename(state, old, m.canonical, m.type)


def _join_parent(state, m) -> bool:
    """某控股 + 济南有限公司 → one firm, 某控股济南有限公司: a subsidiary named after its parent,
    the firm mention or firm-like words right before it."""
    parent = next((p for p in state.at(m.start - 1, m.start) if p.type == "Enterprise" and p.end == m.start), None)
    if parent is not None:
        start = parent.start
        state.drop(parent)
    else:
        start = m.start - _parent_words(state.text[max(0, m.start - 12):m.start])
        if start == m.start or state.at(start, m.start):
            return False
    state.drop(m)
    state.propose(start, m.end, "Enterprise", source=m.source)
    return True


STOP_POS = {"x", "p", "c", "u", "uj", "ul", "uz", "r", "y", "m", "t"}


def _parent_words(left: str) -> int:
    """Length of the longest firm-like name at the end of left (据某某控股 → 某某控股), 0 if none.
    Walks left over words until punctuation, a function word or a verb of two characters."""
    n, best = 0, 0
    for w, t in reversed(nlp.posseg(left)):
        if t in STOP_POS or not w.strip() or (len(w) >= 2 and t in ("v", "vn", "d") and w not in company_words()):
            break
        n += len(w)
        if n >= 2 and strong_firm(left[len(left) - n:]):
            best = n
    return best


def _after_date(state, m) -> None:
    """2010年某集团, 4月8日某工程: a date before a name is not part of it."""
    d = _DATE.match(m.text)
    if d.end() and (len(m.text) - d.end() >= 3 or is_generic(m.text[d.end():])):
        _trim(state, m, d.end(), [d.group()])
    elif m.text[:1] in "年月日" and m.start and state.text[m.start - 1].isdigit() and len(m.text) >= 3:
        _trim(state, m, 1, [m.text[0]])
    elif m.text[:1] in "底初末" and m.start and state.text[m.start - 1] in "年月" and len(m.text) >= 4:
        _trim(state, m, 1, [m.text[0]])  # 2010年|底某厂生产线: the rest of the date


ANCHOR_TYPES = {"Enterprise", "City", "County", "Province", "Park"}


def _unanchored_kind(state, m) -> bool:
    """光伏电站项目 in 德国光伏电站项目回报率高: a project named by common words only, in a sentence
    that names no firm or place and tells no amount, figure or event of it, is a kind of project."""
    if any(c.isdigit() or c in "“”\"《（(" for c in m.text) or common_words_only(m.text) is False:
        return False
    if state.text.startswith(project_modifier_tails(), m.end) and not _owned(state, m):
        return True  # 现代农业项目专项资金, 某类项目信息公开: the kind qualifies another noun
    s = state.ex.doc.sentences[m.sentence] if state.ex.doc.sentences else None
    if s is None:
        return False
    if any(x.type in ANCHOR_TYPES for x in state.at(s.start, s.end)):
        return False
    return not (any(c.isdigit() for c in s.text) or any(w in s.text for w in project_events()))


def _owned(state, m) -> bool:
    """A firm or place named right before the project (甲公司光伏项目): one project of its owner."""
    return any(x.end == m.start and x.type in ANCHOR_TYPES for x in state.at(m.start - 1, m.start))


def _not_one_project(state, m) -> bool:
    """这些大型新能源项目, 新疆五个新能源项目: a count or a pronoun makes a group of projects; 中国工程|机械,
    总工程|师: a word that goes on after the name's last character is no project name."""
    if m.text.startswith(QUANTIFIERS) or COUNTED.search(m.text):
        return True
    if any(w in m.text for w in MODAL_WORDS):
        return True  # 某市要求必须上焦化项目: a demand, not a name
    rest = m.text[_lead_verbs(m.text):]
    if rest.startswith(_QUANTIFIERS_GROUP):
        return True  # 任凭诸多煤化工项目
    return not word_end(state.text, m.end)


GROUP_WORDS = ("诸多", "多个", "很多", "许多", "不少", "各类", "各种", "所有", "全部", "一批", "众多", "大批", "其他",
               "其它", "相关", "部分", "少数", "多数")
MODAL_WORDS = ("必须", "要求", "应当", "需要", "不得", "禁止", "严禁")
_QUANTIFIERS_GROUP = QUANTIFIERS + GROUP_WORDS


@nlp.text_cache
def _lead_verbs(text: str) -> int:
    n = 0
    for w, t in nlp.posseg(text)[:-1]:
        if t not in ("v", "vd", "d", "p", "c") or len(w) < 2:
            break
        n += len(w)
    return n


def _inner_count(name: str) -> bool:
    return any(c.start() >= 1 and not _COMPANY_END.fullmatch(name[c.end():]) for c in COUNTED.finditer(name))


def _lead_dashes(state, m) -> None:
    """——某某重工: a dash before a name is punctuation."""
    k = len(m.text) - len(m.text.lstrip("—-－·•"))
    if k and len(m.text) - k >= 2:
        _trim(state, m, k, [m.text[:k]])


def _trim_count(state, m) -> None:
    """某某、某某两大集团: the count and the company word after a name are not part of it."""
    for word in _COUNT_TAIL.finditer(m.text):
        if word.start() >= 2 and word.end() == len(m.text):
            if _leading_place(state, m, word.start()):
                return
            _trim_end(state, m, word.start())


def _rename(state, old: tuple[str, str], canonical: str, new_type: str) -> None:
    """Relations, and other mentions canonicalised to the old name (a shorter mention of
    1.某开发区), follow a name that was cut."""
    for x in state.ex.mentions:
        if (x.type, x.canonical) == old and x.type == new_type:
            x.canonical = canonical
    for r in state.ex.relations:
        if (r.head_type, r.head) == old:
            r.head, r.head_type = canonical, new_type
        if (r.tail_type, r.tail) == old:
            r.tail, r.tail_type = canonical, new_type


SHORT_COMPANY_CORE = 6  # characters before 公司 up to which a name is judged by the firm-name model
MIN_SHORT_COMPANY_P = 0.1


def _unlikely_short_company(name: str) -> bool:
    """某某公司 without a legal form (有限, 股份) whose words the firm-name model finds unlikely to
    name a firm (一部分公司, 受访公司, 安全公司); a country before it is set aside (美国某某公司), and
    Latin letters or a transliterated or organisation name keep it."""
    if not name.endswith("公司") or name.endswith(("有限公司", "股份公司")) or len(name) - 2 > SHORT_COMPANY_CORE:
        return False
    lead = next((c for c in countries() if name.startswith(c) and len(name) - len(c) >= 4), "")
    core = name[len(lead):-2]
    if any(c.isascii() and c.isalpha() for c in core) or any(t in ("nrt", "nt") for _, t in nlp.posseg(core)):
        return False  # 某LED公司, a transliterated name (克拉克…): the model knows Chinese names best
    return namemodel.probability(name[len(lead):]) < MIN_SHORT_COMPANY_P


def _suffixed(name: str) -> bool:
    return name.endswith(("公司", "集团", "厂", "研究院", "研究所"))


def _trim(state, m, off: int, stripped: list[str]) -> None:
    removed = m.text[:off]
    new_text = m.text[off:]
    if is_generic(new_text):
        state.drop(m)
        return
    old = (m.type, m.canonical)
    canonical = m.canonical[len(removed):] if m.canonical.startswith(removed) else m.canonical
    new_type = m.type
    if m.type == "Park" and BUILD_WORDS & set(stripped) and new_text.endswith(PARK_BUILT_SUFFIXES):
        new_type = "Project"
    state.move(m, m.start + off)
    m.text, m.canonical, m.type = new_text, canonical, new_type
    state.removed.add(old)
    _rename(state, old, canonical, new_type)
