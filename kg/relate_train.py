"""Train the relation stage's weights (kg/models/relations.json) from gold annotations.

    python -m kg.relate_train                       # seeds + extra + extra3 from ../shared (never extra2)
    python -m kg.relate_train --set NAME=GOLD.json:ARTICLES_DIR ... --out FILE
    python -m kg.relate_train --loso                # leave-one-set-out figures, weights not written

Gold follows ../shared/gold/README.md: per document, entities (text, type, canonical, aliases) and
relations (head, rel, tail). Candidates come from the real extractor's mentions; the gold
entities found in the text are added as further mentions, so the model also learns from
relations whose ends the rules missed. Needs scikit-learn (pip install -e ".[train]").
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from . import confidence, relate
from .ingest import read_document
from .model import Extraction

DEFAULT_SETS = {
    "seeds": ("gold/seeds.gold.json", "seeds"),
    "extra": ("extra/extra.gold.json", "extra/articles"),
    "extra3": ("extra3/extra3.gold.json", "extra3/articles"),
}
REL_ALIASES = {"projectLocatedIn": "locatedIn"}


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", str(s))
    return re.sub(r"[\s\"'“”‘’「」『』《》]", "", s).lower()


class GoldDoc:
    def __init__(self, gold: dict):
        self.key_of: dict[str, str] = {}
        self.surfaces: list[tuple[str, str, str]] = []  # (text, type, canonical)
        for e in gold.get("entities", []):
            key = norm(e.get("canonical") or e["text"])
            for n in (e["text"], e.get("canonical") or e["text"], *e.get("aliases", [])):
                self.key_of.setdefault(norm(n), key)
            self.surfaces.append((e["text"], e["type"], e.get("canonical") or e["text"]))
        self.entities = {(t, self.key(c)) for _, t, c in self.surfaces}
        self.rels = set()
        for r in gold.get("relations", []):
            rel = REL_ALIASES.get(r["rel"], r["rel"])
            self.rels.add((self.key(r["head"]), rel, self.key(r["tail"])))

    def key(self, name: str) -> str:
        n = norm(name)
        return self.key_of.get(n, n)

    def label(self, c: relate.Candidate) -> int:
        return int((self.key(c.head.name), c.rel, self.key(c.tail.name)) in self.rels)


def _gold_nodes(ex: Extraction, g: GoldDoc) -> dict[int, list[relate.Node]]:
    """Gold entities found verbatim in the text and not already a mention with the same span."""
    doc = ex.doc
    have = {(m.start, m.end) for m in ex.mentions}
    out: dict[int, list[relate.Node]] = defaultdict(list)
    for text, typ, canon in g.surfaces:
        if typ == "Organization" or not text:
            continue
        i = doc.text.find(text)
        while i >= 0:
            if (i, i + len(text)) not in have:
                s = doc.sentence_at(i)
                if s is not None and i + len(text) <= s.end:
                    out[s.index].append(relate.Node(canon, typ, i, i + len(text), s.index, text, extra=True))
            i = doc.text.find(text, i + len(text))
    return out


SCORED = {"locatedIn", "belongsToCluster", "belongsToChain", "chainLeaderOf", "suppliesTo", "implements",
          "investment", "capacity", "produces"}


def load_sets(sets: dict[str, tuple[Path, Path]]) -> list[tuple[str, Extraction, GoldDoc]]:
    """(set name, the rule components' extraction, gold) for every document of the sets."""
    from .extract import Extractor

    ext = Extractor()
    out = []
    for name, (gold_path, art_dir) in sets.items():
        docs = json.loads(Path(gold_path).read_text(encoding="utf-8"))["documents"]
        for doc_id, gold in sorted(docs.items()):
            path = Path(art_dir) / doc_id
            if path.exists():
                out.append((name, ext.extract(read_document(path), learned=False), GoldDoc(gold)))
    return out


def examples(data, with_gold_nodes: bool = True):
    """(set name, candidate, label) over every document."""
    for name, ex, g in data:
        extra = _gold_nodes(ex, g) if with_gold_nodes else None
        for c in relate.candidates(ex, extra):
            yield name, c, g.label(c)


def fit(rows, C: float = 0.5) -> dict:
    """One logistic regression per relation; the weights as a plain feature → weight map."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    by_rel = defaultdict(list)
    for c, y in rows:
        by_rel[c.rel].append((c.features, y))
    model = {"version": 1, "rels": {}}
    for rel, data in sorted(by_rel.items()):
        ys = [y for _, y in data]
        if sum(ys) < 2 or sum(ys) == len(ys):
            continue
        vec = DictVectorizer()
        X = vec.fit_transform([{f: 1 for f in fs} for fs, _ in data])
        lr = LogisticRegression(C=C, max_iter=2000)
        lr.fit(X, ys)
        w = {f: round(float(x), 4) for f, x in zip(vec.get_feature_names_out(), lr.coef_[0]) if abs(x) >= 1e-3}
        model["rels"][rel] = {"bias": round(float(lr.intercept_[0]), 4), "w": w, "threshold": 0.5,
                              "positives": int(sum(ys)), "candidates": len(ys)}
    return model


def tune_thresholds(model: dict, rows, C: float) -> None:
    """Per relation, the threshold that maximises F1 of out-of-set probabilities (each set scored
    by a model trained on the others), so the threshold is not fitted to the training examples."""
    sets = sorted({s for s, _, _ in rows})
    oof = defaultdict(list)  # rel -> [(p, y)]
    for held in sets:
        m = fit([(c, y) for s, c, y in rows if s != held], C)
        for s, c, y in rows:
            if s == held and c.rel in m["rels"]:
                r = m["rels"][c.rel]
                oof[c.rel].append((relate._prob(r["w"], r["bias"], c.features), y))
    for rel, r in model["rels"].items():
        best = (0.0, -0.5)
        for t in [x / 20 for x in range(2, 15)]:
            tp = sum(1 for p, y in oof[rel] if p >= t and y)
            fp = sum(1 for p, y in oof[rel] if p >= t and not y)
            fn = sum(1 for p, y in oof[rel] if p < t and y)
            f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            best = max(best, (f, -t))
        r["threshold"] = -best[1]
        r["oof_f1"] = round(best[0], 3)


def shared_sets(shared: Path) -> dict[str, tuple[Path, Path]]:
    return {k: (shared / g, shared / a) for k, (g, a) in DEFAULT_SETS.items()}


def _parse_set(s: str) -> tuple[str, tuple[Path, Path]]:
    name, rest = s.split("=", 1)
    gold, arts = rest.rsplit(":", 1)
    return name, (Path(gold), Path(arts))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="训练关系抽取模型（kg/models/relations.json）")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[1].parent / "shared"),
                    help="含金标准的 shared 文件夹（默认：项目旁的 ../shared）")
    ap.add_argument("--set", action="append", default=[], help="NAME=金标准.json:文章文件夹（可重复）")
    ap.add_argument("--out", default=str(relate.MODEL_PATH), help="模型输出文件")
    ap.add_argument("--C", type=float, default=0.5, help="逻辑回归正则化强度的倒数")
    ap.add_argument("--keep-proposed", type=float, default=0.1,
                    help="规则组件提出的关系，模型概率不低于此值即保留")
    ap.add_argument("--loso", action="store_true", help="只打印留一数据集的评测，不写模型")
    args = ap.parse_args(argv)
    sets = dict(map(_parse_set, args.set)) if args.set else shared_sets(Path(args.shared))
    missing = [str(g) for g, _ in sets.values() if not Path(g).exists()]
    if missing:
        print(f"错误：找不到金标准文件 {missing[0]}", file=sys.stderr)
        return 2
    data = load_sets(sets)
    rows = list(examples(data))
    if args.loso:
        return loso(data, rows, args.C, args.keep_proposed)
    model = fit([(c, y) for _, c, y in rows], args.C)
    tune_thresholds(model, rows, args.C)
    model["keep_proposed"] = args.keep_proposed
    model["trained_on"] = sorted(sets)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(model, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    n = sum(len(m["w"]) for m in model["rels"].values())
    print(f"已写入 {args.out}：{len(model['rels'])} 种关系，{n} 个特征权重")
    out = Path(args.out).with_name(confidence.PATH.name)
    out.write_text(json.dumps(mention_table(data), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"已写入 {out}：各来源实体提及的精确率")
    return 0


def mention_table(data) -> dict:
    """Per source, the share of its mentions that are gold entities (Organization is not scored)."""
    return confidence.measure((m.source, (m.type, g.key(m.canonical)) in g.entities or (m.type, g.key(m.text)) in g.entities)
                              for _, ex, g in data for m in ex.mentions if m.type != "Organization")


def doc_scores(data, model: dict) -> tuple[float, float, float]:
    """Document-level relation P/R/F1 of the full relation stage, as ../shared/eval/score.py counts."""
    tp = fp = fn = 0
    for _, ex, g in data:
        pred = {(g.key(r.head), r.rel, g.key(r.tail)) for r in relate.relate(ex, model) if r.rel in SCORED}
        gold = {r for r in g.rels if r[1] in SCORED}
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def loso(data, rows, C: float, keep: float) -> int:
    """Train without one set, score the relation stage on it (relation P/R/F1 per document, summed)."""
    for held in sorted({d[0] for d in data}):
        train = [row for row in rows if row[0] != held]
        model = fit([(c, y) for _, c, y in train], C)
        tune_thresholds(model, train, C)
        model["keep_proposed"] = keep
        p, r, f = doc_scores([d for d in data if d[0] == held], model)
        print(f"留出 {held}（用其余数据集训练）：关系 P={p:.3f} R={r:.3f} F1={f:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
