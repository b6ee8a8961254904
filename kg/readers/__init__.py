"""Format readers: file suffix -> reader, a small registry in the spirit of rdflib's plugins.

A reader takes the raw bytes of a file and returns `Parsed`: the file's content as blocks in
reading order, either running text (paragraph breaks and soft line wraps still to be resolved by
kg.ingest) or a table (rows of cell strings, header row first if the file has one). Readers know
nothing about sentences or offsets; kg.ingest builds the Document from the blocks.

A file that cannot be read raises `ReadError` with a one-line Chinese reason.
Heavy libraries (python-docx, pdfplumber, readability-lxml) are imported inside the readers, so
`import kg.ingest` stays fast and a missing optional library only affects its own format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


class ReadError(Exception):
    """The file cannot be read in its format; `reason` is shown to the user (Chinese)."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason, self.line = reason, line


@dataclass
class Block:
    kind: str  # "text" (running text) or "table"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    page: int | None = None


@dataclass
class Parsed:
    format: str  # "txt", "md", "docx", "pdf", "html"
    blocks: list[Block]
    encoding: str = ""
    markdown: bool = False
    pages: int = 0


Reader = Callable[[bytes, str], Parsed]
_REGISTRY: dict[str, Reader] = {}


def register(suffixes: tuple[str, ...], reader: Reader) -> None:
    for s in suffixes:
        _REGISTRY[s.lower()] = reader


def reader_for(suffix: str) -> Reader | None:
    return _REGISTRY.get(suffix.lower())


def suffixes() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def describe() -> str:
    """Supported suffixes for messages: ".docx、.htm、…"."""
    return "、".join(suffixes())


from . import docx, html, pdf, text  # noqa: E402,F401  (modules register themselves)
