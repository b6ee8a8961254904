"""链主 measurement (benchmarks/bench_leaders.py): on gold relations analysis ranks the stated leader first,
abstains where none is stated and never ranks a 链核 or a customer; end to end with the current extractor it
never ranks a 链核 or a customer either."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench_leaders", ROOT / "benchmarks" / "bench_leaders.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.mark.parametrize("case", bench.CASES, ids=[c["style"] for c in bench.CASES])
def test_gold_relations_rank_the_stated_leader(case):
    top, ranked = bench.top_leader(bench.relations_kb(case))
    assert top == case["leader"]
    assert not (set(case["cores"]) | {c for _s, c in case["supplies"]}) & set(ranked)


def test_relations_precision_and_abstention():
    s = bench.score("relations")
    assert s["precision_at_1"] == 1.0 and s["answered"] == s["with_leader"]
    assert s["correct_abstentions"] == sum(1 for c in bench.CASES if not c["leader"])


def test_pipeline_never_ranks_core_or_customer():
    s = bench.score("pipeline")
    assert s["wrong_core_or_customer"] == 0
    assert s["precision_at_1"] in (0.0, 1.0) and (s["answered"] == 0 or s["precision_at_1"] == 1.0)
