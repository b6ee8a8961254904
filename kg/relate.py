"""Relation stage: candidate pairs of extracted mentions scored by a trained linear model.

Reads an Extraction (mentions, plus the rule components' relations as proposals) and returns the
relations whose probability passes the model's threshold, with that probability as confidence.

Candidates: every pair of mentions in one sentence whose types fit a relation signature
(`ontology/data/relation_signatures.json`), literal tails (amounts, capacities) found in the
sentence, and the document's focus places for `locatedIn` (article-level location, guarded by
the model's probability). Features are what a reader uses: the types, the cue words between the two
mentions (`ontology/data/relation_cues.json`), distance, competitors in between, list membership,
whether a rule component proposed the pair, whether the tail is the document's focus place.
The weights (`kg/models/relations.json`) are trained by `python -m kg.relate_train`.
"""
from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import attrgetter

from . import cues, literals, nlp, region
from .model import Extraction, Relation
from .resources import PACKAGE_DIR, data_dir
from .util import alternation

_CLAUSE = re.compile(r"[，,；;：:。！？!?]")
_LIST_SEP = "、"
_SEP_CHARS = frozenset("、和与及，,")
_START_END = attrgetter("start", "end")
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")  # what the literal regexes need (LITERAL_RES: a figure)
# a production word a few characters before a figure the capacity regex found without it (年产能将达360万吨)
_RATE_BEFORE = re.compile(r"(?:年产能?|年生产|年制造|每年)[\u4e00-\u9fff]{1,4}$")
MODEL_PATH = PACKAGE_DIR / "models" / "relations.json"
PLACE_TYPES = ("County", "City", "Province", "Park")
# a relation whose tail is a literal: the regex that finds candidate tails in a sentence
LITERAL_RES = {"investment": literals.INVEST_LITERAL_RE, "capacity": literals.CAP_RE}
LITERAL_TEXT = {"capacity": literals.capacity_text}  # the tail as the guidelines print it
TOTAL_FEATURE = "lit_total_word"


@dataclass
class Node:
    """One end of a candidate: a mention, or a literal found in the sentence."""
    name: str
    type: str  # entity type, or "Literal"
    start: int
    end: int
    sentence: int
    text: str = ""
    extra: bool = False  # added for training (a gold entity the extractor missed)


@dataclass
class Candidate:
    head: Node
    rel: str
    tail: Node
    sentence: int  # evidence sentence
    features: list[str] = field(default_factory=list)
    source: str = "model"  # what decided it: the model, or the cue/rule that proposed it
    head_mates: tuple = ()  # the other items of the list the head belongs to (Nodes)
    tail_mates: tuple = ()
    # (the relation's model, probability) when the pruning already scored these features with it
    scored: tuple | None = field(default=None, repr=False, compare=False)


@lru_cache(maxsize=1)
def signatures() -> dict[str, dict]:
    return json.loads((data_dir() / "relation_signatures.json").read_text(encoding="utf-8"))["relations"]


@lru_cache(maxsize=1)
def _signature_sets() -> tuple:
    """(rel, head types, tail types, signature) with the types as sets, in file order."""
    return tuple((rel, frozenset(sig["heads"]), frozenset(sig.get("tails", ())), sig) for rel, sig in signatures().items())


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern, dict[str, set[str]]]:
    data = json.loads((data_dir() / "relation_cues.json").read_text(encoding="utf-8"))
    classes: dict[str, set[str]] = defaultdict(set)
    for cls, words in data.items():
        if cls.startswith("_"):
            continue
        for w in words:
            classes[w].add(cls)
    words = sorted(classes, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), dict(classes)


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> dict:
    p = MODEL_PATH if path is None else path
    with open(p, encoding="utf-8") as f:
        return json.load(f)


def _bucket(n: int, edges=(0, 2, 5, 10, 20, 40)) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return "far"


_DIST = ["dist=" + _bucket(n) for n in range(41)]  # _bucket as lookup tables (hot path)
_NBETWEEN = ["nbetween=" + _bucket(n, (0, 1, 2, 4)) for n in range(6)]
_CLAUSES = ["clauses=" + _bucket(n, (0, 1, 2)) for n in range(4)]


class _lazy:
    """functools.cached_property without its lock (3.11 takes one on every first access): the
    value is computed on first use and stored in the instance, which then shadows this."""

    def __init__(self, fn):
        self.fn, self.name = fn, fn.__name__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class _Sent:
    """Per-sentence index: its text, cue hits and mentions by position."""

    def __init__(self, text: str, start: int, nodes: list[Node]):
        self.text = text
        self.start = start
        self.nodes = sorted(nodes, key=_START_END)
        self.node_starts = [n.start for n in self.nodes]
        self.longest = max((n.end - n.start for n in self.nodes), default=0)
        places = [n.name for n in self.nodes if n.type in PLACE_TYPES]
        self.place_names = set(places)
        self.n_places = len(places)
        self.type_starts: dict[str, list[int]] = defaultdict(list)  # sorted, as self.nodes
        for n in self.nodes:
            self.type_starts[n.type].append(n.start)
        self.lists = self._lists()
        self._groups: dict[int, list[Node]] | None = None
        self._mates: dict[int, tuple] = {}
        self._outer_of: dict[int, tuple] = {}  # id(mention) -> _outer
        self._before: dict[int, list[str]] = {}  # mention start -> its cue_before features
        self._after: dict[int, list[str]] = {}  # mention end -> its cue_after features
        self.tail_context: dict[int, tuple[str, ...]] = {}  # id(tail) -> _tail_context
        self._cue_bound: dict[int, float] = {}  # id(_Bound) -> cue_bound()
        self.between: dict[tuple, list[str]] = {}  # (first, second, tail type, head type) -> their _between_features

    # cue hits and clause breaks are found on first use: most sentences never need them
    @_lazy
    def cues(self) -> list[tuple[int, int, set[str]]]:
        rx, classes = _cues()
        return [(m.start() + self.start, m.end() + self.start, classes[m.group()]) for m in rx.finditer(self.text)]

    @_lazy
    def has_digit(self) -> bool:
        return _DIGIT.search(self.text) is not None

    @_lazy
    def cue_starts(self) -> list[int]:
        return [c[0] for c in self.cues]

    @_lazy
    def clause_ends(self) -> list[int]:
        return [m.start() + self.start for m in _CLAUSE.finditer(self.text)]

    def cue_bound(self, b) -> float:
        """The most the cue_bw / cue_before / cue_after features can add to a pair's score here
        (each cue class of the sentence at its most, once per model)."""
        got = self._cue_bound.get(id(b))
        if got is None:
            classes = set().union(*(c[2] for c in self.cues)) if self.cues else ()
            got = self._cue_bound[id(b)] = sum(b.cue.get(c, 0.0) for c in classes)
        return got

    def cues_before(self, n: Node) -> list[str]:
        """cue_before features of a mention: cue words in its clause before it."""
        got = self._before.get(n.start)
        if got is None:
            cs = self.clause_start(n.start)
            got = self._before[n.start] = ["cue_before=" + cls for cls in self.cue_classes(cs, n.start)]
        return got

    def cues_after(self, n: Node) -> list[str]:
        """cue_after features of a mention: cue words within 6 characters after it."""
        got = self._after.get(n.end)
        if got is None:
            got = self._after[n.end] = ["cue_after=" + cls for cls in self.cue_classes(n.end, n.end + 6)]
        return got

    def closer_of_type(self, typ: str, pos: int, d: int) -> bool:
        """Some mention of type typ starts strictly closer than d to pos."""
        st = self.type_starts.get(typ)
        return bool(st) and bisect_left(st, pos + d) > bisect_right(st, pos - d)

    def between_counts(self, a: int, b: int, types: tuple[str, ...]) -> list[int]:
        """How many mentions lie inside [a, b), then how many of them have each of types: counted
        by bisection (long lists stay cheap); only mentions starting within self.longest of b
        can cross b."""
        lo, hi = bisect_left(self.node_starts, a), bisect_left(self.node_starts, b)
        if hi <= lo:
            return [0] * (len(types) + 1)
        crossing = []
        i, floor = hi - 1, b - self.longest
        while i >= lo and self.node_starts[i] > floor:
            if self.nodes[i].end > b:
                crossing.append(self.nodes[i].type)
            i -= 1
        out = [hi - lo - len(crossing)]
        for typ in types:
            st = self.type_starts.get(typ, ())
            out.append(bisect_left(st, b) - bisect_left(st, a) - crossing.count(typ))
        return out

    def inside_other(self, t: Node, h: Node) -> bool:
        """t lies inside another mention's span that is neither h nor holds h: a part of that name
        (清河县 in 清河县某项目), which places that mention, not h."""
        return any(c is not h and not (c.start <= h.start and h.end <= c.end) for c in self._outer(t))

    def _outer(self, t: Node) -> tuple:
        """The longer mentions whose span holds t's (found once per tail, whatever the head)."""
        got = self._outer_of.get(id(t))
        if got is None:
            lo = bisect_left(self.node_starts, t.end - self.longest)
            got = self._outer_of[id(t)] = tuple(
                c for c in self.nodes[lo:bisect_right(self.node_starts, t.start)]
                if c.end >= t.end and c.end - c.start > t.end - t.start)
        return got

    def mates(self, n: Node) -> tuple:
        """The other items of the list n belongs to."""
        g = self.lists.get(id(n))
        if g is None:
            return ()
        got = self._mates.get(id(n))
        if got is not None:
            return got
        if self._groups is None:
            self._groups = defaultdict(list)
            for x in self.nodes:
                if id(x) in self.lists:
                    self._groups[self.lists[id(x)]].append(x)
        got = self._mates[id(n)] = tuple(x for x in self._groups[g] if x is not n)
        return got

    def _lists(self) -> dict[int, int]:
        """id(node) -> list id, for mentions joined to a neighbour of their type by 、/和/与/及."""
        out: dict[int, int] = {}
        prev = None
        for n in self.nodes:
            if prev is not None and prev.type == n.type and prev.end <= n.start:
                gap = self.text[prev.end - self.start:n.start - self.start]
                if gap in ("、", "和", "与", "及", "以及") or _LISTS_JOINED.fullmatch(gap):
                    out.setdefault(id(prev), id(prev))
                    out[id(n)] = out[id(prev)]
            prev = n
        return out

    def cue_classes(self, a: int, b: int) -> set[str]:
        out: set[str] = set()
        for s, e, cls in self.cues[bisect_left(self.cue_starts, a):bisect_left(self.cue_starts, b)]:
            if e <= b:
                out |= cls
        return out

    def clause_break(self, a: int, b: int) -> int:
        return bisect_left(self.clause_ends, b) - bisect_left(self.clause_ends, a)

    def clause_start(self, pos: int) -> int:
        i = bisect_left(self.clause_ends, pos)
        return self.clause_ends[i - 1] + 1 if i else self.start


_LISTS_JOINED = re.compile(r"等[\u4e00-\u9fff\d]{0,10}[，,]以及")  # 甲、乙等整车企业，以及丙、丁: one list of two kinds
_HT: dict[tuple[str, str], str] = {}  # (head type, tail type) -> its "ht=" feature


def _pair_features(h: Node, rel: str, t: Node, s: _Sent, proposed: dict, focus: dict[str, str]) -> list[str]:
    ht = _HT.get((h.type, t.type))
    if ht is None:
        ht = _HT[h.type, t.type] = f"ht={h.type}>{t.type}"
    f = [ht]
    if t.type == "Literal" or h.sentence != t.sentence:
        return f + _doc_features(h, t, s, focus)
    hs, ts = h.start, t.start
    first, second = (h, t) if hs <= ts else (t, h)
    f.append("order=ht" if first is h else "order=th")
    if ts >= hs and t.end <= h.end or hs >= ts and h.end <= t.end:  # nested
        f.append("nested")
        f.append("nested_prefix" if first.start == second.start else "nested_inner")
        return f + _context_features(h, rel, t, s, proposed)
    # the same for both orders of two mentions of one type (A、B: A→B and B→A), whatever the relation
    key = (id(first), id(second), t.type, h.type)
    between = s.between.get(key)
    if between is None:
        between = s.between[key] = []
        _between_features(between, s, first, second, h, t)
    f += between
    # the nearest mention of the tail's type on the head's side
    if not s.closer_of_type(t.type, hs, abs(ts - hs)):
        f.append("nearest_tail")
    if t.name and t.name[:2] in h.name:
        f.append("tail_in_head_name")
    elif rel == "locatedIn" and _named_after_other_place(h, t):
        f.append("head_named_after_other_place")
    if focus.get(t.type) == t.name:
        f.append("tail_is_focus")
    f += _context_features(h, rel, t, s, proposed)
    return f


DIVISION_TYPES = ("City", "County", "Province")


def _named_after_other_place(h: Node, t: Node) -> bool:
    """A park or project named after a division (某县经济开发区, 某市高新区) lies there, in what holds
    it or in one of its parts, not in another division its sentence names."""
    if h.type not in ("Park", "Project") or t.type not in DIVISION_TYPES:
        return False
    row = _leading_division(h.name)
    if row is None:
        return False
    short = region.divisions().get(t.name, {}).get("short") or t.name
    return t.name != row["name"] and not region.inside(row["name"], t.name) and not region.inside(t.name, row["name"]) \
        and short not in h.name


@lru_cache(maxsize=4096)
def _leading_division(name: str) -> dict | None:
    """The division a name opens with (its full or short name), if any."""
    divs = region.divisions()
    for k in range(min(7, len(name) - 2), 1, -1):
        row = divs.get(name[:k])
        if row is not None:
            return row
    return None


def _between_features(f: list[str], s: _Sent, first: Node, second: Node, h: Node, t: Node) -> None:
    """What lies between the two mentions (appended to f): distance, other mentions, clause
    breaks, words, cues."""
    gap_a, gap_b = first.end, second.start
    gap = gap_b - gap_a if gap_b > gap_a else 0
    f.append(_DIST[gap] if gap < 41 else "dist=far")
    nb, nt, nh = s.between_counts(gap_a, gap_b, (t.type, h.type))
    f.append(_NBETWEEN[nb if nb < 5 else 5])
    if nt:
        f.append("tail_type_between")
    if nh:
        f.append("head_type_between")
    f.append(_CLAUSES[min(s.clause_break(gap_a, gap_b), 3)])
    text, st = s.text, s.start
    bw = text[gap_a - st:gap_b - st]
    if bw and _SEP_CHARS.issuperset(bw):
        f.append("bw_sep_only")
    if gap <= 12 and bw:
        f += _bw_features(bw)
    if s.cues:
        for cls in s.cue_classes(gap_a, gap_b):
            f.append("cue_bw=" + cls)
    f += s.cues_before(first)
    f += s.cues_after(second)
    if text[second.end - st:second.end - st + 1] == _LIST_SEP or text[first.start - st - 1:first.start - st] == _LIST_SEP:
        f.append("in_list")


@nlp.text_cache
def _bw_features(bw: str) -> tuple[str, ...]:
    """bw= features of the words between two mentions (cached: short gaps repeat)."""
    return tuple("bw=" + tok for tok in nlp.cut(bw) if tok.strip())


def _context_features(h: Node, rel: str, t: Node, s: _Sent, proposed: dict) -> list[str]:
    """List membership, the sentence's places, products named inside a project's name."""
    f = ["head_in_list"] if id(h) in s.lists else []
    tail = s.tail_context.get(id(t))
    if tail is None:
        tail = s.tail_context[id(t)] = _tail_context(t, s)
    f += tail
    if rel == "produces":
        if _segment_list(t, s):
            f.append("tail_segment_list")
        c0 = s.clause_start(t.start)
        if h.start < c0 and _plan_rx().match(s.text, c0 - s.start, t.start - s.start):
            f.append("tail_in_plan_clause")
        boxes = [n for n in s.nodes if n.type == "Project" and n.start <= t.start and t.end <= n.end]
        if boxes:
            f.append("product_in_project_name")
            if any((h.name, "implements", b.name) in proposed for b in boxes):
                f.append("head_implements_that_project")
    return f


@lru_cache(maxsize=1)
def _segment_end() -> re.Pattern:
    """等 + the head of a list of a chain's links (等环节, 等关键领域): the items are links, not products."""
    heads = signatures()["produces"].get("segment_heads", [])
    return re.compile("等(?:[\u4e00-\u9fff]{0,4}?)(?:" + "|".join(map(re.escape, heads)) + ")") if heads else re.compile("(?!)")


def _segment_list(t: Node, s: _Sent) -> bool:
    end = max([t.end, *(n.end for n in s.mates(t))]) - s.start
    return _segment_end().match(s.text, end) is not None


def _tail_context(t: Node, s: _Sent) -> tuple[str, ...]:
    """The context features of a tail that do not depend on the head (the same for every head)."""
    f = []
    if id(t) in s.lists:
        f.append("tail_in_list")
    if t.type in PLACE_TYPES and len(s.place_names) == 1:
        f.append("only_place_in_sentence")
    if t.start <= s.clause_start(t.start) + 1:
        f.append("tail_opens_clause")
    if t.type == "Product" and any(a <= t.start - s.start and t.end - s.start <= b for a, b in _chain_runs(s.text)):
        f.append("tail_chain_run")
    return tuple(f)


@lru_cache(maxsize=256)
def _chain_runs(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the sentence that walk a chain's links (从A、B到C的完整产业链): the links of a chain,
    not what a firm makes."""
    rx = _chain_run_rx()
    return tuple(m.span() for m in rx.finditer(text)) if "从" in text else ()


@lru_cache(maxsize=1)
def _plan_rx() -> re.Pattern:
    """A plan's verb (重点发展, 补齐 …) opening a clause, after its adverbs (将着力|补齐): the products of
    the clause are what a plan aims at."""
    sig = signatures()["produces"]
    if not sig.get("plan_verbs"):
        return re.compile("(?!)")
    return re.compile(f"\\s*(?:{alternation(sig.get('plan_openers', []))})*(?:{alternation(sig['plan_verbs'])})")


@lru_cache(maxsize=1)
def _chain_run_rx() -> re.Pattern:
    return re.compile(signatures()["produces"].get("chain_run", "(?!)"))


def _doc_features(h: Node, t: Node, s: _Sent, focus: dict[str, str]) -> list[str]:
    f = []
    if t.type == "Literal":
        gap = t.start - h.end if t.start >= h.end else h.start - t.end
        f.append("lit_order=" + ("after" if t.start >= h.end else "before"))
        f.append("lit_dist=" + _bucket(max(gap, 0)))
        f.append("lit_clauses=" + _bucket(s.clause_break(min(h.end, t.start), max(h.end, t.start)), (0, 1, 2)))
        pre = s.text[max(0, t.start - s.start - 6):t.start - s.start]
        for cls in s.cue_classes(t.start - 6, t.start):
            f.append("lit_cue_before=" + cls)
        if "总投资" in pre or "投资" in pre[-3:]:
            f.append("lit_invest_word")
        if "总投资" in pre or "投资总额" in pre:
            f.append(TOTAL_FEATURE)  # a project's whole amount, not a phase's or a region's part
        if t.text.startswith("年") or _RATE_BEFORE.search(pre):
            f.append("lit_year_prefix")  # 年产10万吨 (t.text: the literal as found, before capacity_text), 年产能将达…
        if not s.closer_of_type(h.type, t.start, abs(h.start - t.start)):
            f.append("lit_nearest_head")
        if h.start <= t.start < h.end:
            f.append("lit_in_name")
        return f
    f.append("doclevel")
    if focus.get(t.type) == t.name:
        f.append("tail_is_focus")
    if s.n_places - (h.type in PLACE_TYPES) <= 0:  # h is one of the sentence's mentions
        f.append("no_place_in_sentence")
    f.append("dl_ht=" + h.type + ">" + t.type)
    return f


def _nodes(ex: Extraction) -> dict[int, list[Node]]:
    by_sent: dict[int, list[Node]] = defaultdict(list)
    for m in ex.mentions:
        by_sent[m.sentence].append(Node(m.canonical, m.type, m.start, m.end, m.sentence, m.text))
    return by_sent


def _focus(ex: Extraction) -> dict[str, str]:
    """The document's most mentioned place of each type (its focus)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for m in ex.mentions:
        if m.type in PLACE_TYPES:
            counts[m.type][m.canonical] += 1
    return {t: c.most_common(1)[0][0] for t, c in counts.items() if c}


def _literals(rel: str, s: _Sent, sentence: int) -> list[Node]:
    """The literal tails of rel in the sentence (both regexes need a digit: sentences without one
    are not scanned)."""
    if not s.has_digit:
        return []
    rx, text = LITERAL_RES[rel], LITERAL_TEXT.get(rel, str)
    return [Node(_WS.sub("", text(m.group())), "Literal", m.start() + s.start, m.end() + s.start, sentence, m.group())
            for m in rx.finditer(s.text) if rel != "capacity" or not _size(s.text, m)]


def _size(text: str, m: re.Match) -> bool:
    """The capacity match states a size (占地8万平方米), with no output rate before it (年产能将达…)."""
    return literals.size_only(m.group()) and not _RATE_BEFORE.search(text, max(0, m.start() - 10), m.start())


def candidates(ex: Extraction, extra_nodes: dict[int, list[Node]] | None = None, rels=None,
               prune: dict | None = None) -> list[Candidate]:
    """All candidate pairs of one document, with their features (only of the relations in rels,
    if given: relate() skips those the model cannot score). prune (the model relate() scores
    with): same-sentence and document-level candidates that no rule proposed and whose
    probability is below their relation's threshold are left out, as _select would drop them
    (their keys still count as seen for the name-derived candidates)."""
    doc = ex.doc
    by_sent = _nodes(ex)
    for si, ns in (extra_nodes or {}).items():
        by_sent[si].extend(ns)
    ctx = _DocCtx(proposed={(r.head, r.rel, r.tail): r.source for r in ex.relations}, focus=_focus(ex), model=prune)
    sents = {si: _Sent(doc.sentences[si].text, doc.sentences[si].start, nodes)
             for si, nodes in by_sent.items() if si < len(doc.sentences)}
    out: list[Candidate] = []
    sigs = _live_signatures(rels)
    for si, s in sorted(sents.items()):
        out += _sentence_candidates(s, si, ctx, sigs)
        out += _carried_candidates(s, si, sents, ctx, rels)
    keys = [(c.head.name, c.rel, c.tail.name) for c in out]
    if rels is None or "locatedIn" in rels:
        named = _name_candidates(by_sent, {k for k in keys if k[1] == "locatedIn"} | ctx.pruned)
        out += named
        keys += [(c.head.name, c.rel, c.tail.name) for c in named]
    cue_sents = _cue_sentences(ex)
    for c, k in zip(out, keys):
        src = ctx.proposed.get(k)
        if src is not None and (k not in cue_sents or c.sentence in cue_sents[k]):
            c.features += ["proposed", f"src={src}"]
    return out + _proposal_candidates(ex, out, rels, keys)


def _cue_sentences(ex: Extraction) -> dict[tuple, set[int]]:
    """(head, rel, tail) -> the sentences a cue stated it in: a cue is bound to its mentions, so
    the same two names elsewhere (in a list under another statement) are no proposal of it."""
    out: dict[tuple, set[int]] = defaultdict(set)
    for r in ex.relations:
        if r.source.startswith("cue:"):
            out[r.head, r.rel, r.tail].add(r.sentence)
    return out


@dataclass
class _DocCtx:
    proposed: dict  # (head, rel, tail) -> the rule component's tag
    focus: dict[str, str]  # place type -> the document's most mentioned place of that type
    model: dict | None = None  # candidates(prune=...): the model whose threshold prunes
    focus_nodes: dict[str, Node] = field(init=False)  # the focus places as candidate tails
    pruned: set = field(default_factory=set)  # keys of the candidates left out by the pruning
    doc_feats: dict = field(default_factory=dict)  # (rel, head type, no place) -> [(focus node, features, low)]

    def below_threshold(self, rel: str, feats: list[str]) -> bool:
        """These features score below the relation's threshold (the same sum as score(), so the
        same float): _select drops such a candidate unless a rule proposed it."""
        m = self.model["rels"].get(rel) if self.model is not None else None
        return m is not None and _prob(m["w"], m["bias"], feats) < m["threshold"]

    def __post_init__(self) -> None:
        self.focus_nodes = {t: Node(n, t, -1, -1, -1) for t, n in self.focus.items() if t in ("City", "County", "Park")}


MAX_TAILS = 24  # tails per head and relation: the nearest ones (pathological lists stay linear)


def _nearest(h: Node, tails: list[Node]) -> list[Node]:
    if len(tails) <= MAX_TAILS:
        return tails
    return sorted(tails, key=lambda t: min(abs(t.start - h.end), abs(h.start - t.end)))[:MAX_TAILS]


def _live_signatures(rels=None) -> list[tuple]:
    """(rel, head types, tail types, literal tails, doc-level tails) of the relations in rels (all,
    if not given)."""
    return [(rel, head_types, tail_types, bool(sig.get("literal")), rel == "locatedIn" and bool(sig.get("doclevel")))
            for rel, head_types, tail_types, sig in _signature_sets() if rels is None or rel in rels]


def _sentence_candidates(s: _Sent, si: int, ctx: _DocCtx, sigs: list[tuple]) -> list[Candidate]:
    """Pairs of one sentence whose types fit a signature (sigs: _live_signatures)."""
    out = []
    of_types: dict[frozenset, list[Node]] = {}  # mentions of some types (signatures share them: five have Enterprise heads)
    for rel, head_types, tail_types, literal, doclevel in sigs:
        if head_types.isdisjoint(s.type_starts):
            continue
        if literal:
            tails = _literals(rel, s, si)
        else:
            tails = of_types.get(tail_types)
            if tails is None:
                tails = of_types[tail_types] = [n for n in s.nodes if n.type in tail_types]
        if not tails and not doclevel:
            continue  # no pair to make
        heads = of_types.get(head_types)
        if heads is None:
            heads = of_types[head_types] = [n for n in s.nodes if n.type in head_types]
        tail_names = {t.name for t in tails} if doclevel else ()
        for h in heads:
            if tails:
                out += _pair_candidates(h, rel, tails if len(tails) <= MAX_TAILS else _nearest(h, tails), s, si, ctx)
            if doclevel:
                out += _doclevel_candidates(h, rel, s, si, ctx, tail_names)
    return out


def _pair_candidates(h: Node, rel: str, tails: list[Node], s: _Sent, si: int, ctx: _DocCtx) -> list[Candidate]:
    """h with each of tails (but itself); with pruning (ctx.model), those no rule proposed that
    score below the threshold are left out (their keys go to ctx.pruned)."""
    out = []
    head_mates = s.mates(h)
    proposed, focus = ctx.proposed, ctx.focus
    m = ctx.model["rels"].get(rel) if ctx.model is not None else None  # None: no pruning
    b = _bound(m) if m is not None else None
    hz = b.bias + b.rest + (b.flags["head_in_list"] if id(h) in s.lists else 0.0) if b is not None else 0.0
    pruned, name = ctx.pruned, h.name
    placing = rel == "locatedIn"
    for t in tails:
        if t.name != name and not (placing and s.inside_other(t, h)):
            key = (name, rel, t.name)
            free = key not in proposed  # no rule proposed the pair
            if b is not None and free and _bound_below(h, t, s, b, hz, focus):
                pruned.add(key)  # what the sum below would prune, without the features
                continue
            f = _pair_features(h, rel, t, s, proposed, focus)
            scored = None
            if m is not None and free:
                z = m["bias"] + sum(map(m["w"].get, f, repeat(0.0)))  # _prob's sum
                p = 0.0 if z < _surely_below(m) else _sigmoid(z)
                if p < m["threshold"]:
                    pruned.add(key)
                    continue
                scored = (m, p)  # not proposed: its features stay as they are, score() reuses p
            out.append(Candidate(h, rel, t, si, f, head_mates=head_mates, tail_mates=s.mates(t), scored=scored))
    return out


_BOUNDS: dict[int, tuple] = {}  # id(relation model) -> (the model, its _Bound)


class _Bound:
    """The weights an upper bound on a same-sentence pair's score needs (see _bound_below): the
    features that are cheap to know are summed exactly, each of the others at its most."""

    def __init__(self, m: dict):
        w = m["w"]
        self.w, self.bias = w, m["bias"]
        pos = lambda name: max(0.0, w.get(name, 0.0))  # noqa: E731
        best = lambda names: max(w.get(n, 0.0) for n in names)  # one of them is always there  # noqa: E731
        self.order = (w.get("order=ht", 0.0), w.get("order=th", 0.0))
        self.dist = [w.get(d, 0.0) for d in _DIST] + [w.get("dist=far", 0.0)]
        self.rest = (best(_NBETWEEN) + best(_CLAUSES) + sum(map(pos, (
            "tail_type_between", "head_type_between", "in_list", "nearest_tail", "tail_opens_clause",
            "product_in_project_name", "head_implements_that_project")))
            + 1e-6)  # float slack: the sums below add in another order than score()
        self.flags = {k: w.get(k, 0.0) for k in ("tail_in_head_name", "tail_is_focus", "head_in_list", "tail_in_list",
                                                  "only_place_in_sentence", "bw_sep_only")}
        self.floor = _surely_below(m)
        self.cue = {}  # cue class -> its cue_bw, cue_before and cue_after weights at their most
        for k, v in w.items():
            head, _, cls = k.partition("=")
            if head in ("cue_bw", "cue_before", "cue_after") and v > 0:
                self.cue[cls] = self.cue.get(cls, 0.0) + v


def _bound(m: dict) -> _Bound:
    got = _BOUNDS.get(id(m))
    if got is None or got[0] is not m:
        got = _BOUNDS[id(m)] = (m, _Bound(m))
    return got[1]


def _bound_below(h: Node, t: Node, s: _Sent, b: _Bound, hz: float, focus: dict[str, str]) -> bool:
    """An upper bound on the score of the pair's features (_pair_features) is below the pruning's
    floor, so the pruning would drop it: the candidate needs no features. hz: the head's part of
    the bound. Same-sentence, not nested pairs only (most of them two places of a long sentence,
    某县…某县, none near the threshold)."""
    if t.type == "Literal" or h.sentence != t.sentence:
        return False
    hs, ts = h.start, t.start
    if ts >= hs and t.end <= h.end or hs >= ts and h.end <= t.end:
        return False  # nested
    first, second = (h, t) if hs <= ts else (t, h)
    ht = _HT.get((h.type, t.type))
    z = hz + (b.w.get(ht, 0.0) if ht is not None else b.w.get(f"ht={h.type}>{t.type}", 0.0)) + b.order[first is not h]
    gap = second.start - first.end if second.start > first.end else 0
    z += b.dist[gap if gap < 41 else 41] + _tail_bound(h, t, s, b.flags, focus)
    bw = s.text[first.end - s.start:second.start - s.start]
    if bw and _SEP_CHARS.issuperset(bw):
        z += b.flags["bw_sep_only"]
    if gap <= 12 and bw:
        z += sum(map(b.w.get, _bw_features(bw), repeat(0.0)))
    if z >= b.floor:
        return False
    cue = s._cue_bound.get(id(b))  # (s.cue_bound(b), without the call once known)
    if z + (s.cue_bound(b) if cue is None else cue) < b.floor:
        return True
    # the sentence's cues could lift it: the pair's own cue features, exactly (the rest stay at their most)
    return z + _cue_score(s, first, second, b.w) < b.floor


def _cue_score(s: _Sent, first: Node, second: Node, w: dict) -> float:
    """The weights of the pair's cue_bw, cue_before and cue_after features (as _between_features
    sets them)."""
    z = sum(w.get("cue_bw=" + cls, 0.0) for cls in s.cue_classes(first.end, second.start)) if s.cues else 0.0
    return z + sum(map(w.get, s.cues_before(first), repeat(0.0))) + sum(map(w.get, s.cues_after(second), repeat(0.0)))


def _tail_bound(h: Node, t: Node, s: _Sent, fl: dict, focus: dict[str, str]) -> float:
    """The weights of the tail's flags that hold (exact, as _pair_features sets them)."""
    z = 0.0
    if t.name and t.name[:2] in h.name:
        z += fl["tail_in_head_name"]
    if focus.get(t.type) == t.name:
        z += fl["tail_is_focus"]
    if id(t) in s.lists:
        z += fl["tail_in_list"]
    if t.type in PLACE_TYPES and len(s.place_names) == 1:
        z += fl["only_place_in_sentence"]
    return z


def _doclevel_candidates(h: Node, rel: str, s: _Sent, si: int, ctx: _DocCtx, tail_names) -> list[Candidate]:
    """The document's focus places as tails of h (those not named in the sentence). Their
    features depend only on the two types and on whether the sentence names another place:
    computed (and tested against the threshold) once per document."""
    no_place = s.n_places - (h.type in PLACE_TYPES) <= 0
    key = (rel, h.type, no_place)
    tails = ctx.doc_feats.get(key)
    if tails is None:  # (focus place, its features, below the threshold)
        tails = ctx.doc_feats[key] = [(fn, *_doc_scored(h, rel, fn, s, ctx)) for fn in ctx.focus_nodes.values()]
    out = []
    name = h.name
    for fn, f, low in tails:
        # (a focus place named inside the head's name is a name-derived candidate: _name_candidates)
        if fn.name != name and fn.name not in tail_names and _short_place(fn.name) not in name:
            if low:
                k = (name, rel, fn.name)
                if k not in ctx.proposed:
                    ctx.pruned.add(k)
                    continue
            out.append(Candidate(h, rel, fn, si, f.copy()))
    return out


def _doc_scored(h: Node, rel: str, fn: Node, s: _Sent, ctx: _DocCtx) -> tuple[list[str], bool]:
    f = _doc_features(h, fn, s, ctx.focus)
    return f, ctx.below_threshold(rel, f)


def _carried_candidates(s: _Sent, si: int, sents: dict[int, _Sent], ctx: _DocCtx, rels=None) -> list[Candidate]:
    """Across sentences: an amount or capacity whose sentence names no project, paired with the
    last project of the sentence before (…项目。该项目总投资…). (Places carried over from earlier
    sentences were tried as candidates too: they cost more precision than they found.)"""
    out = []
    prev = sents.get(si - 1)
    if prev is not None and not any(n.type == "Project" for n in s.nodes):
        projects = [n for n in prev.nodes if n.type == "Project"]
        if projects:
            h = projects[-1]
            for rel in ("investment", "capacity"):
                if rels is not None and rel not in rels:
                    continue
                for t in _literals(rel, s, si):
                    f = ["lit_carried", "lit_opens" if t.start - s.start < 12 else "lit_inside"]
                    f += ["lit_cue_before=" + c for c in s.cue_classes(t.start - 6, t.start)]
                    out.append(Candidate(h, rel, t, si, f))
    return out


def _proposal_candidates(ex: Extraction, cands: list[Candidate], rels=None, keys=None) -> list[Candidate]:
    """Rule proposals that are not a same-sentence pair (name-derived, across sentences, literals
    the regexes above do not see) are candidates too, with what the rule knew. keys: the
    (head, rel, tail) of each of cands, when the caller has them."""
    if keys is None:
        keys = [(c.head.name, c.rel, c.tail.name) for c in cands]
    seen = {k for c, k in zip(cands, keys) if not (c.head.extra or c.tail.extra)}
    out = []
    for r in ex.relations:
        if (r.head, r.rel, r.tail) in seen or r.rel not in signatures() or r.source.startswith("cue:") \
                or rels is not None and r.rel not in rels:
            continue
        seen.add((r.head, r.rel, r.tail))
        h = Node(r.head, r.head_type, -1, -1, r.sentence)
        t = Node(r.tail, "Literal" if r.literal else r.tail_type, -1, -1, r.sentence)
        feats = ["proposal_only", f"ht={h.type}>{t.type}", "src=" + r.source]
        if r.head_type and r.tail_type and r.tail[:2] in r.head:
            feats.append("tail_in_head_name")
            if r.head.startswith(_short_place(r.tail)):
                feats.append("head_named_after_tail")
        out.append(Candidate(h, r.rel, t, r.sentence, feats))
    return out


def _name_candidates(by_sent: dict[int, list[Node]], seen: set) -> list[Candidate]:
    """locatedIn for a project, park, firm or cluster whose name holds a place the document
    mentions (长治高新区 → 长治市, 某县多晶硅项目 → 某县): where in the name, and the types, are
    the features."""
    sig = signatures()["locatedIn"]
    heads: dict[str, Node] = {}
    places: dict[str, Node] = {}
    for nodes in by_sent.values():
        for n in nodes:
            if n.type in sig["heads"]:
                heads.setdefault(n.name, n)
            if n.type in sig["tails"] and n.type != "Region":
                places.setdefault(n.name, n)
    by_short: dict[str, list[Node]] = defaultdict(list)
    for t in places.values():
        if len(_short_place(t.name)) >= 2:
            by_short[_short_place(t.name)].append(t)
    lengths: dict[str, list[int]] = defaultdict(list)  # first character -> lengths of short forms
    for short in sorted(by_short, key=len):
        if len(short) not in lengths[short[0]]:
            lengths[short[0]].append(len(short))
    out = []
    for h in heads.values():
        for i, t in _places_in_name(h.name, by_short, lengths):
            if t.name == h.name or (h.name, "locatedIn", t.name) in seen:
                continue
            feats = ["name_derived", f"ht={h.type}>{t.type}", "nd_at_start" if i == 0 else "nd_inner",
                     f"nd_{'start' if i == 0 else 'inner'}_{h.type}>{t.type}"]
            out.append(Candidate(h, "locatedIn", t, h.sentence, feats))
    return out


def _places_in_name(name: str, by_short: dict[str, list[Node]], lengths: dict[str, list[int]]):
    """(first offset, place) for each place whose short form the name holds (linear in the name:
    a dictionary lookup per substring starting with a place's first character and as long as
    one of its short forms, not a scan per place)."""
    first: dict[str, int] = {}
    n = len(name)
    for i, ch in enumerate(name):
        for k in lengths.get(ch, ()):
            if i + k <= n and name[i:i + k] in by_short:
                first.setdefault(name[i:i + k], i)
    return [(i, t) for short, i in first.items() for t in by_short[short]]


def _short_place(name: str) -> str:
    return name[:-1] if len(name) > 2 and name[-1] in "省市县区" else name


def _prob(weights: dict, bias: float, feats: list[str]) -> float:
    z = bias + sum(map(weights.get, feats, repeat(0.0)))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _sigmoid(z: float) -> float:
    """_prob of a summed score z (the same float)."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


_FLOORS: dict[int, tuple] = {}  # id(relation model) -> (the model, its floor)


def _surely_below(m: dict) -> float:
    """A score under which _prob is below m's threshold whatever the rounding: the threshold's
    logit less 1e-6 (the pruning then needs no exp() for most candidates; the few near the
    threshold are computed exactly)."""
    got = _FLOORS.get(id(m))
    if got is None or got[0] is not m:
        t = m["threshold"]
        got = _FLOORS[id(m)] = (m, math.log(t / (1.0 - t)) - 1e-6 if 0.0 < t < 1.0 else -math.inf)
    return got[1]


def score(cands: list[Candidate], model: dict) -> list[tuple[Candidate, float]]:
    out = []
    for c in cands:
        m = model["rels"].get(c.rel)
        if m is None:
            continue
        if c.scored is not None and c.scored[0] is m:  # the pruning's probability: same model, same features
            out.append((c, c.scored[1]))
            continue
        out.append((c, _prob(m["w"], m["bias"], c.features)))
    return out


def _is_proposed(c: Candidate) -> bool:
    return "proposed" in c.features or "proposal_only" in c.features


def _slot(c: Candidate) -> tuple:
    """What a functional relation has one of: a literal's head, a head's tail of one type."""
    return (c.rel, c.tail.name) if c.tail.type == "Literal" else (c.rel, c.head.name, c.tail.type)


def _select(scored: list[tuple[Candidate, float]], model: dict) -> list[tuple[Candidate, float]]:
    """Rule proposals stay unless the model finds them unlikely (keep_proposed); other candidates
    need the relation's threshold. A functional relation's slot filled by a rule proposal takes
    no model-only candidate; otherwise the slot keeps its best candidate and those nearly as good."""
    best: dict[tuple, tuple[Candidate, float, bool]] = {}
    sigs = signatures()
    near: dict[tuple, set[str]] = defaultdict(set)  # (rel, tail) -> heads kept from the tail's own clause
    for c, p in scored:
        proposed = _is_proposed(c)
        if p < (model.get("keep_proposed", 0.5) if proposed else model["rels"][c.rel]["threshold"]):
            continue
        if not proposed and (not _has_needed_cue(c, sigs[c.rel].get("model_needs_cue"))
                             or not set(sigs[c.rel].get("model_blocked_by", ())).isdisjoint(c.features)):
            continue
        if "clauses=0" in c.features:
            near[c.rel, c.tail.name].add(c.head.name)
        key = (c.head.name, c.rel, c.tail.name)
        if key not in best or (proposed, p) > (best[key][2], best[key][1]):
            best[key] = (c, p, proposed)
    functional = {r for r, s in sigs.items() if s.get("functional")}
    ruled: set[tuple] = set()
    top: dict[tuple, float] = {}
    for c, p, proposed in best.values():
        if c.rel in functional:
            if proposed:
                ruled.add(_slot(c))
            top[_slot(c)] = max(top.get(_slot(c), 0.0), p)
    out = []
    for c, p, proposed in best.values():
        if c.rel in functional and not proposed and (_slot(c) in ruled or p < top[_slot(c)] - 0.15):
            continue
        out.append((c, p))
    out = _clause_mates_first(out, {r for r, s in sigs.items() if s.get("clause_mates_first")}, near)
    return _one_per_head(out, {r for r, s in sigs.items() if s.get("one_per_head")})


def _clause_mates_first(out: list[tuple[Candidate, float]], rels: set[str], near: dict) -> list[tuple[Candidate, float]]:
    """A tail of a relation in rels with a head in its own clause keeps no model-only head that is
    an item of a list in an earlier clause (甲、乙等企业落户，其中乙计划投资建设X项目: 乙's
    project, not 甲's). A single subject before stays (甲落户某区，与乙共同打造X项目)."""
    if not rels:
        return out
    return [(c, p) for c, p in out if c.rel not in rels or not near.get((c.rel, c.tail.name))
            or "head_in_list" not in c.features or c.head.name in near[c.rel, c.tail.name] or _is_proposed(c)]


def _one_per_head(out: list[tuple[Candidate, float]], rels: set[str]) -> list[tuple[Candidate, float]]:
    """A head of a relation in rels keeps one tail, a total before a part, else the likeliest (a
    project has one investment: 总投资10亿元, 其中一期4亿元 → 10亿元)."""
    if not rels:
        return out
    top: dict[tuple, tuple[bool, float]] = {}
    for c, p in out:
        if c.rel in rels:
            top[c.rel, c.head.name] = max(top.get((c.rel, c.head.name), (False, 0.0)), (_own_total(c), p))
    return [(c, p) for c, p in out if c.rel not in rels or (_own_total(c), p) >= top[c.rel, c.head.name]]


def _own_total(c: Candidate) -> bool:
    """A total (总投资) said after the head: the head's own (项目32个，总投资216亿元，其中甲项目投资30亿元:
    the total before 甲 is the group's)."""
    return TOTAL_FEATURE in c.features and "lit_order=after" in c.features


def _has_needed_cue(c: Candidate, cue: str | None) -> bool:
    """A relation whose signature names a cue class (suppliesTo: supply) is found by the model
    alone only where a word of that class stands between, before or after the pair."""
    return cue is None or any(f.startswith("cue_") and f.endswith("=" + cue) for f in c.features)


def _untrained(ex: Extraction, model: dict) -> list[tuple[Candidate, float]]:
    """Relations the model has too few examples of (e.g. chainLeaderOf): the rule components'
    proposals, at the confidence the model file gives untrained relations."""
    out = []
    for r in ex.relations:
        if r.source.startswith("cue:"):  # a role or supply cue bound to its mention
            h = Node(r.head, r.head_type, -1, -1, r.sentence)
            out.append((Candidate(h, r.rel, Node(r.tail, r.tail_type, -1, -1, r.sentence), r.sentence,
                                  source=r.source), r.confidence))
            continue
        if r.rel in model["rels"]:
            continue
        h = Node(r.head, r.head_type, -1, -1, r.sentence)
        t = Node(r.tail, "Literal" if r.literal else r.tail_type, -1, -1, r.sentence)
        out.append((Candidate(h, r.rel, t, r.sentence, source=r.source), model.get("untrained_confidence", 0.7)))
    return out


HEAD_SHARED = ("locatedIn", "belongsToChain", "belongsToCluster", "suppliesTo")
TAIL_SHARED = ("produces", "implements")


def _list_mates(chosen: list[tuple[Candidate, float]]) -> list[tuple[Candidate, float]]:
    """Items of one list share what is said of the list: A、B落户X → both in X; X生产A、B → both."""
    have = {(c.head.name, c.rel, c.tail.name) for c, _ in chosen}
    out = []
    for c, p in chosen:
        mates = [(m, c.tail) for m in c.head_mates] if c.rel in HEAD_SHARED else []
        if c.rel in TAIL_SHARED and not _name_prefix(c.head, c.tail):  # 甲X项目、乙项目: 甲 is X's, not 乙's
            mates += [(c.head, m) for m in c.tail_mates]
        for h, t in mates:
            key = (h.name, c.rel, t.name)
            if key not in have and h.name != t.name:
                have.add(key)
                out.append((Candidate(h, c.rel, t, c.sentence, source="list"), round(p * 0.9, 3)))
    return out


def _name_prefix(h: Node, t: Node) -> bool:
    """The head opens the tail's name (a firm's name before its project's) or lies inside it."""
    return h.start >= 0 and (h.end == t.start or t.start <= h.start and h.end <= t.end)


def _consistent(chosen) -> list[tuple[Candidate, float]]:
    """Drop what the document's other relations rule out: the customer of a supply stated in a
    sentence does not make what its supplier makes there (甲向乙供应某部件: 甲 makes it, 乙 buys it),
    nor, by the model's guess alone, anything else in that sentence (甲为乙配套生产某部件);
    a project whose name opens with the firm that implements it has no other implementer by the
    model's guess alone;
    where a cue states a product's maker, the model guesses no other maker after it in that sentence;
    a literal inside another literal of the same head and relation (10万吨 in 年产10万吨); a firm's
    city read from its name alone; the model's city or province of a head the same sentence places
    in one of its counties (位于某市某区: only the most specific place, as the gold guidelines ask)."""
    chosen = list(chosen)
    ctx = _Consistency(chosen)
    return [(c, p) for c, p in chosen
            if not (c.rel == "produces" and ctx.maker_ruled_out(c))
            and not (c.rel == "implements" and c.source == "model" and ctx.named_for_other(c))
            and not (c.tail.type == "Literal" and any(c.tail.name != o and c.tail.name in o
                                                      for o in ctx.lits[(c.head.name, c.rel)]))
            and not _named_after(c) and not ctx.broader_place(c)]


class _Consistency:
    """What a document's chosen relations say about each other (for _consistent)."""

    def __init__(self, chosen) -> None:
        made: dict[tuple, set[str]] = defaultdict(set)  # (maker, sentence) -> products
        self.stated: set[tuple] = set()  # (product, sentence) whose maker a cue states
        self.lits: dict[tuple, list[str]] = defaultdict(list)
        for c, _ in chosen:
            if c.rel == "produces":
                made[(c.head.name, c.sentence)].add(c.tail.name)
                if _is_proposed(c):
                    self.stated.add((c.tail.name, c.sentence))
            if c.tail.type == "Literal":
                self.lits[(c.head.name, c.rel)].append(c.tail.name)
        supply = {(c.head.name, c.tail.name, c.sentence) for c, _ in chosen if c.rel == "suppliesTo"}
        one_way = [(sup, cus, si) for sup, cus, si in supply if (cus, sup, si) not in supply]
        self.supplied = {(cus, t, si) for sup, cus, si in one_way for t in made.get((sup, si), ())}
        self.customers = {(cus, si) for _, cus, si in one_way}
        # project -> the firms that implement it and whose name it opens with (某某公司|某产品项目)
        self.name_owner: dict[str, set[str]] = defaultdict(set)
        self.own: dict[tuple, list[tuple[int, int]]] = defaultdict(list)  # (firm, sentence) -> its projects' spans
        for c, _ in chosen:
            if c.rel != "implements":
                continue
            if c.tail.name.startswith(c.head.name) or _name_prefix(c.head, c.tail):
                self.name_owner[c.tail.name].add(c.head.name)
            if c.tail.start >= 0:
                self.own[(c.head.name, c.sentence)].append((c.tail.start, c.tail.end))
        self.owners = {h for hs in self.name_owner.values() for h in hs}
        self.places: dict[tuple, set[str]] = defaultdict(set)  # (head, sentence) -> the places it is in
        for c, _ in chosen:
            if c.rel == "locatedIn":
                self.places[(c.head.name, c.sentence)].add(c.tail.name)

    def broader_place(self, c: Candidate) -> bool:
        """A model-guessed city or province of a head placed, in the same sentence, in a division
        inside it (某市某区 → the 区 only)."""
        if c.rel != "locatedIn" or c.source != "model" or c.tail.type not in ("City", "Province") \
                or c.head.type not in ("Enterprise", "Project"):
            return False  # (a park's city comes from its own name: the province the text puts before it stays)
        return any(region.inside(other, c.tail.name) for other in self.places[(c.head.name, c.sentence)])

    def named_for_other(self, c: Candidate) -> bool:
        """A project whose name opens with another firm that implements it, guessed for a firm whose
        own project's name opens with it: the list speaking, not the text (甲二期项目、乙某产品项目)."""
        owners = self.name_owner.get(c.tail.name, set())
        return bool(owners) and c.head.name not in owners and c.head.name in self.owners

    def maker_ruled_out(self, c: Candidate) -> bool:
        """A produces pair the sentence's supply or its cue-stated maker rules out (a customer still
        makes what its own project's name there says: 甲某产品项目投产，所需原料来自乙)."""
        if (c.head.name, c.tail.name, c.sentence) in self.supplied:
            return True
        guess = not _is_proposed(c)
        return guess and c.source == "model" and (c.head.name, c.sentence) in self.customers \
            and not any(a <= c.tail.start < b for a, b in self.own.get((c.head.name, c.sentence), ())) \
            or guess and c.head.start > c.tail.end and (c.tail.name, c.sentence) in self.stated


def _named_after(c: Candidate) -> bool:
    """A firm named after its city or province (深圳某集团 → 深圳市) is not placed there by its name:
    only a stated cue (落户, 位于) places a firm (the gold guidelines' rule; counties are kept, a
    firm's county in its name is its seat)."""
    return c.rel == "locatedIn" and c.head.type == "Enterprise" and c.tail.type in ("City", "Province") \
        and c.head.name.startswith(_short_place(c.tail.name)) and not c.source.startswith("cue:")


def _said_absent(text: str, product: Node) -> bool:
    """The product's clause says it is missing or bought in (隔膜环节空白, 某部件依赖外地采购): the
    model's guess of a maker there is no maker."""
    if product.start < 0:
        return False
    a = max((m.end() for m in cues.CLAUSE_END.finditer(text, max(0, product.start - 40), product.start)), default=0)
    m = cues.CLAUSE_END.search(text, product.end)
    clause = text[max(a, product.start - 40):m.start() if m else len(text)]
    return cues.search("absent", clause) is not None and cues.search("filled", clause) is None  # (填补空白: no gap)


def _service_head(c: Candidate) -> bool:
    """The head's name holds a word its relation excludes (head_not_with: 某证券 produces nothing)."""
    return any(w in c.head.name for w in signatures().get(c.rel, {}).get("head_not_with", ()))


def relate(ex: Extraction, model: dict | None = None) -> list[Relation]:
    """The document's relations: the model's choice among the candidates."""
    model = model or load_model()
    chosen = _select(score(candidates(ex, rels=model["rels"], prune=model), model), model)
    chosen += _untrained(ex, model)
    chosen += _list_mates(chosen)
    doc = ex.doc
    rels: list[Relation] = []
    best: dict[tuple, tuple[Candidate, float]] = {}
    for c, p in chosen:  # one relation per (head, rel, tail): its most likely candidate
        key = (c.head.name, c.rel, c.tail.name)
        if c.head.name == c.tail.name or _service_head(c):
            continue  # a place is not inside itself; a bank makes no goods
        old = best.get(key)
        if old is None or p > old[1]:
            best[key] = (c, p)
        if c.rel == "locatedIn" and old is not None and old[0].source.startswith("cue:") != c.source.startswith("cue:"):
            best[key][0].source = (old[0] if old[0].source.startswith("cue:") else c).source  # a cue placed it (_named_after)
    for c, p in sorted(_consistent(best.values()), key=lambda x: (x[0].sentence, x[0].head.start, x[0].rel, x[0].tail.name)):
        if c.rel == "produces" and c.source == "model" and _said_absent(doc.text, c.tail):
            continue
        literal = c.tail.type == "Literal"
        value, cur = literals.parse_amount(c.tail.name) if c.rel == "investment" else (None, "")
        rels.append(Relation(head=c.head.name, rel=c.rel, tail=c.tail.name, sentence=c.sentence,
                             evidence=doc.sentences[c.sentence].text, head_type=c.head.type,
                             tail_type="" if literal else c.tail.type, literal=literal, value=value,
                             currency=cur, confidence=round(p, 3), source=c.source))
    return rels
