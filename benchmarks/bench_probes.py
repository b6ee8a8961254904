#!/usr/bin/env python3
"""Recall on invented sentences: common frames of economic news filled with invented names.

Four families (benchmarks/probe_frames.json): legal firm names (trade name + trade + legal
suffix) and short firm names in the contexts news writes them in, project names of common
shapes, and relations (locatedIn, implements, investment, produces, suppliesTo) of invented
investment sentences with real county names. Every sentence is its own document, so nothing
vouches for a name but its own sentence: a harder test than an article, where names repeat.
Prints per family the recall of the expected mentions (exact text) or triples, the other
mentions of that type found ("extra": a short-name family's are often pieces of a missed name),
and the frames that miss most, with an example. A project's name may also drop the firm's trade
name it opens with (the firm implements it; both are read as right).

    python benchmarks/bench_probes.py               # 300 sentences per family, seed 1
    python benchmarks/bench_probes.py --n 600 --seed 3 --show 5
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import extract, ingest, resources  # noqa: E402

DATA = json.loads((Path(__file__).with_name("probe_frames.json")).read_text(encoding="utf-8"))


class Tally:
    def __init__(self, name: str):
        self.name, self.tot, self.miss, self.extra = name, Counter(), Counter(), 0
        self.examples: dict[str, list] = defaultdict(list)

    def add(self, frame: str, wanted: list, got: set, extra: int = 0, alts: dict | None = None) -> None:
        self.extra += extra
        for w in wanted:
            self.tot[frame] += 1
            if w not in got and (alts or {}).get(w) not in got:
                self.miss[frame] += 1
                self.examples[frame].append((w, sorted(got)[:4]))

    def report(self, show: int) -> None:
        tot, miss = sum(self.tot.values()), sum(self.miss.values())
        print(f"{self.name:14s} recall {1 - miss / max(1, tot):.3f}  ({tot - miss}/{tot}), extra {self.extra}")
        for f in sorted(self.tot, key=lambda f: -self.miss[f])[:show]:
            if self.miss[f]:
                print(f"    {self.miss[f]:3d}/{self.tot[f]:<3d} {f}  e.g. {self.examples[f][0]}")


def _mentions(ex, text: str, typ: str, learned: bool = False) -> set[str]:
    r = ex.extract(ingest.build_document(text, "probe.txt"), learned=learned)
    return {m.text for m in r.mentions if m.type == typ}


def firms(ex, rnd: random.Random, n: int, frames: list[str], legal: bool, name: str) -> Tally:
    t = Tally(name)
    for _ in range(n):
        picked: list[str] = []
        while len(picked) < 3:
            s = rnd.choice(DATA["trade_names"]) + rnd.choice(DATA["trades"])
            s += rnd.choice(DATA["legal_suffixes"]) if legal else ""
            if all(s[:2] != p[:2] for p in picked):
                picked.append(s)
        frame = rnd.choice(frames)
        want = [p for k, p in zip("ABC", picked) if "{" + k + "}" in frame]
        got = _mentions(ex, frame.format(A=picked[0], B=picked[1], C=picked[2]), "Enterprise")
        t.add(frame, want, got, len(got - set(want)))
    return t


def _project(rnd: random.Random) -> tuple[str, str]:
    tn, d = rnd.choice(DATA["trade_names"]), rnd.choice(DATA["products"])
    return rnd.choice(DATA["project_shapes"]).format(T=tn, D=d, N=rnd.randint(2, 30)), tn


def projects(ex, rnd: random.Random, n: int) -> Tally:
    t = Tally("project names")
    for _ in range(n):
        (p, _), (q, _) = _project(rnd), _project(rnd)
        frame = rnd.choice(DATA["project_frames"])
        want = [p] + ([q] if "{Q}" in frame and q != p else [])
        got = _mentions(ex, frame.format(P=p, Q=q), "Project")
        t.add(frame, want, got, len(got - set(want)))
    return t


def relations(ex, rnd: random.Random, n: int, counties: list[str]) -> Tally:
    t = Tally("relations")
    for _ in range(n):
        c = rnd.choice(counties)
        j, tn = _project(rnd)
        v = {"F": tn + rnd.choice(DATA["trades"][:17]) + "有限公司", "C": c, "J": j, "D": rnd.choice(DATA["products"]),
             "P": c[:-1] + rnd.choice(DATA["park_kinds"]), "M": f"{rnd.randint(2, 90)}亿元",
             "G": rnd.choice([x for x in DATA["trade_names"] if x != tn]) + "汽车有限公司"}
        frame = rnd.choice(DATA["relation_frames"])
        r = ex.extract(ingest.build_document(frame["text"].format(**v), "probe.txt"))
        got = {(x.head, x.rel, x.tail) for x in r.relations}
        want = [(v[h], rel, v[tl]) for h, rel, tl in frame["expect"]]
        strip = {w: tuple(x[len(tn):] if x.startswith(tn) and x.endswith("项目") else x for x in w) for w in want}
        t.add(frame["text"], want, got, alts=strip)
    return t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="sentences per family")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=3, help="frames shown per family (most misses first)")
    a = ap.parse_args()
    with open(resources.data_dir() / "divisions.tsv", encoding="utf-8") as fh:
        counties = [r["name"] for r in csv.DictReader(fh, delimiter="\t")
                    if r["type"] == "County" and len(r["name"]) == 3 and r["name"].endswith(("县", "区"))]
    ex = extract.Extractor()
    rnd = random.Random(a.seed)
    for tally in (firms(ex, rnd, a.n, DATA["legal_firm_frames"], True, "legal firms"),
                  firms(ex, rnd, a.n, DATA["short_firm_frames"], False, "short firms"),
                  projects(ex, rnd, a.n), relations(ex, rnd, a.n, counties)):
        tally.report(a.show)


if __name__ == "__main__":
    main()
