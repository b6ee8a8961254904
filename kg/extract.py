"""Extraction: Document -> Extraction (mentions, relations, facts).

Engine: gazetteer scans (kg.nlp.CJKAutomaton over pyahocorasick: national divisions, macro regions, the region cluster
schemes) plus compiled suffix regexes (company / organisation / park / project / chain names).
Left boundaries of names are found on jieba words (kg.nlp.cut) of a short window before the
suffix: the name starts after the last function word / verb (ontology/data/extract_lexicon.json)
that still leaves a specific name. Relations come from the sentence a pair of mentions shares
(adjacency: enterprise + its project, place prefix + project; cue patterns: 总投资, 年产, 链主,
为…配套 …). Nothing here knows a particular enterprise or project.
"""
from __future__ import annotations

import csv
import gc
import json
import re
import sys
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

from . import components, namemodel, nlp, relate, resources
from .components import rules_relations
from .literals import CAP_PLAIN_RE, CAP_RE, CAP_UNITS, CJK, INVEST_RE, _num, parse_amount
from .components.rules_context import DocCtx as _DocCtx, Span  # noqa: F401 (public names)
from .model import Document, Extraction, Fact, Mention, Relation

PERIOD_RE = re.compile(r"(?:\d{4}年)?(?:\d{1,2}[—\-－至到~～]\d{1,2}月|前?[一二三四]季度|上半年|下半年|今年以来|今年上半年|今年|去年|全年|\d{4}年(?:\d{1,2}月)?|截至\d{0,4}年?\d{1,2}月(?:底|末)?|截至目前)")
TIME_TOKEN = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)(?:年|月|日|号|时)$")
CAP_END = re.compile(rf"(?:年产|年产能|年处理)\d+(?:\.\d+)?[万亿千百]?(?:{CAP_UNITS})$")
_RE_PRODUCTION = re.compile(r"生产|制造|研制|研发|配套|供应|主营|主要产品|为主|年产|下线|封装|产能|加工")
_RE_LIST_BEFORE = re.compile(r"等[\d一二三四五六七八九十两百多余批个\s]*(?:个|批|家|项)?[\u4e00-\u9fff]{0,4}$")
_RE_QUOTES = re.compile(r"[“”‘’\"]")
_RE_QUOTES_WS = re.compile(r"[“”‘’\"\s]")
_RE_QUOTES_PARENS = re.compile(r"[“”‘’\"（）()]")
_RE_COUNT_AFTER = re.compile(r"(?:达|共|超|超过|有|约)?\d+(?:个|项)")
_RE_DESIGNATION = re.compile(r"作为|首个|首座|首家|唯一|成为")
_RE_NUMBER_ONLY = re.compile(r"[\d.]+\s*(?:个|亿元|万元)?")
_RE_COUNTISH = re.compile(r"\d+个|亿元以上|万元以上")
GENERIC_BEFORE_SUFFIX = {"重大", "重点", "大抓", "抓大", "一号", "签约", "推动", "推进", "围绕", "服务", "质量", "民生", "一个", "转型",
                         "兼顾", "季度", "都是", "招商", "召开", "进行", "县区", "谋划", "储备", "惠民", "在建", "续建", "优质",
                         "标杆", "各类", "这些", "产业", "建设", "引进", "实施", "开工", "竣工", "投产", "落地", "新兴", "好的",
                         "大的", "新的", "所有", "全部", "其他", "相关", "配套", "合作", "对接", "洽谈", "在谈", "入库"}
QUICK_REJECT = set("\n“”「」的个等批类些和及、，。；：！？“抓谈好该此各多省市县级这那其本我你他与在对向为把将让使被是了着过起到")
BUILD_VERBS = {"建设", "新建", "扩建", "兴建", "开建", "投建", "引导", "引进", "续建", "筹建", "建立", "组建"}
NAME_KEEP = frozenset({"投资", "发展", "管理", "建设", "实业", "贸易", "服务", "控股", "开发", "科技", "研发", "生产", "制造",
                       "销售", "供应", "配套", "新", "国际", "中国", "联合", "合作", "运营", "创新", "物流", "工程"})
SOFT_STOPS = {"和", "及", "与", "研发", "研制", "生产", "制造", "加工", "设计", "开发", "建设", "配套", "供应", "服务", "技术改造",
              "改造", "扩建", "新建", "应用", "示范", "利用", "综合利用", "一期", "首期", "储能", "组装", "产业化"}
VERB_OK = {"改造", "示范", "利用", "应用", "组装", "储能", "建设", "扩建", "新建", "加工", "制造", "生产", "研发", "开发", "转化",
           "提升", "升级", "搬迁", "扩产", "技改", "改扩建", "供水", "供热", "供气", "治理", "修复", "充电", "换电", "回收",
           "独立", "综合", "集中", "分布", "智慧", "共享", "孵化", "检测", "养殖", "种植", "屠宰", "冷链", "仓储", "发电", "储运"}
OPEN_Q, CLOSE_Q = "“‘「『\"", "”’」』\""


# precompiled (were compiled on the fly through re's cache)
_RX0 = re.compile(r"\d|年|月")
_RX1 = re.compile(r"[\d第批个]")
_RX2 = re.compile(r"\d")
_RX3 = re.compile(r"[一二三四五六七八九十首]期|第[一二三四五六七八九十]")
_RX4 = re.compile(r"[“”‘’\"]")
_RX5 = re.compile(r"《[^《》\n]{1,60}》")
_RX6 = re.compile(r"(?:高新区|开发区|经开区|园区|产业园|工业园)")
_RX7 = re.compile(r"[（(][^）)]*[）)]")
_RX8 = re.compile(r"[\d.]+")
_RX9 = re.compile(r"[的了和与及、]|公司$|集团$|企业$|我|本|该|此")
_RX10 = re.compile(r"(?:董事长|总经理|总裁|半年报|年报)")
_RX11 = re.compile(r"开工|投产|竣工|奠基|建成|开建")
_RX12 = re.compile(r"(?:示范|研学|教育|培训|实践|科普|旅游|拓展|爱国主义)基地$")
_RX13 = re.compile(r"\d|年产")
_RX14 = re.compile(r"等(?:[\d一二三四五六七八九十两百多余]+(?:个|项|批)|一批)?[\u4e00-\u9fff]{0,6}?(?:项目|工程)(?![类师机])")
_RX15 = re.compile(r"(、|和|及)")
_RX16 = re.compile(r"[\dA-Za-z]")
_RX17 = re.compile(rf"\d(?:[万亿千百])?(?:{CAP_UNITS})$")
_RX18 = re.compile(r"[\u4e00-\u9fff]*\d+")
_RX19 = re.compile(r"第[一二三四五六七八九十]|[一二三四五六七八九十]期")
_RX20 = re.compile(r"\d|期|项目|工程|生产线|基地|工厂|[、，]")
_RX21 = re.compile(rf"^([{CJK}A-Za-z]{{2,12}}?)(?:投资|建设|投建)的")
_RX22 = re.compile(r"[铝铜铁钢锂硅碳氢镁钛锌镍钴锰钒铅锡金银石煤油气水电光热]")
_RX23 = re.compile(rf"^([{CJK}]{{2,6}})(?=\d)")
_RX24 = re.compile(r"\d|[一二三四五六七八九十]大|条")
_RX25 = re.compile(r"\d|个")
_RX26 = re.compile(r"等(?:[\d一二三四五六七八九十两]+个)?(?:[\u4e00-\u9fff]{0,4}?)产业集群")
_RX27 = re.compile(r"\d|[，。]")
_RX28 = re.compile(r"(?:主要|专业|专门)?(?:生产|制造|研发|研制|销售|供应|提供)(?:和|及|、)?")
_RX29 = re.compile(r"的|等|产品$|，|将|可|已|为|在|并|及相应|以|用于|达到|实现")
_RX30 = re.compile(r"(、|和|及|与)")
_RX31 = re.compile(rf"^{_num}(?:[万亿千百])?(?:余|多)?(?:{CAP_UNITS})?(?:余|多)?")
_RX32 = re.compile(rf"{_num}(?:[万亿千百])?(?:{CAP_UNITS})$")
_RX49 = re.compile(r"\s")
_RX50 = re.compile(r"\d|“|”")
_START_END = attrgetter("start", "end")
_NUM_RE = re.compile(_num)

# ------------------------------------------------------------------------------------ gazetteers

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
        self.regions = lex["region_lexicon"]
        self.region_weak = S("region_weak")
        self.region_weak_followers = tuple(lex["region_weak_followers"])
        self.product_heads = sorted(lex["product_heads"], key=len, reverse=True)
        self.product_strip = sorted(lex["product_strip_suffixes"], key=len, reverse=True)
        self.product_reject = S("product_reject")
        self.cluster_generic = S("cluster_generic")
        self.chain_generic = S("chain_generic")
        self.chain_short_words = S("chain_short_words")
        self.produce_verbs = sorted(lex["produce_verbs"], key=len, reverse=True)
        self.supply_res = [re.compile(p) for p in lex["supply_patterns"]]
        self.leader_res = [re.compile(p) for p in lex["leader_patterns"]]

        alt = lambda xs: "|".join(sorted(map(re.escape, xs), key=len, reverse=True))  # noqa: E731

        def first(*lists) -> str:
            """(?=[first characters]): a lookahead that lets re skip to candidate positions with a
            charset scan instead of trying every alternative at every character (same matches)."""
            words = [w for xs in lists for w in xs]
            if not words or any(not w for w in words):
                return ""
            return "(?=[" + "".join(re.escape(c) for c in sorted({w[0] for w in words})) + "])"

        self.company_re = re.compile(rf"(?:{alt(self.company_suffixes)})")  # plain alternations of literals are scanned fast already
        self.org_re = re.compile(rf"{first(lex['org_suffixes'], ['中共'], lex['org_bureaus'])}"
                                 rf"(?:(?:{alt(lex['org_suffixes'])})|中共[{CJK}]{{2,8}}?(?:市委|县委|区委|省委)"
                                 rf"|(?:{alt(lex['org_bureaus'])})(?:部|局|厅|委|中心|办公室))")
        self.park_re = re.compile(rf"(?:{alt(lex['park_suffixes'])})")
        self.project_re = re.compile(rf"(?:项目|工程|生产线|基地|工厂|厂区)(?:[（(]?[一二三四五六七八九十]期[）)]?)?")
        self.chain_re = re.compile(r"(?:全产业链|产业链|链)")
        self.cluster_re = re.compile(r"产业集群|专业镇")

        # administrative divisions
        self.div_by_name: dict[str, dict] = {}
        self.short_index: dict[str, list[dict]] = {}
        with open(data / "divisions.tsv", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                self.div_by_name[row["name"]] = row
                if row["short_name"]:
                    self.short_index.setdefault(row["short_name"], []).append(row)
        # short forms that are common words or collide with frequent terms: never used alone
        self.short_stop = {"城区", "郊区", "矿区", "新区", "高新", "开发", "和平", "新华", "长安", "中山", "朝阳", "南山", "北山",
                           "东方", "江南", "城关", "永和", "太平", "青山", "白云", "新城", "宝山", "金山", "海城", "开平", "安新",
                           "清河", "大同", "长子", "平顺", "通化", "永川", "新乡", "建设", "红旗", "东风", "前进", "胜利", "光明",
                           "和田", "新兴", "延长", "安全", "合作", "兴安", "长春", "东港", "龙口", "太和", "天河", "黄山", "昌平",
                           "西湖", "海南", "河南", "河北", "山东", "湖南", "湖北", "海口", "东区", "西区", "南区", "北区", "中区",
                           "市中", "新市", "东城", "西城", "大兴", "南开", "河西", "河东", "向阳", "桥西", "桥东", "铁西", "铁东", "台湾"}
        self.short_stop -= {"河南", "河北", "山东", "湖南", "湖北", "海南", "台湾"}  # provinces stay (type check below)
        self.div_ac = nlp.CJKAutomaton()
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
        self.region_ac = nlp.CJKAutomaton()
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


class Extractor:
    def __init__(self, region_dirs: list[Path] | None = None, ner: str | None = None):
        nlp.init()
        self.g = Gazetteer(region_dirs)
        self.steps = components.build_pipeline(ner=ner)
        self._city_ctx: set[str] | None = None
        self._prefix_heads_set = {h for h in self.g.company_heads if h not in self.PREFIX_HEAD_EXCLUDED and 2 <= len(h) <= 4}
        self._product_heads2 = {h for h in self.g.product_heads if 2 <= len(h) <= 5}
        self._product_head_set = set(self.g.product_heads)
        self._div_keys = frozenset(self.g.div_by_name) | {k for k in self.g.short_index if k not in self.g.short_stop}
        self._strip_re = re.compile("(?:" + "|".join(map(re.escape, self.g.product_strip)) + ")$")

    # ------------------------------------------------------------ left boundary
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
                i -= 1
                continue
            if quotes and ch in CLOSE_Q:
                depth_q += 1
                i -= 1
                continue
            if quotes and ch in OPEN_Q and depth_q > 0:
                depth_q -= 1
                i -= 1
                continue
            if ch in "）)":  # (山西) inside a company name
                j = t.rfind("（" if ch == "）" else "(", lo, i - 1)
                if j >= 0 and i - 1 - j <= 5 and all("\u3400" <= c <= "\u9fff" for c in t[j + 1:i - 1]):
                    i = j
                    continue
            break
        # an unmatched closing quote at the start means we cut inside a quoted phrase
        while i < pos and t[i] in CLOSE_Q:
            i += 1
        return i

    def _trim_pos_name(self, window: str) -> int:
        """Inside an enterprise-name window: cut after the rightmost verb / preposition / particle /
        time word that still leaves >= 2 characters (投资兴建了|格力电器…, 今年|公司 → rejected later)."""
        g = self.g
        toks = _posseg(window)
        p = len(window)
        for tk, fl in reversed(toks):
            p -= len(tk)
            if tk in NAME_KEEP or tk in g.company_heads or tk in g.div_by_name or tk in g.short_index:
                continue
            if len(tk) == 1 and tk not in "了在的由把被让给向对从与和及将是为":
                continue  # single characters of unknown names get arbitrary tags
            if fl in ("v", "p", "u", "uj", "ul", "uz", "c", "d", "r", "t", "f", "ad") or (fl in ("m", "q") and _RX0.search(tk)) or TIME_TOKEN.match(tk):
                return p + len(tk)
        return 0

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
            if (tk in g.stops and (tk not in SOFT_STOPS or tk in "和与及")) or TIME_TOKEN.match(tk) or (len(tk) == 1 and tk in "的了在对向由为把将被让使等是"):
                rest = toks[k + 1:]
                spec = [r for r in rest if r not in g.stops and r not in generic and not TIME_TOKEN.match(r)
                        and r.strip("“”‘’\"")]
                if always or sum(len(r) for r in spec) >= 2:
                    best = offs[k] + len(tk)
                    break
        # names never start with a quote-closing char or a conjunction
        while best < len(window) and window[best] in "”’、，":
            best += 1
        return best

    def _trim_pos(self, window: str) -> int:
        """Name start for parks, clusters, chains, organisations: after the rightmost function
        word, verb, adverb, pronoun or numeral (jieba posseg), divisions and SOFT_STOPS excepted."""
        toks = _posseg(window)
        g = self.g
        p = len(window)
        for tk, fl in reversed(toks):
            p -= len(tk)
            if tk in SOFT_STOPS or tk in g.div_by_name or (tk in g.short_index and tk not in g.short_stop):
                continue
            if len(tk) == 1 and tk not in "了在的由把被让给向对从与和及将是为等出起到成以该此这其本":
                continue  # tags of single characters of unknown names are arbitrary
            if (tk in g.stops or fl in ("v", "vd", "ad", "d", "p", "c", "u", "uj", "ul", "uz", "r", "f", "z")
                    or (fl == "m" and _RX1.search(tk)) or TIME_TOKEN.match(tk)):
                return p + len(tk)
        return 0

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
                if len(between) <= 4 and not any(x in between for x in "的是在由为让把将对向从了首个") \
                        and not any(w in g.stops and w not in "和与及" for w, f in _posseg(between)):
                    return p
            p += len(tk)
        return start

    def _trim_project(self, window: str, is_item: bool = False, min_len: int = 3) -> int | None:
        """Start offset of a project name in window, or None when the candidate is not a name
        (VERB + 项目, 的项目, generic words only)."""
        toks = _posseg(window)
        g = self.g
        if toks and not is_item and toks[-1][1] in ("v", "d", "ad", "z") and toks[-1][0] not in VERB_OK and len(toks[-1][0]) > 1 \
                and not _RX2.search(window):
            return None
        if toks and not is_item and toks[-1][1] in ("u", "uz", "ul", "uj", "q", "y"):
            return None
        if len(toks) >= 2 and toks[-1][1] == "m" and toks[-1][0].isdigit() and toks[-2][1] == "v":
            return None
        if toks and all(f in ("v", "a", "d", "ad") and len(w) == 1 for w, f in toks[-2:]):
            return None
        if toks and toks[-1][0] in ("的", "是", "了", "起", "到", "和", "与", "及", "等", "对", "向", "在", "让", "为", "以", "把", "将"):
            return None
        offs, p = [], 0
        for tk, _ in toks:
            offs.append(p)
            p += len(tk)
        has_digit = bool(_RX2.search(window))
        for k in range(len(toks) - 1, -1, -1):
            tk, fl = toks[k]
            tail_len = len(window) - offs[k] - len(tk)
            hard = ((tk in g.stops and tk not in SOFT_STOPS) or TIME_TOKEN.match(tk) or tk in ("之", "地", "得", "万元", "亿元", "元", "美元")
                    or (fl in ("v", "d", "p", "u", "uz", "uj", "ul") and tk not in VERB_OK and tk not in SOFT_STOPS
                        and 0 < tail_len <= 3 and len(tk) >= 2 and not has_digit and (min_len > 2 or k == 0)
                        and not (k + 1 < len(toks) and toks[k + 1][1] in ("v", "vn"))))
            build = tk in BUILD_VERBS and tail_len >= 4
            if not hard and not build:
                continue
            if tk == "的" and CAP_END.search(window, 0, offs[k]):
                continue  # 年产300万只的车灯生产线: the figure belongs to the name
            rest = [r for r, _ in toks[k + 1:]]
            if build:
                spec = [r for r in rest if r not in g.stops and r not in g.project_generic]
                if spec and rest[0] not in ("和", "及", "与") and sum(len(r) for r in spec) >= 2:
                    return offs[k] + len(tk)
                continue
            spec = [r for r in rest if r not in g.stops and r not in g.project_generic and not TIME_TOKEN.match(r)
                    and r.strip("“”‘’\"")]
            while rest and rest[0] in BUILD_VERBS:
                tk = tk + rest[0]
                rest = rest[1:]
            if rest and all(_RX3.fullmatch(r) for r in rest):
                return len(window) - len("".join(rest))  # 扩建|二期工厂
            if spec and sum(len(r) for r in spec) >= 2 and len(_RX4.sub("", "".join(rest))) >= min_len:
                best = len(window) - len("".join(rest))
                while best < len(window) and window[best] in "”’、，":
                    best += 1
                return best
            return None
        return 0

    # ------------------------------------------------------------ main
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
        self._titles(ctx)
        self._organisations(ctx)
        self._enterprises(ctx)
        self._cue_enterprises(ctx)
        self._short_enterprises(ctx)
        self._parks(ctx)
        self._merge_parks(ctx)
        self._projects(ctx)
        self._chains(ctx)
        self._clusters(ctx)
        self._enterprise_lists(ctx)
        self._short_enterprises(ctx)
        self._regions(ctx)
        self._divisions(ctx)
        self._resolve_parks(ctx)
        self._products(ctx)
        rules_relations.relations(self, ctx)
        return self._finish(ctx)

    # ------------------------------------------------------------ titles 《…》
    def _titles(self, ctx: _DocCtx) -> None:
        for m in _RX5.finditer(ctx.text):
            for i in range(m.start(), m.end()):
                ctx.mask[i] = 1

    # ------------------------------------------------------------ organisations
    def _organisations(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        for m in g.org_re.finditer(t):
            if not ctx.free(m.start(), m.end()):
                continue
            if m.group().startswith("中共"):
                ctx.take(Span(m.start(), m.end(), "Organization", m.group(), m.group()))
                continue
            end = m.end()
            lo = self._left_limit(ctx, m.start(), False, 20)
            win = t[lo:m.start()]
            if len(win) < 1:
                continue
            off = self._trim(win, g.org_generic, always=True)
            name = t[lo + off:end]
            core = name[: len(name) - len(m.group())]
            bureau = m.group()[-1] in "部局厅委心室" and len(m.group()) > 2
            if not bureau and (len(core) < 2 or name in g.org_generic or core in g.org_generic):
                continue
            ctx.take(Span(lo + off, end, "Organization", name, name))

    # ------------------------------------------------------------ enterprises (legal names)
    def _name_window(self, ctx: _DocCtx, pos: int, width: int) -> tuple[int, str, int] | None:
        """(lo, window, off): the text before pos where a company name may start, and the offset in it
        of the name's first character once leading generic and non-name words are trimmed."""
        lo = self._left_limit(ctx, pos, False, width)
        win = ctx.text[lo:pos]
        if not win:
            return None
        off = self._trim(win, self.g.company_generic, keep=NAME_KEEP)
        return lo, win, off + self._trim_pos_name(win[off:])

    def _enterprises(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        for m in g.company_re.finditer(t):
            if not ctx.free(m.start(), m.end()):
                continue
            w = self._name_window(ctx, m.start(), 24)
            if w is None:
                continue
            lo, win, off = w
            off = self._division_anchor(win, off)
            # a park or a division followed by another division: the name starts at the latter
            name = t[lo + off:m.end()]
            core = t[lo + off:m.start()]
            pm = _RX6.search(core)
            if pm and pm.end() < len(core) - 1:
                off += pm.end()
                name, core = t[lo + off:m.end()], t[lo + off:m.start()]
            core_plain = _RX7.sub("", core)
            if core_plain and (nlp.cut(core_plain)[0] in g.stops or nlp.cut(core_plain)[0] in g.project_generic):
                continue
            if len(core_plain) < 2 or core_plain in g.company_generic or core_plain in g.div_by_name \
                    or core_plain in g.short_index or _RX8.fullmatch(core_plain):
                continue
            if m.group() in ("集团", "公司") and nlp.cut(core_plain)[-1] in g.company_generic:
                continue
            if m.group() == "集团" and t[m.end():m.end() + 1] in ("化",):  # 集团化
                continue
            ctx.take(Span(lo + off, m.end(), "Enterprise", name, name, meta={"legal": True}))

    CUE_AFTER = re.compile(r"(?:董事长|副董事长|总经理|副总经理|高级总裁|副总裁|总裁|CEO|总部|技术中心|研发中心|采购部|销售部|股份|集团|"
                           r"公司|半年报|年报|财报)")
    CUE_BEFORE = re.compile(r"由([\u4e00-\u9fffA-Za-z]{2,10}?)(?:投资|控股|出资|独资|合资)")
    CUE_IS = re.compile(r"^([\u4e00-\u9fffA-Za-z]{2,8}?)是(?:[^，。；]{0,40}?)(?:企业|公司|厂家|厂商|服务商|供应商|制造商)")

    def _cue_enterprise_ok(self, name: str) -> bool:
        g = self.g
        if not (2 <= len(name) <= 8) or name in g.div_by_name or name in g.short_index or name in g.regions \
                or name in g.stops or name in g.company_generic or name in g.company_heads:
            return False
        toks = _posseg(name)
        if any(f in ("r", "v", "p", "c", "u", "uj", "m", "t", "d") for _, f in toks):
            return False
        if all(w in g.project_generic or w in g.product_reject or w in g.company_generic for w, _ in toks):
            return False
        return not _RX9.search(name)

    def _cue_enterprises(self, ctx: _DocCtx) -> None:
        """Company names without a legal suffix, recognised by their context: X董事长/总经理/CEO,
        由X投资, X是…企业/公司; every other occurrence of the same name is then a mention too."""
        t, g = ctx.text, self.g
        names: set[str] = set()
        for m in self.CUE_AFTER.finditer(t):
            if m.group() in ("股份", "集团", "公司") and not _RX10.match(t[m.end():m.end() + 3]):
                continue
            w = self._name_window(ctx, m.start(), 10)
            if w is not None:
                _lo, win, off = w
                names.add(win[off:])
        for m in self.CUE_BEFORE.finditer(t):
            names.add(m.group(1))
        for s in ctx.doc.sentences:
            m = self.CUE_IS.match(s.text)
            if m:
                names.add(m.group(1))
        for name in sorted((n for n in names if self._cue_enterprise_ok(n)), key=len, reverse=True):
            i = t.find(name)
            while i >= 0:
                j = i + len(name)
                if ctx.free(i, j) and not (i > 0 and ctx.mask[i - 1] == 0 and "\u4e00" <= t[i - 1] <= "\u9fff"
                                           and not nlp.is_word(t, i, j)):
                    ctx.take(Span(i, j, "Enterprise", name, name, source="repeated"))
                i = t.find(name, j)

    def _short_forms(self, full: str) -> list[str]:
        g = self.g
        core = _RX7.sub("", full)
        for suf in g.company_suffixes:
            if core.endswith(suf):
                core = core[: -len(suf)]
                break
        changed = True
        while changed:
            changed = False
            for L in (5, 4, 3, 2):
                p = core[:L]
                if len(core) - L >= 2 and (p in g.div_by_name or p in g.short_index):
                    core = core[L:]
                    changed = True
                    break
        outs = []
        if len(core) >= 2:
            outs.append(core)
        toks = list(nlp.cut(core))
        while len(toks) > 1 and toks[-1] in g.company_heads:
            toks.pop()
            s = "".join(toks)
            if len(s) >= 2:
                outs.append(s)
        return [o for o in outs if o not in g.div_by_name and o not in g.short_index and o not in g.stops
                and o not in g.company_heads]

    # ------------------------------------------------------------ parks
    def _parks(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        for m in g.park_re.finditer(t):
            a, b = m.start(), m.end()
            if not ctx.free(a, b):
                continue
            nxt = t[b:b + 2]
            if nxt in ("项目", "工程", "管委", "建设") and nxt != "建设":
                continue
            if t[b:b + 3] in ("管委会",) or t[b:b + 2] == "党工":
                continue
            lo = self._left_limit(ctx, a, False, 20)
            win = t[lo:a]
            off = self._trim_pos(win) if win else 0
            off = self._division_anchor(win, off)
            # don't let the window run into the previous name (… 、X园区); jieba may glue
            name = t[lo + off:b]
            core = t[lo + off:a]
            suffix = m.group()
            if core and (core in g.park_generic or core.endswith(("试点", "示范", "示范型"))):
                continue
            if not core and suffix in ("园区", "新区", "新城", "科技城", "汽车城", "产业园", "工业园", "科技园", "开发区"):
                if suffix not in ("开发区", "科技城"):
                    continue
            if not core and (suffix in ("工业园区", "产业园区", "科技园区", "经济开发区", "产业集聚区") or t[a - 1:a] == "的"):
                continue
            if suffix == "园区" and core and core[-2:] in ("工业", "产业", "城市", "示范"):
                continue
            if core.endswith("的"):
                continue
            ctx.take(Span(lo + off, b, "Park", name, name, meta={"suffix": suffix, "core": core}))

    def _merge_parks(self, ctx: _DocCtx) -> None:
        parks = sorted((s for s in ctx.spans if s.type == "Park"), key=lambda s: s.start)
        for x, y in zip(parks, parks[1:]):
            if x.end == y.start and y.meta.get("core") and x in ctx.spans and y in ctx.spans and \
                    x.meta.get("suffix") in ("高新区", "经开区", "开发区", "经济技术开发区", "高新技术产业开发区", "园区", "工业园", "产业园"):
                ctx.rels.append((y, "locatedIn", x, ctx.sent_index(y.start)))
                continue
            if x.end == y.start and y.meta.get("core") and len(y.meta["core"]) <= 4 and x in ctx.spans and y in ctx.spans:
                name = ctx.text[x.start:y.end]
                ctx.spans.remove(x)
                y.start, y.canonical, y.text = x.start, name, name
                y.meta["core"] = ctx.text[x.start:y.end - len(y.meta.get("suffix", ""))]

    def _resolve_parks(self, ctx: _DocCtx) -> None:
        """Bare 高新区/经开区 → the doc's named one, or <main city>高新区; abbreviations ↔ full forms."""
        g = self.g
        parks = [s for s in ctx.spans if s.type == "Park"]
        main = ctx.main_city_short
        named = {s.text for s in parks if s.meta.get("core")}
        for s in parks:
            core, suf = s.meta.get("core", ""), s.meta.get("suffix", "")
            if not core:
                cands = [n for n in named if n.endswith(suf)]
                if suf in g.park_abbrev:
                    full = g.park_abbrev[suf]
                    cands += [n for n in named if n.endswith(full)]
                if len(set(cands)) == 1:
                    s.canonical = cands[0]
                elif main and suf in ("高新区", "经开区", "经济技术开发区", "高新技术产业开发区"):
                    s.canonical = main + suf
                s.meta["bare"] = True
            elif core:
                longer = {n for n in named if n.endswith(s.text) and n != s.text}
                if longer and not self._division_prefix(s.text + "X"):
                    s.canonical = min(longer, key=len)
            # X经开区 → X经济技术开发区 when the full form is in the doc
            for ab, full in g.park_abbrev.items():
                if s.canonical.endswith(ab):
                    f = s.canonical[: -len(ab)] + full
                    if any(p.text == f for p in parks):
                        s.canonical = f

    # ------------------------------------------------------------ projects
    def _projects(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        found: list[Span] = []
        for m in g.project_re.finditer(t):
            a, b = m.start(), m.end()
            if not ctx.free(a, b):
                continue
            suffix = m.group()
            if a == 0 or t[a - 1] in QUICK_REJECT or (t[a - 2:a] in GENERIC_BEFORE_SUFFIX and t[a] in "项工"):
                continue
            # "… 等N个项目" = a list; handled below
            before = t[max(0, a - 8):a]
            if _RE_LIST_BEFORE.search(before) or before.endswith(("个", "批", "项", "些", "类", "大")):
                continue
            lo = self._left_limit(ctx, a, True, 32)
            # an adjacent park / place name is the project's locative prefix (高新区绿电项目)
            pre = [s for s in ctx.by_end.get(lo, ()) if s.type == "Park"]
            free_from = lo
            if pre:
                lo = pre[0].start
            win = t[lo:a]
            if not win:
                continue
            if suffix.endswith(("基地", "工厂", "厂区")):
                s0_, s1_ = ctx.sent_bounds(a)
                sent_txt = t[s0_:s1_]
                has_ent = any(e.type == "Enterprise" and s0_ <= e.start < s1_ for e in ctx.spans)
                if not (has_ent or "公司" in sent_txt or INVEST_RE.search(sent_txt) or _RX11.search(sent_txt)) \
                        or t[b:b + 1] in "和的":
                    continue
                if _RX12.search(t[max(0, a - 4):b]):
                    continue
            if suffix.startswith("生产线"):
                if not _RX13.match(win) or "项目" in t[ctx.sent_bounds(a)[0]:a]:
                    continue
            off = self._trim_project(win, min_len=2 if suffix.endswith(("基地", "工厂", "厂区")) else 3)
            if off is None:
                continue
            start = lo + off
            name = t[start:b]
            core = t[start:a]
            phase_plant = suffix.endswith(("工厂", "厂区")) and _RX3.fullmatch(core)
            if not phase_plant and not self._specific_project(core, _tail_tokens(win, off)):
                continue
            if suffix.startswith("工程") and len(_RE_QUOTES.sub("", core)) < 4:
                continue
            if not self._namelike_project(ctx, core, start, a, b, bool(pre)):
                continue
            found.append(Span(start, b, "Project", name, name, meta={"core": core, "free_from": max(start, free_from)}))
        # list items before 等N个项目 / 等一批…项目
        for m in _RX14.finditer(t):
            lo = self._left_limit(ctx, m.start(), True, 120)
            # the list runs back over 、 separated items within the sentence
            s0, _ = ctx.sent_bounds(m.start())
            seg_start = m.start()
            j = m.start()
            while j > s0:
                ch = t[j - 1]
                if ch in "，。；：！？,;:!?\n（(":
                    break
                j -= 1
            seg = t[j:m.start()]
            items, pos = [], j
            for part in _RX15.split(seg):
                if part in ("、", "和", "及"):
                    pos += len(part)
                    continue
                items.append((pos, pos + len(part)))
                pos += len(part)
            # 和/及 inside a name (研发和产业化): rejoin when the right part is not an item on its own
            merged: list[list[int]] = []
            for k, (x, y) in enumerate(items):
                sep = t[items[k - 1][1]:x] if k else ""
                if merged and sep in ("和", "及") and not self._itemlike(t[x:y]):
                    merged[-1][1] = y
                else:
                    merged.append([x, y])
            for k, (x, y) in enumerate(merged):
                x0 = x
                while x < y and ctx.mask[x]:
                    x += 1
                if x > x0 and x < y:
                    pe = [e for e in ctx.by_end.get(x, ()) if e.type == "Enterprise"]
                    if pe and self._looks_enterprise(t[pe[0].start:y]):
                        e = pe[0]
                        ctx.by_end[e.end].remove(e)
                        e.end, e.text, e.canonical, e.source = y, t[e.start:y], t[e.start:y], "list"
                        ctx.by_end.setdefault(y, []).append(e)
                        ctx.mask[x:y] = b"\x01" * (y - x)
                        continue
                if not ctx.free(x, y):
                    continue
                if k == 0:
                    off = self._trim_project(t[x:y], is_item=True)
                    if off is None:
                        continue
                    x += off
                item = t[x:y]
                if not item:
                    continue
                if self._looks_enterprise(item):
                    ctx.take(Span(x, y, "Enterprise", item, item, source="list"))
                    continue
                if not self._specific_project(item):
                    continue
                if len(item) <= 5 and not _RX16.search(item) and not m.group().startswith("等一批"):
                    continue
                if item.endswith(g.category_endings) and not _RX2.search(item):
                    continue
                if self._looks_enterprise(item):
                    ctx.take(Span(x, y, "Enterprise", item, item, source="list"))
                    continue
                found.append(Span(x, y, "Project", item, item, meta={"core": item, "list": True, "list_id": m.start()}))
            # gapping: 甲公司100兆瓦和乙公司50兆瓦电池组件 → the head noun of the last item completes the others
            items_here = [f for f in found if f.meta.get("list_id") == m.start()]
            if len(items_here) >= 2:
                last = items_here[-1].text
                cm = CAP_PLAIN_RE.search(last) or CAP_RE.search(last)
                head = last[cm.end():] if cm else ""
                if head and len(head) >= 2:
                    for f in items_here[:-1]:
                        if _RX17.search(f.text):
                            f.meta["gap_head"] = head
        found.sort(key=lambda s: (s.start, -s.end))
        last_end = -1
        shared: dict[int, tuple] = {}
        for sp in found:
            if sp.start < last_end or not ctx.free(sp.meta.get("free_from", sp.start), sp.end):
                continue
            n_before = len(ctx.spans)
            self._split_project(ctx, sp)
            last_end = sp.end
            proj = next((x for x in ctx.spans[n_before:] if x.type == "Project"), None)
            lid = sp.meta.get("list_id")
            if proj is None or lid is None:
                continue
            if lid not in shared:
                e0 = proj.meta.get("enterprise")
                p0 = proj.meta.get("place")
                shared[lid] = (e0 if e0 is not None and e0.source == "project-prefix" else None,
                               p0 if p0 is not None and p0.type in ("County", "City") else None)
            elif proj.meta.get("enterprise") is not None or proj.meta.get("place") is not None:
                shared[lid] = (None, None)  # items name their own company/place: nothing is shared
            else:
                e0, p0 = shared[lid]
                if proj.meta.get("enterprise") is None and e0 is not None:
                    proj.meta["enterprise"] = e0
                if proj.meta.get("place") is None and p0 is not None:
                    proj.meta["place"] = p0

    def _namelike_project(self, ctx: _DocCtx, core: str, start: int, a: int, b: int, park_prefix: bool) -> bool:
        """Reject descriptions and counts that end in 项目: 签约…项目323个, 作为首个…的X项目,
        two-character cores, runs of single characters (谋实谋快…), division + verb."""
        t, g = ctx.text, self.g
        plain = _RE_QUOTES_WS.sub("", core)
        if _RE_COUNT_AFTER.match(t, b, b + 6):
            return False
        if len(plain) < (2 if t[a:b].startswith(("基地", "工厂", "厂区")) else 3) and not park_prefix:
            return False
        s0, _ = ctx.sent_bounds(start)
        clause = t[s0:start]
        clause = clause[max(clause.rfind("，"), clause.rfind(","), -1) + 1:]
        if _RE_DESIGNATION.search(clause) and t[start - 1:start] == "的":
            return False
        if t[start - 2:start] in ("成为", "作为", "打造", "建成") and t[a:b].startswith("基地"):
            return False
        toks = _posseg(plain)
        if plain[-1:].isdigit() and _RX18.fullmatch(plain) and all(f in ("v", "a", "d", "m") for _, f in toks):
            return False
        dl = self._division_prefix(plain)
        if dl and len(plain) - dl < 3 and not _RX19.match(plain[dl:]):
            return False
        if toks and toks[-1][1] == "a" and len(toks[-1][0]) >= 2 and not _RX2.search(plain):
            return False
        return True

    def _looks_enterprise(self, item: str) -> bool:
        """A bare company short name: name + company head word, no figures, no project words."""
        g = self.g
        if _RX20.search(item) or not (4 <= len(item) <= 10):
            return False
        toks = nlp.cut(item)
        if len(toks) < 2 or toks[-1] not in g.company_heads:
            return False
        pre = "".join(toks[:-1])
        return pre not in g.project_generic and pre not in g.div_by_name and not all(x in g.company_heads for x in toks)

    def _itemlike(self, s: str) -> bool:
        return bool(_RX2.search(s)) or s.endswith(("项目", "工程", "生产线", "基地", "工厂")) or len(s) >= 8

    def _specific_project(self, core: str, tokens: tuple | None = None) -> bool:
        g = self.g
        c = _RE_QUOTES_PARENS.sub("", core)
        if len(c) < 2:
            return False
        if _RE_NUMBER_ONLY.fullmatch(c):
            return False
        toks = [x for x in (tokens if tokens is not None else nlp.cut(c)) if x.strip() and x not in "“”‘’\"（）()"]
        spec = [x for x in toks if x not in g.project_generic and x not in g.stops and not TIME_TOKEN.match(x)]
        if not spec or sum(len(x) for x in spec) < 2:
            return False
        if _RE_COUNTISH.search(c):
            return False
        return True

    def _split_project(self, ctx: _DocCtx, sp: Span) -> None:
        """Peel an enterprise / place / park prefix off a project span; record capacity & product."""
        t, g = ctx.text, self.g
        start = sp.start
        ent = None
        # preceding legal-name enterprise directly adjacent
        for e in ctx.by_end.get(sp.start, ()):
            if e.type == "Enterprise":
                ent = e
        # place prefix (county/city/park) directly adjacent: keep it in the name
        place = None
        for p in ctx.by_end.get(sp.start, ()):
            if p.type == "Park":
                place = p
        fs = sp.meta.get("free_from", sp.start)
        for p in ctx.by_end.get(fs, ()):
            if p.type == "Park" and p.start == sp.start:
                place = p
        name = t[start:sp.end]
        # short-name enterprise at the start: [division]? X head  (凤凰科技…, 山西某某制药…) or X + capacity
        ent_len0 = self._enterprise_prefix(name, sp.meta.get("list", False))
        div_len = 0 if ent_len0 else self._division_prefix(name)
        rest = name[div_len:]
        ent_len = ent_len0 or self._enterprise_prefix(rest, sp.meta.get("list", False))
        ent_start = None
        if ent is None and ent_len:
            en = name[: div_len + ent_len]
            dl = self._division_prefix(en)
            row = self._div_row(en[:dl]) if dl else None
            if row is not None and row["type"] == "County" and len(en) - dl >= 2:
                # 义县勃大化工…: the county is a place of its own, the company and its project are there
                place = ctx.take(Span(start, start + dl, "County", row["name"], en[:dl], meta={"prefix": True}))
                ent = ctx.take(Span(start + dl, start + len(en), "Enterprise", en[dl:], en[dl:], source="project-prefix"))
                ctx.rels.append((ent, "locatedIn", place, ctx.sent_index(start)))
            else:
                ent = ctx.take(Span(start, start + len(en), "Enterprise", en, en, source="project-prefix"))
            ent_start = ent.start
            start += div_len + ent_len
            div_len = 0
        elif div_len:
            dname = name[:div_len]
            row = self._div_row(dname)
            if row and row["type"] in ("County", "City") and len(name) - div_len >= 3:
                place = ctx.take(Span(start, start + div_len, row["type"], row["name"], dname, meta={"prefix": True}))
        text = t[start:sp.end]
        if len(text) < 2:
            return
        # enterprise name + 投资的 + project handled in relations; "X投资的Y" inside list items
        mi = _RX21.match(text)
        if mi:
            e_txt = mi.group(1)
            e_txt2 = e_txt[self._division_prefix(e_txt):] if len(e_txt) > 4 else e_txt
            off = len(e_txt) - len(e_txt2)
            ent = ctx.take(Span(start + off, start + len(e_txt), "Enterprise", e_txt2, e_txt2, source="invested-by"))
            start += mi.end()
            text = t[start:sp.end]
        canon = text + sp.meta.get("gap_head", "")
        if ent_start is not None:  # the surface keeps the company short name (甲公司100兆瓦…); canonical drops it
            proj = ctx.take(Span(ent_start, sp.end, "Project", canon, t[ent_start:sp.end], meta=dict(sp.meta)))
        else:
            proj = ctx.take(Span(start, sp.end, "Project", canon, text, meta=dict(sp.meta)))
        proj.meta["enterprise"] = ent
        proj.meta["place"] = place
        # capacity inside the name
        cm = CAP_RE.search(text)
        if cm and (cm.start() <= 2 or cm.start() == self._division_prefix(text)):
            proj.meta["capacity"] = cm.group()
        elif (cm2 := CAP_PLAIN_RE.search(text)):
            proj.meta["capacity"] = cm2.group()
        # product inside the name
        pl_len = self._division_prefix(text)
        if place is not None and place.end == start:
            pl_len = 0
        prod = self._product_of(text[pl_len:] if pl_len and pl_len < len(text) - 2 else text)
        if prod:
            ps = start + text.find(prod)
            p = ctx.add(Span(ps, ps + len(prod), "Product", prod, prod, source="project-name"))  # nested: not masked
            proj.meta["product"] = p

    def _division_prefix(self, name: str) -> int:
        g = self.g
        keys = self._div_keys
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

    PREFIX_HEAD_EXCLUDED = frozenset({"储能", "电池", "锂电", "动力", "材料", "新材", "能源", "新能源", "智能", "信息", "软件",
                                      "网络", "半导体", "装备", "机械", "光电", "光伏", "医疗", "食品", "环保", "电力", "物流"})

    def _enterprise_prefix(self, rest: str, is_list: bool) -> int:
        """Length of a company short name opening a project name (凤凰科技|无人机…, 锦州钛业|钛白粉…):
        name-like characters + a company head word, followed by a specific project remainder."""
        g = self.g
        if not rest or rest[0].isdigit() or rest[:2] in g.stops or rest[:2] in g.project_generic \
                or rest[:1] in g.stops or TIME_TOKEN.match(rest[:3]):
            return 0
        heads = self._prefix_heads_set
        for L in range(2, 9):
            for h in (rest[L:L + 4], rest[L:L + 3], rest[L:L + 2]):
                if h not in heads:
                    continue
                pre = rest[:L]
                pre_tags = _posseg(pre)
                namelike = any(f in ("nr", "ns", "nz", "nt", "nrt", "x", "j") for _, f in pre_tags) or (
                    all(len(x) == 1 for x, _ in pre_tags) and not all(f.startswith("n") for _, f in pre_tags))
                if not namelike or _RX2.search(pre) or _RX22.match(pre) \
                        or any(len(x) > 1 and (x in g.stops or x in g.project_generic) for x, _ in pre_tags):
                    continue
                remainder = rest[L + len(h):]
                if len(remainder) >= 2 and self._specific_project(remainder):
                    return L + len(h)
        # X + capacity: 2-6 name chars directly followed by a number (list items)
        mm = _RX23.match(rest)
        if mm and is_list:
            cand = mm.group(1)
            if cand not in g.project_generic and cand not in g.div_by_name and cand not in g.short_index \
                    and not any(cand.endswith(x) for x in ("年产", "年", "新增", "总", "建设", "投资", "约", "共", "达")):
                return len(cand)
        return 0

    _PROJ_SUFFIX_RE = re.compile(r"(?:项目|工程|生产线)(?:[（(]?[一二三四五六七八九十]期[）)]?)?$")
    _PHASE_RE = re.compile(r"[（(][一二三四五六七八九十]期[）)]$|[一二三四五六七八九十]期$")
    _ADJ_RE = re.compile(r"^(?:高性能|高品质|高端|新型(?=.{4,}))")

    def _product_of(self, text: str) -> str | None:
        """The product named in a project name (年产4万吨|锂离子…负极材料|一体化项目 → …负极材料)."""
        g = self.g
        s = self._PHASE_RE.sub("", self._PROJ_SUFFIX_RE.sub("", text))
        cm = CAP_RE.match(s) or CAP_PLAIN_RE.match(s)
        if cm:
            s = s[cm.end():]
        s = s.lstrip("的")
        m = self._strip_re.search(s)
        while m and m.start() > 1:
            s = s[:m.start()]
            m = self._strip_re.search(s)
        if "“" in s or "+" in s or len(s) < 2 or s in g.product_reject:
            return None
        for L in range(min(6, len(s)), 0, -1):
            if s[-L:] in self._product_head_set:
                if L == 1 and len(s) < 3:
                    return None
                s2 = self._ADJ_RE.sub("", s)
                return s2 if len(s2) >= 2 and s2 not in g.product_reject else s
        # no head word the lexicon knows: the product-name model decides (…紧固件, 再生铝)
        if 2 <= len(s) <= 12 and namemodel.probability(s, "product") >= 0.7:
            return s
        return None

    # ------------------------------------------------------------ chains
    def _head_window(self, ctx: _DocCtx, a: int, width: int = 16) -> tuple[int, int, str] | None:
        """(lo, off, core): the modifier words before a chain/cluster head at a, trimmed by POS."""
        lo = self._left_limit(ctx, a, False, width)
        if lo >= a:
            return None
        off = self._trim_pos(ctx.text[lo:a])
        return lo, off, ctx.text[lo + off:a]

    def _chains(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        for m in g.chain_re.finditer(t):
            a, b = m.start(), m.end()
            if not ctx.free(a, b):
                continue
            w = self._head_window(ctx, a)
            if w is None:
                continue
            lo, off, core = w
            if m.group() == "链":
                if core not in g.chain_short_words or t[a - 2:a] == "产业":
                    continue
            if len(core) < 2 or core in g.chain_generic or _RX24.search(core):
                continue
            # place prefix: 黎城县新材料产业链 → chain 新材料产业链 located in 黎城县
            dl = self._division_prefix(core)
            place = None
            if dl and len(core) - dl >= 2:
                row = self._div_row(core[:dl])
                if row:
                    place = ctx.take(Span(lo + off, lo + off + dl, row["type"], row["name"], core[:dl], meta={"prefix": True}))
                    core = core[dl:]
            tokens = nlp.cut(core)
            if all(x in g.chain_generic for x in tokens):
                continue
            canon = core + ("链" if m.group() == "链" else "产业链")
            sp = ctx.take(Span(lo + off + (dl if place else 0), b, "IndustryChain", canon, t[lo + off + (dl if place else 0):b],
                               meta={"core": core, "place": place, "full": m.group() == "全产业链"}))

    # ------------------------------------------------------------ clusters
    def _clusters(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        ctx.active_schemes = []
        for sc in g.schemes:
            if sc["short"] and sc["short"] in t:
                ctx.active_schemes.append(sc)
        # chain canonicalisation against the scheme (LED全产业链 → 光电LED产业链)
        for sp in ctx.spans:
            if sp.type != "IndustryChain":
                continue
            for sc in ctx.active_schemes:
                if sp.canonical in sc["chains"]:
                    break
                hits = [c for c in sc["chains"] if sp.meta.get("core") and sp.meta["core"] in c]
                if len(hits) == 1:
                    sp.canonical = hits[0]
                    break
        # named clusters in text: X产业集群 / X专业镇
        for m in g.cluster_re.finditer(t):
            a, b = m.start(), m.end()
            if not ctx.free(a, b) or t[b:b + 1] == "区":
                continue
            w = self._head_window(ctx, a)
            if w is None:
                continue
            lo, off, core = w
            cj = max(core.rfind("和"), core.rfind("及"))
            if cj >= 0:
                off += cj + 1
                core = core[cj + 1:]
            ctoks = nlp.cut(core)
            if len(core) < 2 or _RX25.search(core) or all(x in g.cluster_generic for x in ctoks):
                continue
            canon = None
            for sc in ctx.active_schemes:
                if core in sc["labels"]:
                    canon = sc["labels"][core]
            name = t[lo + off:b]
            pos, place = lo + off, None
            while True:
                dl = self._division_prefix(t[pos:a])
                if not dl or a - (pos + dl) < 2:
                    break
                row = self._div_row(t[pos:pos + dl])
                if row is None:
                    break
                place = ctx.take(Span(pos, pos + dl, row["type"], row["name"], t[pos:pos + dl], meta={"prefix": True}))
                pos += dl
            cl = ctx.take(Span(lo + off, b, "IndustryCluster", canon or name, name, meta={"place": place}))
            if place is not None:
                ctx.rels.append((cl, "locatedIn", place, ctx.sent_index(a)))
        # lists: A、B和C等N个产业集群 (an item after 和 shares the place prefix of the item before)
        for m in _RX26.finditer(t):
            s0, _ = ctx.sent_bounds(m.start())
            j = m.start()
            while j > s0 and t[j - 1] not in "，。；：！？,;:!?\n（(":
                j -= 1
            pos, first = j, True
            for part in t[j:m.start()].split("、"):
                x, y = pos, pos + len(part)
                pos = y + 1
                if first:
                    hj = t.find("和", x, y)
                    x += self._trim(t[x:hj if hj > 0 else y], g.cluster_generic, always=True)
                    first = False
                prefix_span, prefix = None, ""
                if ctx.mask[x]:
                    pk = [sp for sp in ctx.spans if sp.type == "Park" and sp.start == x]
                    if pk:
                        prefix_span, prefix = pk[0], t[pk[0].start:pk[0].end]
                    else:
                        continue
                subparts = t[x:y].split("和") if "和" in t[x:y] else [t[x:y]]
                off = x
                for k, sub in enumerate(subparts):
                    sx, sy = off, off + len(sub)
                    off = sy + 1
                    if not (2 <= len(sub) <= 14) or (k > 0 and not ctx.free(sx, sy)):
                        continue
                    if k == 0 and not prefix:
                        dl = self._division_prefix(sub)
                        row = self._div_row(sub[:dl]) if dl else None
                        if row is not None and len(sub) - dl >= 2:
                            prefix = sub[:dl]
                            prefix_span = ctx.take(Span(sx, sx + dl, row["type"], row["name"], prefix, meta={"prefix": True}))
                    name = sub if (k == 0 or not prefix) else prefix + sub
                    canon = name + "产业集群"
                    for sc in ctx.active_schemes:
                        if name in sc["labels"]:
                            canon = sc["labels"][name]
                    if ctx.free(sx + (len(prefix) if k == 0 and prefix else 0), sy):
                        cl = ctx.take(Span(sx, sy, "IndustryCluster", canon, sub, source="list"))
                        if prefix_span is not None:
                            ctx.rels.append((cl, "locatedIn", prefix_span, ctx.sent_index(sx)))
        # scheme labels
        for sc in ctx.active_schemes:
            hits = []
            for end, (lab, pref) in sc["ac"].iter(t):
                a = end - len(lab) + 1
                hits.append((a, end + 1, lab, pref))
            hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
            last = -1
            for a, b, lab, pref in hits:
                if a < last or not ctx.free(a, b):
                    continue
                # whole word: not glued to following name chars that make a longer term
                nxt = t[b:b + 2]
                if nxt[:1] and nxt[:1] in "链" or nxt.startswith(("产业链", "产品", "企业", "公司")):
                    continue
                if len(lab) <= 3 and not nlp.is_word(t, a, b):
                    continue
                ctx.take(Span(a, b, "IndustryCluster", pref, lab))
                last = b

    # ------------------------------------------------------------ enterprise lists, short names
    def _enterprise_lists(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        pat = re.compile(r"等(?:[\d一二三四五六七八九十两多余]+家)?(?:龙头|骨干|知名|重点|优质|领军|行业)?(?:企业|公司|厂商|巨头)|等(?:国内外|国际)?(?:知名)?(?:品牌|客户)")
        for m in pat.finditer(t):
            s0, _ = ctx.sent_bounds(m.start())
            j = m.start()
            while j > s0 and t[j - 1] not in "，。；：！？,;:!?\n（(":
                j -= 1
            seg = t[j:m.start()]
            if "、" not in seg and "和" not in seg:
                # single item lists are too ambiguous unless a legal name
                continue
            pos = j
            parts = _RX15.split(seg)
            for k, part in enumerate(parts):
                if part in ("、", "和", "及"):
                    pos += len(part)
                    continue
                x, y = pos, pos + len(part)
                pos = y
                if not ctx.free(x, y) or not part:
                    continue
                if k == 0:
                    x += self._trim(t[x:y], g.company_generic)
                name = t[x:y]
                if not (2 <= len(name) <= 10) or name in g.div_by_name or name in g.short_index or name in g.stops \
                        or name in g.company_generic or _RX2.search(name):
                    continue
                ctx.take(Span(x, y, "Enterprise", name, name, source="list"))
        # supply targets: 为A、B和C等配套 → enterprises
        for rx in g.supply_res:
            for m in rx.finditer(t):
                a = m.start("c")
                seg = m.group("c")
                pos = a
                for k, part in enumerate(_RX15.split(seg)):
                    if part in ("、", "和", "及"):
                        pos += len(part)
                        continue
                    x, y = pos, pos + len(part)
                    pos = y
                    if not ctx.free(x, y):
                        continue
                    x += self._trim(t[x:y], g.company_generic) if k == 0 else 0
                    name = t[x:y]
                    if 2 <= len(name) <= 10 and name not in g.div_by_name and name not in g.short_index \
                            and name not in g.stops and not _RX27.search(name) and not name.endswith(("地区", "市场", "领域")):
                        ctx.take(Span(x, y, "Enterprise", name, name, source="supply-target"))

    def _short_enterprises(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        shorts: dict[str, str] = {}
        for sp in list(ctx.spans):
            if sp.type == "Enterprise" and sp.meta.get("legal"):
                for s in self._short_forms(sp.canonical):
                    shorts.setdefault(s, sp.canonical)
                # legal name without suffix written elsewhere (山西高科华烨电子集团 ↔ …有限公司)
        # enterprise spans whose text is a prefix of a legal name → link
        legal = [s for s in ctx.spans if s.type == "Enterprise" and s.meta.get("legal")]
        # the legal names in text order, once each, and sorted for prefix lookups (linear, not
        # quadratic, in the number of firm mentions: a page may list thousands)
        order = {l.canonical: i for i, l in enumerate(legal)}
        names = sorted(order)

        def longer(prefix: str) -> list[str]:
            """Legal names that extend prefix, in text order of their last mention."""
            i, out = bisect_left(names, prefix), []
            while i < len(names) and names[i].startswith(prefix):
                if names[i] != prefix:
                    out.append(names[i])
                i += 1
            return sorted(out, key=order.get)

        for sp in ctx.spans:
            if sp.type == "Enterprise" and not sp.meta.get("legal"):
                for c in longer(sp.text):
                    if sp.source != "repeated" or c[len(sp.text):] in g.company_suffixes:
                        sp.canonical = c
                if sp.text in shorts and sp.source != "repeated":
                    sp.canonical = shorts[sp.text]
        for sp in legal:
            ext = longer(sp.canonical)
            if ext:
                sp.canonical = ext[-1]
        for s, full in sorted(shorts.items(), key=lambda kv: -len(kv[0])):
            i = t.find(s)
            while i >= 0:
                if ctx.free(i, i + len(s)):
                    ctx.take(Span(i, i + len(s), "Enterprise", full, s, source="short"))
                i = t.find(s, i + len(s))

    # ------------------------------------------------------------ regions, divisions
    def _regions(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        hits = []
        for end, (k, canon) in g.region_ac.iter(t):
            hits.append((end - len(k) + 1, end + 1, k, canon))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        last = -1
        for a, b, k, canon in hits:
            if a < last or not ctx.free(a, b):
                continue
            if k in g.region_weak:
                nxt = t[b:b + 4]
                prev = t[max(0, a - 2):a]
                if not (nxt.startswith(g.region_weak_followers) or t[b:b + 1] in "、，。和" and prev[-1:] in "、赴向到往和射"
                        or prev.endswith(("辐射", "中国"))):
                    continue
            ctx.take(Span(a, b, "Region", canon, k))
            last = b

    def _divisions(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        hits = []
        mask = ctx.mask
        city_ctx = set()
        for end, (k, rows, full, ctx_names) in ctx.div_hits:
            a = end - len(k) + 1
            if ctx_names:
                city_ctx.update(ctx_names)
            if mask[a] or mask[end]:
                continue
            hits.append((a, end + 1, k, rows, full))
        out: list[Span] = []
        last = -1
        for a, b, k, rows, full in hits:
            if a < last or not ctx.free(a, b):
                continue
            if full is not None and len(k) <= 2 and full["type"] == "County" and full["parent_city"] not in city_ctx:
                continue
            if full is not None:
                r = full
                out.append(Span(a, b, r["type"], r["name"], k))
                last = b
                continue
            if k in g.short_stop:
                continue
            cands = [r for kind, r in rows]
            prev_txt = t[max(0, a - 4):a]
            for r in cands:
                if r["type"] == "County":
                    prow = g.div_by_name.get(r["parent_province"])
                    if prow and prow["short_name"] and prev_txt.endswith((prow["short_name"], prow["name"])):
                        city_ctx.add(r["parent_city"] or r["parent_province"])
            # prefer provinces/cities, then counties whose city is in context
            pc = [r for r in cands if r["type"] in ("Province", "City")]
            if len(pc) == 1:
                r = pc[0]
            else:
                cc = [r for r in cands if r["type"] == "County" and (r["parent_city"] in city_ctx or r["parent_province"] in city_ctx)]
                if len(cc) == 1:
                    r = cc[0]
                else:
                    continue
            # a short name glued into a longer word (…长子…): require a word boundary for counties
            if r["type"] == "County" and not nlp.is_word(t, a, b) and t[b:b + 1] not in "县区市旗":
                if not (t[b:b + 1] and ("\u4e00" <= t[b] <= "\u9fff") is False):
                    continue
            out.append(Span(a, b, r["type"], r["name"], k, meta={"short": True}))
            last = b
        # Province short + its county/city directly after (浙江东阳) → one mention of the lower unit
        merged: list[Span] = []
        for sp in out:
            if merged and merged[-1].type == "Province" and merged[-1].end == sp.start and merged[-1].meta.get("short") \
                    and sp.type in ("City", "County"):
                row = g.div_by_name.get(sp.canonical, {})
                if row.get("parent_province") == merged[-1].canonical:
                    prev = merged.pop()
                    typ = sp.type
                    merged.append(Span(prev.start, sp.end, typ, sp.canonical, t[prev.start:sp.end]))
                    continue
            merged.append(sp)
        for sp in merged:
            ctx.take(sp)
        # main city of the document: most frequent city (short or full)
        counts: dict[str, int] = {}
        for sp in ctx.spans:
            if sp.type == "City":
                counts[sp.canonical] = counts.get(sp.canonical, 0) + 1
            elif sp.type == "Park" and sp.meta.get("core"):
                dl = self._division_prefix(sp.meta["core"] + "X")
                row = self._div_row(sp.meta["core"][:dl]) if dl else None
                if row and row["type"] == "City":
                    counts[row["name"]] = counts.get(row["name"], 0) + 1
        ctx.main_city = max(counts, key=counts.get) if counts else ""
        row = g.div_by_name.get(ctx.main_city)
        ctx.main_city_short = row["short_name"] if row else ""

    # ------------------------------------------------------------ products (verbs of production)
    PRODUCT_LIST = re.compile(r"((?:[\u4e00-\u9fffA-Za-z0-9]{1,14}、)+[\u4e00-\u9fffA-Za-z0-9]{1,14})等([\u4e00-\u9fffA-Za-z]{2,12})")

    _PL_STOP = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9、]")

    def _product_list_matches(self, t: str):
        """PRODUCT_LIST.finditer(t), faster: a match lies inside one run of its characters (CJK,
        ASCII letters/digits, 、) and needs 、 and 等 in it, so only such runs are searched."""
        rx, stop, n = self.PRODUCT_LIST, self._PL_STOP, len(t)
        q = t.find("、")
        if q < 0:
            return
        rt = t[::-1]  # the run's left end: the first stop character scanning backwards
        while q >= 0:
            m = stop.search(rt, n - q)
            a = n - m.start() if m else 0
            m = stop.search(t, q)
            b = m.start() if m else n
            if b - a >= 6 and t.find("等", a, b) >= 0:
                yield from rx.finditer(t, a, b)
            q = t.find("、", b)

    def _product_lists(self, ctx: _DocCtx) -> None:
        """A、B、C等<product head>: every item is a product (支架、载带…等封装材料)."""
        t, g = ctx.text, self.g
        chain_starts = [c.start for c in ctx.spans if c.type == "IndustryChain"]
        for m in self._product_list_matches(t):
            s0, s1 = ctx.sent_bounds(m.start())
            sent_txt = t[s0:s1]
            if not (_RE_PRODUCTION.search(sent_txt) or any(s0 <= c < s1 for c in chain_starts)):
                continue  # uses and markets (电脑、电视等设备) are not products of anyone here
            head = m.group(2)
            head_txt = None
            if head.startswith(("为主", "为代表", "系列")):
                head_txt = ""
            for i in range(len(head), 1, -1) if head_txt is None else ():
                if any(head[max(0, i - L):i] in self._product_heads2 for L in range(2, 6)) or head[:i] in ("机组", "产品", "设备"):
                    head_txt = head[:i]
                    break
            if head_txt is None:
                continue
            items = []
            pos = m.start(1)
            for k, part in enumerate(_RX15.split(m.group(1))):
                if part in ("、", "和", "及"):
                    pos += len(part)
                    continue
                x, y = pos, pos + len(part)
                pos = y
                if k == 0:
                    x += self._trim(t[x:y], g.product_reject)
                    vm = _RX28.match(t[x:y])
                    if vm:
                        x += vm.end()
                    dj = t.rfind("的", x, y)
                    if dj >= 0:
                        x = dj + 1
                    cm = CAP_RE.match(t, x, y)
                    if cm:
                        x = cm.end()
                items.append((x, y))
            if len(items) < 2 or any(not (2 <= y - x <= 12) for x, y in items):
                continue
            if any(t[x:y] in g.div_by_name or t[x:y] in g.short_index or not ctx.free(x, y) for x, y in items):
                continue
            for x, y in items:
                ctx.take(Span(x, y, "Product", t[x:y], t[x:y], source="product-list"))
            hx = m.start(2)
            if head_txt and head_txt not in g.product_reject and head_txt not in ("机组", "产品", "设备") and ctx.free(hx, hx + len(head_txt)):
                ctx.take(Span(hx, hx + len(head_txt), "Product", head_txt, head_txt, source="product-list"))

    def _products(self, ctx: _DocCtx) -> None:
        t, g = ctx.text, self.g
        self._product_lists(ctx)
        rx = self.__dict__.get("_products_rx")
        if rx is None:
            verbs = "|".join(map(re.escape, g.produce_verbs))
            fc = "".join(re.escape(c) for c in sorted({v[0] for v in g.produce_verbs} | set("进从专")))
            look = f"(?=[{fc}])" if g.produce_verbs and all(g.produce_verbs) else ""  # candidate positions by a charset scan
            rx = self._products_rx = re.compile(rf"{look}(?:(?:{verbs})(?:{_num}(?:[万亿千百])?(?:余|多)?(?:{CAP_UNITS})?(?:余|多)?)?|(?:进行|从事|专注于?)(?=[^，。；]{{2,20}}的(?:研发|生产|制造|设计)))")
        for m in rx.finditer(t):
            a = m.end()
            if t[a:a + 1] in ("线", "基", "规", "能", "力", "经", "过", "与", "、", "和", "制", "环", "要", "工", "效", "率", "车", "的", "设", "方", "企", "成", "销", "中", "生"):
                continue
            s0, s1 = ctx.sent_bounds(a)
            seg_end = a
            while seg_end < s1 and t[seg_end] not in "，。；：！？,;:!?（(" and seg_end - a < 40:
                seg_end += 1
            seg = t[a:seg_end]
            # stop at 的 / 等 / verbs
            cut = _RX29.search(seg)
            if cut:
                seg = seg[:cut.start()]
            pos = a
            for part in _RX30.split(seg):
                if part in ("、", "和", "及", "与"):
                    pos += len(part)
                    continue
                x, y = pos, pos + len(part)
                pos = y
                name = _RX31.sub("", part)
                x = y - len(name)
                name = _RX32.sub("", name)
                y = x + len(name)
                if not (2 <= len(name) <= 14) or not ctx.free(x, y):
                    continue
                if name in g.product_reject or not any(name.endswith(h) for h in g.product_heads):
                    continue
                if any(name.startswith(s) for s in ("生产", "制造", "能力", "规模")):
                    continue
                ctx.take(Span(x, y, "Product", name, name, source="produce-verb", meta={"verb_pos": m.start()}))

    # ------------------------------------------------------------ relations
    # ------------------------------------------------------------ output
    def _finish(self, ctx: _DocCtx) -> Extraction:
        doc = ctx.doc
        t = ctx.text
        # canonical projects: prefer the 项目-suffixed form attested in the doc
        projs = [s for s in ctx.spans if s.type == "Project"]
        names = {_RX49.sub("", p.text) for p in projs}
        for p in projs:
            if not p.canonical.endswith(("项目", "工程")) and p.canonical + "项目" in names:
                p.canonical = p.canonical + "项目"
        # coreference: P1 = X + P2 (another project of the doc) → X is an enterprise/place prefix
        by_canon: dict[str, Span] = {}
        for q in projs:
            by_canon.setdefault(q.canonical, q)
        for p in projs:
            pc = p.canonical
            for L in range(len(pc) - 2, 5, -1):
                q = by_canon.get(pc[-L:])
                if q is None or q is p:
                    continue
                x = pc[:-L]
                if 2 <= len(x) <= 8 and p.meta.get("enterprise") is None and self._division_prefix(x + "X") != len(x) \
                        and not _RX50.search(x) and x not in self.g.project_generic:
                    e = Span(p.start, p.start + len(x), "Enterprise", x, x, source="coref-prefix")
                    ctx.add(e)
                    p.canonical = q.canonical
                    ctx.rels.append((e, "implements", q, ctx.sent_index(p.start)))
                break
        mentions: list[Mention] = []
        seen = set()
        for sp in sorted(ctx.spans, key=_START_END):
            if sp.end <= sp.start:
                continue
            key = (sp.start, sp.end, sp.type)
            if key in seen:
                continue
            seen.add(key)
            mentions.append(Mention(text=t[sp.start:sp.end], type=sp.type, canonical=_canon(sp.canonical),
                                    start=sp.start, end=sp.end, sentence=ctx.sent_index(sp.start),
                                    source=sp.source))
        relations: list[Relation] = []
        rseen = set()
        # a document about one park (most park mentions name it): unplaced projects, and parks or
        # clusters named after it, are in that park
        park_counts: dict[str, int] = {}
        park_span: dict[str, Span] = {}
        for sp in ctx.spans:
            if sp.type == "Park":
                park_counts[sp.canonical] = park_counts.get(sp.canonical, 0) + 1
                park_span.setdefault(sp.canonical, sp)
        if park_counts:
            top = max(park_counts, key=park_counts.get)
            if park_counts[top] >= 4 and park_counts[top] >= 0.6 * sum(park_counts.values()):
                placed = {id(r[0]) for r in ctx.rels if r[1] == "locatedIn"}
                topsp = park_span[top]
                for sp in ctx.spans:
                    if id(sp) in placed or sp.canonical == top:
                        continue
                    if sp.type == "Project" or (sp.type in ("Park", "IndustryCluster")
                                                and any(sp.text.startswith(x.text) for x in ctx.spans
                                                        if x.type == "Park" and x.canonical == top and x.text != sp.text)):
                        ctx.rels.append((sp, "locatedIn", topsp, ctx.sent_index(sp.start), "topic"))
        explicit = {_name_type(r[0]) for r in ctx.rels if len(r) > 4 and r[4] == "explicit"}
        for r in ctx.rels:
            head, rel, tail, si = r[:4]
            if len(r) > 4 and r[4] in ("guess", "topic") and _name_type(head) in explicit:
                continue
            h_name, h_type = _name_type(head)
            literal = isinstance(tail, str)
            if literal:
                t_name, t_type = _canon(tail), ""
            else:
                t_name, t_type = _name_type(tail)
            if not h_name or not t_name or (h_name == t_name and not literal):
                continue
            k = (h_name, rel, t_name)
            if k in rseen:
                continue
            rseen.add(k)
            ev = doc.sentences[si].text if doc.sentences else t
            value, cur = None, ""
            if rel == "investment":
                value, cur = parse_amount(t_name)
            relations.append(Relation(head=h_name, rel=rel, tail=t_name, sentence=si, evidence=ev, head_type=h_type,
                                      tail_type=t_type, literal=literal, value=value, currency=cur,
                                      source=r[4] if len(r) > 4 else "rule"))
        facts = self._facts(ctx)
        return Extraction(doc=doc, mentions=mentions, relations=relations, facts=facts)

    # ------------------------------------------------------------ facts
    FACT_PATTERNS = [
        (re.compile(rf"签约(?:招商引资)?项目(?:数)?(?:达|共|达到)?({_num}个)"), "签约项目数", "个"),
        # optional leading words spelt out as alternatives: re then scans for their first characters
        (re.compile(rf"共签约(?:招商引资)?项目({_num}个)|签约招商引资项目({_num}个)|约招商引资项目({_num}个)"), "签约项目数", "个"),
        (re.compile(rf"签约(?:招商引资)?(?:总额|金额|总金额)(?:达|为|达到)?({_num}(?:亿|万)?元)"), "签约金额", "元"),
        (re.compile(rf"(?:开工建设|实施|开工|推进|谋划储备)(?:[\u4e00-\u9fa5]{{0,8}})?项目({_num}个)"), "项目数", "个"),
        (re.compile(rf"累计完成(?:项目)?投资({_num}(?:亿|万)?元)|完成(?:项目)?投资({_num}(?:亿|万)?元)"), "完成投资", "元"),
        (re.compile(rf"总投资(?:额)?(?:达|为|超过|超)?({_num}(?:亿|万)?元)"), "总投资", "元"),
        (re.compile(rf"开工率(?:达到|达|为)?({_num}%)"), "签约项目开工率", "%"),
        (re.compile(rf"工业产值(?:达到|达|为|超过|实现)?({_num}(?:亿|万)?元)|产值(?:达到|达|为|超过|实现)?({_num}(?:亿|万)?元)"), "产值", "元"),
        (re.compile(rf"同比增长({_num}%)"), "同比增长", "%"),
    ]

    _WHOLE_CITY = re.compile(r"全市|我市|全省|全国")

    def _fact_subject(self, ctx: _DocCtx, si: int, pos: int, default: str, places: dict) -> str:
        """Who a figure is about: a county/park/city named in the sentence's first clause or opening a
        later clause before the figure (the clause's subject), else the document's city."""
        start, first = ctx.doc.sentences[si].start, True
        while start < pos:
            comma = ctx.text.find("，", start, pos)
            end = comma if comma >= 0 else pos
            if self._WHOLE_CITY.search(ctx.text, start, end):
                return default
            for sp in places.get(si, ()):
                if start <= sp.start < end and (first or sp.start <= start + 1):
                    return sp.canonical
            if comma < 0:
                break
            start, first = comma + 1, False
        return default

    def _facts(self, ctx: _DocCtx) -> list[Fact]:
        out = []
        subj = ctx.main_city or ""
        sents = ctx.doc.sentences
        periods: dict[int, str] = {}
        places: dict[int, list[Span]] = {}
        for sp in sorted(ctx.spans, key=attrgetter("start")):
            if sp.type in ("County", "Park", "City") and sp.canonical:
                places.setdefault(ctx.sent_index(sp.start), []).append(sp)
        for rx, metric, unit in self.FACT_PATTERNS:
            for m in rx.finditer(ctx.text):
                si = ctx.sent_index(m.start())
                s = sents[si] if sents else None
                if s is None:
                    continue
                if si not in periods:
                    pm = PERIOD_RE.search(s.text)
                    periods[si] = pm.group() if pm else ""
                val = next(x for x in m.groups() if x)
                num = _NUM_RE.match(val)
                n = Decimal(num.group()) if num else None
                if unit == "元" and n is not None:
                    n = parse_amount(val)[0]
                out.append(Fact(subject=self._fact_subject(ctx, si, m.start(), subj, places), metric=metric, value=val, number=n, unit=unit, period=periods[si],
                                sentence=s.index, evidence=s.text))
        out.sort(key=lambda f: f.sentence)
        return out


_posseg = nlp.posseg


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


_WS = re.compile(r"\s+")


def _canon(name: str) -> str:
    return _WS.sub("", name) if (" " in name or "\t" in name or "\n" in name) else name


def _name_type(x) -> tuple[str, str]:
    if isinstance(x, Span):
        return _canon(x.canonical), x.type
    if isinstance(x, tuple):
        return _canon(x[1]), x[0]
    return _canon(str(x)), ""


# ------------------------------------------------------------------------------------ API

def to_json(ex: Extraction) -> dict:
    return {
        "doc": ex.doc.doc_id,
        "entities": [{"text": m.text, "type": m.type, "canonical": m.canonical, "start": m.start, "end": m.end}
                     for m in ex.mentions],
        "relations": [{"head": r.head, "rel": r.rel, "tail": r.tail, "evidence": r.evidence} for r in ex.relations],
        "facts": [{"subject": f.subject, "metric": f.metric, "value": f.value, "period": f.period, "evidence": f.evidence}
                  for f in ex.facts],
    }


_WORKER: Extractor | None = None


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
                ner: str | None = None) -> list[Extraction]:
    global _WORKER
    dirs = [Path(d) for d in region_dirs] if region_dirs is not None else None
    if _WORKER is None or getattr(_WORKER, "_dirs", "unset") != (dirs, ner):
        _WORKER = Extractor(dirs, ner=ner)
        _WORKER._dirs = (dirs, ner)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(docs), unit="doc", file=sys.stderr, desc="抽取")
    out: list[Extraction] = []
    try:
        _extract_into(out, docs, workers, bar)
    finally:
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
                pool = ctx.Pool(workers)
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
