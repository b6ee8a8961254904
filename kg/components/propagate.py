"""propagate: a firm named once is the same firm wherever its name recurs in the document.

Every firm mention's surface (and the short form of a legal name, without its place prefix and
legal suffix) is looked up again in the text; occurrences that jieba reads as whole words and
that no other mention covers become mentions of the same firm."""
from __future__ import annotations

from .. import nlp
from . import component
from .names import _lex, common_word, firm_like, is_generic, place_prefix



@component("propagate", reads=("mentions",), writes=("mentions",))
def make_propagate(settings: dict):
    min_len = settings.get("min_len", 2)

    def run(state) -> None:
        text = state.text
        names: dict[str, str] = {}
        for m in state.ex.mentions:
            if m.type == "Enterprise" and m.source != "coref":  # (该公司 is not the firm's name)
                names.setdefault(m.text, m.canonical)
                short = _short(m.text)
                if short and short != m.text:
                    names.setdefault(short, m.canonical)
        for name, canonical in sorted(names.items(), key=lambda x: -len(x[0])):
            if len(name) < min_len or is_generic(name) or not firm_like(name, listed=True) or common_word(name):
                continue
            i = text.find(name)
            while i >= 0:
                j = i + len(name)
                if not state.at(i, j) and nlp.is_word(text, i, j):
                    state.propose(i, j, "Enterprise", source="propagate", canonical=canonical)
                i = text.find(name, j)
    return run


def _short(name: str) -> str | None:
    """苏州远帆电子股份有限公司 → 远帆电子 is left to the rules (they know places); here the legal
    suffix goes (远帆电子股份有限公司 → 远帆电子), or the province or city that opens a name
    without one (江苏远帆线缆 → 远帆线缆, the name the text goes on with)."""
    for suf in _lex()["suffixes"]:  # the lexicon's company suffixes, longest first
        if not suf.endswith("公司"):
            continue
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    rest = name[place_prefix(name, min_rest=4, types=("City", "Province")):]
    return rest if rest != name and firm_like(rest, listed=True) and not common_word(rest) else None
