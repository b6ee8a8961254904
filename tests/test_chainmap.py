"""Chain maps (kg.chainmap): SVG content, layout, report/CLI integration, another region, and the
map as a person sees it in report.html (headless Chromium, marker browser)."""
from __future__ import annotations

import csv
import io
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg import chainmap
from kg.analysis import AnalysisResult, ChainInfo, ClusterInfo, Gap, Lead, Leader, Player, SegmentInfo
from kg.cli import main
from kg.util import entity_iri

SVG_NS = "{http://www.w3.org/2000/svg}"
LED = "光电LED产业链"
HUAYE = "山西高科华烨电子集团有限公司"
CHAIN = entity_iri("IndustryChain", "测试产业链")
PALETTE = {"已覆盖": "#2e7d32", "薄弱": "#f9a825", "缺失": "#c62828", "未知": "#607d8b"}  # as in the report's bar charts


# ---------------------------------------------------------------- synthetic results
def _result(n_segments=5, firms=None, statuses=None, leader_role=None) -> AnalysisResult:
    """A chain of n segments (positions spread over 上/中/下游) with optional firms per segment index."""
    firms = firms or {}
    statuses = statuses or {}
    segs, gaps = [], []
    for i in range(n_segments):
        pos = ("上游", "中游", "下游")[min(2, i * 3 // n_segments)]
        iri = entity_iri("ChainSegment", f"测试产业链/环节{i + 1}")
        segs.append(SegmentInfo(iri, CHAIN, f"环节{i + 1}", pos, i + 1, [f"环节{i + 1}"]))
    for i, s in enumerate(segs):
        s.next = [segs[i + 1].iri] if i + 1 < len(segs) else []
        players = [Player(entity_iri("Enterprise", f), f, "Enterprise", True) for f in firms.get(i, [])]
        status = statuses.get(i, "已覆盖" if len(players) >= 2 else "薄弱" if players else "缺失")
        leads = [Lead("深圳目标科技有限公司", entity_iri("Enterprise", "深圳目标科技有限公司"), "Enterprise", "产业链",
                      CHAIN, [s.iri], "", None)] if status == "缺失" else []
        gaps.append(Gap(CHAIN, "测试产业链", ["测试产业集群"], s.iri, s.label, s.position, s.order, status,
                        "强链" if status == "已覆盖" else "补链", players, [], leads))
    cl = entity_iri("IndustryCluster", "测试产业集群")
    chains = {CHAIN: ChainInfo(CHAIN, "测试产业链", ["测试链"], [cl], segs)}
    leaders = []
    if firms.get(0):
        ld = Leader(CHAIN, "测试产业链", ["测试产业集群"], entity_iri("Enterprise", firms[0][0]), firms[0][0], 0.9, 1, 0.5,
                    {}, [], 1, True)
        if leader_role:
            ld.role = leader_role  # a field another analysis version may add
        leaders.append(ld)
    return AnalysisResult([], [], leaders, gaps, [], [], chains, {cl: ClusterInfo(cl, "测试产业集群", "百亿级", [CHAIN])},
                          "2026-01-01T00:00:00Z")


def _segments(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-segment"): g for g in root.iter(SVG_NS + "g") if g.get("class") == "segment"}


def _texts(el: ET.Element) -> list[str]:
    return [t.text or "" for t in el.iter(SVG_NS + "text")]


def _box(g: ET.Element) -> tuple[float, float, float, float]:
    r = g.find(SVG_NS + "rect")
    return float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height"))


def test_svg_segments_statuses_roles_and_truncation():
    many = [f"测试企业{i}有限公司" for i in range(10)]
    res = _result(6, firms={0: ["龙头集团有限公司", "配套一号有限公司"], 2: many, 3: ["孤单科技有限公司"]},
                  statuses={5: "未知", 4: "待核实"})
    svg = chainmap.to_svg(chainmap.build_map(res, CHAIN), "graph.html")
    segs = _segments(svg)
    assert list(segs) == [f"环节{i}" for i in range(1, 7)]
    for name, g in segs.items():
        status = g.get("data-status")
        head = g.findall(SVG_NS + "rect")[1]
        assert head.get("fill") == chainmap.style(status)[0]
    assert segs["环节1"].get("data-status") == "已覆盖" and segs["环节4"].get("data-status") == "薄弱"
    assert segs["环节2"].get("data-status") == "缺失"
    assert chainmap.style("待核实") == chainmap.FALLBACK_STYLE  # unknown status strings: neutral colour
    assert chainmap.style("未知") != chainmap.FALLBACK_STYLE
    # 链主 badge right before the leader's name, and only there
    t1 = _texts(segs["环节1"])
    assert t1[t1.index("龙头集团有限公司") - 1] == "链主"
    assert sum(t == "链主" for g in segs.values() for t in _texts(g)) == 1
    # ten firms: MAX_FIRMS lines and "+N"
    t3 = _texts(segs["环节3"])
    assert sum(t.startswith("测试企业") for t in t3) == chainmap.MAX_FIRMS
    assert f"+{10 - chainmap.MAX_FIRMS} 家企业/项目" in t3
    # a gap lists its target firm; firms and segments link into graph.html
    assert "→ 深圳目标科技有限公司" in _texts(segs["环节2"])
    hrefs = [a.get("href") for a in ET.fromstring(svg).iter(SVG_NS + "a")]
    assert any(h.startswith("graph.html#") and "%E9%BE%99%E5%A4%B4" in h for h in hrefs)
    # legend names every status, self-contained
    legend = _texts(ET.fromstring(svg))[:12]
    assert all(s in legend for s in ("已覆盖", "薄弱", "缺失", "未知", "链主", "链核"))
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_chain_core_role_marked():
    res = _result(3, firms={0: ["核心材料有限公司"]}, leader_role="链核")
    seg = _segments(chainmap.to_svg(chainmap.build_map(res, CHAIN)))["环节1"]
    t = _texts(seg)
    assert t[t.index("核心材料有限公司") - 1] == "链核" and "链主" not in t


@pytest.mark.parametrize("n", [3, 9, 15])
def test_layout_readable_for_3_to_15_segments(n):
    firms = {i: [f"企业{i}-{j}号新材料科技股份有限公司" for j in range(i % 5)] for i in range(n)}
    m = chainmap.build_map(_result(n, firms=firms), CHAIN)
    svg = chainmap.to_svg(m)
    root = ET.fromstring(svg)
    w, h = (float(x) for x in root.get("viewBox").split()[2:])
    boxes = [_box(g) for g in _segments(svg).values()]
    assert len(boxes) == n
    for i, (x, y, bw, bh) in enumerate(boxes):
        assert 0 <= x and x + bw <= w and y + bh <= h
        assert bw >= 200  # three columns at most: names stay legible at A4 width
        for x2, y2, bw2, bh2 in boxes[i + 1:]:
            assert x + bw <= x2 or x2 + bw2 <= x or y + bh <= y2 or y2 + bh2 <= y, "boxes overlap"
    # every text line fits inside its box (estimated width)
    for g in _segments(svg).values():
        x, _, bw, _ = _box(g)
        for t in g.iter(SVG_NS + "text"):
            if t.get("text-anchor") in (None, "start"):
                assert float(t.get("x")) + chainmap.text_width(t.text, float(t.get("font-size"))) <= x + bw + 1


def test_fit_truncates_to_width():
    s = chainmap.fit("山西高科华烨电子集团有限公司光电显示分公司", 12, 120)
    assert s.endswith("…") and chainmap.text_width(s, 12) <= 120
    assert chainmap.fit("短名", 12, 120) == "短名"


# ---------------------------------------------------------------- seeds build
def _gaps_csv(out: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out / "gaps.csv").read_text(encoding="utf-8-sig"))))


def test_seeds_map_per_chain_matches_gaps_csv(seeds_out):
    rows = _gaps_csv(seeds_out)
    chains = {r["chain"] for r in rows}
    folder = seeds_out / "figures" / "chains"
    for ch in chains:
        svg = (folder / f"{ch}.svg").read_text(encoding="utf-8")
        assert (folder / f"{ch}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        segs = _segments(svg)
        want = {r["segment"]: r["status"] for r in rows if r["chain"] == ch}
        assert {k: g.get("data-status") for k, g in segs.items()} == want, ch
        for g in segs.values():
            assert g.findall(SVG_NS + "rect")[1].get("fill") == PALETTE[g.get("data-status")]


def test_palette_matches_report():
    from kg.report import STATUS_COLORS

    for status, colour in STATUS_COLORS.items():
        assert chainmap.style(status)[0] == colour == PALETTE.get(status, colour)


def test_seeds_led_map(seeds_out):
    svg = (seeds_out / "figures" / "chains" / f"{LED}.svg").read_text(encoding="utf-8")
    # the bundled CJK font travels inside the file, cut to the map's characters
    face = re.search(r"@font-face\{font-family:'([^']+)';src:url\(data:font/(?:otf|ttf);base64,([A-Za-z0-9+/=]+)\)", svg)
    assert face and 5_000 < len(face.group(2)) < 400_000
    assert ET.fromstring(svg).get("font-family").startswith(f"'{face.group(1)}'")
    segs = _segments(svg)
    order = list(segs)
    # upstream to downstream: 衬底 → 外延 → 芯片 → 封装 → 应用
    idx = [next(i for i, s in enumerate(order) if k in s) for k in ("衬底", "外延", "芯片", "LED封装", "显示屏")]
    assert idx == sorted(idx)
    assert [segs[s].get("data-position") for s in ("衬底", "LED封装", "显示屏")] == ["上游", "中游", "下游"]
    marked = [s for s, g in segs.items() if HUAYE in _texts(g)]
    assert marked
    for s in marked:
        t = _texts(segs[s])
        assert t[t.index(HUAYE) - 1] == "链主"
    title = _texts(ET.fromstring(svg))[:2]
    assert LED in title[0] and "长治市" in title[1] and "篇" in title[1]
    # file maps link to the graph page two folders up
    assert 'href="../../graph.html#' in svg


def test_seeds_report_sections_open_with_map(seeds_out):
    html = (seeds_out / "report.html").read_text(encoding="utf-8")
    h3 = html.index(f"<h3>{LED}</h3>")
    assert html.index(f'data-chain="{LED}"', h3) - h3 < 200  # the map is the first thing in the section
    assert html.count("<svg") >= len({r["chain"] for r in _gaps_csv(seeds_out)})
    md = (seeds_out / "report.md").read_text(encoding="utf-8")
    sec = md[md.index(f"### {LED}"):]
    assert sec.split("\n")[2] == f"![产业链图谱](figures/chains/{LED}.png)"


def test_render_under_a_second_per_chain(seeds_out):
    from kg import analysis, rdf

    g = rdf.union_graph(rdf.load_graph(seeds_out))
    res = analysis.analyze(g)
    ctx = chainmap.graph_context(g, res)
    maps = chainmap.all_maps(res, ctx)
    chainmap.to_png(maps[0])  # matplotlib font loading, once per process
    fonts = chainmap.FontSubsets(maps)  # the CJK font parsed once per build
    chainmap.to_svg(maps[0], None, fonts.face(maps[0]))  # the SVG writer's first-use setup, once per process
    times = []  # CPU seconds: other jobs on a shared machine stretch the wall clock, not the work
    for ch in res.chains:
        t0 = time.process_time()
        m = chainmap.build_map(res, ch, ctx)
        svg = chainmap.to_svg(m, None, fonts.face(m))
        chainmap.to_png(m)
        times.append(time.process_time() - t0)
        assert "@font-face" in svg
    assert max(times) < 1.0, times


def test_kg_map_cli(seeds_out, tmp_path, capsys):
    assert main(["map", "--chain", "光电LED", "--graph", str(seeds_out), "-o", str(tmp_path)]) == 0
    assert (tmp_path / f"{LED}.svg").is_file() and (tmp_path / f"{LED}.png").is_file()
    assert main(["map", "--chain", "不存在的产业链", "--graph", str(seeds_out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "不存在的产业链" in err and LED in err
    assert main(["map", "--chain", LED, "--graph", str(tmp_path / "nothing")]) == 2
    assert "graph.trig" in capsys.readouterr().err


# ---------------------------------------------------------------- another region
OTHER_REGION = {
    "a.txt": "宜宾市新能源汽车产业链加速成势\n\n今年以来，宜宾市坚持链式招商，新能源汽车产业链实现新突破。"
             "四川凯瑞新能源汽车有限公司作为新能源汽车产业链“链主”企业，带动一批配套企业落户宜宾三江新区。\n\n"
             "四川凯瑞新能源汽车有限公司整车生产基地已建成投产，年产整车10万辆。"
             "宜宾锐驰动力电池有限公司投资30亿元建设动力电池项目，目前项目正在加紧施工。\n",
    "b.txt": "宜宾市茶产业链招商引资成效明显\n\n宜宾市持续做强茶产业链，四川川红茶业集团有限公司在叙州区建成"
             "年产5000吨名优茶加工项目。\n\n下一步，宜宾市将赴长三角、粤港澳大湾区开展精准招商，"
             "紧盯电机电控、汽车零部件等缺失环节招引配套企业。\n",
}


@pytest.fixture(scope="module")
def other_out(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("other_src")
    for name, text in OTHER_REGION.items():
        (src / name).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp("other_out")
    assert main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)
    return out


def test_other_region_maps(other_out):
    folder = other_out / "figures" / "chains"
    svg = (folder / "新能源汽车产业链.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    sub = _texts(root)[1]
    assert "宜宾市" in sub and "长治" not in sub
    segs = _segments(svg)
    whole = [s for s, g in segs.items() if "四川凯瑞新能源汽车有限公司" in _texts(g)]
    assert whole, list(segs)
    t = _texts(segs[whole[0]])
    assert t[t.index("四川凯瑞新能源汽车有限公司") - 1] == "链主"
    assert not any("→ 宜宾市" in x for g in segs.values() for x in _texts(g))  # not a target for itself
    # the chain named without a template: one 未知 column with its project
    tea = (folder / "宜宾市茶产业链.svg").read_text(encoding="utf-8")
    tsegs = _segments(tea)
    assert [g.get("data-status") for g in tsegs.values()] == ["未知"]
    assert any("名优茶加工项目" in x for x in _texts(next(iter(tsegs.values()))))
    html = (other_out / "report.html").read_text(encoding="utf-8")
    assert 'data-chain="宜宾市茶产业链"' in html


# ---------------------------------------------------------------- as a person sees it
from test_view import _browser_missing, open_page, wait_ready  # noqa: E402


def _pixels(png: bytes) -> list[tuple[int, int, int]]:
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    return [im.getpixel((x, y)) for y in range(0, im.height, 2) for x in range(0, im.width, 2)]


def _share(px, rgb_hex: str, tol: int = 12) -> float:
    want = tuple(int(rgb_hex[i:i + 2], 16) for i in (1, 3, 5))
    return sum(1 for p in px if all(abs(a - b) <= tol for a, b in zip(p, want))) / len(px)


@pytest.mark.browser
def test_report_map_visible_in_chromium(seeds_out, tmp_path):
    why = _browser_missing()
    if why:
        pytest.skip(why)
    driver = open_page((seeds_out / "report.html").as_uri(), tmp_path, width=794, height=1123)  # A4 at 96 dpi
    try:
        el = driver.find_element("css selector", f"svg.chainmap[data-chain='{LED}']")
        driver.execute_script("arguments[0].scrollIntoView()", el)
        r = driver.execute_script("const r=arguments[0].getBoundingClientRect();"
                                  "return [r.width, r.height, innerWidth]", el)
        assert r[0] > 0.85 * 760 and r[0] <= r[2] and r[1] > 300, r  # fills the A4 width, not clipped
        shot = el.screenshot_as_png
        (tmp_path / "led_map.png").write_bytes(shot)
        px = _pixels(shot)
        ink = sum(1 for p in px if sum(p) < 720) / len(px)
        assert ink > 0.15 and len(set(px)) > 50, ink  # not blank: drawn boxes and text
        statuses = {r["status"] for r in _gaps_csv(seeds_out) if r["chain"] == LED}
        assert len(statuses) >= 2
        for status in statuses:  # every status of the LED chain (as gaps.csv has it) shows in its colour
            assert _share(px, PALETTE.get(status, PALETTE.get("未知", "#000000"))) > 0.003, status
        # the embedded CJK font is the one the browser used
        family = el.get_attribute("font-family").split(",")[0].strip("'")
        status = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "document.fonts.ready.then(() => done([...document.fonts].filter(f => f.family.replace(/[\"']/g, '')"
            " === arguments[0]).map(f => f.status)))", family)
        assert status == ["loaded"], (family, status)
        # the segment names are laid out as text the browser measured (fonts present, nothing collapsed)
        widths = driver.execute_script(
            "return [...arguments[0].querySelectorAll('g.segment text')].map(t => t.getBBox().width)", el)
        assert widths and min(widths) > 5
        # clicking the 链主 opens graph.html focused on it
        link = el.find_element("xpath", f".//*[local-name()='text' and text()='{HUAYE}']/..")
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", link)
        wait_ready(driver)
        assert driver.current_url.split("#")[0].endswith("graph.html")
        focused = driver.execute_script("return window.chainkg.nodes.get(window.chainkg.focused).label")
        assert focused == HUAYE
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not severe, severe
    finally:
        driver.quit()


# ---------------------------------------------------------------- graph.html for a large corpus
def _big_graph():
    import rdflib
    from rdflib import RDF, RDFS, Literal, Namespace, URIRef

    from kg.util import KG as KG_NS

    KG = Namespace(KG_NS)
    g = rdflib.Graph()

    def ent(t, name):
        n = URIRef(entity_iri(t, name))
        g.add((n, RDF.type, KG[t]))
        g.add((n, RDFS.label, Literal(name, lang="zh")))
        return n

    chain = ent("IndustryChain", "测试产业链")
    segs = [ent("ChainSegment", f"测试环节{i}") for i in range(3)]
    for s in segs:
        g.add((s, KG.segmentOf, chain))
    placed = [ent("Enterprise", f"链上企业{i}有限公司") for i in range(4)]
    for i, e in enumerate(placed):
        g.add((e, KG.inSegment, segs[i % 3]))
    g.add((placed[0], KG.chainLeaderOf, chain))
    city = ent("City", "测试市")
    for i in range(450):
        g.add((ent("Enterprise", f"其他企业{i}有限公司"), KG.locatedIn, city))
    return g


def test_big_graph_opens_on_chain_overview(tmp_path):
    import json

    from kg.view import write_html

    write_html(_big_graph(), tmp_path / "graph.html")
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    nodes = json.loads(re.search(r"const NODES = (.*?);\nconst EDGES", page, re.S).group(1))
    ov = {n["label"] for n in nodes if n.get("ov")}
    assert ov == {"测试产业链", "测试环节0", "测试环节1", "测试环节2"} | {f"链上企业{i}有限公司" for i in range(4)}
    assert "产业链概览：8 / 459 个节点" in page
    # small graphs and focused views are drawn whole
    small = _big_graph()
    write_html(small, tmp_path / "f.html", focus={"chain": "测试产业链", "depth": 1})
    assert '"ov"' not in (tmp_path / "f.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_big_graph_overview_in_chromium(tmp_path):
    why = _browser_missing()
    if why:
        pytest.skip(why)
    from urllib.parse import quote

    from kg.view import write_html

    write_html(_big_graph(), tmp_path / "graph.html")
    driver = open_page((tmp_path / "graph.html").as_uri(), tmp_path)
    try:
        wait_ready(driver)
        assert driver.execute_script("return window.chainkg.view.length") == 8
        driver.find_element("id", "showall").click()
        wait_ready(driver)
        assert driver.execute_script("return window.chainkg.view.length") == 459
        assert not driver.find_element("id", "showall").is_displayed()
        # a link to a firm outside the overview opens the full graph focused on it
        target = entity_iri("Enterprise", "其他企业7有限公司")
        driver.get((tmp_path / "graph.html").as_uri() + "#" + quote(target, safe=""))
        wait_ready(driver)
        t0 = time.time()
        while driver.execute_script("return window.chainkg.focused === undefined") and time.time() - t0 < 60:
            time.sleep(0.2)
        assert driver.execute_script("return window.chainkg.nodes.get(window.chainkg.focused).label") == "其他企业7有限公司"
        assert driver.execute_script("return window.chainkg.view.length") == 459
    finally:
        driver.quit()


def test_maps_of_untemplated_chains_are_capped():
    from types import SimpleNamespace

    from kg import chainmap
    few = SimpleNamespace(untemplated=[f"甲{i}产业链" for i in range(5)])
    many = SimpleNamespace(untemplated=[f"乙{i}产业链" for i in range(40)])
    ctx = SimpleNamespace(untemplated={"乙7产业链": ["a", "b", "c"]})
    assert chainmap.mapped_untemplated(few) == few.untemplated
    got = chainmap.mapped_untemplated(many, ctx)
    assert len(got) == chainmap.MAX_UNTEMPLATED_MAPS and "乙7产业链" in got


def test_overview_names_the_chains_with_most_local_firms_and_counts_the_rest():
    """A corpus names a hundred chains, most in passing: the overview cell names twelve, those with
    the most local firms first, and says how many there are; a cluster of few chains names all."""
    from types import SimpleNamespace as NS

    from kg import report

    chains = {f"c{i}": NS(label=f"链{i:02d}产业链") for i in range(30)}
    placements = [NS(type="Enterprise", chain="c29", label=f"甲{k}") for k in range(3)]
    placements += [NS(type="Enterprise", chain="c29", label="甲0"), NS(type="Product", chain="c28", label="乙")]
    placements += [NS(type="Enterprise", chain="c17", label="丙")]
    result = NS(chains=chains, placements=placements, gaps_for=lambda c: [])
    cell = report._chain_names(result, list(chains))
    names = cell.split(" 等 ")[0].split("、")
    assert cell.endswith(" 等 30 条") and len(names) == report.OVERVIEW_CHAINS
    assert names[:3] == ["链29产业链", "链17产业链", "链00产业链"]
    assert report._chain_names(result, ["c3", "c1"]) == "链03产业链、链01产业链"
