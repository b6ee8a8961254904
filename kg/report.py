"""Analysis results -> leaders.csv, gaps.csv (UTF-8 with BOM for Excel), report.md, report.html
(self-contained: inline CSS, figures embedded as data URIs) and figures/*.png (one per cluster).

All files are written atomically (kg.util). Chinese labels in figures need a CJK font: a bundled
font in kg/fonts/, else a system one (fonts-noto-cjk, WenQuanYi, SimHei ...); without one the
figures are still written and a warning is logged.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path

from .analysis import NO_CLUSTER, NO_LEADER, AnalysisResult, Gap, Leader
from .util import write_bytes_atomic, write_text_atomic

log = logging.getLogger(__name__)

STATUS_COLORS = {"已覆盖": "#2e7d32", "薄弱": "#f9a825", "缺失": "#c62828"}
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


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Register a CJK font with matplotlib; return its family name (None when there is none)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import font_manager

    paths = []
    env = os.environ.get("CHAINKG_CJK_FONT")
    if env:
        paths.append(env)
    bundled = Path(__file__).resolve().parent / "fonts"
    if bundled.is_dir():
        paths += sorted(str(p) for p in bundled.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc"))
    try:  # a project dependency that ships Noto Sans CJK SC, so a fresh pip install has a Chinese font
        import mplfonts

        paths.append(str(Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"))
    except ImportError:
        pass
    paths += FONT_CANDIDATES
    for p in paths:
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
        tag = "" if p.operating else "（在建/未投产）"
        out.append(f"{p.label}{tag}")
    return "；".join(out)


CITY_LEADS_SHOWN = 6


def _leads_text(g: Gap) -> str:
    """Chain/segment-specific leads first, then the city's target regions."""
    own, city = [], {}
    for ld in g.leads:
        if ld.scope != "全市" and ld.label not in own:
            own.append(ld.label)
    for ld in g.leads:
        if ld.scope == "全市" and ld.label not in own:
            city[ld.label] = city.get(ld.label, 0) + 1
    parts = ["；".join(own)] if own else []
    if city:
        top = sorted(city, key=lambda k: -city[k])
        parts.append("全市重点区域：" + "、".join(top[:CITY_LEADS_SHOWN]) + ("等" if len(top) > CITY_LEADS_SHOWN else ""))
    return "；".join(parts)


def _evidence_text(evs, limit: int = 3) -> str:
    out = []
    for e in evs:
        t = e.text.strip()
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


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def _components_text(l: Leader) -> str:
    c = l.components
    return (f"链主表述={c.get('explicit', 0)}; 文本线索={c.get('text_cues', 0)}; 配套供应商={c.get('suppliers', 0)}; "
            f"项目={c.get('projects', 0)}; 环节覆盖={c.get('coverage', 0)}({c.get('segments', 0)}个); "
            f"中心性={c.get('centrality', 0)}; 投资额={c.get('investment', 0)}({c.get('investment_yuan', '0')}元)")


# ---------------------------------------------------------------- CSV
def leaders_csv(result: AnalysisResult) -> str:
    header = ["cluster", "chain", "rank", "enterprise", "score", "text_score", "structure_score", "components",
              "evidence"]
    rows = []
    for cl_label, chs in _ordered_chains(result):
        for ch in chs:
            ls = result.leaders_for(ch)
            if not ls:
                rows.append([cl_label, result.chains[ch].label, "", NO_LEADER, "", "", "", "", ""])
            for l in ls:
                rows.append([cl_label, l.chain_label, l.rank, l.label, _fmt(l.score), _fmt(l.text_score),
                             _fmt(l.structure_score), _components_text(l), _evidence_text(l.evidence, 5)])
    # rows for chains that appear under several clusters are repeated per cluster on purpose
    return _csv_text(header, rows)


def gaps_csv(result: AnalysisResult) -> str:
    header = ["cluster", "chain", "segment", "position", "status", "gap_kind", "players", "evidence", "leads"]
    rows = []
    for cl_label, chs in _ordered_chains(result):
        for ch in chs:
            for g in result.gaps_for(ch):
                rows.append([cl_label, g.chain_label, g.segment_label, g.position, g.status, g.kind,
                             _players_text(g), _evidence_text(g.evidence), _leads_text(g)])
    return _csv_text(header, rows)


# ---------------------------------------------------------------- figures
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
        values = [max(len(g.players), 0) for g in gaps]
        colors = [STATUS_COLORS[g.status] for g in gaps]
        h = 1.2 + 0.32 * len(gaps)
        fig, ax = plt.subplots(figsize=(8, h), dpi=110)
        y = list(range(len(gaps)))[::-1]
        ax.barh(y, [v if v else 0.08 for v in values], color=colors)
        for yi, v, g in zip(y, values, gaps):
            ax.text((v if v else 0.08) + 0.05, yi, f"{g.status}" + (f" {v}" if v else ""), va="center", fontsize=8)
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


def _chain_sections(result: AnalysisResult, ch: str) -> dict:
    info = result.chains[ch]
    gaps = result.gaps_for(ch)
    leaders = result.leaders_for(ch)
    counts = {s: sum(1 for g in gaps if g.status == s) for s in STATUS_COLORS}
    return {"info": info, "gaps": gaps, "leaders": leaders, "counts": counts}


def _overview_rows(result: AnalysisResult) -> list[list[str]]:
    """Per cluster: tier, chains, 链主, covered/weak/missing segment counts, 补链 targets."""
    tiers = {cl.label: cl.tier for cl in result.clusters.values()}
    rows = []
    for cl_label, chs in _ordered_chains(result):
        gaps = [g for ch in chs for g in result.gaps_for(ch)]
        leaders = [f"{l.label}（{l.chain_label}）" for ch in chs for l in result.leaders_for(ch)[:1]]
        missing = [f"{g.segment_label}" for g in gaps if g.status == "缺失"]
        rows.append([cl_label, tiers.get(cl_label, ""), "、".join(result.chains[c].label for c in chs),
                     "；".join(leaders) or NO_LEADER,
                     str(sum(g.status == "已覆盖" for g in gaps)), str(sum(g.status == "薄弱" for g in gaps)),
                     str(len(missing))])
    return rows


OVERVIEW_HEADER = ["集群", "量级", "产业链", "链主", "已覆盖", "薄弱", "缺失"]


def report_md(result: AnalysisResult, figures: dict[str, str]) -> str:
    L = ["# 产业链招商图谱分析报告", "", f"生成时间：{result.generated}（UTC）。链主只在文本有链主/龙头证据时认定；"
         "环节状态：已覆盖（≥2 个本地参与者且至少一个已投产）、薄弱（仅 1 个，或只有未投产项目）、缺失（无）。", ""]
    L += ["## 集群总览", "", "| " + " | ".join(OVERVIEW_HEADER) + " |", "|" + "---|" * len(OVERVIEW_HEADER)]
    L += ["| " + " | ".join(_md_escape(x) for x in r) + " |" for r in _overview_rows(result)]
    L.append("")
    for title, head in (("## 招商核心数据（文本原文）", True), ("## 其他数据", False)):
        rows = _facts_rows(result, head)
        if not rows and not head:
            continue
        L += [title, ""]
        if rows:
            L += ["| 主体 | 指标 | 数值 | 时期 | 原文 |", "|---|---|---|---|---|"]
            L += ["| " + " | ".join(_md_escape(x) for x in r) + " |" for r in rows]
        else:
            L.append("（文本中未抽取到签约数据）")
        L.append("")
    for cl_label, chs in _ordered_chains(result):
        L += [f"## {_md_escape(cl_label)}", ""]
        if cl_label in figures:
            L += [f"![{_md_escape(cl_label)}]({figures[cl_label]})", ""]
        if not chs:
            L += ["（该集群没有产业链模板）", ""]
        for ch in chs:
            d = _chain_sections(result, ch)
            c = d["counts"]
            L += [f"### {_md_escape(d['info'].label)}", "",
                  f"环节 {len(d['gaps'])} 个：已覆盖 {c['已覆盖']}，薄弱 {c['薄弱']}，缺失 {c['缺失']}。", ""]
            L += ["**链主**", ""]
            if d["leaders"]:
                L += ["| 排名 | 企业 | 得分 | 文本 | 结构 | 证据 |", "|---|---|---|---|---|---|"]
                for l in d["leaders"]:
                    L.append(f"| {l.rank} | {_md_escape(l.label)} | {_fmt(l.score)} | {_fmt(l.text_score)} | "
                             f"{_fmt(l.structure_score)} | {_md_escape(_evidence_text(l.evidence, 2))} |")
            else:
                L.append(NO_LEADER)
            L += ["", "**产业链图谱（环节覆盖）**", "",
                  "| 位置 | 环节 | 状态 | 建议 | 本地企业/项目 | 招商线索 |", "|---|---|---|---|---|---|"]
            for g in d["gaps"]:
                L.append(f"| {g.position} | {g.segment_label} | {g.status} | {g.kind} | "
                         f"{_md_escape(_players_text(g)) or '—'} | {_md_escape(_leads_text(g)) or '—'} |")
            bu = [g.segment_label for g in d["gaps"] if g.kind == "补链"]
            yan = [g.segment_label for g in d["gaps"] if g.kind == "延链"]
            qiang = [g.segment_label for g in d["gaps"] if g.kind == "强链"]
            L += ["", f"- 补链：{'、'.join(bu) or '—'}", f"- 延链：{'、'.join(yan) or '—'}",
                  f"- 强链：{'、'.join(qiang) or '—'}", ""]
    city = [ld for ld in result.leads if ld.scope == "全市"]
    L += ["## 全市招商目标区域与对象", ""]
    if city:
        seen = {}
        for ld in city:
            seen.setdefault(ld.label, ld.evidence)
        L += [f"- {k}：{_md_escape(v)}" for k, v in seen.items()]
    else:
        L.append("（无）")
    if result.untemplated:
        L += ["", "## 文本提到但尚无模板的产业链", "",
              "、".join(result.untemplated) + "（在 ontology/templates/ 或区域文件夹中添加模板后即可分析）"]
    L += ["", "## 未能定位到环节的企业与项目", ""]
    if result.unplaced:
        L += ["| 名称 | 类型 | 已知产业链 | 原因 |", "|---|---|---|---|"]
        for u in result.unplaced:
            L.append(f"| {_md_escape(u.label)} | {'企业' if u.type == 'Enterprise' else '项目'} | "
                     f"{'、'.join(u.chains) or '—'} | {u.reason} |")
    else:
        L.append("（无）")
    L.append("")
    return "\n".join(L)


CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.5;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0} h2{border-bottom:2px solid #1565c0;padding-bottom:.2em;margin-top:2em}
.s-已覆盖{background:#e8f5e9}.s-薄弱{background:#fff8e1}.s-缺失{background:#ffebee}
.ev{color:#555;font-size:12px} img{max-width:100%} .note{color:#555}
"""


def report_html(result: AnalysisResult, figures_png: dict[str, bytes]) -> str:
    e = html.escape
    H = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
         "<title>产业链招商图谱分析报告</title>", f"<style>{CSS}</style></head><body>",
         "<h1>产业链招商图谱分析报告</h1>",
         f"<p class='note'>生成时间：{e(result.generated)}（UTC）。链主只在文本有链主/龙头证据时认定；环节状态："
         "已覆盖（≥2 个本地参与者且至少一个已投产）、薄弱（仅 1 个，或只有未投产项目）、缺失（无）。</p>",
         "<h2>集群总览</h2><table><tr>" + "".join(f"<th>{h}</th>" for h in OVERVIEW_HEADER) + "</tr>"]
    for r in _overview_rows(result):
        H.append("<tr>" + "".join(f"<td>{e(x)}</td>" for x in r) + "</tr>")
    H.append("</table>")
    for title, head in (("招商核心数据（文本原文）", True), ("其他数据", False)):
        rows = _facts_rows(result, head)
        if not rows and not head:
            continue
        H.append(f"<h2>{title}</h2>")
        if rows and not head:
            H.append(f"<details><summary>共 {len(rows)} 条（展开）</summary>")
        if rows:
            H.append("<table><tr><th>主体</th><th>指标</th><th>数值</th><th>时期</th><th>原文</th></tr>")
            for r in rows:
                H.append("<tr>" + "".join(f"<td{' class=ev' if i == 4 else ''}>{e(x)}</td>" for i, x in enumerate(r))
                         + "</tr>")
            H.append("</table>")
            if not head:
                H.append("</details>")
        else:
            H.append("<p>（文本中未抽取到签约数据）</p>")
    for cl_label, chs in _ordered_chains(result):
        H.append(f"<h2>{e(cl_label)}</h2>")
        png = figures_png.get(cl_label)
        if png:
            H.append(f"<img alt='{e(cl_label)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>")
        for ch in chs:
            d = _chain_sections(result, ch)
            c = d["counts"]
            H.append(f"<h3>{e(d['info'].label)}</h3><p>环节 {len(d['gaps'])} 个：已覆盖 {c['已覆盖']}，"
                     f"薄弱 {c['薄弱']}，缺失 {c['缺失']}。</p><h4>链主</h4>")
            if d["leaders"]:
                H.append("<table><tr><th>排名</th><th>企业</th><th>得分</th><th>文本</th><th>结构</th><th>构成</th>"
                         "<th>证据</th></tr>")
                for l in d["leaders"]:
                    H.append(f"<tr><td>{l.rank}</td><td>{e(l.label)}</td><td>{_fmt(l.score)}</td>"
                             f"<td>{_fmt(l.text_score)}</td><td>{_fmt(l.structure_score)}</td>"
                             f"<td class=ev>{e(_components_text(l))}</td>"
                             f"<td class=ev>{'<br>'.join(e(x.text) for x in l.evidence[:4])}</td></tr>")
                H.append("</table>")
            else:
                H.append(f"<p>{NO_LEADER}</p>")
            H.append("<h4>产业链图谱</h4><table><tr><th>位置</th><th>环节</th><th>状态</th><th>建议</th>"
                     "<th>本地企业/项目</th><th>证据</th><th>招商线索</th></tr>")
            for g in d["gaps"]:
                H.append(f"<tr class='s-{g.status}'><td>{g.position}</td><td>{e(g.segment_label)}</td>"
                         f"<td>{g.status}</td><td>{g.kind}</td><td>{e(_players_text(g)) or '—'}</td>"
                         f"<td class=ev>{e(_evidence_text(g.evidence, 2))}</td><td>{e(_leads_text(g)) or '—'}</td></tr>")
            H.append("</table><ul>")
            for kind in ("补链", "延链", "强链"):
                segs = "、".join(g.segment_label for g in d["gaps"] if g.kind == kind) or "—"
                H.append(f"<li><b>{kind}</b>：{e(segs)}</li>")
            H.append("</ul>")
    city = [ld for ld in result.leads if ld.scope == "全市"]
    H.append("<h2>全市招商目标区域与对象</h2>")
    if city:
        seen = {}
        for ld in city:
            seen.setdefault(ld.label, ld.evidence)
        H.append("<ul>" + "".join(f"<li><b>{e(k)}</b> <span class=ev>{e(v)}</span></li>" for k, v in seen.items())
                 + "</ul>")
    else:
        H.append("<p>（无）</p>")
    if result.untemplated:
        H.append("<h2>文本提到但尚无模板的产业链</h2><p>" + e("、".join(result.untemplated))
                 + "（在 ontology/templates/ 或区域文件夹中添加模板后即可分析）</p>")
    H.append("<h2>未能定位到环节的企业与项目</h2>")
    if result.unplaced:
        H.append("<table><tr><th>名称</th><th>类型</th><th>已知产业链</th><th>原因</th></tr>")
        for u in result.unplaced:
            H.append(f"<tr><td>{e(u.label)}</td><td>{'企业' if u.type == 'Enterprise' else '项目'}</td>"
                     f"<td>{e('、'.join(u.chains)) or '—'}</td><td>{e(u.reason)}</td></tr>")
        H.append("</table>")
    else:
        H.append("<p>（无）</p>")
    H.append("</body></html>")
    return "\n".join(H)


# ---------------------------------------------------------------- entry point
def write_reports(result: AnalysisResult, out_dir: Path) -> dict[str, Path]:
    """Write leaders.csv, gaps.csv, report.md, report.html and figures/*.png; return {name: path}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    figs_png: dict[str, bytes] = {}
    figs_rel: dict[str, str] = {}
    for i, (cl_label, chs) in enumerate(_ordered_chains(result), 1):
        try:
            png = cluster_figure(result, cl_label, chs)
        except Exception as ex:  # a figure must never break the reports
            log.warning("无法生成 %s 的图：%s", cl_label, ex)
            png = None
        if png:
            rel = f"figures/cluster_{i:02d}.png"
            write_bytes_atomic(out_dir / rel, png)
            paths[rel] = out_dir / rel
            figs_png[cl_label] = png
            figs_rel[cl_label] = rel
    for name, text in (("leaders.csv", leaders_csv(result)), ("gaps.csv", gaps_csv(result)),
                       ("report.md", report_md(result, figs_rel)), ("report.html", report_html(result, figs_png))):
        write_text_atomic(out_dir / name, text)
        paths[name] = out_dir / name
    return paths
