"""Designation lists and notices read by the roles component (kg/components/roles.py) on invented texts:
the heading gives the role, each item its chain and firm(s), whatever way ingest joins the lines."""
import pytest

from kg.extract import Extractor
from kg.ingest import build_document


@pytest.fixture(scope="module")
def ext():
    return Extractor()


def _roles(ext, text: str) -> set[tuple[str, str, str]]:
    ex = ext.extract(build_document(text, "t.txt"))
    return {(r.head, r.rel, r.tail) for r in ex.relations if r.rel in ("chainLeaderOf", "chainCoreOf")}


def test_numbered_items_with_short_names(ext):
    text = "市级链主企业名单\n1. 智能移动终端产业链：星澜通讯\n2. 预制菜产业链：禾味源食品\n3. 葡萄酒产业链：云岭酒庄"
    assert _roles(ext, text) == {("星澜通讯", "chainLeaderOf", "智能移动终端产业链"),
                                 ("禾味源食品", "chainLeaderOf", "预制菜产业链"),
                                 ("云岭酒庄", "chainLeaderOf", "葡萄酒产业链")}


def test_items_in_the_heading_sentence(ext):
    text = "全市重点产业链链主企业名单公布。其中，智能移动终端产业链：星澜通讯科技有限公司；预制菜产业链：禾味源食品集团有限公司。"
    assert _roles(ext, text) == {("星澜通讯科技有限公司", "chainLeaderOf", "智能移动终端产业链"),
                                 ("禾味源食品集团有限公司", "chainLeaderOf", "预制菜产业链")}


def test_core_list_after_leader_list(ext):
    text = "第一批链主企业名单：\n光伏产业链：晶岭光能科技有限公司\n第一批链核企业名单：\n光伏产业链：澄硅材料有限公司、明框新材料有限公司"
    assert _roles(ext, text) == {("晶岭光能科技有限公司", "chainLeaderOf", "光伏产业链"),
                                 ("澄硅材料有限公司", "chainCoreOf", "光伏产业链"),
                                 ("明框新材料有限公司", "chainCoreOf", "光伏产业链")}


def test_prose_ends_the_list(ext):
    text = ("链主企业名单已报送省里。今年全市新开工项目120个，完成投资350亿元，同比增长12%，其中制造业投资增长15%。\n"
            "锂电产业链：临川锂能科技有限公司")
    assert _roles(ext, text) == set()


def test_a_chain_is_never_a_firm(ext):
    ex = ext.extract(build_document("第一批链主企业名单\n序号：1；所属产业链：预制菜产业链；链主企业名称：禾味源食品集团有限公司。", "t.txt"))
    assert not [m for m in ex.mentions if m.type == "Enterprise" and m.text.endswith("产业链")]
    assert not [r for r in ex.relations if r.tail == "所属产业链"]


def test_notice_names_a_chain_without_template(ext):
    text = "近日召开了以星澜通讯、云帆电子为链主的智能移动终端产业链座谈会。"
    assert _roles(ext, text) == {("星澜通讯", "chainLeaderOf", "智能移动终端产业链"),
                                 ("云帆电子", "chainLeaderOf", "智能移动终端产业链")}
