"""Light NLP layer for the extractor: jieba word segmentation (shared with spaCy's blank("zh")).

The extractor's main engine is gazetteer scans (pyahocorasick) and compiled regexes; words are
only needed around candidate spans (left boundaries of names, "is this short place name a word
here?"). `cut` segments such short windows with jieba; `pipeline()` builds the spaCy
blank("zh") pipeline with the jieba segmenter for callers that want Doc/Token objects.
No statistical zh model is used or downloaded.
"""
from __future__ import annotations

import logging
import weakref
from functools import lru_cache
from math import log

import jieba

jieba.setLogLevel(logging.WARNING)
_READY = False


def init() -> None:
    """Load jieba's dictionary once (done before forking worker processes)."""
    global _READY
    if not _READY:
        jieba.initialize()
        import jieba.posseg as ps

        list(ps.cut("初始化词性标注", HMM=False))  # loads the POS dictionary before any fork
        _READY = True


_TEXT_CACHES: list = []


def text_cache(fn):
    """lru_cache(maxsize=65536) for a pure function of short texts, registered so that
    clear_text_caches() empties it (benchmarks start each run cold)."""
    cached = lru_cache(maxsize=65536)(fn)
    _TEXT_CACHES.append(cached)
    return cached


def clear_text_caches() -> None:
    """Empty every text_cache (jieba words, POS tags, the components' word tests)."""
    for c in _TEXT_CACHES:
        c.cache_clear()


_RE_HAN = jieba.re_han_default
_RE_SKIP = jieba.re_skip_default
_ENG1 = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # jieba.re_eng, one char


_NO_SCORE = float("-inf")  # below every score (scores are finite)


def _cut_dag(s: str, FREQ: dict, logtotal: float, out: list) -> None:
    """jieba's __cut_DAG_NO_HMM (get_DAG + calc + route walk) in one right-to-left pass, same
    floats, same tie-break (max over (score, end) tuples: the later end wins a tie)."""
    N = len(s)
    rs = [0] * (N + 1)  # route[N] = (0, 0)
    rx = [0] * (N + 1)
    get = FREQ.get
    single = log(1) - logtotal
    for k in range(N - 1, -1, -1):
        best = _NO_SCORE
        bx = k
        for i in range(k, N):
            f = get(s[k:i + 1])
            if f is None:
                break
            if f:
                sc = log(f) - logtotal + rs[i + 1]
                if sc >= best:
                    best, bx = sc, i
        if best is _NO_SCORE:  # DAG[k] = [k]: the single character, frequency 0/absent counts as 1
            best = single + rs[k + 1]
        rs[k] = best
        rx[k] = bx
    x, buf = 0, ""
    while x < N:
        y = rx[x] + 1
        w = s[x:y]
        if y - x == 1 and w in _ENG1:
            buf += w
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(w)
        x = y
    if buf:
        out.append(buf)


def _jieba_cut(text: str) -> tuple[str, ...]:
    """Same tokens as tuple(jieba.cut(text, HMM=False)) (checked token for token on ~32k windows), without
    jieba's generator layers and per-call dict DAG / route."""
    dt = jieba.dt
    FREQ, logtotal = dt.FREQ, log(dt.total)
    out: list[str] = []
    # split() with the pattern's one group alternates text between runs (even indices) and the
    # runs themselves (odd indices): the parity says what _RE_HAN.match(blk) would
    for j, blk in enumerate(_RE_HAN.split(text)):
        if not blk:
            continue
        if j & 1:
            _cut_dag(blk, FREQ, logtotal, out)
        else:
            for x in _RE_SKIP.split(blk):
                if _RE_SKIP.match(x):
                    out.append(x)
                else:
                    out.extend(x)
    return tuple(out)


def freq(word: str) -> int:
    """The word's frequency in jieba's dictionary (0 if absent)."""
    return jieba.dt.FREQ.get(word) or 0


@text_cache
def cut(text: str) -> tuple[str, ...]:
    """jieba tokens of a short text window (cached: windows repeat across documents)."""
    init()
    return _jieba_cut(text)


_TAGS: dict | None = None


@text_cache
def posseg(window: str) -> tuple:
    """(word, POS) pairs: jieba words (cached cut) tagged from jieba's POS dictionary."""
    global _TAGS
    if _TAGS is None:
        import jieba.posseg as ps

        init()
        _TAGS = ps.dt.word_tag_tab
    out = []
    for w in cut(window):
        tag = _TAGS.get(w)
        if tag is None:
            tag = "m" if w.isdigit() else ("eng" if w.isascii() and w.isalnum() else "x")
        out.append((w, tag))
    return tuple(out)


def token_starts(text: str) -> set[int]:
    """Character offsets where a jieba token starts, plus len(text)."""
    pos, out = 0, set()
    for t in cut(text):
        out.add(pos)
        pos += len(t)
    out.add(pos)
    return out


def is_word(text: str, start: int, end: int, margin: int = 6) -> bool:
    """True when text[start:end] is segmented as whole word(s) in its local context."""
    lo, hi = max(0, start - margin), min(len(text), end + margin)
    starts = token_starts(text[lo:hi])
    return (start - lo) in starts and (end - lo) in starts


@lru_cache(maxsize=1)
def pipeline():
    """spaCy blank("zh") with the jieba segmenter (no model download)."""
    import spacy

    init()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


SHARED_MIN = 2000  # characters: a shared automaton scans texts at least this long with the others


class _ScanGroup:
    """The shared automata (CJKAutomaton(shared=True)): scanning a long text (a whole document,
    which several of them scan one after the other) runs one automaton over all their keys, and
    each gets its own matches out of that one scan, in the order its own scan would give them (at
    each end, longest first: the order of the suffix links, the same in the union). The union is
    rebuilt when an automaton joins or is freed; the last text's matches are kept."""

    def __init__(self):
        self.members: list = []  # weak references to the automata
        self.union = None
        self.text: str | None = None
        self.hits: dict[int, list] = {}

    def join(self, a) -> None:
        self.members.append(weakref.ref(a, self._forget))
        self._forget()

    def _forget(self, _ref=None) -> None:
        self.union, self.text, self.hits = None, None, {}

    def _build(self) -> None:
        import ahocorasick

        self.members = [r for r in self.members if r() is not None]
        keys: dict[str, list] = {}
        for r in self.members:
            a = r()
            for k, v in a._a.items():
                keys.setdefault(k, []).append((id(a), v))
        u = ahocorasick.Automaton()
        for k, vs in keys.items():
            u.add_word(k, tuple(vs))
        if keys:
            u.make_automaton()
        self.union = (u, bool(keys))

    def matches(self, a, text: str) -> list:
        """a's raw matches in text: (end, (length, value)) as a._a.iter gives them."""
        if self.text is not text:
            if self.union is None:
                self._build()
            u, nonempty = self.union
            hits: dict[int, list] = {}
            if nonempty:
                for end, vs in u.iter(text.encode("utf-32-be").decode("latin-1")):
                    for who, v in vs:
                        got = hits.get(who)
                        if got is None:
                            got = hits[who] = []
                        got.append((end, v))
            self.text, self.hits = text, hits
        return self.hits.get(id(a), ())


_GROUP = _ScanGroup()


class CJKAutomaton:
    """Aho–Corasick matcher for CJK keys (pyahocorasick underneath), several times faster on
    Chinese text than a plain unicode automaton: the trie is built over the bytes of UTF-32 (as
    latin-1 characters), so every node has at most 256 children instead of thousands of CJK
    characters at the root (hex digits, 16 children, made the scanned string twice as long).
    Same interface as ahocorasick.Automaton for what the extractor uses: add_word, make_automaton,
    iter(text) and iter_long(text) yielding (end_index_inclusive, value) in character offsets.
    shared=True: long texts are scanned once for all the shared automata (_ScanGroup)."""

    def __init__(self, shared: bool = False):
        import ahocorasick

        self._a = ahocorasick.Automaton()
        self._keys = 0
        self._shared = shared

    def add_word(self, key: str, value) -> None:
        if key:
            self._a.add_word(key.encode("utf-32-be").decode("latin-1"), (len(key), value))
            self._keys += 1

    def make_automaton(self) -> None:
        if self._keys:
            self._a.make_automaton()
        if self._shared:
            _GROUP.join(self)

    def items(self):
        for _, (_, v) in self._a.items():
            yield v

    def _raw(self, text: str):
        if self._shared and len(text) >= SHARED_MIN:
            return _GROUP.matches(self, text)
        return self._a.iter(text.encode("utf-32-be").decode("latin-1"))

    def _matches(self, text: str):
        if not self._keys or not text:
            return
        for end, (n, value) in self._raw(text):
            start = end + 1 - 4 * n
            if start % 4 == 0:  # aligned on a character
                yield start // 4, start // 4 + n - 1, value

    def iter(self, text: str):
        for _, end, value in self._matches(text):
            yield end, value

    def iter_long(self, text: str):
        """Leftmost-longest, non-overlapping matches, left to right."""
        if not self._keys or not text:
            return
        hits = [(s >> 2, n, v) for s, n, v in ((e + 1 - 4 * n, n, v) for e, (n, v) in self._raw(text))
                if not s & 3]  # aligned on a character
        hits.sort(key=lambda h: (h[0], -h[1]))  # leftmost, then longest (stable, as before)
        last = -1
        for start, n, value in hits:
            if start > last:
                last = start + n - 1
                yield last, value


def to_spacy(ex):
    """An Extraction as a spaCy Doc: jieba tokens, mentions as doc.ents (label = type, kb_id = canonical).

    The interchange format for spaCy tooling — displaCy in the notebooks, or training a statistical
    NER on the weak labels; entity spans are widened to token boundaries, overlaps keep the longest."""
    from spacy.util import filter_spans

    sdoc = pipeline().make_doc(ex.doc.text)
    spans = []
    for m in ex.mentions:
        span = sdoc.char_span(m.start, m.end, label=m.type, kb_id=m.canonical, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    sdoc.ents = filter_spans(spans)
    return sdoc
