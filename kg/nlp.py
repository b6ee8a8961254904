"""Light NLP layer for the extractor: jieba word segmentation (shared with spaCy's blank("zh")).

The extractor's main engine is gazetteer scans (pyahocorasick) and compiled regexes; words are
only needed around candidate spans (left boundaries of names, "is this short place name a word
here?"). `cut` segments such short windows with jieba; `pipeline()` builds the spaCy
blank("zh") pipeline with the jieba segmenter for callers that want Doc/Token objects.
No statistical zh model is used or downloaded.
"""
from __future__ import annotations

import logging
import re
import weakref
from functools import lru_cache
from math import log

import jieba

jieba.setLogLevel(logging.WARNING)
_READY = False
_TAGS: dict | None = None  # jieba's POS table (word -> tag), set by init


def init() -> None:
    """Load jieba's dictionary, its POS table and the route's weights once (done before forking
    worker processes): from one marshal file of all three when there is one (_load_tables), else
    through jieba, writing that file for the next process."""
    global _READY, _TAGS, _LW
    if _READY:
        return
    tables = _load_tables()
    if tables is not None:
        dt = jieba.dt
        dt.FREQ, dt.total, weights, _TAGS = tables
        dt.initialized = True
        _LW = (dt.FREQ, dt.total, weights, log(1) - log(dt.total))
    else:
        jieba.initialize()
        import jieba.posseg as ps

        list(ps.cut("初始化词性标注", HMM=False))  # loads the POS dictionary before any fork
        _TAGS = ps.dt.word_tag_tab
        _save_tables(_TAGS)
    _READY = True


_TABLES_FORMAT = "1"  # bump when what _save_tables writes changes


def _tables_path():
    """The marshal file of jieba's tables in the temporary folder (where jieba keeps its own cache),
    named by a digest of the jieba version, its dictionary file (path, size, mtime), this format and
    the Python version (marshal's format and the floats of log())."""
    import hashlib
    import os
    import sys
    import tempfile

    try:  # jieba's own dict.txt unless a dictionary was set (never looked up in the working folder)
        dict_file = os.path.abspath(jieba.dt.dictionary) if jieba.dt.dictionary else os.path.join(
            os.path.dirname(os.path.abspath(jieba.__file__)), jieba.DEFAULT_DICT_NAME)
        st = os.stat(dict_file)
        stamp = (st.st_size, st.st_mtime_ns)
    except (OSError, AttributeError, TypeError):
        return None
    key = repr((jieba.__version__, dict_file, stamp, _TABLES_FORMAT, _PREFIX, sys.version, sys.platform))
    name = f"chainkg-jieba-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"
    return os.path.join(tempfile.gettempdir(), name)


def _load_tables():
    """(FREQ, total, the route's weights, the POS table) from _tables_path, or None. One marshal read
    (~0.6 s) replaces jieba's cache read, parsing the POS dictionary and taking 500k logarithms (~1.4 s)."""
    import marshal

    path = _tables_path()
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            freq, total, weights, tags = marshal.loads(f.read())  # marshal.load(f) reads in small pieces
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(freq, dict) and isinstance(weights, dict) and isinstance(tags, dict) and len(weights) == len(freq)):
        return None
    # the route tells a prefix by identity (`is _PREFIX`): marshal gives back equal, not identical, floats
    weights.update(dict.fromkeys((k for k, f in freq.items() if not f), _PREFIX))
    return freq, total, weights, tags


def _save_tables(tags: dict) -> None:
    """Write jieba's loaded tables for _load_tables (atomically: processes may race; errors ignored)."""
    import marshal
    import os
    import tempfile

    path = _tables_path()
    if path is None:
        return
    dt = jieba.dt
    data = marshal.dumps((dt.FREQ, dt.total, _log_weights(dt), tags))
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".chainkg-jieba-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


_TEXT_CACHES: list = []


def text_cache(fn):
    """lru_cache(maxsize=65536) for a pure function of short texts, registered so that
    clear_text_caches() empties it (benchmarks start each run cold)."""
    cached = lru_cache(maxsize=65536)(fn)
    _TEXT_CACHES.append(cached)
    return cached


def clear_text_caches() -> None:
    """Empty every text_cache (jieba words, POS tags, the components' word tests) and the shared
    scan's last texts."""
    for c in _TEXT_CACHES:
        c.cache_clear()
    _GROUP.texts = []


_RE_HAN = jieba.re_han_default
_RE_SKIP = jieba.re_skip_default
_ENG1 = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")  # jieba.re_eng, one char


_NO_SCORE = float("-inf")  # below every score (scores are finite)


_PREFIX = 1.0  # _log_weights' value for a prefix of a word that is not a word itself (no weight is positive)
_LW: tuple | None = None  # (FREQ, total, the weights, the weight of a character that is no word)


def _log_weights(dt) -> dict:
    """jieba's FREQ as the route's weights, log(freq) - log(total) (the same float jieba adds), or
    _PREFIX for an entry of frequency 0 (a prefix only): the route then costs no log() per word.
    Rebuilt if jieba's dictionary changes (add_word changes total)."""
    global _LW
    if _LW is None or _LW[0] is not dt.FREQ or _LW[1] != dt.total:
        logtotal = log(dt.total)
        _LW = (dt.FREQ, dt.total, {k: log(f) - logtotal if f else _PREFIX for k, f in dt.FREQ.items()},
               log(1) - logtotal)
    return _LW[2]


def _cut_dag(s: str, LW: dict, single: float, out: list) -> None:
    """jieba's __cut_DAG_NO_HMM (get_DAG + calc + route walk) in one right-to-left pass, same
    floats, same tie-break (max over (score, end) tuples: the later end wins a tie). The single
    character is looked up first: where it is no word at all (absent), no longer word starts there
    either (jieba's dictionary holds every prefix of its words), and the route takes it alone."""
    N = len(s)
    rs = [0.0] * (N + 1)  # route[N] = (0, 0)
    rx = list(range(1, N + 2))  # where the word starting at k ends (exclusive); k + 1 unless a longer word wins
    get = LW.get
    prefix = _PREFIX
    for k in range(N - 1, -1, -1):
        w = get(s[k])
        if w is None:  # DAG[k] = [k]: the single character, frequency absent counts as 1
            rs[k] = single + rs[k + 1]
            continue
        best = _NO_SCORE if w is prefix else w + rs[k + 1]
        bx = k + 1
        j = k + 2
        while j <= N:
            w = get(s[k:j])
            if w is None:
                break
            if w is not prefix:
                sc = w + rs[j]
                if sc >= best:
                    best, bx = sc, j
            j += 1
        if best is _NO_SCORE:  # only prefixes start here: the single character, frequency 0 counts as 1
            best = single + rs[k + 1]
        rs[k] = best
        rx[k] = bx
    x, buf = 0, ""
    while x < N:
        y = rx[x]
        if y - x == 1 and s[x] in _ENG1:
            buf += s[x]
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(s[x:y])
        x = y
    if buf:
        out.append(buf)


def _jieba_cut(text: str) -> tuple[str, ...]:
    """Same tokens as tuple(jieba.cut(text, HMM=False)) (checked token for token on ~32k windows), without
    jieba's generator layers and per-call dict DAG / route."""
    dt, lw = jieba.dt, _LW
    if lw is None or lw[0] is not dt.FREQ or lw[1] != dt.total:
        _log_weights(dt)
        lw = _LW
    LW, single = lw[2], lw[3]
    out: list[str] = []
    if _RE_HAN.fullmatch(text):  # one run (most windows): split() would give ["", text, ""]
        _cut_dag(text, LW, single, out)
        return tuple(out)
    # split() with the pattern's one group alternates text between runs (even indices) and the
    # runs themselves (odd indices): the parity says what _RE_HAN.match(blk) would; the same for
    # _RE_SKIP's split of the other text (a piece between two separators never starts with one)
    for j, blk in enumerate(_RE_HAN.split(text)):
        if not blk:
            continue
        if j & 1:
            _cut_dag(blk, LW, single, out)
        else:
            for i, x in enumerate(_RE_SKIP.split(blk)):
                if i & 1:
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


@text_cache
def posseg(window: str) -> tuple:
    """(word, POS) pairs: jieba words (cached cut) tagged from jieba's POS dictionary."""
    if _TAGS is None:
        init()  # sets _TAGS
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


SHARED_MIN = 256  # characters: a shared automaton scans texts at least this long with the others


class _ScanGroup:
    """The shared automata (CJKAutomaton(shared=True)): scanning a long text (a whole document,
    which several of them scan one after the other) runs one automaton over all their keys, and
    each gets its own matches out of that one scan, in the order its own scan would give them (at
    each end, longest first: the order of the suffix links, the same in the union). The union is
    rebuilt when an automaton joins or is freed; the matches in the last two texts are kept (a
    document's, and a long piece of it that a component scans in between)."""

    def __init__(self):
        self.members: list = []  # weak references to the automata
        self.union = None
        self.texts: list = []  # [(text, {id(automaton): its matches})], the latest first

    def join(self, a) -> None:
        self.members.append(weakref.ref(a, self._forget))
        self._forget()

    def _forget(self, _ref=None) -> None:
        self.union, self.texts = None, []

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
        for t, hits in self.texts:
            if t is text:
                return hits.get(id(a), ())
        if self.union is None:
            self._build()
        u, nonempty = self.union
        hits = {}
        if nonempty:
            for end, vs in u.iter(text.encode("utf-32-be").decode("latin-1")):
                for who, v in vs:
                    got = hits.get(who)
                    if got is None:
                        got = hits[who] = []
                    got.append((end, v))
        self.texts = [(text, hits)] + self.texts[:1]
        return hits.get(id(a), ())


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
        # a match is aligned on a character iff its end is (keys are whole characters): the start
        # is then the end's character less the key's length
        hits = [(((e + 1) >> 2) - n, -n, v) for e, (n, v) in self._raw(text) if not (e + 1) & 3]
        # leftmost, then longest: (start, -length) never ties (one key per substring), so the
        # tuples sort without a key function and the values are never compared
        hits.sort()
        last = -1
        for start, negn, value in hits:
            if start > last:
                last = start - negn - 1
                yield last, value


class _Hit:
    """The part of a re.Match that callers of LiteralScan.finditer use."""
    __slots__ = ("_s", "_e", "_g")

    def __init__(self, s: int, e: int, g: str):
        self._s, self._e, self._g = s, e, g

    def start(self, group=0) -> int:
        return self._s

    def end(self, group=0) -> int:
        return self._e

    def span(self, group=0) -> tuple[int, int]:
        return self._s, self._e

    def group(self, group=0) -> str:
        return self._g


class LiteralScan:
    """A compiled alternation of literal words whose finditer(text) is a scan of the shared
    automaton: the same matches, since for such a pattern re's leftmost-first choice is the
    leftmost-longest one when no word comes before a longer word it begins (literal_scan checks
    that). Everything else (search, match, pattern, finditer with bounds) is the regex's."""

    def __init__(self, rx: re.Pattern, words: list[str]):
        self.rx = rx
        self.pattern = rx.pattern
        self._ac = CJKAutomaton(shared=True)
        for w in words:
            self._ac.add_word(w, w)
        self._ac.make_automaton()

    def finditer(self, text: str, *args):
        if args:
            return self.rx.finditer(text, *args)
        return (_Hit(end + 1 - len(w), end + 1, w) for end, w in self._ac.iter_long(text))

    def __getattr__(self, name):
        return getattr(self.rx, name)


_SPECIAL = frozenset("\\.^$*+?{}[]()|")


def literal_scan(rx: re.Pattern):
    """A LiteralScan for rx when rx is an alternation of plain literal words ("a|bc" or "(?:a|bc)")
    without flags, in which no word precedes a longer word that starts with it; else rx itself."""
    p = rx.pattern
    if rx.flags & ~re.UNICODE:
        return rx
    if p.startswith("(?:") and p.endswith(")"):
        p = p[3:-1]
    words = p.split("|")
    if not all(words) or any(c in _SPECIAL for w in words for c in w):
        return rx
    for i, a in enumerate(words):
        if any(b != a and b.startswith(a) for b in words[i + 1:]):
            return rx
    return LiteralScan(rx, words)


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
