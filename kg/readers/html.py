"""Saved web pages (.html, .htm, .mhtml): the article body, without navigation and boilerplate.

trafilatura extracts the main content (paragraphs, headings, lists and tables, cells marked as
header or data) as XML; it detects the page's encoding (UTF-8, GBK ...) itself. Chosen over
readability-lxml, which returns an HTML fragment to be parsed again and keeps less structure;
see docs/ARCHITECTURE.md. A page whose "body" is only link lists or a footer is reported.
"""
from __future__ import annotations

import email
import re

from . import Block, Parsed, ReadError, register

_TERMINAL = re.compile(r"[。！？!?；]")


def read_html(raw: bytes, path: str) -> Parsed:
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(raw, output_format="xml", include_tables=True, include_comments=False,
                                  include_images=False, include_links=False, with_metadata=True)
    except Exception as e:  # noqa: BLE001 - parser failure on a damaged page
        raise ReadError(f"网页无法解析（{type(e).__name__}）") from None
    if not xml:
        raise ReadError("网页中没有找到正文（只有导航、页眉页脚等），已跳过")
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        raise ReadError("网页无法解析（正文结构无效）") from None
    blocks: list[Block] = []
    title = (root.get("title") or "").strip()
    main = root.find("main")
    for el in (main if main is not None else []):
        _element_blocks(el, blocks)
    if title and not (blocks and blocks[0].kind == "text" and blocks[0].text.strip() == title):
        blocks.insert(0, Block("text", title))
    if not _has_body(blocks):
        raise ReadError("网页中没有找到正文（只有导航、页眉页脚等），已跳过")
    return Parsed("html", blocks, encoding="html")


def _element_blocks(el, blocks: list[Block]) -> None:
    if el.tag == "table":
        rows = [["".join(c.itertext()).strip() for c in row.iter("cell")] for row in el.iter("row")]
        blocks.append(Block("table", rows=[r for r in rows if any(r)]))
    elif el.tag == "list":
        for item in el.iter("item"):
            blocks.append(Block("text", "".join(item.itertext())))
    else:
        text = "".join(el.itertext()).strip()
        if text:
            blocks.append(Block("text", text))


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
