"""Plain text and Markdown (.txt, .md): decoded by kg.ingest.decode (UTF-8, GBK/GB18030, UTF-16 BOM).

Lines pasted from a spreadsheet keep their cells apart with tabs: two or more consecutive lines with
the same number (two or more) of tab-separated cells are a table block, header row first, as a Word
or web table is; the rest is running text."""
from __future__ import annotations

from . import Block, Parsed, ReadError, register

MIN_TABLE_ROWS = 2


def read_text(raw: bytes, path: str, markdown: bool = False) -> Parsed:
    from ..ingest import IngestError, decode

    try:
        text, enc = decode(raw, path)
    except IngestError as e:
        raise ReadError(e.reason, e.line) from None
    return Parsed("md" if markdown else "txt", text_blocks(text), encoding=enc, markdown=markdown)


def text_blocks(text: str) -> list[Block]:
    """Running text, with each run of tab-separated lines of one width as a table block."""
    blocks: list[Block] = []
    prose: list[str] = []
    rows: list[list[str]] = []

    def flush_rows() -> None:
        if len(rows) >= MIN_TABLE_ROWS:
            if prose:
                blocks.append(Block("text", "\n".join(prose)))
                prose.clear()
            blocks.append(Block("table", rows=[r[:] for r in rows]))
        else:
            prose.extend("\t".join(r) for r in rows)
        rows.clear()

    for line in text.split("\n"):
        cells = [c.strip() for c in line.split("\t")] if "\t" in line.strip() else None
        if cells is not None and len(cells) >= 2 and (not rows or len(cells) == len(rows[0])):
            rows.append(cells)
            continue
        flush_rows()
        if cells is not None and len(cells) >= 2:
            rows.append(cells)  # a row of another width starts a new table
        else:
            prose.append(line)
    flush_rows()
    if prose or not blocks:
        blocks.append(Block("text", "\n".join(prose)))
    return blocks


register((".txt",), read_text)
register((".md", ".markdown"), lambda raw, path: read_text(raw, path, markdown=True))
