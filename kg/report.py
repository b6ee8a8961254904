"""Analysis results -> leaders.csv, gaps.csv, facts.csv (UTF-8 with BOM for Excel), report.md, report.html
(self-contained: inline CSS, figures embedded as data URIs) and figures/*.png (one per cluster).

All files are written atomically (kg.util). Chinese labels in figures need a CJK font: a bundled
font in kg/fonts/, else a system one (fonts-noto-cjk, WenQuanYi, SimHei ...); without one the
figures are still written and a warning is logged.
"""
from __future__ import annotations

import base64
import html
import importlib.util
import io
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path

from .results import NO_CLUSTER, NO_LEADER, STATUS_LEGEND, AnalysisResult, Gap, Leader
from .util import write_bytes_atomic, write_text_atomic

log = logging.getLogger(__name__)

STATUS_COLORS = {"已覆盖": "#2e7d32", "薄弱": "#f9a825", "缺失": "#c62828", "未知": "#607d8b"}
STAGE_TAG = {"投产": "", "开工": "（在建）", "签约": "（签约）", "": "（阶段不明）"}
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
]
CJK_NAME_HINTS = ("CJK", "WenQuanYi", "wqy", "SimHei", "Hei", "Song", "PingFang", "YaHei", "Droid Sans Fallback",
                  "AR PL", "Source Han")


def _font_files() -> list[str]:
    """CJK font files to try, in order: $CHAINKG_CJK_FONT, kg/fonts/, mplfonts' Noto Sans CJK SC, system ones."""
    paths = []
    env = os.environ.get("CHAINKG_CJK_FONT")
    if env:
        paths.append(env)
    bundled = Path(__file__).resolve().parent / "fonts"
    if bundled.is_dir():
        paths += sorted(str(p) for p in bundled.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc"))
    spec = importlib.util.find_spec("mplfonts")  # a dependency that ships Noto Sans CJK SC (not imported)
    if spec is not None and spec.origin:
        paths.append(str(Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf"))
    return paths + FONT_CANDIDATES


def figure_key_parts() -> tuple:
    """What a cached figure depends on besides its data: matplotlib's version and the font file
    cjk_font would pick (its size and time), found without importing matplotlib. Looked up once
    per process and font setting (a build asks for every figure; the version lookup scans the
    installed packages)."""
    return _figure_key_parts(os.environ.get("CHAINKG_CJK_FONT"))


@lru_cache(maxsize=8)
def _figure_key_parts(_font_env: str | None) -> tuple:
    from importlib import metadata

    try:
        mpl = metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        mpl = ""
    for p in _font_files():
        try:
            st = Path(p).stat()
        except OSError:
            continue
        return mpl, p, st.st_size, st.st_mtime_ns
    return mpl, None


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Register a CJK font with matplotlib; return its family name (None when there is none)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager

    for p in _font_files():
        if Path(p).is_file():
            try:
                font_manager.fontManager.addfont(p)
                return font_manager.FontProperties(fname=p).get_name()
            except Exception:  # unreadable font file: try the next
                continue
    for f in font_manager.fontManager.ttflist:
        if any(h.lower() in f.name.lower() for h in CJK_NAME_HINTS):
            return f.name
    log.warning("未找到中文字体（可安装 fonts-noto-cjk 或设置 CHAINKG_CJK_FONT）；图中的中文可能显示为方框")
    return None


# ---------------------------------------------------------------- helpers
def _clusters_text(labels: list[str]) -> str:
    return "；".join(labels) if labels else NO_CLUSTER


def _players_text(g: Gap) -> str:
    out = []
    for p in g.players:
        tag = "（应用部署，非制造）" if p.deployment else STAGE_TAG.get(p.stage, "")
        out.append(f"{p.label}{tag}")
    return "；".join(out)


def _leads_text(g: Gap) -> str:
    """Named target firms (with where they are), else fallback regions."""
    out = []
    for ld in g.leads:
        name = f"{ld.label}（{ld.place}）" if ld.place else ld.label
        if name not in out:
            out.append(name)
    return "；".join(out)


def _leads_evidence(g: Gap) -> str:
    return _evidence_text([ld for ld in g.leads if ld.evidence], 3)


def _evidence_text(evs, limit: int = 3) -> str:
    out = []
    for e in evs:
        t = (getattr(e, "text", None) or getattr(e, "evidence", "") or "").strip()
        if t and t not in out:
            out.append(t)
    return " | ".join(out[:limit])


def _csv_text(header: list[str], rows: list[list]) -> str:
    from .util import csv_text  # BOM, CRLF, formula-like cells neutralised (OWASP)

    return csv_text(header, rows)


def _ordered_chains(result: AnalysisResult) -> list[tuple[str, list[str]]]:
    """[(cluster label or NO_CLUSTER, [chain IRIs])] in scheme order, unclustered chains last."""
    out = []
    for cl in result.clusters.values():
        chs = result.cluster_chains(cl.iri)
        out.append((cl.label, chs))
    rest = result.unclustered_chains()
    if rest:
        out.append((NO_CLUSTER, sorted(rest, key=lambda c: result.chains[c].label)))
    return out


def _split_named_only(result: AnalysisResult, chs: list[str]) -> tuple[list[str], list[str]]:
    """(chains with a section, chains the texts only name): a chain with no template, no local firm
    and no 链主 or 链核 has nothing to show but its name (a corpus names a hundred such in passing)."""
    shown, named = [], []
    for ch in chs:
        d = None if result.chains[ch].templated else _chain_sections(result, ch)
        empty = d is not None and not (d["firms"] or d["leaders"] or d["cores"])
        (named if empty else shown).append(ch)
    return shown, named


def _named_only_line(result: AnalysisResult, named: list[str]) -> str:
    return (f"另有 {len(named)} 条产业链只在文本中提及（尚无模板，也没有本地企业、链主或链核）："
            + "、".join(result.chains[ch].label for ch in named) + "。")


def _fmt(x: float) -> str:
    return f"{x:.3f}"


COMPONENT_COLUMNS = [("leader_role", "链主关系置信度"), ("core_role", "链核关系置信度"), ("suppliers", "本地供应商数"),
                     ("customers", "本地客户数"), ("segments", "覆盖环节数"), ("projects", "项目数"),
                     ("investment_yuan", "项目投资额(元)"), ("capacity_projects", "有产能的项目数")]
CONTRIB_KEYS = ("role", "suppliers", "customers", "segments", "projects", "investment", "capacity")
CONTRIB_NAMES = {"role": "链主关系", "suppliers": "供应商", "customers": "客户", "segments": "环节", "projects": "项目",
                 "investment": "投资", "capacity": "产能"}


def _components_text(l: Leader) -> str:
    c = l.components
    return "；".join(f"{CONTRIB_NAMES[k]}+{c.get('contrib_' + k, 0)}" for k in CONTRIB_KEYS if c.get("contrib_" + k))


# ---------------------------------------------------------------- CSV
def leaders_csv(result: AnalysisResult) -> str:
    """Every candidate of every chain with its components, contributions, role and verdict."""
    header = ["region", "cluster", "chain", "rank", "enterprise", "role", "qualified", "score", "role_score",
              "structure_score"] + [k for k, _n in COMPONENT_COLUMNS] + [f"contrib_{k}" for k in CONTRIB_KEYS] + \
             ["basis", "evidence"]
    rows = []
    for cl_label, chs in _ordered_chains(result):
        for ch in chs:
            ls = result.leaders_for(ch, qualified_only=False)
            if not any(l.qualified for l in ls):
                rows.append([result.region, cl_label, result.chains[ch].label, "", NO_LEADER, "", "否"] +
                            [""] * (len(header) - 7))
            for l in ls:
                c = l.components
                rows.append([result.region, cl_label, l.chain_label, l.rank or "", l.label, l.role,
                             "是" if l.qualified else "否", _fmt(l.score), _fmt(l.text_score), _fmt(l.structure_score)]
                            + [c.get(k, "") for k, _n in COMPONENT_COLUMNS]
                            + [c.get(f"contrib_{k}", 0) for k in CONTRIB_KEYS]
                            + [l.basis, _evidence_text(l.evidence, 5)])
    # rows for chains that appear under several clusters are repeated per cluster on purpose
    return _csv_text(header, rows)


def gaps_csv(result: AnalysisResult) -> str:
    header = ["region", "cluster", "chain", "segment", "position", "status", "status_basis", "gap_kind", "players",
              "evidence", "target_firms", "target_evidence"]
    rows = []
    for cl_label, chs in _ordered_chains(result):
        for ch in chs:
            info = result.chains[ch]
            if not info.templated:  # a chain named only in the text: its firms, segments unknown
                firms = sorted({p.label for p in result.placements if p.chain == ch})
                rows.append([result.region, cl_label, info.label, "（无模板，环节未知）", "", "未知", "该链尚无模板",
                             "待核实", "；".join(firms), "", "", ""])
            for g in result.gaps_for(ch):
                rows.append([result.region, cl_label, g.chain_label, g.segment_label, g.position, g.status, g.basis,
                             g.kind, _players_text(g), _evidence_text(g.evidence), _leads_text(g), _leads_evidence(g)])
    return _csv_text(header, rows)


# ---------------------------------------------------------------- figures
def _cluster_figure(result: AnalysisResult, title: str, chains: list[str], cache=None) -> bytes | None:
    """cluster_figure, reused from the cache when what it draws is unchanged."""
    if cache is None:
        return cluster_figure(result, title, chains)
    drawn = [(g.chain_label, g.position, g.segment_label, g.status, sum(1 for p in g.players if not p.deployment))
             for ch in chains for g in result.gaps_for(ch)]
    key = cache.key("cluster", figure_key_parts(), title, len(chains) > 1, drawn)
    return cache.get_or(key, lambda: cluster_figure(result, title, chains))


def cluster_figure(result: AnalysisResult, title: str, chains: list[str]) -> bytes | None:
    """Horizontal bars: players per segment, coloured by status; one block per chain."""
    gaps = [g for ch in chains for g in result.gaps_for(ch)]
    if not gaps:
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    font = cjk_font()
    rc = {"font.family": [font, "DejaVu Sans"]} if font else {}
    rc["axes.unicode_minus"] = False
    with plt.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing-glyph warnings when no CJK font
        multi = len(chains) > 1
        labels = [(f"{g.chain_label.replace('产业链', '')}·" if multi else "") + f"{g.position}·{g.segment_label}"
                  for g in gaps]
        values = [sum(1 for p in g.players if not p.deployment) for g in gaps]
        colors = [STATUS_COLORS[g.status] for g in gaps]
        h = 1.2 + 0.32 * len(gaps)
        fig, ax = plt.subplots(figsize=(8, h), dpi=110)
        y = list(range(len(gaps)))[::-1]
        ax.barh(y, [v if v else 0.08 for v in values], color=colors)
        for yi, v, g in zip(y, values, gaps):
            ax.text((v if v else 0.08) + 0.05, yi, f"{g.status}" + (f" {v}" if v else ""), va="center", fontsize=8)  # noqa
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8)
        ax.set_xlabel("本地参与企业/项目数")
        ax.set_title(f"{title}：产业链环节覆盖", fontsize=11)
        ax.set_xlim(0, max(values + [1]) + 1.2)
        from matplotlib.ticker import MaxNLocator
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(handles=[Patch(color=c, label=s) for s, c in STATUS_COLORS.items()], loc="lower right", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


# ---------------------------------------------------------------- markdown / html
def _md_escape(s: str) -> str:
    from .util import md_escape  # no raw HTML, links or emphasis from labels

    return md_escape(s)


HEADLINE_METRICS = ("签约项目数", "签约金额", "签约总额", "签约项目开工率", "签约")


def _facts_rows(result: AnalysisResult, headline: bool | None = None) -> list[list[str]]:
    """Fact rows, duplicates (same subject/metric/value/period) merged; headline = 签约… figures."""
    seen = set()
    rows = []
    for f in sorted(result.facts, key=lambda f: (not f.period, f.subject, f.metric.startswith("签约") is False,
                                                  f.metric, f.period, f.value)):
        key = (f.subject, f.metric, f.value, f.period)
        if key in seen:
            continue
        seen.add(key)
        is_head = any(f.metric.startswith(m) for m in HEADLINE_METRICS)
        if headline is None or headline == is_head:
            rows.append([f.subject, f.metric, f.value, f.period or "—", f.evidence])
    return rows


FACTS_HEADER = ["subject", "metric", "value", "period", "headline", "evidence"]
OTHER_FACTS_SHOWN = 30  # rows of 其他数据 in report.md; a corpus has hundreds, all in facts.csv


def facts_csv(result: AnalysisResult) -> str:
    """Every figure the texts state (report.md shows the headline ones and the first others)."""
    rows = [r[:4] + [h] + r[4:] for h, flag in (("是", True), ("否", False)) for r in _facts_rows(result, flag)]
    return _csv_text(FACTS_HEADER, rows)


def _chain_sections(result: AnalysisResult, ch: str) -> dict:
    info = result.chains[ch]
    gaps = result.gaps_for(ch)
    leaders = result.leaders_for(ch)
    cores = [l for l in result.leaders_for(ch, qualified_only=False) if l.role == "链核"]
    firms = sorted({p.label for p in result.placements if p.chain == ch and p.type == "Enterprise"})
    counts = {s: sum(1 for g in gaps if g.status == s) for s in STATUS_COLORS}
    return {"info": info, "gaps": gaps, "leaders": leaders, "counts": counts, "cores": cores, "firms": firms}


def _overview_rows(result: AnalysisResult) -> list[list[str]]:
    """Per cluster: tier, chains, 链主, segment counts by status."""
    tiers = {cl.label: cl.tier for cl in result.clusters.values()}
    rows = []
    for cl_label, chs in _ordered_chains(result):
        gaps = [g for ch in chs for g in result.gaps_for(ch)]
        leaders = [f"{l.label}（{l.chain_label}）" for ch in chs for l in result.leaders_for(ch)[:1]]
        rows.append([cl_label, tiers.get(cl_label, ""), _chain_names(result, chs),
                     "；".join(leaders) or NO_LEADER] + [str(sum(g.status == s for g in gaps)) for s in STATUS_COLORS])
    return rows


OVERVIEW_CHAINS = 12  # chains named in an overview cell; a corpus names a hundred, most in passing


def _chain_names(result: AnalysisResult, chs: list[str]) -> str:
    """The cluster's chains for the overview: all of them when few; else those with the most local
    firms first (then the most gaps known), and how many there are."""
    if len(chs) <= OVERVIEW_CHAINS:
        return "、".join(result.chains[c].label for c in chs)
    firms: dict[str, set] = {}
    for p in result.placements:
        if p.type == "Enterprise":
            firms.setdefault(p.chain, set()).add(p.label)
    top = sorted(chs, key=lambda c: (-len(firms.get(c, ())), -len(result.gaps_for(c)), result.chains[c].label))
    return "、".join(result.chains[c].label for c in top[:OVERVIEW_CHAINS]) + f" 等 {len(chs)} 条"


OVERVIEW_HEADER = ["集群", "量级", "产业链", "链主", "已覆盖", "薄弱", "缺失", "未知"]
LEADER_RULE = ("链主只认抽取出的链主关系（kg:chainLeaderOf）；没有时才按本地体量（本地供应商 ≥2 家，或覆盖 ≥2 个环节且有项目）推断，"
               "证据不足则写“暂无”。链核与外地企业不作链主。")


def _region_line(result: AnalysisResult) -> str:
    how = "由语料识别" if result.region_detected else "由 --region 指定"
    reg = f"分析地区：{result.region}（{how}）" if result.region else "分析地区：未能从语料识别（可用 --region 指定）"
    if result.register:
        reg += "；企业名录：" + "、".join(result.register)
    return reg + "。"


def _title(result: AnalysisResult) -> str:
    return f"{result.region}产业链招商图谱分析报告" if result.region else "产业链招商图谱分析报告"


def _leader_rows(d: dict) -> list[list[str]]:
    return [[str(l.rank), l.label, l.role, _fmt(l.score), _components_text(l), l.basis, _evidence_text(l.evidence, 2)]
            for l in d["leaders"]]


LEADER_HEADER = ["排名", "企业", "角色", "得分", "分项贡献", "依据", "证据"]
GAP_HEADER = ["位置", "环节", "状态", "建议", "本地企业/项目", "状态依据", "招商目标企业"]


def _gap_row(g: Gap) -> list[str]:
    return [g.position, g.segment_label, g.status, g.kind, _players_text(g) or "—", g.basis, _leads_text(g) or "—"]


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
        ["| " + " | ".join(_md_escape(x) for x in r) + " |" for r in rows]


def _md_chain(result: AnalysisResult, ch: str, maps: dict[str, dict] | None = None) -> list[str]:
    d = _chain_sections(result, ch)
    c = d["counts"]
    L = [f"### {_md_escape(d['info'].label)}", "", *_map_md(maps, ch)]
    if d["info"].templated:
        L += ["环节 %d 个：" % len(d["gaps"]) + "，".join(f"{s} {c[s]}" for s in STATUS_COLORS) + "。", ""]
    else:
        L += ["该链来自文本、尚无模板：环节状态未知。本地企业：" + ("、".join(d["firms"]) or "—") + "。", ""]
    L += ["**链主**", ""]
    L += _md_table(LEADER_HEADER, _leader_rows(d)) if d["leaders"] else [NO_LEADER]
    if d["cores"]:
        L += ["", "**链核**：" + "、".join(l.label for l in d["cores"])]
    if d["gaps"]:
        L += ["", "**产业链图谱（环节覆盖）**", ""] + _md_table(GAP_HEADER, [_gap_row(g) for g in d["gaps"]])
        for kind in ("补链", "延链", "强链", "待核实"):
            L.append(f"- {kind}：{'、'.join(g.segment_label for g in d['gaps'] if g.kind == kind) or '—'}")
    return L + [""]


def report_md(result: AnalysisResult, figures: dict[str, str], maps: dict[str, dict] | None = None) -> str:
    L = [f"# {_title(result)}", "", _region_line(result), "", f"生成时间：{result.generated}（UTC）。{LEADER_RULE}", "",
         f"环节状态：{STATUS_LEGEND}。", ""]
    L += ["## 集群总览", ""] + _md_table(OVERVIEW_HEADER, _overview_rows(result)) + [""]
    for title, head in (("## 招商核心数据（文本原文）", True), ("## 其他数据", False)):
        rows = _facts_rows(result, head)
        if not rows and not head:
            continue
        L += [title, ""]
        shown = rows if head else rows[:OTHER_FACTS_SHOWN]
        L += _md_table(["主体", "指标", "数值", "时期", "原文"], shown) if rows else ["（文本中未抽取到签约数据）"]
        if len(shown) < len(rows):
            L += ["", f"其余 {len(rows) - len(shown)} 条见 facts.csv。"]
        L.append("")
    for cl_label, chs in _ordered_chains(result):
        L += [f"## {_md_escape(cl_label)}", ""]
        if cl_label in figures:
            L += [f"![{_md_escape(cl_label)}]({figures[cl_label]})", ""]
        if not chs:
            L += ["（该集群没有产业链模板）", ""]
        shown, named = _split_named_only(result, chs)
        for ch in shown:
            L += _md_chain(result, ch, maps)
        if named:
            L += [_named_only_line(result, named), ""]
    if result.untemplated:
        L += ["## 文本提到但尚无模板的产业链", "",
              "、".join(result.untemplated) + "（已列出其链主/链核与企业；在 ontology/templates/ 添加模板后可分析环节）", ""]
        L += _untemplated_maps_md(result, maps)
    L += ["## 未能定位到环节的企业与项目", ""]
    on_chain, others = _unplaced_rows(result)
    shown = on_chain + others[:UNPLACED_SHOWN]
    L += _md_table(UNPLACED_HEADER, shown) if shown else ["（无）"]
    if len(others) > UNPLACED_SHOWN:
        L += ["", f"其余 {len(others) - UNPLACED_SHOWN} 个同样没有可映射到环节的表述，从略（可在 graph.html 中检索）。"]
    L.append("")
    return "\n".join(L)


UNPLACED_HEADER = ["名称", "类型", "已知产业链", "原因"]
UNPLACED_SHOWN = 50  # rows of firms and projects with no chain at all in report.md; a corpus has thousands


def _unplaced_rows(result: AnalysisResult) -> tuple[list[list[str]], list[list[str]]]:
    """(rows of those on a known chain, rows of those on none): the first are worth a look."""
    rows = ([u.label, "企业" if u.type == "Enterprise" else "项目", "、".join(u.chains) or "—", u.reason]
            for u in result.unplaced)
    on_chain, others = [], []
    for r in rows:
        (others if r[2] == "—" else on_chain).append(r)
    return on_chain, others


CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.5;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0} h2{border-bottom:2px solid #1565c0;padding-bottom:.2em;margin-top:2em}
.s-已覆盖{background:#e8f5e9}.s-薄弱{background:#fff8e1}.s-缺失{background:#ffebee}.s-未知{background:#f5f5f5}
.ev{color:#555;font-size:12px} img{max-width:100%} .note{color:#555}
figure.chainmap{margin:.5em 0 1em} figure.chainmap svg{max-width:100%;height:auto;display:block}
figure.chainmap figcaption{color:#555;font-size:12px}
"""


def _html_table(header: list[str], rows: list[list[str]], row_class=None) -> str:
    e = html.escape
    out = ["<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"]
    for i, r in enumerate(rows):
        cls = f" class='{row_class(i)}'" if row_class else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{e(str(x))}</td>" for x in r) + "</tr>")
    return "".join(out) + "</table>"


def _html_chain(result: AnalysisResult, ch: str, maps: dict[str, dict] | None = None) -> list[str]:
    e = html.escape
    d = _chain_sections(result, ch)
    c = d["counts"]
    H = [f"<h3>{e(d['info'].label)}</h3>{_map_html(maps, ch)}"]
    if d["info"].templated:
        H.append(f"<p>环节 {len(d['gaps'])} 个：" + "，".join(f"{s} {c[s]}" for s in STATUS_COLORS) + "。</p>")
    else:
        H.append("<p>该链来自文本、尚无模板：环节状态未知。本地企业：" + e("、".join(d["firms"]) or "—") + "。</p>")
    H.append("<h4>链主</h4>")
    H.append(_html_table(LEADER_HEADER, _leader_rows(d)) if d["leaders"] else f"<p>{NO_LEADER}</p>")
    if d["cores"]:
        H.append("<p><b>链核</b>：" + e("、".join(l.label for l in d["cores"])) + "</p>")
    if d["gaps"]:
        gaps = d["gaps"]
        H.append("<h4>产业链图谱</h4>" + _html_table(GAP_HEADER, [_gap_row(g) for g in gaps],
                                                    lambda i: f"s-{gaps[i].status}"))
    return H


def report_html(result: AnalysisResult, figures_png: dict[str, bytes], maps: dict[str, dict] | None = None) -> str:
    e = html.escape
    H = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
         f"<title>{e(_title(result))}</title>", f"<style>{CSS}</style></head><body>",
         f"<h1>{e(_title(result))}</h1>", f"<p class='note'>{e(_region_line(result))}</p>",
         f"<p class='note'>生成时间：{e(result.generated)}（UTC）。{e(LEADER_RULE)}</p>",
         f"<p class='note'>环节状态：{e(STATUS_LEGEND)}。</p>",
         "<h2>集群总览</h2>" + _html_table(OVERVIEW_HEADER, _overview_rows(result))]
    for title, head in (("招商核心数据（文本原文）", True), ("其他数据", False)):
        rows = _facts_rows(result, head)
        if not rows and not head:
            continue
        H.append(f"<h2>{title}</h2>")
        if rows:
            table = _html_table(["主体", "指标", "数值", "时期", "原文"], rows)
            H.append(table if head else f"<details><summary>共 {len(rows)} 条（展开）</summary>{table}</details>")
        else:
            H.append("<p>（文本中未抽取到签约数据）</p>")
    for cl_label, chs in _ordered_chains(result):
        H.append(f"<h2>{e(cl_label)}</h2>")
        png = figures_png.get(cl_label)
        if png:
            H.append(f"<img alt='{e(cl_label)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>")
        shown, named = _split_named_only(result, chs)
        for ch in shown:
            H += _html_chain(result, ch, maps)
        if named:
            H.append(f"<p>{e(_named_only_line(result, named))}</p>")
    if result.untemplated:
        H.append("<h2>文本提到但尚无模板的产业链</h2><p>" + e("、".join(result.untemplated))
                 + "（已列出其链主/链核与企业；在 ontology/templates/ 添加模板后可分析环节）</p>")
        H.append(_untemplated_maps_html(result, maps))
    H.append("<h2>未能定位到环节的企业与项目</h2>")
    on_chain, others = _unplaced_rows(result)
    if on_chain:
        H.append(_html_table(UNPLACED_HEADER, on_chain))
    if others:
        H.append(f"<details><summary>没有已知产业链的 {len(others)} 个（展开）</summary>"
                 f"{_html_table(UNPLACED_HEADER, others)}</details>")
    if not result.unplaced:
        H.append("<p>（无）</p>")
    H.append("</body></html>")
    return "\n".join(H)


# ---------------------------------------------------------------- chain maps (kg.chainmap)
CHAIN_MAP_DIR = "figures/chains"


def write_chain_maps(result: AnalysisResult, out_dir: Path, graph=None, cache=None,
                     context=None, workers: int = 1) -> dict[str, dict]:
    """OUT/figures/chains/<chain>.svg|png per chain; {chain IRI or untemplated label: {svg, png, inline}}.
    cache (kg.incremental.BlobCache): font cuts and PNGs of unchanged maps are reused.
    context: chainmap.graph_context of the graph, made already (then graph is not needed).
    workers > 1 (with a cache): the maps' fonts and PNGs are made in that many processes."""
    from . import chainmap

    ctx = context if context is not None else chainmap.graph_context(graph, result) if graph is not None else None
    graph = None  # see write_reports
    maps: dict[str, dict] = {}
    todo = chainmap.all_maps(result, ctx)
    fonts = chainmap.FontSubsets(todo, cache=cache)
    chainmap.prerender(todo, fonts, cache, workers)
    for m in todo:
        try:
            face = fonts.face(m)
            svg, png = chainmap.write_map(m, Path(out_dir) / CHAIN_MAP_DIR, face, cache=cache)
        except OSError:
            raise  # a full disk or a file-size limit fails the build (one message, old output kept)
        except Exception as ex:  # a picture that cannot be drawn must never break the reports
            log.warning("无法生成产业链图谱 %s：%s", m.label, ex)
            continue
        maps[m.iri or m.label] = {"svg": f"{CHAIN_MAP_DIR}/{svg.name}", "png": f"{CHAIN_MAP_DIR}/{png.name}",
                                  "inline": chainmap.to_svg(m, "graph.html", face), "note": chainmap.corpus_note(m)}
    return maps


def _map_md(maps: dict[str, dict] | None, key: str) -> list[str]:
    mp = (maps or {}).get(key)
    if not mp:
        return []
    note = f"{mp['note']}；" if mp.get("note") else ""
    return [f"![产业链图谱]({mp['png']})", "", f"（{note}矢量图：[{mp['svg']}]({mp['svg']})）", ""]


def _map_html(maps: dict[str, dict] | None, key: str) -> str:
    mp = (maps or {}).get(key)
    if not mp:
        return ""
    note = f"{html.escape(mp['note'])}；" if mp.get("note") else ""
    return (f"<figure class=chainmap>{mp['inline']}<figcaption>{note}点击企业或环节可在交互图谱 graph.html 中定位；"
            f"下载 <a href='{html.escape(mp['svg'])}'>SVG</a> · <a href='{html.escape(mp['png'])}'>PNG</a></figcaption>"
            "</figure>")


def _untemplated_maps_md(result: AnalysisResult, maps: dict[str, dict] | None) -> list[str]:
    shown = [u for u in result.untemplated if u in (maps or {})]
    out = [x for u in shown for x in (f"### {u}", "", *_map_md(maps, u))]
    if len(shown) < len(result.untemplated):
        out += [_UNMAPPED.format(n=len(result.untemplated) - len(shown)), ""]
    return out


def _untemplated_maps_html(result: AnalysisResult, maps: dict[str, dict] | None) -> str:
    shown = [u for u in result.untemplated if u in (maps or {})]
    out = "".join(f"<h3>{html.escape(u)}</h3>{_map_html(maps, u)}" for u in shown)
    if len(shown) < len(result.untemplated):
        out += f"<p>{html.escape(_UNMAPPED.format(n=len(result.untemplated) - len(shown)))}</p>"
    return out


_UNMAPPED = "另有 {n} 条产业链企业较少，未单独绘图；可用 kg map --chain <产业链名称> --graph <输出目录> 生成其图谱。"


# ---------------------------------------------------------------- entry point
def write_reports(result: AnalysisResult, out_dir: Path, graph=None, cache=None, workers: int = 1) -> dict[str, Path]:
    """Write leaders.csv, gaps.csv, facts.csv, report.md, report.html, figures/*.png and the chain maps
    (figures/chains/); graph (the union graph) adds region, corpus size and untemplated chains' firms.
    cache (kg.incremental.BlobCache): pictures whose inputs are unchanged are reused, not redrawn;
    with it, workers > 1 draws the chain maps in that many processes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    from . import chainmap

    # the graph is read here only: no frame below holds it while the pictures are drawn. Font and
    # plotting libraries keep caught exceptions in reference cycles, whose tracebacks keep every
    # calling frame and its locals alive until a full collection: with the graph among them, the
    # whole analysis input (a million objects) outlived `del` in the build and cost a long collection
    ctx = chainmap.graph_context(graph, result) if graph is not None else None
    graph = None
    maps = write_chain_maps(result, out_dir, cache=cache, context=ctx, workers=workers)
    if maps:
        paths[CHAIN_MAP_DIR + "/"] = out_dir / CHAIN_MAP_DIR
    figs_png: dict[str, bytes] = {}
    figs_rel: dict[str, str] = {}
    for i, (cl_label, chs) in enumerate(_ordered_chains(result), 1):
        try:
            png = _cluster_figure(result, cl_label, chs, cache)
        except Exception as ex:  # a figure must never break the reports
            log.warning("无法生成 %s 的图：%s", cl_label, ex)
            png = None
        if png:
            rel = f"figures/cluster_{i:02d}.png"
            write_bytes_atomic(out_dir / rel, png)
            paths[rel] = out_dir / rel
            figs_png[cl_label] = png
            figs_rel[cl_label] = rel
    for name, text in (("leaders.csv", leaders_csv(result)), ("gaps.csv", gaps_csv(result)), ("facts.csv", facts_csv(result)),
                       ("report.md", report_md(result, figs_rel, maps)),
                       ("report.html", report_html(result, figs_png, maps))):
        write_text_atomic(out_dir / name, text)
        paths[name] = out_dir / name
    return paths
