"""Plain text and Markdown (.txt, .md): decoded by kg.ingest.decode (UTF-8, GBK/GB18030, UTF-16 BOM)."""
from __future__ import annotations

from . import Block, Parsed, ReadError, register


def read_text(raw: bytes, path: str, markdown: bool = False) -> Parsed:
    from ..ingest import IngestError, decode

    try:
        text, enc = decode(raw, path)
    except IngestError as e:
        raise ReadError(e.reason, e.line) from None
    return Parsed("md" if markdown else "txt", [Block("text", text)], encoding=enc, markdown=markdown)


register((".txt",), read_text)
register((".md", ".markdown"), lambda raw, path: read_text(raw, path, markdown=True))
