"""Does a string look like a firm's name? A small trained model over the string's own shape.

Used where a firm is written without a legal suffix and nothing but a verb vouches for it
(北辰电控在…投资, 与云帆电子签约). Features are the string's characters and words: first and
last characters, character pairs, jieba words and their POS, a company word at the end, a place
at the start, runs of characters jieba does not know as words. The weights
(`kg/models/firmname.json`) are learned by `python -m kg.firmname_train` from silver examples
mined from unlabelled news (short forms of legal names found by the suffix rules vs other
phrases of the same texts) and the firm names of the development gold.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache

from . import nlp
from .resources import PACKAGE_DIR

MODEL_PATH = PACKAGE_DIR / "models" / "firmname.json"


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


@lru_cache(maxsize=2)
def load(path: str | None = None) -> dict:
    with open(path or MODEL_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def probability(name: str, model: dict | None = None, heads: frozenset = frozenset()) -> float:
    model = model or load()
    w = model["w"]
    z = model["bias"] + sum(w.get(x, 0.0) for x in features(name, heads))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
