"""Saved web pages (.html, .htm, .mhtml): the article body, without navigation and boilerplate.

readability-lxml picks the article (it keeps the page's own structure: headings, paragraphs, lists
and tables with rowspan/colspan); the fragment is walked here into text blocks and tables. Chosen
over trafilatura by measurement (docs/ARCHITECTURE.md): on short pages trafilatura falls back to
a flattened text with the navigation in it and the table lost; readability kept the table on both.
A page whose "body" is only link lists or a footer is reported.
"""
from __future__ import annotations

import email
import re

from . import Block, Parsed, ReadError, register

_TERMINAL = re.compile(r"[。！？!?；]")
_CJK = r"\u3400-\u9fff\uf900-\ufaff，。：；、！？（）“”《》"
_WS = re.compile(r"\s+")
_WS_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "blockquote",
          "pre", "dd", "dt", "dl", "header", "footer", "br", "center", "main", "figure", "figcaption", "form",
          "caption", "hr", "tr", "td", "th", "body", "html"}
_HEADINGS = {"h1", "h2", "h3"}
_MAX_SPAN = 200


def _clean(text: str) -> str:
    return _WS.sub(" ", _WS_CJK.sub("", text or "")).strip()


def read_html(raw: bytes, path: str) -> Parsed:
    from lxml import html as lhtml
    from readability import Document

    try:
        page = Document(raw)
        fragment = page.summary(html_partial=True)
        title = _clean(page.short_title() or "")
        root = lhtml.fragment_fromstring(fragment, create_parent="div")
    except Exception as e:  # noqa: BLE001 - parser failure on a damaged page
        raise ReadError(f"网页无法解析（{type(e).__name__}）") from None
    blocks: list[Block] = []
    parts: list[str] = []
    _walk(root, parts, blocks)
    _flush(parts, blocks)
    if title and not any(el.tag in _HEADINGS for el in root.iter()):
        blocks.insert(0, Block("text", title))
    if not _has_body(blocks):
        raise ReadError("网页中没有找到正文（只有导航、页眉页脚等），已跳过")
    return Parsed("html", blocks, encoding="html")


def _walk(el, parts: list[str], blocks: list[Block]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("script", "style", "noscript"):
        parts.append(el.tail or "")
        return
    if tag == "table":
        _flush(parts, blocks)
        blocks.append(Block("table", rows=table_rows(el)))
        parts.append(el.tail or "")
        return
    block = tag in _BLOCK
    if block:
        parts.append("\n")
    parts.append(el.text or "")
    for child in el:
        _walk(child, parts, blocks)
    if block:
        parts.append("\n")
    parts.append(el.tail or "")


def _flush(parts: list[str], blocks: list[Block]) -> None:
    for line in "".join(parts).split("\n"):
        line = _clean(line)
        if line:
            blocks.append(Block("text", line))
    parts.clear()


def _span(cell, attr: str) -> int:
    try:
        return min(max(int(cell.get(attr) or 1), 1), _MAX_SPAN)
    except ValueError:
        return 1


def table_rows(table) -> list[list[str]]:
    """Rows of cell texts with rowspan repeated down (the same value for each row it covers) and
    colspan kept once (the spanned columns are empty), so columns stay aligned with the header."""
    trs = [tr for tr in table.iter("tr") if next(tr.iterancestors("table"), None) is table]
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, tr in enumerate(trs):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = _clean(cell.text_content())
            rs, cs = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(min(rs, len(trs) - r)):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text if dc == 0 else ""
            c += cs
            width = max(width, c)
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(trs))]


def _has_body(blocks: list[Block]) -> bool:
    """An article has a real table or prose: a sentence-like paragraph, or enough text overall."""
    if any(b.kind == "table" and len(b.rows) >= 2 for b in blocks):
        return True
    texts = [b.text for b in blocks if b.kind == "text"]
    return any(len(t) >= 20 and _TERMINAL.search(t) for t in texts) or sum(map(len, texts)) >= 200


def read_mhtml(raw: bytes, path: str) -> Parsed:
    """A page saved as one file (MIME multipart): the first text/html part."""
    msg = email.message_from_bytes(raw)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            body = part.get_payload(decode=True)
            if body:
                return read_html(body, path)
    raise ReadError("MHTML 文件中没有网页内容（text/html 部分）")


register((".html", ".htm", ".xhtml"), read_html)
register((".mhtml", ".mht"), read_mhtml)
