"""Extraction components: every pattern's own examples, the overlap policy, cue relations on
texts written for each cue, and the relation and firm-name models (loading, confidence, retraining)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg import components, namemodel, relate
from kg.components import State, load_json
from kg.extract import Extractor
from kg.ingest import build_document
from kg.model import Extraction, Mention


@pytest.fixture(scope="module")
def ext():
    return Extractor()


def _run(ext, text: str) -> Extraction:
    return ext.extract(build_document(text, "t.txt"))


def _names(ex: Extraction, typ: str) -> set[str]:
    return {m.text for m in ex.mentions if m.type == typ}


def _rels(ex: Extraction, rel: str) -> set[tuple[str, str]]:
    return {(r.head, r.tail) for r in ex.relations if r.rel == rel}


LIST_EXAMPLES = load_json("patterns/lists.json")["examples"]


@pytest.mark.parametrize("example", LIST_EXAMPLES, ids=[e["text"][:12] for e in LIST_EXAMPLES])
def test_list_examples(ext, example):
    ex = _run(ext, example["text"])
    if example["type"] is None:
        assert not [m for m in ex.mentions if m.source == "list"]
    else:
        assert set(example["items"]) <= _names(ex, example["type"])
        assert not set(example.get("absent", ())) & _names(ex, example["type"])


ROLE_PATTERNS = load_json("patterns/roles.json")["patterns"]


@pytest.mark.parametrize("pattern", ROLE_PATTERNS, ids=[p["name"] for p in ROLE_PATTERNS])
def test_role_pattern_positive(ext, pattern):
    pos = pattern["positive"]
    ex = _run(ext, pos["text"])
    firms = _names(ex, "Enterprise")
    for group in ("firm", "supplier", "customer"):
        assert set(pos.get(group, [])) <= firms, group
    if "role" in pos:
        rel = pattern["rel_by_role"][pos["role"]]
        assert {h for h, _ in _rels(ex, rel)} >= set(pos["firm"])
    if pattern.get("rel") == "suppliesTo":
        assert _rels(ex, "suppliesTo") >= {(s, c) for s in pos["supplier"] for c in pos["customer"]}
    if pattern.get("rel") == "produces":
        assert _rels(ex, "produces") >= {(f, x) for f in pos["firm"] for x in pos["product"]}
    if pattern.get("rel") == "belongsToCluster":
        assert {h for h, _ in _rels(ex, "belongsToCluster")} >= set(pos["firm"])


@pytest.mark.parametrize("pattern", ROLE_PATTERNS, ids=[p["name"] for p in ROLE_PATTERNS])
def test_role_pattern_negative(ext, pattern):
    ex = _run(ext, pattern["negative"])
    assert not [r for r in ex.relations if r.source == "cue:" + pattern["name"]]
    assert not [m for m in ex.mentions if m.source == "role-cue"]


def test_a_role_after_several_chains_binds_to_none_of_them(ext):
    ex = _run(ext, "全县围绕新能源电池、高端装备两条主导产业链招商。支持青禾时代、远帆重工等链主企业做大做强。")
    assert not _rels(ex, "chainLeaderOf")


def test_leader_and_core_are_bound_to_their_own_firms(ext):
    ex = _run(ext, "县里以海川重工为链主，蓝岭液压和石门铸造为链核，做强工程机械产业链。")
    assert _rels(ex, "chainLeaderOf") == {("海川重工", "工程机械产业链")}
    assert _rels(ex, "chainCoreOf") == {("蓝岭液压", "工程机械产业链"), ("石门铸造", "工程机械产业链")}
    for r in ex.relations:
        if r.rel in ("chainLeaderOf", "chainCoreOf"):
            assert 0 < r.confidence < 1 and r.source.startswith("cue:")


def test_leader_named_with_zuowei(ext):
    ex = _run(ext, "澄江储能作为新能源电池产业链链主，带动了八家配套企业落户。")
    assert ("澄江储能", "新能源电池产业链") in _rels(ex, "chainLeaderOf")


def test_customer_is_not_a_leader(ext):
    ex = _run(ext, "启明科技是星河汽车的一级供应商，双方共建智能网联汽车产业链。")
    assert ("启明科技", "星河汽车") in _rels(ex, "suppliesTo")
    assert not _rels(ex, "chainLeaderOf")


def test_produces_from_a_production_verb(ext):
    ex = _run(ext, "青禾电池有限公司主要生产动力电池和储能电池。")
    assert {("青禾电池有限公司", "动力电池"), ("青禾电池有限公司", "储能电池")} <= _rels(ex, "produces")
    assert all(0 < r.confidence <= 1 for r in ex.relations)


SITE_EXAMPLES = load_json("patterns/firm_sites.json")["examples"]


@pytest.mark.parametrize("example", SITE_EXAMPLES, ids=[e["text"][:14] for e in SITE_EXAMPLES])
def test_firm_site_examples(ext, example):
    ex = _run(ext, example["text"])
    named = {m.canonical for m in ex.mentions if m.type == "Project" and m.source != "coref"}
    assert set(example["projects"]) == named
    firms = _names(ex, "Enterprise")
    assert all((f, p) in _rels(ex, "implements") for p in example["projects"] for f in firms if p.startswith(f))


def test_its_in_a_list_is_no_part_of_the_next_item(ext):
    ex = _run(ext, "青禾新材主要从事碳纤维及其复合材料的研发和生产。")
    assert _names(ex, "Product") == {"碳纤维", "复合材料"}
    ex = _run(ext, "青禾市国资委及其子公司远帆投资表示愿意参与此次增资。")
    assert not any(n.startswith("子公司") for n in _names(ex, "Enterprise"))


def test_the_links_a_chain_runs_through_are_not_a_firms_products(ext):
    ex = _run(ext, "园区以青禾动力为链主企业，形成了从正极材料、负极材料到电芯、电池包的完整产业链。")
    assert not _rels(ex, "produces")
    ex = _run(ext, "青禾动力主要生产电芯和电池包。")
    assert {("青禾动力", "电芯"), ("青禾动力", "电池包")} <= _rels(ex, "produces")


def test_what_a_plan_aims_at_is_not_its_leaders_products(ext):
    ex = _run(ext, "发挥青禾动力、远帆储能等链主企业带动作用，重点发展正极材料、隔膜、电解液等关键材料。")
    assert not _rels(ex, "produces")
    ex = _run(ext, "青禾动力是本地规模最大的电池厂家，它主要生产正极材料和电解液。")
    assert {("青禾动力", "正极材料"), ("青禾动力", "电解液")} <= _rels(ex, "produces")


def test_two_lists_joined_by_yiji_share_their_place(ext):
    ex = _run(ext, "今年以来，江北经济开发区已集聚星河汽车、蓝湾汽车等整车企业，以及远帆电池、青禾电驱等200余家配套企业。")
    placed = {h for h, t in _rels(ex, "locatedIn") if t == "江北经济开发区"}
    assert {"星河汽车", "蓝湾汽车", "远帆电池", "青禾电驱"} <= placed


def test_the_customer_of_a_supply_is_not_guessed_to_make_the_part(ext):
    ex = _run(ext, "青岚电子为北辰汽车配套生产车载显示屏。")
    assert ("青岚电子", "suppliesTo", "北辰汽车") in {(r.head, r.rel, r.tail) for r in ex.relations}
    assert not [r for r in ex.relations if r.rel == "produces" and r.head == "北辰汽车"]


def test_a_named_part_after_provides_states_a_supply(ext):
    ex = _run(ext, "青岚精工主要为远帆重工、北辰机械等主机厂提供液压件。")
    got = {(r.head, r.rel, r.tail) for r in ex.relations}
    assert {("青岚精工", "suppliesTo", "远帆重工"), ("青岚精工", "suppliesTo", "北辰机械")} <= got
    ex = _run(ext, "青岚园区为北辰机械等落户企业提供代办服务。")
    assert not [r for r in ex.relations if r.rel == "suppliesTo"]


def test_a_firm_named_in_one_list_item_does_not_implement_the_others(ext):
    ex = _run(ext, "本次签约的项目包括：青岚智能制造产业园项目、远帆新材料产业园项目、星海冷链物流项目。")
    assert not [r for r in ex.relations if r.rel == "implements" and r.tail == "星海冷链物流项目"]


def test_glued_verbs_are_trimmed(ext):
    ex = _run(ext, "今年将加快建设临河新能源装备产业园，力争年底完工投产。")
    names = _names(ex, "Park") | _names(ex, "Project")
    assert "临河新能源装备产业园" in names
    assert not any(n.startswith(("加快", "建设")) for n in names)


def test_project_names_keep_a_figure_and_its_adjective_and_drop_a_lead_verb(ext):
    ex = _run(ext, "远帆化工有限公司新上年产8万吨己二酸项目，同时投资20亿元建设5GW高效光伏组件项目。")
    names = _names(ex, "Project")
    assert {"年产8万吨己二酸项目", "5GW高效光伏组件项目"} <= names
    assert not any(n.startswith("新上") for n in names)


def test_a_company_word_jieba_splits_still_ends_a_firm_name(ext):
    ex = _run(ext, "今年以来，蓝桥新材实现营业收入35亿元，星河智造实现营收12亿元。")
    assert {"蓝桥新材", "星河智造"} <= _names(ex, "Enterprise")


def test_a_material_of_one_character_names_a_chain(ext):
    ex = _run(ext, "青禾县全力打造铝产业链，延伸茶产业链，补齐整个产业链短板。")
    assert {m.canonical for m in ex.mentions if m.type == "IndustryChain"} == {"铝产业链", "茶产业链"}


def test_a_counted_list_of_chains_or_clusters_names_each(ext):
    ex = _run(ext, "青禾区围绕智能制造、生物医药两条产业链和纺织服装、食品加工三大产业集群精准招商。")
    assert {"智能制造产业链", "生物医药产业链"} <= {m.canonical for m in ex.mentions if m.type == "IndustryChain"}
    assert {"纺织服装产业集群", "食品加工产业集群"} <= {m.canonical for m in ex.mentions if m.type == "IndustryCluster"}
    ex = _run(ext, "全县已形成6条重点产业链，谋划3个五十亿级、4个十亿级产业集群。")
    assert not [m for m in ex.mentions if m.type in ("IndustryChain", "IndustryCluster")]
    # the items are the fields a cluster spans, not clusters of their own
    ex = _run(ext, "全区已形成涵盖精密铸件、车载电子、座舱内饰等领域的产业集群。")
    assert not [m for m in ex.mentions if m.type == "IndustryCluster"]
    ex = _run(ext, "全区已形成涵盖精密铸件、车载电子、座舱内饰等多个领域的汽车零部件产业集群。")
    assert not any(m.text.startswith("涵盖") for m in ex.mentions)


def _doc_state(text: str, mentions: list[tuple[int, int, str]]) -> State:
    doc = build_document(text, "t.txt")
    ms = [Mention(text[a:b], t, text[a:b], a, b, 0) for a, b, t in mentions]
    return State(Extraction(doc=doc, mentions=ms))


def test_overlap_policy():
    text = "宁波远帆电子与合肥签约。"
    st = _doc_state(text, [(0, 2, "City"), (7, 9, "City")])
    firm = st.propose(0, 6, "Enterprise", source="test")  # swallows the place inside its name
    assert firm is not None and {(m.text, m.type) for m in st.ex.mentions} == {("宁波远帆电子", "Enterprise"),
                                                                              ("合肥", "City")}
    assert ("City", "宁波") in st.removed
    assert st.propose(5, 8, "Enterprise", source="test") is None  # partial overlap: refused
    st = _doc_state(text, [(0, 6, "Enterprise")])
    m = st.propose(0, 6, "Project", source="test", retype=True)
    assert m.type == "Enterprise"  # firms are never retyped by a list head


def test_pipeline_config_names_registered_components():
    steps = components.build_pipeline()
    names = [n for n, _ in steps]
    assert names == [c["name"] for c in load_json("pipeline.json")["components"]]
    for n in names:
        f = components.REGISTRY[n]
        assert f.reads and f.writes


def test_firm_name_model_separates_firms_from_phrases():
    firms = ["云帆电子", "晶澜新能源", "华嵘锂业"]
    phrases = ["招商引资", "营商环境", "产业链", "动力电池", "高新区"]
    assert min(namemodel.probability(n) for n in firms) > max(namemodel.probability(n) for n in phrases)


def test_relation_model_is_shipped_and_confidences_are_probabilities(ext):
    model = relate.load_model()
    assert {"locatedIn", "implements", "produces", "investment", "capacity"} <= set(model["rels"])
    ex = _run(ext, "北辰电控有限公司在临河经济开发区投资12亿元建设年产30万套电驱系统项目。")
    rels = {(r.head, r.rel, r.tail): r for r in ex.relations}
    key = ("年产30万套电驱系统项目", "investment", "12亿元")
    assert key in rels and 0.5 <= rels[key].confidence < 1
    assert ("北辰电控有限公司", "implements", "年产30万套电驱系统项目") in rels


def _write_tiny_set(tmp_path):
    texts = {
        "a.txt": "远帆电子有限公司在临河经济开发区投资5亿元建设年产10万套电池包项目。",
        "b.txt": "青禾材料有限公司在城东工业园投资8亿元建设年产2万吨负极材料项目。",
        "c.txt": "星澜科技有限公司在南湖高新区投资3亿元建设年产5万台伺服电机项目。",
    }
    arts = tmp_path / "arts"
    arts.mkdir()
    docs = {}
    for name, text in texts.items():
        (arts / name).write_text(text, encoding="utf-8")
        firm = text.split("在")[0]
        park = text.split("在")[1].split("投资")[0]
        proj = text.split("建设")[1].rstrip("。")
        amount = text.split("投资")[1].split("建设")[0]
        ents = [{"text": firm, "type": "Enterprise", "canonical": firm, "aliases": []},
                {"text": park, "type": "Park", "canonical": park, "aliases": []},
                {"text": proj, "type": "Project", "canonical": proj, "aliases": []}]
        rels = [{"head": firm, "rel": "implements", "tail": proj, "evidence": text},
                {"head": proj, "rel": "locatedIn", "tail": park, "evidence": text},
                {"head": proj, "rel": "investment", "tail": amount, "evidence": text, "tail_literal": True}]
        docs[name] = {"entities": ents, "relations": rels}
    gold = tmp_path / "tiny.gold.json"
    gold.write_text(json.dumps({"documents": docs}, ensure_ascii=False), encoding="utf-8")
    return gold, arts


def test_relation_training_runs_on_a_tiny_sample(tmp_path):
    pytest.importorskip("sklearn")
    gold, arts = _write_tiny_set(tmp_path)
    out = tmp_path / "model.json"
    r = subprocess.run([sys.executable, "-m", "kg.relate_train", "--set", f"tiny={gold}:{arts}", "--out", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    model = json.loads(out.read_text(encoding="utf-8"))
    trained = {k: v for k, v in model["rels"].items() if v["positives"] >= 3}
    assert trained and all(0 < v["threshold"] < 1 for v in trained.values())
    ex = Extractor().extract(build_document("蓝岭机械有限公司在西山工业园投资6亿元建设年产8万台液压泵项目。", "t.txt"),
                             learned=False)
    assert relate.relate(ex, relate.load_model(str(out)))  # the retrained model loads and decides


RIGHT_EXAMPLES = load_json("patterns/left_context.json")["right_examples"]


@pytest.mark.parametrize("example", RIGHT_EXAMPLES, ids=[e["text"] for e in RIGHT_EXAMPLES])
def test_name_end_examples(example):
    from kg.components.names import name_end
    assert example["text"][:name_end(example["text"])] == example["name"]


START_EXAMPLES = load_json("patterns/left_context.json")["start_examples"]


@pytest.mark.parametrize("example", START_EXAMPLES, ids=[e["text"] for e in START_EXAMPLES])
def test_name_start_examples(example):
    from kg.components.names import name_start
    assert example["text"][name_start(example["text"])[0]:] == example["name"]


VERB_EXAMPLES = load_json("patterns/left_context.json")["verb_examples"]


@pytest.mark.parametrize("example", VERB_EXAMPLES, ids=[e["text"] for e in VERB_EXAMPLES])
def test_verb_before_a_firm_examples(ext, example):
    """Known verbs before a firm's name are cut off; a trade name jieba tags as a verb stays."""
    assert example["name"] in _names(_run(ext, "今年，" + example["text"] + "在西山投资。"), "Enterprise")


TRADE_NAME_EXAMPLES = load_json("patterns/left_context.json")["trade_name_examples"]


@pytest.mark.parametrize("name", TRADE_NAME_EXAMPLES["names"])
def test_a_verb_after_a_trade_name_is_part_of_the_name(ext, name):
    """某星|显示|有限公司: cut after the verb, only a kind of firm would be left."""
    assert name in _names(_run(ext, "我们长期向" + name + "供货。"), "Enterprise")


@pytest.mark.parametrize("name", TRADE_NAME_EXAMPLES["not_names"])
def test_an_activity_and_a_legal_suffix_name_no_firm(ext, name):
    assert not _names(_run(ext, "我们长期向" + name + "供货。"), "Enterprise")


def test_a_firm_named_after_an_object_verb_starts_after_it(ext):
    firms = _names(_run(ext, "记者走进星河电气的生产车间，看到新线已经投产。"), "Enterprise")
    assert firms == {"星河电气"}


def test_a_head_before_a_clause_does_not_type_a_list(ext):
    ex = _run(ext, "远帆公司已从经销商青禾集团那里收回了华东、华南两地零售业务。")
    assert not any(m.type == "Enterprise" and "零售" in m.text for m in ex.mentions)
    assert "青禾集团" in _names(ex, "Enterprise")


def test_subsidiary_is_read_with_its_parent(ext):
    ex = _run(ext, "据远帆控股济南有限公司总经理介绍，青禾药业山东公司去年已在全省布局。")
    firms = _names(ex, "Enterprise")
    assert {"远帆控股济南有限公司", "青禾药业山东公司"} <= firms
    assert not firms & {"济南有限公司", "山东公司"}


def test_words_glued_after_a_firm_are_trimmed(ext):
    ex = _run(ext, "活动会场设在青禾锂电年产5GWh储能电池项目现场。知名厂商星海、北辰、远帆等均在本市设厂。")
    firms = _names(ex, "Enterprise")
    assert "青禾锂电" in firms and "远帆" in firms
    assert not any(f.endswith(("年产", "均在本市")) or "等" in f for f in firms)


@pytest.mark.parametrize("name,generic", [
    ("物业管理公司", True), ("一些期货公司", True), ("科技有限公司", True), ("中国公司", True),
    ("三大公司", True), ("少数石油公司", True), ("济南有限公司", True), ("新地产公司", True), ("两家", True),
    ("美国器械公司", True), ("第三家太阳能公司", True), ("星禾公司", False),
    ("山西省大型煤炭企业集团", True), ("河北钢铁集团", False),
    ("青禾科技有限公司", False), ("三禾集团", False), ("星海重工股份有限公司", False),
])
def test_kind_of_company_is_not_a_company(name, generic):
    from kg.components.names import generic_company
    assert generic_company(name) is generic


def test_common_word_short_forms_do_not_spread(ext):
    ex = _run(ext, "中国石化宣布扩产。石油价格上涨，石油需求增加。")
    assert "石油" not in _names(ex, "Enterprise")


@pytest.mark.parametrize("name,generic", [
    ("2个园区", True), ("这些园区", True), ("配套园区", True), ("园区", True),
    ("锂电产业园", False), ("青禾智慧产业园", False),
])
def test_parks_in_general_are_not_a_park(name, generic):
    from kg.components.names import generic_park
    assert generic_park(name) is generic


def test_field_label_of_a_table_row_is_not_a_chain(ext):
    ex = _run(ext, "第一批链主企业名单如下。\n序号：1；所属产业链：智能终端；链主企业名称：青禾星辰科技有限公司。")
    assert "智能终端" not in _names(ex, "Enterprise")
    assert not any(r.tail == "所属产业链" or r.head == "智能终端" for r in ex.relations if r.rel == "chainLeaderOf")


@pytest.mark.parametrize("name,category", [
    ("太阳能项目", True), ("文旅项目", True), ("芯片项目", False), ("磁性材料扩产项目", False), ("云帆储能基地", False),
])
def test_one_common_word_before_project_is_a_kind_of_project(name, category):
    from kg.components.names import category_project
    assert category_project(name) is category


def test_groups_of_projects_and_words_going_on_are_not_projects(ext):
    ex = _run(ext, "从并购看中国工程机械的国际化。新疆五个新能源项目集体开工。这些大型储能项目将成为补充。4月8日，青禾光伏电站工程开工。")
    assert _names(ex, "Project") == {"青禾光伏电站工程"}


def test_a_product_needs_a_maker_or_a_chain_nearby(ext):
    market = _run(ext, "今年国内家具出口市场受到冲击，稀土价格疯狂上涨。")
    assert not _names(market, "Product")
    made = _run(ext, "青禾家居有限公司主要生产床垫和沙发。")
    assert {"床垫", "沙发"} <= _names(made, "Product")
    projects = _run(ext, "园区将建设一批铝箔、汽车轮毂等铝材加工项目。")
    assert {"铝箔", "汽车轮毂"} <= _names(projects, "Product")


def test_every_mention_carries_the_measured_precision_of_its_source(ext):
    from kg.confidence import _table
    from kg.extract import to_json

    rec = to_json(_run(ext, "青禾电池为星河动力配套供应动力电池。宝钢今年扩产。"))
    table = _table()["sources"]
    assert rec["entities"] and all(0 < e["confidence"] <= 1 for e in rec["entities"])
    by_source = {e["source"]: e["confidence"] for e in rec["entities"]}
    assert by_source["gazetteer"] == table["gazetteer"]["precision"]
    assert len(set(by_source.values())) > 1  # sources differ in precision


def test_capacity_keeps_the_product_before_its_figure_not_a_verb():
    from kg.literals import CAP_RE
    assert CAP_RE.search("年处理药材3000吨以上").group() == "年处理药材3000吨以上"
    assert CAP_RE.search("建成后年产能将达360万吨").group() == "360万吨"
    assert CAP_RE.search("啤酒年产能60万千升").group() == "年产能60万千升"


def test_a_project_of_common_words_needs_an_event_firm_or_place(ext):
    kind = _run(ext, "业内认为光伏电站项目回报率较高。")
    assert "光伏电站项目" not in _names(kind, "Project")
    one = _run(ext, "青禾能源光伏电站项目今年开工。")
    assert any(n.endswith("光伏电站项目") for n in _names(one, "Project"))


@pytest.mark.parametrize("surface,kept", [
    ("上马化肥", "化肥"), ("包括缝纫机在内的服装设备", "服装设备"), ("电机产品", "电机"), ("初级产品", None),
    ("无灰分散剂", "无灰分散剂"),
])
def test_words_before_a_product_are_not_part_of_it(surface, kept):
    from kg.components import boundaries

    text = f"园区{surface}。"
    ex = Extraction(build_document(text, "t.txt"))
    ex.mentions.append(Mention(text=surface, type="Product", canonical=surface, start=2, end=2 + len(surface), sentence=0))
    state = State(ex)
    boundaries.make_boundaries({})(state)
    assert {m.text for m in ex.mentions if m.type == "Product"} == ({kept} if kept else set())


MENTION_PATTERNS = load_json("patterns/mention_patterns.json")["patterns"]


@pytest.mark.parametrize("pattern", MENTION_PATTERNS, ids=[p["name"] for p in MENTION_PATTERNS])
def test_mention_pattern_examples(ext, pattern):
    source = "cue:" + pattern["name"]  # the component's proposals, before the relation stage picks
    pos = ext.extract(build_document(pattern["positive"]["text"], "t.txt"), learned=False)
    found = {(r.head, r.tail) for r in pos.relations if r.rel == pattern.get("rel", "locatedIn") and r.source == source}
    assert found == {tuple(p) for p in pattern["positive"]["pairs"]}
    neg = ext.extract(build_document(pattern["negative"], "t.txt"), learned=False)
    assert not [r for r in neg.relations if r.source == source]


ANAPHORS = load_json("patterns/mention_patterns.json")["anaphors"]


@pytest.mark.parametrize("anaphor", ANAPHORS, ids=[a["name"] for a in ANAPHORS])
def test_anaphor_examples(ext, anaphor):
    def placed(text):
        ex = ext.extract(build_document(text, "t.txt"), learned=False)
        return {(r.head, r.tail) for r in ex.relations if r.rel == "locatedIn" and r.source.startswith("cue:")}
    assert {tuple(p) for p in anaphor["positive"]["pairs"]} <= placed(anaphor["positive"]["text"])
    heads = {h for h, _ in anaphor["positive"]["pairs"]}
    assert not {h for h, _ in placed(anaphor["negative"])} & heads


def test_a_firm_named_before_its_project_is_not_placed_by_the_project(ext):
    ex = _run(ext, "嘉鱼县成功签约青禾科技有限公司光伏组件项目。")
    placed = {(r.head, r.tail) for r in ex.relations if r.rel == "locatedIn" and r.source.startswith("cue:")}
    assert ("青禾科技有限公司", "嘉鱼县") not in placed


def test_a_kind_of_project_qualifying_a_noun_is_no_project(ext):
    assert not _names(_run(ext, "全市今年下达设施农业项目专项资金共计500万元。"), "Project")
    assert "光伏组件项目" in _names(_run(ext, "青禾公司光伏组件项目专项资金已到位。"), "Project")


@pytest.mark.parametrize("name,generic", [("哪一个公司", True), ("外国公司", True), ("深市中小板公司", True),
                                          ("日本本土汽车公司", True), ("青禾等公司", True), ("宏润石化公司", False),
                                          ("远帆电子商务公司", False)])
def test_kinds_of_company(name, generic):
    from kg.components.names import generic_company
    assert generic_company(name) is generic


def test_an_upgrade_project_after_a_plant_name_is_one_project(ext):
    projects = _names(_run(ext, "青禾汽车南区工厂产品升级项目今日落成投产。"), "Project")
    assert any(p.endswith("工厂产品升级项目") for p in projects)


def test_the_rest_of_a_date_is_not_part_of_a_name(ext):
    assert "显示器厂生产线" in _names(_run(ext, "受订单下滑影响，青禾电子的产能逐步收缩，2019年底显示器厂生产线关停。"), "Project")


def test_a_word_no_recogniser_took_does_not_break_a_placed_list(ext):
    ex = ext.extract(build_document("青禾重工、远帆电子、创新、星海科技等龙头企业齐聚嘉鱼县发展。", "t.txt"), learned=False)
    placed = {r.head for r in ex.relations if r.rel == "locatedIn" and r.source == "cue:items_arrive"}
    assert {"青禾重工", "远帆电子", "星海科技"} <= placed


def test_the_customer_of_a_supply_does_not_make_what_it_buys(ext):
    ex = _run(ext, "青禾电子将向远帆汽车有限公司批量供应车用逆变器。")
    makers = {r.head for r in ex.relations if r.rel == "produces"}
    assert "远帆汽车有限公司" not in makers


def test_a_figure_inside_another_figure_of_the_same_project_is_dropped(ext):
    ex = _run(ext, "星海材料年产10万吨铝型材项目计划投资6.5亿元。")
    caps = {r.tail for r in ex.relations if r.rel == "capacity"}
    assert caps == {"年产10万吨"}


def test_a_production_line_built_by_a_verb(ext):
    ex = _run(ext, "一期投资6亿元，建设年产3GWh钠离子电池生产线。")
    assert ("年产3GWh钠离子电池生产线", "年产3GWh") in _rels(ex, "capacity")


def test_a_project_named_for_its_expansion(ext):
    ex = _run(ext, "青禾精工电驱系统扩产项目投资9亿元，达产后新增产能80万套。")
    assert ("电驱系统扩产项目", "9亿元") in _rels(ex, "investment")
    assert ("青禾精工", "电驱系统扩产项目") in _rels(ex, "implements")


def test_a_date_is_no_part_of_a_cluster_or_park_name(ext):
    ex = _run(ext, "2025年全市精密光学产业集群营收80亿元，5月江北经济开发区新签约项目6个。")
    assert _names(ex, "IndustryCluster") == {"精密光学产业集群"}
    assert _names(ex, "Park") == {"江北经济开发区"}


def test_a_word_of_time_names_no_park(ext):
    assert not _names(_run(ext, "厂长说，现在园区里就能买到配套件。"), "Park")
    assert _names(_run(ext, "未来科技城今年新增企业200家。"), "Park") == {"未来科技城"}


def test_verbs_before_firms_do_not_cut_park_names(ext):
    assert "中德合作产业园" in _names(_run(ext, "今年中德合作产业园新签约项目10个。"), "Park")


@pytest.mark.parametrize("text,firm", [
    ("青禾建材有限公司去年收购了位于江北经济开发区的远帆水泥有限公司。", "青禾建材有限公司"),  # the place is the bought firm's
    ("两座新工厂分别是位于南海区的青禾汽车有限公司工厂和位于仪征市的远帆汽车有限公司工厂。", "青禾汽车有限公司"),
])
def test_a_place_that_qualifies_another_mention_does_not_place_the_subject(ext, text, firm):
    ex = ext.extract(build_document(text, "t.txt"), learned=False)
    assert not [r for r in ex.relations if r.source == "cue:items_arrive" and r.head == firm]


def test_a_listing_verb_opens_no_project_name(ext):
    projects = _names(_run(ext, "同日签约的还有远帆电子智能终端项目，总投资5亿元。"), "Project")
    assert projects and not any(p.startswith("还有") for p in projects)


@pytest.mark.parametrize("text,firms", [
    ("远帆电机的第二大股东的实际控制人青禾集团或将注资。", {"青禾集团"}),  # 控制人: a role, not 人青禾集团
    ("由远帆燃气有限公司和同益实业集团合资的新公司成立。", {"远帆燃气有限公司", "同益实业集团"}),  # 和|同益
    ("公司二季度粗钢、球团矿销量均增加。", set()),  # 公司 opening the clause: the firm spoken of, no list head
    ("公司与全球知名品牌商远帆、青禾和蓝湾建立了合作关系。", {"远帆", "青禾", "蓝湾"}),  # 品牌商 heads the list
    ("照明市场领先者远帆公司宣布推出新模组。", {"远帆公司"}),  # 领先者: a descriptor before the name
    ("据统计，玻璃行业方面青禾建材集团表现较好。", {"青禾建材集团"}),  # 方面 ends the words before it
])
def test_firm_name_boundaries_after_role_nouns_conjunctions_and_subjects(ext, text, firms):
    assert _names(_run(ext, text), "Enterprise") == firms


@pytest.mark.parametrize("name,strong", [("青禾证券", True), ("远帆期货", True), ("蓝湾保险", True), ("证券", False)])
def test_a_financial_trade_ends_a_firms_name(name, strong):
    """A broker, bank or insurer is a firm whose name ends with its trade, like 某某电子."""
    from kg.components.names import strong_firm
    assert strong_firm(name) is strong


@pytest.mark.parametrize("text,firm,project", [
    ("青禾化工新上年产20万吨环氧乙烷项目。", "青禾化工", "年产20万吨环氧乙烷项目"),
    ("青禾水泥有限公司新上砂石骨料生产线项目，总投资2亿元。", "青禾水泥有限公司", "砂石骨料生产线项目"),
    ("远帆集团拟合作开发北湾200万吨钾盐基地，总投资30亿元。", "远帆集团", "北湾200万吨钾盐基地"),
])
def test_a_verb_of_building_is_in_neither_the_firms_nor_the_projects_name(ext, text, firm, project):
    ex = _run(ext, text)
    assert _names(ex, "Enterprise") == {firm}
    assert {m.canonical for m in ex.mentions if m.type == "Project"} == {project}  # (its name without the firm)
    assert (firm, project) in _rels(ex, "implements")


@pytest.mark.parametrize("text", [
    "国家将严格限制新建电解铝项目，远帆铝业有限公司暂停扩产。",  # 新建: to build (新建区)
    "远帆金属有限公司是省内重要的白银冶炼企业，去年产量增长。",  # 白银: silver (白银市)
])
def test_a_common_word_that_is_also_a_places_short_name_is_no_place(ext, text):
    ex = _run(ext, text)
    assert not _names(ex, "County") | _names(ex, "City") and not _rels(ex, "locatedIn")


@pytest.mark.parametrize("piece,name", [("远帆电器去年已公布规划", "远帆电器"), ("青禾一起研发新车", "青禾"),
                                        ("蓝湾科技等企业", "蓝湾科技")])
def test_a_lists_last_name_ends_at_a_time_word_or_an_adverb_of_company(piece, name):
    from kg.components.lists import _name_prefix
    assert piece[:_name_prefix(piece)] == name


def test_a_project_built_at_a_place_after_the_country_and_with_a_count(ext):
    ex = _run(ext, "远帆公司去年决定在中国苏州新建一个液晶面板工厂。")
    assert ("液晶面板工厂", "苏州市") in _rels(ex, "locatedIn")


@pytest.mark.parametrize("name", ["冷链配送中心项目", "区域结算中心项目", "快递分拨中心项目"])
def test_a_service_verb_inside_a_centres_name(ext, name):
    """配送/结算/分拨 + 中心: jieba's verb is part of the centre's name, not a verb before it."""
    assert name in _names(_run(ext, f"远帆集团有限公司在芜湖投资建设{name}。"), "Project")


@pytest.mark.parametrize("text,parks", [
    ("青禾电子有限公司位于北湾工业区。", {"北湾工业区"}),
    ("青禾电子有限公司落户北湾化工园。", {"北湾化工园"}),
    ("远帆集团的新厂位于本市江北区临江工业区。", {"临江工业区"}),  # 本市: no part of the name
    ("东北老工业区振兴取得成效，整个工业区焕发生机。", set()),  # a kind of area, no park
])
def test_industrial_districts_and_chemical_parks(ext, text, parks):
    assert {m.canonical for m in _run(ext, text).mentions if m.type == "Park"} == parks


@pytest.mark.parametrize("text,firm,products", [
    ("远帆股份主导产品就是汽车板簧，同时还生产轮毂。", "远帆股份", {"汽车板簧", "轮毂"}),  # 主导产品就是
    ("青禾陶瓷当时主要生产瓷砖。", "青禾陶瓷", {"瓷砖"}),  # 当时 is no part of the name
])
def test_a_firm_named_by_what_it_makes(ext, text, firm, products):
    ex = _run(ext, text)
    assert _names(ex, "Enterprise") == {firm}
    assert {(firm, p) for p in products} <= _rels(ex, "produces")


def test_a_verb_of_having_opens_no_project_name(ext):
    """在武汉设有生产基地: 设有 is no part of a site's name (it had made 武汉设有生产基地 a project)."""
    projects = _names(_run(ext, "青禾电子有限公司总部位于杭州，在武汉设有生产基地。"), "Project")
    assert not any("设有" in p for p in projects)


def test_a_firm_that_builds_a_project_with_the_one_character_verb(ext):
    """就在某市建…项目: 建 alone is a building verb of the subject_firm_builds cue (not only the model's guess)."""
    ex = ext.extract(build_document("近日，远帆照明科技有限公司就在北河市建8亿只智能灯具项目，与市政府签约。", "t.txt"),
                     learned=False)
    assert [r for r in ex.relations if r.source == "cue:subject_firm_builds"
            and (r.head, r.tail) == ("远帆照明科技有限公司", "8亿只智能灯具项目")]


def test_a_street_address_between_a_park_and_its_firm(ext):
    ex = _run(ext, "记者来到位于远江高新区长河路18号的青禾电子有限公司。")
    assert ("青禾电子有限公司", "远江高新区") in _rels(ex, "locatedIn")


@pytest.mark.parametrize("name,generic", [("江北区城投集团", False), ("寿光市农发集团", False), ("城投集团", True)])
def test_a_places_own_investment_company_is_one_firm(name, generic):
    from kg.components.names import generic_company
    assert generic_company(name) is generic


def test_a_firm_whose_name_opens_with_a_bureau_word_and_a_verb_before_a_park(ext):
    ex = _run(ext, "航运局重工（江苏）有限公司同样扎根江北新区。")
    assert _names(ex, "Enterprise") == {"航运局重工（江苏）有限公司"}
    assert _names(ex, "Park") == {"江北新区"}
    assert ("航运局重工（江苏）有限公司", "江北新区") in {(r.head, r.tail) for r in ex.relations if r.rel == "locatedIn"}


def test_an_institutes_company_is_one_firm(ext):
    ex = _run(ext, "青禾电力机车研究所有限公司今年营收增长。")
    assert _names(ex, "Enterprise") == {"青禾电力机车研究所有限公司"} and not _names(ex, "Organization")


COREF = load_json("patterns/coref.json")["anaphors"]


@pytest.mark.parametrize("anaphor", COREF, ids=[a["name"] for a in COREF])
def test_coref_examples(ext, anaphor):
    def found(case):
        ex = ext.extract(build_document(case["text"], "t.txt"))
        return {(r.head, r.tail) for r in ex.relations if r.rel == case["rel"]}
    pos = anaphor["positive"]
    assert {tuple(p) for p in pos["pairs"]} <= found(pos)
    assert not {tuple(p) for p in pos["pairs"]} & found(anaphor["negative"])


@pytest.mark.parametrize("text,chains", [
    ("围绕锂电、光伏两大产业链条补链强链。", {"锂电产业链", "光伏产业链"}),
    ("打造千亿级钛合金材料产业链。", {"钛合金材料产业链"}),
    ("着力打造精密铸造、碳纤维两条百亿级产业链。", {"精密铸造产业链", "碳纤维产业链"}),
    ("区内高端装备产业链已初具规模。", {"高端装备产业链"}),  # the scope (区内) is not part of the name
    ("开发区重点发展碳纤维产业链和新材料产业链。", {"碳纤维产业链", "新材料产业链"}),  # jieba's 和新
    ("县里绘制高端装备产业链招商图谱。", {"高端装备产业链"}),
    ("远帆纸业被认定为造纸及纸制品产业链链主企业。", {"造纸及纸制品产业链"}),  # jieba's verb 造纸
])
def test_chains_named_in_counted_lists_and_with_their_scale(ext, text, chains):
    assert {m.canonical for m in _run(ext, text).mentions if m.type == "IndustryChain"} == chains


@pytest.mark.parametrize("text,clusters", [
    ("江北经开区新能源汽车及配套产业集群榜上有名。", {"新能源汽车及配套产业集群"}),  # one name
    ("江北经开区与智能装备产业集群的企业座谈。", {"智能装备产业集群"}),
    ("力争建成世界级轨道交通装备制造业集群。", {"轨道交通装备制造业集群"}),  # scope word, 制造业集群
    ("本市纺织及服装产业集群规模突破千亿。", {"纺织及服装产业集群"}),  # 及 joins one name
])
def test_cluster_names_joined_by_a_conjunction(ext, text, clusters):
    assert {m.canonical for m in _run(ext, text).mentions if m.type == "IndustryCluster"} == clusters


def test_cluster_named_after_its_park_is_there(ext):
    ex = _run(ext, "江北经开区智能装备产业集群产值突破500亿元。")
    assert ("智能装备产业集群", "江北经开区") in _rels(ex, "locatedIn")


@pytest.mark.parametrize("text,parks,projects", [
    ("县里加快建设智能仪表产业园。", {"智能仪表产业园"}, set()),  # 建设 is the verb, not the name
    ("加快建设江津新能源汽车零部件产业园等8个项目。", set(), {"江津新能源汽车零部件产业园"}),  # a list item
])
def test_building_verbs_and_project_lists_before_a_park(ext, text, parks, projects):
    ex = _run(ext, text)
    assert _names(ex, "Park") == parks
    assert projects <= {m.text for m in ex.mentions if m.type == "Project"}
    assert not _names(ex, "Enterprise")


def test_a_park_opening_a_project_name_sites_it_and_builds_nothing(ext):
    ex = _run(ext, "江北开发区光伏组件项目开工。")
    assert not _names(ex, "Enterprise")
    assert _names(ex, "Product") == {"光伏组件"}
    assert ("江北开发区光伏组件项目", "江北开发区") in _rels(ex, "locatedIn")


def test_a_legal_name_opening_a_phase_project_is_not_cut_before_its_suffix(ext):
    ex = _run(ext, "青禾新材料科技股份有限公司二期项目开工。")
    assert {m.canonical for m in ex.mentions if m.type == "Project"} == {"青禾新材料科技股份有限公司二期项目"}
    assert _names(ex, "Enterprise") == {"青禾新材料科技股份有限公司"}


def test_a_place_and_a_year_name_no_project(ext):
    assert not _names(_run(ext, "青川县2026年招商引资项目集中签约仪式在县城举行。"), "Project")


def test_a_batch_of_projects_names_none(ext):
    assert not _names(_run(ext, "围绕整车企业，园区招引落户了一批关键零部件项目。"), "Project")


def test_a_size_before_a_product_is_part_of_it(ext):
    assert _names(_run(ext, "该厂主要生产12英寸硅片和8英寸晶圆。"), "Product") == {"12英寸硅片", "8英寸晶圆"}


def test_company_in_a_profile_is_its_topic_firm_when_the_sentence_before_names_others(ext):
    text = ("企业名片：远帆船舶装备有限公司\n远帆船舶装备有限公司成立于2012年，位于江北经济开发区。"
            "主要客户包括星河船舶集团、蓝湾重工等。2025年，公司投资6亿元建设智能制造二期项目。")
    assert ("远帆船舶装备有限公司", "智能制造二期项目") in _rels(_run(ext, text), "implements")


def test_a_fused_verb_opens_no_chain(ext):
    assert not [m for m in _run(ext, "全市全面实施产业链链长制。").mentions if m.type == "IndustryChain"]


@pytest.mark.parametrize("text,parks", [
    ("项目将与园区企业形成配套。", set()),  # 与 is no park's name
    ("项目选址于常德经开区。常德经济技术开发区产值增长。", {"常德经济技术开发区"}),  # jieba's 于常德
    ("公司位于青川县高新技术产业园区。", {"青川县高新技术产业园区"}),  # the place stays before a kind of park
])
def test_park_names_after_function_words_and_before_kinds(ext, text, parks):
    assert {m.canonical for m in _run(ext, text).mentions if m.type == "Park"} == parks


def test_bare_park_takes_the_canonical_of_its_place_prefixed_form(ext):
    ex = _run(ext, "青川县食品产业园位于青川经济开发区。食品产业园已集聚企业30家。")
    assert {m.canonical for m in ex.mentions if m.type == "Park"} == {"食品产业园", "青川经济开发区"}


@pytest.mark.parametrize("text,parks", [
    ("企业入驻江北经开区临江飞地园。", {"江北经开区", "临江飞地园"}),
    ("项目将落户江北经济开发区和散花工业园。", {"江北经济开发区", "散花工业园"}),  # jieba's 和散
    ("岳阳片区今年新增企业30家。", {"岳阳片区"}),
    ("全市划分为四大片区，构建商贸功能片区。", set()),
    ("该片区今年新增企业30家。", set()),
])
def test_enclave_parks_and_the_areas_of_a_zone(ext, text, parks):
    assert _names(_run(ext, text), "Park") == parks


@pytest.mark.parametrize("text,project", [
    ("青禾光伏高效电池片二期项目开工。", "青禾光伏高效电池片二期项目"),  # 高效 opens the product
    ("青禾光伏N型电池片项目开工。", "青禾光伏N型电池片项目"),  # 片 after a product is part of it
    ("其中，远帆临江科技园智能终端结构件项目总投资20亿元。", "远帆临江科技园智能终端结构件项目"),  # no firm cut inside the park
    ("青禾材料科技有限公司防护材料项目总投资9亿元。", "防护材料项目"),  # jieba's verb (防护) after a firm's name
    ("远帆通信股份有限公司光纤预制棒项目开工。", "光纤预制棒项目"),
    ("园区引进的青禾创新材料项目，总投资5亿元。", "青禾创新材料项目"),  # jieba's verb 创新 inside a brand
    ("加快推进青州经开区年产10万吨磷酸铁锂项目建设。", "青州经开区年产10万吨磷酸铁锂项目"),  # 经 inside the park
])
def test_project_names_with_modifiers_pieces_and_parks(ext, text, project):
    ex = _run(ext, text)
    assert project in {m.text for m in ex.mentions if m.type == "Project"}
    assert not any(m.canonical.startswith("园") for m in ex.mentions if m.type == "Project")


def test_half_product_words_before_a_firm_head_list_trades_not_firms(ext):
    ex = _run(ext, "园区将重点引进熔喷布、纺粘布等上游材料企业。")
    assert not _names(ex, "Enterprise")


def test_role_patterns_are_compiled_when_a_text_first_triggers_them(monkeypatch):
    """The roles component starts without compiling its patterns; a text with no trigger word
    compiles none, one with 链主 some; a LazyPattern matches as the compiled regex does."""
    import re

    from kg.components import roles
    from kg.util import LazyPattern

    lazy = LazyPattern(r"以(?P<firm>[\u4e00-\u9fff]{2,6}?)为链主")
    text = "某县以某川电池为链主，带动配套企业集聚。"
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in re.finditer(lazy.pattern, text)]
    assert lazy.search(text).group("firm") == "某川电池" and lazy.compiled() is lazy.compiled()

    made = []
    real = LazyPattern.compiled

    def counting(self):
        if self._rx is None:
            made.append(self.pattern)
        return real(self)

    monkeypatch.setattr(LazyPattern, "compiled", counting)
    run = roles.make_roles({})
    assert made == []
    for sentence, compiled in (("今天天气晴朗，气温二十度。", False), (text, True)):
        doc = build_document(sentence, "t.txt")
        run(State(Extraction(doc, [], [])))
        assert bool(made) is compiled
