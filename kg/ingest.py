"""Ingest: read files (text, Word, PDF, web pages; see kg.readers), normalise, drop repeated
paragraphs, split into sentences; table rows become one sentence each, with their header known.

Normalisation (offsets of every later stage refer to the normalised text):
- line endings unified, zero-width characters removed;
- NFKC per character, except Chinese full-width punctuation, which is kept (，。：；！？（）…);
- a space between a CJK character and an ASCII letter/digit is removed ("年产 10 万吨" -> "年产10万吨");
- hard line breaks inside a sentence are joined: a break is soft when the line before does not end
  a sentence and is about as long as the document's wrapped lines (short unterminated lines are
  headings or captions and keep their break) and the next line is no numbered item (一、, 1.,
  （二）) or labelled line (上游：…);
- a paragraph that repeats an earlier one of the same document is dropped and counted;
- a table row becomes one line and one sentence "表头：单元格；表头：单元格。" whose Sentence records
  table, row and the (header, cell) pairs; a title row spanning the table stays a paragraph.

Input guards: only regular files are read (FIFOs, devices reported), a per-file size limit
(KG_MAX_FILE_MB, default 100) is checked before reading, symlinked folders are followed once
(loops and repeats reported), unreadable folders are reported, file names that are not UTF-8 are
decoded for display (GB18030, else escaped) and reported, and document ids never collide after
the NFKC/space folding used for IRIs (a short hash of the path is appended when they would).
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

from . import readers
from .model import Document, Sentence, Skipped
from .tablefacts import TITLE_HEADER
from .util import iri_segment

TEXT_SUFFIXES = (".txt", ".md")
DEFAULT_MAX_MB = 100
# Chinese full-width punctuation that NFKC would fold to ASCII; kept as is.
_KEEP = set("，。：；！？（）［］｛｝〔〕【】《》〈〉「」『』“”‘’、…—～·％＋－／＝") | {chr(c) for c in range(0x2460, 0x2500)} \
    | {chr(c) for c in range(0x2776, 0x2794)}  # circled caption numbers ①…⑳ stay
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_TERMINAL = tuple("。！？!?；;…")
_HARD_END = ("：", ":", "——", "—")
_CAPTION_START = re.compile(r"^[①-⑳❶-❿□■●◆▲★※]|^——|^#|^[-*]\s")
# a numbered item (一、 1. （二）) or a labelled line (上游：…) starts a line of its own, never a wrapped one
_ITEM_START = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}[、.．](?!\d)|[\u4e00-\u9fff]{2,8}[：:])")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])[ \u00a0]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \u00a0]+(?=[{_CJK}])")
_SENT_END = re.compile(r"(?:[。！？!?；;]|……|…)+[”’」』）)\"]*")
_MAGIC = {b"%PDF": "PDF 文件", b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"PK\x03\x04": "ZIP/Office 压缩文件",
          b"GIF8": "GIF 图片", b"\xd0\xcf\x11\xe0": "旧版 Office 文件", b"\x7fELF": "可执行文件"}


class IngestError(Exception):
    """A file that cannot be read as a text document; message is for the user (Chinese)."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        self.path, self.reason, self.line = str(path), reason, line
        where = f"{path}" + (f":{line}" if line else "")
        super().__init__(f"{where}: {reason}")

    def skipped(self) -> Skipped:
        return Skipped(self.path, self.reason, self.line)


def _line_of(raw: bytes, pos: int) -> int:
    return raw.count(b"\n", 0, pos) + 1


def decode(raw: bytes, path: str = "") -> tuple[str, str]:
    """Return (text, encoding); raise IngestError for binary or undecodable input."""
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise IngestError(path, f"这是{what}，不是文本文件（扩展名与内容不符，请改成对应的扩展名，如 .pdf、.docx）")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise IngestError(path, "二进制文件（含 NUL 字节），不是文本", _line_of(raw, nul))
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text = raw.decode("gb18030")
        if _looks_chinese(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
        if best is not None and best.encoding and _looks_chinese(str(best)):
            return str(best), best.encoding
    except Exception:  # detector failure = undecodable
        pass
    raise IngestError(path, f"无法识别文本编码（不是 UTF-8，也不是 GBK/GB18030）：第一个无效字节 0x{raw[utf8_error.start]:02x}",
                      _line_of(raw, utf8_error.start))


def _looks_chinese(text: str) -> bool:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return True
    cjk = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or c in _KEEP or "\u3000" <= c <= "\u303f")
    ctrl = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    return cjk / len(non_ascii) > 0.8 and ctrl / max(len(text), 1) < 0.01


class _CharMap(dict):
    """str.translate table filled on first sight of each character: NFKC per character (full-width
    forms to ASCII …), ideographic space to a space, control characters dropped, the characters
    of _KEEP unchanged. One pass over the text, no per-character objects (11 MB: ~0.2 s, not 10 s
    and 660 MB)."""

    def __missing__(self, cp: int):
        ch = chr(cp)
        if ch in _KEEP or cp < 128:
            out = ch
        elif ch == "\u3000":
            out = " "
        else:
            out = unicodedata.normalize("NFKC", ch)
        out = "".join(c for c in out if c in "\n\t" or unicodedata.category(c) != "Cc")
        self[cp] = out
        return out


_CHARS = _CharMap()


def normalise_chars(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    return _SPACE_CJK_ASCII.sub("", text.translate(_CHARS))


def _strip_markdown(line: str) -> str:
    line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)
    line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    return re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)


def _wrap_threshold(lines: list[str]) -> float:
    lengths = sorted(len(l) for l in lines)
    if not lengths:
        return 0
    p75 = lengths[int(0.75 * (len(lengths) - 1))]
    return max(14.0, 0.75 * p75)


def paragraphs(text: str, markdown: bool = False) -> list[str]:
    """Join soft line breaks; return paragraphs (blank lines count as plain breaks)."""
    lines = [l.strip() for l in text.split("\n")]
    if markdown:
        lines = [_strip_markdown(l) for l in lines]
    lines = [l for l in lines if l]
    threshold = _wrap_threshold(lines)
    paras: list[str] = []
    last = ""  # last physical line of paras[-1]
    for line in lines:
        if paras:
            prev = paras[-1]
            continuation = line[0] in "，。、；：！？）”’」』,.;:!?)"
            soft = (not prev.endswith(_TERMINAL) and not prev.endswith(_HARD_END)
                    and len(last) >= threshold and not _CAPTION_START.match(line) and not _ITEM_START.match(line)
                    and not _CAPTION_START.match(prev))
            if continuation or soft:
                sep = " " if (prev[-1].isascii() and prev[-1].isalnum() and line[0].isascii() and line[0].isalnum()) else ""
                paras[-1] = prev + sep + line
                last = line
                continue
        paras.append(line)
        last = line
    return paras


def _fold(p: str) -> str:
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", p))


def dedupe(paras: list[str], min_len: int = 6) -> tuple[list[str], int]:
    seen: set[str] = set()
    kept, dropped = [], 0
    for p in paras:
        key = _fold(p)
        if len(key) >= min_len and key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(p)
    return kept, dropped


def split_sentences(text: str) -> list[Sentence]:
    sents: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        _split_span(sents, text, *para.span())
    return sents


MAX_SENTENCE = 400  # characters: longer runs (lists, pages without full stops) are cut at a clause break
_SOFT_BREAK = re.compile(r"[，,；;：:、\s]")


def _split_span(sents: list[Sentence], text: str, start: int, end: int, page: int | None = None) -> None:
    cut = start
    for m in _SENT_END.finditer(text, start, end):
        _add_capped(sents, text, cut, m.end(), page)
        cut = m.end()
    _add_capped(sents, text, cut, end, page)


def _add_capped(sents: list[Sentence], text: str, start: int, end: int, page: int | None = None) -> None:
    """A sentence longer than MAX_SENTENCE becomes several, each ending at the last clause break
    (，；：、 or space) before the limit, or at the limit: extraction then stays linear in the text
    (its pattern windows are per sentence) on pages without full stops or with endless lists."""
    while end - start > MAX_SENTENCE:
        stop = start + MAX_SENTENCE
        breaks = [m.end() for m in _SOFT_BREAK.finditer(text, start + MAX_SENTENCE // 2, stop)]
        stop = breaks[-1] if breaks else stop
        _add(sents, text, start, stop, page)
        start = stop
    _add(sents, text, start, end, page)


def _add(sents: list[Sentence], text: str, start: int, end: int, page: int | None = None, **table) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sents.append(Sentence(len(sents), start, end, text[start:end], page=page, **table))


# --------------------------------------------------------------------------- tables

_WS = re.compile(r"\s+")
_WS_CJK = re.compile(rf"(?<=[{_CJK}，。：；、（）])\s+(?=[{_CJK}，。：；、（）])")


def _cell(text: str) -> str:
    """One line, normalised like the text; a break inside a wrapped CJK cell leaves no space."""
    text = normalise_chars(text or "")
    return _WS.sub(" ", _WS_CJK.sub("", text)).strip()


def table_layout(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """(captions, rows): cells cleaned, empty rows dropped; leading rows with one repeated value
    (a title merged across the table) are captions."""
    rows = [[_cell(c) for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    captions = []
    while len(rows) > 1 and len(rows[0]) > 1 and len({c for c in rows[0] if c}) == 1:
        captions.append(next(c for c in rows[0] if c))
        rows = rows[1:]
    return captions, rows


def _header(row: list[str]) -> list[str]:
    return [_WS.sub("", h) or f"第{i}列" for i, h in enumerate(row, 1)]


def _role(cell: str) -> str | None:
    """The kg.tablefacts role of a header cell (builder, project, investment …), or None."""
    from .tablefacts import role_of

    return role_of(cell)


def _known(cell: str) -> bool:
    return _role(cell) is not None


def row_cells(header: list[str], row: list[str]) -> tuple[tuple[str, str], ...]:
    out, seen = [], set()
    for i, v in enumerate(row):
        h = header[i] if i < len(header) else f"第{i + 1}列"
        if v and (h, v) not in seen:  # a merged cell repeats its value under each spanned column
            seen.add((h, v))
            out.append((h, v))
    return tuple(out)


_RECORD_NUMBER = re.compile(r"^\s*(?:[（(]?[0-9一二三四五六七八九十]{1,3}[)）.．、]\s*)?")
_RECORD_PAIR = re.compile(r"^\s*([^：:，,。]{2,12}?)\s*[：:]\s*(\S.*?)\s*[。.]?\s*$")


def record_cells(line: str) -> tuple[tuple[str, str], ...]:
    """The (header, value) pairs of a line written as a record (1. 项目名称：…；建设单位：…；总投资：…),
    when most ；-separated parts are pairs and at least two headers, and most, are table headers
    kg.tablefacts knows; else ()."""
    if "：" not in line and ":" not in line:
        return ()
    title, body = _record_title(line[_RECORD_NUMBER.match(line).end():])
    parts = [p for p in re.split(r"[；;]", body) if p.strip()]
    pairs = [m for m in map(_RECORD_PAIR.match, parts) if m]
    if len(pairs) < 2 or len(pairs) * 2 <= len(parts):
        return ()
    cells = tuple((_WS.sub("", m.group(1)), m.group(2)) for m in pairs)
    known = sum(_known(h) for h, _ in cells)
    if not (known >= 2 and known * 2 > len(cells)):
        return ()
    return ((TITLE_HEADER, title), *cells) if title and not any(_role(h) == "project" for h, _ in cells) else cells


_TITLE_END = re.compile(r"[。：:，,]")


def _record_title(body: str) -> tuple[str, str]:
    """(title, the fields) of a record line opening with its title (某某项目。建设单位：…): the
    title ends like a project and the fields start with a known header; else ("", body)."""
    m = _TITLE_END.search(body)
    if m is None or m.start() > 60:
        return "", body
    title, rest = body[:m.start()].strip(), body[m.end():]
    pair = _RECORD_PAIR.match(re.split(r"[；;]", rest, maxsplit=1)[0])
    if title and _RECORD_TITLE.search(title) and pair and _known(_WS.sub("", pair.group(1))):
        return title, rest
    return "", body


_RECORD_TITLE = re.compile(r"^\s*[（(]?[0-9一二三四五六七八九十]{1,3}[)）.．、]|(?:项目|工程|基地|生产线|产业园)(?:[（(][^）)]{1,6}[）)])?$")
FIELD_VALUE_MAX = 80


def record_fields(line: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(title, fields) of a line holding fields of a record written without ；
    (年产某某项目建设单位：甲公司建设地点：乙园区): every part after the title a known header, a
    colon and its value; the title empty or a record's title (a number, a project word). None
    for other lines."""
    if "：" not in line and ":" not in line:
        return None
    ms = list(_header_rx().finditer(line))
    if not ms:
        return None
    first, heads = ms[0].start(), [m.group(1) for m in ms]
    if len(set(heads)) < len(heads):
        return None  # 1. 甲产业链：乙2. 丙产业链：丁 (numbered items run together): a list, not one record
    if first and heads[0].startswith("项目") and _known(heads[0][2:]):
        first, heads[0] = first + 2, heads[0][2:]  # 某某基地项目|建设单位: 项目 ends the title
    title = line[:first].strip()
    if title and (len(title) > 60 or "，" in title or not _RECORD_TITLE.search(title)):
        return None
    cells = []
    for i, m in enumerate(ms):
        value = line[m.end():ms[i + 1].start() if i + 1 < len(ms) else len(line)].strip(" ；;。")
        if not value or len(value) > FIELD_VALUE_MAX or "；" in value or ";" in value:
            return None  # (a value running over a field separator: record_cells reads such lines)
        cells.append((heads[i], value))
    return title, cells


@lru_cache(maxsize=1)
def _header_rx() -> re.Pattern:
    """The headers kg.tablefacts knows (three characters or more: 企业, 项目 are words of prose too),
    each followed by a colon."""
    from .tablefacts import load_headers

    heads = sorted((h for h in load_headers()["_index"] if len(h) >= 3), key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, heads)) + r")\s*[：:]")


def row_text(cells: tuple[tuple[str, str], ...]) -> str:
    return "；".join(f"{h}：{v}" for h, v in cells) + "。"


# --------------------------------------------------------------------------- documents

class _Lines:
    """Lines of the normalised text with where they came from; drops repeated paragraphs."""

    def __init__(self):
        self.units: list[tuple[str, int | None, dict]] = []  # (line, page, table metadata)
        self.seen: set[str] = set()
        self.dropped = 0
        self.tables = 0
        self.last: dict | None = None  # header, row count and page of the last table read
        self.record_at = -1  # len(units) after the last line read as a record
        self.fields: list[tuple[str, str]] = []  # a record written a field a line: its fields so far
        self.field_lines: list[tuple[str, int | None]] = []  # … and those lines
        self.field_title = ""

    def para(self, text: str, page: int | None, min_len: int = 6) -> None:
        cells = record_cells(text)
        got = None if cells else record_fields(text)
        if got is not None and (len(got[1]) >= 2 or self.fields or not got[0]):
            title, cells = got  # 建设单位：某公司 (one or a few fields a line): wait for the rest
            if title and self.fields:
                self.flush()  # the next record's title
            self.field_title = self.field_title or title
            self.fields += cells
            self.field_lines.append((text, page))
            return
        self.flush()
        self._para(text, page, min_len, cells)

    def flush(self) -> None:
        """The fields read so far: one record (a table row, named by its title) when two or more,
        else plain lines."""
        cells, lines, title = self.fields, self.field_lines, self.field_title
        self.fields, self.field_lines, self.field_title = [], [], ""
        if len(cells) < 2:
            for text, page in lines:
                self._para(text, page)
            return
        before = self.units[-1] if self.units and len(self.units) > self.record_at else None
        if not title and before and not before[2] and _RECORD_TITLE.search(before[0]) and "：" not in before[0]:
            title = self.units.pop()[0]  # 1. 年产3000台某某项目, then its fields a line each
        if title and not any(_role(h) == "project" for h, _ in cells):
            cells.insert(0, (TITLE_HEADER, title[_RECORD_NUMBER.match(title).end():].strip()))
        self._record_row(tuple(cells), lines[0][1])

    def _para(self, text: str, page: int | None, min_len: int = 6, cells: tuple | None = None) -> None:
        key = _fold(text)
        if len(key) >= min_len and key in self.seen:
            self.dropped += 1
            return
        self.seen.add(key)
        cells = record_cells(text) if cells is None else cells
        if cells:  # 项目名称：…；建设单位：…；总投资：…: a table row written as a line
            self._record_row(cells, page, text if all(f"{h}：{v}" in text or h == TITLE_HEADER and v in text
                                                      for h, v in cells) else "")
            return
        self.units.append((text, page, {}))

    def _record_row(self, cells: tuple, page: int | None, line: str = "") -> None:
        go_on = self.record_at == len(self.units)  # the line before was a record too: one table
        if not go_on:
            self.tables += 1
        row = self.units[-1][2]["row"] + 1 if go_on else 1
        self.units.append((line or row_text(cells), page, {"table": self.tables, "row": row, "cells": cells}))
        self.record_at = len(self.units)

    def table(self, rows: list[list[str]], page: int | None) -> None:
        self.flush()
        captions, rows = table_layout(rows)
        for c in captions:
            self.para(c, page)
        if self._record(rows, page):
            return
        cont = self.last if self._continues(rows, page) else None
        if cont is None and (len(rows) < 2 or sum(1 for c in rows[0] if c) < 2):
            for r in rows:  # no header row: plain lines
                self.para(" ".join(c for c in r if c), page)
            return
        if cont is None:
            self.tables += 1
            header, data, n = _header(rows[0]), rows[1:], 0
        else:  # a table going on from the previous page without repeating its header
            header, data, n = cont["header"], rows, cont["rows"]
        for r in data:
            cells = row_cells(header, r)
            if cells:
                n += 1
                self._row(cells, page, n)
        self.last = {"header": header, "rows": n, "page": page, "unit": len(self.units)}

    def _row(self, cells: tuple, page: int | None, n: int) -> None:
        self.units.append((row_text(cells), page, {"table": self.tables, "row": n, "cells": cells}))

    def _record(self, rows: list[list[str]], page: int | None) -> bool:
        """A two-column form (项目名称 | …, 建设单位 | …): one record, its left column the headers."""
        pairs = [(r[0], r[1]) for r in rows if len(r) >= 2 and r[0] and r[1] and not any(r[2:])]
        if len(pairs) != len(rows) or len(pairs) < 2 or sum(_known(k) for k, _ in pairs) * 2 <= len(pairs):
            return False
        self.tables += 1
        self._row(row_cells([_WS.sub("", k) for k, _ in pairs], [v for _, v in pairs]), page, 1)
        self.last = None
        return True

    def _continues(self, rows: list[list[str]], page: int | None) -> bool:
        last = self.last
        return bool(last and rows and page is not None and last["page"] is not None and page == last["page"] + 1
                    and all(len(u[0]) <= 12 for u in self.units[last["unit"]:])  # page numbers between
                    and len(rows[0]) == len(last["header"]) and not any(_known(c) for c in rows[0]))


def document_from_blocks(blocks: list, doc_id: str, path: str = "", encoding: str = "utf-8", sha256: str = "",
                         markdown: bool = False, fmt: str = "", pages: int = 0) -> Document:
    lines = _Lines()
    for b in blocks:
        if b.kind == "table":
            lines.table(b.rows, b.page)
        else:
            for p in paragraphs(normalise_chars(b.text), markdown=markdown):
                lines.para(p, b.page)
    lines.flush()
    norm = "\n".join(u[0] for u in lines.units)
    sents: list[Sentence] = []
    pos = 0
    for line, page, table in lines.units:
        if table:
            _add(sents, norm, pos, pos + len(line), page, **table)
        else:
            _split_span(sents, norm, pos, pos + len(line), page)
        pos += len(line) + 1
    return Document(doc_id=doc_id, path=path or doc_id, text=norm, sentences=sents, encoding=encoding,
                    duplicates_dropped=lines.dropped, sha256=sha256, format=fmt, pages=pages, tables=lines.tables)


def build_document(raw_text: str, doc_id: str, path: str = "", encoding: str = "utf-8",
                   sha256: str = "", markdown: bool = False) -> Document:
    return document_from_blocks([readers.Block("text", raw_text)], doc_id, path, encoding, sha256, markdown)


# --------------------------------------------------------------------------- files

def max_file_bytes() -> int:
    try:
        mb = float(os.environ.get("KG_MAX_FILE_MB", DEFAULT_MAX_MB))
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024) if mb > 0 else int(DEFAULT_MAX_MB * 1024 * 1024)


def display_path(p: str | os.PathLike) -> str:
    """The path as printable text: a name that is not UTF-8 (a GBK name from a Windows zip) is
    decoded as GB18030 when that works, else its bad bytes are escaped (\\xNN)."""
    s = os.fspath(p)
    if isinstance(s, bytes):
        s = os.fsdecode(s)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        raw = os.fsencode(s)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="backslashreplace")


def _name_ok(p: Path) -> bool:
    try:
        p.name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


_KIND = ((stat.S_ISFIFO, "命名管道 FIFO"), (stat.S_ISCHR, "字符设备"), (stat.S_ISBLK, "块设备"),
         (stat.S_ISSOCK, "套接字"))


def _read_bytes(p: Path, shown: str, limit: int) -> bytes:
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise IngestError(shown, "符号链接指向的文件不存在" if os.path.islink(p) else "文件不存在")
    except PermissionError:
        raise IngestError(shown, "没有读取权限")
    except OSError as e:
        raise IngestError(shown, f"无法读取：{e.strerror or e}")
    if stat.S_ISDIR(st.st_mode):
        raise IngestError(shown, "这是一个文件夹，不是文件")
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KIND if test(st.st_mode)), "特殊文件")
        raise IngestError(shown, f"不是普通文件（{kind}），不读取")
    too_big = f"文件过大（超过每个文件 {limit / 1048576:.0f} MB 的上限；可用环境变量 KG_MAX_FILE_MB 调整）"
    if st.st_size > limit:
        raise IngestError(shown, too_big)
    try:
        with p.open("rb") as f:
            raw = f.read(limit + 1)
    except PermissionError:
        raise IngestError(shown, "没有读取权限")
    except OSError as e:
        raise IngestError(shown, f"无法读取：{e.strerror or e}")
    if len(raw) > limit:
        raise IngestError(shown, too_big)
    return raw


def read_document(path: str | os.PathLike, doc_id: str | None = None, max_bytes: int | None = None,
                  cache=None) -> Document:
    """Read one file with the reader registered for its suffix (unknown suffix: as text). cache
    (kg.incremental.DocumentCache): a file whose bytes were parsed by the previous build is not parsed again."""
    p = Path(path)
    shown = display_path(p)
    raw = _read_bytes(p, shown, max_bytes or max_file_bytes())
    if not raw.strip():
        raise IngestError(shown, "空文件")
    doc_id = doc_id or display_path(p.name)
    sha = hashlib.sha256(raw).hexdigest()
    key = cache.key(shown, doc_id, sha) if cache is not None else None
    doc = cache.get(key) if cache is not None else None
    if doc is None:
        doc = _parse(p, raw, shown, doc_id, sha)
        if cache is not None:
            cache.put(key, doc)
    return doc


def _parse(p: Path, raw: bytes, shown: str, doc_id: str, sha: str) -> Document:
    reader = readers.reader_for(p.suffix) or readers.reader_for(".txt")
    try:
        parsed = reader(raw, shown)
    except readers.ReadError as e:
        raise IngestError(shown, e.reason, e.line) from None
    except Exception as e:  # noqa: BLE001 - a library failing on odd input loses this file only
        raise IngestError(shown, f"无法解析这个 {p.suffix or '文本'} 文件（{type(e).__name__}）") from None
    doc = document_from_blocks(parsed.blocks, doc_id, shown, parsed.encoding,
                               sha, markdown=parsed.markdown, fmt=parsed.format,
                               pages=parsed.pages)
    if not doc.sentences:
        raise IngestError(shown, "没有可读的正文（只有空白或符号）")
    return doc


_HINTS = {".doc": "旧版 Word 格式，请用 Word/WPS 另存为 .docx", ".wps": "WPS 文字格式，请另存为 .docx",
          ".xls": "Excel 表格暂不读取，可另存为网页（.html）", ".xlsx": "Excel 表格暂不读取，可另存为网页（.html）",
          ".et": "WPS 表格暂不读取，可另存为网页（.html）", ".ofd": "OFD 版式文件暂不读取，请导出为 PDF"}


def _unsupported(f: Path) -> Skipped:
    hint = _HINTS.get(f.suffix.lower())
    reason = f"不支持的文件类型 {f.suffix or '（无扩展名）'}" + (f"：{hint}" if hint else f"，只读取 {readers.describe()}")
    return Skipped(display_path(f), reason)


def _walk(root: Path, files: list[Path], skipped: list[Skipped]) -> None:
    """Files under root with a registered suffix; hidden entries ignored; symlinked folders
    followed once (a folder reached again, e.g. through a link loop, is reported)."""
    try:
        st = os.stat(root)
    except OSError as e:
        skipped.append(Skipped(display_path(root), f"无法读取文件夹：{e.strerror or e}"))
        return
    seen = {(st.st_dev, st.st_ino)}
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except PermissionError:
            skipped.append(Skipped(display_path(d), "没有权限读取这个文件夹，其中的文件未读取"))
            continue
        except OSError as e:
            skipped.append(Skipped(display_path(d), f"无法读取文件夹：{e.strerror or e}"))
            continue
        subdirs = []
        for e in entries:
            if e.name.startswith("."):
                continue
            _visit(Path(e.path), e, seen, files, skipped, subdirs)
        stack.extend(reversed(subdirs))


def _visit(p: Path, e, seen: set, files: list[Path], skipped: list[Skipped], subdirs: list[Path]) -> None:
    try:
        is_dir = e.is_dir(follow_symlinks=True)
    except OSError:
        is_dir = False
    if is_dir:
        try:
            st = os.stat(p)
        except OSError as err:
            skipped.append(Skipped(display_path(p), f"无法读取文件夹：{err.strerror or err}"))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            skipped.append(Skipped(display_path(p), "符号链接指向已经读取过的文件夹（循环或重复），不再重复读取"))
            return
        seen.add(key)
        subdirs.append(p)
    elif readers.reader_for(p.suffix):
        files.append(p)
    else:
        skipped.append(_unsupported(p))


def collect_files(inputs: list[str | os.PathLike]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders (recursively, registered suffixes); report other files and missing paths."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            found: list[Path] = []
            _walk(p, found, skipped)
            files.extend(sorted(found, key=lambda f: os.fsencode(f)))
        elif os.path.lexists(p):
            files.append(p)  # read_document reports links to nothing, FIFOs, devices
        else:
            skipped.append(Skipped(display_path(p), "文件不存在"))
    return files, skipped


def assign_ids(files: list[Path], roots: list[Path] = ()) -> dict[Path, str]:
    """Document id per file: its name, else its path relative to the input folder, else the name
    plus a short hash of the raw path bytes, so that no two files share an IRI form (NFKC, spaces
    removed: "a b.txt", "ab.txt" and "ａｂ.txt" collide there). Names already in their IRI form
    choose first, so "ab.txt" keeps its name; the result does not depend on which files read."""
    used: set[str] = set()
    ids: dict[Path, str] = {}

    def rel(f: Path) -> str:
        for r in roots:
            try:
                return display_path(f.relative_to(r))
            except ValueError:
                continue
        return display_path(f)

    order = sorted(files, key=lambda f: (iri_segment(display_path(f.name)) != display_path(f.name), os.fsencode(f)))
    for f in order:
        name = display_path(f.name)
        tag = hashlib.sha1(os.fsencode(f)).hexdigest()[:8]
        stem, dot, suffix = name.rpartition(".")
        hashed = f"{stem}~{tag}.{suffix}" if dot and stem else f"{name}~{tag}"
        doc_id = next((c for c in (name, rel(f), hashed) if iri_segment(c) not in used), f"{hashed}~{len(used)}")
        used.add(iri_segment(doc_id))
        ids[f] = doc_id
    return ids


def load_corpus(inputs: list[str | os.PathLike], progress: bool = False,
                max_bytes: int | None = None, cache=None) -> tuple[list[Document], list[Skipped]]:
    """Every readable document under inputs, and what was skipped. cache (kg.incremental.DocumentCache):
    files unchanged since the previous build are not read again."""
    files, skipped = collect_files(inputs)
    ids = assign_ids(files, [Path(i) for i in inputs if Path(i).is_dir()])
    docs: list[Document] = []
    it = files
    if progress:
        from tqdm import tqdm

        it = tqdm(files, desc="读取文档", unit="篇")
    for f in it:
        doc_id = ids[f]
        try:
            doc = read_document(f, doc_id, max_bytes=max_bytes, cache=cache)
        except IngestError as e:
            skipped.append(e.skipped())
            continue
        if not _name_ok(f):
            print(f"注意：{display_path(f)} 的文件名不是 UTF-8 编码，已按 GB18030 解读（文档编号 {doc_id}）", file=sys.stderr)
        docs.append(doc)
    return docs, skipped
