"""products and projectparts: the examples of ontology/data/patterns/products.json, run through
the whole extractor, plus the reading of a project's name into firm, place and products."""
from __future__ import annotations

import pytest

from kg.components import load_json
from kg.components.products import product_spans
from kg.components.projectparts import split_project
from kg.extract import Extractor
from kg.ingest import build_document

EXAMPLES = load_json("patterns/products.json")["examples"]


@pytest.fixture(scope="module")
def ext():
    return Extractor()


def _run(ext, text):
    return ext.extract(build_document(text, "t.txt"))


@pytest.mark.parametrize("example", EXAMPLES["terms"], ids=[e["text"][:10] for e in EXAMPLES["terms"]])
def test_product_term_examples(ext, example):
    ex = _run(ext, example["text"])
    got = {m.text for m in ex.mentions if m.type == "Product"}
    assert got == set(example["products"])


CAPACITY_LIST = load_json("patterns/products.json")["capacity_list"]["examples"]
CAPACITY_LIST += load_json("patterns/products.json")["capacity_list"]["figure_first"]["examples"]


@pytest.mark.parametrize("example", CAPACITY_LIST, ids=[e["text"][:10] for e in CAPACITY_LIST])
def test_capacity_list_examples(ext, example):
    """年产A 5000吨、B 3000吨 (or 形成5000吨A、3000吨B的产能): each name beside a figure is a
    product, whole (not 芳纶 of 对位芳纶)."""
    got = {m.text for m in _run(ext, example["text"]).mentions if m.type == "Product"}
    assert got == set(example["products"])


@pytest.mark.parametrize("example", EXAMPLES["project_parts"], ids=[e["text"][:10] for e in EXAMPLES["project_parts"]])
def test_project_part_examples(ext, example):
    ex = _run(ext, example["text"])
    firms = {m.text for m in ex.mentions if m.type == "Enterprise"}
    products = {m.text for m in ex.mentions if m.type == "Product"}
    assert any(m.type == "Project" for m in ex.mentions)
    if example["firm"]:
        assert example["firm"] in firms
        rels = {(r.head, r.rel) for r in ex.relations}
        assert (example["firm"], "implements") in rels
        for p in example["products"]:
            assert (example["firm"], "produces", p) in {(r.head, r.rel, r.tail) for r in ex.relations}
    else:
        assert not firms
    assert set(example["products"]) <= products


def test_product_is_not_cut_from_inside_a_word():
    assert product_spans("新建变电机房") == []  # 电机 inside 变电 + 机房
    assert product_spans("高效光伏组件和再生铝") == [(0, 6), (7, 10)]
    assert product_spans("磷酸铁锂正极材料") == [(0, 8)]  # adjacent product words are one product


def test_project_name_split():
    assert split_project("青松能源安平多晶硅项目")[0] == "青松能源"
    assert split_project("安平县多晶硅项目")[0] is None  # a place starts it: no firm
    assert split_project("智慧光伏电站项目")[0] is None


def test_project_named_after_a_place_is_located_there(ext):
    ex = _run(ext, "青松能源安平多晶硅项目正式开工。")
    assert ("Enterprise", "青松能源") in {(m.type, m.text) for m in ex.mentions}
    places = {m.text: m.canonical for m in ex.mentions if m.type in ("City", "County")}
    assert places == {"安平": "安平县"}
    assert any(r.rel == "locatedIn" and r.tail == "安平县" for r in ex.relations)


def test_common_word_is_not_read_as_a_place_in_a_project_name():
    from kg.components.projectparts import places_in
    assert places_in("城区供热管网改造项目") == []


PRODUCER = load_json("patterns/products.json")["producer_patterns"]


@pytest.mark.parametrize("pattern", PRODUCER, ids=[p["name"] for p in PRODUCER])
def test_producer_pattern_examples(ext, pattern):
    pos = pattern["positive"]
    ex = _run(ext, pos["text"])
    assert (pos["firm"], "produces", pos["product"]) in {(r.head, r.rel, r.tail) for r in ex.relations}
    neg = _run(ext, pattern["negative"])
    assert not [r for r in neg.relations if r.rel == "produces" and r.source.startswith("cue:")]


def test_short_place_in_project_name_is_read_by_its_city():
    from kg.components.projectparts import places_in
    name = "铁西智能装备项目"
    assert places_in(name) == []  # 铁西 alone is not read as a place
    assert places_in(name, 0, frozenset({"鞍山市"}))[0][3] == "铁西区"
    got = places_in(name, 0, frozenset({"四平市"}))
    assert got and got[0][2] == "County"


def test_the_product_of_a_project_name_skips_the_firm_and_its_capacity(ext):
    ex = _run(ext, "在宜宾三江新区，青岚动力年产30GWh动力电池项目加快推进。")
    assert {m.text for m in ex.mentions if m.type == "Product"} == {"动力电池"}


def test_a_list_head_with_a_clause_in_it_is_no_product(ext):
    ex = _run(ext, "受芯片短缺影响，华光工厂的甲款、乙款等车型因缺芯暂停生产汽车。")
    assert {m.text for m in ex.mentions if m.type == "Product"} == {"甲款", "乙款"}


def test_a_county_inside_a_word_needs_its_city_not_only_its_province():
    from kg.components.projectparts import places_in
    assert places_in("城乡安居乐业工程", 0, frozenset({"四川省"})) == []  # 安居 inside 安居乐业
    got = places_in("青松集团和静特钢项目", 0, frozenset({"新疆维吾尔自治区"}))
    assert got and got[0][3] == "和静县"  # a word of its own, in the province the text names


@pytest.mark.parametrize("name,firm,product", [
    ("常州青梧减震配件制造项目", "常州青梧", "减震配件"),
    ("温州禾田紧固件制造项目", "温州禾田", "紧固件"),
    ("重点推进智慧城市项目", None, None),
    ("襄城和独立储能项目", None, None),
])
def test_model_split_of_a_place_led_project_name(name, firm, product):
    from kg.components.projectparts import model_split
    got = model_split(name)
    assert (got and (name[:got[0]], name[got[0]:got[1]])) == ((firm, product) if firm else None)


def test_count_head_types_a_list_without_deng(ext):
    ex = _run(ext, "甲地开工了温州禾田紧固件制造项目、常州青梧减震配件制造项目2个配套项目。")
    assert {"温州禾田紧固件制造项目", "常州青梧减震配件制造项目"} <= {m.text for m in ex.mentions if m.type == "Project"}
    assert {"温州禾田", "常州青梧"} <= {m.text for m in ex.mentions if m.type == "Enterprise"}


def test_every_firm_listed_after_a_makers_head_makes_the_product(ext):
    ex = ext.extract(build_document("打印机厂商青禾、远帆和星海纷纷在本地设厂。", "t.txt"))
    makers = {r.head for r in ex.relations if r.rel == "produces" and r.tail == "打印机"}
    assert makers == {"青禾", "远帆", "星海"}
    ex = ext.extract(build_document("青禾新材的锂电隔膜生产线投产，远帆公司参观。", "t.txt"))
    assert not any(r.rel == "produces" and r.head == "远帆公司" for r in ex.relations)


@pytest.mark.parametrize("name,firm", [("青禾新材料项目", "青禾新材料"), ("远帆科技项目", "远帆科技"),
                                       ("国际物流项目", None), ("数字科技项目", None)])
def test_a_brand_and_a_company_word_before_the_project_word_is_the_firm(name, firm):
    got, products = split_project(name)
    assert got == firm
    if firm:
        assert products == []  # the company word is the firm's, not a product


def test_list_item_is_the_whole_product():
    """Nouns between a list's 、 and a product word belong to the product; a verb does not."""
    text = "主要产品包括动车组、城轨地铁车辆、机车和货车"
    spans = [text[s:e] for s, e in product_spans(text)]
    assert "城轨地铁车辆" in spans and "动车组" in spans
    text = "公司去年起开始、生产锂电池"
    assert "开始、生产锂电池" not in [text[s:e] for s, e in product_spans(text)]


def test_a_firm_the_verb_serves_is_no_maker(ext):
    ex_ = PRODUCER[1]["not_after_example"]
    got = {(r.head, r.rel) for r in _run(ext, ex_["text"]).relations}
    assert (ex_["customer"], "produces") not in got


def test_a_firm_named_after_its_product_and_kind(ext):
    ex = _run(ext, "本地乳制品企业青禾食品今年订单增长两成。")
    assert ("青禾食品", "produces", "乳制品") in {(r.head, r.rel, r.tail) for r in ex.relations}


def test_a_makers_kind_opening_a_list_item_is_no_firm(ext):
    ex = _run(ext, "上游材料环节，拥有硅片企业蓝岸光电、电子特气企业华特气体。")
    assert {m.text for m in ex.mentions if m.type == "Enterprise"} == {"蓝岸光电", "华特气体"}


PHASES = ("远帆新材料是本县新材料产业链的链主企业，带动了青禾复合材料、星海树脂等12家配套企业集聚。"
          "今年开工的项目中包括总投资15亿元的远帆新材料二期项目、总投资8亿元的青禾复合材料风电叶片项目。")


def test_a_firms_phase_and_a_known_firm_opening_a_project_name(ext):
    ex = _run(ext, PHASES)
    rels = {(r.head, r.rel, r.tail) for r in ex.relations}
    assert ("远帆新材料", "implements", "远帆新材料二期项目") in rels  # the phase keeps its firm's name
    assert ("青禾复合材料", "produces", "风电叶片") in rels  # the firm named before is cut off the product
    implementers = {h for h, r, t in rels if r == "implements" and t.endswith("风电叶片项目")}
    assert implementers == {"青禾复合材料"}
    assert "远帆新材料" not in {m.text for m in ex.mentions if m.type == "Product"}


def test_a_process_word_opens_the_product_not_the_firm(ext):
    from kg.components.projectparts import split_project
    assert split_project("青禾电子湿法隔膜项目") == ("青禾电子", [(4, 8)])


def test_an_events_title_before_a_chain_is_not_its_name(ext):
    ex = _run(ext, "日前，2026中国（江州）储能产业链招商推介会举行。")
    assert {m.text for m in ex.mentions if m.type == "IndustryChain"} == {"储能产业链"}


CHAIN_LINKS = load_json("patterns/products.json")["chain_links"]["examples"]


@pytest.mark.parametrize("example", CHAIN_LINKS, ids=[e["text"][:10] for e in CHAIN_LINKS])
def test_chain_links_are_products(ext, example):
    ex = _run(ext, example["text"])
    found = {m.text for m in ex.mentions if m.type == "Product"}
    assert set(example["products"]) <= found and (example["products"] or not found)


FIGURATIVE = load_json("patterns/products.json")["figurative"]["examples"]


@pytest.mark.parametrize("example", FIGURATIVE, ids=[e["text"][:10] for e in FIGURATIVE])
def test_a_product_word_used_for_something_else_is_no_product(ext, example):
    found = {m.text for m in _run(ext, example["text"]).mentions if m.type == "Product"}
    assert set(example["products"]) <= found and (example["products"] or not found)


def test_a_chains_links_belong_to_the_chain_it_names(ext):
    ex = _run(ext, "目前，本县已形成从多晶硅、硅片到电池片的完整光伏产业链。")
    assert {(r.head, r.tail) for r in ex.relations if r.rel == "belongsToChain"} == {
        ("多晶硅", "光伏产业链"), ("硅片", "光伏产业链"), ("电池片", "光伏产业链")}


def test_a_well_known_firm_opening_a_project_name_is_cut_off(ext):
    ex = _run(ext, "总投资120亿元的中创新航动力电池项目一期建成投产。")
    rels = {(r.head, r.rel, r.tail) for r in ex.relations}
    assert ("中创新航", "produces", "动力电池") in rels
    assert not any(m.text.startswith("中创新航") for m in ex.mentions if m.type == "Product")


def test_a_firms_name_that_is_also_a_places_short_form_places_no_project(ext):
    from kg.components.projectparts import places_in
    assert places_in("吉利整车项目") == []  # a firm of the gazetteer: a place only where its city is named
    assert places_in("吉利区石化项目")[0][3] == "吉利区"


def test_the_lines_of_a_chains_investment_map(ext):
    text = ("附件3 储能产业链招商图谱\n一、上游\n正极材料：本地企业有青禾材料；目标企业：远帆新能。\n"
            "二、中游\n储能电池：本地暂无。\n")
    ex = _run(ext, text)
    assert {m.canonical for m in ex.mentions if m.type == "IndustryChain"} == {"储能产业链"}
    assert {(r.head, r.tail) for r in ex.relations if r.rel == "belongsToChain"} >= {
        ("正极材料", "储能产业链"), ("储能电池", "储能产业链")}


def test_a_places_park_project_names_no_firm():
    from kg.components.projectparts import split_project
    assert split_project("临江新材料产业园项目")[0] is None  # 临江: a place's short form
    assert split_project("青禾新材料项目")[0] == "青禾新材料"


SHAPE = load_json("patterns/products.json")["shape"]["examples"]


@pytest.mark.parametrize("example", SHAPE, ids=[e["name"] for e in SHAPE])
def test_product_shape_examples(example):
    from kg.components.products import product_shape
    start = product_shape(example["name"])
    assert (None if start is None else example["name"][start:]) == example["product"]


def test_a_quantity_before_a_product_is_cut(ext):
    got = {m.text for m in _run(ext, "青禾公司主要生产一吨淀粉。").mentions if m.type == "Product"}
    assert got == {"淀粉"}


def test_a_latin_product_term_inside_a_longer_latin_word_is_no_product():
    """PC in PCS, LED in OLED: the letters go on."""
    assert product_spans("储能变流器（PCS）") == [(0, 5)]
    assert [("OLED显示屏")[s:e] for s, e in product_spans("OLED显示屏")] == ["OLED显示屏"]


def test_a_product_said_missing_or_bought_in_gets_no_guessed_maker(ext):
    """The line lists the chain's links; 青岚能源 makes 电芯, 储能变流器 is bought from elsewhere."""
    ex = _run(ext, "崇阳县储能产业链招商方案\n中游：电芯、储能变流器（PCS）。"
                   "青岚能源科技有限公司已形成电芯、模组生产能力，储能变流器依赖外地采购。")
    made = {r.tail for r in ex.relations if r.rel == "produces"}
    assert "电芯" in made and "储能变流器" not in made
    links = {r.head for r in ex.relations if r.rel == "belongsToChain" and r.tail == "储能产业链"}
    assert {"电芯", "储能变流器"} <= links and "PC" not in links  # a segment line lists the chain's links
    filled = _run(ext, "青岚能源科技有限公司生产的隔膜填补了本地空白。")  # a gap filled is no gap
    assert "隔膜" in {r.tail for r in filled.relations if r.rel == "produces"}
