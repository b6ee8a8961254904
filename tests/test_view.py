"""graph.html: offline, typed nodes, tooltips; browser test in headless Chromium (marker browser)."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.util import KG as KG_NS, KGR, entity_iri
from kg.view import write_html

KG = Namespace(KG_NS)
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def zh(s):
    return Literal(s, lang="zh")


def sample_dataset() -> rdflib.Dataset:
    """A small graph in the contract's shape: reference, one document graph, analysis."""
    ds = rdflib.Dataset()
    ref = ds.graph(URIRef(KGR + "graph/reference"))
    doc = ds.graph(URIRef(KGR + "graph/001_示例.txt"))
    ana = ds.graph(URIRef(KGR + "graph/analysis"))

    def ent(g, t, name, alt=()):
        n = URIRef(entity_iri(t, name))
        g.add((n, RDF.type, KG[t]))
        g.add((n, RDFS.label, zh(name)))
        g.add((n, SKOS.prefLabel, zh(name)))
        for a in alt:
            g.add((n, SKOS.altLabel, zh(a)))
        return n

    city = ent(ref, "City", "长治市")
    county = ent(ref, "County", "潞城区")
    ref.add((county, KG.locatedIn, city))
    cluster = ent(ref, "IndustryCluster", "新材料产业集群")
    ref.add((cluster, KG.tier, Literal("百亿级")))
    chain = ent(ref, "IndustryChain", "半导体产业链")
    ref.add((chain, KG.forCluster, cluster))
    seg = ent(ref, "ChainSegment", "衬底")
    ref.add((seg, KG.segmentOf, chain))
    ref.add((seg, KG.position, Literal("上游")))

    d = URIRef(KGR + "doc/001_示例.txt")
    doc.add((d, RDF.type, KG.Document))
    doc.add((d, DCTERMS.title, Literal("001_示例.txt")))
    s0 = URIRef(KGR + "doc/001_示例.txt/s0")
    doc.add((s0, RDF.type, KG.Sentence))
    doc.add((s0, KG.text, Literal("山西高科华烨电子集团有限公司投资20亿元建设碳化硅衬底项目，落户长治高新区。")))
    doc.add((s0, DCTERMS.isPartOf, d))
    e1 = ent(doc, "Enterprise", "山西高科华烨电子集团有限公司", alt=["华烨电子"])
    e2 = ent(doc, "Enterprise", "长治市光电科技有限公司")
    park = ent(doc, "Park", "长治高新区")
    proj = ent(doc, "Project", "碳化硅衬底项目")
    prod = ent(doc, "Product", "碳化硅衬底")
    doc.add((proj, KG.investmentAmount, Literal("2000000000", datatype=XSD.decimal)))
    doc.add((proj, KG.investmentText, Literal("20亿元")))
    for s, p, o in [(e1, KG.locatedIn, county), (e1, KG.belongsToCluster, cluster), (e1, KG.implements, proj),
                    (proj, KG.locatedIn, park), (park, KG.locatedIn, city), (e1, KG.produces, prod),
                    (e2, KG.suppliesTo, e1), (e2, KG.signedWith, e1), (e2, KG.belongsToChain, chain)]:
        doc.add((s, p, o))
    st = URIRef(KGR + "stmt/00000000000000aa")
    for p, o in [(RDF.type, KG.Assertion), (RDF.type, RDF.Statement), (RDF.subject, e1), (RDF.predicate, KG.implements),
                 (RDF.object, proj), (PROV.wasDerivedFrom, s0)]:
        doc.add((st, p, o))
    m = URIRef(KGR + "doc/001_示例.txt/m0-14")
    doc.add((m, RDF.type, KG.Mention))
    doc.add((m, KG.inSentence, s0))
    doc.add((e1, KG.mention, m))

    a = URIRef(KGR + "assessment/半导体产业链/山西高科华烨电子集团有限公司")
    for p, o in [(RDF.type, KG.ChainLeaderAssessment), (KG.enterprise, e1), (KG.chain, chain),
                 (KG.score, Literal(0.82)), (KG.rank, Literal(1)), (PROV.wasDerivedFrom, s0)]:
        ana.add((a, p, o))
    ana.add((e1, KG.chainLeaderOf, chain))
    ana.add((e1, KG.inSegment, seg))
    return ds


def _expected(ds) -> int:
    drawn = {"Enterprise", "Organization", "Project", "Park", "County", "City", "Province", "Region", "Place",
             "IndustryCluster", "IndustryChain", "ChainSegment", "Product"}
    return len({s for s, _, o, _ in ds.quads((None, RDF.type, None, None))
                if str(o).startswith(KG_NS) and str(o)[len(KG_NS):] in drawn})


def test_offline_and_content(tmp_path):
    ds = sample_dataset()
    out = tmp_path / "graph.html"
    info = write_html(ds, out)
    assert info["path"] == out and out.exists()
    assert info["nodes"] == _expected(ds) == 10
    assert info["edges"] >= 10
    html = out.read_text(encoding="utf-8")
    # nothing fetched from the network: no src/href/url() pointing at http(s) or protocol-relative URLs
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"""url\(\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"@import", html)
    assert "cdnjs" not in html and "jsdelivr" not in html
    assert "vis.Network" in html
    # provenance nodes not drawn; Chinese labels and relation names present
    data = json.loads(re.search(r"const NODES = (.*?);\nconst EDGES", html, re.S).group(1))
    labels = {n["label"] for n in data}
    assert "山西高科华烨电子集团有限公司" in labels and "长治高新区" in labels
    assert not any("示例.txt/s0" in n["info"]["iri"] for n in data)
    e1 = next(n for n in data if n["label"] == "山西高科华烨电子集团有限公司")
    assert any("碳化硅衬底项目" in ev for ev in e1["info"]["evidence"])
    assert e1["size"] > next(n for n in data if n["label"] == "长治市光电科技有限公司")["size"]
    for rel in ("所在地", "属于集群", "实施", "供应", "签约", "链主", "环节", "生产"):
        assert f'"label": "{rel}"' in html


def test_focus(tmp_path):
    ds = sample_dataset()
    info = write_html(ds, tmp_path / "f.html", focus={"place": "长治高新区", "depth": 1})
    assert info["nodes"] == 3  # park, its city, the project
    with pytest.raises(ValueError, match="找不到"):
        write_html(ds, tmp_path / "g.html", focus={"enterprise": "不存在公司"})


def test_big_graph_options(tmp_path):
    g = rdflib.Graph()
    cl = URIRef(entity_iri("IndustryCluster", "装备制造产业集群"))
    g.add((cl, RDF.type, KG.IndustryCluster))
    g.add((cl, RDFS.label, zh("装备制造产业集群")))
    for i in range(600):
        e = URIRef(entity_iri("Enterprise", f"测试企业{i}有限公司"))
        g.add((e, RDF.type, KG.Enterprise))
        g.add((e, RDFS.label, zh(f"测试企业{i}有限公司")))
        g.add((e, KG.belongsToCluster, cl))
    info = write_html(g, tmp_path / "big.html")
    html = (tmp_path / "big.html").read_text(encoding="utf-8")
    assert info["nodes"] == 601
    opts = json.loads(re.search(r"const OPTIONS = (.*?);\n", html).group(1))
    assert opts["layout"]["improvedLayout"] is False and opts["edges"]["smooth"] is False
    assert opts["physics"]["stabilization"]["iterations"] <= 250


def _browser_missing() -> str | None:
    for p in (CHROMIUM, CHROMEDRIVER):
        if not Path(p).exists():
            return f"{p} 不存在（apt-get install chromium chromium-driver）"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "未安装 selenium"
    return None


def open_page(url: str, tmp_path: Path, width=1400, height=900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={tmp_path / 'chrome-profile'}", f"--window-size={width},{height}"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.get(url)
    return driver


def wait_ready(driver, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if driver.execute_script("return !!(window.chainkg && window.chainkg.ready)"):
            return
        time.sleep(0.2)
    raise AssertionError("graph did not finish drawing")


@pytest.mark.browser
def test_in_headless_chromium(tmp_path):
    why = _browser_missing()
    if why:
        pytest.skip(why)
    ds = sample_dataset()
    out = tmp_path / "graph.html"
    info = write_html(ds, out, title="产业链知识图谱（测试）")
    driver = open_page(out.as_uri(), tmp_path)
    try:
        wait_ready(driver)
        n_dataset = driver.execute_script("return window.chainkg.nodes.length")
        n_drawn = driver.execute_script("return window.chainkg.network.body.data.nodes.length")
        n_edges = driver.execute_script("return window.chainkg.edges.length")
        assert n_dataset == n_drawn == info["nodes"] == _expected(ds)
        assert n_edges == info["edges"]
        # positions exist for every node (the network really laid them out)
        pos = driver.execute_script("return Object.keys(window.chainkg.network.getPositions()).length")
        assert pos == info["nodes"]
        # tooltip is a DOM element, not an HTML string
        assert driver.execute_script("return window.chainkg.nodes.get(0).title instanceof HTMLElement")
        # type filter and search work
        driver.execute_script(
            "const cb=document.querySelector('input[data-type=Enterprise]'); cb.click();")
        assert driver.execute_script("return window.chainkg.view.length") == info["nodes"] - 2
        driver.execute_script(
            "const cb=document.querySelector('input[data-type=Enterprise]'); cb.click();")
        search = driver.find_element("id", "search")
        search.send_keys("华烨")
        assert "找到 1 个" in driver.find_element("id", "hits").text
        shot = tmp_path / "graph.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not severe, severe
    finally:
        driver.quit()


def test_chain_view_lists_firms_and_projects_per_segment(tmp_path):
    """--chain shows each segment's firms and projects even where they are two hops from the chain."""
    ds = sample_dataset()
    ref = ds.graph(URIRef(KGR + "graph/reference"))
    ana = ds.graph(URIRef(KGR + "graph/analysis"))
    chain = URIRef(entity_iri("IndustryChain", "半导体产业链"))
    seg2 = URIRef(entity_iri("ChainSegment", "封装"))
    ref.add((seg2, RDF.type, KG.ChainSegment))
    ref.add((seg2, RDFS.label, zh("封装")))
    ref.add((seg2, KG.segmentOf, chain))
    far = URIRef(entity_iri("Enterprise", "示例封装测试有限公司"))
    proj = URIRef(entity_iri("Project", "碳化硅衬底项目"))
    ana.add((far, RDF.type, KG.Enterprise))
    ana.add((far, RDFS.label, zh("示例封装测试有限公司")))
    ana.add((far, KG.inSegment, seg2))
    ana.add((proj, KG.inSegment, URIRef(entity_iri("ChainSegment", "衬底"))))
    info = write_html(ds, tmp_path / "chain.html", focus={"chain": "半导体产业链", "depth": 1})
    html = (tmp_path / "chain.html").read_text(encoding="utf-8")
    for label in ("示例封装测试有限公司", "碳化硅衬底项目", "封装", "衬底"):
        assert f'"label": "{label}"' in html, label
    assert "企业 2 家、项目 1 个" in html
    assert info["nodes"] >= 6


def test_whole_corpus_page_is_capped_with_a_note(tmp_path):
    """Beyond MAX_NODES the page keeps the most connected entities, drops isolated ones, and says
    how to see the rest; a focused view of the same graph is not capped."""
    from kg import view

    g = rdflib.Graph()
    cl = URIRef(entity_iri("IndustryCluster", "装备制造产业集群"))
    g.add((cl, RDF.type, KG.IndustryCluster))
    g.add((cl, RDFS.label, zh("装备制造产业集群")))
    n = view.MAX_NODES + 300
    for i in range(n):
        e = URIRef(entity_iri("Enterprise", f"测试企业{i}有限公司"))
        g.add((e, RDF.type, KG.Enterprise))
        g.add((e, RDFS.label, zh(f"测试企业{i}有限公司")))
        if i < 100:  # only these have a relation
            g.add((e, KG.belongsToCluster, cl))
    info = write_html(g, tmp_path / "all.html")
    html = (tmp_path / "all.html").read_text(encoding="utf-8")
    assert info["nodes"] == view.MAX_NODES and info["edges"] == 100
    assert f"只显示 {view.MAX_NODES} / {n + 1} 个节点" in html and "kg view --chain" in html
    labels = {nd["label"] for nd in json.loads(re.search(r"const NODES = (.*?);\n", html).group(1))}
    assert {f"测试企业{i}有限公司" for i in range(100)} <= labels  # connected ones all kept
    focused = write_html(g, tmp_path / "cl.html", focus={"cluster": "装备制造产业集群"})
    assert focused["nodes"] == 101
