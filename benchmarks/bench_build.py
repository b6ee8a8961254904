#!/usr/bin/env python3
"""Whole-build scaling: `kg build` on 1x, 3x and 10x a real corpus, against `kg extract` on the same folder.

Each size is the corpus replicated into a temporary folder: every replica file under a new name, and
(text files) with one invented line prepended, so no two documents share an id or raw bytes
(sha256 extraction caches) and ingest keeps every copy; the build's document count is checked.

Per size it prints, as it goes: seconds and peak RSS per stage (OUTPUT/profile.json when the build
writes one, `kg build --profile`; else the whole build), seconds per MB, the ratio of the build to
`kg extract` on the same folder, and an incremental rebuild after appending an invented sentence to
one document (same --out; its ratio to the full build). Peak RSS is that of the `kg` process and
its waited-for children (the largest one, not a sum). Timings are wall clock on a shared machine.

    python benchmarks/bench_build.py --sizes 1              # /work/shared/corpus-eb/articles
    python benchmarks/bench_build.py --sizes 1,3 --corpus DIR --workers 2
    python benchmarks/bench_build.py --sizes 1 --skip-build --compare-executors --workers 2
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import ingest  # noqa: E402

DEFAULT_CORPUS = Path("/work/shared/corpus-eb/articles")
TEXT_SUFFIXES = {".txt", ".md"}
TOUCH = "\n另据介绍，该县将继续优化营商环境，推动项目早开工、早投产。\n"  # invented sentence for the rebuild


def replicate(corpus: Path, k: int, dest: Path) -> tuple[int, float]:
    """k copies of the corpus's readable files into dest (flat); (files, MB)."""
    files, _ = ingest.collect_files([corpus])
    dest.mkdir(parents=True)
    total = 0
    for r in range(k):
        for f in files:
            name = f"r{r:02d}_" + "_".join(f.relative_to(corpus).parts)
            raw = f.read_bytes()
            if r and f.suffix.lower() in TEXT_SUFFIXES:
                text, _ = ingest.decode(raw, str(f))
                raw = f"（性能测试副本第{r}份）\n{text}".encode("utf-8")
            (dest / name).write_bytes(raw)
            total += len(raw)
    return k * len(files), total / 1024 / 1024


def run_kg(args: list[str], log: Path) -> tuple[int, float, float]:
    """Run `kg ARGS`; (exit code, seconds, peak RSS MB of the process and its waited-for children)."""
    t = time.perf_counter()
    with open(log, "wb") as fh:
        p = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.perf_counter() - t, usage.ru_maxrss / 1024  # Linux: KB


def has_profile() -> bool:
    out = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--help"], capture_output=True, text=True, cwd=ROOT)
    return "--profile" in out.stdout


def build(src: Path, out: Path, opts: list[str], profile: bool, label: str) -> dict:
    args = ["build", str(src), "--out", str(out), "--quiet", *opts] + (["--profile"] if profile else [])
    rc, secs, rss = run_kg(args, out.with_suffix(".log"))
    text = out.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    if rc not in (0, 1):
        sys.exit(f"{label}: kg build failed (exit {rc}); last lines:\n" + "\n".join(text.splitlines()[-5:]))
    m = re.search(r"读取文档 (\d+) 篇", text)
    stages = {}
    if (out / "profile.json").is_file():
        stages = json.loads((out / "profile.json").read_text(encoding="utf-8"))
    return {"seconds": secs, "rss": rss, "docs": int(m.group(1)) if m else None, "stages": stages}


def print_stages(res: dict) -> None:
    if not res["stages"]:
        print("    (no out/profile.json: whole-build figures only)")
        return
    for name, v in res["stages"].items():
        print(f"    {name:<16} {v.get('seconds', 0):8.1f} s  {v.get('peak_rss_mb', 0):8.0f} MB"
              f"  ({v.get('seconds', 0) / res['seconds']:.0%} of the build)")


def extract_time(src: Path, work: Path, executor: str, workers: int) -> tuple[float, float]:
    out = work / f"extract-{executor}.jsonl"
    rc, secs, rss = run_kg(["extract", str(src), "-o", str(out), "--executor", executor, "--workers", str(workers)],
                           work / f"extract-{executor}.log")
    if rc not in (0, 1):
        sys.exit(f"kg extract --executor {executor} failed (exit {rc}), see {work}/extract-{executor}.log")
    return secs, rss


def bench_size(k: int, args, work: Path, profile: bool, base: dict) -> None:
    src = work / "corpus"
    n, mb = replicate(args.corpus, k, src)
    print(f"\n== {k}x: {n} documents, {mb:.1f} MB ==", flush=True)
    opts = ["--executor", args.executor, "--workers", str(args.workers)]
    ext = {}
    for ex in (["local", "dask"] if args.compare_executors else [args.executor]):
        if args.skip_extract:
            break
        ext[ex] = extract_time(src, work, ex, args.workers)
        print(f"  kg extract --executor {ex} --workers {args.workers}: {ext[ex][0]:.1f} s, peak RSS {ext[ex][1]:.0f} MB, "
              f"{ext[ex][0] / mb:.2f} s/MB", flush=True)
    if len(ext) == 2:
        print(f"  extraction dask / local: {ext['dask'][0] / ext['local'][0]:.2f}x the time", flush=True)
    if args.skip_build:
        return
    out = work / "out"
    full = build(src, out, opts, profile, f"{k}x")
    ok = "" if full["docs"] == n else f"  <-- expected {n}: copies were merged or skipped"
    print(f"  kg build: {full['seconds']:.1f} s, peak RSS {full['rss']:.0f} MB, {full['seconds'] / mb:.2f} s/MB; "
          f"documents read {full['docs']}{ok}", flush=True)
    print_stages(full)
    if args.executor in ext:
        print(f"  build / extract: {full['seconds'] / ext[args.executor][0]:.2f}x", flush=True)
    if base:
        f = k / base["k"]
        print(f"  vs {base['k']}x: {full['seconds'] / base['seconds']:.2f}x the time for {f:g}x the text "
              f"(linear = {f:g}x); peak RSS {full['rss'] / base['rss']:.2f}x", flush=True)
    else:
        base.update(full, k=k)
    if args.skip_rebuild:
        return
    touched = min(src.iterdir())
    with open(touched, "a", encoding="utf-8") as fh:
        fh.write(TOUCH)
    inc = build(src, out, opts, profile, f"{k}x rebuild")
    print(f"  rebuild after touching {touched.name}: {inc['seconds']:.1f} s, peak RSS {inc['rss']:.0f} MB, "
          f"{inc['seconds'] / full['seconds']:.2f}x the full build", flush=True)
    print_stages(inc)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,3,10", help="replication factors (default 1,3,10)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus folder (default {DEFAULT_CORPUS})")
    ap.add_argument("--executor", choices=["local", "dask"], default="local", help="extraction executor")
    ap.add_argument("--workers", type=int, default=1, help="extraction processes / Dask workers (default 1)")
    ap.add_argument("--skip-extract", action="store_true", help="do not time kg extract")
    ap.add_argument("--skip-build", action="store_true", help="only time kg extract")
    ap.add_argument("--skip-rebuild", action="store_true", help="no incremental rebuild")
    ap.add_argument("--compare-executors", action="store_true", help="time kg extract with both local and dask")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders (printed)")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus folder not found: {args.corpus} (use --corpus)")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    profile = has_profile()
    print(f"corpus {args.corpus}; executor {args.executor}, workers {args.workers}; "
          f"per-stage profile: {'kg build --profile' if profile else 'not available (whole-build figures)'}")
    base: dict = {}
    for k in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench_build_{k}x_"))
        try:
            bench_size(k, args, work, profile, base)
        finally:
            if args.keep:
                print(f"  kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other processes slow the wall clock)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
