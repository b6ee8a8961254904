"""Chain maps (产业链图谱): one static picture per industry chain, as analysts draw them.

Columns 上游 → 中游 → 下游 (segments of a position stacked in kg:order, kg:next drawn as arrows);
each segment a box coloured by its gap status, listing local firms (链主/链核 marked, projects
with their stage, "+N" beyond a limit) and, for segments still to fill, the named targets
(firms with their city, or target regions). A chain without a template gets a single 未知 column.

One layout (a list of drawing ops in pixel coordinates) feeds two writers: plain SVG text
(self-contained, no script, firms/segments linked to graph.html) and a PNG drawn with matplotlib,
both with the bundled CJK font (kg.report.cjk_font): the SVG embeds it as an @font-face cut down
to the characters of that map (FontSubsets: the big font is cut once per build to the characters of
all maps, then re-cut per map; with a cache, cuts and PNGs of unchanged maps are reused). Statuses are rendered generically: any status
string gets a colour from STATUS_STYLE or the neutral fallback.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import logging
import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .analysis import POSITIONS, AnalysisResult

log = logging.getLogger(__name__)

# status -> (header fill, header text, body tint)
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "已覆盖": ("#2e7d32", "#ffffff", "#e8f5e9"),
    "薄弱": ("#f9a825", "#212121", "#fff8e1"),
    "缺失": ("#c62828", "#ffffff", "#ffebee"),
    "未知": ("#607d8b", "#ffffff", "#eceff1"),
}
FALLBACK_STYLE = ("#9e9e9e", "#ffffff", "#f5f5f5")
ROLE_STYLE = {"链主": "#d84315", "链核": "#6a1b9a"}
UNKNOWN = "未知"
FONT_FAMILY = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif"

MAX_FIRMS = 6  # firm lines per segment before "+N"
MAX_TARGETS = 3
W = 780  # design width in px (fits A4 at ~100%)
PAD, GUT = 12, 34
TOP = 112  # first box below title, subtitle, legend and column headers
HEAD, LINE, BODY_PAD, VGAP = 24, 18, 6, 14
FS_TITLE, FS_SUB, FS_HEAD, FS_BODY, FS_SMALL = 18, 12, 13.5, 12, 10.5


def style(status: str) -> tuple[str, str, str]:
    return STATUS_STYLE.get(status, FALLBACK_STYLE)


# ---------------------------------------------------------------- model
@dataclass
class Firm:
    label: str
    iri: str | None
    kind: str  # Enterprise | Project | 未具名 | ...
    role: str = ""  # 链主 | 链核 | ""
    building: bool = False  # not yet producing (在建/未投产)


@dataclass
class Box:
    label: str
    iri: str | None
    position: str
    order: int
    status: str
    kind: str  # 强链 | 补链 | 延链 | ""
    firms: list[Firm]
    targets: list[str] = field(default_factory=list)
    next: list[str] = field(default_factory=list)


@dataclass
class ChainMap:
    label: str
    iri: str | None
    clusters: list[str]
    boxes: list[Box]
    region: str = ""
    documents: int = 0  # documents the map rests on
    corpus: int = 0  # documents in the corpus (0 = unknown)
    city_targets: list[str] = field(default_factory=list)
    generated: str = ""
    templated: bool = True


@dataclass
class MapContext:
    """What the maps need from the graph beyond AnalysisResult (built once per graph)."""
    documents: int = 0
    city_of: dict[str, str] = field(default_factory=dict)  # enterprise/project IRI -> city label
    main_city: str = ""
    untemplated: dict[str, list[Firm]] = field(default_factory=dict)  # chain label -> firms


def _role(rec) -> str:
    """链核 / 链主 from whatever a Leader or Player record carries (role, roles, qualified)."""
    text = " ".join(str(x) for x in [getattr(rec, "role", "") or "", *(getattr(rec, "roles", None) or ())])
    if "链核" in text or "chainCore" in text:
        return "链核"
    if "链主" in text or getattr(rec, "qualified", False):
        return "链主"
    return ""


_DOC_RE = re.compile(r"/doc/(.+)/s\d+$")


def _doc_of(sentence: str | None) -> str | None:
    m = _DOC_RE.search(sentence or "")
    return m.group(1) if m else None


def _targets(gap, ctx: MapContext | None) -> list[str]:
    """Chain/segment-specific targets of a gap: firms (with city) first, then places."""
    firms, places = [], []
    for ld in gap.leads:
        if ld.scope == "全市":
            continue
        if ld.type in ("Enterprise", "Organization"):
            city = ctx.city_of.get(ld.iri or "", "") if ctx else ""
            firms.append(f"{ld.label}（{city}）" if city else ld.label)
        else:
            places.append(ld.label)
    out = []
    for t in firms + places:
        if t not in out:
            out.append(t)
    return out


def _roles(result: AnalysisResult, chain: str) -> dict[str, str]:
    """enterprise IRI -> 链主 | 链核 from the chain's assessed candidates."""
    roles: dict[str, str] = {}
    for ld in result.leaders_for(chain, qualified_only=False):
        r = _role(ld)
        if r and roles.get(ld.enterprise) != "链主":
            roles[ld.enterprise] = r
    return roles


def _box(gap, roles: dict[str, str], nexts: dict, ctx: MapContext | None, docs: set, cities: Counter) -> Box:
    firms = []
    for p in gap.players:
        firms.append(Firm(p.label, p.iri, p.type, _role(p) or roles.get(p.iri or "", ""), not p.operating))
        docs.add(_doc_of(p.sentence))
        if ctx and p.iri in ctx.city_of:
            cities[ctx.city_of[p.iri]] += 1
    firms.sort(key=lambda f: {"链主": 0, "链核": 1}.get(f.role, 2))
    docs.update(_doc_of(e.sentence) for e in gap.evidence)
    return Box(gap.segment_label, gap.segment, gap.position, gap.order, gap.status, gap.kind, firms,
               _targets(gap, ctx) if gap.status != "已覆盖" else [], nexts.get(gap.segment, []))


def build_map(result: AnalysisResult, chain: str, ctx: MapContext | None = None) -> ChainMap:
    """The map of one template chain (chain = chain IRI in result.chains)."""
    info = result.chains[chain]
    roles = _roles(result, chain)
    nexts = {s.iri: s.next for s in info.segments}
    docs: set = set()
    cities: Counter = Counter()
    gaps = result.gaps_for(chain)
    boxes = [_box(g, roles, nexts, ctx, docs, cities) for g in gaps]
    for ld in result.leaders_for(chain):
        docs.update(_doc_of(e.sentence) for e in ld.evidence)
    city_targets = list(dict.fromkeys(ld.label for g in gaps for ld in g.leads if ld.scope == "全市"))
    region = cities.most_common(1)[0][0] if cities else (ctx.main_city if ctx else "")
    for b in boxes:  # the region itself is no target for its own chain
        b.targets = [t for t in b.targets if t != region]
    docs.discard(None)
    return ChainMap(info.label, chain, [result.clusters[c].label for c in info.clusters if c in result.clusters],
                    boxes, region, len(docs), ctx.documents if ctx else 0, city_targets, result.generated)


def build_untemplated(result: AnalysisResult, name: str, ctx: MapContext | None = None) -> ChainMap:
    """A chain named in the text without a template: one 未知 segment listing its firms."""
    firms = list(ctx.untemplated.get(name, [])) if ctx else []
    box = Box("环节未知", None, UNKNOWN, 0, UNKNOWN, "", firms)
    return ChainMap(name, None, [], [box], ctx.main_city if ctx else "", 0, ctx.documents if ctx else 0, [],
                    result.generated, templated=False)


def find_chain(result: AnalysisResult, name: str) -> tuple[str | None, str | None]:
    """(chain IRI, None) for a template chain, (None, label) for an untemplated one, (None, None) if unknown."""
    want = unicodedata.normalize("NFKC", name).replace(" ", "")
    for iri, info in result.chains.items():
        names = [info.label, *info.alt]
        if want in names or want in {n.removesuffix("产业链") for n in names} or want == iri:
            return iri, None
    for u in result.untemplated:
        if want in (u, u.removesuffix("产业链")):
            return None, u
    return None, None


MAX_UNTEMPLATED_MAPS = 12  # a corpus naming a hundred chains: maps for those with most firms; `kg map --chain` draws any


def all_maps(result: AnalysisResult, ctx: MapContext | None = None) -> list[ChainMap]:
    """Maps of every chain the analysis covers, then of the chains named without a template that
    have the most firms (at most MAX_UNTEMPLATED_MAPS)."""
    out = [build_map(result, ch, ctx) for ch in result.chains if result.gaps_for(ch)]
    return out + [build_untemplated(result, u, ctx) for u in mapped_untemplated(result, ctx)]


def mapped_untemplated(result: AnalysisResult, ctx: MapContext | None = None) -> list[str]:
    """The untemplated chains that get a map in the report, in the analysis's order."""
    if len(result.untemplated) <= MAX_UNTEMPLATED_MAPS:
        return list(result.untemplated)
    firms = ctx.untemplated if ctx else {}
    ranked = sorted(result.untemplated, key=lambda u: -len(firms.get(u, [])))[:MAX_UNTEMPLATED_MAPS]
    return [u for u in result.untemplated if u in ranked]


# ---------------------------------------------------------------- graph context
def graph_context(graph, result: AnalysisResult) -> MapContext:
    """Document count, each firm's city, the corpus's main city and the firms of untemplated chains."""
    import rdflib
    from rdflib import RDF, RDFS, URIRef
    from rdflib.namespace import SKOS

    from .util import KG as KG_NS

    KG = rdflib.Namespace(KG_NS)
    g = graph
    if isinstance(g, (rdflib.Dataset, rdflib.ConjunctiveGraph)):
        from .rdf import union_graph
        g = union_graph(g)

    def label(n) -> str:
        for p in (SKOS.prefLabel, RDFS.label):
            for o in g.objects(n, p):
                return str(o)
        return str(n).rsplit("/", 1)[-1]

    cities = set(g.subjects(RDF.type, KG.City))
    memo: dict = {}

    def city(n, depth=0):
        if n in cities:
            return n
        if depth > 5:
            return None
        if n not in memo:
            memo[n] = None
            memo[n] = next((c for o in g.objects(n, KG.locatedIn) if (c := city(o, depth + 1)) is not None), None)
        return memo[n]

    ctx = MapContext(documents=len(set(g.subjects(RDF.type, KG.Document))))
    counts = Counter()
    for t in (KG.Enterprise, KG.Project):
        for e in g.subjects(RDF.type, t):
            c = city(e)
            if c is not None:
                ctx.city_of[str(e)] = label(c)
                counts[label(c)] += 1
    if not counts:  # no firm located in a city: the city the texts mention most
        counts = Counter({label(c): sum(1 for _ in g.objects(c, KG.mention)) for c in cities})
    ctx.main_city = next((c for c, n in counts.most_common(1) if n), "")
    wanted = set(result.untemplated)
    for ch in g.subjects(RDF.type, KG.IndustryChain):
        name = label(ch)
        if name not in wanted:
            continue
        firms: dict[str, Firm] = {}
        for p, role in ((KG.chainLeaderOf, "链主"), (KG.chainCoreOf, "链核"), (KG.belongsToChain, "")):
            for e in g.subjects(p, URIRef(ch)):
                kind = "Project" if (e, RDF.type, KG.Project) in g else "Enterprise"
                firms.setdefault(str(e), Firm(label(e), str(e), kind, role))
                for who in g.subjects(KG.implements, e):  # the enterprise behind a project of the chain
                    firms.setdefault(str(who), Firm(label(who), str(who), "Enterprise"))
        ctx.untemplated[name] = sorted(firms.values(), key=lambda f: ({"链主": 0, "链核": 1}.get(f.role, 2), f.label))
    # city calls itself through its closure cell: a reference cycle that would keep the graph (the
    # whole analysis input) alive until the next full garbage collection; emptying the cell breaks it
    city = None  # noqa: F841
    return ctx


# ---------------------------------------------------------------- layout
def text_width(s: str, size: float) -> float:
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.58 * size for c in s)


def fit(s: str, size: float, width: float) -> str:
    if text_width(s, size) <= width:
        return s
    while s and text_width(s + "…", size) > width:
        s = s[:-1]
    return s + "…"


def _columns(m: ChainMap) -> list[tuple[str, list[Box]]]:
    groups: dict[str, list[Box]] = {}
    for b in m.boxes:
        groups.setdefault(b.position if b.position in POSITIONS else (b.position or UNKNOWN), []).append(b)
    keys = [p for p in POSITIONS if p in groups] + [p for p in groups if p not in POSITIONS]
    return [(k, sorted(groups[k], key=lambda b: b.order)) for k in keys]


def _box_lines(b: Box) -> list[tuple[str, object]]:
    """Body lines of a box: ("firm", Firm) | ("more", text) | ("note", text) | ("target", text)."""
    lines: list[tuple[str, object]] = [("firm", f) for f in b.firms[:MAX_FIRMS]]
    if len(b.firms) > MAX_FIRMS:
        lines.append(("more", f"+{len(b.firms) - MAX_FIRMS} 家企业/项目"))
    if not b.firms:
        lines.append(("note", "暂无本地企业/项目"))
    if b.targets:
        lines.append(("head", "招商目标"))
        lines += [("target", t) for t in b.targets[:MAX_TARGETS]]
        if len(b.targets) > MAX_TARGETS:
            lines.append(("more", f"+{len(b.targets) - MAX_TARGETS} 个目标"))
    return lines


def _href(base: str | None, iri: str | None) -> str | None:
    return f"{base}#{quote(iri, safe='')}" if base and iri else None


class _Ops(list):
    def rect(self, x, y, w, h, fill, stroke="none", rx=0):
        self.append(("rect", x, y, w, h, fill, stroke, rx))

    def text(self, x, y, s, size, color="#212121", bold=False, anchor="start", href=None):
        self.append(("text", x, y, s, size, color, bold, anchor, href))

    def poly(self, pts, fill):
        self.append(("poly", pts, fill))

    def curve(self, pts, color):
        self.append(("curve", pts, color))


def corpus_note(m: ChainMap) -> str:
    """The map's documents against the corpus size, for the text beside the picture (not drawn in it)."""
    if m.corpus:
        return f"依据语料 {m.corpus} 篇中的 {m.documents} 篇" if m.documents else f"语料 {m.corpus} 篇"
    return ""


def _draw_header(ops: _Ops, m: ChainMap) -> None:
    ops.text(PAD, 28, fit(f"{m.label} · 招商图谱", FS_TITLE, W - 2 * PAD), FS_TITLE, bold=True)
    parts = [m.region or "", "、".join(m.clusters)]
    if m.documents:  # the corpus size is no part of the picture (corpus_note): one more document
        parts.append(f"依据 {m.documents} 篇文档")  # would otherwise redraw every chain's PNG
    if not m.templated:
        parts.append("尚无产业链模板，环节未知")
    if m.generated:
        parts.append(f"生成于 {m.generated[:10]}")
    ops.text(PAD, 48, fit(" · ".join(p for p in parts if p), FS_SUB, W - 2 * PAD), FS_SUB, "#555")
    x = PAD
    for s in ("已覆盖", "薄弱", "缺失", UNKNOWN):
        ops.rect(x, 60, 14, 12, style(s)[0], rx=2)
        ops.text(x + 18, 70.5, s, FS_SMALL, "#333")
        x += 18 + text_width(s, FS_SMALL) + 14
    for r, c in ROLE_STYLE.items():
        ops.rect(x, 59, 28, 14, c, rx=3)
        ops.text(x + 14, 70, r, FS_SMALL, "#fff", True, "middle")
        x += 42
    for s in ("（在建）未投产项目", "→ 环节流向（kg:next）"):
        ops.text(x, 70.5, s, FS_SMALL, "#555")
        x += text_width(s, FS_SMALL) + 14


def _draw_box(ops: _Ops, b: Box, x: float, y: float, w: float, base: str | None) -> float:
    fill, ink, tint = style(b.status)
    lines = _box_lines(b)
    h = HEAD + 2 * BODY_PAD + LINE * len(lines)
    ops.append(("group", {"class": "segment", "data-segment": b.label, "data-status": b.status,
                          "data-position": b.position}))
    ops.rect(x, y, w, h, tint, fill, 4)
    ops.rect(x, y, w, HEAD, fill, fill, 4)
    tag = f"{b.status}" + (f" · {b.kind}" if b.kind else "")
    tag_w = text_width(tag, FS_SMALL) + 6
    num = f"{b.order}. " if b.order else ""
    ops.text(x + 7, y + 17, fit(num + b.label, FS_HEAD, w - tag_w - 14), FS_HEAD, ink, True, href=_href(base, b.iri))
    ops.text(x + w - 6, y + 16.5, tag, FS_SMALL, ink, anchor="end")
    ly = y + HEAD + BODY_PAD + 12.5
    for kind, v in lines:
        _draw_line(ops, kind, v, x + 7, ly, w - 14, base)
        ly += LINE
    ops.append(("end",))
    return h


def _draw_line(ops: _Ops, kind: str, v, x: float, y: float, w: float, base: str | None) -> None:
    if kind == "firm":
        f: Firm = v
        if f.role:
            ops.rect(x, y - 11, 26, 14, ROLE_STYLE.get(f.role, "#455a64"), rx=3)
            ops.text(x + 13, y, f.role, FS_SMALL, "#fff", True, "middle")
            x, w = x + 30, w - 30
        suffix = "（在建）" if f.building else ""
        name = "▪ " + f.label if f.kind == "Project" else f.label
        color = "#616161" if f.kind == "未具名" else "#212121"
        s = fit(name, FS_BODY, w - text_width(suffix, FS_SMALL))
        ops.text(x, y, s, FS_BODY, color, f.role == "链主", href=_href(base, f.iri))
        if suffix:
            ops.text(x + text_width(s, FS_BODY) + 2, y, suffix, FS_SMALL, "#8d6e63")
    elif kind == "head":
        ops.text(x, y, v, FS_SMALL, "#b71c1c", True)
    elif kind == "target":
        ops.text(x, y, fit("→ " + v, FS_BODY, w), FS_BODY, "#37474f")
    else:
        ops.text(x, y, fit(v, FS_SMALL, w), FS_SMALL, "#757575")


def _arrow_head(ops: _Ops, x, y, dx, dy, color) -> None:
    """Small triangle pointing along (dx, dy) (unit axis) with its tip at (x, y)."""
    if dx:
        ops.poly([(x, y), (x - 6 * dx, y - 4), (x - 6 * dx, y + 4)], color)
    else:
        ops.poly([(x, y), (x - 4, y - 6 * dy), (x + 4, y - 6 * dy)], color)


def _draw_flow(ops: _Ops, cols: list[tuple[str, list[Box]]], where: dict[str, tuple[int, float, float, float, float]]):
    color = "#78909c"
    for _, boxes in cols:
        for b in boxes:
            if b.iri not in where:
                continue
            ci, x, y, w, h = where[b.iri]
            for nx_ in b.next:
                if nx_ not in where:
                    continue
                cj, x2, y2, w2, h2 = where[nx_]
                if cj == ci and 0 < y2 - (y + h) <= VGAP + 1:
                    _arrow_head(ops, x + w / 2, y2 - 1, 0, 1, color)
                    ops.curve([(x + w / 2, y + h), (x + w / 2, y2 - 6)], color)
                elif cj == ci + 1:
                    a, z = (x + w, y + HEAD / 2), (x2 - 1, y2 + HEAD / 2)
                    mx = (a[0] + z[0]) / 2
                    ops.curve([a, (mx, a[1]), (mx, z[1]), (z[0] - 5, z[1])], color)
                    _arrow_head(ops, z[0], z[1], 1, 0, color)


def layout(m: ChainMap, base: str | None = None) -> tuple[_Ops, float]:
    """Drawing ops and the picture height; base = link target for firms/segments (graph.html) or None."""
    ops = _Ops()
    _draw_header(ops, m)
    cols = _columns(m)
    n = max(len(cols), 1)
    cw = (W - 2 * PAD - GUT * (n - 1)) / n
    where: dict[str, tuple[int, float, float, float, float]] = {}
    bottom = TOP
    for i, (pos, boxes) in enumerate(cols):
        x = PAD + i * (cw + GUT)
        ops.rect(x, 84, cw, 20, "#eceff1", rx=3)
        ops.text(x + cw / 2, 98.5, f"{pos}（{len(boxes)} 个环节）" if pos != UNKNOWN else pos, FS_HEAD - 1, "#37474f",
                 True, "middle")
        if i:
            ops.text(x - GUT / 2, 99, "→", FS_HEAD + 2, "#90a4ae", True, "middle")
        y = TOP
        for b in boxes:
            h = _draw_box(ops, b, x, y, cw, base)
            if b.iri:
                where[b.iri] = (i, x, y, cw, h)
            y += h + VGAP
        bottom = max(bottom, y)
    _draw_flow(ops, cols, where)
    if m.city_targets:
        s = "全市招商重点区域：" + "、".join(m.city_targets)
        ops.text(PAD, bottom + 6, fit(s, FS_SMALL, W - 2 * PAD), FS_SMALL, "#555")
        bottom += 14
    return ops, bottom + 8


# ---------------------------------------------------------------- writers
def _attr(s) -> str:
    return html.escape(str(s), quote=True)


def _svg_op(op) -> str:
    k = op[0]
    if k == "rect":
        _, x, y, w, h, fill, stroke, rx = op
        return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx}" fill="{fill}"'
                + (f' stroke="{stroke}"' if stroke != "none" else "") + "/>")
    if k == "text":
        _, x, y, s, size, color, bold, anchor, href = op
        t = (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{color}"'
             + (' font-weight="bold"' if bold else "") + (f' text-anchor="{anchor}"' if anchor != "start" else "")
             + f">{html.escape(s, quote=False)}</text>")
        return f'<a href="{_attr(href)}" target="_top">{t}</a>' if href else t
    if k == "poly":
        return f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in op[1])}" fill="{op[2]}"/>'
    if k == "curve":
        p = op[1]
        d = (f"M{p[0][0]:.1f},{p[0][1]:.1f} C{p[1][0]:.1f},{p[1][1]:.1f} {p[2][0]:.1f},{p[2][1]:.1f} "
             f"{p[3][0]:.1f},{p[3][1]:.1f}") if len(p) == 4 else f"M{p[0][0]:.1f},{p[0][1]:.1f} L{p[1][0]:.1f},{p[1][1]:.1f}"
        return f'<path d="{d}" fill="none" stroke="{op[2]}" stroke-width="1.3"/>'
    if k == "group":
        return "<g " + " ".join(f'{a}="{_attr(v)}"' for a, v in op[1].items()) + ">"
    return "</g>"


def to_svg(m: ChainMap, base: str | None = None, face: tuple[str, str] | None = None) -> str:
    """Self-contained SVG text (no script, no external resource); face = (family, @font-face CSS) to embed."""
    ops, h = layout(m, base)
    family = f"'{face[0]}',{FONT_FAMILY}" if face else FONT_FAMILY
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chainmap" data-chain="{_attr(m.label)}" '
            f'viewBox="0 0 {W} {h:.0f}" width="{W}" height="{h:.0f}" font-family="{_attr(family)}" '
            f'role="img" aria-label="{_attr(m.label)} 招商图谱">')
    style = [f"<style>{face[1]}</style>"] if face else []
    return "\n".join([head, f"<title>{html.escape(m.label)} 招商图谱</title>", *style,
                      f'<rect width="{W}" height="{h:.0f}" fill="#ffffff"/>', *map(_svg_op, ops), "</svg>"]) + "\n"


def _map_text(m: ChainMap) -> str:
    return "".join(op[3] for op in layout(m)[0] if op[0] == "text") + m.label + "招商图谱"


def _font_path() -> str | None:
    """File of the CJK font the PNGs use (kg.report.cjk_font)."""
    from matplotlib import font_manager

    from .report import cjk_font

    name = cjk_font()
    return next((f.fname for f in font_manager.fontManager.ttflist if f.name == name), None) if name else None


_ALWAYS = "…·→+0123456789"  # glyphs every cut keeps (counts change from build to build)


def _cut(src, text: str) -> bytes:
    """The font (path or bytes) reduced to the glyphs of text."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # bounding boxes are not recomputed (the source font's stay): half the time of a cut, same glyphs;
    # nor the time stamp: the same characters give the same bytes in every build
    keep = {"recalcBBoxes": False, "recalcTimestamp": False}
    f = TTFont(src, lazy=True, fontNumber=0, **keep) if isinstance(src, str) else TTFont(io.BytesIO(src), **keep)
    opts = subset.Options()
    opts.layout_features, opts.name_IDs, opts.hinting, opts.notdef_outline = [], ["*"], False, True
    sub = subset.Subsetter(opts)
    sub.populate(text=text + _ALWAYS)
    sub.subset(f)
    buf = io.BytesIO()
    f.save(buf)
    return buf.getvalue()


class FontSubsets:
    """The bundled CJK font cut to the characters of some maps (parsed once), re-cut per map on demand.
    With a cache (kg.incremental.BlobCache), a map's cut is kept under a key of the font file and its
    own characters: a rebuild re-cuts only the maps whose text changed."""

    def __init__(self, maps: list[ChainMap], cache=None):
        from .report import figure_key_parts

        self.data: bytes | None = None
        self.single = len(maps) == 1
        self.cache = cache
        self._font_id = figure_key_parts()  # found without importing matplotlib (cache hits need no more)
        self._path: str | None = None
        self._looked_up = False
        font = self._font_id[1] is not None or self.path
        self.chars = "".join(sorted(set("".join(_map_text(m) for m in maps)))) if font and maps else ""
        # the first cut needs only the characters of the maps not cached (its characters do not
        # change the per-map cuts, see face): a rebuild that misses one map cuts a small font
        missed = [m for m in maps if cache is None or not cache.has(self._key(m))]
        self._need = "".join(sorted(set("".join(_map_text(m) for m in missed)))) if self.chars else ""
        if cache is not None and not self.single and self.chars:
            cache.keep(self._base_key())  # for the next build, also when every map is cached

    @property
    def path(self) -> str | None:
        """The font file matplotlib uses (kg.report.cjk_font), looked up on first need."""
        if not self._looked_up:
            self._path, self._looked_up = _font_path(), True
        return self._path

    def _base(self) -> bytes | None:
        """The font cut to the characters of the maps not cached, made on the first cache miss. With
        a cache (several maps), the cut of all maps' characters a build made is reused while it holds
        those characters: a per-map cut of it is the same as of a fresh one (see _key), and cutting
        the whole font file (~1 s) is most of what one changed map costs."""
        if self.data is None and self._need:
            self.data = self._stored_base()
        if self.data is None and self.path and self._need:
            try:
                self.data = _cut(self.path, self._need)
            except Exception as ex:  # no embedded font: the SVG falls back to the system's CJK fonts
                log.warning("无法嵌入中文字体 %s：%s", self.path, ex)
                self._path = None
                return None
            # a cut of every map's characters (all missed: a first build) is kept for later builds;
            # else the last one stays (carried over in __init__): cutting more than needed costs time
            if self.cache is not None and not self.single and set(self._need) >= set(self.chars):
                head = json.dumps({"chars": self.chars}, ensure_ascii=False).encode("utf-8")
                self.cache.put(self._base_key(), head + b"\n" + self.data)
        return self.data

    def _base_key(self) -> str:
        return self.cache.key("face-base", self._font_id)

    def _stored_base(self) -> bytes | None:
        """The last build's cut of all its maps' characters (cache entry face-base), when it covers
        the characters still to cut; kept for the next build either way."""
        if self.cache is None or self.single:
            return None
        blob = self.cache.get(self._base_key())  # a hit is copied into the new cache
        if not blob or b"\n" not in blob:
            return None
        head, _, data = blob.partition(b"\n")
        try:
            chars = set(json.loads(head.decode("utf-8"))["chars"])
        except (ValueError, KeyError, TypeError):
            return None
        return data if data and set(self._need) <= chars else None

    def _cut_for(self, m: ChainMap) -> bytes | None:
        base = self._base()
        if not base:
            return None
        return base if self.single else _cut(base, _map_text(m))

    def _key(self, m: ChainMap) -> str:
        # a cut depends on the set of characters only, and a cut of a cut does not depend on the first
        # cut's (superset) characters (measured byte-identical): the other maps' text and this map's
        # counts ("依据 N 篇文档", digits are always kept) are not part of the key
        return self.cache.key("face", self._font_id, self.single, sorted(set(_map_text(m) + _ALWAYS)))

    def face(self, m: ChainMap) -> tuple[str, str] | None:
        """(font family, @font-face CSS) for one map; a family of its own, so maps can share a page."""
        if not self.chars:
            return None
        try:
            if self.cache is None:
                data = self._cut_for(m)
            else:
                data = self.cache.get_or(self._key(m), lambda: self._cut_for(m))
        except Exception as ex:
            log.warning("无法嵌入中文字体（%s）：%s", m.label, ex)
            return None
        if not data:
            return None
        fmt, mime = ("opentype", "font/otf") if data[:4] == b"OTTO" else ("truetype", "font/ttf")
        family = "chainkg-" + hashlib.sha1(m.label.encode("utf-8")).hexdigest()[:10]
        return family, (f"@font-face{{font-family:'{family}';src:url(data:{mime};base64,"
                        f"{base64.b64encode(data).decode()}) format('{fmt}')}}")


def to_png(m: ChainMap, scale: float = 2.0) -> bytes:
    """The same layout drawn with matplotlib (CJK font from kg.report.cjk_font)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon, Rectangle
    from matplotlib.path import Path as MPath

    from .report import cjk_font

    ops, h = layout(m)
    font = cjk_font()
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # no bold CJK face: regular is used
    pt = 72 / 100  # px -> pt at 100 px per inch
    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs when there is no CJK font
        fig = plt.figure(figsize=(W / 100, h / 100), dpi=100 * scale)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(h, 0)
        ax.axis("off")
        for op in ops:
            k = op[0]
            if k == "rect":
                _, x, y, w, hh, fill, stroke, rx = op
                kw = {"facecolor": fill, "edgecolor": stroke if stroke != "none" else "none", "linewidth": 0.8}
                ax.add_patch(FancyBboxPatch((x, y), w, hh, boxstyle=f"round,pad=0,rounding_size={rx}", **kw)
                             if rx else Rectangle((x, y), w, hh, **kw))
            elif k == "text":
                _, x, y, s, size, color, bold, anchor, _href = op
                ax.text(x, y, s, fontsize=size * pt, color=color, fontweight="bold" if bold else "normal",
                        ha={"start": "left", "middle": "center", "end": "right"}[anchor], va="baseline")
            elif k == "poly":
                ax.add_patch(Polygon(op[1], closed=True, facecolor=op[2], edgecolor="none"))
            elif k == "curve":
                p = op[1]
                codes = [MPath.MOVETO] + ([MPath.CURVE4] * 3 if len(p) == 4 else [MPath.LINETO])
                ax.add_patch(PathPatch(MPath(p, codes), facecolor="none", edgecolor=op[2], linewidth=1.3 * pt))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", facecolor="white")
        plt.close(fig)
    return buf.getvalue()


def file_stem(label: str) -> str:
    """A chain label as a file name (Chinese kept; path separators and reserved characters replaced)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", label).strip("._") or "chain"


FILE_LINK_BASE = "../../graph.html"  # from OUT/figures/chains/ to OUT/graph.html


def _png_key(m: ChainMap, cache) -> str:
    from .report import figure_key_parts

    return cache.key("png", figure_key_parts(), layout(m))


_JOBS: list = []  # (map, its font cut's cache key, its PNG's) and the maps' fonts, for the forked workers of prerender
_FONTS: FontSubsets | None = None


def _render_job(i: int) -> tuple[bytes | None, bytes | None]:
    m, face_key, png_key = _JOBS[i]
    try:
        return (_FONTS._cut_for(m) if face_key else None), (to_png(m) if png_key else None)
    except Exception:  # face() and write_map() try again in the parent and say what failed
        return None, None


def prerender(maps: list[ChainMap], fonts: FontSubsets, cache, workers: int) -> None:
    """The font cuts and PNGs the cache (kg.incremental.BlobCache) lacks, made in `workers` forked
    processes and put into the cache: face() and write_map() then read them (~0.5 s of one core
    a map). The base font cut is made here first, once. Nothing happens with one worker or one miss."""
    global _FONTS
    if cache is None or workers <= 1:
        return
    jobs = []  # the keys of what the cache lacks (a layout and a character set are made once a map)
    for m in maps:
        face_key, png_key = fonts._key(m) if fonts.chars else None, _png_key(m, cache)
        face_key, png_key = (k if k and not cache.has(k) else None for k in (face_key, png_key))
        if face_key or png_key:
            jobs.append((m, face_key, png_key))
    if len(jobs) < 2:
        return
    if any(j[1] for j in jobs) and not fonts.single:
        fonts._base()
    import multiprocessing as mp

    from .util import die_with_parent

    _JOBS[:], _FONTS = jobs, fonts
    pool = mp.get_context("fork").Pool(min(workers, len(jobs)), die_with_parent)
    try:
        made = pool.map(_render_job, range(len(jobs)))
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()  # idle workers end by themselves: terminate() can hang on a killed worker's queue lock
    finally:
        pool.join()
        _JOBS[:], _FONTS = [], None
    for (_m, face_key, png_key), (face, png) in zip(jobs, made):  # written after: a full disk fails in the parent alone
        if face is not None:
            cache.put(face_key, face)
        if png is not None:
            cache.put(png_key, png)


def write_map(m: ChainMap, folder: Path, face: tuple[str, str] | None = None, cache=None) -> tuple[Path, Path]:
    """folder/<chain>.svg (with face embedded) and .png, atomically; returns both paths. With a cache
    (kg.incremental.BlobCache) the PNG is reused when the layout and the font are unchanged."""
    from .util import write_bytes_atomic, write_text_atomic

    svg, png = (Path(folder) / (file_stem(m.label) + ext) for ext in (".svg", ".png"))
    write_text_atomic(svg, to_svg(m, FILE_LINK_BASE, face))
    data = to_png(m) if cache is None else cache.get_or(_png_key(m, cache), lambda: to_png(m))
    write_bytes_atomic(png, data)
    return svg, png
