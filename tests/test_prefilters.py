"""The speed prefilters of the components only skip work: with them switched off, the output is
the same. (If a component's typing rules change, its prefilter must change with them; these
tests then fail instead of names going missing silently.)"""
from __future__ import annotations

import re

import pytest

from kg import extract, ingest
from kg.components import lists, roles

TEXTS = [
    "园区先后引进了星河动力、青禾材料和北辰电控等12家企业，主要生产电驱系统、负极材料、隔膜等产品。",
    "以远帆电子为链主，云岭科技、石门精密为链核，打造新能源汽车产业链。",
    "北辰电控是星河动力的一级供应商，为其配套电机控制器；青禾材料为远帆电子供货。",
    "本次签约的项目包括年产5万吨负极材料项目、光伏组件生产线项目和储能电池基地。",
    "文旅、康养、物流等项目加快推进，知名厂商星河动力、云岭科技相继落户。",
    "会议要求各部门做好服务、保障、协调等工作。临河县、东湖区、城西区三地联合招商。",
    "星河动力投资20亿元在临河经济开发区新建电驱系统项目，青禾材料、北辰电控签约入驻。",
    "第一批链主企业名单\n新能源汽车产业链：星河动力有限公司\n新材料产业链：青禾材料有限公司",
    "坐落于临河经济开发区的北辰电控有限公司今年扩建厂房；东湖区的青禾材料有限公司也在扩产。",
]


@pytest.fixture()
def fresh_pipeline():
    extract._WORKER = None  # the pipeline is built again with the patched module
    yield
    extract._WORKER = None


def _run() -> list[dict]:
    docs = [ingest.build_document(t, f"t{i}.txt") for i, t in enumerate(TEXTS)]
    extract._WORKER = None
    return [extract.to_json(e) for e in extract.extract_all(docs)]


def test_list_prefilter_changes_nothing(fresh_pipeline, monkeypatch):
    with_filter = _run()
    assert any(e["type"] == "Enterprise" for d in with_filter for e in d["entities"])
    monkeypatch.setattr(lists, "_may_be_typed", lambda *a: True)
    assert _run() == with_filter


def test_role_trigger_positions_change_nothing(fresh_pipeline, monkeypatch):
    by_position = _run()
    # every trigger word now "holds a clause break": roles falls back to one search per clause
    monkeypatch.setattr(roles, "CLAUSE_BREAK", re.compile(r"[。；;！？!?\n]|[\u4e00-\u9fff]"))
    assert _run() == by_position


class _Everything:
    """A set that holds every key: a position prefilter built on it lets every position through."""

    def __contains__(self, key) -> bool:
        return True


def test_speed_shortcuts_change_nothing(fresh_pipeline, monkeypatch):
    """Relation pruning below the threshold, the first-two-characters tests of place forms and
    division prefixes, the digit test before the literal regexes and the lazy anchor-word lookup:
    switched off together, the output is the same."""
    from kg import relate
    from kg.components import anchored, projectparts

    shortcut = _run()
    assert any(d["relations"] for d in shortcut)
    full_candidates = relate.candidates
    monkeypatch.setattr(relate, "candidates", lambda ex, extra=None, rels=None, prune=None: full_candidates(ex, extra, rels))
    monkeypatch.setattr(projectparts, "_form_prefixes", lambda: _Everything())
    init = extract.Extractor.__init__

    def init_everything(self, *a, **k):
        init(self, *a, **k)
        self._div_firsts = _Everything()
    monkeypatch.setattr(extract.Extractor, "__init__", init_everything)
    monkeypatch.setattr(relate, "_DIGIT", re.compile(""))
    monkeypatch.setattr(anchored, "_at", lambda sentences, index: sentences)
    assert _run() == shortcut


def test_pruned_candidates_are_only_those_select_drops():
    """candidates(prune=model) leaves out only candidates no rule proposed that score below
    their relation's threshold."""
    from kg import relate

    docs = [ingest.build_document(t, f"t{i}.txt") for i, t in enumerate(TEXTS)]
    extract._WORKER = None
    model = relate.load_model()
    chosen = 0
    for ex in extract.extract_all(docs):
        full = relate.score(relate.candidates(ex, rels=model["rels"]), model)
        pruned = relate.score(relate.candidates(ex, rels=model["rels"], prune=model), model)
        key = lambda cp: (cp[0].head.name, cp[0].rel, cp[0].tail.name, cp[0].sentence, round(cp[1], 12))  # noqa: E731
        kept = {key(cp) for cp in pruned}
        for c, p in full:
            if key((c, p)) not in kept:
                assert not relate._is_proposed(c) and p < model["rels"][c.rel]["threshold"]
        assert [key(cp) for cp in relate._select(pruned, model)] == [key(cp) for cp in relate._select(full, model)]
        chosen += len(relate._select(pruned, model))
    assert chosen


def test_prefiltered_pattern_finds_what_the_pattern_finds():
    """extract.Prefiltered skips texts without a literal run every match holds, and only those."""
    pats = [r"(?P<chain>[^，。；：]{2,20}?产业链)[“\"]?链主[”\"]?", r"ab(?:cd)?ef", r"(?:abc|abd)x", r"a(bc)+de",
            r"(?i:abc)de", r"x(?:yz){0,3}", r"(?i)abc", r"为(?P<c>[^，。]{2,40}?)等?(?:企业|客户)?配套"]
    texts = ["以远帆电子为新能源汽车产业链链主", "新能源汽车产业链", "abef abcdef", "abdx abcx", "abcbcde", "ABCde abcde",
             "xyz", "为星河动力等企业配套", "为星河动力供货", ""]
    for p in pats:
        rx = re.compile(p)
        fast = extract.Prefiltered(rx)
        for t in texts:
            assert [m.span() for m in fast.finditer(t)] == [m.span() for m in rx.finditer(t)], (p, t)
    assert extract.Prefiltered(re.compile(pats[0])).literals == ("产业链", "链主")
    assert extract.Prefiltered(re.compile(r"(?i)abc")).literals == ()


def test_required_literal_prefilters_change_nothing(fresh_pipeline, monkeypatch):
    """roles and mention_patterns skip a pattern on text without a literal every match holds:
    with no literals required, the output is the same."""
    from kg.components import mention_patterns

    with_filter = _run()
    assert any(d["relations"] for d in with_filter)
    monkeypatch.setattr(roles, "required_literals", lambda rx, min_len=2: ())
    monkeypatch.setattr(mention_patterns, "required_literals", lambda rx, min_len=2: ())
    assert _run() == with_filter


def test_required_runs_of_one_character():
    from kg.util import required_runs

    assert required_runs(r"(?P<a>x(?:b|c)y)等(?:[0-9]+家)?企业", 1) == ["x", "y", "等", "企业"]
    assert required_runs(r"(?P<a>x(?:b|c)y)等(?:[0-9]+家)?企业") == ["企业"]
    assert required_runs(r"(?:^|，)(?=甲)乙?丙{0,2}", 1) == []
