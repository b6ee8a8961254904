"""rdflib Graph -> one self-contained, offline graph.html (pyvis builds the nodes/edges).

pyvis' own templates pull Bootstrap (and, in "local"/"remote" modes, vis-network) from CDNs, so
we only use pyvis to assemble nodes/edges/options and render our own page, with the
vis-network JS/CSS that ships inside the pyvis package inlined into it. Nothing is loaded from the
network: no script, stylesheet, font or image URL (fonts are the system's CJK fonts).

Hover tooltips are DOM elements built in JS from plain data (vis-network would otherwise show a
string title as raw HTML source). Provenance nodes (Document, Sentence, Mention, Assertion) and
analysis records (ChainLeaderAssessment, Gap) are not drawn; their content goes into tooltips.
Layout: vis-network's forceAtlas2Based physics (Barnes-Hut, O(n log n) per step) runs while the
page stabilises and is then switched off, so the graph stays still. Big graphs (> LAYOUT_THRESHOLD
nodes) get fewer stabilisation iterations, straight edges, no "improvedLayout" (Kamada-Kawai
seeding, quadratic) and edges hidden while dragging. A precomputed networkx layout was tried
and dropped: spring_layout on ~1800 nodes took over a minute here, the browser needs seconds.
"""
from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.util import KG as KG_NS, atomic_path

KG = rdflib.Namespace(KG_NS)
LAYOUT_THRESHOLD = 400
MAX_NODES = 1500  # whole-corpus page: beyond this the browser shows a hairball; see _cap

# type -> (Chinese name, colour, vis shape); order = legend order and type precedence
TYPES: dict[str, tuple[str, str, str]] = {
    "IndustryCluster": ("产业集群", "#e6550d", "hexagon"),
    "IndustryChain": ("产业链", "#d62728", "star"),
    "ChainSegment": ("产业链环节", "#ff9896", "triangle"),
    "Enterprise": ("企业", "#1f77b4", "dot"),
    "Organization": ("机构", "#6baed6", "dot"),
    "Project": ("项目", "#2ca02c", "square"),
    "Park": ("园区", "#9467bd", "diamond"),
    "Region": ("区域", "#3b3b3b", "ellipse"),
    "Province": ("省", "#525252", "ellipse"),
    "City": ("市", "#737373", "ellipse"),
    "County": ("县区", "#969696", "ellipse"),
    "Place": ("地点", "#bdbdbd", "ellipse"),
    "Product": ("产品", "#17becf", "triangleDown"),
}
HIDDEN_TYPES = {"Document", "Sentence", "Mention", "Assertion", "ChainLeaderAssessment", "Gap", "Lead"}
PLACE_TYPES = {"Region", "Province", "City", "County", "Place", "Park"}

RELATIONS: dict[URIRef, str] = {
    KG.locatedIn: "所在地",
    KG.belongsToCluster: "属于集群",
    KG.belongsToChain: "属于产业链",
    KG.chainLeaderOf: "链主",
    KG.suppliesTo: "供应",
    KG.implements: "实施",
    KG.produces: "生产",
    KG.signedWith: "签约",
    KG.inSegment: "环节",
    KG.segmentOf: "属于产业链",
    KG.forCluster: "对应集群",
    KG.chain: "产业链",
}
LITERALS: dict[URIRef, str] = {
    KG.investmentText: "投资",
    KG.investmentAmount: "投资额",
    KG.capacityText: "产能",
    KG.tier: "级别",
    KG.position: "位置",
    KG.keyword: "关键词",
}
MAX_EVIDENCE = 6
MAX_RELS = 12

_LIB = None


def _vis_assets() -> tuple[str, str]:
    """vis-network JS and CSS shipped inside the pyvis package (inlined into the page)."""
    global _LIB
    if _LIB is None:
        import pyvis
        base = Path(pyvis.__file__).resolve().parent
        for cand in sorted(base.glob("templates/lib/vis-*"), reverse=True) + sorted(base.glob("lib/vis-*"), reverse=True):
            js, css = cand / "vis-network.min.js", cand / "vis-network.css"
            if js.is_file() and css.is_file():
                break
        else:
            raise FileNotFoundError("pyvis 包里找不到 vis-network.min.js（请重新安装 pyvis）")
        js_text = re.sub(r"//# sourceMappingURL=\S+", "", js.read_text(encoding="utf-8"))
        css_text = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", css.read_text(encoding="utf-8"))
        _LIB = (js_text, css_text)
    return _LIB


def _local(iri) -> str:
    s = str(iri)
    return re.split(r"[#/]", s)[-1]


def _label(g: rdflib.Graph, n) -> str:
    best = None
    for p in (RDFS.label, SKOS.prefLabel):
        for o in g.objects(n, p):
            if isinstance(o, Literal):
                if o.language == "zh":
                    return str(o)
                best = best or str(o)
    return best or _local(n)


def _yuan(v) -> str:
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        return str(v)
    if d >= 100_000_000:
        return f"{(d / 100_000_000).normalize():f}亿元"
    if d >= 10_000:
        return f"{(d / 10_000).normalize():f}万元"
    return f"{d:f}元"


def _node_type(types: set[str]) -> str | None:
    if types & HIDDEN_TYPES:
        return None
    for t in TYPES:
        if t in types:
            return t
    return None


def _collect(g: rdflib.Graph):
    """Drawn entities {iri: type} and their relation edges."""
    types: dict = defaultdict(set)
    for s, o in g.subject_objects(RDF.type):
        if isinstance(o, URIRef) and str(o).startswith(KG_NS):
            types[s].add(str(o)[len(KG_NS):])
    nodes = {}
    for s, ts in types.items():
        t = _node_type(ts)
        if t:
            nodes[s] = t
    edges = []
    seen = set()
    for p, rel in RELATIONS.items():
        for s, o in g.subject_objects(p):
            if s in nodes and o in nodes and s != o and (s, p, o) not in seen:
                seen.add((s, p, o))
                edges.append((s, p, o))
    unused = _unused_templates(nodes, edges)
    return {n: t for n, t in nodes.items() if n not in unused}, [e for e in edges if e[0] not in unused and e[2] not in unused]


def _unused_templates(nodes: dict, edges: list) -> set:
    """Template chains nothing in the texts or the region's schemes links to, with their segments: the
    built-in templates of other industries, which a map of this corpus need not show."""
    chain_of = {s: o for s, p, o in edges if p == KG.segmentOf}
    used = set()
    for s, p, o in edges:
        if p == KG.segmentOf:
            continue
        a, b = chain_of.get(s, s), chain_of.get(o, o)
        if a != b:
            used.update((a, b))
    chains = {n for n, t in nodes.items() if t == "IndustryChain"} - used
    return chains | {s for s, ch in chain_of.items() if ch in chains}


def _find(g, nodes: dict, kind: str, name: str):
    want = {"cluster": {"IndustryCluster"}, "chain": {"IndustryChain"}, "enterprise": {"Enterprise", "Organization"},
            "place": PLACE_TYPES, "project": {"Project"}, "product": {"Product"}, "segment": {"ChainSegment"}}.get(kind)
    if want is None:
        raise ValueError(f"不支持的聚焦类型：{kind}（可用 cluster、chain、place、enterprise）")
    hits = []
    for n, t in nodes.items():
        if t not in want:
            continue
        names = {str(o) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in g.objects(n, p)}
        if name in names:
            return n
        if any(name in x for x in names):
            hits.append(n)
    if len(hits) == 1:
        return hits[0]
    if not hits:
        zh = {"cluster": "产业集群", "chain": "产业链", "enterprise": "企业", "place": "地点", "project": "项目",
              "product": "产品", "segment": "产业链环节"}[kind]
        raise ValueError(f"图谱中找不到{zh}「{name}」")
    raise ValueError(f"「{name}」匹配到多个：" + "、".join(sorted(_label(g, h) for h in hits)[:10]))


def _evidence(g: rdflib.Graph, n) -> list[str]:
    """Sentences behind statements about n, then sentences of its mentions."""
    sents: list = []
    for st in list(g.subjects(RDF.subject, n)) + list(g.subjects(RDF.object, n)):
        sents.extend(g.objects(st, PROV.wasDerivedFrom))
    for m in g.objects(n, KG.mention):
        sents.extend(g.objects(m, KG.inSentence))
    out, seen = [], set()
    for s in sents:
        if s in seen:
            continue
        seen.add(s)
        text = g.value(s, KG.text)
        if text is None:
            continue
        doc = g.value(s, DCTERMS.isPartOf)
        title = g.value(doc, DCTERMS.title) if doc is not None else None
        out.append(f"{text}" + (f"（{title}）" if title else ""))
        if len(out) >= MAX_EVIDENCE:
            break
    return out


def _info(g: rdflib.Graph, n, t: str, nodes: dict, edges_by: dict) -> dict:
    facts: list[list[str]] = []
    alts = sorted({str(o) for o in g.objects(n, SKOS.altLabel)})
    if alts:
        facts.append(["别名", "、".join(alts[:8])])
    for p, name in LITERALS.items():
        vals = sorted({str(o) for o in g.objects(n, p)})
        if not vals:
            continue
        if p == KG.investmentAmount:
            if g.value(n, KG.investmentText) is not None:
                continue
            vals = [_yuan(v) for v in vals]
        facts.append([name, "、".join(vals[:8])])
    for a in g.subjects(KG.enterprise, n):
        if (a, RDF.type, KG.ChainLeaderAssessment) in g:
            ch = g.value(a, KG.chain)
            sc, rk = g.value(a, KG.score), g.value(a, KG.rank)
            facts.append(["链主评估", f"{_label(g, ch) if ch is not None else ''} 第{rk}名 得分{float(sc):.2f}"
                          if rk is not None and sc is not None else f"得分{sc}"])
    for gap in g.subjects(KG.segment, n):
        st, kind = g.value(gap, KG.status), g.value(gap, KG.gapKind)
        if st is not None:
            facts.append(["链条状态", f"{st}" + (f"（{kind}）" if kind else "")])
    rels = []
    for (p, o, out) in edges_by.get(n, [])[:MAX_RELS]:
        rels.append(f"{RELATIONS[p]} → {_label(g, o)}" if out else f"{_label(g, o)} → {RELATIONS[p]}")
    more = len(edges_by.get(n, [])) - MAX_RELS
    if more > 0:
        rels.append(f"……另有 {more} 条")
    return {"type": TYPES[t][0], "facts": facts, "rels": rels, "evidence": _evidence(g, n)}


def _importance(g, n, t, degree: int) -> tuple[float, str]:
    scores = [float(s) for a in g.subjects(KG.enterprise, n) for s in g.objects(a, KG.score)
              if (a, RDF.type, KG.ChainLeaderAssessment) in g]
    if scores:
        s = max(scores)
        return 14 + 36 * max(0.0, min(1.0, s)), f"链主得分 {s:.2f}"
    if t == "Project":
        amt = g.value(n, KG.investmentAmount)
        try:
            a = float(amt) if amt is not None else 0.0
        except ValueError:
            a = 0.0
        if a > 0:  # 1亿 -> ~16, 10亿 -> ~24, 100亿 -> ~32
            return max(10.0, 8 + 8 * math.log10(max(a / 1e8, 0.1) * 10)), f"投资额 {_yuan(amt)}"
    return min(10 + 4 * math.sqrt(degree), 45), f"连接数 {degree}"


def _subgraph(nodes: dict, edges: list, centre, depth: int) -> set:
    adj = defaultdict(set)
    for s, _, o in edges:
        adj[s].add(o)
        adj[o].add(s)
    keep, frontier = {centre}, {centre}
    for _ in range(max(0, depth)):
        frontier = {m for x in frontier for m in adj[x]} - keep
        keep |= frontier
    return keep


def _overview_note(overview: set, n_nodes: int, default: str) -> str:
    return f"产业链概览：{len(overview)} / {n_nodes} 个节点（产业链、环节及其企业）" if overview else default


def _mark_overview(net_nodes: list, order: list, overview: set) -> None:
    for nd in net_nodes:
        if order[nd["id"]] in overview:
            nd["ov"] = True


OVERVIEW_TYPES = {"IndustryCluster", "IndustryChain", "ChainSegment"}
OVERVIEW_RELATIONS = {KG.inSegment, KG.chainLeaderOf, KG.segmentOf, KG.forCluster}


def _overview(nodes: dict, edges: list, focus) -> set:
    """A big graph opens on its chains: clusters, chains, segments and the firms placed on them."""
    if focus or len(nodes) <= LAYOUT_THRESHOLD:
        return set()
    keep = {n for n, t in nodes.items() if t in OVERVIEW_TYPES}
    keep |= {x for s, p, o in edges if p in OVERVIEW_RELATIONS for x in (s, o)}
    return keep if any(nodes[n] not in OVERVIEW_TYPES for n in keep) else set()


def _cap(nodes: dict, edges: list, overview: set, limit: int = MAX_NODES) -> tuple[dict, list, str]:
    """A whole-corpus page keeps at most `limit` nodes: the chain overview first, then the entities
    with the most relations (isolated ones last); the note says how to see the rest."""
    if len(nodes) <= limit:
        return nodes, edges, ""
    degree = defaultdict(int)
    for s, _, o in edges:
        degree[s] += 1
        degree[o] += 1
    ranked = sorted(nodes, key=lambda n: (n not in overview, -degree[n], str(n)))
    keep = set(ranked[:limit])
    note = (f"图谱较大：只显示 {len(keep)} / {len(nodes)} 个节点（产业链概览与关系最多的实体）；"
            "查看某条产业链或某地的全部实体请用 kg view --chain 名称 或 kg view --place 名称")
    return ({n: t for n, t in nodes.items() if n in keep},
            [e for e in edges if e[0] in keep and e[2] in keep], note)


def _apply_focus(g: rdflib.Graph, nodes: dict, edges: list, focus: dict) -> tuple[dict, list, str]:
    """Keep the focused entity and its neighbourhood (for a chain: also every segment's members)."""
    depth = int(focus.get("depth", 1))
    kinds = [k for k in focus if k != "depth"]
    if len(kinds) != 1:
        raise ValueError("focus 需要且只需要一个键：cluster、chain、place 或 enterprise（另可加 depth）")
    centre = _find(g, nodes, kinds[0], str(focus[kinds[0]]))
    keep = _subgraph(nodes, edges, centre, depth)
    subtitle = f"聚焦：{_label(g, centre)}（{depth} 跳）"
    if kinds[0] == "chain":
        members = _chain_members(g, nodes, centre)
        keep |= members
        n_firms = sum(nodes[m] in ("Enterprise", "Organization") for m in members)
        n_proj = sum(nodes[m] == "Project" for m in members)
        n_seg = sum(nodes[m] == "ChainSegment" for m in members)
        subtitle += f"；环节 {n_seg} 个，其中企业 {n_firms} 家、项目 {n_proj} 个"
    return ({n: t for n, t in nodes.items() if n in keep},
            [e for e in edges if e[0] in keep and e[2] in keep], subtitle)


def _chain_members(g: rdflib.Graph, nodes: dict, chain) -> set:
    """A chain's segments and every firm and project placed in them (kg:inSegment), at any depth."""
    segs = {s for s in g.subjects(KG.segmentOf, chain) if s in nodes}
    return segs | {x for seg in segs for x in g.subjects(KG.inSegment, seg) if x in nodes}


def _options(n_nodes: int) -> dict:
    big = n_nodes > LAYOUT_THRESHOLD
    # physics runs only during stabilisation, then the page switches it off; fewer iterations for
    # big graphs (vis' forceAtlas2Based uses a Barnes-Hut tree: O(n log n) per iteration)
    iterations = 600 if not big else (250 if n_nodes <= 2000 else 150)
    return {
        "nodes": {"font": {"face": "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, "
                                   "PingFang SC, sans-serif", "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "font": {"size": 10, "align": "middle", "face": "Noto Sans CJK SC, Microsoft YaHei, sans-serif",
                           "color": "#555555", "strokeWidth": 2},
                  "color": {"color": "#b0b0b0", "highlight": "#333333", "hover": "#333333"},
                  "smooth": False if big else {"enabled": True, "type": "continuous"},
                  "width": 1},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "hideEdgesOnDrag": big, "keyboard": {"enabled": True}},
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -120 if big else -60,
                                         "springLength": 180 if big else 110,
                                         "centralGravity": 0.01, "avoidOverlap": 0.8 if big else 0.4},
                    "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25,
                                      "fit": True}},
        "layout": {"improvedLayout": not big},
        # styles per type as vis groups (a node's group would otherwise override its own colour)
        "groups": {t: {"shape": shape, "color": {"background": color, "border": "#444444",
                                                  "highlight": {"background": color, "border": "#000000"},
                                                  "hover": {"background": color, "border": "#000000"}}}
                   for t, (_, color, shape) in TYPES.items()},
    }


def write_html(graph: rdflib.Graph, path: Path, focus: dict | None = None,
               title: str = "产业链知识图谱") -> dict:
    """Write an offline interactive graph page. focus: {"cluster"|"chain"|"place"|"enterprise": name,
    "depth": 1} keeps the named entity and its neighbourhood. Returns {"nodes", "edges", "path"}."""
    from pyvis.network import Network

    g = graph
    if isinstance(g, rdflib.Dataset) or isinstance(g, rdflib.ConjunctiveGraph):
        union = rdflib.Graph()
        for s_, p_, o_, _ in g.quads((None, None, None, None)):
            union.add((s_, p_, o_))
        g = union
    nodes, edges = _collect(g)
    subtitle = cap_note = ""
    if focus:
        nodes, edges, subtitle = _apply_focus(g, nodes, edges, focus)
    else:
        nodes, edges, cap_note = _cap(nodes, edges, _overview(nodes, edges, focus))

    degree = defaultdict(int)
    edges_by = defaultdict(list)
    for s, p, o in edges:
        degree[s] += 1
        degree[o] += 1
        edges_by[s].append((p, o, True))
        edges_by[o].append((p, s, False))

    order = sorted(nodes, key=lambda n: (list(TYPES).index(nodes[n]), _label(g, n)))

    overview = _overview(nodes, edges, focus)
    subtitle = _overview_note(overview, len(order), subtitle)
    if cap_note:
        subtitle = f"{subtitle}；{cap_note}" if subtitle else cap_note
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    ids = {n: i for i, n in enumerate(order)}
    for n in order:
        t = nodes[n]
        size, why = _importance(g, n, t, degree[n])
        if len(order) > LAYOUT_THRESHOLD:  # smaller glyphs so that thousands of nodes do not overlap
            size *= 0.6
        info = _info(g, n, t, nodes, edges_by)
        info["importance"] = why
        info["iri"] = str(n)
        net.add_node(ids[n], label=_label(g, n), shape=TYPES[t][2], size=round(size, 1),
                     color=TYPES[t][1], group=t, info=info)
    for s, p, o in edges:
        net.add_edge(ids[s], ids[o], label=RELATIONS[p], rel=_local(p))
    net_nodes, net_edges = net.nodes, net.edges
    _mark_overview(net_nodes, order, overview)

    counts = defaultdict(int)
    for n in order:
        counts[nodes[n]] += 1
    legend = [{"type": t, "name": name, "color": color, "shape": shape, "count": counts.get(t, 0)}
              for t, (name, color, shape) in TYPES.items() if counts.get(t, 0)]
    html = _page(title, subtitle, net_nodes, net_edges, _options(len(order)), legend)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
        tmp.chmod(0o644)
    return {"nodes": len(net_nodes), "edges": len(net_edges), "path": path}


def _js(obj) -> str:
    """JSON safe inside <script>: no `<` at all (so no `</script>` and no `<!--`), no `>`/`&`, and
    no U+2028/2029 line terminators."""
    return (json.dumps(obj, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_SLOTS = re.compile(r"/\*VIS_CSS\*/|/\*VIS_JS\*/|__TITLE__|__SUBTITLE__|/\*DATA\*/")


def _page(title, subtitle, nodes, edges, options, legend) -> str:
    js, css = _vis_assets()
    fill = {"/*VIS_CSS*/": css.replace("</", "<\\/"),
            "/*VIS_JS*/": js.replace("</script", "<\\/script"),
            "__TITLE__": _esc(title), "__SUBTITLE__": _esc(subtitle),
            "/*DATA*/": "const NODES = " + _js(nodes) + ";\nconst EDGES = " + _js(edges)
                        + ";\nconst OPTIONS = " + _js(options) + ";\nconst LEGEND = " + _js(legend) + ";"}
    # one pass: text put into one slot is never searched for the next slot
    return _SLOTS.sub(lambda m: fill[m.group(0)], _TEMPLATE)


_TEMPLATE = r"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>/*VIS_CSS*/</style>
<style>
  html, body { margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
               "Microsoft YaHei", "PingFang SC", sans-serif; color: #222; }
  #app { display: flex; height: 100%; }
  #side { width: 250px; padding: 10px 12px; border-right: 1px solid #ddd; overflow-y: auto; background: #fafafa;
          box-sizing: border-box; font-size: 13px; }
  #side h1 { font-size: 17px; margin: 0 0 4px; }
  #side .sub { color: #666; margin-bottom: 8px; }
  #search { width: 100%; box-sizing: border-box; padding: 5px 6px; font-size: 13px; border: 1px solid #bbb;
            border-radius: 4px; }
  #hits { color: #666; margin: 4px 0 8px; min-height: 1em; }
  #showall { margin: 0 0 8px; padding: 3px 8px; font-size: 13px; cursor: pointer; }
  .legend label { display: flex; align-items: center; gap: 6px; padding: 2px 0; cursor: pointer; }
  .sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #444; }
  .sw.ellipse, .sw.dot { border-radius: 50%; }
  .sw.diamond { transform: rotate(45deg) scale(0.8); }
  .sw.triangle { clip-path: polygon(50% 0, 100% 100%, 0 100%); border: none; }
  .sw.triangleDown { clip-path: polygon(0 0, 100% 0, 50% 100%); border: none; }
  .sw.star { clip-path: polygon(50% 0,61% 35%,98% 35%,68% 57%,79% 91%,50% 70%,21% 91%,32% 57%,2% 35%,39% 35%); border: none; }
  .sw.hexagon { clip-path: polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%); border: none; }
  .cnt { color: #888; margin-left: auto; }
  #stats { margin-top: 10px; color: #666; }
  #net { flex: 1; position: relative; }
  #mynetwork { position: absolute; inset: 0; }
  #loading { position: absolute; top: 10px; left: 50%; transform: translateX(-50%); background: #fff; padding: 4px 10px;
             border: 1px solid #ccc; border-radius: 4px; font-size: 13px; z-index: 5; }
  div.vis-tooltip { font-family: inherit; white-space: normal; max-width: 420px; font-size: 12px; line-height: 1.5;
                    padding: 8px 10px; background: #fffef6; border: 1px solid #bbb; box-shadow: 0 2px 6px rgba(0,0,0,.15); }
  .tip h3 { margin: 0 0 2px; font-size: 14px; }
  .tip .ty { color: #666; margin-bottom: 4px; }
  .tip table { border-collapse: collapse; }
  .tip td { padding: 0 6px 0 0; vertical-align: top; }
  .tip td.k { color: #666; white-space: nowrap; }
  .tip .sec { margin-top: 5px; font-weight: bold; color: #444; }
  .tip ul { margin: 2px 0 0 16px; padding: 0; }
  .tip li { margin: 1px 0; }
</style>
</head>
<body>
<div id="app">
  <div id="side">
    <h1>__TITLE__</h1>
    <div class="sub">__SUBTITLE__</div>
    <input id="search" type="search" placeholder="搜索名称（回车定位）" autocomplete="off">
    <div id="hits"></div>
    <button id="showall" hidden>显示全部节点</button>
    <div class="legend" id="legend"></div>
    <div id="stats"></div>
  </div>
  <div id="net"><div id="loading">正在布局……</div><div id="mynetwork"></div></div>
</div>
<script>/*VIS_JS*/</script>
<script>
"use strict";
/*DATA*/
(function () {
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function tooltip(n) {
    const info = n.info || {};
    const d = el("div", "tip");
    d.appendChild(el("h3", null, n.label));
    d.appendChild(el("div", "ty", (info.type || "") + (info.importance ? " · " + info.importance : "")));
    if (info.facts && info.facts.length) {
      const t = el("table");
      info.facts.forEach(function (f) {
        const tr = el("tr"); tr.appendChild(el("td", "k", f[0])); tr.appendChild(el("td", null, f[1])); t.appendChild(tr);
      });
      d.appendChild(t);
    }
    [["关系", info.rels], ["原文依据", info.evidence]].forEach(function (sec) {
      if (!sec[1] || !sec[1].length) return;
      d.appendChild(el("div", "sec", sec[0]));
      const ul = el("ul");
      sec[1].forEach(function (x) { ul.appendChild(el("li", null, x)); });
      d.appendChild(ul);
    });
    return d;
  }
  NODES.forEach(function (n) { n.title = tooltip(n); });
  const nodes = new vis.DataSet(NODES);
  const edges = new vis.DataSet(EDGES);
  const shown = {};
  LEGEND.forEach(function (l) { shown[l.type] = true; });
  let query = "";
  let overview = NODES.some(function (n) { return n.ov; });  // big graphs open on the chain overview
  const nodeView = new vis.DataView(nodes, { filter: function (n) { return shown[n.group] !== false && (!overview || n.ov); } });
  const container = document.getElementById("mynetwork");
  const network = new vis.Network(container, { nodes: nodeView, edges: edges }, OPTIONS);
  window.chainkg = { network: network, nodes: nodes, edges: edges, view: nodeView, ready: false, overview: overview };
  const showAll = document.getElementById("showall");
  showAll.hidden = !overview;
  function showEverything(then) {
    overview = window.chainkg.overview = false;
    showAll.hidden = true;
    document.querySelector("#side .sub").textContent = "";
    nodeView.refresh();
    stats();
    window.chainkg.ready = false;
    network.setOptions({ physics: { enabled: true } });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      window.chainkg.ready = true;
      network.fit();
      if (then) then();
    });
    network.stabilize(OPTIONS.physics.stabilization.iterations);
  }
  showAll.addEventListener("click", function () { showEverything(); });

  function done() {
    network.setOptions({ physics: { enabled: false } });
    document.getElementById("loading").style.display = "none";
    window.chainkg.ready = true;
    network.fit();
    focusHash();
  }
  // graph.html#<IRI or name> (links from the chain maps in report.html) selects and centres that node
  function focusHash() {
    const want = decodeURIComponent(location.hash.slice(1));
    if (!want) return;
    const ids = nodes.getIds({ filter: function (n) { return (n.info && n.info.iri) === want || n.label === want; } });
    if (!ids.length) return;
    if (overview && !nodes.get(ids[0]).ov) { showEverything(focusHash); return; }
    document.getElementById("search").value = nodes.get(ids[0]).label;
    network.selectNodes(ids);
    network.focus(ids[0], { scale: 1.3, animation: false });
    window.chainkg.focused = ids[0];
  }
  window.addEventListener("hashchange", focusHash);
  if (OPTIONS.physics.enabled && NODES.length > 1) {
    network.once("stabilizationIterationsDone", done);
    network.on("stabilizationProgress", function (p) {
      document.getElementById("loading").textContent = "正在布局…… " + Math.round(100 * p.iterations / p.total) + "%";
    });
  } else {
    network.once("afterDrawing", done);
  }

  const legend = document.getElementById("legend");
  LEGEND.forEach(function (l) {
    const lab = el("label");
    const cb = el("input"); cb.type = "checkbox"; cb.checked = true; cb.dataset.type = l.type;
    cb.addEventListener("change", function () { shown[l.type] = cb.checked; nodeView.refresh(); stats(); });
    const sw = el("span", "sw " + l.shape); sw.style.background = l.color;
    lab.appendChild(cb); lab.appendChild(sw); lab.appendChild(el("span", null, l.name)); lab.appendChild(el("span", "cnt", String(l.count)));
    legend.appendChild(lab);
  });
  function stats() {
    document.getElementById("stats").textContent = "显示 " + nodeView.length + " / " + nodes.length + " 个节点，" + edges.length + " 条关系";
  }
  stats();

  const search = document.getElementById("search");
  const hits = document.getElementById("hits");
  let matches = [], cursor = 0;
  search.addEventListener("input", function () {
    query = search.value.trim();
    if (!query) { matches = []; hits.textContent = ""; network.unselectAll(); return; }
    matches = nodeView.getIds({ filter: function (n) { return n.label.indexOf(query) >= 0 || (n.info && n.info.facts || []).some(function (f) { return f[0] === "别名" && f[1].indexOf(query) >= 0; }); } });
    cursor = 0;
    hits.textContent = matches.length ? ("找到 " + matches.length + " 个（回车逐个定位）") : "没有匹配";
    network.selectNodes(matches.slice(0, 500));
  });
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !matches.length) return;
    const id = matches[cursor % matches.length]; cursor++;
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: { duration: 400 } });
  });
})();
</script>
</body>
</html>
"""
