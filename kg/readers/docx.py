"""Word .docx (python-docx): body paragraphs and tables in reading order.

Encrypted .docx files are OLE containers holding an "EncryptedPackage" stream, not ZIP files;
they and legacy .doc files are recognised by their signature and reported.
"""
from __future__ import annotations

import io

from . import Block, Parsed, ReadError, register

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def read_docx(raw: bytes, path: str) -> Parsed:
    if raw.startswith(_OLE):
        if _ENCRYPTED in raw:
            raise ReadError("Word 文件已加密（需要密码），无法读取；请解除密码后另存为 .docx")
        raise ReadError("这是旧版 Word（.doc）格式，不是 .docx；请用 Word/WPS 另存为 .docx")
    if not raw.startswith(b"PK"):
        raise ReadError("Word 文件已损坏或不是 .docx 格式（不是有效的 ZIP 包）")
    import docx
    from docx.table import Table

    try:
        d = docx.Document(io.BytesIO(raw))
        blocks = []
        for item in d.iter_inner_content():
            if isinstance(item, Table):
                blocks.append(Block("table", rows=_rows(item)))
            elif item.text.strip():
                blocks.append(Block("text", item.text))
    except Exception as e:  # python-docx / zipfile / lxml errors on a damaged package
        raise ReadError(f"Word 文件已损坏，无法解析（{type(e).__name__}）") from None
    return Parsed("docx", blocks, encoding="docx")


def _rows(table) -> list[list[str]]:
    """python-docx repeats a merged cell under every column and row it spans: a vertical merge
    keeps its value in each row (the same chain for several leaders), a horizontal one only in its
    first column, so the columns stay aligned with the header."""
    rows = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for c in row.cells:
            cells.append("" if id(c._tc) in seen else c.text)
            seen.add(id(c._tc))
        rows.append(cells)
    return rows


register((".docx",), read_docx)
