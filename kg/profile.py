"""Stage timings for `kg build`: seconds and peak RSS per stage (summary line, --profile table,
OUT/profile.json = {stage: {"seconds": float, "peak_rss_mb": float}}).

Peak RSS per stage: on Linux the process's high-water mark (VmHWM) is reset at the start of each
stage (writing 5 to /proc/self/clear_refs), so each figure is that stage's own peak; elsewhere it is
the peak so far (getrusage). Work done in worker processes (extraction with --workers > 1) counts
the largest worker's peak too (RUSAGE_CHILDREN, a lifetime maximum).
"""
from __future__ import annotations

import json
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

_CLEAR = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _reset_peak() -> bool:
    try:
        _CLEAR.write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


def _children_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


NAMES = {"ingest": "读取", "extract": "抽取", "resolve": "实体消解", "analyze": "产业链分析", "report": "报告",
         "view": "HTML 图谱", "quads": "构建 RDF", "shacl": "SHACL 校验", "write": "写出图谱", "store": "SPARQL 存储"}


class Stages:
    """Records {stage: {"seconds", "peak_rss_mb", "cpu_seconds"}} in order of first use (a stage may run twice: summed)."""

    def __init__(self):
        self.table: dict[str, dict[str, float]] = {}

    @contextmanager
    def stage(self, name: str):
        _reset_peak()
        children = _children_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            secs, cpu = time.perf_counter() - t0, time.process_time() - c0
            peak = _peak_mb()
            if _children_mb() > children:  # a worker process of this stage set a new high
                peak = max(peak, _children_mb())
            row = self.table.setdefault(name, {"seconds": 0.0, "peak_rss_mb": 0.0, "cpu_seconds": 0.0})
            row["seconds"] = round(row["seconds"] + secs, 3)
            row["cpu_seconds"] = round(row["cpu_seconds"] + cpu, 3)  # this process only: less noisy
            row["peak_rss_mb"] = round(max(row["peak_rss_mb"], peak), 1)

    def total(self) -> float:
        return round(sum(r["seconds"] for r in self.table.values()), 3)

    def summary(self) -> str:
        """One line: 阶段用时 读取 1.2 秒，抽取 7.0 秒 …"""
        return "  阶段用时：" + "，".join(f"{NAMES.get(k, k)} {v['seconds']:.1f} 秒" for k, v in self.table.items())

    def text_table(self) -> str:
        def cell(text: str, width: int) -> str:  # CJK characters are two columns wide
            return text + " " * max(width - sum(2 if ord(c) > 127 else 1 for c in text), 1)

        lines = [cell("阶段", 24) + f"{'秒':>8} {'CPU 秒':>8}  峰值内存 MB"]
        for k, v in self.table.items():
            lines.append(cell(f"{NAMES.get(k, k)} ({k})", 24)
                         + f"{v['seconds']:>9.2f}{v['cpu_seconds']:>9.2f}{v['peak_rss_mb']:>13.1f}")
        peak = max((v["peak_rss_mb"] for v in self.table.values()), default=0.0)
        cpu = sum(v["cpu_seconds"] for v in self.table.values())
        lines.append(cell("合计", 24) + f"{self.total():>9.2f}{cpu:>9.2f}{peak:>13.1f}")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(self.table, ensure_ascii=False, indent=1) + "\n"
