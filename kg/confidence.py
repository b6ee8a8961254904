"""Confidence of a mention: the measured precision of the component that proposed it.

`python -m kg.relate_train` counts, on the gold sets it trains on, how many mentions of each
source (rule, gazetteer, list, role-cue …) are gold entities, and writes the smoothed precision
to kg/models/mention_confidence.json; a source it never saw gets the overall figure."""
from __future__ import annotations

import json
from functools import lru_cache

from .resources import PACKAGE_DIR

PATH = PACKAGE_DIR / "models" / "mention_confidence.json"


@lru_cache(maxsize=1)
def _table() -> dict:
    try:
        return json.loads(PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RuntimeError(f"无法读取模型文件 {PATH}：{e}") from e


def mention_confidence(source: str) -> float:
    t = _table()
    return t["sources"].get(source, {}).get("precision", t["default"])


def measure(pairs) -> dict:
    """The table from (source, is a gold entity) pairs: precision (tp + 1) / (n + 2) per source."""
    counts: dict[str, list[int]] = {}
    for source, ok in pairs:
        c = counts.setdefault(source, [0, 0])
        c[0] += int(ok)
        c[1] += 1
    tp, n = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
    return {"default": round((tp + 1) / (n + 2), 3),
            "sources": {s: {"precision": round((c[0] + 1) / (c[1] + 2), 3), "mentions": c[1]}
                        for s, c in sorted(counts.items())}}
