"""Chain mapping, 链主 ranking and gap status on small hand-built graphs (RDF contract of
docs/ARCHITECTURE.md), a second region folder, and the seeds end to end."""
from __future__ import annotations

import sys

import csv
import hashlib
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg import analysis, report
from kg.util import KG as KG_NS, KGR as KGR_NS, entity_iri

KG = rdflib.Namespace(KG_NS)
ROOT = Path(__file__).resolve().parents[1]
CHANGZHI = ROOT / "ontology" / "regions" / "changzhi"
OTHER_REGION = Path(__file__).resolve().parent / "regions" / "jincheng"

LED = KGR_NS + "IndustryChain/光电LED产业链"
LI = KGR_NS + "IndustryChain/锂电产业链"


def seg(chain: str, segment: str) -> str:
    return f"{KGR_NS}ChainSegment/{chain}/{segment}"


class Builder:
    """Instance data exactly as rdf.py writes it: entities, mentions, sentences, statements."""

    def __init__(self, doc_id: str = "t.txt"):
        self.g = rdflib.Graph()
        self.doc = URIRef(f"{KGR_NS}doc/{doc_id}")
        self.g.add((self.doc, RDF.type, KG.Document))
        self.g.add((self.doc, DCTERMS.title, Literal(doc_id)))
        self.n = 0
        self.offset = 0

    def entity(self, type_: str, name: str, aliases=()) -> URIRef:
        e = URIRef(entity_iri(type_, name))
        self.g.add((e, RDF.type, KG[type_]))
        self.g.add((e, RDFS.label, Literal(name, lang="zh")))
        self.g.add((e, SKOS.prefLabel, Literal(name, lang="zh")))
        for a in aliases:
            self.g.add((e, SKOS.altLabel, Literal(a, lang="zh")))
        return e

    def sentence(self, text: str, mentions: dict[str, URIRef] = None) -> URIRef:
        s = URIRef(f"{self.doc}/s{self.n}")
        self.n += 1
        start = self.offset
        self.offset += len(text) + 1
        g = self.g
        g.add((s, RDF.type, KG.Sentence))
        g.add((s, RDF.type, PROV.Entity))
        g.add((s, KG.text, Literal(text)))
        g.add((s, KG.startOffset, Literal(start, datatype=XSD.integer)))
        g.add((s, KG.endOffset, Literal(start + len(text), datatype=XSD.integer)))
        g.add((s, DCTERMS.isPartOf, self.doc))
        for surface, ent in (mentions or {}).items():
            i = text.index(surface)
            m = URIRef(f"{self.doc}/m{start + i}-{start + i + len(surface)}")
            g.add((m, RDF.type, KG.Mention))
            g.add((m, KG.text, Literal(surface)))
            g.add((m, KG.startOffset, Literal(start + i, datatype=XSD.integer)))
            g.add((m, KG.endOffset, Literal(start + i + len(surface), datatype=XSD.integer)))
            g.add((m, KG.inSentence, s))
            g.add((m, KG.denotes, ent))
            g.add((ent, KG.mention, m))
        return s

    def rel(self, s, p: str, o, sentence: URIRef):
        self.g.add((s, KG[p], o))
        h = hashlib.sha1(f"{s} {KG[p]} {o}".encode()).hexdigest()[:16]
        st = URIRef(f"{KGR_NS}stmt/{h}")
        for t, v in ((RDF.type, KG.Assertion), (RDF.type, RDF.Statement), (RDF.type, PROV.Entity),
                     (RDF.subject, s), (RDF.predicate, KG[p]), (RDF.object, o), (PROV.wasDerivedFrom, sentence)):
            self.g.add((st, t, v))
        self.g.add((st, KG.confidence, Literal(Decimal("0.9"), datatype=XSD.decimal)))


def led_graph() -> Builder:
    """光电LED: a named 链主 with explicit evidence, suppliers of 封装材料, a display maker (二期)
    and a signed display project; a big enterprise with structure but no chain-leader evidence."""
    b = Builder()
    hy = b.entity("Enterprise", "山西高科华烨电子集团有限公司", ["山西高科华烨电子集团"])
    sx = b.entity("Enterprise", "山西高科视像科技有限公司")
    big = b.entity("Enterprise", "山西大项目控股有限公司")
    sup = b.entity("Enterprise", "长治载带科技有限公司")
    chain = URIRef(LED)
    b.entity("IndustryChain", "光电LED产业链")
    sz = b.entity("City", "深圳市", ["深圳"])
    mled = b.entity("Project", "MLED新型显示面板生产项目（二期）")
    disp = b.entity("Project", "光电LED显示屏项目")
    p_big1 = b.entity("Project", "智能仓储物流园项目")
    p_big2 = b.entity("Project", "商业综合体项目")
    s1 = b.sentence("山西高科华烨电子集团作为光电LED产业链“链主”，紧盯目标配套企业发力，吸引了深圳等地多家上游供应商"
                    "在长治投资建厂，实现了支架、载带、盖带、卷盘等LED封装材料就地配套。",
                    {"山西高科华烨电子集团": hy, "光电LED产业链": chain, "深圳": sz})
    b.rel(hy, "chainLeaderOf", chain, s1)
    s2 = b.sentence("山西高科华烨电子集团有限公司持续加大创新投入，以龙头企业带动LED全产业链加速集聚。",
                    {"山西高科华烨电子集团有限公司": hy})
    s3 = b.sentence("山西高科视像科技有限公司MLED新型显示面板生产项目（二期）现场一派火热，建设者们正加紧施工。",
                    {"山西高科视像科技有限公司": sx, "MLED新型显示面板生产项目（二期）": mled})
    b.rel(sx, "implements", mled, s3)
    s4 = b.sentence("推动新签约的光电LED显示屏项目开工入库。", {"光电LED显示屏项目": disp})
    s5 = b.sentence("长治载带科技有限公司生产LED载带，供货给山西高科华烨电子集团。",
                    {"长治载带科技有限公司": sup, "山西高科华烨电子集团": hy})
    b.rel(sup, "suppliesTo", hy, s5)
    s6 = b.sentence("山西大项目控股有限公司投资建设智能仓储物流园项目和商业综合体项目，总投资80亿元。",
                    {"山西大项目控股有限公司": big, "智能仓储物流园项目": p_big1, "商业综合体项目": p_big2})
    for p in (p_big1, p_big2):
        b.rel(big, "implements", p, s6)
        b.g.add((p, KG.investmentAmount, Literal(Decimal("4000000000"), datatype=XSD.decimal)))
    # the big enterprise is placed on the LED chain only structurally (belongsToChain), no leader wording
    b.rel(big, "belongsToChain", chain, s6)
    fact = URIRef(KGR_NS + "fact/t1")
    b.g.add((fact, RDF.type, KG.Fact))
    b.g.add((fact, KG.metric, Literal("签约项目数")))
    b.g.add((fact, KG.value, Literal("936个")))
    b.g.add((fact, KG.number, Literal(Decimal(936), datatype=XSD.decimal)))
    b.g.add((fact, KG.unit, Literal("个")))
    b.g.add((fact, KG.period, Literal("1—11月")))
    b.g.add((fact, KG.subjectText, Literal("长治市")))
    b.g.add((fact, PROV.wasDerivedFrom, s4))
    return b


def lithium_graph() -> Builder:
    b = Builder("li.txt")
    pz = b.entity("Project", "年产10万吨磷酸锰铁锂正极材料项目")
    pf = b.entity("Project", "年产4万吨锂离子动力储能电池负极材料一体化项目")
    b.sentence("年产10万吨磷酸锰铁锂正极材料项目向着年底投产奋力冲刺。", {"年产10万吨磷酸锰铁锂正极材料项目": pz})
    s = b.sentence("总投资20亿元的年产4万吨锂离子动力储能电池负极材料一体化项目加速建设。",
                   {"年产4万吨锂离子动力储能电池负极材料一体化项目": pf})
    pf_amt = Literal(Decimal("2000000000"), datatype=XSD.decimal)
    b.g.add((pf, KG.investmentAmount, pf_amt))
    fly = b.entity("Project", "30MW飞轮储能项目")
    b.sentence("鼎轮能源30MW飞轮储能项目将有效提升电网稳定性。", {"30MW飞轮储能项目": fly})
    return b


@pytest.fixture(scope="module")
def led():
    b = led_graph()
    return b, analysis.analyze(b.g, [CHANGZHI])


@pytest.fixture(scope="module")
def li():
    b = lithium_graph()
    return b, analysis.analyze(b.g, [CHANGZHI])


def gap(result, chain, segment):
    for g in result.gaps:
        if g.chain == chain and g.segment_label == segment:
            return g
    raise AssertionError(f"no gap row for {chain} {segment}")


# ---------------------------------------------------------------- leaders
def test_leader_with_explicit_evidence_ranks_first(led):
    _b, r = led
    top = r.leaders_for(LED)
    assert top, "a 链主 must be found"
    assert top[0].label == "山西高科华烨电子集团有限公司"
    assert top[0].rank == 1 and top[0].qualified
    assert top[0].components["explicit"] == 1.0
    assert any("链主" in ev.text for ev in top[0].evidence)
    assert any("龙头企业" in ev.text for ev in top[0].evidence)
    assert top[0].components["suppliers"] > 0


def test_structure_alone_never_makes_a_leader(led):
    _b, r = led
    big = [l for l in r.leaders if l.label == "山西大项目控股有限公司"]
    assert big, "the enterprise is assessed as a candidate"
    assert big[0].structure_score > 0
    assert not big[0].qualified and big[0].rank is None
    assert all(l.label != "山西大项目控股有限公司" for l in r.leaders_for(LED))
    # and no leader at all for a chain nobody has evidence for
    assert r.leaders_for(LI) == []


def test_visited_outside_leaders_are_leads_not_leaders():
    b = Builder()
    sn = b.entity("Enterprise", "圣农发展")
    zy = b.entity("Enterprise", "卓远虚拟现实")
    b.sentence("长子县领导班子赴福建精准对接，考察圣农发展、卓远虚拟现实等龙头企业，推动养殖屠宰一体化、低空出行等项目落地。",
               {"圣农发展": sn, "卓远虚拟现实": zy})
    r = analysis.analyze(b.g, [CHANGZHI])
    assert not [l for l in r.leaders if l.qualified]
    assert not [p for p in r.placements if p.label in ("圣农发展", "卓远虚拟现实")]  # not local players
    # each visited enterprise is a lead for the project listed in the same position
    food = gap(r, KGR_NS + "IndustryChain/食品产业链", "屠宰与农副产品加工")
    low = gap(r, KGR_NS + "IndustryChain/低空经济产业链", "运营与服务")
    assert "圣农发展" in {ld.label for ld in food.leads} and "卓远虚拟现实" not in {ld.label for ld in food.leads}
    assert "卓远虚拟现实" in {ld.label for ld in low.leads} and "圣农发展" not in {ld.label for ld in low.leads}


# ---------------------------------------------------------------- mapping
def test_placement_uses_names_products_and_context(led, li):
    _b, r = led
    segs = {(p.label, p.segment_label) for p in r.placements if p.segment}
    assert ("山西高科视像科技有限公司", "显示屏") in segs  # through its project's name
    assert ("MLED新型显示面板生产项目（二期）", "显示屏") in segs
    assert ("长治载带科技有限公司", "封装材料") in segs  # context: 生产LED载带
    assert ("山西高科华烨电子集团有限公司", "封装材料") not in segs  # its suppliers are, not it
    _b, r2 = li
    segs2 = {(p.label, p.chain_label, p.segment_label) for p in r2.placements if p.segment}
    # head noun of the name: the 负极材料 project is not an 电芯 maker
    assert ("年产4万吨锂离子动力储能电池负极材料一体化项目", "锂电产业链", "负极材料") in segs2
    assert ("年产4万吨锂离子动力储能电池负极材料一体化项目", "锂电产业链", "电芯") not in segs2
    # flywheel storage is excluded from the lithium chain but is 储能 on the energy chain
    assert not any(p.label == "30MW飞轮储能项目" and p.chain == LI for p in r2.placements)
    assert ("30MW飞轮储能项目", "能源产业链", "储能") in segs2
    # evidence sentence kept
    p = next(p for p in r2.placements if p.segment_label == "正极材料")
    assert "磷酸锰铁锂" in p.evidence and p.sentence


def test_unplaced_listed(led):
    _b, r = led
    un = {u.label: u for u in r.unplaced}
    assert "商业综合体项目" in un
    assert "山西高科华烨电子集团有限公司" not in un  # placed on LED封装 (inferred from its suppliers)


# ---------------------------------------------------------------- gaps
def test_led_gap_status(led):
    _b, r = led
    pkg = gap(r, LED, "封装材料")
    assert pkg.status == "已覆盖"  # local supplier + 深圳等地多家上游供应商
    assert any(p.type == "未具名" for p in pkg.players)
    assert gap(r, LED, "显示屏").status == "已覆盖"  # 高科视像 (二期 => producing) + signed project
    for s in ("衬底", "外延片"):
        g = gap(r, LED, s)
        assert g.status == "缺失" and g.kind == "补链"
        assert any(ld.label in ("深圳市", "深圳") for ld in g.leads)
    assert gap(r, LED, "LED封装").status == "薄弱"  # only the 链主 itself
    assert pkg.kind == "强链"


def test_lithium_gap_status(li):
    _b, r = li
    assert gap(r, LI, "正极材料").status == "薄弱"  # project not yet producing
    assert gap(r, LI, "负极材料").status == "薄弱"
    assert gap(r, LI, "电解液").status == "缺失"
    assert gap(r, LI, "隔膜").status == "缺失"


def test_gap_extension_kind():
    b = Builder()
    p = b.entity("Project", "年产5万吨隔膜项目")
    e = b.entity("Enterprise", "长治隔膜有限公司")
    s = b.sentence("长治隔膜有限公司年产5万吨隔膜项目已投产，生产线高速运转。", {"长治隔膜有限公司": e, "年产5万吨隔膜项目": p})
    b.rel(e, "implements", p, s)
    r = analysis.analyze(b.g, [CHANGZHI])
    assert gap(r, LI, "隔膜").status == "薄弱"  # one firm (project of the same enterprise)
    assert gap(r, LI, "电芯").kind == "延链"  # downstream of everything covered
    assert gap(r, LI, "电解液").kind == "补链"


# ---------------------------------------------------------------- write back + reports
def test_write_back_dataset_and_reports(led, tmp_path):
    b, r = led
    ds = rdflib.Dataset()
    for t in b.g:
        ds.graph(URIRef(KGR_NS + "graph/t.txt")).add(t)
    analysis.write_back(ds, r)
    ag = ds.graph(analysis.ANALYSIS_GRAPH)
    assessments = list(ag.subjects(RDF.type, KG.ChainLeaderAssessment))
    assert assessments
    node = URIRef(KGR_NS + "assessment/光电LED产业链/山西高科华烨电子集团有限公司")
    assert (node, KG.rank, Literal(1, datatype=XSD.integer)) in ag
    assert list(ag.objects(node, PROV.wasDerivedFrom))
    gnode = URIRef(KGR_NS + "gap/光电LED产业链/衬底")
    assert (gnode, KG.status, Literal("缺失")) in ag
    from pyshacl import validate
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    union = rdflib.Graph()
    for t in ds.quads((None, None, None, None)):
        union.add(t[:3])
    ok, _g, text = validate(union, shacl_graph=shapes)
    assert ok, text

    paths = report.write_reports(r, tmp_path)
    for k in ("leaders.csv", "gaps.csv", "report.md", "report.html"):
        assert paths[k].exists()
    raw = paths["gaps.csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(paths["gaps.csv"].read_text(encoding="utf-8-sig").splitlines()))
    clusters = {row["cluster"] for row in rows}
    assert len([c for c in clusters if c.endswith("产业集群")]) == 9
    lrows = list(csv.DictReader(paths["leaders.csv"].read_text(encoding="utf-8-sig").splitlines()))
    led_rows = [row for row in lrows if row["chain"] == "光电LED产业链"]
    assert led_rows[0]["enterprise"] == "山西高科华烨电子集团有限公司" and led_rows[0]["rank"] == "1"
    assert "链主" in led_rows[0]["evidence"]
    assert any(row["enterprise"] == analysis.NO_LEADER for row in lrows)
    html = paths["report.html"].read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script src" not in html
    assert "data:image/png;base64," in html
    assert "936个" in paths["report.md"].read_text(encoding="utf-8")


# ---------------------------------------------------------------- another region, no code change
def test_other_region_folder_works_without_code_changes():
    b = Builder("jc.txt")
    e = b.entity("Enterprise", "晋城光伏玻璃有限公司")
    ch = b.entity("IndustryChain", "光伏产业链")
    s = b.sentence("晋城光伏玻璃有限公司作为光伏产业链链主，生产光伏玻璃。", {"晋城光伏玻璃有限公司": e, "光伏产业链": ch})
    b.rel(e, "chainLeaderOf", ch, s)
    r = analysis.analyze(b.g, [CHANGZHI, OTHER_REGION])
    pv = KGR_NS + "IndustryChain/光伏产业链"
    assert pv in r.chains
    assert any(c.label == "光伏产业集群" for c in r.clusters.values())
    assert gap(r, pv, "光伏玻璃").status == "薄弱"
    assert gap(r, pv, "多晶硅").status == "缺失"
    assert r.leaders_for(pv)[0].label == "晋城光伏玻璃有限公司"


# ---------------------------------------------------------------- seeds end to end
HAVE_PIPELINE = all(importlib.util.find_spec(m) is not None for m in ("kg.extract", "kg.rdf"))


@pytest.fixture(scope="module")
def seeds_result(seeds_out):
    g = rdflib.Graph().parse(seeds_out / "graph.ttl")
    return seeds_out, analysis.analyze(g)


@pytest.mark.skipif(not HAVE_PIPELINE, reason="kg.extract / kg.rdf not available yet")
def test_seeds_leader_and_gaps(seeds_result):
    out, r = seeds_result
    top = r.leaders_for(LED)
    assert top and top[0].label == "山西高科华烨电子集团有限公司"
    assert any("链主" in ev.text for ev in top[0].evidence)
    # nobody is called 链主 of a chain without textual evidence for it
    import re
    for l in r.leaders:
        if l.qualified:
            assert l.evidence and l.text_score > 0
            core = re.sub(r"(集团)?(股份)?有限公司$", "", l.label)
            assert any(core in ev.text for ev in l.evidence), (l.label, l.chain_label)
    leader_chains = {l.chain for l in r.leaders if l.qualified}
    assert LI not in leader_chains
    # 光电LED: 封装材料 by local suppliers, 显示屏 via the MLED project; 衬底/外延 missing
    assert gap(r, LED, "封装材料").status == "已覆盖"
    assert gap(r, LED, "显示屏").status == "已覆盖"
    assert gap(r, LED, "衬底").status == "缺失"
    assert gap(r, LED, "外延片").status == "缺失"
    # lithium: cathode (磷酸锰铁锂) and anode only as projects not yet producing; electrolyte, separator missing
    assert gap(r, LI, "正极材料").status == "薄弱"
    assert gap(r, LI, "负极材料").status == "薄弱"
    assert gap(r, LI, "电解液").status == "缺失"
    assert gap(r, LI, "隔膜").status == "缺失"
    rows = list(csv.DictReader((out / "gaps.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len({row["cluster"] for row in rows if row["cluster"].endswith("产业集群")}) == 9


def test_project_named_only_through_its_product():
    """The extractor may keep only the product (磷酸锰铁锂正极材料) of a project phrase; the phrase still
    counts as a project that is not yet producing."""
    b = Builder("p.txt")
    prod = b.entity("Product", "磷酸锰铁锂正极材料")
    b.sentence("年产10万吨磷酸锰铁锂正极材料项目向着年底投产奋力冲刺。", {"磷酸锰铁锂正极材料": prod})
    r = analysis.analyze(b.g, [CHANGZHI])
    g = gap(r, LI, "正极材料")
    assert g.status == "薄弱"
    assert [p.label for p in g.players] == ["年产10万吨磷酸锰铁锂正极材料项目"]
    assert not g.players[0].operating


def test_structure_ranks_between_textual_leaders():
    """Two enterprises both called 龙头 of the chain: the one with suppliers, projects and segment
    coverage ranks first; both are 链主 candidates with evidence."""
    b = Builder("two.txt")
    a = b.entity("Enterprise", "甲光电有限公司")
    c = b.entity("Enterprise", "乙光电有限公司")
    s1 = b.sentence("甲光电有限公司和乙光电有限公司是光电LED产业链龙头企业。", {"甲光电有限公司": a, "乙光电有限公司": c})
    p1 = b.entity("Project", "年产50万片LED外延片项目")
    p2 = b.entity("Project", "LED芯片扩建项目")
    s2 = b.sentence("甲光电有限公司年产50万片LED外延片项目、LED芯片扩建项目已投产，总投资30亿元。",
                    {"甲光电有限公司": a, "年产50万片LED外延片项目": p1, "LED芯片扩建项目": p2})
    for p in (p1, p2):
        b.rel(a, "implements", p, s2)
    b.g.add((p1, KG.investmentAmount, Literal(Decimal("3000000000"), datatype=XSD.decimal)))
    for i in range(2):
        sup = b.entity("Enterprise", f"配套{i}号科技有限公司")
        s = b.sentence(f"配套{i}号科技有限公司为甲光电有限公司供应LED支架。", {f"配套{i}号科技有限公司": sup, "甲光电有限公司": a})
        b.rel(sup, "suppliesTo", a, s)
    r = analysis.analyze(b.g, [CHANGZHI])
    ls = r.leaders_for(LED)
    assert [l.label for l in ls] == ["甲光电有限公司", "乙光电有限公司"]
    assert ls[0].text_score == ls[1].text_score
    assert ls[0].structure_score > ls[1].structure_score
    comp = ls[0].components
    assert comp["suppliers"] > 0 and comp["projects"] > 0 and comp["segments"] == 2 and comp["investment"] > 0
    assert gap(r, LED, "外延片").status == "薄弱"  # one firm, producing


def test_figures_fall_back_without_cjk_font(led, monkeypatch, caplog, tmp_path):
    _b, r = led
    monkeypatch.setattr(report, "FONT_CANDIDATES", [])
    monkeypatch.setitem(sys.modules, "mplfonts", None)  # hides the bundled-font package
    monkeypatch.setattr(report, "CJK_NAME_HINTS", ("no-such-font-family",))
    monkeypatch.delenv("CHAINKG_CJK_FONT", raising=False)
    report.cjk_font.cache_clear()
    try:
        with caplog.at_level("WARNING"):
            png = report.cluster_figure(r, "光电LED产业集群", [LED])
        assert png and png.startswith(b"\x89PNG")
        assert any("中文字体" in m for m in caplog.messages)
    finally:
        monkeypatch.undo()
        report.cjk_font.cache_clear()
    assert report.cjk_font()  # CI has fonts-noto-cjk
