"""Extractor behaviour on hard cases: own news-style texts (tests/texts/) and the seeds."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg import extract, ingest
from kg.model import Extraction

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "tests" / "texts"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def ex() -> extract.Extractor:
    return extract.Extractor()


def run(ex, text: str, doc_id: str = "t.txt") -> Extraction:
    return ex.extract(ingest.build_document(text, doc_id))


def ents(x: Extraction, typ: str | None = None) -> set[tuple[str, str]]:
    return {(m.type, m.canonical) for m in x.mentions if typ is None or m.type == typ}


def texts(x: Extraction, typ: str) -> set[str]:
    return {m.text for m in x.mentions if m.type == typ}


def rels(x: Extraction, rel: str | None = None) -> set[tuple[str, str, str]]:
    return {(r.head, r.rel, r.tail) for r in x.relations if rel is None or r.rel == rel}


@pytest.fixture(scope="module")
def yibin(ex) -> Extraction:
    return ex.extract(ingest.read_document(TEXTS / "yibin_battery.txt"))


@pytest.fixture(scope="module")
def ganzhou(ex) -> Extraction:
    return ex.extract(ingest.read_document(TEXTS / "ganzhou_magnet.txt"))


@pytest.fixture(scope="module")
def seeds(ex) -> dict[str, Extraction]:
    return {p.name: ex.extract(ingest.read_document(p)) for p in sorted(SEEDS.glob("*.txt"))}


# ---------------------------------------------------------------- offsets and output format

def test_mentions_index_document_text(yibin):
    for m in yibin.mentions:
        assert yibin.doc.text[m.start:m.end] == m.text
        s = yibin.doc.sentences[m.sentence]
        assert s.start <= m.start < s.end


def test_relation_evidence_is_the_sentence(yibin):
    for r in yibin.relations:
        assert r.evidence == yibin.doc.sentences[r.sentence].text


def test_to_json_format(yibin):
    rec = extract.to_json(yibin)
    assert rec["doc"] == "yibin_battery.txt"
    assert set(rec) >= {"doc", "entities", "relations", "facts"}
    e = rec["entities"][0]
    assert set(e) == {"text", "type", "canonical", "start", "end", "source", "confidence"}
    assert set(rec["relations"][0]) == {"head", "rel", "tail", "evidence", "source", "confidence"}


# ---------------------------------------------------------------- enterprises

def test_left_boundary_after_verb(yibin):
    # 让四川锐川新能源科技有限公司…: the name starts at the province, not at 让
    assert "四川锐川新能源科技有限公司" in texts(yibin, "Enterprise")
    assert not any(t.startswith("让") for t in texts(yibin, "Enterprise"))


def test_left_boundary_after_conjunction_and_division_anchor(ex):
    x = run(ex, "上党区与浙江利丰实业发展有限公司等3家企业成功签约。锂电产业园、长治市润兴燃气有限公司充装站等项目加快建设。")
    names = texts(x, "Enterprise")
    assert "浙江利丰实业发展有限公司" in names
    assert "长治市润兴燃气有限公司" in names  # jieba splits 润/兴…: anchored on the division


def test_short_name_linked_to_full_name(yibin):
    shorts = {m.text: m.canonical for m in yibin.mentions if m.type == "Enterprise"}
    assert shorts["锐川新能源"] == "四川锐川新能源科技有限公司"
    assert shorts["宜宾锦程电池集团"] == "宜宾锦程电池集团有限公司"


def test_list_enterprises_before_longtou(yibin):
    assert {"华瑞科技", "金川化工", "铭达精密"} <= texts(yibin, "Enterprise")


def test_government_bodies_are_organisations(yibin, ganzhou):
    orgs = texts(yibin, "Organization") | texts(ganzhou, "Organization")
    assert {"宜宾市投资促进局", "南溪区工业和信息化局", "赣州市科学技术局", "赣州经济技术开发区管委会"} <= orgs
    assert not orgs & (texts(yibin, "Enterprise") | texts(ganzhou, "Enterprise"))


def test_place_inside_an_organisation_name_is_not_a_place(ex):
    """Exchanges, courts, state-asset bureaus: the place opens the body's name; a firm or a
    preposition before the body is not part of it."""
    x = run(ex, "昨天，泰州中级人民法院公布一起案件。合肥国资局表示将增持。期货价格参考宁波商品交易所。"
                "华成电器股份有限公司受宁海县广播电视台委托采购设备。")
    assert not ents(x, "City") | ents(x, "County")
    assert {"泰州中级人民法院", "合肥国资局", "宁波商品交易所", "宁海县广播电视台"} <= texts(x, "Organization")
    assert "华成电器股份有限公司" in texts(x, "Enterprise")


def test_park_word_as_the_object_of_a_verb_is_no_park(ex):
    assert not ents(run(ex, "要推动更多优质项目进园区，做好招商文章强园区。"), "Park")
    assert ("Park", "北兴园区") in ents(run(ex, "北兴园区今年新签约项目5个。"))


def test_enterprise_from_context_cue(ex):
    x = run(ex, "东岳重工董事长王强出席仪式。东岳重工计划在当地建设年产5000台挖掘机项目。东岳重工(济南)有限公司同时开工。")
    assert ("Enterprise", "东岳重工") in ents(x)
    assert ("东岳重工", "implements", "年产5000台挖掘机项目") in rels(x)


# ---------------------------------------------------------------- parks and places

def test_bare_park_resolved_to_named_park(yibin, ganzhou):
    assert {m.canonical for m in yibin.mentions if m.text == "高新区"} == {"宜宾高新区"}
    assert {m.canonical for m in ganzhou.mentions if m.text == "经开区"} == {"赣州经开区"}


def test_bare_park_resolved_with_main_city(ex):
    x = run(ex, "绵阳市持续优化营商环境。绵阳市推动高新区电子信息项目建设。")
    assert ("Park", "绵阳高新区") in ents(x)


def test_province_short_plus_city_is_one_city(ganzhou):
    m = [m for m in ganzhou.mentions if m.text == "广东佛山"]
    assert m and m[0].type == "City" and m[0].canonical == "佛山市"
    assert ("Province", "广东省") not in ents(ganzhou)


def test_county_prefix_of_park_and_project(yibin, ganzhou):
    # a full county name before a park is a place of its own: 于都县 + 纺织服装产业园 (surface kept in the mention)
    assert ("纺织服装产业园", "locatedIn", "于都县") in rels(ganzhou)
    assert "于都县纺织服装产业园" in texts(ganzhou, "Park") and ("County", "于都县") in ents(ganzhou)
    assert ("南溪区200MW分布式光伏项目", "locatedIn", "南溪区") in rels(yibin)
    assert ("County", "南溪区") in ents(yibin)


def test_park_name_gives_city(ganzhou):
    assert ("赣州经开区", "locatedIn", "赣州市") in rels(ganzhou)


def test_common_word_short_names_are_not_places(ex):
    x = run(ex, "企业资源丰富，大兴实干之风，惠民利民，振兴乡村。")
    assert not ents(x, "County")


def test_regions(yibin):
    assert {("Region", "长三角"), ("Region", "粤港澳大湾区")} <= ents(yibin)


# ---------------------------------------------------------------- projects, literals

def test_investment_before_and_after_name(yibin):
    inv = {(r.head, r.tail): r for r in yibin.relations if r.rel == "investment"}
    assert ("年产2万吨电解液一体化项目", "18亿元") in inv          # 总投资18亿元的X
    assert ("年产5万吨磷酸铁锂正极材料项目", "32亿元") in inv      # X…，项目总投资32亿元
    r = inv[("年产5万吨磷酸铁锂正极材料项目", "32亿元")]
    assert r.value == Decimal("3200000000") and r.currency == "CNY"


def test_aggregate_amount_is_not_a_project_investment(yibin):
    assert not [r for r in yibin.relations if r.rel == "investment" and r.tail == "46亿元"]


def test_capacity_literal_forms(yibin):
    caps = {(r.head, r.tail) for r in yibin.relations if r.rel == "capacity"}
    assert ("年产5万吨磷酸铁锂正极材料项目", "年产5万吨") in caps
    assert ("南溪区200MW分布式光伏项目", "200MW") in caps
    assert ("年产10GWh储能电池", "年产10GWh") in caps


def test_enterprise_prefix_stripped_from_project(yibin):
    assert ("四川锐川新能源科技有限公司", "implements", "年产5万吨磷酸铁锂正极材料项目") in rels(yibin)
    assert ("四川锐川新能源科技有限公司", "produces", "磷酸铁锂正极材料") in rels(yibin)


def test_multi_project_list(yibin):
    projects = {m.canonical for m in yibin.mentions if m.type == "Project"}
    assert {"年产10GWh储能电池", "隔膜涂覆生产线", "光伏组件回收利用"} <= projects


def test_phase_suffix_kept(yibin):
    assert any(m.canonical.endswith("项目（二期）") for m in yibin.mentions if m.type == "Project")


def test_generic_project_words_are_not_projects(ex):
    x = run(ex, "全市上下大抓项目、抓大项目，定期召开项目调度会，推动一批重点项目落地，项目建设提速。")
    assert not ents(x, "Project")


def test_invested_by(ganzhou):
    assert ("赣南稀金集团", "implements", "年产1500吨稀土金属冶炼分离项目") in rels(ganzhou)
    assert ("年产1500吨稀土金属冶炼分离项目", "locatedIn", "章贡区") in rels(ganzhou)


# ---------------------------------------------------------------- chains, clusters

def test_chain_leader_and_supplies(yibin):
    assert ("宜宾锦程电池集团有限公司", "chainLeaderOf", "动力电池产业链") in rels(yibin)
    assert {("宜宾锦程电池集团有限公司", "suppliesTo", "江城汽车"),
            ("宜宾锦程电池集团有限公司", "suppliesTo", "蓉达新能源")} <= rels(yibin)


def test_named_cluster_with_place(ganzhou):
    assert ("IndustryCluster", "纺织服装产业集群") in ents(ganzhou)
    assert any(r[1] == "locatedIn" and r[2] == "南康区" and "家具产业集群" in r[0] for r in rels(ganzhou))


def test_facts_with_period(yibin):
    facts = {(f.metric, f.value, f.period) for f in yibin.facts}
    assert ("签约项目数", "128个", "1至9月") in facts
    assert ("签约金额", "865.3亿元", "1至9月") in facts


# ---------------------------------------------------------------- seeds

def test_seed_chain_leader_with_evidence(seeds):
    x = seeds["002_94e9b782398acbde.txt"]
    r = [r for r in x.relations if r.rel == "chainLeaderOf"]
    assert any(r.head == "山西高科华烨电子集团" or r.head.startswith("山西高科华烨电子集团") for r in r)
    leader = [r for r in r if r.tail == "光电LED产业链"][0]
    assert "链主" in leader.evidence and leader.evidence in x.doc.text


def test_seed_project_with_enterprise_prefix(seeds):
    x = seeds["001_33f27b11f14b3d81.txt"]
    assert ("山西霍家工业有限公司", "implements", "年产1万吨PVDF技术改造项目") in rels(x)
    assert ("年产1万吨PVDF技术改造项目", "capacity", "年产1万吨") in rels(x)
    assert ("Product", "PVDF") in ents(x)


def test_seed_cluster_scheme_and_regions(seeds):
    x = seeds["000_00aa1898deac1099.txt"]
    clusters = {m.canonical for m in x.mentions if m.type == "IndustryCluster"}
    assert {"现代煤化工产业集群", "光电LED产业集群", "信创产业集群", "低空经济产业集群"} <= clusters
    assert ("Region", "成渝地区双城经济圈") in ents(x)
    assert not any(t.startswith("让") for t in texts(x, "Enterprise"))


def test_seed_facts(seeds):
    x = seeds["000_00aa1898deac1099.txt"]
    vals = {f.value for f in x.facts}
    assert {"936个", "1947.84亿元"} <= vals


def test_extract_all_parallel_preserves_order(seeds):
    docs = [x.doc for x in seeds.values()]
    one = extract.extract_all(docs, workers=1)
    two = extract.extract_all(docs, workers=2)
    assert [e.doc.doc_id for e in two] == [d.doc_id for d in docs]
    assert [extract.to_json(e) for e in one] == [extract.to_json(e) for e in two]


# ---------------------------------------------------------------- lists and placement cues

def test_cluster_list_with_shared_place_prefix(ex):
    x = run(ex, "台州市着力培育路桥汽摩配件和模具、温岭泵与电机、玉环阀门等3个产业集群。")
    clusters = {m.canonical for m in x.mentions if m.type == "IndustryCluster"}
    assert {"路桥汽摩配件产业集群", "路桥模具产业集群", "玉环阀门产业集群"} <= clusters
    assert ("玉环阀门产业集群", "locatedIn", "玉环市") in rels(x) or ("玉环阀门产业集群", "locatedIn", "玉环县") in rels(x)


def test_product_list_belongs_to_chain(ex):
    x = run(ex, "龙头企业作为光伏产业链“链主”，带动多家配套企业落户，实现了边框、背板、焊带等光伏辅材就地配套。")
    prods = texts(x, "Product")
    assert {"边框", "背板", "焊带", "光伏辅材"} <= prods
    assert ("焊带", "belongsToChain", "光伏产业链") in rels(x)


def test_explicit_location_cue_beats_nearest_place(ex):
    x = run(ex, "在余杭区，年产20万台智能马桶项目落户未来科技城，项目总投资8亿元。")
    assert ("年产20万台智能马桶项目", "locatedIn", "未来科技城") in rels(x)
    assert ("年产20万台智能马桶项目", "locatedIn", "余杭区") not in rels(x)


def test_topic_park_places_unplaced_projects(ex):
    x = run(ex, "芜湖经开区加快发展。芜湖经开区新签约项目12个。芜湖经开区重点推进智能座舱产业园建设。"
                "芜湖经开区营商环境持续优化。年产50万套汽车座椅骨架项目开工。")
    assert ("年产50万套汽车座椅骨架项目", "locatedIn", "芜湖经开区") in rels(x)


def test_phase_named_plant_with_amount_and_place(ex):
    x = run(ex, "常州精锐电子有限公司专业从事传感器封装，公司在科技城投资8000万元扩建二期工厂。")
    assert ("常州精锐电子有限公司", "implements", "二期工厂") in rels(x)
    assert ("二期工厂", "investment", "8000万元") in rels(x)
    assert ("二期工厂", "locatedIn", "科技城") in rels(x)


def test_headline_figures_are_attributed_to_the_county_or_park_that_states_them(ex):
    text = ("晋中市招商引资成效显著。1至9月，全市签约项目120个，签约金额360亿元。"
            "平遥县县级领导先后赴广东、福建等地开展招商，累计签约项目8个，签约总额21.5亿元。"
            "围绕主导产业，晋中高新区重点推进12个项目，总投资85亿元。")
    facts = ex.extract(ingest.build_document(text, "jinzhong.txt")).facts
    by_value = {f.value: f for f in facts}
    assert by_value["120个"].subject == "晋中市" and by_value["120个"].period == "1至9月"
    assert by_value["360亿元"].subject == "晋中市"
    assert by_value["8个"].subject == "平遥县"
    assert by_value["21.5亿元"].subject == "平遥县"
    assert by_value["85亿元"].subject.endswith("高新区")
