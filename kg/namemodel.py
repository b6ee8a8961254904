"""Does a string look like a firm's name, or a product's? Small trained models over the string's own shape.

The firm model is used where a firm is written without a legal suffix and nothing but a verb
vouches for it (北辰电控在…投资, 与云帆电子签约); the product model where a product has no head
word the lexicon knows (…轴承项目, 再生铜). Features are the string's characters and words:
first and last characters, character pairs, jieba words and their POS, a company word at the
end, runs of characters jieba does not know as words. The weights (`kg/models/<kind>name.json`)
are learned by `python -m kg.namemodel_train --kind firm|product` from silver examples mined
from unlabelled news (what the suffix and production-verb rules find vs other phrases of the
same texts) and the names of the development gold.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache

from . import nlp
from .resources import PACKAGE_DIR

KINDS = ("firm", "product")


def model_path(kind: str = "firm"):
    return PACKAGE_DIR / "models" / f"{kind}name.json"


def features(name: str, heads: frozenset = frozenset()) -> list[str]:
    toks = nlp.posseg(name)
    f = [f"len={min(len(name), 9)}", "first=" + name[0], "last=" + name[-1], "last2=" + name[-2:],
         "first2=" + name[:2], f"ntok={min(len(toks), 5)}", "pos0=" + toks[0][1], "posL=" + toks[-1][1],
         "posseq=" + "-".join(t for _, t in toks[:4])]
    f += ["bg=" + name[i:i + 2] for i in range(len(name) - 1)]
    f += ["tok=" + w for w, _ in toks]
    if len(toks) > 1 and toks[-1][0] in heads:
        f.append("ends_company_word")
    singles = max_run = 0
    for w, _ in toks:
        singles = singles + 1 if len(w) == 1 else 0
        max_run = max(max_run, singles)
    f.append(f"single_run={min(max_run, 3)}")
    if any(c.isdigit() for c in name):
        f.append("digit")
    if any(c.isascii() and c.isalpha() for c in name):
        f.append("latin")
    return f


@lru_cache(maxsize=4)
def load(kind: str = "firm", path: str | None = None) -> dict:
    with open(path or model_path(kind), encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def _company_words() -> frozenset:
    from .components.names import _lex

    return frozenset(_lex()["heads"])


def probability(name: str, kind: str = "firm", model: dict | None = None) -> float:
    """P(name is a firm / product name) under the shipped model of that kind."""
    if model is None:
        return _shipped_probability(name, kind)
    return _probability(name, model)


@nlp.text_cache
def _shipped_probability(name: str, kind: str) -> float:
    return _probability(name, load(kind))


def _probability(name: str, model: dict) -> float:
    heads = _company_words()
    w = model["w"]
    z = model["bias"] + sum(w.get(x, 0.0) for x in features(name, heads))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
