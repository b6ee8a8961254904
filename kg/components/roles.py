"""roles: 链主 / 链核 roles and supplier links bound to the firm the cue is about.

Patterns are data (ontology/data/patterns/roles.json): named regular expressions over one clause
whose groups name the firm(s), the chain, the customer and the supplier, or the product the
firms make (a Product mention inside the group: 甲、乙等电池企业). A group holding a list
(A、B和C) gives every item the role. The chain is the chain named in the cue, else the chain
mentioned nearest in the sentence, else the last chain mentioned before it in the document.
A chain group that names no extracted chain ("以甲为链主的预制菜产业链") becomes an IndustryChain
mention: the role cue vouches for it.

Designation lists (patterns with a heading: "第一批链主企业名单" then lines "某某产业链：甲公司") are
read line by line: the heading gives the role, each item line the chain and its firm(s); the role
stays in force until a long line of prose."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from .. import namemodel, nlp
from ..util import LazyPattern, required_literals
from . import component, gazetteer, load_json
from .names import (chain_start, common_word, common_words_only, firm_like, generic_company, has_common_verb, is_generic,
                    name_after_verb, name_start, name_stop, place_prefix, strong_firm, word_end)
from .products import is_product, product_spans, vocab
from .projectparts import places_in

CLAUSE = re.compile(r"[^。；;！？!?\n]+")
CLAUSE_BREAK = re.compile(r"[。；;！？!?\n]")
LINE = re.compile(r"[^\n；;]+")
ITEM_SEP = re.compile(r"、|和|与|及其|及|，|,")  # 及其: 甲及其复合材料, two items
COLON = re.compile(r"[：:]")
ITEM_END = re.compile(r"[，,。、：:\s]|[（(]?[一二三四五六七八九十\d]{1,3}[)）.．、](?=\s*[\u4e00-\u9fff])")
# chains, clusters and works end no firm's name (a firm's 某某产业园 may be its plant: it may end one)
NOT_FIRM = re.compile(r"(产业链|链|产业集群|集群|产业|项目|工程|生产线|产线)$")
FIELD_LABEL = re.compile(r"^(?:所属|所在|归属|对应|重点)?(?:产业)?链$")  # a column name, not a chain
HAN = re.compile(r"[\u4e00-\u9fff]+")
MAX_PRODUCT_ITEM = 12  # a longer list item is a phrase, not a product's name
PRODUCT_LEAD_STOP = re.compile(r"\d|的|在|为|是|等|其中|包括")  # what never opens a product's name
PROSE_LINE = 40  # a line longer than this (and not an item) ends a designation list


@component("roles", reads=("mentions",), writes=("mentions", "relations"))
def make_roles(settings: dict):
    data = load_json(settings.get("patterns", "patterns/roles.json"))
    pats = [(p, LazyPattern(p["regex"].replace("{NAME}", data["name"])),
             re.compile("|".join(map(re.escape, p["trigger"])))) for p in data["patterns"]]
    clause_pats = [x for x in pats if "heading" not in x[0]]
    list_pats = [(p, rx, re.compile(p["heading"])) for p, rx, trig in pats if "heading" in p and trig]
    # trigger words that never hold a clause break: a clause holds one iff a match in the whole
    # text starts inside it (one scan per pattern instead of one per clause and pattern)
    by_position = all(w and not CLAUSE_BREAK.search(w) for p, _, _ in clause_pats for w in p["trigger"])
    words = _trigger_words(clause_pats) if by_position else None
    # the literal characters every match holds: a clause without one of them is not scanned (read
    # off a pattern when it is first triggered, like its compilation)
    need: dict[int, tuple[str, ...]] = {}

    def run(state) -> None:
        text = state.text
        if by_position:
            starts = _trigger_starts(words, text)
            live = [x for x in clause_pats if x[2].pattern in starts]
        else:
            live, starts = [x for x in clause_pats if x[2].search(text)], {}
        hits = sorted((i, k) for k, v in starts.items() for i in v)  # (position, trigger) in text order
        at = [i for i, _ in hits]
        by_trigger: dict[str, list[int]] = {}  # trigger -> the indices in live of its patterns
        for n, (_, _, trigger) in enumerate(live):
            by_trigger.setdefault(trigger.pattern, []).append(n)
        for a, b in _clauses(text, starts if by_position else None) if live else ():
            clause = text[a:b]
            if by_position:  # the patterns whose trigger the clause holds, in their order
                todo = sorted({n for _, k in hits[bisect_left(at, a):bisect_left(at, b)] for n in by_trigger[k]})
            else:
                todo = [n for n, (_, _, trigger) in enumerate(live) if trigger.search(clause) is not None]
            for n in todo:
                p, rx, _ = live[n]
                lits = need.get(id(rx))
                if lits is None:
                    lits = need[id(rx)] = required_literals(rx, 1)
                if all(lit in clause for lit in lits):
                    _each_match(rx, clause, lambda m: _apply(state, p, m, a), _subject_led(p))
        for p, rx, heading in list_pats:
            if heading.search(text):
                _designations(state, p, rx, heading)
    return run


CLAUSE_SUBJECT = "(?:^|(?<=[，,]))"  # a pattern's subject at the sentence's or a clause's start


def _subject_led(p: dict) -> bool:
    """The pattern's subject opens the sentence or a clause (its regex starts with CLAUSE_SUBJECT)."""
    return p["regex"].startswith(CLAUSE_SUBJECT)


def _each_match(rx, clause: str, apply, retry: bool) -> None:
    """finditer's matches, each applied in turn; with retry (a pattern whose subject opens a
    clause), a match whose ends are no firms (apply returns False) gives way to one at a later
    clause start (据了解，甲主要生产…: the subject is 甲)."""
    if not retry:
        for m in rx.finditer(clause):
            apply(m)
        return
    pos = 0
    while (m := rx.search(clause, pos)) is not None:
        pos = m.start() + 1 if apply(m) is False else max(m.end(), m.start() + 1)


def _trigger_words(clause_pats):
    """One automaton over the trigger words of every pattern: word -> (its length, the trigger
    patterns that hold it)."""
    by_word: dict[str, set[str]] = {}
    for p, _, trigger in clause_pats:
        for w in p["trigger"]:
            by_word.setdefault(w, set()).add(trigger.pattern)
    a = nlp.CJKAutomaton(shared=True)
    for w, keys in by_word.items():
        a.add_word(w, (len(w), tuple(sorted(keys))))
    a.make_automaton()
    return a


def _trigger_starts(words, text: str) -> dict[str, list[int]]:
    """Trigger pattern -> start of every occurrence of its words in text, in one scan for all the
    patterns. Occurrences that overlap are all kept, where finditer would keep the first: the
    clauses holding one and the patterns present in each are the same (no word holds a break)."""
    starts: dict[str, list[int]] = {}
    for end, (n, keys) in words.iter(text):
        for k in keys:
            starts.setdefault(k, []).append(end + 1 - n)
    return starts


def _clauses(text: str, starts: dict[str, list[int]] | None):
    """(start, end) of the CLAUSE runs of text in order; with starts (trigger positions), only the
    clauses holding one, found by bisection over the clause breaks instead of a walk over all."""
    if starts is None:
        yield from ((cl.start(), cl.end()) for cl in CLAUSE.finditer(text))
        return
    breaks = [m.start() for m in CLAUSE_BREAK.finditer(text)]
    last = -1
    for h in sorted({i for v in starts.values() for i in v}):
        if h < last:
            continue  # in the clause just given
        j = bisect_right(breaks, h)
        a, last = breaks[j - 1] + 1 if j else 0, breaks[j] if j < len(breaks) else len(text)
        yield a, last


def _designations(state, p: dict, rx, heading) -> None:
    """Items of a designation list: each line (or ；-separated run) after a heading that names a role;
    a heading inside a line ("…有限公司第一批链核企业名单：") switches the role from there on."""
    role = None
    for ln in LINE.finditer(state.text):
        parts, start = [], ln.start()
        for h in heading.finditer(ln.group()):
            parts.append((role, start, ln.start() + h.start()))
            role, start = h.group("role"), ln.start() + h.end()
        parts.append((role, start, ln.end()))
        found = False
        for r, a, b in parts:
            for ia, ib in _list_items(state, a, b) if r else ():
                m = rx.search(state.text[ia:ib])
                if m is not None and FIELD_LABEL.match(m.group("chain")):
                    continue  # "所属产业链：智能终端" (a table row's field label): the value is the chain
                if m is not None:
                    found = True
                    _apply(state, {**p, "forced_role": r}, m, ia)
        if not found and ln.end() - parts[-1][1] > PROSE_LINE:
            role = None  # the list has ended


def _list_items(state, start: int, end: int) -> list[tuple[int, int]]:
    """"甲产业链：乙公司丙产业链：丁公司" (lines joined by ingest): one span per colon, each starting
    where its chain mention starts, else after the firm or punctuation before it, and ending after the
    run of firm mentions that follows the colon when prose is glued to it."""
    text, lefts = state.text, []
    for c in COLON.finditer(text, start, end):
        before = [x for x in state.at(start, c.start()) if x.end <= c.start()]
        chain = [x.start for x in before if x.type == "IndustryChain" and not text[x.end:c.start()].strip()]
        marks = [x.end for x in before if x.type == "Enterprise"] + \
            [m.end() for m in ITEM_END.finditer(text, start, c.start())]
        lefts.append((chain[-1] if chain else max([start] + marks), c.end()))
    out = []
    for i, (a, colon) in enumerate(lefts):
        b = lefts[i + 1][0] if i + 1 < len(lefts) else end
        out.append((a, _firm_run_end(state, colon, b)))
    return out


def _firm_run_end(state, start: int, end: int) -> int:
    """End of the firm mentions that follow start, joined only by list separators; end when the span
    does not start with a firm mention or holds nothing but the run."""
    firms = sorted((x for x in state.at(start, end) if x.type == "Enterprise" and x.end <= end), key=lambda x: x.start)
    pos = start
    for f in firms:
        if ITEM_SEP.sub("", state.text[pos:f.start]).strip():
            break
        pos = f.end
    if pos == start or not state.text[pos:end].strip(" \t。；;，,"):
        return end
    return pos


def _firm_spans(state, m, group: str, off: int, strict: bool | str = False,
                related: bool = False, known: bool = False) -> list[tuple[int, int]]:
    """Spans of the group's items that are firms: existing firm mentions or (unless known: those
    only) name-like spans (related: the pattern states a relation of them, which vouches for a name
    cut from its clause)."""
    if m.group(group) is None:
        return []
    out = []
    items = _items(m.group(group), m.start(group) + off)
    for s, e in items:
        found = [x for x in state.at(s, e) if x.type == "Enterprise" and x.start <= s
                 and (x.end >= e - 1 or _product_after(state.text, x.end, e) or _site_after(state.text, x.end, e))]
        if not found:  # the first item carries the clause before it (当地聚集了甲): a firm ending the item
            found = [x for x in state.at(s, e) if x.type == "Enterprise" and x.end == e]
        if not found and (k := state.text.find("等", s, e)) > s:  # 甲、乙等整车企业: a firm ending at 等
            found = [x for x in state.at(s, k) if x.type == "Enterprise" and x.start >= s and x.end == k]
        if found:
            out.append((found[0].start, found[0].end))
            continue
        if known:
            continue
        s += name_start(state.text[s:e])[0]
        s += _kin_word(state.text, s, e)
        span = _firm_span(state, s, e, strict, related)
        if span is not None and (len(items) == 1 or span[1] >= e - 1):  # a list item ends at its separator
            out.append(span)
    return out


@lru_cache(maxsize=1)
def _kin_words() -> tuple[str, ...]:
    return tuple(sorted(load_json("patterns/roles.json")["kin_words"], key=len, reverse=True))


def _kin_word(text: str, s: int, e: int) -> int:
    """Length of a word for a firm's kin opening text[s:e] before a name (子公司|乙), else 0."""
    return next((len(w) for w in _kin_words() if text.startswith(w, s) and e - s - len(w) >= 2), 0)


CUE_AFTER_NAME = ("作为", "成为")  # cue words jieba may glue to a name's last character
CUT_FIRM_P = 0.9  # a name cut out of its clause, with no relation to vouch for it, must look like a firm's


def _firm_span(state, s: int, e: int, strict: bool | str, related: bool) -> tuple[int, int] | None:
    """The firm's name in text[s:e]: cut after the verb before it (某市发挥某重工) and before the
    clause glued to it (某重工今年产值…) when the cut name looks like a firm's, else as the pattern
    delimits it."""
    text = state.text
    if NOT_FIRM.search(text[s:e]) or any(x.type == "IndustryChain" for x in state.at(s, e)):
        return None  # "所属产业链：预制菜产业链" (a table row): a chain, not a firm
    got = _name_in(text[s:e], strict, related)
    if got is None:
        return None
    a, b, at_word_end = got
    if at_word_end and not word_end(text, e) and not text.startswith(CUE_AFTER_NAME, e):
        return None  # 南水 of 南水北调: a word goes on after it (not 某精工|作为: jieba's 工作 is no word there)
    ta, tb = _adverbs_trimmed(text[s + a:s + b])  # 某啤酒已全资|收购, 最终|某红酒: no part of the name
    return s + a + ta, s + a + tb


_ADVERB_TAGS = ("d", "ad", "p", "c")


@nlp.text_cache
def _adverbs_trimmed(span: str) -> tuple[int, int]:
    """(start, end) of the span without the adverbs, prepositions and conjunctions jieba reads at its
    ends (and 全资 or a one-character locative after it: 某某又全资, 某某前), two characters kept at least."""
    toks = nlp.posseg(span)
    i, j = 0, len(toks)
    while j - i > 1 and (toks[j - 1][1] in _ADVERB_TAGS or toks[j - 1][0] == "全资"
                         or toks[j - 1][1] == "f" and len(toks[j - 1][0]) == 1):
        j -= 1
    while j - i > 1 and toks[i][1] in _ADVERB_TAGS and len(toks[i][0]) >= 2:
        i += 1
    a = sum(len(w) for w, _ in toks[:i])
    b = a + sum(len(w) for w, _ in toks[i:j])
    return (a, b) if b - a >= 2 else (0, len(span))


@nlp.text_cache
def _name_in(span: str, strict: bool | str, related: bool) -> tuple[int, int, bool] | None:
    """_firm_span on the span's own text (cached: the same clause openings come back): the name's
    offsets, and whether it holds only where a word of the text ends after the span."""
    e = len(span)
    cut = _cut_from_clause(span, 0, e, related and strict != "model")
    if cut is not None:
        return cut[0], cut[1], False
    cut = _before_product(span, 0, e)
    name = span[:cut]
    # (strong_firm first: it fails most often; 设备总投资…: an everyday word is no name unless a known firm's)
    if strict and (not strong_firm(name) or common_word(name) and not gazetteer.known(name)):
        return None
    places = places_in(name, 0)
    if generic_company(name) or [(0, cut)] == [p[:2] for p in places]:
        return None  # 民营炼油厂: a kind of firm; 昌吉: a place
    if strict == "model":  # a weak cue (某某主营…): only a name the firm-name model is sure of
        return (0, cut, cut == e) if _model_firm(name) and not places else None
    if strict or firm_like(name, listed=True):  # the role vouches for it (strict: strong_firm, tested above)
        return 0, cut, bool(strict) and cut == e
    return None


def _cut_from_clause(text: str, s: int, e: int, vouched: bool) -> tuple[int, int] | None:
    """The name cut after the verb before it and before the clause after it, when that cut name
    reads as a firm's (vouched: a stated relation vouches for a name firm_like accepts)."""
    for start in dict.fromkeys((s, s + name_after_verb(text[s:e]))):
        stop = start + name_stop(text[start:e])
        if (start, stop) == (s, e):
            continue
        cut = _before_product(text, start, stop)
        name = text[start:cut]
        if strong_firm(name) and not places_in(name, 0) and not generic_company(name) and (
                vouched and firm_like(name, listed=True) or _model_firm(name)):
            return start, cut
    return None


def _model_firm(name: str) -> bool:
    """A name the firm-name model is sure of, of a firm's length, with no verb or person's dot in it
    and more than a country or place and a trade (中国稀土)."""
    rest = name[2:] if name.startswith("中国") else name
    return 3 <= len(name) <= 10 and "·" not in name and namemodel.probability(name) >= CUT_FIRM_P \
        and not common_words_only(name) and not common_words_only(rest) and not has_common_verb(name)


@lru_cache(maxsize=1)
def _site_rx() -> re.Pattern:
    return re.compile(load_json("patterns/roles.json")["site_after"])


def _site_after(text: str, s: int, e: int) -> bool:
    """text[s:e] is a site of the firm named before it (比亚迪 + 某地基地): the firm is meant."""
    return _site_rx().match(text, s, e) is not None


def _product_after(text: str, s: int, e: int) -> bool:
    """text[s:e] is one product (星河汽车 + 动力电池 的供应商: the firm's product, not its name)."""
    return is_product(text[s:e])


def _before_product(text: str, s: int, e: int) -> int:
    """End of a firm's name glued to a product after it (星河汽车动力电池 → 星河汽车): the longest
    product at the end whose rest reads as a firm's whole name (trade name and trade: 青禾电池 keeps
    its 电池)."""
    # a product phrase ends with a product word: where no word ends at e, no cut; else none after
    # the start of the shortest word that does
    terms = vocab()["terms"]
    k = next((k for k in _term_lengths() if e - k >= s + 4 and text[e - k:e] in terms), None)
    if k is None:
        return e
    for c in range(s + 4, min(e - 1, e - k + 1)):
        if text[c - 1] != "的" and is_product(text[c:e]) and strong_firm(text[s:c]):
            return c
    return e


@lru_cache(maxsize=1)
def _term_lengths() -> tuple[int, ...]:
    """The lengths of the product words, shortest first."""
    return tuple(sorted({len(t) for t in vocab()["terms"]}))


def _firms(state, spans: list[tuple[int, int]]):
    out = []
    for s, e in spans:
        f = state.propose(s, e, "Enterprise", source="role-cue")
        if f is not None and f.type == "Enterprise":
            out.append(f)
    return out


def _items(group_text: str, start: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for sep in [*ITEM_SEP.finditer(group_text), None]:
        end = sep.start() if sep else len(group_text)
        piece = group_text[pos:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((start + pos + lead, start + pos + len(piece.rstrip())))
        pos = sep.end() if sep else end
    return out


def _head_product(group: str) -> list[tuple[int, int]]:
    """The product word right before the head noun (甲、乙等打印机厂商), or none."""
    spans = product_spans(group)[-1:]
    return spans if spans and spans[0][1] == len(group) else []


def _product_items(group: str, any_noun: bool = False) -> list[tuple[int, int]]:
    """Each item of a product list (甲、乙和丙) that ends in a product word: the whole item when
    what precedes the word is a short modifier (高纯|石英砂), else the product phrase. any_noun
    (a cue that names products only, 主要产品包括): also a short item with no product word."""
    out = []
    for s, e in _items(group, 0):
        item = group[s:e]
        spans = product_spans(item)
        if not spans or spans[-1][1] != len(item):
            if any_noun and _plain_noun(item):
                out.append((s, e))
            continue
        lead = item[:spans[-1][0]]
        whole = len(item) <= MAX_PRODUCT_ITEM and not PRODUCT_LEAD_STOP.search(lead)
        out.append((s, e) if whole else (s + spans[-1][0], e))
    return out


def _plain_noun(item: str) -> bool:
    """A short run of Chinese characters with no function word or verb (jieba) and no generic word."""
    if not (3 <= len(item) <= MAX_PRODUCT_ITEM - 2) or not HAN.fullmatch(item) or PRODUCT_LEAD_STOP.search(item):
        return False
    return not is_generic(item) and not has_common_verb(item)


def _products(state, a: int, spans: list[tuple[int, int]]) -> list:
    """The product words of the product group (甲、乙等打印机厂商; spans from a): the cue vouches for them."""
    out = []
    for s, e in spans:
        x = state.propose(a + s, a + e, "Product", source="role-cue")
        if x is not None and x.type == "Product":
            out.append(x)
    return out


_TITLE = re.compile(r"《[^《》\n]{2,60}》")
_TITLE_CHAIN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]{2,16}?产业链")


def _title_chain(state, pos: int):
    """The one chain a document title before pos names (《某市某产业链招商指南》 and then 链主企业为甲,
    the body naming no chain): the document is about it."""
    text = state.text
    spans = (c.span() for t in _TITLE.finditer(text, 0, pos) for c in _TITLE_CHAIN.finditer(text, t.start() + 1, t.end() - 1))
    found = sorted((a + _chain_core(text[a:b]), b) for a, b in spans)
    if len({text[a:b] for a, b in found}) != 1:
        return None
    x = state.propose(*found[0], "IndustryChain", source="role-cue")
    return x if x is not None and x.type == "IndustryChain" else None


def _chain_core(name: str) -> int:
    """Start of a chain's own name after its place and other leading words (某市|新材料产业链)."""
    a = chain_start(name)
    return a + place_prefix(name, a, min_rest=4)


def _named_chain(state, m, off: int):
    """The chain the cue's chain group names: an extracted chain inside it, else a new chain mention."""
    a, b = m.start("chain") + off, m.end("chain") + off
    chains = [x for x in state.at(a, b) if x.type == "IndustryChain" and x.start >= a and x.end <= b]
    if chains:
        return chains[-1]
    a += chain_start(state.text[a:b])
    name = state.text[a:b]
    core = name[: -3] if name.endswith("产业链") else name[: -1]
    if len(core) < 2 or core.isdigit() or is_generic(core):
        return None
    canonical = name if name.endswith("产业链") else core + "产业链"
    m2 = state.propose(a, b, "IndustryChain", source="role-cue", canonical=canonical)
    return m2 if m2 is not None and m2.type == "IndustryChain" else None


def _chain(state, m, off: int, sentence: int):
    if "chain" in m.re.groupindex and m.group("chain"):
        named = _named_chain(state, m, off)
        if named is not None:
            return named
    chains = [x for x in state.ex.mentions if x.type == "IndustryChain"]
    same = [x for x in chains if x.sentence == sentence]
    if same:
        pos = m.start() + off
        return min(same, key=lambda x: abs(x.start - pos))
    before = [x for x in chains if x.start < m.start() + off]
    if not before:
        return _title_chain(state, m.start() + off)
    last = before[-1]  # the chain named last before the cue, unless its sentence names several (ambiguous)
    return last if len({x.canonical for x in chains if x.sentence == last.sentence}) == 1 else None


def _apply(state, p: dict, m, off: int) -> bool | None:
    if p.get("rel") is None and "rel_by_role" not in p:  # names a firm, states no relation
        _firms(state, _firm_spans(state, m, "firm", off, strict=p.get("strict", False)))
        return
    kind = "role" if "rel_by_role" in p else p["rel"]
    return APPLY.get(kind, _apply_link)(state, p, m, off, state.sentence_of(m.start() + off), "cue:" + p["name"])


def _cue_firms(state, p: dict, m, off: int) -> list:
    """The firms of the cue's firm group (the cue states a relation of them)."""
    return _firms(state, _firm_spans(state, m, "firm", off, p.get("strict", False), True))


def _apply_role(state, p, m, off, sentence, source) -> None:
    rel = p["rel_by_role"][p.get("forced_role") or m.group("role")]
    firms = _cue_firms(state, p, m, off)  # a role names firms, chain or not
    chain = _chain(state, m, off, sentence) if firms else None  # no firm: no chain mention either
    for f in firms if chain is not None else []:
        state.relate(f, rel, chain, sentence, source, p["confidence"])


def _apply_cluster(state, p, m, off, sentence, source) -> None:
    a, b = m.start("cluster") + off, m.end("cluster") + off
    clusters = [x for x in state.at(a, b) if x.type == "IndustryCluster" and x.start >= a and x.end <= b]
    for f in _cue_firms(state, p, m, off) if clusters else ():
        state.relate(f, "belongsToCluster", clusters[-1], sentence, source, p["confidence"])


def _apply_produces(state, p, m, off, sentence, source) -> None:
    mode = p.get("product_list")
    spans = _product_items(m.group("product"), mode == "any") if mode else _head_product(m.group("product"))
    firms = _cue_firms(state, p, m, off) if spans else ()
    for x in _products(state, m.start("product") + off, spans) if firms else ():
        for f in firms:
            state.relate(f, "produces", x, sentence, source, p["confidence"])


def _apply_link(state, p, m, off, sentence, source) -> bool:
    """A supplier and a customer (suppliesTo); False when an end is no firm."""
    strict = p.get("strict", False)
    inside = _subject_led(p) and m.start("supplier") > 0  # a subject after a break (据了解，甲…) must be a firm already
    sup = _firm_spans(state, m, "supplier", off, strict, True, known=inside)
    cus = _firm_spans(state, m, "customer", off, strict, True)
    if not sup or not cus:
        return False  # both ends must be firms before either becomes a mention
    customers = _firms(state, cus)
    goods = _products(state, 0, _goods_after(state.text, m, off, cus) + _goods(m, off))
    for s in _firms(state, sup):
        for c in customers:
            if s.canonical != c.canonical:
                state.relate(s, p["rel"], c, sentence, source, p["confidence"])
        for x in goods:  # 甲是乙动力电池的供应商: 甲 makes what it supplies
            state.relate(s, "produces", x, sentence, source, p["confidence"])
    return True


def _goods(m, off: int) -> list[tuple[int, int]]:
    """The products inside the pattern's goods group (甲的座椅由乙提供), as text offsets."""
    if "goods" not in m.re.groupindex or not m.group("goods"):
        return []
    a = m.start("goods") + off
    return [(a + s, a + e) for s, e in product_spans(m.group("goods"))]


def _goods_after(text: str, m, off: int, firms: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Products right after a customer firm inside its item (乙 + 动力电池 的供应商)."""
    out = []
    for s, e in _items(m.group("customer"), m.start("customer") + off):
        for a, b in firms:
            if s <= a and b < e and _product_after(text, b, e):
                out.append((b, e))
    return out


APPLY = {"role": _apply_role, "belongsToCluster": _apply_cluster, "produces": _apply_produces}
