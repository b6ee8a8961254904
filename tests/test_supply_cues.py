"""Supplier and 链主 links told in the ways firms and reporters usually tell them (invented sentences)."""
from __future__ import annotations

import pytest

from kg.extract import Extractor
from kg.ingest import build_document


@pytest.fixture(scope="module")
def ext():
    return Extractor()


def _supplies(ext, text):
    doc = build_document(text, "t.txt")
    return {(r.head, r.tail) for r in ext.extract(doc).relations if r.rel == "suppliesTo"}


@pytest.mark.parametrize("text,pairs", [
    ("云帆电子主要配套比亚迪、吉利等整车企业。", {("云帆电子", "比亚迪"), ("云帆电子", "吉利")}),
    ("云帆电子主要客户是星河汽车和蓝湾汽车，两家销量均有增长。", {("云帆电子", "星河汽车"), ("云帆电子", "蓝湾汽车")}),
    ("星河汽车有限公司、蓝湾客车有限公司均采购了云帆电子有限公司生产的车载芯片。",
     {("云帆电子有限公司", "星河汽车有限公司"), ("云帆电子有限公司", "蓝湾客车有限公司")}),
    ("云帆电子已成为宁德时代的合格供应商。", {("云帆电子", "宁德时代")}),
    ("云帆电子是宁德时代核心供应商之一。", {("云帆电子", "宁德时代")}),
    ("目前，云帆电子是比亚迪在西南区域规模最大的配件供应商。", {("云帆电子", "比亚迪")}),
    ("云帆电子生产的线束已配套长安汽车多款车型。", {("云帆电子", "长安汽车")}),
    ("云帆电子主要为比亚迪常州基地供应电池托盘。", {("云帆电子", "比亚迪")}),  # the firm's site: the firm
    ("云帆精铸将为星河重工、蓝湾机械等工程机械主机企业提供配套。", {("云帆精铸", "星河重工"), ("云帆精铸", "蓝湾机械")}),
    ("云帆液压有限公司去年扩建厂房，其生产的油缸已配套星河重工、蓝湾机械等客户。",  # 其: the firm before
     {("云帆液压有限公司", "星河重工"), ("云帆液压有限公司", "蓝湾机械")}),
    ("云帆材料是星河半导体有限公司、蓝湾存储有限公司的重要供应商。",
     {("云帆材料", "星河半导体有限公司"), ("云帆材料", "蓝湾存储有限公司")}),
    ("云帆光学有限公司主要生产镜头，其车载镜头已进入星河汽车、蓝湾汽车等车企供应链。",
     {("云帆光学有限公司", "星河汽车"), ("云帆光学有限公司", "蓝湾汽车")}),
    ("云帆船舶装备有限公司成立于2012年。公司产品用于内河船舶，主要客户包括星河船舶集团、蓝湾重工等。",
     {("云帆船舶装备有限公司", "星河船舶集团"), ("云帆船舶装备有限公司", "蓝湾重工")}),
    ("云帆精工有限公司是一家零部件企业，目前已为星河汽车等车企配套。", {("云帆精工有限公司", "星河汽车")}),
    ("云帆电池有限公司与星河汽车签订了长期供货协议。", {("云帆电池有限公司", "星河汽车")}),
    ("云帆电池有限公司已向星河汽车交付首批电池。", {("云帆电池有限公司", "星河汽车")}),
    ("星河汽车选定云帆电池有限公司作为电池供应商。", {("云帆电池有限公司", "星河汽车")}),
    ("云帆电池有限公司与星河汽车达成合作，将为其提供动力电池。", {("云帆电池有限公司", "星河汽车")}),
    ("星河汽车与云帆电池有限公司签订电池采购合同。", {("云帆电池有限公司", "星河汽车")}),
    ("云帆电池有限公司日前拿下星河汽车50亿元电池订单。", {("云帆电池有限公司", "星河汽车")}),
    ("云帆电池有限公司的电池已搭载于星河汽车、蓝湾汽车多款车型。",
     {("云帆电池有限公司", "星河汽车"), ("云帆电池有限公司", "蓝湾汽车")}),
    ("云帆织造有限公司为蓝湾服饰、星海鞋业等品牌配套生产面料。",
     {("云帆织造有限公司", "蓝湾服饰"), ("云帆织造有限公司", "星海鞋业")}),
    ("云帆密封件有限公司的产品主要为华驰、蓝湾等整车厂配套。",  # the list's head noun is no part of a name
     {("云帆密封件有限公司", "华驰"), ("云帆密封件有限公司", "蓝湾")}),
    # the firm is the subject of a later clause (a reporter's lead, an anaphor)
    ("据了解，云帆储能有限公司主要生产储能电池，产品已配套星河能源、蓝湾电力等企业。",
     {("云帆储能有限公司", "星河能源"), ("云帆储能有限公司", "蓝湾电力")}),
    ("云帆储能有限公司总经理对记者说，公司主要生产储能电池，产品配套星河能源、蓝湾电力等企业。",
     {("云帆储能有限公司", "星河能源"), ("云帆储能有限公司", "蓝湾电力")}),
])
def test_supplier_told_without_a_preposition(ext, text, pairs):
    assert _supplies(ext, text) == pairs


@pytest.mark.parametrize("text", [
    "参与地铁供电设备供应的华安电气有限公司今年中标。",  # the firm after 供应的 is no customer
    "这家公司是本省规模最大的配件供应商。",
    "园区企业主要供应华东市场。",
])
def test_no_supplier_without_two_firms(ext, text):
    assert _supplies(ext, text) == set()


def test_a_firm_named_by_its_site_leads_the_chain(ext):
    doc = build_document("该区围绕新能源汽车产业链，以比亚迪常州基地为链主，引进了多家配套企业。", "t.txt")
    got = {(r.head, r.tail) for r in ext.extract(doc).relations if r.rel == "chainLeaderOf"}
    assert got == {("比亚迪", "新能源汽车产业链")}


def test_site_words_after_a_firm():
    from kg.components import load_json
    from kg.components.roles import _site_after
    ex_ = load_json("patterns/roles.json")["site_after_examples"]
    for word in ex_["positive"]:
        assert _site_after("星河" + word, 2, 2 + len(word)), word
    for word in ex_["negative"]:
        assert not _site_after("星河" + word, 2, 2 + len(word)), word


def test_a_customer_still_makes_what_its_own_project_makes(ext):
    doc = build_document("青禾化工年产5万吨氟化铝项目今年投产，所需萤石精粉全部来自本地的远帆矿业。", "t.txt")
    rels = {(r.head, r.rel, r.tail) for r in ext.extract(doc).relations}
    assert ("远帆矿业", "suppliesTo", "青禾化工") in rels
    assert ("青禾化工", "produces", "氟化铝") in rels


def _rels(ext, text, rel):
    return {(r.head, r.tail) for r in ext.extract(build_document(text, "t.txt")).relations if r.rel == rel}


def test_the_chain_of_an_anaphor_and_of_a_title_holder(ext):
    text = "本市推行链长制，市长任新材料产业链链长。作为该产业链的链主，青禾新材料有限公司今年投资20亿元。"
    assert _rels(ext, text, "chainLeaderOf") == {("青禾新材料有限公司", "新材料产业链")}


def test_a_leader_named_with_its_branch_and_phase(ext):
    text = "在智能装备产业链，本区已集聚企业40家。链主企业远帆重工有限公司常州分公司一期项目已投产。"
    assert _rels(ext, text, "chainLeaderOf") == {("远帆重工有限公司", "智能装备产业链")}


def test_suppliers_brought_in_for_an_anchors_needs(ext):
    text = "围绕远帆汽车配套需求，本区引进了青禾座椅、星海电子等一批配套企业。"
    assert _rels(ext, text, "suppliesTo") == {("青禾座椅", "远帆汽车"), ("星海电子", "远帆汽车")}


def test_a_firms_products_entering_its_customers_supply_chain(ext):
    text = "远帆锂业主要生产电池级碳酸锂，其产品已进入宁德时代、比亚迪等企业的供应链。"
    assert _rels(ext, text, "suppliesTo") == {("远帆锂业", "宁德时代"), ("远帆锂业", "比亚迪")}
    assert ("远帆锂业", "碳酸锂") in _rels(ext, text, "produces")


def test_a_sentence_about_a_firm_named_by_coref(ext):
    text = "在青禾电子材料有限公司，他了解了企业生产情况。该公司主要生产电子化学品，产品已进入中芯国际、华虹半导体等企业的供应链。"
    assert _rels(ext, text, "suppliesTo") == {("青禾电子材料有限公司", "中芯国际"), ("青禾电子材料有限公司", "华虹半导体")}
