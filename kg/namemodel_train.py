"""Train the name models (kg/models/firmname.json, kg/models/productname.json).

    python -m kg.namemodel_train --kind firm      # silver from ../shared/corpus-eb + dev gold names
    python -m kg.namemodel_train --kind product --corpus DIR --limit 500 --out FILE

Silver positives: for firms, short forms of the legal names the suffix rules find (…电子股份有限公司
→ …电子, without the place in front); for products, what the production-verb and product-list
rules find. Silver negatives: the other names the rules find and word runs of the same
sentences that are no mention. Articles
of the check set (--exclude, default ../shared/extra2/articles) are skipped, since the corpus
contains them. Needs scikit-learn (pip install -e ".[train]").
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from . import namemodel, nlp
from .ingest import read_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NOT_NAME_CHARS = re.compile(r"[，。；：、,;:！？“”\"《》（）()\s]")


def _fingerprints(folder: Path) -> list[str]:
    """Snippets that identify each article of a folder inside another copy of it."""
    out = []
    for p in sorted(folder.glob("*.txt")):
        t = re.sub(r"\s+", "", p.read_text(encoding="utf-8", errors="replace"))
        if len(t) > 200:
            out.append(t[len(t) // 2:len(t) // 2 + 40])
    return out


PRODUCT_SOURCES = {"produce-verb", "product-list"}


def _legal(name: str) -> bool:
    """Ends with a legal-form suffix of the lexicon (…有限公司, …集团公司; not a bare 公司 or 集团)."""
    from .components.names import _lex

    return any(name.endswith(s) for s in _lex()["suffixes"] if s.endswith("公司") and s != "公司")


def _positive(ext, m, kind: str) -> list[str]:
    if kind == "firm":
        if m.type == "Enterprise" and _legal(m.text):
            return [s for s in ext._short_forms(m.text) if 2 <= len(s) <= 12]
        return []
    return [m.text] if m.type == "Product" and m.source in PRODUCT_SOURCES and 2 <= len(m.text) <= 12 else []


def mine(corpus: Path, limit: int, exclude: list[str], kind: str = "firm", seed: int = 0) -> tuple[set[str], set[str]]:
    from .extract import Extractor

    ext = Extractor()
    ext.steps = []  # the suffix rules alone: silver must not come from this model
    rnd = random.Random(seed)
    pos: set[str] = set()
    neg: set[str] = set()
    files = sorted(corpus.glob("*.txt"))[:limit]
    for p in files:
        doc = read_document(p)
        flat = re.sub(r"\s+", "", doc.text)
        if any(f in flat for f in exclude):
            continue
        ex = ext.extract(doc, learned=False)
        own = "Enterprise" if kind == "firm" else "Product"
        for m in ex.mentions:
            found = _positive(ext, m, kind)
            pos.update(found)
            if not found and m.type != own and 2 <= len(m.text) <= 12:
                neg.add(m.text)
        taken = [(m.start, m.end) for m in ex.mentions]
        for s in doc.sentences:
            neg.update(_word_runs(s.text, s.start, taken, rnd))
    return pos, neg - pos


def _word_runs(text: str, off: int, taken, rnd, per_sentence: int = 2) -> list[str]:
    toks = nlp.cut(text)
    starts, p = [], 0
    for w in toks:
        starts.append(p)
        p += len(w)
    out = []
    for _ in range(per_sentence):
        if not toks:
            break
        i = rnd.randrange(len(toks))
        k = rnd.randint(1, 3)
        a = starts[i]
        b = starts[i + k] if i + k < len(starts) else len(text)
        s = text[a:b]
        if 2 <= len(s) <= 10 and not NOT_NAME_CHARS.search(s) and not s.isdigit() \
                and not any(x < off + b and off + a < y for x, y in taken):
            out.append(s)
    return out


def gold_names(paths: list[Path], own: str = "Enterprise") -> tuple[set[str], set[str]]:
    pos, neg = set(), set()
    for g in paths:
        docs = json.loads(g.read_text(encoding="utf-8"))["documents"]
        for d in docs.values():
            for e in d.get("entities", []):
                names = {e["text"], e.get("canonical") or e["text"], *e.get("aliases", [])}
                names = {n for n in names if 2 <= len(n) <= 12}
                (pos if e["type"] == own else neg).update(names)
    return pos, neg - pos


def fit(pos: set[str], neg: set[str], heads: frozenset, C: float = 0.5, seed: int = 0) -> tuple[dict, dict]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    data = [(n, 1) for n in sorted(pos)] + [(n, 0) for n in sorted(neg)]
    random.Random(seed).shuffle(data)
    cut = len(data) * 4 // 5
    vec = DictVectorizer()
    X = vec.fit_transform([{f: 1 for f in namemodel.features(n, heads)} for n, _ in data])
    y = [v for _, v in data]
    held = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(X[:cut], y[:cut])
    pred = held.predict(X[cut:])
    tp = sum(1 for a, b in zip(pred, y[cut:]) if a and b)
    p = tp / max(1, sum(pred))
    r = tp / max(1, sum(y[cut:]))
    lr = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(X, y)
    w = {f: round(float(x), 4) for f, x in zip(vec.get_feature_names_out(), lr.coef_[0]) if abs(x) >= 0.05}
    model = {"version": 1, "bias": round(float(lr.intercept_[0]), 4), "w": w,
             "positives": len(pos), "negatives": len(neg)}
    return model, {"held_out_precision": round(p, 3), "held_out_recall": round(r, 3)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="训练名称模型（企业：kg/models/firmname.json；产品：kg/models/productname.json）")
    ap.add_argument("--kind", choices=namemodel.KINDS, default="firm", help="企业名称（firm）或产品名称（product）")
    ap.add_argument("--corpus", default=str(SHARED / "corpus-eb" / "articles"), help="无标注新闻文件夹")
    ap.add_argument("--limit", type=int, default=5000, help="最多读取的文章数")
    ap.add_argument("--exclude", action="append", default=None,
                    help="不得用于训练的文章文件夹（默认：../shared/extra2/articles，检验集）")
    ap.add_argument("--gold", action="append", default=None, help="开发集金标准（默认 seeds、extra、extra3）")
    ap.add_argument("--out", help="模型输出文件（默认 kg/models/<kind>name.json）")
    args = ap.parse_args(argv)
    from .components.names import _lex

    heads = frozenset(_lex()["heads"])
    exclude_dirs = args.exclude if args.exclude is not None else [str(SHARED / "extra2" / "articles")]
    exclude = [f for d in exclude_dirs if Path(d).is_dir() for f in _fingerprints(Path(d))]
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"错误：找不到语料文件夹 {corpus}", file=sys.stderr)
        return 2
    pos, neg = mine(corpus, args.limit, exclude, args.kind)
    golds = [Path(g) for g in args.gold] if args.gold is not None else \
        [SHARED / "gold/seeds.gold.json", SHARED / "extra/extra.gold.json", SHARED / "extra3/extra3.gold.json"]
    gp, gn = gold_names([g for g in golds if g.exists()], "Enterprise" if args.kind == "firm" else "Product")
    pos |= gp
    neg = (neg | gn) - pos
    model, scores = fit(pos, neg, heads)
    model.update(scores)
    out = Path(args.out or namemodel.model_path(args.kind))
    out.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"已写入 {out}：正例 {len(pos)}，负例 {len(neg)}，留出 P={scores['held_out_precision']} "
          f"R={scores['held_out_recall']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
