"""County plans and news about one chain, as analysts read them (invented texts): the chain is mapped
on its template, the segments the text calls empty are 缺失 with the sentence as evidence, and the
firms the plan sets out to attract are targets, not local players."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

PLAN = """附件：青川县储能产业链招商图谱
一、产业链现状
上游：正极材料、负极材料、电解液、隔膜；中游：储能电芯、电池管理系统、储能变流器；下游：储能电站。
链主企业：远帆储能科技有限公司，主要生产储能电芯和储能系统，年产能5GWh。
二、薄弱环节
电解液、隔膜、储能变流器等环节本县暂无企业布局，目前靠外地供货。
三、招引目标
重点招引华峰新材料（隔膜）、青岚化学（电解液）等企业。
"""


SOLAR = """松川县围绕光伏产业链开展链式招商。青禾光能有限公司是全县光伏产业链链主企业，主要生产光伏组件，
年产能5GW。远帆新材料有限公司主要生产光伏玻璃和光伏胶膜。岭南电气有限公司生产光伏逆变器。
目前，全县多晶硅、硅片环节仍是空白。
"""


def _build(tmp_path_factory, text: str) -> Path:
    d = tmp_path_factory.mktemp("plan")
    (d / "in").mkdir()
    (d / "in" / "plan.txt").write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "kg.cli", "build", str(d / "in"), "--out", str(d / "out")],
                   check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1])
    return d / "out"


def _gaps(out: Path, chain: str) -> dict[str, dict]:
    rows = csv.DictReader((out / "gaps.csv").read_text(encoding="utf-8-sig").splitlines())
    return {r["segment"]: r for r in rows if r["chain"] == chain}


@pytest.fixture(scope="module")
def gaps(tmp_path_factory) -> dict[str, dict]:
    return _gaps(_build(tmp_path_factory, PLAN), "储能产业链")


def test_the_plan_is_mapped_on_the_storage_template(gaps):
    assert {"储能电池材料", "储能电芯", "变流与管理", "系统集成"} <= set(gaps)
    assert gaps["储能电芯"]["status"] == "已覆盖" and "远帆储能科技有限公司" in gaps["储能电芯"]["players"]


def test_segments_with_no_firm_yet_are_missing_with_the_plans_words(gaps):
    for seg in ("储能电池材料", "变流与管理"):
        assert gaps[seg]["status"] == "缺失", seg
        assert "暂无企业布局" in gaps[seg]["evidence"], seg


def test_firms_to_attract_are_targets_not_players(gaps):
    materials = gaps["储能电池材料"]
    assert not materials["players"]
    assert {"华峰新材料", "青岚化学"} <= set(materials["target_firms"].split("；"))


def test_a_solar_chain_is_mapped_link_by_link(tmp_path_factory):
    out = _build(tmp_path_factory, SOLAR)
    solar = _gaps(out, "光伏产业链")
    assert solar["光伏组件"]["status"] == "已覆盖" and "青禾光能有限公司" in solar["光伏组件"]["players"]
    assert "远帆新材料有限公司" in solar["辅材与设备"]["players"]
    assert "岭南电气有限公司" in solar["逆变器与支架"]["players"]
    assert solar["硅片"]["status"] == "缺失" and "空白" in solar["硅片"]["evidence"]
    assert solar["电池片"]["status"] == "未知"  # the text is silent
    assert not _gaps(out, "新材料产业链")  # 远帆新材料有限公司 names a firm, not the 新材料 chain
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert "工业硅与多晶硅" in page and "钢铁产业链" not in page  # the other built-in templates are not drawn


def test_a_firm_already_attracted_is_a_local_player(tmp_path_factory):
    """成功招引 tells of a firm that came: it is a player, unlike one a plan still means to attract."""
    text = "松川县围绕光伏产业链开展链式招商，今年成功招引远帆光伏组件有限公司落户，项目已投产。\n"
    modules = _gaps(_build(tmp_path_factory, text), "光伏产业链")["光伏组件"]
    assert "远帆光伏组件有限公司" in modules["players"] and "远帆光伏组件有限公司" not in modules["target_firms"]


ALUMINIUM = """青川县全力打造铝产业链。远帆铝业有限公司年产30万吨电解铝项目总投资45亿元，是该县铝产业链的链主企业；
青禾铝材有限公司主要生产铝型材和铝板带。目前，全县再生铝回收环节仍是空白。
"""


def test_a_chain_named_by_one_character_is_mapped_and_its_umbrella_chain_is_not(tmp_path_factory):
    out = _build(tmp_path_factory, ALUMINIUM)
    aluminium = _gaps(out, "铝产业链")
    assert aluminium["电解铝"]["status"] == "已覆盖" and "远帆铝业有限公司" in aluminium["电解铝"]["players"]
    assert "青禾铝材有限公司" in aluminium["铝压延与挤压"]["players"]
    assert aluminium["铝合金与再生铝"]["status"] == "缺失"
    assert not _gaps(out, "新材料产业链")  # its words are the aluminium chain's; the text never names it
