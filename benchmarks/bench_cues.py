"""Relation cues on sentences written for them (issue 8): chainLeaderOf, suppliesTo and produces.

    python benchmarks/bench_cues.py [--misses]

benchmarks/cue_sentences.json holds invented sentences, each with the relation types it is about and
every triple of those types it states (none for a sentence that names no chain for its 链主). For each
relation type this prints the triples found / stated (recall), the triples extracted that the
sentence does not state (false positives), and, with --misses, the sentences behind both.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.extract import Extractor  # noqa: E402
from kg.ingest import build_document  # noqa: E402


def score(cases: list[dict], ex: Extractor) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()  # (rel, "stated" | "found" | "false") -> n
    notes = []
    for case in cases:
        x = ex.extract(build_document(case["text"], "cue.txt"))
        got = {(r.head, r.rel, r.tail) for r in x.relations if r.rel in case["rels"]}
        want = {tuple(t) for t in case["expect"]}
        for t in want:
            counts[(t[1], "stated")] += 1
            counts[(t[1], "found")] += t in got
        for t in got - want:
            counts[(t[1], "false")] += 1
        if got != want:
            notes.append(f"{case['text']}\n    missed {sorted(want - got)}  extra {sorted(got - want)}")
    return counts, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--misses", action="store_true", help="list the sentences with a missed or extra triple")
    args = ap.parse_args()
    cases = json.loads((ROOT / "benchmarks" / "cue_sentences.json").read_text(encoding="utf-8"))["cases"]
    counts, notes = score(cases, Extractor())
    print(f"{len(cases)} sentences")
    print(f"{'relation':<16}{'found/stated':>14}{'recall':>8}{'false':>7}")
    for rel in ("chainLeaderOf", "suppliesTo", "produces"):
        stated, found = counts[(rel, "stated")], counts[(rel, "found")]
        recall = found / stated if stated else 0.0
        print(f"{rel:<16}{found:>7}/{stated:<6}{recall:>8.2f}{counts[(rel, 'false')]:>7}")
    if args.misses:
        print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
