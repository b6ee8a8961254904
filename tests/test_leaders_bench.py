"""链主 measurement (benchmarks/bench_leaders.py): on gold relations analysis ranks the stated leader first,
abstains where none is stated and never ranks a 链核 or a customer; end to end with the current extractor
likewise, on every style (designation lists and notices included); `kg build` on a folder of invented
designation texts ranks each designated firm first on its chain, chains without a template included."""
import csv
import importlib.util
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench_leaders", ROOT / "benchmarks" / "bench_leaders.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
DESIGNATION = Path(__file__).resolve().parent / "texts" / "designation"


@pytest.mark.parametrize("case", bench.CASES, ids=[c["style"] for c in bench.CASES])
def test_gold_relations_rank_the_stated_leader(case):
    tops, ranked = bench.top_leaders(bench.relations_kb(case))
    for chain, gold in bench.expected(case).items():
        assert bench._top_for(tops, chain) == gold if gold else not tops
    assert not (set(case["cores"]) | {c for _s, c in case["supplies"]}) & set(ranked)


def test_relations_precision_and_abstention():
    s = bench.score("relations")
    assert s["precision_at_1"] == 1.0 and s["answered"] == s["with_leader"]
    assert s["correct_abstentions"] == sum(1 for c in bench.CASES for g in bench.expected(c).values() if not g)


def test_pipeline_ranks_every_stated_leader_first():
    s = bench.score("pipeline")
    assert s["wrong_core_or_customer"] == 0
    assert s["precision_at_1"] == 1.0 and s["answered"] == s["with_leader"], s["rows"]
    assert s["correct_abstentions"] == sum(1 for c in bench.CASES for g in bench.expected(c).values() if not g)


def test_build_on_designation_texts(tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(DESIGNATION), "--out", str(out), "--quiet"]) == 0
    rows = list(csv.DictReader((out / "leaders.csv").read_text(encoding="utf-8-sig").splitlines()))
    top = {r["chain"]: r["enterprise"] for r in rows if r["rank"] == "1"}
    assert top == {"智能移动终端产业链": "星澜通讯科技有限公司", "预制菜产业链": "禾味源食品集团有限公司",
                   "葡萄酒产业链": "云岭酒庄股份有限公司", "锂电产业链": "临川锂能科技有限公司"}
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "遂宁市" in md.splitlines()[0] + md.splitlines()[1] + md[:400] and "长治" not in md
    # a chain without a template: segments unknown, its 链主 named
    assert "预制菜产业链" in md and "禾味源食品集团有限公司" in md


def test_gold_leader_figure(tmp_path):
    """The milestone figure: a gold leader counts when our top-ranked firm on that chain is it (aliases and
    legal suffixes aside); a chain where another firm ranks first, or none does, does not count."""
    import json
    gold = {"documents": {"a.txt": {
        "entities": [{"text": "星澜通讯", "canonical": "星澜通讯科技有限公司", "aliases": ["星澜通讯"]}],
        "relations": [{"head": "星澜通讯科技有限公司", "rel": "chainLeaderOf", "tail": "智能移动终端产业链"},
                      {"head": "云岭酒庄有限公司", "rel": "chainLeaderOf", "tail": "葡萄酒产业链"},
                      {"head": "禾味源食品有限公司", "rel": "chainLeaderOf", "tail": "预制菜产业链"},
                      {"head": "甲", "rel": "produces", "tail": "乙"}]}}}
    (tmp_path / "g.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "leaders.csv").write_text(
        "chain,rank,enterprise\n智能移动终端产业链,1,星澜通讯\n葡萄酒产业链,1,青木农业有限公司\n预制菜产业链,,暂无（证据不足）\n",
        encoding="utf-8-sig")
    assert bench.gold_leaders(tmp_path / "g.json", tmp_path, quiet=True) == (1, 3)
