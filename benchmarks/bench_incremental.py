"""Whole-corpus build against its baselines, measured in the same run (issue 11).

    python benchmarks/bench_incremental.py CORPUS_DIR [--work /tmp/bench11] [--half]

Prints, each as a ratio against a baseline of this run:
  build / extract    `kg build` wall and CPU time against `kg extract` on the same folder (target < 4x)
  incremental / full `kg build` on the built folder after adding one document (target < 10 %), and
                     whether its graph files, validation report, CSVs, reports, graph.html and
                     extraction.jsonl equal a from-scratch build of the same documents
  per MB             (--half) seconds per MB for half the corpus against the whole (should not grow)
and the peak RSS of each build (target < 1 GB; of that kg process and the children it waited for). The corpus is copied into --work; nothing is written
beside it. Timings on a shared machine are noisy: CPU seconds (user + sys of the process and its
children) are printed beside wall seconds.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ADDED = "潞州区新签约高端轴承项目，由晋联精密轴承有限公司投资6亿元建设，年产精密轴承300万套。\n"


def run(args: list[str]) -> dict:
    """Run `kg ...` in a child; wall seconds, CPU seconds and peak RSS (MB) of that child alone
    (os.wait4: its own rusage, with the processes it waited for, e.g. a warm extractor)."""
    t0 = time.perf_counter()
    # fixed clock and hash seed: analysis picks among equally good evidence sentences in set order,
    # which follows the per-process string hash seed
    p = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONHASHSEED": "0"})
    err = p.stderr.read()
    _pid, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        sys.exit(f"kg {' '.join(args)} failed:\n{err[-2000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024}


def stages(out: Path) -> str:
    """The build's OUT/profile.json (kg build --profile) as one line: stage wall s / CPU s."""
    import json

    try:
        table = json.loads((out / "profile.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "(no profile.json)"
    return ", ".join(f"{k} {v.get('seconds', 0):.1f}/{v.get('cpu_seconds', 0):.1f}" for k, v in table.items())


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--work", default="/tmp/bench11")
    ap.add_argument("--half", action="store_true", help="also build half the corpus (time per MB)")
    a = ap.parse_args()
    work = Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    src = work / "corpus"
    shutil.copytree(a.corpus, src)
    mb = size_mb(src)

    ext = run(["extract", str(src), "-o", str(work / "x.jsonl")])
    full = run(["build", str(src), "--out", str(work / "out"), "--quiet", "--profile"])
    print(f"corpus {mb:.1f} MB")
    print(f"extract      {ext['wall']:7.1f} s wall {ext['cpu']:7.1f} s CPU")
    print(f"build        {full['wall']:7.1f} s wall {full['cpu']:7.1f} s CPU  peak RSS {full['rss_mb']:.0f} MB")
    print(f"build/extract  wall {full['wall'] / ext['wall']:.2f}x  CPU {full['cpu'] / ext['cpu']:.2f}x  (target < 4x)")

    print("  stages (full): " + stages(work / "out"))
    (src / "zz_bench_added.txt").write_text(ADDED, encoding="utf-8")
    inc = run(["build", str(src), "--out", str(work / "out"), "--quiet", "--profile"])
    fresh = run(["build", str(src), "--out", str(work / "fresh"), "--quiet"])
    compared = ("graph.nq", "graph.trig", "graph.ttl", "validation.txt", "leaders.csv", "gaps.csv", "report.md",
                "report.html", "graph.html", "extraction.jsonl")
    differ = [f for f in compared if (work / "out" / f).read_bytes() != (work / "fresh" / f).read_bytes()]
    same = not differ
    print(f"incremental  {inc['wall']:7.1f} s wall {inc['cpu']:7.1f} s CPU  peak RSS {inc['rss_mb']:.0f} MB")
    print("  stages (incremental): " + stages(work / "out"))
    print(f"incremental/full  wall {inc['wall'] / fresh['wall']:.1%}  CPU {inc['cpu'] / fresh['cpu']:.1%}  "
          f"(target < 10%); {', '.join(compared)} equal to a fresh build: {same}"
          + (f" (differ: {', '.join(differ)})" if differ else ""))

    if a.half:
        half = work / "half"
        half.mkdir()
        files = sorted(p for p in src.iterdir() if p.is_file())
        for p in files[: len(files) // 2]:
            shutil.copy2(p, half / p.name)
        h = run(["build", str(half), "--out", str(work / "half-out"), "--quiet"])
        hm = size_mb(half)
        print(f"per MB  half {h['cpu'] / hm:.2f} CPU s/MB, whole {fresh['cpu'] / mb:.2f} CPU s/MB, "
              f"ratio whole/half {(fresh['cpu'] / mb) / (h['cpu'] / hm):.2f} (should stay near 1)")


if __name__ == "__main__":
    main()
