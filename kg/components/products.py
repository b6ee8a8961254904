"""products: product words in production contexts, and the firms named as their makers.

A word of the product vocabulary (ontology/data/patterns/products.json), extended left by its
modifiers (储能 + 锂电池), is a Product where its clause says something is made or supplied
(生产, 年产, 下线 …) before it, where its maker is named after it (某材料生产企业X), or where it
sits inside a project's name; not where it names an industry (动力电池产业, 芯片行业). The
producer patterns bind produces (某材料生产企业X, X主要生产某材料) and propose the maker when its
name is firm-like on its own."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import nlp
from ..literals import CAP_UNITS
from ..model import Mention
from ..util import alternation
from . import component, gazetteer, load_json
from .names import (NAME_JOINS as ITEM_JOINS, clause_verb, clearly_not_name, common_word, common_words_only, name_start,
                    strong_firm)
from .rule_patterns import BOUNDARIES

CLAUSE_BREAK = re.compile(r"[，。；：！？,;:!?\n]")
LIST_JOINS = ("、", "和", "与", "及", "以及")
CHAIN_LINK_CONF = 0.7  # a product listed among a chain's links belongs to it
MAKER_CONF = 0.75  # a firm named as a product's maker (某材料生产企业某公司, 某公司生产某材料)


def _automaton(words):
    a = nlp.CJKAutomaton(shared=True)
    for w in words:
        a.add_word(w, w)
    a.make_automaton()
    return a


def _listed_terms(rel_path: str) -> set[str]:
    """The product gazetteer (a TSV of term, category): general product and material names."""
    import csv

    from ..resources import data_dir

    path = data_dir() / rel_path
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return {r["term"].strip() for r in csv.DictReader(f, delimiter="\t") if r.get("term", "").strip()}
    except (OSError, KeyError) as e:
        raise RuntimeError(f"无法读取产品名录 {path}：{e}") from e


@lru_cache(maxsize=1)
def vocab() -> dict:
    data = load_json("patterns/products.json")
    data = {**data, "terms": sorted(set(data["terms"]) | _listed_terms(data["terms_file"]))}
    return {
        "automaton": _automaton(data["terms"]),
        "modifier_lens": sorted({len(m) for m in data["modifiers"]}, reverse=True),
        "maker": re.compile(data["producer_patterns"][0]["regex"]),
        "makes": re.compile(data["producer_patterns"][1]["regex"]),
        "makes_before": re.compile(data["producer_patterns"][1]["regex"] + "的?$"),  # 甲生产的某产品 too
        "customer_before": re.compile(data["producer_patterns"][1]["not_after"]),
        "cue": re.compile(alternation(data["cues"])),
        "cue_after": re.compile(rf"[\u4e00-\u9fff]{{0,{data['cues_after']['max_gap']}}}?(?:{alternation(data['cues_after']['words'])})"),
        "industry_after": tuple(data["industry_after"]),
        "grade_after": tuple(data["grade_after"]),
        "figurative": {w: (re.compile(x["before"]), re.compile(x["after"]))
                       for w, x in data["figurative"]["words"].items()},
        "project_starts": tuple(data["project_starts"]),
        "project_tails": sorted(data["project_tails"], key=len, reverse=True),
        "terms": frozenset(data["terms"]),
        "modifiers": frozenset(data["modifiers"]),
        "firm_trade_words": tuple(data["firm_trade_words"]),
        "chain_links": data["chain_links"],
        "segment_label": re.compile(data["chain_links"]["segment_label"]),
        "not_tails": tuple(data["shape"]["not_tails"]),
        "leading_quantity": re.compile(data["shape"]["leading_quantity"]),
        "production_words": tuple(data["capacity_list"]["production_words"]),
        "input_words": tuple(data["capacity_list"]["input_words"]),
        "input_after": tuple(data["capacity_list"]["input_after"]),
        "capacity_lead": re.compile(f"(?:{alternation(data['capacity_list']['production_words'])})" + data["capacity_list"]["not_after_lead"]),
        "capacity_item": re.compile(data["capacity_list"]["item"].replace("{units}", CAP_UNITS), re.I),
        "capacity_trailing": re.compile(data["capacity_list"]["name_trailing"]),
        **_figure_first(data["capacity_list"]["figure_first"]),
    }


def _figure_first(d: dict) -> dict:
    """The figure-first capacity list (形成20万吨A、10万吨B的生产能力) and its figure alone."""
    fig = d["figure"].replace("{units}", CAP_UNITS)
    item = f"{fig}{d['name']}"
    return {"figure_first": re.compile(f"{item}(?:{d['join']}{item}){{0,7}}(?={d['end']})", re.I),
            "figure": re.compile(fig, re.I), "figure_join": re.compile(d["join"] + "$"),
            "figure_first_not": re.compile(d["not_names"])}


def product_shape(name: str) -> int | None:
    """Where a product's name starts in name (after a leading quantity: 一吨|淀粉), or None when it
    is no product at all: a trade or a plan (化工行业, 解决方案) or a clause with a common verb."""
    v = vocab()
    if name.endswith(v["not_tails"]) or clause_verb(name):
        return None
    q = v["leading_quantity"].match(name)
    return q.end() if q and len(name) - q.end() >= 2 else 0


def is_product(text: str) -> bool:
    """text is one product phrase, whole (稀土, 锂电隔膜): a trade or a product, not a name."""
    return product_spans(text) == [(0, len(text))]


def product_spans(text: str) -> list[tuple[int, int]]:
    """Non-overlapping product phrases in text: a product word (leftmost-longest, by automaton)
    and the modifiers right before it, each phrase starting a word (锂正极材料 is not read out
    of 磷酸锰铁锂正极材料)."""
    v, out, last = vocab(), [], 0
    for end, term in v["automaton"].iter_long(text):
        e = end + 1
        if _inside_latin_word(text, e - len(term), e):
            continue  # PC in PCS
        s = _extend_left(text, e - len(term), last, v)
        s = _list_item_start(text, s, last)
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)  # 磷酸锰铁锂 + 正极材料: adjacent product words are one product
            last = e
        elif _starts_word(text, s):
            out.append((s, e))
            last = e
    return out


def _inside_latin_word(text: str, s: int, e: int) -> bool:
    """A term with a Latin letter at an end that a Latin letter goes on from (PC in PCS, BMS)."""
    return (text[s].isascii() and text[s].isalpha() and s > 0 and text[s - 1].isascii() and text[s - 1].isalpha()) \
        or (text[e - 1].isascii() and text[e - 1].isalpha() and e < len(text) and text[e].isascii() and text[e].isalpha())


def _extend_left(text: str, s: int, floor: int, v: dict) -> int:
    while True:
        k = next((k for k in v["modifier_lens"] if s - k >= floor and text[s - k:s] in v["modifiers"]), 0)
        if not k:
            return s
        s -= k


ITEM_POS = {"n", "nz", "b", "ng", "j", "an"}
ITEM_MAX = 6


def _list_item_start(text: str, s: int, floor: int) -> int:
    """Where the list item holding a product phrase starts, when only nouns come between the
    list's 、 and the phrase (动车组、城轨地铁车辆: the item is the product, not 地铁车辆)."""
    j = text.rfind("、", max(floor, s - ITEM_MAX - 1), s)
    if j < 0 or j + 1 == s:
        return s
    lead = text[j + 1:s]
    if not all("\u4e00" <= c <= "\u9fff" for c in lead) or not all(t in ITEM_POS for _, t in nlp.posseg(lead)):
        return s
    return j + 1


def _starts_word(text: str, pos: int) -> bool:
    if pos == 0 or not ("\u4e00" <= text[pos - 1] <= "\u9fff"):
        return True
    lo = max(0, pos - 6)
    return pos - lo in nlp.token_starts(text[lo:pos + 6])


def _figurative(figurative: dict, text: str, s: int, e: int) -> bool:
    """A product word used for something else here (产业链条, 分工链条上): products.json figurative."""
    rx = figurative.get(text[s:e])
    return rx is not None and bool(rx[0].search(text, max(0, s - 4), s) or rx[1].match(text[e:e + 2]))


def _clause_start(text: str, pos: int) -> int:
    lo = max(0, pos - 60)
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(text, lo, pos)]
    return breaks[-1] if breaks else lo


def _clause_end(text: str, pos: int) -> int:
    m = CLAUSE_BREAK.search(text, pos, pos + 60)
    return m.start() if m else min(len(text), pos + 60)


@component("products", reads=("mentions",), writes=("mentions",))
def make_products(settings: dict):
    def run(state) -> None:
        text, v = state.text, vocab()
        for s, e in product_spans(text):
            hits = state.at(s, e)
            if any(m.type == "Product" for m in hits) or text.startswith(v["grade_after"], e) or _figurative(v["figurative"], text, s, e) \
                    or _brand_customer(text, s, e):
                continue  # 电池级碳酸锂: 电池 grades the product here; 产业链条: no product
            projects = [m for m in hits if m.type == "Project" and m.start <= s and e <= m.end]
            if projects and len(projects) == len(hits):
                if not text.startswith(v["input_after"], e):  # 某果精深加工项目: what the project works on
                    nested(state, s, e, "product-in-project")
            elif not hits and not text.startswith(v["industry_after"], e) and _chain_link(state, s, e):
                _link_of_chain(state, state.propose(s, e, "Product", source="chain-link"))
            elif not hits and (_maker_named(state, e) or not text.startswith(v["industry_after"], e)
                               and (v["cue"].search(text, _clause_start(text, s), s) or v["cue_after"].match(text, e))):
                state.propose(s, e, "Product", source="product-lexicon")
        _capacity_lists(state)
        _makers(state)
    return run


def _brand_customer(text: str, s: int, e: int) -> bool:
    """A well-known firm's name that is also a product word, before 供应商 (苹果供应商某某): the
    firm supplied, not a product."""
    return text.startswith(("供应商", "配套商", "供货商"), e) and gazetteer.known(text[s:e])


_NOT_JOIN = re.compile("[^" + "".join(ITEM_JOINS) + "]+")
NOT_NOUN_POS = frozenset({"d", "p", "c", "r", "u", "uj", "m", "v", "t"})


def _joined_names(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(start, end) of the names a conjunction or 、 joins in text[s:e]."""
    return [(s + m.start(), s + m.end()) for m in _NOT_JOIN.finditer(text[s:e])]


def noun_phrase(name: str) -> bool:
    """Opens and ends with no adverb, verb, function word or number (将由, 至少, 为)."""
    toks = nlp.posseg(name)
    return toks[0][1] not in NOT_NOUN_POS and toks[-1][1] not in NOT_NOUN_POS


def _capacity_lists(state) -> None:
    """年产A 5万吨、B 3万吨: the name before each figure of a list a production word opens is a
    product, known to the vocabulary or not (对位芳纶, 接线端子盒); it replaces a product read
    inside it (芳纶). So is the name after each figure of a list a word of capacity closes
    (形成20万吨A、10万吨B的生产能力)."""
    v, text = vocab(), state.text
    for lead in v["capacity_lead"].finditer(text):
        if lead.group().startswith(v["input_words"]):
            continue  # 年加工鲜果5万吨: what is worked on, not made
        pos = lead.end()
        while (m := v["capacity_item"].match(text, pos)):
            s, e = m.span("name")
            t = v["capacity_trailing"].search(text, s, e)
            for a, z in _joined_names(text, s, t.start() if t else e):  # 电池片和组件 5GW: two products
                if z - a >= 2 and product_shape(text[a:z]) == 0 and noun_phrase(text[a:z]):
                    state.propose(a, z, "Product", source="capacity-list")
            if text[m.end():m.end() + 1] not in ITEM_JOINS:
                break
            pos = m.end() + 1
    for m in v["figure_first"].finditer(text):
        figs = list(v["figure"].finditer(text, m.start(), m.end()))
        for f, nxt in zip(figs, figs[1:] + [None]):
            a, z = f.end(), nxt.start() if nxt else m.end()
            if nxt and (j := v["figure_join"].search(text, a, z)):
                z = j.start()
            name = text[a:z]
            if len(name) >= 2 and not v["figure_first_not"].search(name) and product_shape(name) == 0 \
                    and noun_phrase(name):
                state.propose(a, z, "Product", source="capacity-list")


def _chain_link(state, s: int, e: int) -> bool:
    """The product is an item of a list in a sentence about a chain's links (从A、B到C的产业链), or
    the label of a line in a document about one chain (a 招商图谱's 动力电池：本地企业…), or listed
    on a line a segment label opens there (上游：A、B)."""
    links, text = vocab()["chain_links"], state.text
    if _line_label(text, s, e) or _segment_line(text, s):
        return len(_doc_chains(state)) == 1
    if not (s and text[s - 1] in links["before"] or e < len(text) and text[e] in links["after"]):
        return False
    sentence = state.ex.doc.sentences[state.sentence_of(s)].text if state.ex.doc.sentences else text
    return any(w in sentence for w in links["words"])


def _link_of_chain(state, p: Mention | None) -> None:
    """A chain's link belongs to the chain named in its clause, when that names one."""
    if p is None:
        return
    a, b = _clause_start(state.text, p.start), _clause_end(state.text, p.end)
    chains = {m.canonical: m for m in state.at(a, b) if m.type == "IndustryChain"}
    if _line_label(state.text, p.start, p.end) or _segment_line(state.text, p.start):
        chains = _doc_chains(state)
    if len(chains) == 1:
        state.relate(p, "belongsToChain", next(iter(chains.values())), p.sentence, "cue:chain-link", CHAIN_LINK_CONF)


def _line_label(text: str, s: int, e: int) -> bool:
    """The product opens its line (after a numbering) and a colon follows it: 动力电池：…"""
    line = text.rfind("\n", 0, s) + 1
    return text[e:e + 1] in ("：", ":") and not BOUNDARIES.ENUMERATION_PREFIX.sub("", text[line:s]).strip()


def _segment_line(text: str, s: int) -> bool:
    """The product is on a line a segment label opens (上游：A、B), or after a label that opens its
    sentence or follows a semicolon (…现状。上游：A、B；中游：C)."""
    label = vocab()["segment_label"]
    starts = {text.rfind("\n", 0, s) + 1, max(text.rfind(c, 0, s) for c in "\n。；;") + 1}
    return any(label.match(BOUNDARIES.ENUMERATION_PREFIX.sub("", text[a:s])) for a in starts)


def _doc_chains(state) -> dict:
    return {m.canonical: m for m in state.ex.mentions if m.type == "IndustryChain"}


NAME_STOP_POS = {"v", "p", "d", "u", "uj", "c", "x", "m", "t"}


def _maker_named(state, pos: int) -> bool:
    """A maker word after the product: with 生产/制造 in it, or with a firm named right after it
    (打印机厂商某某)."""
    m = vocab()["maker"].match(state.text, pos)
    return bool(m) and (m.group() != "生产商" and ("生产" in m.group() or "制造" in m.group())
                        or any(f.type == "Enterprise" and f.start == m.end() for f in state.at(m.end(), m.end() + 1))
                        or _unknown_firm_after(state, m.end()))


def _unknown_firm_after(state, pos: int) -> bool:
    """A firm's name no recogniser took right after the maker word, not made of common words
    only (钢铁企业|对外合作的步伐 is no firm)."""
    span = _firm_name_after(state, pos)
    return span is not None and not common_words_only(state.text[span[0]:span[1]])


def _firm_name_after(state, pos: int) -> tuple[int, int] | None:
    """The span of a name no recogniser took that starts at pos and reads as a firm's on its own
    (硅片企业|某某半导体): words up to a verb, a function word or punctuation."""
    toks, end = nlp.posseg(state.text[pos:pos + 12]), pos
    for w, t in toks:
        if t in NAME_STOP_POS or w in "，。；：、":
            break
        end += len(w)
    name = state.text[pos:end]
    if end - pos >= 2 and not state.at(pos, end) and strong_firm(name) and not common_word(name):
        return pos, end
    return None


def _propose_makers(state) -> None:
    """A firm that no recogniser found but that the text names as a product's maker, where the
    name is firm-like on its own (names.strong_firm): 某材料生产企业X签约, X主要生产某材料."""
    text = state.text
    for p in [m for m in state.ex.mentions if m.type == "Product"]:
        m = vocab()["maker"].match(text, p.end)
        span = _firm_name_after(state, m.end()) if m else None
        if span:
            state.propose(*span, "Enterprise", source="product-maker")
        cs = _clause_start(text, p.start)
        m = vocab()["makes_before"].search(text, cs, p.start)
        if m and m.start() - cs >= 2:
            off, _ = name_start(text[cs:m.start()])
            _propose_firm(state, cs + off, m.start())


def _propose_firm(state, s: int, e: int) -> None:
    name = state.text[s:e]
    if e - s >= 2 and not state.at(s, e) and strong_firm(name) and not common_word(name) and not clearly_not_name(name):
        state.propose(s, e, "Enterprise", source="product-maker")


def _makers(state) -> None:
    """produces where the words between a product and a firm say the firm makes it: the
    product's maker named after it, or the firm and its production verb before it."""
    _propose_makers(state)
    ms = [m for m in state.ex.mentions if m.type in ("Enterprise", "Product")]
    for i, (a, b) in enumerate(zip(ms, ms[1:])):
        between = state.text[a.end:b.start]
        if a.type == "Product" and b.type == "Enterprise" and vocab()["maker"].fullmatch(between):
            for f in _firm_list(state, ms, i + 1):
                state.relate(f, "produces", a, f.sentence, "cue:product-maker", MAKER_CONF)
        elif a.type == "Enterprise" and b.type == "Product" and vocab()["makes"].fullmatch(between) \
                and not vocab()["customer_before"].search(state.text, max(0, a.start - 1), a.start):
            state.relate(a, "produces", b, a.sentence, "cue:firm-makes", MAKER_CONF)


def _firm_list(state, ms: list, i: int) -> list:
    """The firm at ms[i] and the firms listed right after it (甲、乙和丙)."""
    out = [ms[i]]
    for b in ms[i + 1:]:
        if b.type != "Enterprise" or state.text[out[-1].end:b.start] not in LIST_JOINS:
            break
        out.append(b)
    return out


def nested(state, s: int, e: int, source: str, type_: str = "Product") -> Mention:
    """A mention inside another one (a product or place inside a project's name): added as is,
    outside the overlap policy, which keeps one mention per stretch of text."""
    text = state.text[s:e]
    m = Mention(text=text, type=type_, canonical=text, start=s, end=e, sentence=state.sentence_of(s), source=source)
    state.add(m)
    return m
