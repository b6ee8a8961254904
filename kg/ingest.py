"""Ingest: read text files, decode, normalise, drop repeated paragraphs, split into sentences.

Normalisation (offsets of every later stage refer to the normalised text):
- line endings unified, zero-width characters removed;
- NFKC per character, except Chinese full-width punctuation, which is kept (，。：；！？（）…);
- a space between a CJK character and an ASCII letter/digit is removed ("年产 10 万吨" -> "年产10万吨");
- hard line breaks inside a sentence are joined: a break is soft when the line before does not end
  a sentence and is about as long as the document's wrapped lines (short unterminated lines are
  headings or captions and keep their break);
- a paragraph that repeats an earlier one of the same document is dropped and counted.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from .model import Document, Sentence, Skipped

TEXT_SUFFIXES = (".txt", ".md")
# Chinese full-width punctuation that NFKC would fold to ASCII; kept as is.
_KEEP = set("，。：；！？（）［］｛｝〔〕【】《》〈〉「」『』“”‘’、…—～·％＋－／＝") | {chr(c) for c in range(0x2460, 0x2500)} \
    | {chr(c) for c in range(0x2776, 0x2794)}  # circled caption numbers ①…⑳ stay
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_TERMINAL = tuple("。！？!?；;…")
_HARD_END = ("：", ":", "——", "—")
_CAPTION_START = re.compile(r"^[①-⑳❶-❿□■●◆▲★※]|^——|^#|^[-*]\s")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \t\u00a0]+(?=[{_CJK}])")
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
            raise IngestError(path, f"这是{what}，不是文本文件（只支持 UTF-8 / GBK 编码的 .txt、.md）")
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


def normalise_chars(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    out = []
    for ch in text:
        if ch in _KEEP or ord(ch) < 128:
            out.append(ch)
        elif ch == "\u3000":
            out.append(" ")
        else:
            out.append(unicodedata.normalize("NFKC", ch))
    text = "".join(out)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return _SPACE_CJK_ASCII.sub("", text)


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
                    and len(last) >= threshold and not _CAPTION_START.match(line)
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
        start, end = para.span()
        cut = start
        for m in _SENT_END.finditer(text, start, end):
            _add(sents, text, cut, m.end())
            cut = m.end()
        _add(sents, text, cut, end)
    return sents


def _add(sents: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sents.append(Sentence(len(sents), start, end, text[start:end]))


def build_document(raw_text: str, doc_id: str, path: str = "", encoding: str = "utf-8",
                   sha256: str = "", markdown: bool = False) -> Document:
    text = normalise_chars(raw_text)
    paras, dropped = dedupe(paragraphs(text, markdown=markdown))
    norm = "\n".join(paras)
    return Document(doc_id=doc_id, path=path or doc_id, text=norm, sentences=split_sentences(norm),
                    encoding=encoding, duplicates_dropped=dropped, sha256=sha256)


def read_document(path: str | os.PathLike, doc_id: str | None = None) -> Document:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except IsADirectoryError:
        raise IngestError(str(p), "这是一个文件夹，不是文件")
    except PermissionError:
        raise IngestError(str(p), "没有读取权限")
    except OSError as e:
        raise IngestError(str(p), f"无法读取：{e.strerror or e}")
    if not raw.strip():
        raise IngestError(str(p), "空文件")
    text, enc = decode(raw, str(p))
    doc = build_document(text, doc_id or p.name, str(p), enc, hashlib.sha256(raw).hexdigest(),
                         markdown=p.suffix.lower() == ".md")
    if not doc.sentences:
        raise IngestError(str(p), "没有可读的正文（只有空白或符号）")
    return doc


def collect_files(inputs: list[str | os.PathLike]) -> tuple[list[Path], list[Skipped]]:
    """Expand folders (recursively, .txt/.md); report other files and missing paths as skipped."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_dir() or any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.suffix.lower() in TEXT_SUFFIXES:
                    files.append(f)
                else:
                    skipped.append(Skipped(str(f), f"不支持的文件类型 {f.suffix or '（无扩展名）'}，只读取 .txt 和 .md"))
        elif p.is_file():
            files.append(p)
        else:
            skipped.append(Skipped(str(p), "文件不存在"))
    return files, skipped


def load_corpus(inputs: list[str | os.PathLike], progress: bool = False) -> tuple[list[Document], list[Skipped]]:
    files, skipped = collect_files(inputs)
    docs: list[Document] = []
    used: set[str] = set()
    it = files
    if progress:
        from tqdm import tqdm

        it = tqdm(files, desc="读取文档", unit="篇")
    for f in it:
        doc_id = f.name if f.name not in used else str(f)
        try:
            doc = read_document(f, doc_id)
        except IngestError as e:
            skipped.append(e.skipped())
            continue
        used.add(doc.doc_id)
        docs.append(doc)
    return docs, skipped
