"""The sentences of benchmarks/cue_sentences.json: no relation they do not state is extracted, and a
链主 is found wherever a sentence names its chain (the benchmark prints the full figures)."""
import importlib.util
import json
from pathlib import Path

from kg.extract import Extractor

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_cues", ROOT / "benchmarks" / "bench_cues.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cue_sentences_state_nothing_extra_and_every_named_leader():
    cases = json.loads((ROOT / "benchmarks" / "cue_sentences.json").read_text(encoding="utf-8"))["cases"]
    assert all(set(c["rels"]) >= {t[1] for t in c["expect"]} for c in cases)
    counts, _ = _bench().score(cases, Extractor())
    assert not [k for k, n in counts.items() if k[1] == "false" and n]
    assert counts[("chainLeaderOf", "found")] == counts[("chainLeaderOf", "stated")] > 0
