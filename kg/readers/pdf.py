"""PDF with a text layer (pdfplumber): text lines and ruled tables per page, in reading order.

pdfplumber (on pdfminer.six) was chosen over pypdf because it finds ruled tables and returns their
cells (pypdf returns each cell on its own line, losing the table); see docs/ARCHITECTURE.md.
Text outside tables is returned line by line per page; kg.ingest joins soft line wraps.
"""
from __future__ import annotations

import io

from . import Block, Parsed, ReadError, register


def read_pdf(raw: bytes, path: str) -> Parsed:
    if not raw.lstrip()[:5].startswith(b"%PDF"):
        raise ReadError("PDF 文件已损坏或不是 PDF（缺少 %PDF 文件头）")
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(raw))
    except Exception as e:  # noqa: BLE001 - classified below
        raise ReadError(_open_error(e)) from None
    blocks: list[Block] = []
    chars = 0
    try:
        with pdf:
            n_pages = len(pdf.pages)
            for no, page in enumerate(pdf.pages, 1):
                chars += len(page.chars)
                blocks.extend(_page_blocks(page, no))
    except Exception as e:  # noqa: BLE001 - a damaged page stream
        raise ReadError(_open_error(e)) from None
    if chars == 0:
        raise ReadError(f"PDF 没有文字层（共 {n_pages} 页，可能是扫描件），请先做文字识别（OCR）后再读取")
    return Parsed("pdf", blocks, encoding="pdf", pages=n_pages)


def _open_error(e: Exception) -> str:
    names = {type(e).__name__} | {type(a).__name__ for a in getattr(e, "args", ()) if isinstance(a, Exception)}
    text = f"{e!r}"
    if any("Password" in n or "Encrypt" in n for n in names) or "password" in text.lower():
        return "PDF 已加密（需要密码），无法读取"
    return f"PDF 文件已损坏，无法解析（{type(e).__name__}）"


def _inside(line: dict, box: tuple) -> bool:
    x0, top, x1, bottom = box
    mid = (line["top"] + line["bottom"]) / 2
    return top <= mid <= bottom and line["x0"] < x1 and line["x1"] > x0


def _page_blocks(page, no: int) -> list[Block]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, int, object]] = []  # (top, kind order, payload)
    for line in page.extract_text_lines(return_chars=False):
        if not any(_inside(line, b) for b in boxes):
            items.append((line["top"], 0, line["text"]))
    for t in tables:
        items.append((t.bbox[1], 1, _table_rows(t)))
    items.sort(key=lambda x: (x[0], x[1]))
    blocks: list[Block] = []
    lines: list[str] = []
    for _top, kind, payload in items:
        if kind == 0:
            lines.append(payload)
            continue
        if lines:
            blocks.append(Block("text", "\n".join(lines), page=no))
            lines = []
        blocks.append(Block("table", rows=payload, page=no))
    if lines:
        blocks.append(Block("text", "\n".join(lines), page=no))
    return blocks


def _table_rows(t) -> list[list[str]]:
    """Cell texts; a cell covered by a merged cell above (its box reaches into this row) repeats
    that value, one covered from the left stays empty, so columns stay aligned with the header."""
    data = t.extract()
    boxes = [r.cells for r in t.rows]
    out: list[list[str]] = []
    for r, row in enumerate(data):
        cells = []
        for c, v in enumerate(row):
            if v is None and r > 0 and c < len(out[r - 1]):
                v = out[r - 1][c] if _covers_down(boxes, r, c) else ""
            cells.append(v or "")
        out.append(cells)
    return out


def _covers_down(boxes: list, r: int, c: int) -> bool:
    """Does the nearest real cell above (r, c) extend below the top of row r?"""
    tops = [b[1] for b in boxes[r] if b is not None]
    if not tops:
        return False
    for above in range(r - 1, -1, -1):
        b = boxes[above][c] if c < len(boxes[above]) else None
        if b is not None:
            return b[3] > min(tops) + 1
    return False


register((".pdf",), read_pdf)
