"""Every named cue in ontology/analysis/cues.json matches its positive example and not its negative one."""
import pytest

from kg import cues

NAMES = sorted(cues.patterns())


@pytest.mark.parametrize("name", NAMES)
def test_cue_examples(name):
    p = cues.patterns()[name]
    assert p["positive"] and p["negative"] and p["description"]
    assert cues.search(name, p["positive"]), f"{name} must match: {p['positive']}"
    assert not cues.search(name, p["negative"]), f"{name} must not match: {p['negative']}"


@pytest.mark.parametrize("text,expected", [
    ("年产5万吨隔膜项目已投产，生产线高速运转", "投产"),
    ("正极材料项目向着年底投产奋力冲刺", "开工"),
    ("硅片项目正在加紧施工", "开工"),
    ("新签约的显示屏项目", "签约"),
    ("显示屏项目", ""),
])
def test_stage_order(text, expected):
    assert cues.stage(text) == expected


def test_deployment_is_not_manufacturing():
    assert cues.is_deployment("30MW飞轮储能电站")
    assert not cues.is_deployment("年产2GWh储能电池生产线项目")
