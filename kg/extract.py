"""Extraction: Document -> Extraction (mentions, relations, facts).

`Extractor.extract` runs the rule components listed in RULES, in that order, over one document
context (kg/components/rules_context.py: spans taken so far, the mask of characters inside a
name, relation proposals), builds the Extraction (rules_output), runs the components of
ontology/data/pipeline.json (kg.components) and lets the relation stage (kg.relate) decide the
relations. The rule families live in kg/components/rules_*.py; their patterns and word lists in
ontology/data/patterns/rules_*.json and ontology/data/extract_lexicon.json.

This module keeps what every family shares: the gazetteer (divisions, macro regions, cluster
schemes, suffix regexes) and the left-boundary helpers, which find where a name starts on the
jieba words (kg.nlp) of a short window before its suffix: after the last function word / verb
that still leaves a specific name. Nothing here knows a particular enterprise or project.
"""
from __future__ import annotations

import csv
import gc
import json
import re
import sys
from operator import attrgetter
from pathlib import Path

from . import components, nlp, relate, resources
from .confidence import mention_confidence
from .components import rules_names, rules_output, rules_places, rules_products, rules_projects, rules_relations
from .components.rule_patterns import BOUNDARIES as B, time_token
from .components.names import _lex as names_lex, common_word, generic_company, opens_after_join, trade_words_only
from .components.products import is_product
from .components.rules_context import DocCtx as _DocCtx, Span, posseg as _posseg  # noqa: F401 (Span: public name)
from .literals import CJK
from .util import die_with_parent, required_literals
from .model import Document, Extraction, Fact, Mention, Relation


NAME_KEEP, SOFT_STOPS = B.words["name_keep"], B.words["soft_stops"]
OPEN_Q, CLOSE_Q = B.words["open_quotes"], B.words["close_quotes"]
HEADING_LABEL = B.HEADING_LABEL
FUNCTION_CHARS = B.words["function_chars"]  # no name starts after one of these (发展成|某某产业链)


# ------------------------------------------------------------------------------------ gazetteers

class Prefiltered:
    """A compiled pattern whose finditer first checks, with `in`, the literal runs every match
    must hold (read off the pattern: runs outside optional parts and alternatives): a text
    without one of them has no match, and the regex (a lazy {2,20} at every position) is not run."""

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        self.pattern = rx.pattern
        self.literals = required_literals(rx)

    def finditer(self, text: str, *args):
        for lit in self.literals:
            if lit not in text:
                return iter(())
        return self.rx.finditer(text, *args)


class Gazetteer:
    """Everything loaded once per process: divisions, lexicons, cluster schemes."""

    def __init__(self, region_dirs: list[Path] | None = None):
        data = resources.data_dir()
        lex = json.loads((data / "extract_lexicon.json").read_text(encoding="utf-8"))
        self.lex = lex
        S = lambda k: set(lex[k])  # noqa: E731
        self.company_suffixes = lex["company_suffixes"]
        self.company_generic = S("company_generic_heads")
        self.company_heads = S("company_heads")
        self.org_generic = S("org_generic_heads")
        self.park_generic = S("park_generic_heads")
        self.park_abbrev = lex["park_abbrev"]
        self.project_generic = S("project_generic")
        self.category_endings = tuple(lex["category_endings"])
        self.stops = S("left_stops")
        words = names_lex()
        self.left_words = words["left_stops"]  # before any name (选址, 位于, 计划 …)
        self.name_verbs = words["name_verbs"]  # … and verbs whose object is a firm (引进, 观摩 …)
        self.fused_verbs = words["fused_verbs"]  # 全面实施: a verb however jieba tags it
        self.policy_verbs = frozenset(words["policy_verbs"])  # 建设|某产业园: a verb, though a soft stop
        self.common_verb_freq = words["common_verb_freq"]
        self.regions = lex["region_lexicon"]
        self.region_weak = S("region_weak")
        self.region_weak_followers = tuple(lex["region_weak_followers"])
        self.product_heads = sorted(lex["product_heads"], key=len, reverse=True)
        self.product_strip = sorted(lex["product_strip_suffixes"], key=len, reverse=True)
        self.product_reject = S("product_reject")
        self.cluster_generic = S("cluster_generic")
        self.prefix_head_excluded = S("prefix_head_excluded")
        self.name_breaks = S("name_breaks")
        self.firm_name_breaks = S("firm_name_breaks")  # descriptors before a firm's name (评级机构|某某公司)
        self.agent_verbs = S("agent_verbs")  # verb + 人 is a person's role (实际控制人|某某集团), not a name's start
        self.chain_generic = S("chain_generic")
        self.chain_short_words = S("chain_short_words")
        self.produce_verbs = sorted(lex["produce_verbs"], key=len, reverse=True)
        self.supply_res = [Prefiltered(re.compile(p)) for p in lex["supply_patterns"]]
        self.leader_res = [Prefiltered(re.compile(p)) for p in lex["leader_patterns"]]

        alt = lambda xs: "|".join(sorted(map(re.escape, xs), key=len, reverse=True))  # noqa: E731

        def first(*lists) -> str:
            """(?=[first characters]): a lookahead that lets re skip to candidate positions with a
            charset scan instead of trying every alternative at every character (same matches)."""
            words = [w for xs in lists for w in xs]
            if not words or any(not w for w in words):
                return ""
            return "(?=[" + "".join(re.escape(c) for c in sorted({w[0] for w in words})) + "])"

        # plain alternations of literals: found by the automaton scan shared with the gazetteers (nlp.literal_scan)
        self.company_re = nlp.literal_scan(re.compile(rf"(?:{alt(self.company_suffixes)})"))
        self.org_re = re.compile(rf"{first(lex['org_suffixes'], ['中共'], lex['org_bureaus'])}"
                                 rf"(?:(?:{alt(lex['org_suffixes'])})|中共[{CJK}]{{2,8}}?(?:市委|县委|区委|省委)"
                                 rf"|(?:{alt(lex['org_bureaus'])})(?:部|局|厅|委|中心|办公室))")
        self.park_re = nlp.literal_scan(re.compile(rf"(?:{alt(lex['park_suffixes'])})"))
        self.project_re = re.compile(rf"(?:{alt(lex['project_suffixes'])}|{alt(rules_projects.PLANT_SUFFIXES)})(?:[（(]?[一二三四五六七八九十]期[）)]?)?")
        self.chain_re = nlp.literal_scan(re.compile(r"(?:全产业链|产业链|链)"))
        self.cluster_re = nlp.literal_scan(re.compile(r"产业集群|制造业集群|专业镇"))

        # administrative divisions
        self.div_by_name: dict[str, dict] = {}
        self.short_index: dict[str, list[dict]] = {}
        with open(data / "divisions.tsv", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                self.div_by_name[row["name"]] = row
                if row["short_name"]:
                    self.short_index.setdefault(row["short_name"], []).append(row)
        # short forms that are common words or collide with frequent terms: never used alone
        self.short_stop = set(lex["division_short_stop"])
        self.div_ac = nlp.CJKAutomaton(shared=True)  # whole documents: one scan with the others
        keys: dict[str, list] = {}
        for name, row in self.div_by_name.items():
            keys.setdefault(name, []).append(("full", row))
        for short, rows in self.short_index.items():
            keys.setdefault(short, []).extend(("short", r) for r in rows)
        for k, v in keys.items():
            if k in self.short_stop and not any(kind == "full" for kind, _ in v):
                continue
            full = next((r for kind, r in v if kind == "full"), None)
            ctx_names = tuple({r["name"] for kind, r in v if r["type"] in ("City", "Province")})
            self.div_ac.add_word(k, (k, v, full, ctx_names))
        self.div_ac.make_automaton()
        self.region_ac = nlp.CJKAutomaton(shared=True)
        for k, v in self.regions.items():
            self.region_ac.add_word(k, (k, v))
        self.region_ac.make_automaton()

        # cluster schemes of the region folders
        self.schemes: list[dict] = []
        # the region data through the loader every stage uses (a bad file is one error naming it)
        dirs = region_dirs if region_dirs is not None else resources.region_dirs()
        self._load_schemes(resources.load_reference(resources.expand_dirs(dirs), ontology=False))

    def _load_schemes(self, g) -> None:
        import rdflib
        from rdflib.namespace import RDF, SKOS

        KG = rdflib.Namespace("https://w3id.org/chainkg/ontology#")
        for scheme in sorted(set(g.subjects(RDF.type, SKOS.ConceptScheme)), key=str):
            region = g.value(scheme, KG.region)
            city = str(region).rsplit("/", 1)[-1] if region else ""
            labels: dict[str, str] = {}
            chains: dict[str, str] = {}
            for c in g.subjects(RDF.type, KG.IndustryCluster):
                if (c, SKOS.inScheme, scheme) not in g:
                    continue
                pref = str(g.value(c, SKOS.prefLabel) or str(c).rsplit("/", 1)[-1])
                for lab in [pref, *map(str, g.objects(c, SKOS.altLabel))]:
                    labels[lab] = pref
                for ch in g.objects(c, KG.chain):
                    chains[str(ch).rsplit("/", 1)[-1]] = pref
            if not labels:
                continue
            ac = nlp.CJKAutomaton()
            for lab, pref in labels.items():
                ac.add_word(lab, (lab, pref))
            ac.make_automaton()
            row = self.div_by_name.get(city)
            self.schemes.append({"city": city, "short": row["short_name"] if row else city, "ac": ac,
                                 "labels": labels, "chains": chains})


# ------------------------------------------------------------------------------------ helpers

def _is_name_char(ch: str) -> bool:
    return ("\u3400" <= ch <= "\u9fff") or ch.isascii() and (ch.isalnum() or ch in "+-.·&") or ch in "·"


# The rule components in their evaluation order: each reads the spans the earlier ones took (and
# the mask of characters already inside a name). The components after them are ordered by
# ontology/data/pipeline.json.
RULES = (
    ("titles", rules_names.titles),
    ("organisations", rules_names.organisations),
    ("enterprises", rules_names.enterprises),
    ("cue_enterprises", rules_names.cue_enterprises),
    ("short_enterprises", rules_names.short_enterprises),
    ("parks", rules_names.parks),
    ("merge_parks", rules_names.merge_parks),
    ("projects", rules_projects.projects),
    ("chains", rules_places.chains),
    ("clusters", rules_places.clusters),
    ("enterprise_lists", rules_names.enterprise_lists),
    ("short_enterprises", rules_names.short_enterprises),
    ("regions", rules_places.regions),
    ("divisions", rules_places.divisions),
    ("resolve_parks", rules_names.resolve_parks),
    ("products", rules_products.products),
    ("relations", rules_relations.relations),
)


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


CUT_TAGS = frozenset(("v", "p", "u", "uj", "ul", "uz", "c", "d", "r", "t", "f", "ad"))


def _cuts_name(toks, i: int) -> bool:
    """Token i of a firm-name window ends the words before the name: a verb, function word, time or
    date word, or a verbal noun before the place that opens the name (竞购|某国某公司)."""
    tk, fl = toks[i]
    if fl in CUT_TAGS or (fl in ("m", "q") and B.NUMBER_OR_DATE_WORD.search(tk)) or time_token(tk):
        return True
    return fl == "vn" and i + 1 < len(toks) and toks[i + 1][1] == "ns"


def _latin_start(t: str, i: int, lo: int, mask) -> int:
    """Where a spaced Latin name ending before i starts: its letters, digits and inner spaces only
    (商|Concord Corporation公司: the CJK character before it is not part of it)."""
    while i > lo and not mask[i - 1]:
        ch = t[i - 1]
        if not (ch.isascii() and (ch.isalnum() or ch in "-.&" or ch == " " and _ascii_letter(t[i - 2:i - 1]))):
            break
        i -= 1
    return i


def _bracket_open(t: str, i: int, lo: int, ch: str) -> int:
    """The opening bracket of a short bracketed place inside a company name ((山西)), or -1."""
    if ch not in "）)":
        return -1
    j = t.rfind("（" if ch == "）" else "(", lo, i - 1)
    ok = j >= 0 and i - 1 - j <= 5 and all("\u3400" <= c <= "\u9fff" for c in t[j + 1:i - 1])
    return j if ok else -1


def _trade_words(rest: str) -> bool:
    """A trade in common nouns (体育用品, 体育用品集团): after a rare 'verb' (安踏) a kind of firm only."""
    toks = _posseg(rest)
    return len(rest) <= 8 and all(f == "n" for _, f in toks)


class Extractor:
    """The rule extractor: the gazetteer, the boundary helpers the rule families share, and
    `extract` (RULES, then the pipeline components, then the relation stage)."""

    def __init__(self, region_dirs: list[Path] | None = None, ner: str | None = None,
                 register: tuple[str, ...] = ()):
        nlp.init()
        self.g = Gazetteer(region_dirs)
        self.steps = components.build_pipeline(ner=ner, register=register)
        self._city_ctx: set[str] | None = None
        self._prefix_heads_set = {h for h in self.g.company_heads if h not in self.g.prefix_head_excluded and 2 <= len(h) <= 4}
        self._product_heads2 = {h for h in self.g.product_heads if 2 <= len(h) <= 5}
        self._product_head_set = set(self.g.product_heads)
        self._product_heads_tuple = tuple(self.g.product_heads)  # for str.endswith
        self._div_keys = frozenset(self.g.div_by_name) | {k for k in self.g.short_index if k not in self.g.short_stop}
        self._div_firsts = frozenset(k[:2] for k in self._div_keys)  # no key starts with other two characters
        self._strip_re = re.compile("(?:" + "|".join(map(re.escape, self.g.product_strip)) + ")$")

    def _left_limit(self, ctx: _DocCtx, pos: int, quotes: bool, maxlen: int) -> int:
        t, lo = ctx.text, max(ctx.sent_bounds(pos)[0], pos - maxlen)
        i = pos
        depth_q = 0
        mask = ctx.mask
        while i > lo:
            ch = t[i - 1]
            if mask[i - 1]:
                break
            if ("\u3400" <= ch <= "\u9fff") or ch.isascii() and (ch.isalnum() or ch in "+-.·&") or ch in "·":  # _is_name_char
                # the walk goes on to the run's start, the character after a masked one, or lo
                i = max(lo, i - ctx.name_run_before(i), mask.rfind(1, lo, i) + 1)
                continue
            if ch == "/" and t[i:i + 1] in "年月日天时":
                i -= 1  # 3000吨/年钨冶炼项目: one name
                continue
            if ch == " " and i - 1 > lo and _ascii_letter(t[i - 2]) and _ascii_letter(t[i:i + 1]):
                i = _latin_start(t, i - 1, lo, mask)  # Weld Range铁矿项目: one name
                break
            if quotes and (ch in CLOSE_Q or ch in OPEN_Q and depth_q > 0):
                depth_q += 1 if ch in CLOSE_Q else -1
                i -= 1
                continue
            j = _bracket_open(t, i, lo, ch)
            if j < 0:
                break
            i = j
        # an unmatched closing quote at the start means we cut inside a quoted phrase
        while i < pos and t[i] in CLOSE_Q:
            i += 1
        return i

    @nlp.text_cache  # (a pure function of the window: the gazetteer is fixed)
    def _trim_pos_name(self, window: str, firm: bool = True) -> int:  # window: the text before the suffix
        """Inside an enterprise-name window: cut after the rightmost verb / preposition / particle /
        time word that still leaves >= 2 characters (投资兴建了|格力电器…, 今年|公司 → rejected later).
        firm: a firm's window, where a trade before the suffix stays (某星|铸造); not an organisation's.
        A cut after a verb of agency keeps its 人 out of the name (实际控制人|某某集团)."""
        cut = self._trim_pos_name_at(window, firm)
        if cut >= 2 and window[cut:cut + 1] == "人" and len(window) - cut > 2 and window[cut - 2:cut] in self.g.agent_verbs:
            return cut + 1
        return cut

    def _trim_pos_name_at(self, window: str, firm: bool) -> int:
        g = self.g
        toks = _posseg(window)
        p = len(window)
        kept_verb = False
        for i in range(len(toks) - 1, -1, -1):
            tk, fl = toks[i]
            p -= len(tk)
            if (tk in g.name_breaks or firm and tk in g.firm_name_breaks) and p + len(tk) < len(window):
                return p + len(tk)  # 揭牌仪式暨|某公司, 调查机构|某公司: a word no name holds, whatever jieba tags it
            if self._name_word(tk, fl, len(tk) == len(window)):
                continue
            rest = window[p + len(tk):]
            if firm and tk in names_lex()["trade_verbs"] and (not rest or generic_company(rest + "公司")):
                continue  # the trade a firm's name ends with (某星|铸造|有限公司), not a verb before it
            if len(tk) >= 2 and tk in g.name_verbs and rest and not generic_company(rest + "公司"):
                return p + len(tk)  # a known verb before a name, whatever jieba tags it (利用|某某化工)
            if fl == "v" and not kept_verb and self._trade_name_verb(tk, rest, toks[i - 1][0] if i else ""):
                kept_verb = True
                continue
            if fl in ("v", "f") and i and len(tk) >= 2 and self._place_then_kind(toks[i - 1], tk, rest):
                continue  # 中国|稀有|稀土公司, 北方|稀土公司: the cut would leave a kind of firm only
            if _cuts_name(toks, i):
                return p + len(tk)
        return 0

    def _name_word(self, tk: str, fl: str, whole: bool) -> bool:
        """A word that stays in a firm's name whatever its tag: a kept word, company head or place,
        one character of an unknown name (兼 aside: 副总经理兼|某公司), or a "verb" jieba hardly
        knows that is the whole name before its suffix (宏碁|集团)."""
        g = self.g
        if tk in NAME_KEEP or tk in g.company_heads or tk in g.div_by_name or tk in g.short_index:
            return True
        if len(tk) == 1:
            return tk not in "了在的由把被让给向对从与和及将是为兼"
        return whole and fl in ("v", "vn") and nlp.freq(tk) < names_lex()["rare_name_word_freq"]

    def _trade_name_verb(self, tk: str, rest: str, before: str) -> bool:
        """A word jieba tags as a verb that is the firm's trade name (启明|电池有限公司): rare, no
        known verb before names, not glued to a single character before it (同城|快递), and without it
        the name would be a kind of firm only."""
        g = self.g
        return bool(rest) and len(before) != 1 and tk not in g.name_verbs and nlp.freq(tk) < g.common_verb_freq \
            and (generic_company(rest + "公司") or _trade_words(rest))

    def _place_then_kind(self, before: tuple[str, str], tk: str, rest: str) -> bool:
        """A verb- or direction-tagged word after a place word, with only a kind of firm after it:
        part of the name, whose place starts it."""
        g = self.g
        w, fl = before
        return tk not in g.name_verbs and (fl == "ns" or w in g.div_by_name or w in g.short_index) \
            and (not rest or generic_company(rest + "公司") or is_product(rest))

    def _trim(self, window: str, generic: set[str], always: bool = False, keep: frozenset = frozenset()) -> int:
        """Offset into window where the name starts: after the rightmost stop word that still
        leaves at least one specific (non-generic, non-stop) token."""
        toks = nlp.cut(window)
        offs, p = [], 0
        for tk in toks:
            offs.append(p)
            p += len(tk)
        g = self.g
        best = 0
        for k in range(len(toks) - 1, -1, -1):
            tk = toks[k]
            if tk in keep:
                continue
            if (tk in g.stops and (tk not in SOFT_STOPS or tk in "和与及")) or time_token(tk) or (len(tk) == 1 and tk in "的了在对向由为把将被让使等是"):
                if len(tk) == len(toks[k - 1]) == 1 and opens_after_join(window, offs[k]):
                    continue  # 和|同益…: after a conjunction 同 opens the name, it is no preposition
                rest = toks[k + 1:]
                spec = [r for r in rest if r not in g.stops and r not in generic and not time_token(r)
                        and r.strip("“”‘’\"")]
                if always or sum(len(r) for r in spec) >= 2:
                    best = offs[k] + len(tk)
                    break
        # names never start with a quote-closing char or a conjunction
        while best < len(window) and window[best] in "”’、，":
            best += 1
        return best

    @nlp.text_cache  # (a pure function of the window: the gazetteer is fixed)
    def _trim_pos(self, window: str) -> int:
        """Name start for parks, clusters, chains, organisations: after the rightmost function
        word, verb, adverb, pronoun or numeral (jieba posseg), divisions and SOFT_STOPS excepted."""
        label = HEADING_LABEL.match(window)  # 附件2, 表3: a heading's label
        if label and label.end() < len(window):
            return label.end() + self._trim_pos(window[label.end():])
        toks = _posseg(window)
        g = self.g
        p = len(window)
        for tk, fl in reversed(toks):
            p -= len(tk)
            if tk in SOFT_STOPS and not (tk in g.policy_verbs and len(window) - p - len(tk) >= 2) \
                    or tk in g.div_by_name or (tk in g.short_index and tk not in g.short_stop):
                continue
            if tk.isspace():
                return p + len(tk)  # a space ends a heading's label
            if len(tk) == 1:  # tags of single characters of unknown names are arbitrary: only function characters cut
                if tk in FUNCTION_CHARS or tk in "年月日" and window[p - 1:p].isdigit():
                    return p + 1  # 发展成|五金产业链, whatever jieba tags 成; 2024年|全市某产业集群: a date
                continue
            if (tk in g.stops or tk in g.fused_verbs or len(tk) >= 2 and (tk in g.left_words or tk in g.name_verbs and len(window) - p - len(tk) >= 2)
                    or fl in ("v", "vd", "ad", "d", "p", "c", "u", "uj", "ul", "uz", "r", "f", "z")
                    or (fl == "m" and B.ORDINAL_OR_COUNT.search(tk)) or time_token(tk)):
                return p + len(tk)
        return 0

    @nlp.text_cache  # (a pure function of the window: the gazetteer is fixed)
    def _division_anchor(self, window: str, start: int) -> int:
        """If a division name (a whole jieba word) starts the name inside window[:start] with only
        a few non-function characters between (长治市润和燃气…: jieba splits 润/和), start there."""
        g = self.g
        rest = window[start:]
        if any(rest.startswith(d) for d in (rest[:2], rest[:3], rest[:4]) if d in g.div_by_name or d in g.short_index):
            return start  # the name already starts with a division
        p = 0
        for tk in nlp.cut(window):
            if p >= start:
                break
            if tk in g.div_by_name or (tk in g.short_index and tk not in g.short_stop):
                between = window[p + len(tk):start]
                if len(between) <= 4 and not any(x in between for x in "的是在由为让把将对向从了首个与同") \
                        and not any(w in g.stops and w not in "和及" for w, f in _posseg(between)):
                    return p
            p += len(tk)
        return start

    def extract(self, doc: Document, learned: bool = True) -> Extraction:
        """Mentions and facts from the rule components; relations from the learned stage
        (kg.relate), which takes the rule components' relations as proposals."""
        ex = self._extract_rules(doc)
        components.run(ex, self.steps)
        if learned:
            ex.relations = relate.relate(ex)
        return ex

    def _extract_rules(self, doc: Document) -> Extraction:
        ctx = _DocCtx(doc)
        # cities / provinces named in the document: county short names need their city in context
        ctx.div_hits = list(self.g.div_ac.iter_long(doc.text))  # one scan, used again by _divisions
        self._city_ctx = {n for _, (_, _, _, names) in ctx.div_hits for n in names}
        self._city_ctx |= {full["name"] for _, (_, _, full, _) in ctx.div_hits if full is not None}
        for _name, rule in RULES:
            rule(self, ctx)
        return rules_output.finish(self, ctx)

    def _short_forms(self, full: str) -> list[str]:
        return list(_short_forms(self, full))

    def _division_prefix(self, name: str) -> int:
        g = self.g
        keys = self._div_keys
        if name[:2] not in self._div_firsts:
            return 0
        for L in (7, 6, 5, 4, 3, 2):
            if len(name) <= L:
                continue
            p = name[:L]
            if p in keys:  # == p in g.div_by_name or (p in g.short_index and p not in g.short_stop)
                if p not in g.div_by_name and self._city_ctx is not None:
                    rows = g.short_index[p]
                    if not any(r["type"] != "County" or r["parent_city"] in self._city_ctx or r["name"] in self._city_ctx
                               or r["parent_province"] in self._city_ctx for r in rows):
                        continue
                return L
        return 0

    def _div_row(self, s: str) -> dict | None:
        g = self.g
        if s in g.div_by_name:
            return g.div_by_name[s]
        rows = g.short_index.get(s, [])
        return rows[0] if len(rows) == 1 else None


GROUP_SUFFIXES = ("集团有限公司", "集团股份有限公司", "集团有限责任公司")


@nlp.text_cache
def _short_forms(ex: Extractor, full: str) -> tuple[str, ...]:
    """The short forms of a firm's full name (its core without the suffix and leading places, then
    without company head words), cached: it reads only the name and the gazetteer. A short place
    name that is a common word first is kept before one common word (东方电缆, not 电缆)."""
    g = ex.g
    core = B.PARENTHESISED.sub("", full)
    for suf in g.company_suffixes:
        if core.endswith(suf):
            core = core[: -len(suf)]
            break
    core, placed = _strip_places(g, core)
    outs = []
    if len(core) >= 2:
        outs.append(core)
        if full.endswith(GROUP_SUFFIXES):
            outs.append(core + "集团")  # 山东东岳集团有限公司 → 东岳集团
    toks = list(nlp.cut(core))
    while len(toks) > 1 and toks[-1] in g.company_heads:
        toks.pop()
        s = "".join(toks)
        if len(s) >= 2:
            outs.append(s)
    return tuple(o for o in outs if o not in g.div_by_name and o not in g.short_index and o not in g.stops
                 and o not in g.company_heads and not (placed and o[:2] not in g.short_index and trade_words_only(o)))


def _strip_places(g, core: str) -> tuple[str, bool]:
    """core without the places that open it, and whether there were any (东方电缆 is no 东方 + 电缆)."""
    placed = False
    while True:
        L = next((L for L in (5, 4, 3, 2) if len(core) - L >= 2 and (core[:L] in g.div_by_name or (
            core[:L] in g.short_index and not (core[:L] in g.short_stop and common_word(core[L:]))))), 0)
        if not L:
            return core, placed
        core, placed = core[L:], True


# ------------------------------------------------------------------------------------ API

def to_json(ex: Extraction) -> dict:
    return {
        "doc": ex.doc.doc_id,
        "entities": [{"text": m.text, "type": m.type, "canonical": m.canonical, "start": m.start, "end": m.end,
                      "source": m.source, "confidence": mention_confidence(m.source)} for m in ex.mentions],
        "relations": [{"head": r.head, "rel": r.rel, "tail": r.tail, "evidence": r.evidence,
                       "source": r.source, "confidence": round(r.confidence, 3)} for r in ex.relations],
        "facts": [{"subject": f.subject, "metric": f.metric, "value": f.value, "period": f.period, "evidence": f.evidence}
                  for f in ex.facts],
    }


_WORKER: Extractor | None = None
YOUNG_GC_THRESHOLD = 20000  # gen-0 threshold while extracting (Python's default is 700)


def _safe_extract(doc: Document) -> Extraction:
    """One bad document must not lose the corpus: report it and go on with an empty extraction."""
    try:
        return _WORKER.extract(doc)
    except Exception as e:  # noqa: BLE001 - reported to the user, the run goes on
        print(f"警告：抽取 {doc.doc_id} 时出错（{type(e).__name__}: {e}），该文档的抽取结果为空", file=sys.stderr)
        return Extraction(doc=doc)


_DOCS: list[Document] = []


def _fields(cls) -> tuple[str, ...]:
    import dataclasses

    return tuple(f.name for f in dataclasses.fields(cls))


_GET_M, _GET_R, _GET_F = (attrgetter(*_fields(c)) for c in (Mention, Relation, Fact))


def _work(i: int):
    """In a forked worker: the documents are inherited, only the index travels; evidence strings
    (the sentence texts) are dropped here and restored by the parent, which has the documents.
    Results travel as field tuples: unpickling dataclass instances (class + state dict each) cost
    the parent, which shares the two cores with the workers, ~2.5x more than tuples + __init__."""
    ex = _safe_extract(_DOCS[i])
    for r in ex.relations:
        r.evidence = ""
    for f in ex.facts:
        f.evidence = ""
    return [_GET_M(m) for m in ex.mentions], [_GET_R(r) for r in ex.relations], [_GET_F(f) for f in ex.facts]


def _restore_evidence(doc: Document, rels: list[Relation], facts: list[Fact]) -> None:
    for r in rels:
        r.evidence = doc.sentences[r.sentence].text if doc.sentences else doc.text
    for f in facts:
        f.evidence = doc.sentences[f.sentence].text if doc.sentences else doc.text


def extract_all(docs: list[Document], workers: int = 1, progress: bool = False, region_dirs=None,
                ner: str | None = None, register: tuple[str, ...] = ()) -> list[Extraction]:
    global _WORKER
    dirs = [Path(d) for d in region_dirs] if region_dirs is not None else None
    if _WORKER is None or getattr(_WORKER, "_dirs", "unset") != (dirs, ner, register):
        _WORKER = Extractor(dirs, ner=ner, register=register)
        _WORKER._dirs = (dirs, ner, register)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(docs), unit="doc", file=sys.stderr, desc="抽取")
    out: list[Extraction] = []
    threshold = gc.get_threshold()
    if threshold[0]:  # (0: the caller turned automatic collection off)
        # a document allocates fewer tracked objects than this: with the heap frozen after each
        # one (below), the young generation is then never collected mid-document (~5% of the
        # time was ~6 young collections per 50-KB document, each walking what it had built)
        gc.set_threshold(max(threshold[0], YOUNG_GC_THRESHOLD), *threshold[1:])
    try:
        _extract_into(out, docs, workers, bar)
    finally:
        gc.set_threshold(*threshold)
        # the results were frozen as they came (below): hand them back to the cyclic GC
        gc.unfreeze()
    if bar:
        bar.close()
    return out


def _extract_into(out: list, docs: list[Document], workers: int, bar) -> None:
    """Fill out. After each document the GC-tracked heap (results so far, documents, gazetteers)
    is frozen (gc.freeze is O(1)): full collections would otherwise walk the growing result list
    again and again (measured ~8% of a 10-MB run single-core and most of the parent's CPU with
    2 workers). Cyclic garbage frozen with it is collected after extract_all unfreezes."""
    if workers <= 1 or len(docs) < 2:
        for d in docs:
            out.append(_safe_extract(d))
            gc.freeze()
            if bar:
                bar.update(1)
    else:
        import multiprocessing as mp

        global _DOCS

        ctx = mp.get_context("fork")
        # small chunks: the last chunk of a worker is not left running alone for long (a chunk of
        # 16 50-KB documents is ~1 s of one core); only indices travel, so chunks cost little
        chunk = max(1, min(4, len(docs) // (workers * 16) or 1))
        _DOCS = docs
        try:
            # freeze the parent's heap (gazetteers, documents) before forking: the workers' cyclic GC
            # then never walks (and writes to, copying the shared pages) the inherited objects
            gc.freeze()
            try:
                pool = ctx.Pool(workers, die_with_parent)
            finally:
                gc.unfreeze()
            with pool:
                for d, (ms, rs, fs) in zip(docs, pool.imap(_work, range(len(docs)), chunksize=chunk)):
                    ms = [Mention(*x) for x in ms]
                    rs = [Relation(*x) for x in rs]
                    fs = [Fact(*x) for x in fs]
                    _restore_evidence(d, rs, fs)
                    out.append(Extraction(doc=d, mentions=ms, relations=rs, facts=fs))
                    gc.freeze()
                    if bar:
                        bar.update(1)
        finally:
            _DOCS = []
