"""`kg eval` over every gold set: development sets and the check set, plus the relation stage's
leave-one-set-out figure. Scoring is ../shared/eval/score.py's (run, never copied)."""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

# name -> (gold file, articles folder, role) under the shared folder
SETS = {
    "seeds": ("gold/seeds.gold.json", "seeds", "开发"),
    "extra": ("extra/extra.gold.json", "extra/articles", "开发"),
    "extra3": ("extra3/extra3.gold.json", "extra3/articles", "开发"),
    "extra2": ("extra2/extra2.gold.json", "extra2/articles", "检验（不用于训练和调参）"),
}


def score_set(shared: Path, name: str, scorer: Path, workers: int = 1, ner: str | None = None) -> dict:
    from . import extract, ingest, tablefacts

    gold_rel, arts_rel, role = SETS[name]
    gold = shared / gold_rel
    names = list(json.loads(gold.read_text(encoding="utf-8"))["documents"])
    docs, _ = ingest.load_corpus([shared / arts_rel / n for n in names])
    exs = tablefacts.merge_all(extract.extract_all(docs, workers=workers, ner=ner))
    pred = "".join(json.dumps(extract.to_json(e), ensure_ascii=False) + "\n" for e in exs)
    out = subprocess.run([sys.executable, str(scorer), "--gold", str(gold), "-"], input=pred, text=True,
                         capture_output=True, check=True).stdout
    last = re.search(r"entity_f1=([\d.]+) relation_f1=([\d.]+)", out)
    ent = re.search(r"^\s+Enterprise\s+([\d.]+)\s+([\d.]+)", out, re.M)
    return {"set": name, "role": role, "docs": len(docs), "entity_f1": float(last.group(1)),
            "relation_f1": float(last.group(2)), "enterprise_p": float(ent.group(1)) if ent else None,
            "enterprise_r": float(ent.group(2)) if ent else None}


def run_all(shared: Path, scorer: Path, workers: int = 1, ner: str | None = None, loso: bool = True) -> int:
    rows = [score_set(shared, n, scorer, workers, ner) for n in SETS if (shared / SETS[n][0]).is_file()]
    print(f"{'数据集':<8} {'用途':<22} {'文档':>4} {'实体F1':>7} {'关系F1':>7} {'企业P':>6} {'企业R':>6}")
    for r in rows:
        ep = "—" if r["enterprise_p"] is None else f"{r['enterprise_p']:.3f}"
        er = "—" if r["enterprise_r"] is None else f"{r['enterprise_r']:.3f}"
        print(f"{r['set']:<10} {r['role']:<20} {r['docs']:>4} {r['entity_f1']:>8.3f} {r['relation_f1']:>8.3f} {ep:>7} {er:>7}")
    if loso:
        if importlib.util.find_spec("sklearn") is None:
            print("（留一数据集评测需要 scikit-learn：pip install -e \".[train]\"）")
            return 0
        from . import relate_train

        dev = {k: (shared / g, shared / a) for k, (g, a, role) in SETS.items() if role == "开发"}
        data = relate_train.load_sets(dev)
        print("关系模型留一数据集评测（用其余开发集训练，评测留出的一个）：")
        relate_train.loso(data, list(relate_train.examples(data)), 0.5, 0.1)
    return 0
