"""The shared automaton scan (nlp._ScanGroup) and nlp.literal_scan give what the separate scans
and the regexes give (speed shortcuts: outputs must not change)."""
import random
import re

from kg import nlp

WORDS_A = ["高新区", "新区", "开发区", "经济开发区", "园区", "产业园"]
WORDS_B = ["产业链", "链", "全产业链", "新材料", "材料"]
ALPHABET = "高新区开发经济产业园链全材料和的在市县ABC1、，。"


def _texts(n: int, seed: int = 3):
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ALPHABET) for _ in range(rnd.choice((5, 40, 300, 900)))) for _ in range(n)]


def _automaton(words, shared):
    a = nlp.CJKAutomaton(shared=shared)
    for w in words:
        a.add_word(w, w)
    a.make_automaton()
    return a


def test_shared_scan_equals_own_scan():
    alone_a, alone_b = _automaton(WORDS_A, False), _automaton(WORDS_B, False)
    shared_a, shared_b = _automaton(WORDS_A, True), _automaton(WORDS_B, True)
    for t in _texts(200):
        assert list(shared_a.iter(t)) == list(alone_a.iter(t))
        assert list(shared_b.iter_long(t)) == list(alone_b.iter_long(t))
        assert list(shared_a.iter_long(t)) == list(alone_a.iter_long(t))
        assert list(shared_b.iter(t)) == list(alone_b.iter(t))


def test_shared_scan_sees_a_late_member():
    early = _automaton(WORDS_A, True)
    t = "园区" * 200
    first = list(early.iter(t))
    late = _automaton(["区园"], True)
    assert list(late.iter(t)) == list(_automaton(["区园"], False).iter(t))
    assert list(early.iter(t)) == first


def test_literal_scan_equals_regex():
    for words in (sorted(WORDS_A, key=len, reverse=True), sorted(WORDS_B, key=len, reverse=True), ["链", "产业"]):
        rx = re.compile("(?:" + "|".join(words) + ")")
        scan = nlp.literal_scan(rx)
        assert isinstance(scan, nlp.LiteralScan)
        for t in _texts(200):
            assert [(m.start(), m.end(), m.group()) for m in scan.finditer(t)] == \
                [(m.start(), m.end(), m.group()) for m in rx.finditer(t)]


def test_literal_scan_keeps_regexes_it_cannot_replace():
    for p in ("产业|产业链", "a+|b", r"\d|x", "(?:a|b)c"):
        rx = re.compile(p)
        assert nlp.literal_scan(rx) is rx
    assert nlp.literal_scan(re.compile("abc", re.IGNORECASE)).pattern == "abc"
