"""What the rule recognisers share while reading one document: the spans found so far, the mask
of characters already inside a name, and the relation proposals (ctx.rels)."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from .. import nlp
from ..model import Document

posseg = nlp.posseg


@dataclass
class Span:
    start: int
    end: int
    type: str
    canonical: str
    text: str
    source: str = "rule"
    meta: dict = field(default_factory=dict)


# a run of the characters names are made of (extract._is_name_char), matched on the reversed text
NAME_RUN_REVERSED = re.compile("[\u3400-\u9fffA-Za-z0-9+\\-.&\u00b7]*")


class DocCtx:
    def __init__(self, doc: Document):
        self.doc = doc
        self.text = doc.text
        self._reversed: str | None = None
        self.mask = bytearray(len(doc.text))  # 1 = inside a name span
        self.starts = [s.start for s in doc.sentences]
        self.spans: list[Span] = []
        self.by_end: dict[int, list[Span]] = {}
        self.rels: list[tuple] = []  # (head_span|name, rel, tail_span|literal, sent_index, extra)

    def name_run_before(self, pos: int) -> int:
        """How many name characters (extract._is_name_char) come right before pos: one regex match
        on the reversed text instead of a step per character."""
        if self._reversed is None:
            self._reversed = self.text[::-1]
        k = len(self.text) - pos
        return NAME_RUN_REVERSED.match(self._reversed, k).end() - k

    def conj_after_name(self, pos: int) -> int:
        """1 when a conjunction at pos follows a name ending there (甲产业链和新材料…: jieba's 和新
        glues it to the next name's window), else 0."""
        return int(self.text[pos:pos + 1] in ("和", "与", "及") and bool(self.by_end.get(pos)))

    def sent_index(self, pos: int) -> int:
        i = bisect_right(self.starts, pos) - 1
        return i if i > 0 else 0

    def sent_bounds(self, pos: int) -> tuple[int, int]:
        if not self.doc.sentences:
            return 0, len(self.text)
        s = self.doc.sentences[self.sent_index(pos)]
        return s.start, s.end

    def free(self, a: int, b: int) -> bool:
        return a >= b or self.mask.find(1, a, b) < 0  # the mask holds only 0 / 1

    def take(self, sp: Span) -> Span:
        self.add(sp)
        self.mask[sp.start:sp.end] = b"\x01" * (sp.end - sp.start)
        return sp

    def release(self, sp: Span) -> None:
        """Forget a span taken before (a later rule read its text as part of a longer name)."""
        self.spans.remove(sp)
        self.by_end[sp.end].remove(sp)
        self.mask[sp.start:sp.end] = bytes(sp.end - sp.start)

    def add(self, sp: Span) -> Span:
        """Record a span without masking (nested mentions: products in project names …)."""
        self.spans.append(sp)
        self.by_end.setdefault(sp.end, []).append(sp)
        return sp
