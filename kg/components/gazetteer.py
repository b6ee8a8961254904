"""gazetteer: well-known enterprises and the user's register, matched where the text names them as a word.

News names most firms without a legal suffix (比亚迪, 宝钢, 力拓), often outside any list or cue.
The entries are general knowledge, one firm per row of a data file
(ontology/data/gazetteers/enterprises.tsv: name, aliases, industry, ambiguous), like the
divisions are. A match counts only where it is a word of its own (no longer CJK word runs through
either end, by jieba's segmentation of the clause). An ambiguous entry (美的, 长城: also an everyday
word or a place) counts only written with its company word (长城汽车) or a legal suffix right after
it (美的集团); the lists and roles components still vouch for it in a firm list. The firms of the
user's enterprise register (kg build --register) are matched the same way, with their short forms."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import namemodel, nlp
from ..resources import data_dir
from . import component, load_json
from .names import common_word, common_words_only, company_words, legal_suffixes, place_forms, place_prefix

DEFAULT_FILE = "gazetteers/enterprises.tsv"
OWNERSHIP_WORDS = ("股份", "控股")
SHORT_FORM_SOURCES = frozenset({"short", "repeated"})  # a firm's short form found inside a well-known longer name (中国|北车) gives way to it
CONTEXT = 8  # characters either side read by jieba to check a match's word boundaries
GLUED_P = 0.95  # firm-name probability of a match plus two characters that makes them one name
FUNCTION_AFTER = frozenset("为的和与及等在是也都又将把被对向从跟同")  # a word of its own after a name (以某某|为龙头)


@dataclass(frozen=True)
class Entry:
    name: str  # the canonical form
    industry: str
    ambiguous: bool
    register: bool = False  # a firm of the user's register: its mentions take the register's name


class GazetteerError(RuntimeError):
    pass


@lru_cache(maxsize=4)
def load(rel_path: str = DEFAULT_FILE, register: tuple[str, ...] = ()) -> tuple[dict[str, Entry], object]:
    """Every form (name and aliases) → its Entry, and an Aho-Corasick automaton over the forms; the
    firms of the user's register (kg build --register) come first, with their short forms."""
    path = Path(data_dir()) / rel_path
    forms: dict[str, Entry] = {}
    for name in register:
        for form in register_forms(name):  # a short form that is an everyday word needs its suffix
            forms.setdefault(form, Entry(name, "", form != name and common_word(form), register=True))
    try:
        with open(path, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f, delimiter="\t"), start=2):
                name = (row.get("name") or "").strip()
                if not name:
                    raise GazetteerError(f"名录文件 {path} 第 {i} 行缺少 name")
                entry = Entry(name, row.get("industry", ""), row.get("ambiguous", "0").strip() == "1")
                for form in [name, *(a.strip() for a in (row.get("aliases") or "").split("|"))]:
                    if len(form) >= 2:
                        forms.setdefault(form, entry)
    except OSError as e:
        raise GazetteerError(f"无法读取名录文件 {path}：{e}") from e
    a = nlp.CJKAutomaton(shared=True)
    for form in forms:
        a.add_word(form, form)
    a.make_automaton()
    return forms, a


def known(form: str) -> bool:
    """form is a name or alias of a firm the shipped gazetteer lists (苹果, 联想)."""
    return form in load()[0]


def register_forms(name: str) -> list[str]:
    """A register's legal name and the short forms news uses for it: without the legal suffix
    (青禾电池科技有限公司 → 青禾电池科技), without a leading place (山西青禾电池 → 青禾电池), and
    without a last generic company word (青禾储能科技 → 青禾储能)."""
    out = [name]
    core = next((name[: -len(s)] for s in legal_suffixes() if name.endswith(s) and len(name) - len(s) >= 2), name)
    brand = core[place_prefix(core):]
    tails = load_json("patterns/generic_names.json")["droppable_tails"]
    head = next((h for h in tails if brand.endswith(h) and len(brand) - len(h) >= 3), "")
    for form in (core, brand, brand[: len(brand) - len(head)]):
        if len(form) >= 2 and form not in out:
            out.append(form)
    return out


def _is_word(text: str, s: int, e: int) -> bool:
    """No jieba word of the surrounding text runs across s or e (宝钢 in 宝钢集团 is cut at 集团;
    中信 is not read out of 振兴中信…), and the name does not go on in characters jieba cannot
    place, which the firm-name model reads as one longer name (中信 + 戴卡: another firm)."""
    if (s == 0 or not _cjk(text[s - 1])) and (e == len(text) or not _cjk(text[e])):
        return True  # punctuation, Latin or digits on both sides: nothing to cut through
    lo, hi = max(0, s - CONTEXT), min(len(text), e + CONTEXT)
    cuts, p, after = {lo}, lo, None
    for w in nlp.cut(text[lo:hi]):
        if p == e:
            after = w
        p += len(w)
        cuts.add(p)
    if not ((s in cuts or not _cjk(text[s - 1])) and (e in cuts or e == len(text) or not _cjk(text[e]))):
        return False
    glued = after is not None and len(after) == 1 and _cjk(after) and after not in FUNCTION_AFTER \
        and _cjk(text[e + 1:e + 2] or " ")
    return not (glued and namemodel.probability(text[s:e + 2]) >= GLUED_P)


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def _company_tails() -> tuple[str, ...]:
    tails = set(company_words()) | set(legal_suffixes()) | set(load_json("patterns/generic_names.json")["firm_tails"])
    return tuple(sorted(tails, key=len, reverse=True))


def _suffix_after(text: str, e: int) -> int:
    """Length of a legal suffix right after e (美的 + 集团), 0 if none: an industry word (美的 +
    环保, 统一 + 光伏) does not make an everyday word a firm."""
    words = legal_suffixes() + OWNERSHIP_WORDS
    if not text.startswith(words, e):  # (one test for all the words: most positions have none)
        return 0
    return next(len(w) for w in words if text.startswith(w, e))


def _tail_after(text: str, e: int) -> int:
    """Length of a company word right after e that makes the brand another firm's name, unless the
    company word qualifies the noun after it (某某证券事务代表, 某某汽车研究: the brand alone)."""
    tails = _company_tails()
    k = next(len(w) for w in tails if text.startswith(w, e)) if text.startswith(tails, e) else 0
    if k and text[e:e + k] in _verb_tails() and not _suffix_after(text, e + k):
        return 0  # 某集团发展新业务: the verb, not 某集团发展有限公司
    return 0 if k and text.startswith(_tail_blockers(), e + k) else k


@lru_cache(maxsize=1)
def _verb_tails() -> frozenset[str]:
    return frozenset(load_json("patterns/generic_names.json")["verb_tails"])


@lru_cache(maxsize=1)
def _tail_blockers() -> tuple[str, ...]:
    return tuple(load_json("patterns/generic_names.json")["tail_blockers"])


def _ambiguous(form: str, entry: Entry) -> bool:
    """An everyday word or place (美的, 长城, 统一), unless written with its company word (长城汽车).
    An ambiguous entry's longer Chinese forms that are neither everyday words nor a place and
    everyday words (阿里巴巴 beside 阿里; not 新产业, 山西焦化) name the firm alone."""
    if form.endswith(_company_tails()) and any(form.endswith(w) and len(form) - len(w) >= 2 for w in _company_tails()):
        return False
    if entry.ambiguous and len(form) >= 3 and not form.isascii() and not common_word(form) \
            and not common_words_only(form) and not any(common_words_only(form[len(p):]) for p in _place_prefixes(form)):
        return _word_of_doing(form)
    return entry.ambiguous or _word_of_doing(form)


def _place_prefixes(form: str) -> list[str]:
    return [form[:k] for k in (2, 3, 4) if form[:k] in place_forms()]


def _word_of_doing(form: str) -> bool:
    """One dictionary word that is a verb, adjective or adverb (联想, 统一): ambiguous whatever the
    entry says; a noun the dictionary knows (首钢) is the brand."""
    toks = nlp.posseg(form)
    return len(toks) == 1 and toks[0][1] in ("v", "vn", "a", "ad", "d")


def _span(text: str, s: int, e: int, form: str, entry: Entry) -> tuple[int, int] | None:
    """The firm's span for a match at [s, e), or None: an ambiguous brand with its suffix (美的集团),
    a brand with a company word that names one more firm (中投 + 证券), or the match alone."""
    if _ambiguous(form, entry):
        k = _suffix_after(text, e)
        return (s, e + k) if k and _is_word(text, s, e + k) else None
    k = _tail_after(text, e)
    if k and _is_word(text, s, e + k):
        return s, e + k
    return (s, e) if _is_word(text, s, e) else None


@component("gazetteer", reads=("mentions",), writes=("mentions",))
def make_gazetteer(settings: dict):
    rel_path = settings.get("file", DEFAULT_FILE)
    register = tuple(settings.get("register", ()))  # firm names of the user's enterprise register

    def run(state) -> None:
        forms, automaton = load(rel_path, register)
        text = state.text
        found: dict[Entry, list] = {}
        for end, form in automaton.iter_long(text):
            span = _span(text, end + 1 - len(form), end + 1, form, forms[form])
            if span is None:
                continue
            s, e = span
            entry, whole = forms[form], e - s == len(form)
            m = state.propose(s, e, "Enterprise", source="gazetteer", retype=True,
                              canonical=entry.name if entry.register and whole else None, over=SHORT_FORM_SOURCES)
            if m is not None and m.source == "gazetteer" and whole:
                found.setdefault(entry, []).append(m)
        for m in state.ex.mentions:  # the entry's forms other components found first (格力电器 beside 格力)
            entry = forms.get(m.text) if m.type == "Enterprise" and m.source != "gazetteer" else None
            if entry is not None and entry in found and not entry.register:
                found[entry].append(m)
        for entry, ms in found.items():
            _name_by_fullest(entry, ms)
    return run


def _name_by_fullest(entry: Entry, ms: list) -> None:
    """The entry's mentions in one document are named by the fullest form the document uses (格力
    and 格力电器 → 格力电器), or the register's name; the listed name stays an alias, which links
    documents."""
    best = entry.name if entry.register else max((m.text for m in ms), key=len)
    for m in ms:
        m.canonical = best
        m.aliases = tuple(sorted({m.text, entry.name} - {best}))
