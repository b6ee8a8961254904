"""Chain mapping, 链主 ranking and gap status on small hand-built graphs (RDF contract of
docs/ARCHITECTURE.md), a second region folder, and the seeds end to end."""
from __future__ import annotations

import sys

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg import analysis, rdf, report
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

    def rel(self, s, p: str, o, sentence: URIRef, confidence: str = "0.9"):
        self.g.add((s, KG[p], o))
        h = hashlib.sha1(f"{s} {KG[p]} {o}".encode()).hexdigest()[:16]
        st = URIRef(f"{KGR_NS}stmt/{h}")
        for t, v in ((RDF.type, KG.Assertion), (RDF.type, RDF.Statement), (RDF.type, PROV.Entity),
                     (RDF.subject, s), (RDF.predicate, KG[p]), (RDF.object, o), (PROV.wasDerivedFrom, sentence)):
            self.g.add((st, t, v))
        self.g.add((st, KG.confidence, Literal(Decimal(confidence), datatype=XSD.decimal)))


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
    cz = b.entity("City", "长治市", ["长治"])
    mled = b.entity("Project", "MLED新型显示面板生产项目（二期）")
    disp = b.entity("Project", "光电LED显示屏项目")
    p_big1 = b.entity("Project", "智能仓储物流园项目")
    p_big2 = b.entity("Project", "商业综合体项目")
    s1 = b.sentence("山西高科华烨电子集团作为光电LED产业链“链主”，紧盯目标配套企业发力，吸引了深圳等地多家上游供应商"
                    "在长治投资建厂，实现了支架、载带、盖带、卷盘等LED封装材料就地配套。",
                    {"山西高科华烨电子集团": hy, "光电LED产业链": chain, "深圳": sz, "长治": cz})
    b.sentence("长治市光电产业加快发展。", {"长治市": cz})
    b.rel(hy, "chainLeaderOf", chain, s1)
    b.sentence("山西高科华烨电子集团有限公司持续加大创新投入，以龙头企业带动LED全产业链加速集聚。",
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
    b.sentence("总投资20亿元的年产4万吨锂离子动力储能电池负极材料一体化项目加速建设。",
                   {"年产4万吨锂离子动力储能电池负极材料一体化项目": pf})
    pf_amt = Literal(Decimal("2000000000"), datatype=XSD.decimal)
    b.g.add((pf, KG.investmentAmount, pf_amt))
    fly = b.entity("Project", "30MW飞轮储能项目")
    en = b.entity("IndustryChain", "能源产业链")
    b.sentence("鼎轮能源30MW飞轮储能项目将有效提升电网稳定性，壮大能源产业链。", {"30MW飞轮储能项目": fly, "能源产业链": en})
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
def test_leader_with_explicit_relation_ranks_first(led):
    _b, r = led
    top = r.leaders_for(LED)
    assert top, "a 链主 must be found"
    assert top[0].label == "山西高科华烨电子集团有限公司"
    assert top[0].rank == 1 and top[0].qualified and top[0].role == "链主"
    assert top[0].components["leader_role"] == 0.9  # the assertion's kg:confidence
    assert any("链主" in ev.text for ev in top[0].evidence)
    assert top[0].components["suppliers"] == 1  # 长治载带 suppliesTo 华烨 (directed, per chain)
    assert "pagerank_raw" not in top[0].components and "centrality" not in top[0].components


def test_structure_alone_never_outranks_a_stated_leader(led):
    _b, r = led
    big = [l for l in r.leaders if l.label == "山西大项目控股有限公司"]
    assert big, "the enterprise is assessed as a candidate"
    assert not big[0].qualified and big[0].rank is None
    assert all(l.label != "山西大项目控股有限公司" for l in r.leaders_for(LED))
    assert r.leaders_for(LI) == []  # nobody on the lithium chain: abstain


def test_visited_outside_firms_are_targets_not_players():
    b = Builder()
    sn = b.entity("Enterprise", "圣农发展")
    zy = b.entity("Enterprise", "卓远虚拟现实")
    b.entity("City", "长治市", ["长治"])
    b.sentence("长治市领导班子赴福建精准对接，考察圣农发展、卓远虚拟现实等龙头企业，推动养殖屠宰一体化、低空出行等项目落地。",
               {"圣农发展": sn, "卓远虚拟现实": zy})
    r = analysis.analyze(b.g, [CHANGZHI])
    assert not [l for l in r.leaders if l.qualified]
    assert not [p for p in r.placements if p.label in ("圣农发展", "卓远虚拟现实")]  # not local players


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
    assert ("年产4万吨锂离子动力储能电池负极材料一体化项目", "锂电产业链", "负极材料") in segs2
    assert ("年产4万吨锂离子动力储能电池负极材料一体化项目", "锂电产业链", "电芯") not in segs2
    assert not any(p.label == "30MW飞轮储能项目" and p.chain == LI for p in r2.placements)
    assert ("30MW飞轮储能项目", "能源产业链", "储能") in segs2
    p = next(p for p in r2.placements if p.segment_label == "正极材料")
    assert "磷酸锰铁锂" in p.evidence and p.sentence


def test_unplaced_listed(led):
    _b, r = led
    un = {u.label: u for u in r.unplaced}
    assert "商业综合体项目" in un


# ---------------------------------------------------------------- gaps
def test_led_gap_states(led):
    _b, r = led
    pkg = gap(r, LED, "封装材料")
    assert pkg.status == "已覆盖"  # named local supplier + unnamed local supply (就地配套)
    assert any(p.type == "未具名" for p in pkg.players)
    disp = gap(r, LED, "显示屏")
    assert disp.status == "已覆盖"  # a producer (二期) and a project
    assert [p.stage for p in disp.players if p.type == "Project"] == ["开工"]  # "新签约的…项目开工入库"
    for s in ("衬底", "外延片"):
        g = gap(r, LED, s)
        assert g.status == "未知" and g.kind == "待核实", "texts are silent: not 缺失"


def test_lithium_stage_and_silence(li):
    _b, r = li
    assert gap(r, LI, "正极材料").status == "薄弱"  # project not yet producing
    assert not any(p.operating for p in gap(r, LI, "正极材料").players)
    assert gap(r, LI, "负极材料").status == "薄弱"
    assert gap(r, LI, "电解液").status == "未知"


def test_sought_segment_is_missing_and_gets_named_targets():
    b = Builder("sought.txt")
    b.entity("City", "长治市", ["长治"])
    sz = b.entity("City", "深圳市", ["深圳"])
    out = b.entity("Enterprise", "深圳电解液科技有限公司")
    prod = b.entity("Product", "电解液")
    cz = URIRef(entity_iri("City", "长治市"))
    b.sentence("长治市重点招引电解液、隔膜等配套企业，补齐锂电产业链短板。", {"长治市": cz})
    b.sentence("长治市锂电产业加快发展。", {"长治市": cz})
    s = b.sentence("深圳电解液科技有限公司位于深圳，主要生产电解液。", {"深圳电解液科技有限公司": out, "深圳": sz, "电解液": prod})
    b.rel(out, "locatedIn", sz, s)
    b.rel(out, "produces", prod, s)
    r = analysis.analyze(b.g, [CHANGZHI])
    g = gap(r, LI, "电解液")
    assert g.status == "缺失" and g.kind in ("补链", "延链")
    assert [ld.label for ld in g.leads] == ["深圳电解液科技有限公司"] and g.leads[0].evidence
    assert gap(r, LI, "隔膜").status == "缺失"
    assert gap(r, LI, "正极材料").status == "未知"
    assert not any(p.label == "深圳电解液科技有限公司" for p in r.placements)  # outside: never a local player


def test_deployment_is_not_manufacturing():
    b = Builder("dep.txt")
    p = b.entity("Project", "100MW储能电站")
    en = b.entity("IndustryChain", "能源产业链")
    b.sentence("100MW储能电站已投产运营，能源产业链再添新动能。", {"100MW储能电站": p, "能源产业链": en})
    r = analysis.analyze(b.g, [CHANGZHI])
    g = gap(r, KGR_NS + "IndustryChain/能源产业链", "储能")
    assert g.players and all(pl.deployment for pl in g.players)
    assert g.status == "未知"


def test_leader_segment_is_not_weak():
    b = Builder("own.txt")
    e = b.entity("Enterprise", "甲光电有限公司")
    chain = b.entity("IndustryChain", "光电LED产业链")
    s = b.sentence("以甲光电有限公司为链主，打造光电LED产业链。", {"甲光电有限公司": e, "光电LED产业链": chain})
    b.rel(e, "chainLeaderOf", chain, s)
    prod = b.entity("Product", "LED芯片")
    s2 = b.sentence("甲光电有限公司生产LED芯片。", {"甲光电有限公司": e, "LED芯片": prod})
    b.rel(e, "produces", prod, s2)
    r = analysis.analyze(b.g, [CHANGZHI])
    assert gap(r, LED, "LED芯片").status == "已覆盖"


def test_locally_supplied_inputs_place_their_customer_downstream():
    """A product the extractor links to the 链主 only with low confidence, in a sentence saying suppliers
    provide it locally, is the 链主's input: the 链主 sits on the segment it feeds (LED封装), and its own
    segment is not 薄弱; with a confident produces the firm stays on the product's segment."""
    def build(conf: str):
        b = Builder()
        e = b.entity("Enterprise", "甲光电集团有限公司")
        cz = b.entity("City", "长治市", ["长治"])
        chain = b.entity("IndustryChain", "光电LED产业链")
        s = b.sentence("甲光电集团有限公司作为光电LED产业链链主，吸引多家上游供应商在长治投资建厂，"
                       "实现了支架、载带等LED封装材料就地配套。", {"甲光电集团有限公司": e, "长治": cz, "光电LED产业链": chain})
        b.rel(e, "chainLeaderOf", chain, s)
        for name in ("支架", "载带"):
            b.rel(e, "produces", b.entity("Product", name), s, confidence=conf)
        return analysis.analyze(b.g, [CHANGZHI])

    r = build("0.3")
    segs = {pl.segment_label for pl in r.placements if pl.label == "甲光电集团有限公司" and pl.segment}
    assert segs == {"LED封装"}
    assert gap(r, LED, "LED封装").status == "已覆盖"
    assert gap(r, LED, "封装材料").status == "薄弱"  # suppliers present, unnamed
    r = build("0.9")
    segs = {pl.segment_label for pl in r.placements if pl.label == "甲光电集团有限公司" and pl.segment}
    assert segs == {"封装材料"}


def test_leader_segment_is_covered_while_its_project_is_built():
    """A 链主 placed on a segment only through a project under construction: that segment is 已覆盖."""
    b = Builder()
    e = b.entity("Enterprise", "甲锂能科技有限公司")
    cz = b.entity("City", "长治市", ["长治"])
    chain = b.entity("IndustryChain", "锂电产业链")
    p = b.entity("Project", "年产5万吨正极材料项目")
    s = b.sentence("长治以甲锂能科技有限公司为链主，打造锂电产业链。", {"甲锂能科技有限公司": e, "长治": cz, "锂电产业链": chain})
    b.rel(e, "chainLeaderOf", chain, s)
    s2 = b.sentence("甲锂能科技有限公司年产5万吨正极材料项目正在加紧施工。", {"甲锂能科技有限公司": e, "年产5万吨正极材料项目": p})
    b.rel(e, "implements", p, s2)
    r = analysis.analyze(b.g, [CHANGZHI])
    g = gap(r, LI, "正极材料")
    assert g.status == "已覆盖" and "链主" in g.basis


def test_stated_capacity_is_a_measured_component():
    """Two firms alike but for a stated capacity on one's project: it scores higher, and the component
    and its contribution are listed."""
    from kg import leaders
    from kg.results import ChainInfo, Placement
    ch = "urn:chain"
    info = ChainInfo(ch, "某产业链", [], [], [])
    pls = []
    for firm, proj in (("urn:a", "urn:pa"), ("urn:b", "urn:pb")):
        for seg in ("urn:s1", "urn:s2"):
            pls.append(Placement(firm, firm[-1], "Enterprise", ch, "某产业链", seg, seg, "项目", "", "", None, "投产", proj))
    facts = leaders.ChainFacts([], [], {}, {}, {"urn:a": "甲", "urn:b": "乙"}, set(), {"urn:a", "urn:b"}, {"urn:pa"})
    ls = {l.enterprise: l for l in leaders.score_chain(info, [], pls, facts)}
    assert ls["urn:a"].components["capacity_projects"] == 1 and ls["urn:b"].components["capacity_projects"] == 0
    assert ls["urn:a"].components["contrib_capacity"] > 0 and ls["urn:a"].rank == 1 and ls["urn:b"].rank == 2


# ---------------------------------------------------------------- write back + reports
def test_write_back_dataset_and_reports(led, tmp_path):
    b, r = led
    ds = rdflib.Dataset()
    for t in b.g:
        ds.graph(URIRef(KGR_NS + "graph/t.txt")).add(t)
    analysis.write_back(ds, r)
    ag = ds.graph(analysis.ANALYSIS_GRAPH)
    node = URIRef(KGR_NS + "assessment/光电LED产业链/山西高科华烨电子集团有限公司")
    assert (node, KG.rank, Literal(1, datatype=XSD.integer)) in ag
    assert list(ag.objects(node, PROV.wasDerivedFrom))
    gnode = URIRef(KGR_NS + "gap/光电LED产业链/封装材料")
    assert (gnode, KG.status, Literal("已覆盖")) in ag
    unknown = URIRef(KGR_NS + "gap/光电LED产业链/衬底")  # 未知 is written too, with its basis
    assert (unknown, KG.status, Literal("未知")) in ag
    assert (unknown, KG.gapKind, Literal("待核实")) in ag
    assert any("未提及" in str(c) for c in ag.objects(unknown, RDFS.comment))
    assert len(set(ag.subjects(RDF.type, KG.Gap))) == len(r.gaps)
    from pyshacl import validate
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    union = rdflib.Graph()
    for t in ds.quads((None, None, None, None)):
        union.add(t[:3])
    ok, _g, text = validate(union, shacl_graph=shapes)
    assert ok, text

    paths = report.write_reports(r, tmp_path)
    rows = list(csv.DictReader(paths["gaps.csv"].read_text(encoding="utf-8-sig").splitlines()))
    assert {row["status"] for row in rows} <= {"已覆盖", "薄弱", "缺失", "未知"}
    assert all(row["status_basis"] for row in rows)
    lrows = list(csv.DictReader(paths["leaders.csv"].read_text(encoding="utf-8-sig").splitlines()))
    led_rows = [row for row in lrows if row["chain"] == "光电LED产业链"]
    assert led_rows[0]["enterprise"] == "山西高科华烨电子集团有限公司" and led_rows[0]["rank"] == "1"
    # every candidate is listed with its components, not only the winner
    assert {"山西高科视像科技有限公司", "长治载带科技有限公司"} <= {row["enterprise"] for row in led_rows}
    assert all(row["suppliers"] != "" and row["basis"] for row in led_rows)
    md = paths["report.md"].read_text(encoding="utf-8")
    assert "未知＝" in md and "缺失＝" in md and "分析地区" in md
    html = paths["report.html"].read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script src" not in html
    assert "936个" in md


# ---------------------------------------------------------------- regions
def test_other_region_folder_replaces_the_default():
    b = Builder("jc.txt")
    e = b.entity("Enterprise", "晋城光伏玻璃有限公司")
    city = b.entity("City", "晋城市", ["晋城"])
    ch = b.entity("IndustryChain", "光伏产业链")
    s = b.sentence("晋城光伏玻璃有限公司作为光伏产业链链主，生产光伏玻璃。", {"晋城光伏玻璃有限公司": e, "光伏产业链": ch})
    b.sentence("晋城市加快发展光伏产业。", {"晋城市": city})
    b.rel(e, "chainLeaderOf", ch, s)
    r = analysis.analyze(b.g, [CHANGZHI, OTHER_REGION])
    pv = KGR_NS + "IndustryChain/光伏产业链"
    assert r.region == "晋城市"
    assert pv in r.chains
    assert [c.label for c in r.clusters.values()] and all("长治" not in c.scheme for c in r.clusters.values())
    assert gap(r, pv, "光伏玻璃").status == "已覆盖"  # the 链主's own segment
    assert gap(r, pv, "多晶硅").status == "未知"
    assert r.leaders_for(pv)[0].label == "晋城光伏玻璃有限公司"


def test_region_override_and_firms_located_elsewhere():
    b = Builder("x.txt")
    cz = b.entity("City", "长治市", ["长治"])
    sz = b.entity("City", "苏州市", ["苏州"])
    loc = b.entity("Enterprise", "甲电子有限公司")
    far = b.entity("Enterprise", "乙电子有限公司")
    chain = b.entity("IndustryChain", "光电LED产业链")
    s = b.sentence("苏州的乙电子有限公司是光电LED产业链链主。", {"乙电子有限公司": far, "苏州": sz, "光电LED产业链": chain})
    b.rel(far, "chainLeaderOf", chain, s)
    b.rel(far, "locatedIn", sz, s)
    s2 = b.sentence("长治的甲电子有限公司以甲为链主。", {"甲电子有限公司": loc, "长治": cz})
    b.rel(loc, "chainLeaderOf", chain, s2)
    b.rel(loc, "locatedIn", cz, s2)
    r = analysis.analyze(b.g, [CHANGZHI], region="长治市")
    assert r.region == "长治市" and not r.region_detected
    assert [l.label for l in r.leaders_for(LED)] == ["甲电子有限公司"]
    far_row = [l for l in r.leaders if l.label == "乙电子有限公司"][0]
    assert far_row.role == "外地" and not far_row.qualified


# ---------------------------------------------------------------- seeds end to end
@pytest.fixture(scope="module")
def seeds_result(seeds_out):
    g = rdflib.Graph().parse(seeds_out / "graph.ttl")
    return seeds_out, analysis.analyze(g)


def test_seeds_leader_and_gaps(seeds_result):
    out, r = seeds_result
    assert r.region == "长治市"
    top = r.leaders_for(LED)
    assert top and top[0].label == "山西高科华烨电子集团有限公司"
    for l in r.leaders:
        if l.qualified:
            assert l.evidence, (l.label, l.chain_label)
    coal = KGR_NS + "IndustryChain/现代煤化工产业链"
    assert gap(r, coal, "煤炭开采与洗选").kind != "补链"  # a coal base is not told to attract coal mining
    assert gap(r, LED, "衬底").status == "未知"
    assert sum(g.status == "未知" for g in r.gaps) > sum(g.status == "缺失" for g in r.gaps)
    for l in r.leaders_for(LED):
        for p in r.placements:
            if p.entity == l.enterprise and p.segment:
                assert gap(r, LED, p.segment_label).status != "薄弱"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "长治市" in md.splitlines()[0] and "全市重点区域" not in md


def test_project_named_only_through_its_product():
    """The extractor may keep only the product of a project phrase; the phrase still counts as a project
    at the stage its clause states."""
    b = Builder("p.txt")
    prod = b.entity("Product", "磷酸锰铁锂正极材料")
    b.sentence("年产10万吨磷酸锰铁锂正极材料项目向着年底投产奋力冲刺。", {"磷酸锰铁锂正极材料": prod})
    r = analysis.analyze(b.g, [CHANGZHI])
    g = gap(r, LI, "正极材料")
    assert g.status == "薄弱"
    assert [p.label for p in g.players] == ["年产10万吨磷酸锰铁锂正极材料项目"]
    assert not g.players[0].operating


def test_structure_qualifies_only_without_a_stated_leader():
    """No role relation: the firm with two local suppliers is inferred 链主 with its contributions shown;
    a firm with one supplier abstains."""
    b = Builder("two.txt")
    a = b.entity("Enterprise", "甲光电有限公司")
    c = b.entity("Enterprise", "乙光电有限公司")
    chain = b.entity("IndustryChain", "光电LED产业链")
    for i, who in enumerate((a, a, c)):
        sup = b.entity("Enterprise", f"配套{i}号科技有限公司")
        s = b.sentence(f"配套{i}号科技有限公司生产LED支架。", {f"配套{i}号科技有限公司": sup})
        b.rel(sup, "suppliesTo", who, s)
        b.rel(who, "belongsToChain", chain, s)
    r = analysis.analyze(b.g, [CHANGZHI])
    ls = r.leaders_for(LED)
    assert [l.label for l in ls] == ["甲光电有限公司"]
    assert ls[0].role == "链主（推断）" and ls[0].components["suppliers"] == 2
    assert ls[0].components["contrib_suppliers"] > 0


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


def test_region_leads_never_come_from_agency_names():
    """A region inside an agency's name (省环渤海招商局) is not a target region; a region named on its own is."""
    b = Builder("lead.txt")
    cz = b.entity("City", "长治市", ["长治"])
    agency = b.entity("Organization", "省环渤海招商局")
    bohai = b.entity("Region", "环渤海")
    yrd = b.entity("Region", "长三角")
    li = b.entity("IndustryChain", "锂电产业链")
    b.sentence("长治市锂电产业加快发展。", {"长治市": cz})
    b.sentence("省环渤海招商局协助长治市招引锂电产业链电解液企业。", {"省环渤海招商局": agency, "环渤海": bohai, "长治市": cz,
                                                    "锂电产业链": li})
    b.sentence("长治市赴长三角招引锂电产业链电解液企业。", {"长三角": yrd, "长治市": cz, "锂电产业链": li})
    r = analysis.analyze(b.g, [CHANGZHI])
    g = gap(r, LI, "电解液")
    assert g.status == "缺失"
    assert [ld.label for ld in g.leads] == ["长三角"]


def test_chains_named_only_in_text_are_analysed():
    """A chain with no template gets its 链主 / 链核 and a 未知 segment row; a verb phrase is not a chain."""
    b = Builder("txt.txt")
    cz = b.entity("City", "长治市", ["长治"])
    lead = b.entity("Enterprise", "甲预制菜食品有限公司")
    core = b.entity("Enterprise", "乙冷鲜配送有限公司")
    ch = b.entity("IndustryChain", "预制菜产业链")
    verb = b.entity("IndustryChain", "筑强产业链")
    s = b.sentence("长治市以甲预制菜食品有限公司为链主、乙冷鲜配送有限公司为链核，筑强产业链，发展预制菜产业链。",
                   {"长治市": cz, "甲预制菜食品有限公司": lead, "乙冷鲜配送有限公司": core, "预制菜产业链": ch,
                    "筑强产业链": verb})
    b.rel(lead, "chainLeaderOf", ch, s)
    b.rel(core, "chainCoreOf", ch, s)
    r = analysis.analyze(b.g, [CHANGZHI])
    assert str(ch) in r.chains and not r.chains[str(ch)].templated
    assert str(verb) not in r.chains
    assert [l.label for l in r.leaders_for(str(ch))] == ["甲预制菜食品有限公司"]
    assert [l.role for l in r.leaders if l.label == "乙冷鲜配送有限公司"] == ["链核"]
    rows = list(csv.DictReader(report.gaps_csv(r).lstrip("\ufeff").splitlines()))
    assert [(x["segment"], x["status"]) for x in rows if x["chain"] == "预制菜产业链"] == [("（无模板，环节未知）", "未知")]


def test_reports_do_not_keep_the_graph_alive(led, tmp_path):
    """The graph given to write_reports is freed as soon as the caller drops it, without a garbage
    collection (the build deletes the analysis input after the reports: a reference cycle holding
    it kept a million objects until the next full collection)."""
    import gc
    import weakref

    b, r = led
    g = rdf.LeanGraph()
    g.add_all(b.g)
    ref = weakref.ref(g)
    gc.disable()
    try:
        report.write_reports(r, tmp_path, graph=g)
        del g
        assert ref() is None
    finally:
        gc.enable()


def test_a_segment_the_text_calls_missing_is_missing():
    """X环节缺失 states a gap as plainly as 空白: the segment is 缺失 with that sentence as evidence,
    and 充换电 names the charging segment."""
    b = Builder("missing.txt")
    cz = URIRef(entity_iri("City", "长治市"))
    b.entity("City", "长治市", ["长治"])
    b.sentence("长治市锂电产业加快发展，电池回收利用环节缺失。", {"长治市": cz})
    b.sentence("长治市新能源汽车产业链的充换电设施环节缺位。", {"长治市": cz})
    r = analysis.analyze(b.g, [CHANGZHI])
    g = gap(r, LI, "电池回收")
    assert g.status == "缺失" and "环节缺失" in g.evidence[0].text
    nev = next(x for x in r.gaps if x.chain.endswith("新能源汽车产业链") and x.segment.endswith("充换电与后市场"))
    assert nev.status == "缺失"


def test_all_figures_go_to_facts_csv_and_report_md_shows_the_first_others(led, tmp_path):
    """A corpus states hundreds of figures: facts.csv has every one (Excel-ready), report.md the
    headline figures and the first OTHER_FACTS_SHOWN others, with a pointer to the rest."""
    import dataclasses
    from kg.results import FactRow

    _b, r = led
    extra = [FactRow(f"urn:f{i}", "某市", "产值", f"{i}亿元", Decimal(i), "元", f"{2000 + i}年", f"某市产值{i}亿元。", None)
             for i in range(1, 51)]
    r2 = dataclasses.replace(r, facts=list(r.facts) + extra)
    paths = report.write_reports(r2, tmp_path)
    rows = list(csv.DictReader(paths["facts.csv"].read_text(encoding="utf-8-sig").splitlines()))
    assert len([x for x in rows if x["metric"] == "产值" and x["subject"] == "某市"]) == 50
    assert {x["headline"] for x in rows} <= {"是", "否"} and all(x["evidence"] for x in rows)
    md = paths["report.md"].read_text(encoding="utf-8")
    others = len(report._facts_rows(r2, False))
    assert md.count("某市产值") <= report.OTHER_FACTS_SHOWN and f"其余 {others - report.OTHER_FACTS_SHOWN} 条见 facts.csv" in md


def test_report_md_stays_readable_for_a_corpus(led, tmp_path):
    """Chains the texts only name (no template, no local firm, no 链主/链核) share one line instead of a
    section each; firms and projects on no chain are cut at UNPLACED_SHOWN rows, those on a known
    chain are all listed; report.html keeps every row, the long list folded."""
    import dataclasses
    from kg.results import ChainInfo, Unplaced

    _b, r = led
    chains = dict(r.chains)
    for i in range(5):
        chains[f"urn:c{i}"] = ChainInfo(f"urn:c{i}", f"某某{i}产业链", [], [], [], templated=False)
    unplaced = list(r.unplaced) + [Unplaced(f"urn:e{i}", f"某某{i}公司", "Enterprise", [], "无环节") for i in range(80)]
    unplaced.append(Unplaced("urn:k", "某链上公司", "Enterprise", ["光电LED产业链"], "仅能定位到产业链"))
    r2 = dataclasses.replace(r, chains=chains, unplaced=unplaced)
    paths = report.write_reports(r2, tmp_path)
    md = paths["report.md"].read_text(encoding="utf-8")
    assert "### 某某0产业链" not in md and "另有 5 条产业链只在文本中提及" in md and "某某4产业链" in md
    none = sum(not u.chains for u in unplaced)
    section = md.split("## 未能定位到环节的企业与项目")[1]
    assert "某链上公司" in section and section.count("| — |") == report.UNPLACED_SHOWN
    assert f"其余 {none - report.UNPLACED_SHOWN} 个" in section
    html = paths["report.html"].read_text(encoding="utf-8")
    assert html.count("某某79公司") == 1 and "<details>" in html


def test_a_gap_sentence_naming_no_entity_still_reaches_the_analysis(tmp_path):
    """某环节空白 in a sentence of its own names no entity; the analysis input keeps every sentence
    with a gap cue all the same, so the segment is 缺失 with that sentence as evidence."""
    from kg import cli

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("西岭市锂电产业链加快发展。负极材料、隔膜环节仍是空白。\n", encoding="utf-8")
    assert cli.main(["build", str(src), "--out", str(tmp_path / "out")]) == 0
    rows = {r["segment"]: r for r in csv.DictReader((tmp_path / "out" / "gaps.csv").read_text(encoding="utf-8-sig").splitlines())}
    assert rows["负极材料"]["status"] == "缺失" and "仍是空白" in rows["负极材料"]["evidence"]
    assert rows["隔膜"]["status"] == "缺失" and rows["正极材料"]["status"] == "未知"
