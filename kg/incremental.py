"""Incremental builds: results of earlier stages cached inside the output folder, keyed by content.

Caches in OUT/cache/: documents.jsonl (DocumentCache: parsed documents by path, id and sha256 of
the file), extractions.jsonl (below), figures/ (BlobCache: chain-map font cuts, PNGs and cluster
figures by a digest of what they draw), graphs.nq and context.nt (QuadCache: each document's graph
and its analysis-input triples, by a digest of everything they are made from), context.ids (TermIds:
the analysis-input triples again, as indexes into a term table, read back faster than the lines),
shacl.json (ShaclCache: the last validation's rows per focus node and every named graph's digest,
so SHACL runs only on the nodes the changed graphs can reach). Each build writes only the entries
it used.

OUT/cache/extractions.jsonl holds one line per document: its sha256, the extractor version it was
made with, and its mentions, relations and facts as field lists. `kg build` on an existing --out
re-extracts only documents whose (sha256, extractor version) is not cached; removed documents
simply drop out (their named graphs are not rebuilt). Resolution, analysis and every output are
still computed over the full set (document graphs and their text copied where their key is
unchanged, a document's analysis-input triples read back from its context.nt lines; SHACL run only
on what the changed graphs reach, the rest of its report reused), so the result equals a
from-scratch build.

The extractor version is a digest of the chainkg version, the code and data extraction reads (kg/
extract, relate, tablefacts, components, models, ontology/data, ontology/tables, the cues in
ontology/analysis/cues.json), the region folders and --ner: a new release or a changed gazetteer
re-extracts everything. JSON, never pickle: the cache lives in a folder users copy around.
"""
from __future__ import annotations

import hashlib
import json
import struct
import sys
from array import array
from dataclasses import dataclass, fields
from decimal import Decimal
from operator import attrgetter, itemgetter
from pathlib import Path

from .model import Document, Extraction, Fact, Mention, Relation, Sentence

CACHE = Path("cache") / "extractions.jsonl"
_CODE = ("extract.py", "relate.py", "tablefacts.py", "literals.py", "nlp.py", "namemodel.py", "cues.py",
         "ingest.py")  # ingest: how a text becomes sentences (a record line becomes a table row)
_FIELDS = {c: tuple(f.name for f in fields(c)) for c in (Mention, Relation, Fact)}


def _files(root: Path) -> list[Path]:
    kg_dir = Path(__file__).resolve().parent
    out = [kg_dir / n for n in _CODE]
    for d in (kg_dir / "components", kg_dir / "models", kg_dir / "readers"):
        out += sorted(d.rglob("*")) if d.is_dir() else []
    for d in (root / "data", root / "tables"):
        out += sorted(d.rglob("*")) if d.is_dir() else []
    out.append(root / "analysis" / "cues.json")  # the relation stage reads its absent cue
    return [p for p in out if p.is_file() and "__pycache__" not in p.parts]


def extractor_version(region_dirs=None, ner: str | None = None, register: tuple[str, ...] = ()) -> str:
    """Digest of what extraction depends on (see module docstring); register: the firm names of
    the user's enterprise register, which the gazetteer matches."""
    from importlib import metadata

    from . import resources

    h = hashlib.sha256()
    try:
        h.update(metadata.version("chainkg").encode())
    except metadata.PackageNotFoundError:
        pass
    h.update(repr(ner).encode())
    h.update("\n".join(register).encode())
    files = _files(resources.ontology_dir())
    for d in region_dirs or []:
        files += sorted(p for p in Path(d).rglob("*") if p.is_file())
    for p in files:
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _plain(v):
    if isinstance(v, Decimal):
        return {"decimal": str(v)}
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def _back(v):
    if isinstance(v, dict) and "decimal" in v:
        return Decimal(v["decimal"])
    if isinstance(v, list):
        return tuple(_back(x) for x in v)
    return v


def _record(ex: Extraction, version: str) -> dict:
    def rows(items, cls):
        names = _FIELDS[cls]
        return [[_plain(getattr(x, n)) for n in names if n != "evidence"] for x in items]

    return {"sha256": ex.doc.sha256, "version": version, "doc": ex.doc.doc_id,
            "mentions": rows(ex.mentions, Mention), "relations": rows(ex.relations, Relation),
            "facts": rows(ex.facts, Fact)}


def _restore(rec: dict, doc) -> Extraction:
    nested = (list, dict)  # only these need _back: most values are plain strings and numbers

    def build(rows, cls):
        names = [n for n in _FIELDS[cls] if n != "evidence"]
        out = []
        for row in rows:
            kw = {n: _back(v) if v.__class__ in nested else v for n, v in zip(names, row)}
            if cls is Mention:
                kw["aliases"] = tuple(kw.get("aliases") or ())
            if "evidence" in _FIELDS[cls]:  # sentence text, restored from the document
                s = kw["sentence"]
                kw["evidence"] = doc.sentences[s].text if 0 <= s < len(doc.sentences) else doc.text
            out.append(cls(**kw))
        return out

    return Extraction(doc=doc, mentions=build(rec["mentions"], Mention),
                      relations=build(rec["relations"], Relation), facts=build(rec["facts"], Fact))


def load(out: Path, version: str) -> dict[str, dict]:
    """sha256 -> cached record made with this extractor version (empty when there is no cache)."""
    path = Path(out) / CACHE
    cached: dict[str, dict] = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue  # a damaged line: that document is extracted again
                if rec.get("version") == version and rec.get("sha256"):
                    rec["_line"] = line if line.endswith("\n") else line + "\n"
                    cached[rec["sha256"]] = rec
    except (OSError, UnicodeDecodeError):
        return {}
    return cached


def split(docs, cached: dict[str, dict], lines: dict[int, str] | None = None) -> tuple[list, dict[int, Extraction]]:
    """(documents to extract, {position: Extraction restored from the cache}). lines (a dict):
    filled with {position: the cache line} where that line is what save would write again (same
    document id), so save copies it instead of encoding the record once more."""
    todo, done = [], {}
    for i, d in enumerate(docs):
        rec = cached.get(d.sha256) if d.sha256 else None
        if rec is None:
            todo.append(d)
            continue
        try:
            done[i] = _restore(rec, d)
        except (KeyError, TypeError, ValueError, IndexError):
            todo.append(d)
            continue
        if lines is not None and rec.get("doc") == d.doc_id and "_line" in rec:
            lines[i] = rec["_line"]
    return todo, done


def merge(docs, done: dict[int, Extraction], fresh: list[Extraction]) -> list[Extraction]:
    """Extractions in document order: cached ones where there were, fresh ones elsewhere."""
    it = iter(fresh)
    return [done[i] if i in done else next(it) for i in range(len(docs))]


def save(folder: Path, extractions: list[Extraction], version: str, lines: dict[int, str] | None = None) -> None:
    """OUT/cache/extractions.jsonl; lines (split): cache lines copied for the positions they hold."""
    from .util import write_text_atomic

    lines = lines or {}
    out = [lines.get(i) or json.dumps(_record(ex, version), ensure_ascii=False) + "\n"
           for i, ex in enumerate(extractions) if ex.doc.sha256]
    write_text_atomic(Path(folder) / CACHE, "".join(out))


JSONL = "extraction.jsonl"
JSONL_STAMP = Path("cache") / "extraction-jsonl.json"


class ExtractionLines:
    """OUT/extraction.jsonl lines of documents whose extraction came from the cache unchanged, copied
    from the last build's file instead of encoding the document again. A line is reused only when
    the last file is the one that build wrote (its sha256, in cache/extraction-jsonl.json) with the
    same line version (the extractor version, the reading code that gives the evidence sentences, and
    the code that turns an extraction into a line: kg/confidence.py, kg/model.py, kg/cli.py), and the
    document has the same id and, through the extraction cache, the same sha256 (split's `lines`)."""

    def __init__(self, old: Path | None, extractor: str):
        kg_dir = Path(__file__).resolve().parent
        h = hashlib.sha256((extractor + ingest_version()).encode())
        for name in ("confidence.py", "model.py", "cli.py"):
            h.update((kg_dir / name).read_bytes())
        self.version = h.hexdigest()[:16]
        self._old: dict[str, str] = self._read(Path(old)) if old is not None else {}

    def _read(self, old: Path) -> dict[str, str]:
        try:
            stamp = json.loads((old / JSONL_STAMP).read_text(encoding="utf-8"))
            data = (old / JSONL).read_bytes()
        except (OSError, ValueError):
            return {}
        if not isinstance(stamp, dict) or stamp.get("version") != self.version \
                or stamp.get("sha256") != hashlib.sha256(data).hexdigest():
            return {}
        out = {}
        for line in data.decode("utf-8").split("\n"):
            cut = line.find(', "entities": ')
            if line.startswith('{"doc": ') and cut > 0:
                try:
                    out[json.loads(line[8:cut])] = line + "\n"
                except ValueError:
                    continue
        return out

    def write(self, folder: Path, extractions: list[Extraction], cached: dict[int, str], to_json) -> None:
        """folder/extraction.jsonl (and its stamp); cached: the positions whose extraction came from
        an unchanged cache line (split's `lines`); to_json: kg.extract.to_json."""
        from .util import write_bytes_atomic

        old = self._old
        out = []
        for i, ex in enumerate(extractions):
            line = old.get(ex.doc.doc_id) if i in cached else None
            out.append(line or json.dumps(to_json(ex), ensure_ascii=False) + "\n")
        data = "".join(out).encode("utf-8")
        write_bytes_atomic(Path(folder) / JSONL, data)
        stamp = {"version": self.version, "sha256": hashlib.sha256(data).hexdigest()}
        write_bytes_atomic(Path(folder) / JSONL_STAMP, json.dumps(stamp).encode("utf-8"))


class BlobCache:
    """Content-keyed results of later stages (chain-map fonts and pictures, figures, ...) in
    OUT/cache/<kind>/<key>: looked up in the previous output folder and written into the new one, which
    keeps only the entries this build used (the cache never grows with old keys). A key is a digest of
    everything the result depends on, so a hit is byte-identical to computing it again."""

    def __init__(self, old: Path | None, new: Path, kind: str):
        self.old = Path(old) / "cache" / kind if old is not None else None
        self.new = Path(new) / "cache" / kind
        self.hits = self.misses = 0

    @staticmethod
    def key(*parts) -> str:
        h = hashlib.sha256()
        for p in parts:
            h.update(p if isinstance(p, bytes) else repr(p).encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()[:32]

    def has(self, key: str) -> bool:
        return any(f is not None and (f / key).is_file() for f in (self.new, self.old))

    def get(self, key: str) -> bytes | None:
        for folder in (self.new, self.old):
            if folder is None:
                continue
            try:
                data = (folder / key).read_bytes()
            except OSError:
                continue
            if folder is not self.new:
                self._write(key, data)
            self.hits += 1
            return data
        self.misses += 1
        return None

    def keep(self, key: str) -> bool:
        """Carry the previous output's entry for key into the new one (without counting a hit)."""
        if self.old is None or (self.new / key).is_file():
            return (self.new / key).is_file()
        try:
            data = (self.old / key).read_bytes()
        except OSError:
            return False
        self._write(key, data)
        return True

    def put(self, key: str, data: bytes) -> bytes:
        self._write(key, data)
        return data

    def _write(self, key: str, data: bytes) -> None:
        from .util import write_bytes_atomic

        write_bytes_atomic(self.new / key, data)

    def get_or(self, key: str, make) -> bytes | None:
        """The cached bytes for key, else make() (stored unless it returns None)."""
        data = self.get(key)
        if data is None:
            data = make()
            if data is not None:
                self.put(key, data)
        return data


# ---------------------------------------------------------------- ingest cache

DOC_CACHE = Path("cache") / "documents.jsonl"
_INGEST_CODE = ("ingest.py", "util.py", "model.py")
_SENT_FIELDS = tuple(f.name for f in fields(Sentence))
_DOC_FIELDS = tuple(f.name for f in fields(Document) if f.name != "sentences")


def ingest_version() -> str:
    """Digest of the chainkg version and the reading code (kg/ingest.py, kg/readers/)."""
    from importlib import metadata

    kg_dir = Path(__file__).resolve().parent
    h = hashlib.sha256()
    try:
        h.update(metadata.version("chainkg").encode())
    except metadata.PackageNotFoundError:
        pass
    files = [kg_dir / n for n in _INGEST_CODE] + sorted((kg_dir / "readers").rglob("*.py"))
    for p in files:
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


_SENT_ROW = attrgetter(*_SENT_FIELDS)  # a sentence's fields are JSON as they are (no Decimal)
_SENT_TEXT = _SENT_FIELDS.index("text")


def _doc_record(key: str, doc: Document) -> dict:
    text = doc.text

    def sent(s):
        row = list(_SENT_ROW(s))
        if text[s.start:s.end] == s.text:
            row[_SENT_TEXT] = None  # restored from the document text
        return row

    return {"key": key, **{n: getattr(doc, n) for n in _DOC_FIELDS}, "sentences": [sent(s) for s in doc.sentences]}


def _doc_restore(rec: dict) -> Document:
    doc = Document(**{n: rec[n] for n in _DOC_FIELDS}, sentences=[])
    i_text, i_cells = _SENT_FIELDS.index("text"), _SENT_FIELDS.index("cells")
    for row in rec["sentences"]:
        row = list(row)
        if row[i_text] is None:
            row[i_text] = doc.text[row[1]:row[2]]
        cells = row[i_cells]
        row[i_cells] = tuple(tuple(c) for c in cells) if cells else ()  # most sentences are not table rows
        doc.sentences.append(Sentence(*row))
    return doc


class DocumentCache:
    """Documents read by the previous build, reused when the file's bytes (sha256), its path, its
    document id and the reading code are unchanged: the file is still read and hashed, but not parsed
    or split again. With `new` (the folder being built), every document read is written to its
    cache as it goes (one JSON line each, nothing kept in memory); close() finishes the file."""

    def __init__(self, out: Path | None, version: str | None = None, new: Path | None = None):
        self.version = version or ingest_version()
        self.old: dict[str, dict] = {}
        self.hits = 0
        self._out = None
        if new is not None:
            path = Path(new) / DOC_CACHE
            path.parent.mkdir(parents=True, exist_ok=True)
            self._out = open(path, "w", encoding="utf-8")
            self._out.write(json.dumps({"version": self.version}) + "\n")
        self._load(Path(out) / DOC_CACHE if out is not None else None)

    def _load(self, path: Path | None) -> None:
        if path is None or not path.is_file():
            return
        try:
            with open(path, encoding="utf-8") as f:
                head = json.loads(f.readline() or "{}")
                if head.get("version") != self.version:
                    return
                for line in f:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue  # a damaged line: that file is parsed again
                    rec["_line"] = line if line.endswith("\n") else line + "\n"
                    self.old[rec.get("key")] = rec
        except (OSError, UnicodeDecodeError, ValueError):
            self.old = {}

    @staticmethod
    def key(shown: str, doc_id: str, sha256: str) -> str:
        return f"{shown}|{doc_id}|{sha256}"

    def get(self, key: str) -> Document | None:
        rec = self.old.pop(key, None)  # each file is read once: the record is not needed again
        if rec is None:
            return None
        try:
            doc = _doc_restore(rec)
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        self.hits += 1
        if self._out is not None:  # the line as read: what _doc_record would encode again
            self._out.write(rec["_line"])
        return doc

    def put(self, key: str, doc: Document) -> None:
        self._write(_doc_record(key, doc))

    def _write(self, rec: dict) -> None:
        if self._out is not None:
            self._out.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Finish the new cache file and drop what is left of the old one."""
        self.old = {}
        if self._out is not None:
            self._out.close()
            self._out = None


# ---------------------------------------------------------------- document graphs

QUAD_CACHE = Path("cache") / "graphs.nq"
_QUAD_CODE = ("quads.py", "rdf.py", "util.py", "model.py", "confidence.py", "models/mention_confidence.json")


def quad_version() -> str:
    """Digest of the chainkg, pyoxigraph and rdflib versions, the code that makes a document's graph and the
    reading code (a document's sentences are keyed by its sha256, see kg.quads.DocumentGraphs.key)."""
    from importlib import metadata

    kg_dir = Path(__file__).resolve().parent
    h = hashlib.sha256(ingest_version().encode())
    for dist in ("chainkg", "pyoxigraph", "rdflib"):
        try:
            h.update(metadata.version(dist).encode())
        except metadata.PackageNotFoundError:
            pass
    for n in _QUAD_CODE:
        p = kg_dir / n
        if p.is_file():
            h.update(n.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


class QuadCache:
    """OUT/cache/graphs.nq: each document graph of the last build as N-Quads, in the order the build
    inserted them, under a comment line `# key` (kg.quads.DocumentGraphs.key); the first line names
    the code version. A document whose key is unchanged is loaded from here instead of made again:
    same quads in the same order, so the store and every file written from it are the same bytes.
    Raw N-Quads, never pickle. The new file holds the graphs of this build only."""

    def __init__(self, old: Path | None, new: Path, version: str | None = None,
                 file: Path = QUAD_CACHE, kind: str = "graphs"):
        """file, kind: also OUT/cache/context.nt (kind "context", N-Triples of the analysis input,
        kg.rdf.analysis_input), which is read by `kg analyze` as well: comments are N-Triples too."""
        self.version = version or quad_version()
        self.hits = self.misses = 0
        self._in = self._old_path = None
        self._head = f"# chainkg-{kind} {self.version}\n".encode()
        self.old = self._read(Path(old) / file) if old is not None else {}
        path = Path(new) / file
        path.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(path, "wb")
        self._out.write(self._head)

    def _read(self, path: Path) -> dict[str, tuple[int, int]]:
        """{key: (start, end) of its lines in the old file}; the lines are read when asked for, so the
        old file (a whole corpus: ~60 MB) is not held in memory beside the graph being built."""
        try:
            data = path.read_bytes()
        except OSError:
            return {}
        head = self._head
        if not data.startswith(head):
            return {}
        out = {}
        pos, find = len(head), data.find
        while pos < len(data) and data.startswith(b"# ", pos):
            eol = find(b"\n", pos)
            if eol < 0:
                break
            nxt = find(b"\n# ", eol)  # lines never start with "#": the next comment is the next key
            end = len(data) if nxt < 0 else nxt + 1
            out[data[pos + 2:eol].decode("ascii", "replace")] = (eol + 1, end)
            pos = end
        del data
        self._old_path = path
        return out

    def get(self, key: str) -> bytes | None:
        span = self.old.pop(key, None)
        if span is None:
            self.misses += 1
            return None
        if self._in is None:
            self._in = open(self._old_path, "rb")
        self._in.seek(span[0])
        self.hits += 1
        return self._in.read(span[1] - span[0])

    def put(self, key: str, data: bytes) -> None:
        """data: the graph's N-Quads lines (each ending in a newline)."""
        self._out.write(b"# " + key.encode("ascii") + b"\n" + data)

    def close(self) -> None:
        self.old = {}
        self._out.close()
        if self._in is not None:
            self._in.close()
            self._in = None


# ---------------------------------------------------------------- analysis input as term indexes

CONTEXT_IDS = Path("cache") / "context.ids"
_REC = struct.Struct("<32sI")  # a document's key and how many term indexes follow


class TermIds:
    """OUT/cache/context.ids: each document's analysis-input triples (its lines in cache/context.nt)
    as indexes into one table of N-Triples terms, so a document whose key is unchanged is read back
    with a list lookup per term instead of parsing its lines (the bulk of an incremental build's
    analysis input). Layout: a line `# chainkg-context-ids VERSION TABLE_BYTES`, the table (one term
    a line, as kg.rdf._NTriples writes it), then per document its 32-character key, a count and that
    many little-endian 32-bit indexes (s, p, o of each triple in order). Raw bytes, never pickle.

    The new table is the old one with new terms appended, so a document's indexes are copied as
    they are; terms of removed documents stay in it until fewer than half of its terms are used,
    when the file is not written (the next build makes it again from cache/context.nt)."""

    def __init__(self, old: Path | None, new: Path, version: str | None = None):
        self.version = (version or quad_version()) + "-" + sys.byteorder
        self._old = Path(old) / CONTEXT_IDS if old is not None and array("I").itemsize == 4 else None
        self._make = None
        self.texts: list[str] = []
        self.terms: list = []
        self._index: dict[str, int] | None = None
        self._spans: dict[str, tuple[int, int]] = {}
        self._in = None
        self._old_n = 0  # terms in the old table
        self._used: set[int] = set()  # those of them this build uses (appended ones are, by construction)
        self._new = Path(new) / CONTEXT_IDS
        self._new.parent.mkdir(parents=True, exist_ok=True)
        self._body = open(self._new.with_suffix(".part"), "wb")
        self.hits = 0

    def start(self, make_term) -> None:
        """Read the old table and index; make_term: term text -> rdflib term (kg.rdf._NTReader._term,
        so the terms are the ones the N-Triples reader would make)."""
        self._make = make_term
        if self._old is not None:
            self._read(self._old)

    def _read(self, path: Path) -> None:
        try:
            f = open(path, "rb")
        except OSError:
            return
        head = f.readline().split()
        if len(head) != 4 or head[:3] != [b"#", b"chainkg-context-ids", self.version.encode()]:
            f.close()
            return
        try:
            table = f.read(int(head[3])).decode("utf-8")
            spans, pos = {}, f.tell()
            while True:
                rec = f.read(_REC.size)
                if len(rec) < _REC.size:
                    break
                key, n = _REC.unpack(rec)
                spans[key.decode("ascii")] = (pos + _REC.size, n)
                pos += _REC.size + 4 * n
                f.seek(pos)
        except (ValueError, UnicodeDecodeError):
            f.close()
            return
        self.texts = table.split("\n") if table else []
        self.terms = [self._make(t) for t in self.texts]
        self._old_n = len(self.texts)
        self._spans, self._in = spans, f

    def get(self, key: str) -> list | None:
        """The document's triples (rdflib terms, in order), or None when the key is not cached."""
        span = self._spans.pop(key, None)
        if span is None:
            return None
        self._in.seek(span[0])
        ids = array("I")
        ids.frombytes(self._in.read(4 * span[1]))
        if len(ids) != span[1] or (ids and max(ids) >= len(self.terms)):
            return None
        self._put(key, ids)
        self._used.update(ids)
        self.hits += 1
        if len(ids) < 3:
            return []
        it = iter(itemgetter(*ids)(self.terms))  # a tuple of the terms, made in C
        return list(zip(it, it, it))

    def put(self, key: str, triples, text_of) -> None:
        """Record a document's triples made this build; text_of: term -> its N-Triples text."""
        index = self._index
        if index is None:
            index = self._index = {t: i for i, t in enumerate(self.texts)}
        ids = array("I")
        for t in triples:
            for x in t:
                s = text_of(x)
                i = index.get(s)
                if i is None:
                    i = index[s] = len(self.texts)
                    self.texts.append(s)
                    self.terms.append(x)
                ids.append(i)
        self._put(key, ids)
        if self._old_n:  # a full build (no old table) keeps no set of what it used
            self._used.update(i for i in ids if i < self._old_n)

    def _put(self, key: str, ids) -> None:
        self._body.write(_REC.pack(key.encode("ascii"), len(ids)))
        self._body.write(ids.tobytes())

    def close(self) -> None:
        """Write the new file (table, then the documents' indexes) unless most of the table is unused."""
        import shutil

        self._body.close()
        if self._in is not None:
            self._in.close()
            self._in = None
        part = self._body.name
        try:
            used = len(self._used) + len(self.texts) - self._old_n
            if 2 * used >= len(self.texts) and array("I").itemsize == 4:
                table = "\n".join(self.texts).encode("utf-8")
                with open(self._new, "wb") as out, open(part, "rb") as body:
                    out.write(f"# chainkg-context-ids {self.version} {len(table)}\n".encode("ascii"))
                    out.write(table)
                    shutil.copyfileobj(body, out, 1 << 20)
        finally:
            Path(part).unlink(missing_ok=True)
            self.terms, self.texts, self._index, self._used, self._spans = [], [], None, set(), {}
            self._make = None  # the reader and every term it made


# ---------------------------------------------------------------- SHACL results

SHACL_CACHE = Path("cache") / "shacl.json"
MAX_CHANGED_GRAPHS = 50  # more changed graphs than this: everything is validated again


def shacl_version() -> str:
    """Digest of the shapes, the code that compiles, runs and reports them, and the versions of
    chainkg and pyoxigraph."""
    from importlib import metadata

    from . import resources

    kg_dir = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for dist in ("chainkg", "pyoxigraph"):
        try:
            h.update(metadata.version(dist).encode())
        except metadata.PackageNotFoundError:
            pass
    for p in (resources.ontology_dir() / "shapes.ttl", kg_dir / "shacl.py", kg_dir / "rdf.py"):
        h.update(p.name.encode())
        h.update(p.read_bytes() if p.is_file() else b"")
    return h.hexdigest()[:16]


def graph_lines(path: Path, graphs, chunk: int = 1 << 24) -> dict[str, list[bytes]]:
    """{graph: its lines} of some named graphs of an N-Quads file as kg.rdf.write_store_outputs
    writes it (one quad a line, the graph IRI last; a literal never holds a raw newline), read a
    chunk of whole lines at a time (a whole corpus' file is not held in memory)."""
    tails = {g: b" <" + g.encode("utf-8") + b"> .\n" for g in graphs}
    out: dict[str, list[bytes]] = {g: [] for g in graphs}
    with open(path, "rb") as f:
        rest = b""
        while block := f.read(chunk):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            data, rest = data[:cut], data[cut:]
            for g, tail in tails.items():
                pos, find, lines = 0, data.find, out[g]
                while (i := find(tail, pos)) >= 0:
                    pos = i + len(tail)
                    lines.append(data[data.rfind(b"\n", 0, i) + 1:pos])
    return out


def store_lines(st, graph: str) -> list[bytes]:
    """A named graph of an Oxigraph store as the sorted N-Quads lines write_store_outputs writes."""
    import pyoxigraph as ox

    data = ox.serialize(st.quads_for_pattern(None, None, None, ox.NamedNode(graph)), format=ox.RdfFormat.N_QUADS)
    return sorted(line + b"\n" for line in data.split(b"\n") if line)


def _digest(lines) -> str | None:
    """The digest of one graph's lines, as kg.rdf.graph_digests makes it (None: no lines)."""
    from .rdf import graph_digests

    return next(iter(graph_digests(lines).values()), None)


class ShaclCache:
    """OUT/cache/shacl.json: the last build's validation results, one row per focus node and report
    line, with every named graph's digest (kg.rdf.graph_digests). The next build finds the graphs
    whose digest changed, reads their old lines from the last OUT/graph.nq and their new ones from
    the store, and validates only the focus nodes the change can reach (kg.shacl.affected_focus);
    the rows of every other node are kept. JSON, never pickle."""

    def __init__(self, old: Path | None, new: Path, version: str | None = None):
        self.version = version or shacl_version()
        self.old_nq = Path(old) / "graph.nq" if old is not None else None
        self.new = Path(new)
        self.digests: dict[str, str] = {}
        self.rows: list = []
        self.reused = False
        if old is None:
            return
        try:
            rec = json.loads((Path(old) / SHACL_CACHE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(rec, dict) and rec.get("version") == self.version:
            self.digests, self.rows = rec.get("digests") or {}, rec.get("rows") or []

    def changed_lines(self, st, digests: dict[str, str]) -> tuple[dict, dict] | None:
        """({graph: its lines in the last build}, {graph: its lines now, in st}) of the graphs whose
        digest changed, or None when the last build's results cannot be reused."""
        old = self.digests
        changed = [g for g in {*old, *digests} if old.get(g) != digests.get(g)]
        if not old or self.old_nq is None or len(changed) > MAX_CHANGED_GRAPHS:
            return None
        try:
            before = graph_lines(self.old_nq, [g for g in changed if g in old])
        except OSError:
            return None
        after = {g: store_lines(st, g) for g in changed if g in digests}
        if any(_digest(before[g]) != old[g] for g in before) or any(_digest(after[g]) != digests[g] for g in after):
            return None  # not the graph.nq the cached results were made from
        return before, after

    def save(self, digests: dict[str, str], rows: list | None) -> None:
        """rows: [focus node as N-Triples, report line, is a violation]; None: nothing to reuse."""
        from .util import write_text_atomic

        if rows is None:
            return
        write_text_atomic(self.new / SHACL_CACHE, json.dumps(
            {"version": self.version, "digests": digests, "rows": rows}, ensure_ascii=False))


# ---------------------------------------------------------------- graph.nq from the last build's

MAX_REMADE_GRAPHS = 200  # more graphs to serialise than this: graph.nq is dumped whole


@dataclass
class NQuadsReuse:
    """graph.nq of a rebuild from the last build's: the lines of every document graph loaded from
    cache/graphs.nq (kept: the same quads as in the last build, whose graph.nq holds them) are taken
    from the last graph.nq, the other graphs (reference, analysis, new or changed documents) are
    serialised from the store; with their digests (kg.rdf.graph_digests: the last build's for the
    kept graphs, as recorded beside its store)."""
    old_nq: Path
    old_digests: dict
    kept: set

    @classmethod
    def previous(cls, out: Path, kept: set) -> "NQuadsReuse | None":
        from .store import GRAPH_DIGESTS

        try:
            old = json.loads((Path(out) / "store" / GRAPH_DIGESTS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # no store of a kg build, or one opened for writing since
        if not isinstance(old, dict) or not kept or not kept <= old.keys():
            return None
        return cls(Path(out) / "graph.nq", old, set(kept))

    def lines(self, st) -> tuple[list[bytes], dict[str, str]] | None:
        """(graph.nq's lines, sorted; {graph: digest}) for the store's named graphs, or None when
        graph.nq is to be dumped whole."""
        import pyoxigraph as ox

        names = [g.value for g in st.named_graphs() if isinstance(g, ox.NamedNode)]
        remade = [g for g in names if g not in self.kept]
        if len(remade) > MAX_REMADE_GRAPHS or len(names) - len(remade) != len(self.kept):
            return None
        kept = {b"<" + g.encode("utf-8") + b">" for g in self.kept}
        try:  # line by line: only the kept lines are held (a 10x corpus' file is ~400 MB)
            with open(self.old_nq, "rb") as f:
                out = [line for line in f if line[line.rindex(b" <") + 1:-3] in kept]
        except (OSError, ValueError):  # no file, or a line that is not a quad kg build wrote
            return None
        from .rdf import graph_digests

        made = [line for g in remade for line in store_lines(st, g)]
        digests = {g: self.old_digests[g] for g in self.kept} | graph_digests(made)
        out += made
        if len(out) != len(st):  # the last graph.nq does not hold what its store recorded
            return None
        out.sort()
        return out, digests
