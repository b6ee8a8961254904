"""anchored: a product counts where someone makes it.

The guidelines' products are what an enterprise or a project produces, or a named supply-chain
part; a product word in a sentence about a market, an industry or prices, with no firm or
project in it (家具出口市场, 稀土涨势), is not one. A product mention is kept when its sentence or
one next to it names a firm, a project or a chain, when its sentence speaks of making things, of
projects or of a chain's links (铝资源—电解铝—铝合金), or when a relation already uses it."""
from __future__ import annotations

from . import component

ANCHOR_TYPES = ("Enterprise", "Project", "IndustryChain", "IndustryCluster")
# a sentence about making things, about projects or about a chain's links
ANCHOR_WORDS = ("生产", "制造", "年产", "主营", "下线", "量产", "主要产品", "项目", "产业链", "链条", "—")


@component("anchored", reads=("mentions", "relations"), writes=("mentions",))
def make_anchored(settings: dict):
    anchors = tuple(settings.get("anchor_types", ANCHOR_TYPES))
    words = tuple(settings.get("anchor_words", ANCHOR_WORDS))

    def run(state) -> None:
        ex = state.ex
        anchored = {m.sentence + d for m in ex.mentions if m.type in anchors for d in (-1, 0, 1)}
        used = {(r.head_type, r.head) for r in ex.relations} | {(r.tail_type, r.tail) for r in ex.relations}
        spoken: dict[int, bool] = {}  # sentence index -> it holds an anchor word (looked up when needed)
        for m in list(ex.mentions):
            if m.type == "Product" and m.sentence not in anchored and ("Product", m.canonical) not in used \
                    and not _speaks_of_making(ex.doc.sentences, m.sentence, words, spoken):
                state.drop(m)
    return run


def _speaks_of_making(sentences, index: int, words: tuple[str, ...], memo: dict[int, bool]) -> bool:
    """Whether a sentence of that index holds one of the anchor words."""
    got = memo.get(index)
    if got is None:
        got = memo[index] = any(s.index == index and any(w in s.text for w in words) for s in _at(sentences, index))
    return got


def _at(sentences, index: int):
    """The sentences that may have that index: the one at that position when the indices are the
    positions (as ingest makes them), else all."""
    if 0 <= index < len(sentences) and sentences[index].index == index:
        return (sentences[index],)
    return sentences
