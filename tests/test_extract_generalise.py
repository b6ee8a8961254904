"""The extractor must work on other cities and other chains: no seed names in the data files,
behaviour on texts that share nothing with the seeds, gazetteer sanity."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from kg import extract, ingest, resources

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ex() -> extract.Extractor:
    return extract.Extractor()


def run(ex, text: str):
    return ex.extract(ingest.build_document(text, "g.txt"))


def test_lexicon_holds_no_seed_names():
    """ontology/data holds general language only: no enterprise/project names of the seeds."""
    seed_text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt"))
    legal = set(re.findall(r"[\u4e00-\u9fff()（）]{4,20}?(?:有限公司|集团)", seed_text))
    projects = set(re.findall(r"[\u4e00-\u9fffA-Za-z0-9]{6,30}?项目", seed_text))
    lex = (resources.data_dir() / "extract_lexicon.json").read_text(encoding="utf-8")
    for name in legal | projects:
        core = re.sub(r"^(?:山西|长治市?|浙江)", "", name)
        assert core not in lex, f"seed name in lexicon: {name}"
    for word in ("华烨", "霍家", "卡仕途", "圣农", "长治", "襄垣", "潞城"):
        assert word not in lex


def test_divisions_table():
    with open(resources.data_dir() / "divisions.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by = {r["name"]: r for r in rows}
    assert len(rows) > 3000
    assert by["北京市"]["type"] == "City"
    assert by["浙江省"]["type"] == "Province" and by["浙江省"]["short_name"] == "浙江"
    assert by["江阴市"]["type"] == "County" and by["江阴市"]["parent_province"] == "江苏省"
    assert by["襄垣县"]["parent_city"] == "长治市" and by["襄垣县"]["short_name"] == "襄垣"
    assert by["内蒙古自治区"]["short_name"] == "内蒙古"
    assert by["上党区"]["type"] == "County"  # post-2018 renames applied


def test_other_city_other_chain(ex):
    x = run(ex, "合肥市加快建设新能源汽车产业集群。合肥经开区内，安徽星驰汽车科技有限公司年产30万辆新能源整车项目"
                "投产，项目总投资120亿元。星驰汽车作为新能源汽车产业链“链主”，吸引了一批零部件企业落户。")
    ents = {(m.type, m.canonical) for m in x.mentions}
    assert ("City", "合肥市") in ents
    assert ("Park", "合肥经开区") in ents
    assert ("Enterprise", "安徽星驰汽车科技有限公司") in ents
    assert ("IndustryChain", "新能源汽车产业链") in ents
    rels = {(r.head, r.rel, r.tail) for r in x.relations}
    assert ("安徽星驰汽车科技有限公司", "implements", "年产30万辆新能源整车项目") in rels
    assert ("年产30万辆新能源整车项目", "investment", "120亿元") in rels
    assert ("年产30万辆新能源整车项目", "capacity", "年产30万辆") in rels
    assert ("年产30万辆新能源整车项目", "locatedIn", "合肥经开区") in rels
    assert ("安徽星驰汽车科技有限公司", "chainLeaderOf", "新能源汽车产业链") in rels


def test_region_cluster_scheme_only_where_its_city_is_named(ex):
    # 长治's scheme labels (新材料, 食品 …) are not clusters in a text about another city
    x = run(ex, "苏州市重点发展新材料、食品、电子信息等产业。")
    assert not [m for m in x.mentions if m.type == "IndustryCluster"]


def test_county_level_city_is_county(ex):
    x = run(ex, "江阴市临港开发区引进一批装备制造项目。")
    assert ("County", "江阴市") in {(m.type, m.canonical) for m in x.mentions}


def test_supplies_to_list(ex):
    x = run(ex, "宁波华晟电器有限公司专业生产洗碗机用电机，为海尔、美的和方太等配套生产。")
    rels = {(r.head, r.rel, r.tail) for r in x.relations}
    assert {("宁波华晟电器有限公司", "suppliesTo", n) for n in ("海尔", "美的", "方太")} <= rels
    assert ("宁波华晟电器有限公司", "produces", "洗碗机用电机") in rels


def test_no_supply_without_a_supply_word(ex):
    # a leader and the firms brought in beside it: no sentence says who supplies whom
    x = run(ex, "近年来，青川县聚焦锂电池产业链，以青岚锂业为链主企业，先后引进北辰新材、远帆隔膜、"
                "松岭电解液等上下游配套企业20余家。")
    assert ("青岚锂业", "chainLeaderOf", "锂电池产业链") in {(r.head, r.rel, r.tail) for r in x.relations}
    assert not [r for r in x.relations if r.rel == "suppliesTo"]


def test_product_list_starts_after_the_supply_verb(ex):
    x = run(ex, "汽车零部件产业园已入驻远帆精工、松岭橡塑等配套企业14家，为北辰汽车基地提供座椅、内饰、线束等零部件。")
    products = {m.text for m in x.mentions if m.type == "Product"}
    assert {"座椅", "内饰", "线束"} <= products
    assert not [p for p in products if "提供" in p]


def test_policy_heading_chain_and_its_links(ex):
    # a numbered heading names the chain; the links listed after 重点发展 are no firm's products
    x = run(ex, "（一）做强储能产业链。发挥青岚储能链主企业作用，重点发展电芯、储能变流器、电池管理系统等环节。")
    rels = {(r.head, r.rel, r.tail) for r in x.relations}
    assert {m.canonical for m in x.mentions if m.type == "IndustryChain"} == {"储能产业链"}
    assert ("青岚储能", "chainLeaderOf", "储能产业链") in rels
    assert not [r for r in x.relations if r.rel == "produces"]


def test_place_and_trade_firm_has_no_trade_short_form(ex):
    # 北辰 is a district: the rest of the firm's name is a trade, not a short name that would take
    # the cluster's words for the firm
    x = run(ex, "青州市智能装备产业集群实现产值420亿元。其中北辰智能装备股份有限公司产值超过20亿元。")
    assert "青州市智能装备产业集群" in {m.canonical for m in x.mentions if m.type == "IndustryCluster"}
    assert "智能装备" not in {m.text for m in x.mentions if m.type == "Enterprise"}


def test_da_inside_a_trade_name_is_no_verb(ex):
    x = run(ex, "浙江远达汽车零部件有限公司为星河汽车提供座椅。")
    assert "浙江远达汽车零部件有限公司" in {m.text for m in x.mentions if m.type == "Enterprise"}


def test_group_name_points_to_the_legal_name(ex):
    x = run(ex, "山东远帆集团有限公司扩产。远帆集团主要生产轮胎。")
    assert {m.canonical for m in x.mentions if m.type == "Enterprise"} == {"山东远帆集团有限公司"}


def test_chain_keeps_the_character_jieba_glued_to_the_verb(ex):
    x = run(ex, "青州市梳理出新能源汽车产业链招商图谱。")
    assert {m.canonical for m in x.mentions if m.type == "IndustryChain"} == {"新能源汽车产业链"}


def test_json_roundtrip_of_all_texts(ex):
    for p in sorted((ROOT / "tests" / "texts").glob("*.txt")):
        rec = extract.to_json(ex.extract(ingest.read_document(p)))
        assert json.loads(json.dumps(rec, ensure_ascii=False)) == rec


def test_degenerate_documents(ex):
    for text in ("", "\n\n", "hello world 123", "。。。，，，", "项目" * 50, "有限公司有限公司", "《》“”"):
        x = run(ex, text)
        for m in x.mentions:
            assert x.doc.text[m.start:m.end] == m.text
    assert extract.extract_all([ingest.build_document("", "empty.txt")])[0].mentions == []


def test_cjk_automaton_offsets():
    from kg.nlp import CJKAutomaton

    ac = CJKAutomaton()
    for k in ("长治", "长治市", "治市", "LED"):
        ac.add_word(k, k)
    ac.make_automaton()
    text = "😀在长治市和LED之间"
    hits = [(end, v) for end, v in ac.iter(text)]
    assert all(text[end - len(v) + 1:end + 1] == v for end, v in hits)
    assert {v for _, v in hits} == {"长治", "长治市", "治市", "LED"}
    assert [v for _, v in ac.iter_long(text)] == ["长治市", "LED"]


@pytest.mark.parametrize("text, gone", [
    ("由于稀土永磁电机项目进展顺利，该县追加了投资。", "由于"),
    ("虽然政府补贴到位，尽管众多储能电站项目已经开工，资金仍然紧张。", "尽管"),
    ("任凭诸多新能源项目上马，电网消纳有限。", "诸多"),
])
def test_conjunctions_and_quantifiers_open_no_name(ex, text, gone):
    """A conjunction or a vague quantity before a project word begins no name."""
    names = [m.text for m in run(ex, text).mentions]
    assert not any(n.startswith(gone) for n in names), names


@pytest.mark.parametrize("text, wrong", [
    ("这要看主流公司愿不愿意来。", "主流公司"),
    ("比如说跨国公司也会跟进。", "跨国公司"),
    ("他曾任远帆重工公司总经理。", "他曾任远帆重工公司"),
    ("前者稀土磁材项目已开工。", "前者"),
])
def test_sentence_words_before_a_kind_of_firm(ex, text, wrong):
    """Words of the sentence (verbs, pronouns, 比如说) before a firm or a kind of firm are not its name."""
    names = [m.text for m in run(ex, text).mentions]
    assert not any(wrong in n for n in names), names


def test_rare_verb_trade_name_is_still_a_firm(ex):
    names = {m.text for m in run(ex, "启明电池有限公司在当地扩产。").mentions if m.type == "Enterprise"}
    assert "启明电池有限公司" in names


@pytest.mark.parametrize("text,name", [
    ("在远望体育用品集团有限公司带动下，本地形成了产业链。", "远望体育用品集团有限公司"),
    ("合资成立远望米业有限公司。", "远望米业有限公司"),
])
def test_rare_verb_before_a_trade_in_common_nouns_is_the_trade_name(ex, text, name):
    assert name in {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}


@pytest.mark.parametrize("text, projects", [
    ("今年将全面实施蓝天示范工程和“1234”储能应用工程。", {"蓝天示范工程", "“1234”储能应用工程"}),
    ("该县积极争取青山光伏项目与绿水风电项目落地。", {"青山光伏项目", "绿水风电项目"}),
])
def test_two_projects_joined_by_and_are_two(ex, text, projects):
    """Each project with its own suffix is its own name; jieba's compound of two stop words
    (全面实施) is no part of a name."""
    got = {m.text for m in run(ex, text).mentions if m.type == "Project"}
    assert got == projects


@pytest.mark.parametrize("text, project", [
    ("青禾能源公司投资5亿元建设的北岭水电站今日开工。", "北岭水电站"),
    ("仪器能检测出距离电站的位置，公司投资建设智能变电站。", None),
    ("国内首座独立调频储能电站由青禾能源公司投资建设。", None),
    ("该县投资3亿元建设南山光伏电站，预计明年并网。", "南山光伏电站"),
])
def test_named_plants_are_projects(ex, text, project):
    """A plant with a proper name, in a sentence about an investment, is a project; a kind of
    plant or a description of one is not; a common-word short form (南山) is no place alone."""
    ms = run(ex, text).mentions
    assert {m.text for m in ms if m.type == "Project"} == ({project} if project else set())
    assert not any(m.type in ("County", "City") for m in ms)


@pytest.mark.parametrize("text, firm", [
    ("宜兴市青禾稀土冶炼厂去年停产。", "宜兴市青禾稀土冶炼厂"),
    ("鲁南化肥厂去年停产。", "鲁南化肥厂"),
    ("当地一家电子制造厂去年停产。", None),
    ("无锡两家乘用轮胎厂去年停产。", None),
])
def test_factories_with_a_name_are_firms(ex, text, firm):
    got = {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}
    assert got == ({firm} if firm else set())


@pytest.mark.parametrize("text, place", [
    ("远帆轮胎正扩建苏州与常州两家公司的生产线。", "常州"),
    ("远帆轮胎计划提升苏州与常州两座卡车轮胎厂的产量。", "常州"),
])
def test_place_before_a_count_of_firms_stays_a_place(ex, text, place):
    ms = run(ex, text).mentions
    assert place in {m.text for m in ms if m.type in ("City", "County")}
    assert not any(m.type == "Enterprise" and m.text.startswith(place) for m in ms)


def test_places_in_short_name():
    from kg.components.projectparts import places_in
    assert [p[:2] for p in places_in("无锡", 0)] == [(0, 2)]


@pytest.mark.parametrize("text", [
    "青禾电子已向远帆汽车批量供应电池包。",
    "青禾电子是远帆汽车动力电池的主要供应商。",
    "远帆汽车的供应商青禾电子今年扩产。",
])
def test_customer_name_stops_before_adverb_or_product(ex, text):
    """The customer of a supply cue is the firm, not the firm glued to 批量 or to its product."""
    rels = {(r.head, r.tail) for r in run(ex, text).relations if r.rel == "suppliesTo"}
    assert rels == {("青禾电子", "远帆汽车")}


@pytest.mark.parametrize("text, leader, chain", [
    ("工程机械产业链链主企业青禾重工今年产值突破百亿元。", "青禾重工", "工程机械产业链"),
    ("青禾重工被认定为工程机械产业链“链主”企业。", "青禾重工", "工程机械产业链"),
    ("青禾重工是全市工程机械产业链的链主企业。", "青禾重工", "工程机械产业链"),
    ("发挥青禾重工等链主企业带动作用，做强工程机械产业链。", "青禾重工", "工程机械产业链"),
    ("新能源汽车产业链以远帆汽车为龙头，青禾电池为链核。", "远帆汽车", "新能源汽车产业链"),
    ("作为全县光伏产业链的链主企业，远帆光能近三年累计投资60亿元。", "远帆光能", "光伏产业链"),
])
def test_chain_leader_cues(ex, text, leader, chain):
    """A leader named by a cue, with the clause after its name cut off and the scope (全市) before
    the chain's name dropped."""
    assert (leader, chain) in {(r.head, r.tail) for r in run(ex, text).relations if r.rel == "chainLeaderOf"}


def test_longtou_needs_a_firm(ex):
    got = run(ex, "以培育整机为重点、配件为龙头，打造完整的农机装备产业链。")
    assert not [r for r in got.relations if r.rel == "chainLeaderOf"]


@pytest.mark.parametrize("text, projects", [
    ("该县投资5.2亿元实施城乡饮水提质工程建设项目。", {"城乡饮水提质工程建设项目"}),
    ("青禾集团在洛川县实施陕西优质猕猴桃产业项目。", {"陕西优质猕猴桃产业项目"}),
    ("今年全县重点产业项目进展顺利，新兴产业项目加快落地，建设项目开工率达到90%。", set()),
    ("重大项目青禾储能智能科技产业项目开工。", {"青禾储能智能科技产业项目"}),
    ("今年全省完成2000多座山塘清淤整治项目。", set()),  # a count of works
    ("交易中心上月通过网上竞价成交52笔项目。", set()),
    ("岚山光电的显示模组项目今年投产。", {"显示模组项目"}),  # a verb that opens a product name
    ("青岚光电年产200万片光伏电池片项目进入调试。", {"青岚光电年产200万片光伏电池片项目"}),  # a classifier ends the product
])
def test_industry_and_construction_project_names(ex, text, projects):
    """某某产业项目 and 某某建设项目 are names; kinds of projects (重点产业项目, 建设项目) are not."""
    assert {m.text for m in run(ex, text).mentions if m.type == "Project"} == projects


def test_amounts_with_duo_and_without_currency():
    from kg import literals
    found = [m.group() for m in literals.INVEST_LITERAL_RE.finditer("甲项目总投资120亿，乙工程投资40多亿元，年产值80亿。")]
    assert found == ["120亿", "40多亿元"]
    assert literals.parse_amount("40多亿元") == (4_000_000_000, "CNY")
    assert literals.parse_amount("120亿") == (12_000_000_000, "")  # the text names no currency


def test_a_name_ending_in_a_works_word_is_no_firm(ex):
    x = run(ex, "远帆光电显示模组生产线今年投产。")
    assert not [m for m in x.mentions if m.type == "Enterprise" and m.text.endswith("生产线")]


def test_amount_typeset_with_a_space_at_the_point(ex):
    x = run(ex, "青禾电源项目总投资3 .5亿元，今年开工。")
    assert ("青禾电源项目", "investment", "3.5亿元") in {(r.head, r.rel, r.tail) for r in x.relations}


def test_capacity_prefixes_and_units():
    from kg import literals
    found = [m.group() for m in literals.CAP_RE.finditer("产能达到每月7.5万片，年制造115套储能系统，每年500万支，年生产了8.2吨，3支队伍。")]
    assert found == ["每月7.5万片", "年制造115套", "每年500万支", "8.2吨"]


def test_quoted_cluster_name(ex):
    got = run(ex, "该省持续打造“青山储能+智造”产业集群，引进远帆储能、星海材料等企业。")
    clusters = {m.text for m in got.mentions if m.type == "IndustryCluster"}
    assert clusters == {"“青山储能+智造”产业集群"}


def test_province_before_a_city_park(ex):
    got = run(ex, "远帆电子位于湖北省黄石经济技术开发区。")
    assert {m.text for m in got.mentions if m.type == "Park"} == {"黄石经济技术开发区"}
    assert ("黄石经济技术开发区", "湖北省") in {(r.head, r.tail) for r in got.relations if r.rel == "locatedIn"}


@pytest.mark.parametrize("text, place", [
    ("今年日照时数偏少，降水偏多。", None),
    ("干部群众弘扬大庆精神。", None),
    ("加拿大连续降雨导致减产。", None),
    ("南方山区的交通条件正在改善。", None),
    ("企业要加强对资源的控制，比如在西藏的矿山。", "西藏自治区"),
    ("专家们集中到北京郊区开会。", "北京市"),
    ("客车公司在甘肃兰州举行交车仪式。", "兰州市"),
    ("本周青岛港铁矿石库存下降。", "青岛市"),
    ("门店开在杭州市延安北路上。", "杭州市"),
    ("新店设在成都人民南路与西藏大道路口。", "成都市"),
    ("车队从兰州出发，经武威路段抵达。", "兰州市|武威市"),
    ("上海东海大桥旁的风电场已并网。", "上海市"),
    ("舟山东海大桥光伏发电项目二期已开工。", "舟山市"),  # (the place read off a project's name)
])
def test_short_place_names_need_a_word_of_their_own(ex, text, place):
    got = {m.canonical for m in run(ex, text).mentions if m.type in ("City", "County", "Province")}
    assert got == (set(place.split("|")) if place else set())


@pytest.mark.parametrize("text, mention, canonical", [
    ("风电场建在木垒县境内。", "木垒县", "木垒哈萨克自治县"),
    ("德宏州的口岸物流发展很快。", "德宏州", "德宏傣族景颇族自治州"),
    ("长沙市场上的二手车交易活跃。", "长沙市", "长沙市"),
])
def test_short_place_name_keeps_its_level_word(ex, text, mention, canonical):
    """An autonomous county or prefecture written as short name + 县/州: the mention is what the
    text says (so it matches how a reader names it), the canonical the official name."""
    got = {(m.text, m.canonical) for m in run(ex, text).mentions if m.type in ("City", "County")}
    assert (mention, canonical) in got


def test_brand_before_its_product_is_the_brand(ex):
    """观摩比亚迪新能源汽车: the firm is the brand; 新能源汽车 is what it makes, not part of its name."""
    firms = {m.text for m in run(ex, "代表团观摩比亚迪新能源汽车生产线。").mentions if m.type == "Enterprise"}
    assert firms == {"比亚迪"}


@pytest.mark.parametrize("text, product", [
    ("青禾电子主营铝型材、铝棒等产品。", "铝型材"),
    ("青禾电子年产锂电池10万套。", "锂电池"),
    ("青禾电子的主要产品包括伺服电机、减速器等。", "伺服电机"),
    ("青禾电子专注于碳化硅芯片的研发与生产。", "碳化硅芯片"),
    ("动力电池生产企业青禾电子今年扩产。", "动力电池"),
])
def test_production_cues_name_the_maker(ex, text, product):
    assert ("青禾电子", product) in {(r.head, r.tail) for r in run(ex, text).relations if r.rel == "produces"}


def test_weak_production_cue_needs_a_sure_name(ex):
    """A clause opening 某某销售的… or a person's name (阿马蒂亚·森) is no maker."""
    got = run(ex, "外国企业在华销售的产品增长，阿马蒂亚·森主要研究福利经济学。")
    assert not [m for m in got.mentions if m.type == "Enterprise"]


def test_a_firm_named_after_its_city_is_not_placed_there_by_its_name():
    from kg.relate import Candidate, Node, _consistent

    firm = Node("深圳远帆传媒集团", "Enterprise", 0, 8, 0)
    city, county = Node("深圳市", "City", 10, 13, 0), Node("远帆县", "County", 10, 13, 0)
    county_firm = Node("远帆县青禾农牧公司", "Enterprise", 0, 9, 0)
    chosen = [(Candidate(firm, "locatedIn", city, 0), 0.9),
              (Candidate(firm, "locatedIn", city, 1, source="cue:items_arrive"), 0.85),
              (Candidate(county_firm, "locatedIn", county, 0), 0.9)]
    kept = [(c.head.name, c.tail.name, c.source) for c, _ in _consistent(chosen)]
    assert kept == [("深圳远帆传媒集团", "深圳市", "cue:items_arrive"), ("远帆县青禾农牧公司", "远帆县", "model")]


def test_only_the_most_specific_place_of_a_sentence_is_kept(ex):
    got = run(ex, "远帆电子总部位于深圳市南山区。")
    assert {(r.head, r.tail) for r in got.relations if r.rel == "locatedIn"} == {("远帆电子", "南山区")}


def test_a_title_ends_no_firm_name(ex):
    """知名电池厂商青禾能源副总经理王明: the title and the person are not part of the firm's name."""
    got = run(ex, "知名电池厂商青禾能源副总经理王明表示，订单充足。")
    assert not [m for m in got.mentions if m.type == "Enterprise" and "副总经理" in m.text]


@pytest.mark.parametrize("text, pairs", [
    ("当地聚集了青禾电子、蓝湾科技等打印机厂商。", {("青禾电子", "打印机"), ("蓝湾科技", "打印机")}),
    ("星河超市向青禾电器、蓝湾电器等空调品牌下了大单。", {("青禾电器", "空调"), ("蓝湾电器", "空调")}),
    ("青禾电子、蓝湾科技等龙头企业都在当地设有仓库。", set()),
])
def test_firm_list_with_a_product_head_makes_the_product(ex, text, pairs):
    """甲、乙等<product>厂商/企业/品牌: every firm of the list makes the product; a list whose head
    names no product states nothing, and the clause before the first item is not a firm."""
    got = {(r.head, r.tail) for r in run(ex, text).relations if r.rel == "produces" and r.source.startswith("cue:")}
    assert got == pairs


@pytest.mark.parametrize("text, firms", [
    ("他们依托中国稀有石墨有限公司开展合作。", {"中国稀有石墨有限公司"}),
    ("今年电池有限公司的效益普遍好转。", set()),
    ("青禾电池有限公司正式投产。", {"青禾电池有限公司"}),
])
def test_a_firm_name_is_more_than_its_product(ex, text, firms):
    """A place-led name keeps the word jieba tags a verb (中国|稀有|石墨); product + 公司 alone is a
    kind of firm, not a name."""
    assert {m.text for m in run(ex, text).mentions if m.type == "Enterprise"} == firms


@pytest.mark.parametrize("text, typ, name", [
    ("要充分发挥青禾经济开发区的区位优势。", "Park", "青禾经济开发区"),
    ("当地大力发展蓝湾电子集团的配套产业。", "Enterprise", "蓝湾电子集团"),
    ("据悉，近期星河重工有限公司将公布新品。", "Enterprise", "星河重工有限公司"),
])
def test_fused_verbs_and_time_words_end_the_left_context(ex, text, typ, name):
    """充分发挥 / 大力发展 (one jieba word, tagged a noun) and 近期 / 今年 / 元月 stand before a name,
    never inside it."""
    assert {m.text for m in run(ex, text).mentions if m.type == typ} == {name}


@pytest.mark.parametrize("text, typ, names", [
    ("宁德时代发展储能业务。", "Enterprise", {"宁德时代"}),
    ("职工都以公司为傲，干劲更足。", "Enterprise", set()),
    ("相关事项我公司将另行公告。", "Enterprise", set()),
    ("第二天青禾澳洲公司发表声明。", "Enterprise", {"青禾澳洲公司"}),
    ("拉萨水泥项目近日开工建设。", "Project", {"拉萨水泥项目"}),
    ("公司拟在当地建30万吨工厂。", "Project", {"30万吨工厂"}),
])
def test_verbs_around_names(ex, text, typ, names):
    """发展 after a brand is the verb; 以公司 is the sentence's word for the firm; a place and a
    common trade noun name a project; 建 before a plant is the verb."""
    assert {m.text for m in run(ex, text).mentions if m.type == typ} == names


def test_firm_name_in_a_project_is_not_its_product(ex):
    """某某新材料生产基地: 某某新材料 reads as the firm's name (firm-name model), so the project names
    no product of its own; a product phrase (硅碳负极材料) stays the product."""
    got = run(ex, "青禾新材料生产基地二期开工。年产5万吨硅碳负极材料项目开工。")
    assert {m.text for m in got.mentions if m.type == "Product"} == {"硅碳负极材料"}


@pytest.mark.parametrize("text, product", [
    ("这个车间生产全部采用水性涂料。", "水性涂料"),
    ("青禾公司主要生产直驱风机及储能变流器。", "直驱风机"),
    ("青禾公司主要生产平板电脑用显示屏。", "平板电脑用显示屏"),
])
def test_product_after_a_production_verb_sheds_the_clause(ex, text, product):
    """生产 + clause + product: the common verbs and function words of the clause are not part of
    the product; one-character and rarer verbs inside product names (直驱, 空气能, 某某用) stay."""
    assert product in {m.text for m in run(ex, text).mentions if m.type == "Product"}


def test_maker_cue_names_no_common_word_as_firm(ex):
    """某水泵制造商设备: 设备 after a maker word is a noun of the sentence, neither a firm nor (with 商)
    a product."""
    got = run(ex, "业主偏爱某水泵制造商设备，这种做法引发争议。")
    assert {(m.type, m.text) for m in got.mentions} == {("Product", "水泵")}


def test_a_county_named_by_a_common_word_needs_its_level_or_city(ex):
    """资源, 比如, 平原 are words first: their county counts written with 县/区, after its city, or
    once the text has named it so."""
    got = [m.text for m in run(ex, "佛山南海的家具企业很多。南海家具出口增长。资源县位于桂林，资源很丰富。").mentions
           if m.type == "County"]
    assert got == ["南海", "南海", "资源县"]


def test_a_trade_before_a_title_is_no_firm(ex):
    """卫浴企业…, 某某卫浴总裁: the cue before 总裁 names 青禾卫浴, and the trade 卫浴 is no firm of its own."""
    got = run(ex, "这几年卫浴市场变化大。卫浴总裁助理表示，青禾卫浴总裁李明也到场。")
    assert {m.text for m in got.mentions if m.type == "Enterprise"} == {"青禾卫浴"}


@pytest.mark.parametrize("text, projects", [
    ("募集资金将投向年产80万台冰柜技改项目。", {"年产80万台冰柜技改项目"}),
    ("到2030年我国工程装备出口将扩大。", set()),
])
def test_project_left_context_words(ex, text, projects):
    """投向 and 我国 end the text before a project's name; 我国 + a generic word names none."""
    assert {m.text for m in run(ex, text).mentions if m.type == "Project"} == projects


@pytest.mark.parametrize("text, typ, names", [
    ("该资产隶属于青禾集团的装备板块。", "Enterprise", {"青禾集团"}),
    ("商场可以向财产保险公司索赔。", "Enterprise", set()),
    ("某企业投资20亿元开发铜矿选冶工程。", "Project", {"铜矿选冶工程"}),
])
def test_kinds_and_verbs_jieba_mistags(ex, text, typ, names):
    """隶属于 (tagged a noun) is a verb before a name; 财产保险公司 is a kind of firm; 开发 before a
    project is the verb."""
    assert {m.text for m in run(ex, text).mentions if m.type == typ} == names


def test_a_trade_is_no_supply_target(ex):
    """为电子、商务等行业配套: trades, not customers; 为远帆汽车配套 names one."""
    got = run(ex, "园区还为电子、商务等行业配套。青禾电子为远帆汽车配套。")
    assert {m.text for m in got.mentions if m.type == "Enterprise"} == {"青禾电子", "远帆汽车"}


def test_short_form_keeps_a_common_word_place_before_a_common_noun(ex):
    """东方 is a district's short form but a word first: 东方电缆 is the firm's short form, not 电缆
    (which would make every cable in the text the firm)."""
    assert extract._short_forms(ex, "青州东方电缆有限公司") == ("东方电缆",)
    assert extract._short_forms(ex, "中山远岚染整有限公司") == ("远岚染整",)  # a city before a name


@pytest.mark.parametrize("text, glued, firm", [
    ("青禾电子集团昨日发布公告。某基金累计出售青禾电子集团股份500万股，占青禾电子集团总股本的1.2%。", "占青禾电子集团",
     "青禾电子集团"),
    ("工信部发布消息，原则同意星海钢铁集团与青禾特钢的重组方案。星海钢铁集团随即确认。", "原则同意星海钢铁集团", "星海钢铁集团"),
])
def test_clause_words_glued_before_a_firm_named_elsewhere(ex, text, glued, firm):
    """A short clause word before a firm the text also names on its own is not part of that name."""
    names = {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}
    assert firm in names and glued not in names, names


@pytest.mark.parametrize("text, firm", [
    ("两家企业目前竞购新西兰青禾矿业公司的股权。", "新西兰青禾矿业公司"),
])
def test_verbal_noun_before_a_place_that_opens_a_name(ex, text, firm):
    assert firm in {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}


def test_date_before_a_bare_company_word_is_no_firm(ex):
    names = {m.text for m in run(ex, "2012年3月5日公司收购了母公司的资产。").mentions if m.type == "Enterprise"}
    assert not any("公司" in n for n in names), names


def test_title_words_after_a_firm_are_not_its_name(ex):
    """常务副总经理, 高级副总裁: the whole title follows the firm's name."""
    got = run(ex, "青禾汽车常务副总经理张某表示，订单饱满。星海电器高级副总裁李某认为。")
    assert {m.text for m in got.mentions if m.type == "Enterprise"} == {"青禾汽车", "星海电器"}


@pytest.mark.parametrize("text, project", [
    ("今年星海公司和青禾科技合作建设LED封装项目。", "LED封装项目"),
    ("远帆集团投资建设铜冶炼项目，预计明年投产。", "铜冶炼项目"),
])
def test_a_process_verb_ends_a_project_name(ex, text, project):
    """封装, 冶炼: a product and the process applied to it name a project, though jieba tags the process a verb."""
    assert project in {m.text for m in run(ex, text).mentions if m.type == "Project"}


def test_a_securities_firm_or_bank_makes_no_goods(ex):
    """head_not_with: 青禾证券公司 生产水泥 is no production link; the cement maker's is."""
    got = run(ex, "华泰证券分析师指出，星海建材公司主要生产水泥和熟料。青禾证券公司生产水泥。")
    made = {(r.head, r.tail) for r in got.relations if r.rel == "produces"}
    assert ("星海建材公司", "水泥") in made and not any("证券" in h for h, _ in made), made


def test_a_hearsay_opener_before_this_project(ex):
    """据媒体披露，该项目…: the anaphor after a 据… opener still names the project before it."""
    got = run(ex, "青禾矿业公司计划开发远帆铜矿项目。据媒体披露，该项目年产铜精矿20万吨。")
    assert sum(m.type == "Project" for m in got.mentions) == 2


@pytest.mark.parametrize("text, firms, project", [
    ("青禾石油有限公司和远帆能源有限公司共同开发的海湾天然气项目明年投产。", {"青禾石油有限公司", "远帆能源有限公司"}, "海湾天然气项目"),
    ("星河面板项目计划投资80亿元，由青禾电子集团与远帆投资有限公司分别持股60%和40%。", {"青禾电子集团", "远帆投资有限公司"}, "星河面板项目"),
])
def test_joint_venture_partners_implement_the_project(ex, text, firms, project):
    got = run(ex, text)
    assert {r.head for r in got.relations if r.rel == "implements" and r.tail == project} == firms


@pytest.mark.parametrize("text, typ, name", [
    ("远帆股份在平和县新建3000吨/年钨冶炼项目。", "Project", "3000吨/年钨冶炼项目"),
    ("青禾公司持有Blue Ridge铁矿项目30%股权。", "Project", "BlueRidge铁矿项目"),
    ("对方将股份转让予Harbor Trading Pte公司。", "Enterprise", "HarborTradingPte公司"),
    ("力拓是全球矿业巨头。青禾钢铁计划入股中铝和力拓海湾铁矿项目。", "Project", "海湾铁矿项目"),
])
def test_names_with_rates_spaced_latin_words_or_a_firm_before_them(ex, text, typ, name):
    """吨/年 and a space between Latin words stay inside a name; a name does not start inside a firm's."""
    names = {m.canonical.replace(" ", "") for m in run(ex, text).mentions if m.type == typ}
    assert name in names, names


def test_a_country_and_a_generic_word_name_no_project(ex):
    got = run(ex, "近年来，多家钢企加快收购巴西资源项目。")
    assert not [m.text for m in got.mentions if m.type == "Project"]


def test_a_well_known_name_beats_a_short_form_inside_it(ex):
    """中国北车 (gazetteer) is not 中国 + the short form 北车 of 北车集团 named in the same text."""
    got = run(ex, "中国北车昨日发布公告，计划增发新股。大股东北车集团表示将参与认购。北车集团目前持有中国北车过半股份。")
    assert {m.canonical for m in got.mentions if m.type == "Enterprise"} == {"中国北车", "北车集团"}


@pytest.mark.parametrize("text, firms", [
    ("时任远帆集团公司总经理的张某表示，订单充足。", {"远帆集团公司"}),
    ("整个集团今年扩产。星海电缆公司与电缆公司不同。", {"星海电缆公司"}),
])
def test_a_title_word_or_a_kind_of_company_is_no_firm_name(ex, text, firms):
    """时任 (then serving as) opens no name; 整个集团 and 电缆公司 are kinds, not firms."""
    assert {m.text for m in run(ex, text).mentions if m.type == "Enterprise"} == firms


def test_a_base_before_a_project_word_stays_in_the_project(ex):
    """生产基地 describes a firm only before a legal name: 某蔬菜生产基地建设项目 stays whole."""
    got = run(ex, "县里今年开工建设2万亩绿色蔬菜生产基地建设项目。")
    assert "2万亩绿色蔬菜生产基地建设项目" in {m.text for m in got.mentions if m.type == "Project"}


def test_a_firm_invests_raised_funds_into_its_projects(ex):
    got = run(ex, "青禾光电股份有限公司拟增发新股募资12亿元，资金将投向光棒扩建项目等。")
    assert ("青禾光电股份有限公司", "光棒扩建项目") in {(r.head, r.tail) for r in got.relations if r.rel == "implements"}


@pytest.mark.parametrize("text, chains", [
    ("全县大力发展现代农业，形成粮食加工、肉制品、果蔬饮料产业链。", {"粮食加工产业链", "肉制品产业链", "果蔬饮料产业链"}),
    ("企业要实施兼并重组、减少重复建设、延伸产业链。", set()),
    ("该市集聚了全省半导体上、中、下游产业链的大部分企业。", set()),
])
def test_a_bare_list_glued_to_chain_names_a_chain_per_item(ex, text, chains):
    assert {m.canonical for m in run(ex, text).mentions if m.type == "IndustryChain"} == chains


def test_a_length_capacity_but_no_speed(ex):
    """年产1620公里 (cable) is a capacity; 时速350公里 is a speed, not one."""
    got = run(ex, "远帆线缆有限公司投资建设海底电缆项目，项目年产1620公里海底电缆，可用于时速350公里的高铁线路。")
    assert {r.tail for r in got.relations if r.rel == "capacity"} == {"年产1620公里"}


@pytest.mark.parametrize("text,capacity", [("建设3个30万吨级泊位", None), ("建设450立方米级转炉", None),
                                           ("年产钢材200万吨", "年产钢材200万吨")])
def test_a_figure_of_a_class_is_no_capacity(text, capacity):
    """30万吨级泊位, 450立方米级转炉: the class of a berth or a furnace, not what a plant makes."""
    from kg import literals
    m = literals.CAP_RE.search(text)
    assert (m.group() if m else None) == capacity


@pytest.mark.parametrize("found, printed", [
    ("年产铁精矿800万吨", "800万吨"),
    ("年产10万吨", "年产10万吨"),
    ("年产能500万台", "年产能500万台"),
    ("年处理秸秆3000吨以上", "年处理秸秆3000吨以上"),
    ("每年炼油1500万吨", "1500万吨"),
])
def test_capacity_is_printed_without_the_product(found, printed):
    from kg import literals
    assert literals.capacity_text(found) == printed


def test_capacity_after_a_product_binds_to_the_project(ex):
    got = run(ex, "青禾矿业公司计划开发海湾铁矿项目。该项目年产铁精矿800万吨，总投资约60亿元。")
    assert ("海湾铁矿项目", "800万吨") in {(r.head, r.tail) for r in got.relations if r.rel == "capacity"}


def test_a_word_jieba_hardly_knows_is_a_trade_name_before_its_suffix(ex):
    """jieba tags 宏碁 a verb (dictionary frequency 3): before 集团 it names the firm; a common verb does not."""
    got = run(ex, "他们与宏碁集团签约。要推动集团发展。")
    assert {m.text for m in got.mentions if m.type == "Enterprise"} == {"宏碁集团"}


def test_a_group_anaphor_placed_at_the_end_of_an_address(ex):
    """集团总部位于某省某市: 集团 is the group named before, placed in the city (the most specific),
    though its name opens with that city."""
    got = run(ex, "嘉兴青禾集团是国内大型食品企业。集团总部位于浙江省嘉兴市，下属工厂二十多家。")
    assert ("嘉兴青禾集团", "嘉兴市") in {(r.head, r.tail) for r in got.relations if r.rel == "locatedIn"}


@pytest.mark.parametrize("text, project", [
    ("宏达碳纤维一期项目今天开工建设。", "宏达碳纤维一期项目"),  # jieba tags 一期 an adverb
    ("该公司投资建设恒远光伏组件扩建项目。", "恒远光伏组件扩建项目"),  # common words, but being built
])
def test_project_names_of_common_shapes(ex, text, project):
    assert project in {m.text for m in run(ex, text).mentions if m.type == "Project"}


@pytest.mark.parametrize("text, firms", [
    ("以中鼎钢铁为链主，金诺铝业为链核。", {"中鼎钢铁", "金诺铝业"}),  # 中 tagged a direction
    ("据悉，凯盛环保是国内领先的环保装备企业。", {"凯盛环保"}),  # an opener before 是…企业
    ("凯盛环保去年实现营收12亿元。", {"凯盛环保"}),  # a firm's own figures
    ("去年落户的中鼎钢铁和晨光新材料两家企业已投产。", {"中鼎钢铁", "晨光新材料"}),
])
def test_short_firm_names_in_common_contexts(ex, text, firms):
    assert firms <= {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}


def test_a_park_named_after_a_place_jieba_reads_as_a_number(ex):
    x = run(ex, "在三门工业园区，青禾电池有限公司的电解铝生产线项目正在加紧建设。")  # 三门: a county, tagged m
    assert "三门工业园区" in {m.text for m in x.mentions if m.type == "Park"}
    assert ("电解铝生产线项目", "locatedIn", "三门工业园区") in {(r.head, r.rel, r.tail) for r in x.relations}


def test_a_project_named_by_a_two_character_product_and_its_builder(ex):
    x = run(ex, "铜箔项目在星河工业园区开工，该项目由博远新材料有限公司投资建设。")
    assert "铜箔项目" in {m.text for m in x.mentions if m.type == "Project"}
    assert ("博远新材料有限公司", "implements", "铜箔项目") in {(r.head, r.rel, r.tail) for r in x.relations}


@pytest.mark.parametrize("text, firm", [
    ("据悉，安泰显示是国内领先的面板企业。", "安泰显示"),  # a short name ending in a trade tagged as a verb
    ("德润锂业的产品已进入星河汽车的供应链。", "德润锂业"),  # 德|润: two lone characters, not a clause verb
])
def test_short_names_jieba_splits_into_a_verb(ex, text, firm):
    assert firm in {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}


def test_a_count_of_chain_leaders_names_no_leader(ex):
    x = run(ex, "到2025年，全市储能产业链产值突破300亿元，链主企业达到5家。")
    assert not [r for r in x.relations if r.rel == "chainLeaderOf"]
    assert not {m.text for m in x.mentions if m.type == "Enterprise"}


def test_a_chain_segment_lists_products_not_firms(ex):
    x = run(ex, "储能产业链上游包括锂矿、正极材料，下游为储能电站。")
    assert not {m.text for m in x.mentions if m.type == "Enterprise"}
    assert {"锂矿", "正极材料"} <= {m.text for m in x.mentions if m.type == "Product"}


def test_a_place_s_projects_of_a_kind_are_no_project(ex):
    x = run(ex, "全县光伏项目总装机达到100万千瓦，全国首个煤制烯烃示范项目也在县里。")
    assert {m.text for m in x.mentions if m.type == "Project"} == {"全国首个煤制烯烃示范项目"}


def test_a_sister_firm_is_not_read_as_the_group_s_short_form(ex):
    x = run(ex, "华辰集团旗下的华辰光伏在县里投资建设了5GW光伏组件项目。")
    firms = {m.canonical for m in x.mentions if m.type == "Enterprise"}
    assert {"华辰集团", "华辰光伏"} <= firms
    assert ("华辰光伏", "implements", "5GW光伏组件项目") in {(r.head, r.rel, r.tail) for r in x.relations}


def test_a_firm_that_announces_a_project_somewhere(ex):
    x = run(ex, "华辰电器宣布，拟投资20亿元在江苏省南通市建设空调生产基地。")
    rels = {(r.head, r.rel, r.tail) for r in x.relations}
    assert {("华辰电器", "implements", "空调生产基地"), ("空调生产基地", "locatedIn", "南通市")} <= rels
    assert not {m.text for m in run(ex, "市政府宣布，明年起实施新政策。").mentions if m.type == "Enterprise"}


@pytest.mark.parametrize("text, firm", [
    ("据行业调查机构青岚咨询有限公司统计，销量回升。", "青岚咨询有限公司"),
    ("欧洲家电生产商蓝湾电器公司宣布在华扩产。", "蓝湾电器公司"),
    ("挖掘机代理商远帆机械集团扩大经营。", "远帆机械集团"),
])
def test_a_descriptor_before_a_firm_is_no_part_of_its_name(ex, text, firm):
    assert {m.text for m in run(ex, text).mentions if m.type == "Enterprise"} == {firm}


@pytest.mark.parametrize("text, firm", [
    ("7月，青岚雪峰又全资收购了远帆啤酒全部股权。", "青岚雪峰"),
    ("远帆商社直接投资了青岚农场。", "远帆商社"),
])
def test_adverbs_after_a_firm_named_by_its_role_are_no_part_of_it(ex, text, firm):
    assert firm in {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}


def test_the_firm_a_deal_is_about(ex):
    firms = {m.text for m in run(ex, "远帆集团以12亿元收购星河化工60%股权。").mentions if m.type == "Enterprise"}
    assert firms == {"远帆集团", "星河化工"}
    assert {m.text for m in run(ex, "远帆集团以12亿元收购土地使用权。").mentions if m.type == "Enterprise"} == {"远帆集团"}


def _chains(ex, text: str) -> list[str]:
    return sorted({m.canonical for m in run(ex, text).mentions if m.type == "IndustryChain"})


@pytest.mark.parametrize("text, chains", [
    # scope, time and function words before the industry are no part of the chain's name
    ("受订单回流带动，全球光伏产业链加速调整。", ["光伏产业链"]),
    ("与去年相比，上一年钢材产业链利润偏低。", ["钢材产业链"]),
    ("该政策有利于纺织产业链稳定。", ["纺织产业链"]),
    ("新品上市将助推物联网产业链发展。", ["物联网产业链"]),
    ("停电对整个锌产业链的影响仍在扩大。", ["锌产业链"]),
    # a verb or a conjunction ends no chain name; a scope word alone names none
    ("一场地震影响产业链，整个产业链都受到冲击。", []),
    ("全球产业链加速重构，国内产业链和同一产业链上的企业都受影响。", []),
    ("企业间贸易和产业链合作不断加深。", []),
    ("全县积极探索产业链招商新模式。", []),
    # a firm's whole chain, an adjective, a place or 行业 alone names none; a complement (发展成) is no part
    ("青禾电器也把节能理念贯穿到青禾电器整个产业链。", []),
    ("强大产业链是本地的优势，推动企业做长行业产业链。", []),
    ("远帆厂家抱团后发展成铝材产业链。", ["铝材产业链"]),
    ("市里排查出有色金属、现代农业等5条重点产业链。", ["有色金属产业链", "现代农业产业链"]),
    # a quoted name before the head names the chain; a quoted generic word names none
    ("全市着力打造“晶硅储”产业链和“光伏+氢能”全产业链。", ["光伏+氢能产业链", "晶硅储产业链"]),
    ("这条“智能”产业链正在成形。", []),
    # a word naming an industry stays though jieba tags it a verb
    ("某县新型显示产业链和生猪养殖产业链加快发展。", ["新型显示产业链", "生猪养殖产业链"]),
])
def test_a_chain_is_named_by_its_industry(ex, text, chains):
    assert _chains(ex, text) == chains


@pytest.mark.parametrize("text, project", [
    ("华翔航空签署Z300大型客机项目动力系统合同。", "Z300大型客机项目"),
    ("青禾公司新建的2万吨大型冷库项目今日开工。", "2万吨大型冷库项目"),
    ("全市三大项目今日开工。", None),
])
def test_model_number_or_large_is_no_count_of_projects(ex, text, project):
    """A figure after letters (Z300) is a model number and 大型 an adjective: neither counts
    projects the way 三大项目 does."""
    got = {m.text for m in run(ex, text).mentions if m.type == "Project"}
    assert got == ({project} if project else set())


def test_a_preposition_after_the_firm_is_no_part_of_its_project(ex):
    """某纸业|因|某技改项目: the firm is cut off the project's name, and so is the 因 after it."""
    got = {m.canonical for m in run(ex, "青禾纸业因5万吨竹浆扩能项目环评未通过被处罚。").mentions if m.type == "Project"}
    assert got == {"5万吨竹浆扩能项目"}


@pytest.mark.parametrize("text, projects", [
    ("今年该市将大力实施城镇污水管网改造、打通交通堵点、改善人居环境等工程。", set()),
    ("今年青禾化工涂料助剂、胶黏剂等一批项目陆续开工。", {"涂料助剂", "胶黏剂"}),
    ("全年开工北辰光伏电站、西山“智慧港”等项目。", {"北辰光伏电站", "西山“智慧港”"}),
])
def test_list_items_before_a_project_head_need_a_name(ex, text, projects):
    """Items of a 等…工程/项目 list are projects only when something names them (a firm or place, a
    figure, a quote, a proper word) or when they share the name the list opens with; otherwise they
    are kinds of works (project categories in the gold guidelines)."""
    got = {m.canonical for m in run(ex, text).mentions if m.type == "Project"}
    assert got == projects


@pytest.mark.parametrize("text, chain", [
    ("县里做强钢铁产业链，补齐短板。", "钢铁产业链"),
    ("开发区着力推动氢能产业链发展。", "氢能产业链"),
    ("全市围绕电机及电控产业链开展招商。", "电机及电控产业链"),
])
def test_chain_name_starts_after_the_policy_verb_inside_its_window(ex, text, chain):
    """A chain's name is the industry after the last chain verb of its window (县里做强|钢铁), not
    the subject and verb before it."""
    assert {m.canonical for m in run(ex, text).mentions if m.type == "IndustryChain"} == {chain}


def test_a_customer_slot_keeps_a_verb_word_and_trade_as_a_firm(ex):
    """向X供应: X = a word jieba tags as a verb (驰骋) and a firm's trade word is the customer's name."""
    x = run(ex, "青禾集团长期向驰骋钢铁供应铁矿石。")
    assert "驰骋钢铁" in {m.text for m in x.mentions if m.type == "Enterprise"}
    assert ("青禾集团", "suppliesTo", "驰骋钢铁") in {(r.head, r.rel, r.tail) for r in x.relations}


def test_an_item_number_is_no_part_of_a_name(ex):
    """Numbered items of a policy document (1.某开发区：…, （三）某公司…) name the park and the firm
    without their number, and every mention of the park shares the cut name; 1.5万吨 is a figure."""
    x = run(ex, "重点承接项目如下。\n1.南岭经济技术开发区：重点承接动力电池项目。\n（三）北辰锂业年产1.5万吨碳酸锂项目，"
                "总投资12亿元，位于南岭经济技术开发区。")
    names = {(m.type, m.canonical) for m in x.mentions}
    assert ("Park", "南岭经济技术开发区") in names and ("Enterprise", "北辰锂业") in names
    assert not any(c.startswith(("1.", "（三）")) for _, c in names)
    assert any(m.type == "Project" and "1.5万吨" in m.canonical for m in x.mentions)


def test_a_list_of_projects_named_after_their_firms_keeps_each_with_its_own(ex):
    """投资…的甲某项目、投资…的乙某项目: each project is implemented by the firm its name opens with,
    also when the text names the first firm elsewhere (its project's name is then read without it)."""
    x = run(ex, "本次签约项目21个。其中，投资50亿元的青禾半导体12英寸晶圆制造项目、投资30亿元的星海新能源"
                "年产5GW光伏组件项目备受关注。青禾半导体董事长表示，公司将加快项目建设。")
    impl = {(r.head, r.tail) for r in x.relations if r.rel == "implements"}
    assert {h for h, _ in impl} == {"青禾半导体", "星海新能源"}
    assert not any(h == "青禾半导体" and "光伏" in t for h, t in impl)


@pytest.mark.parametrize("text, firm, wrong", [
    ("这并不代表青禾公司已在产品中使用该软件。", "青禾公司", "不代表青禾公司"),
    ("泰兴市长青化工厂去年停产。", "泰兴市长青化工厂", "青化工厂"),
])
def test_a_persons_title_inside_a_firms_name_ends_its_left_context(ex, text, firm, wrong):
    """A title word (代表, 记者, 总裁) inside a firm's name is left context: the name starts after it;
    市长 across two words (泰兴市|长青) is no title."""
    got = {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}
    assert firm in got and wrong not in got


@pytest.mark.parametrize("text, firm", [
    ("记者采访的受访公司均表示看好市场。", None),
    ("调查显示，近四成公司出现亏损。", None),
    ("据悉，咨询类公司普遍看好市场。", None),
    ("美国霍尔曼公司宣布扩产。", "美国霍尔曼公司"),
    ("青禾公司宣布扩产。", "青禾公司"),
])
def test_words_before_gongsi_must_look_like_a_firms_name(ex, text, firm):
    """某某公司 with no legal form is a firm only if the firm-name model finds its words name-like
    (受访公司, 近四成公司, 咨询类公司 describe companies; a country before the name is set aside)."""
    got = {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}
    assert got == ({firm} if firm else set())


def test_an_outline_of_short_lines_keeps_its_items_apart_and_names_its_roles(ex):
    """A 招商图谱 outline is all short lines: numbered items (一、) and labelled lines (上游：) are
    never read as one wrapped sentence; 链主企业：X names the leader, the chain's name loses the level
    word of a place the gazetteer lacks (某岭市|新能源电池产业链)."""
    doc = ingest.build_document("南岭市新能源电池产业链招商指南\n一、链主企业：南岭储能科技有限公司\n"
                                "二、链核企业：南岭电解液有限公司\n上游：正极材料、隔膜\n", "g.txt")
    assert [s.text for s in doc.sentences][1] == "一、链主企业：南岭储能科技有限公司"
    x = ex.extract(doc)
    assert {m.canonical for m in x.mentions if m.type == "IndustryChain"} == {"新能源电池产业链"}
    roles = {(r.head, r.rel) for r in x.relations if r.rel in ("chainLeaderOf", "chainCoreOf")}
    assert roles == {("南岭储能科技有限公司", "chainLeaderOf"), ("南岭电解液有限公司", "chainCoreOf")}


def test_a_figure_two_patterns_read_is_one_fact(ex):
    facts = [(f.metric, f.value) for f in run(ex, "此次共签约项目15个，总投资103.6亿元。").facts]
    assert facts.count(("签约项目数", "15个")) == 1


@pytest.mark.parametrize("text, firm, place", [
    ("落户青禾高新区的北辰光电，主要从事激光器研发。", "北辰光电", "青禾高新区"),  # 落户 without 于/在
    ("远帆线缆有限公司是嘉鱼县的龙头企业。", "远帆线缆有限公司", "嘉鱼县"),
    ("目前，嘉鱼县年产啤酒过亿升的企业有2家，分别是青禾酒业有限公司、远帆酒业有限公司。", "青禾酒业有限公司", "嘉鱼县"),  # a product before 的企业
])
def test_a_firm_the_text_places_is_located_there(ex, text, firm, place):
    r = run(ex, text)
    assert (firm, "locatedIn", place) in {(x.head, x.rel, x.tail) for x in r.relations}


@pytest.mark.parametrize("text, firm", [
    ("该项目投资方为远帆控股集团。", "远帆控股集团"),
    ("今年青岚投资集团在本市新设三家子公司。", "青岚投资集团"),
    ("该控股集团今年营收增长。", None),
])
def test_a_holding_groups_own_name_is_a_firm(ex, text, firm):
    """某某控股集团: 控股 before 集团 is part of the group's name, not a generic head."""
    firms = {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}
    assert firms == ({firm} if firm else set())


@pytest.mark.parametrize("text, project", [
    ("该集团还将建设远帆重载货运车辆基地建设项目。", "远帆重载货运车辆基地建设项目"),  # a project someone will build
    ("国家鼓励建设分布式光伏项目。", None),  # a kind of project
])
def test_a_project_someone_will_build_is_one_project(ex, text, project):
    projects = {m.text for m in run(ex, text).mentions if m.type == "Project"}
    assert projects == ({project} if project else set())


def test_a_project_named_after_a_list_of_products_keeps_the_list(ex):
    """年产3万吨铜杆、铜线项目: one project makes both; each product is read on its own."""
    r = run(ex, "嘉鱼县新签约年产3万吨铜杆、铜线项目。")
    assert {m.text for m in r.mentions if m.type == "Project"} == {"年产3万吨铜杆、铜线项目"}
    assert {m.text for m in r.mentions if m.type == "Product"} == {"铜杆", "铜线"}
    r = run(ex, "嘉鱼县新签约年产6万吨铜杆、铜线、2万吨再生铝型材产业园扩建项目。")  # the last item has its own figure
    assert {m.text for m in r.mentions if m.type == "Project"} == {"年产6万吨铜杆、铜线、2万吨再生铝型材产业园扩建项目"}
    assert "再生铝型材产业园" in {m.text for m in r.mentions if m.type == "Park"}  # 再生 is no verb cut off here
    # a list of projects is no such name
    r = run(ex, "签约了年产3万套童车项目、智能家居组装项目、显示屏项目。")
    assert "显示屏项目" in {m.text for m in r.mentions if m.type == "Project"}


def test_a_place_anaphor_far_from_its_name_is_the_documents_one_place(ex):
    """该县 four sentences after the only county the text names: that county."""
    text = ("嘉鱼县今年招商成效明显。一季度签约项目12个。二季度签约项目15个。三季度开工项目9个。"
            "该县依托龙头企业，引进了青禾精密、远帆新材等配套企业。")
    rels = {(r.head, r.rel, r.tail) for r in run(ex, text).relations}
    assert ("青禾精密", "locatedIn", "嘉鱼县") in rels
    two = run(ex, "嘉鱼县与崇阳县签约。一季度签约项目12个。二季度签约项目15个。三季度开工项目9个。"
                  "该县依托龙头企业，引进了青禾精密、远帆新材等配套企业。")
    assert not [r for r in two.relations if r.head == "青禾精密" and r.rel == "locatedIn"]  # which county: unknown


def test_a_firm_named_with_a_trade_word_opens_its_capacity_project(ex):
    """远帆新能源|年产5GWh…: 新能源 may open a product (新能源汽车), but a production figure ends the firm."""
    r = run(ex, "远帆新能源年产5GWh储能电池项目开工。")
    assert {m.canonical for m in r.mentions if m.type == "Project"} == {"年产5GWh储能电池项目"}
    assert ("远帆新能源", "implements", "年产5GWh储能电池项目") in {(x.head, x.rel, x.tail) for x in r.relations}
    r = run(ex, "远帆锂业年产2万吨新型正极材料及研发总部项目开工。")  # the product, not what else is built
    assert "新型正极材料" in {m.text for m in r.mentions if m.type == "Product"}


def test_an_honour_named_like_a_plant_is_no_project(ex):
    """国家级绿色工厂 is a title a firm is given, not a plant it builds."""
    r = run(ex, "远帆汽车零部件有限公司先后获评国家级绿色工厂、省级数字化车间。")
    assert not [m for m in r.mentions if m.type == "Project"]


@pytest.mark.parametrize("text", ["远帆股份拟将部分IPO募投项目延期。", "西部地区固投项目同比增长三成。", "产业援疆项目加快推进。"])
def test_a_finance_or_aid_category_before_xiangmu_is_no_project(ex, text):
    assert not [m for m in run(ex, text).mentions if m.type == "Project"]


def test_a_demonstrative_before_a_firm_head_opens_a_clause_not_a_list_of_firms(ex):
    """该集团主营A、B: what the group does, not firms named after a head (知名厂商A、B still is)."""
    r = run(ex, "该集团主营城市燃气管网、天然气销售、燃气输配等业务。")
    assert not [m for m in r.mentions if m.type == "Enterprise"]
    r = run(ex, "知名厂商青禾电子、远帆科技均已落户。")
    assert {m.text for m in r.mentions if m.type == "Enterprise"} == {"青禾电子", "远帆科技"}


@pytest.mark.parametrize("text, firm", [
    ("远帆股份所属青禾稀土有限公司今年扩产。", "青禾稀土有限公司"),  # a parent before 所属
    ("项目签约仪式暨青禾球团有限公司成立大会昨日举行。", "青禾球团有限公司"),  # an event before 暨
])
def test_words_before_suoshu_or_ji_are_no_part_of_a_firms_name(ex, text, firm):
    assert firm in {m.text for m in run(ex, text).mentions if m.type == "Enterprise"}


def test_a_production_word_before_a_projects_other_mention_is_no_firm(ex):
    """年产12亿只…项目 and 12亿只…项目 in one text: one project, and 年产 is no firm implementing it."""
    r = run(ex, "远帆光电在园区内建设年产12亿只LED路灯项目。12亿只LED路灯项目总投资10亿元。")
    assert "年产" not in {m.text for m in r.mentions if m.type == "Enterprise"}
    assert {m.canonical for m in r.mentions if m.type == "Project"} == {"年产12亿只LED路灯项目"}


# (text, mention type, the names of that type the extractor must find: no more, no fewer)
NAMES = [
    ("青禾果业投资3亿元建设的柑橘精深加工项目已投产，年加工鲜果8万吨。", "Product", set()),  # inputs, not products
    ("青川县南岭光伏电站日前顺利并网。", "Project", {"青川县南岭光伏电站"}),  # 并网: an event of a plant's works
    ("青川港务集团“智慧码头”建设项目进展顺利。", "Project", {"“智慧码头”建设项目"}),  # a quoted name, then 建设项目
    ("青禾钢铁烧结机节能技改项目日前通过验收。", "Project", {"青禾钢铁烧结机节能技改项目"}),  # 节能 is in the name
    ("远帆新能源总投资5亿元，新建年产30万套汽车轮毂生产线。", "Enterprise", {"远帆新能源"}),  # 总 of 总投资 is no name's
    ("在生物医药领域，湄潭示范区引进了本草生物、康润制药等企业。", "Park", {"湄潭示范区"}),  # 示范区 after a place
    ("全县今年建成高效农业示范区三个。", "Park", set()),
    ("江西远航新材有限公司新线投产。远航新材去年产值增长两成。", "Enterprise", {"江西远航新材有限公司", "远航新材"}),
    ("苹果供应商蓝岸光学有限公司扩产。", "Product", set()),  # a well-known firm before 供应商 is the customer
    ("同日开工的还有南阳远帆精密机械年产500台数控机床项目。", "Enterprise", {"南阳远帆精密机械"}),  # a trade word before 年产
    ("远帆科技无人机年产2万架项目开工。", "Enterprise", {"远帆科技"}),  # a product before 年产 is the project's
    ("青禾快速路是滨江路网布局中的关键一段。", "Enterprise", set()),  # 是 makes a clause of it
    ("蓝桥光学有限公司总裁兼CEO王明昨日表示，新厂年底投产。", "Enterprise", {"蓝桥光学有限公司"}),  # a title before CEO
    ("远帆电力宣布在海外投资建设电池工厂。", "Enterprise", {"远帆电力"}),
    ("近两年，远帆电子也很少新建厂房。", "Enterprise", set()),  # an adverb after the company word
    ("青禾齐都化工有限公司将扩建新厂。", "Enterprise", {"青禾齐都化工有限公司"}),  # an adverb's character in a trade name
    ("据悉，苹果公司今年将在本地扩大零部件采购。", "Enterprise", {"苹果公司"}),  # a fruit, but the gazetteer lists the form
    ("联想控股集团董事会近日发布公告。", "Enterprise", {"联想控股集团"}),  # 联想 is a verb too: no trimming
    ("远帆航空C929宽体客机项目进展顺利。", "Enterprise", {"远帆航空"}),  # a model number's letters stay with its figures
    ("光伏玻璃生产商远帆科技今年扩产。", "Enterprise", {"远帆科技"}),  # a kind of maker before the name
    ("此次开工的有戊己集团冷链物流园区、庚辛酒业集团果酒项目等。", "Enterprise", {"庚辛酒业集团"}),  # a park is no firm
    ("还有远帆集团、青禾集团等国企投资的20万吨甲醇等化工项目。", "Enterprise", {"远帆集团", "青禾集团"}),  # a list's head
    ("光伏玻璃配套商远帆科技今年扩产。", "Enterprise", {"远帆科技"}),
    ("轻轨项目承建方远帆集团表示将加快进度。", "Enterprise", {"远帆集团"}),  # a party's role before the name
    ("本埠远帆公司昨日发布公告。", "Enterprise", {"远帆公司"}),  # "local", not part of the name
    ("施工单位远帆路桥工程有限公司负责该工程。", "Enterprise", {"远帆路桥工程有限公司"}),
    ("支持远帆汽车扩大产能，鼓励企业加快转型。", "Enterprise", {"远帆汽车"}),  # the firm a policy supports to act
    ("按计划，2030年度滨州市老旧厂区改造工程将改造厂房40栋。", "Project", {"滨州市老旧厂区改造工程"}),  # 年度 is time
    ("全省工程机械产业加快转型。", "Project", set()),  # a project word inside another noun
    ("青禾县机械工程学会昨日召开年会。", "Project", set()),
    ("抽检发现，3种产品甲醛项目超标。", "Project", set()),
    ("青禾建工今年承接了三项轨道交通工程。", "Project", set()),  # a count: a group of projects
    ("省里公布了第三批零碳园区示范项目名单。", "Project", set()),  # a batch
    ("远帆航空C929宽体客机项目进展顺利。", "Project", {"远帆航空C929宽体客机项目"}),  # a model number, no count
    ("远帆新能源正在筹划储能电池项目。", "Product", {"储能电池"}),  # a planning verb opens no name
    ("远帆化工新建30万吨甲醇45万吨烯烃项目。", "Product", {"甲醇", "烯烃"}),  # each product after its own figure
    ("远帆石化拟建1250万吨级炼油项目。", "Product", set()),  # 级 ends the scale, it opens no product
    ("远帆机械年产3000台风电齿轮箱项目近日开工。", "Product", {"风电齿轮箱"}),  # a product the vocabulary knows
    ("轨道交通工程2号线（青禾站——远帆站）全长18公里。", "Product", set()),  # a sector, not a product
    ("远帆电力在本地投资15亿元建设当地制造基地。", "Project", set()),  # 当地: no name follows
    ("各地要加强企业生产监管，远帆化工公司生产烧碱。", "Product", {"烧碱"}),  # 生产监管 makes nothing
    ("该项目获得潍坊市和开发区两级资金支持。", "Park", set()),  # a division and a conjunction
    ("福建平和工业园区新引进三家企业。", "Park", {"平和工业园区"}),  # a county whose name ends in 和
]


@pytest.mark.parametrize("text, typ, names", NAMES)
def test_names_of_one_type_in_invented_sentences(ex, text, typ, names):
    assert {m.text for m in run(ex, text).mentions if m.type == typ} == names


# (text, relation, the tails of that relation the extractor must find: no more, no fewer)
RELATIONS = [
    ("远帆科技还将在越南建设光伏组件生产线。", "produces", {"光伏组件"}),  # a product before a production line
    ("蓝桥股份投资改造浮法玻璃生产车间。", "produces", {"浮法玻璃"}),
    ("青禾管材生产基地由远帆资本公司注资4亿元，计划年底建成投产。", "implements", {"青禾管材生产基地"}),  # 注资
    ("乌鲁木齐市今年加快城市更新。乌鲁木齐老旧管网改造项目已开工。", "locatedIn", {"乌鲁木齐市"}),  # the city, not its county
    ("青禾公路北延工程总投资近12亿元，年内完成投资5亿元。", "investment", {"12亿元"}),  # progress, not the amount
    ("青禾铁路项目总投资400亿元，其中一期工程投资120亿元。", "investment", {"400亿元"}),  # one investment: the total
    ("青禾铁路项目预估总投资为400亿元，省内计划投资260亿元。", "investment", {"400亿元"}),
    ("本次集中签约项目28个，总投资196亿元，其中远帆储能项目投资30亿元。", "investment", {"30亿元"}),  # the group's total
    ("近日，在滨江经济开发区的远帆科技有限公司车间里，工人们正忙着。", "locatedIn", {"滨江经济开发区"}),  # <park>的<firm>
    ("云岭精工有限公司将总部迁至滨江经济开发区。", "locatedIn", {"滨江经济开发区"}),  # 迁至 places the seat
    ("远帆项目落户南昌经开区。南昌、九江两地合作共建园区。", "locatedIn", {"南昌市"}),  # the city the park is named after
    ("远帆铝业主要为星海汽车、云岭重工等整车企业提供轻量化铝部件。", "suppliesTo", {"星海汽车", "云岭重工"}),  # …等 + head
    ("蓝岸精工年产铝合金锭30万吨，主要为北辰汽车提供车身部件。", "suppliesTo", {"北辰汽车"}),  # a later clause: 提供 + goods
    ("青禾电机主要生产驱动电机，已进入星河汽车供应链体系。", "suppliesTo", {"星河汽车"}),  # a later clause, no 其产品
    ("云岭精工已成为北辰汽车制动系统一级供应商。", "produces", {"制动系统"}),  # the goods after the customer
    ("蓝岸电子是星海汽车车载显示屏的主力供应商。", "produces", {"车载显示屏"}),
    ("星海汽车的动力电池目前主要由青川储能供应。", "produces", {"动力电池"}),  # the goods of a supply cue
    ("远帆新材主要生产锂电隔膜，产品将供应北辰汽车、星海汽车等车企。", "suppliesTo", {"北辰汽车", "星海汽车"}),
    ("云岭精工的座椅骨架已批量供货北辰汽车。", "suppliesTo", {"北辰汽车"}),  # 供货 as a supply verb
    ("云岭储能生产的储能电池已销往二十多个省份。", "produces", {"储能电池"}),  # 甲生产的某产品 names 甲 a maker
]


@pytest.mark.parametrize("text, rel, tails", RELATIONS)
def test_relations_in_invented_sentences(ex, text, rel, tails):
    assert {x.tail for x in run(ex, text).relations if x.rel == rel} == tails


def test_a_supply_cue_is_no_statement_about_a_list_of_another_sentence(ex):
    # the supplier is one item of an earlier list of core firms: its list mates supply nobody
    r = run(ex, "全市以北辰汽车为链主，以远拓电池、云岭电机、青禾电控为链核。远拓电池为北辰汽车配套动力电池。").relations
    assert {(x.head, x.tail) for x in r if x.rel == "suppliesTo"} == {("远拓电池", "北辰汽车")}


@pytest.mark.parametrize("title, leads", [
    ("关于印发《南阳市氢能装备产业链招商指南》的通知", {"氢能装备产业链"}),
    ("《南阳市氢能装备产业链、新型储能产业链招商指南》", set()),  # two chains: which one is unsaid
])
def test_a_leader_cue_without_a_chain_in_the_body_takes_the_title_s_chain(ex, title, leads):
    r = run(ex, title + "\n一、产业现状\n链主企业为远帆氢能有限公司，配套企业二十余家。").relations
    assert {x.tail for x in r if x.rel == "chainLeaderOf" and x.head == "远帆氢能有限公司"} == leads


def test_a_park_named_after_a_county_is_not_placed_in_another_city(ex):
    r = run(ex, "总部位于深圳的青禾电子今年在大冶经济开发区投资建厂。").relations
    assert ("大冶经济开发区", "深圳市") not in {(x.head, x.tail) for x in r if x.rel == "locatedIn"}


def test_the_list_item_singled_out_in_the_project_s_clause_implements_it(ex):
    # the item is named again without its province: the same firm
    r = run(ex, "今年以来，南阳市新引进江苏远帆线缆、浙江云岭新材等企业9家，其中远帆线缆计划投资5亿元在南阳高新区建设特种电缆生产基地。").relations
    assert {x.head for x in r if x.rel == "implements"} == {"江苏远帆线缆"}


@pytest.mark.parametrize("first, chains", [
    ("新材料产业链“强基补链”", {"新材料产业链"}),  # a heading: the projects under it are the chain's
    ("新材料产业链持续壮大。", set()),  # a short sentence, no heading
])
def test_projects_under_a_chain_heading_only(ex, first, chains):
    r = run(ex, first + "\n青禾硅业年产5万吨多晶硅项目今年动工。").relations
    assert {x.tail for x in r if x.rel == "belongsToChain"} == chains


def test_a_park_inside_a_list_items_name_places_that_item_only(ex):
    # the last item's name holds a park; its list mates are not placed there
    r = run(ex, "今年将开工的有远帆科技研究院二期项目、蓝桥股份智能制造项目、云岭科技园三期项目等。").relations
    assert {(x.head, x.tail) for x in r if x.rel == "locatedIn"} == {("云岭科技园三期项目", "云岭科技园")}


def test_a_place_inside_another_mentions_name_is_no_tail_for_others():
    from kg.relate import Node, _Sent

    text = "清源供水工程与雁塔区中心净水厂项目同步建设。"
    first, county = Node("清源供水工程", "Project", 0, 6, 0), Node("雁塔区", "County", 7, 10, 0)
    second = Node("雁塔区中心净水厂项目", "Project", 7, 17, 0)
    s = _Sent(text, 0, [first, county, second])
    assert s.inside_other(county, first)  # 雁塔区 is a part of the second project's name
    assert not s.inside_other(county, second)  # …which it does place


@pytest.mark.parametrize("found, size", [("10万平方米", True), ("50公里", True), ("年供水量2100万立方米", False),
                                         ("年产1000万平方米", False), ("10万吨", False), ("600台", True),
                                         ("100万台", False), ("年制造115套", False)])
def test_an_area_a_length_or_a_few_machines_without_a_rate_are_no_capacity(found, size):
    from kg import literals

    assert literals.size_only(found) is size

