"""Embedded SPARQL store (Oxigraph via pyoxigraph): build, open, query, HTTP endpoint, push.

The build itself runs on an in-memory Oxigraph store (kg.rdf.build_store_graph); this module makes
the persistent OUT/store from the serialised graph (``OUT/graph.nq``, one named graph per document
plus ``kgr:graph/reference`` and ``kgr:graph/analysis``), queries and serves it. `kg view` and
`kg map` read OUT/store too.

Default graph: build_store and in-memory loads also store the union of the named graphs in the
default graph, each triple once, and queries run over it (use_default_graph_as_union=False;
see default_is_union). Oxigraph's on-the-fly union instead yields an entity's type/label triples
once per document graph, so joins multiply: on 1M quads made from the seeds build
(benchmarks/bench_sparql.py) the canned listings went from 0.3 s - >20 s to 1-115 ms on disk,
for +24 s of build time (47 s instead of 23 s) and +36 % store size. GRAPH ?g {…} still sees
the per-document graphs; `push` sends the named graphs from the graph file, never the copy.

Disk or memory, re-measured with that default graph (same benchmark): the read-only RocksDB
store answers every canned query at least as fast as pyoxigraph's in-memory store except the
tiny ones (in memory, OPTIONAL joins get much slower plans: projects_over_amount_by_park 115 ms
on disk vs 2.5 s, the full facts_per_document 4.9 s vs 32 s), opens in ~60 ms where an
in-memory copy costs 10 s at 1M quads (~100 ms vs ~45 ms for the seeds build). So `kg query`
opens OUT/store read-only and `serve` now does too by default (memory=True still available).

Earlier figures (denser synthetic graph, 1.1M quads in 1,500 document graphs, union on the fly;
2-CPU machine, figures vary 2-3x with machine load):
  load  build_store (bulk_load into persistent RocksDB + optimize + counts) 24 s; pyoxigraph
        in-memory bulk_load 7.8 s; oxrdflib (rdflib Dataset on Oxigraph, its ox-nquads parser)
        6.3 s -- the same Rust parser, so loading is a tie; rdflib's own parser ~80 s per 1M.
  query the same Oxigraph engine answers both, but through oxrdflib every row becomes rdflib terms
        (chain_leaders 16 ms vs 5 ms direct in memory, facts_per_document 12.4 s vs 4.2 s), and
        oxrdflib has no persistent-directory build, no control of the union default graph and no
        result serialisers for the HTTP endpoint. So: pyoxigraph directly.
  disk vs memory: the RocksDB store answered 2-9x slower than an in-memory store on that data
        (no longer true with the deduplicated default graph, see above). `memory=True` parses
        OUT/graph.nq beside store/ (else dumps the store).

Timeouts: pyoxigraph has no per-query timeout or cancellation. With ``timeout`` set, the query
runs in a forked worker process (it inherits the open store, in memory or on disk, and only
reads it) which sends back the SPARQL JSON/N-Triples serialisation; on timeout the worker is
killed, so a runaway query does not keep burning a CPU (a subprocess that re-opened the store
would pay the load again; a thread cannot be stopped). Workers are forked once per store and
reused (_Pool): forking a process holding a 1M-triple in-memory store measured ~60 ms, a reused
worker ~1 ms plus result serialisation; a killed worker is replaced on the next query. Parsing
runs in the worker too (a data-independent query can be as slow to check as to run). The
writable endpoint cannot fork (RocksDB open for writing, with live background threads): its
queries run in spawned workers that open the store read-only for each query (~15 ms on the
seeds, sees every committed write) and are killed on timeout alike (reopen=). Where ``fork`` is
unavailable, or with isolate=False, the query runs in a daemon thread that is abandoned on
timeout (at most MAX_ABANDONED at once). Without ``timeout`` the query runs in-process.
"""
from __future__ import annotations

import base64
import csv
import hmac
import io
import json
import atexit
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pyoxigraph as ox

from kg.util import KG, KGR, atomic_dir, die_with_parent, keep_from_children, release_from_children

GRAPH_FILES = ("graph.nq", "graph.trig", "graph.ttl", "graph.nt")
_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE,
            ".nt": ox.RdfFormat.N_TRIPLES}
PREFIXES = {
    "kg": KG, "kgr": KGR,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class QueryError(Exception):
    """A query that could not be run: syntax error (with line/column), timeout, evaluation error."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None,
                 detail: str = ""):
        super().__init__(message)
        self.line = line
        self.column = column
        self.detail = detail


class PushError(RuntimeError):
    """Graph Store Protocol request failed (.sent: the graphs replaced before the failure)."""
    sent: list = []


# --------------------------------------------------------------------------- build / open

def _graph_file(d: Path) -> Path:
    d = Path(d)
    if d.is_file():
        return d
    for name in GRAPH_FILES:
        if (d / name).is_file():
            return d / name
    raise FileNotFoundError(f"在 {d} 中找不到图文件（{', '.join(GRAPH_FILES)}）")


def _format_for(path: Path) -> ox.RdfFormat:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"不支持的 RDF 文件格式：{path.name}")
    return fmt


def _counts(store: ox.Store) -> dict:
    graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    special = {KGR + "graph/reference", KGR + "graph/analysis"}
    per_graph = {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
                 for g in graphs if g.value in special}
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    total = len(store)
    named = total - default
    return {"quads": named if default_is_union(store) else total, "graphs": len(graphs),
            "documents": sum(1 for g in graphs if g.value not in special),
            "default_graph_triples": default, "stored_quads": total, "per_graph": per_graph}


# A store directory built by build_store holds this file: its default graph is the deduplicated
# union of its named graphs (see default_is_union).
UNION_MARKER = "chainkg-default-graph-is-union"


def default_is_union(store: ox.Store) -> bool:
    """True when the store's default graph is non-empty: chainkg stores then hold in it the union
    of the named graphs, each triple once (build_store, open_store), and queries run over it.
    An empty default graph (a store built before, or one filled by Graph Store pushes) is queried
    as the union of the named graphs on the fly (use_default_graph_as_union), as before. O(1)."""
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def _add_union(store: ox.Store, src: Path | None, persistent: bool) -> None:
    """Copy every triple of the named graphs into the default graph (once: the store is a set).

    Measured on 1M quads (benchmarks/bench_sparql.py): in memory a SPARQL INSERT is fastest
    (~5 s; Python bulk_extend ~8.6 s); on RocksDB an INSERT is one huge transaction (38 s, 635 MB
    before compaction), so the graph file is parsed again and bulk_extend-ed (~14 s, +40 % size)."""
    if persistent and src is not None:
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                          for q in ox.parse(path=str(src), format=_format_for(src)))
    else:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def build_store(graph_files_dir: Path, store_dir: Path, union_default: bool = True) -> dict:
    """Bulk-load OUT/graph.nq (named graphs kept) into a persistent Oxigraph store at store_dir.

    union_default (default): the deduplicated union of all named graphs is also stored as the
    default graph, and queries run over it (a plain pattern sees each triple once; GRAPH ?g {…}
    still reaches the per-document graphs). Without it, queries use Oxigraph's union of the named
    graphs, where a triple stated in n document graphs is seen n times (slower joins, DISTINCT
    needed). Built in a temp directory beside store_dir and renamed over it, so a reader never
    sees a half-built store. Returns counts: quads (in the named graphs), graphs, per_graph,
    default_graph_triples, stored_quads, seconds.
    """
    src = _graph_file(Path(graph_files_dir))
    t0 = time.perf_counter()
    with atomic_dir(store_dir) as tmp:
        store = ox.Store(str(tmp))
        store.bulk_load(path=str(src), format=_format_for(src))
        if union_default:
            _add_union(store, src, persistent=True)
        store.flush()
        store.optimize()
        counts = _counts(store)
        del store  # release RocksDB before the directory is renamed
        if union_default:
            (Path(tmp) / UNION_MARKER).write_text("default graph = union of the named graphs\n",
                                                  encoding="utf-8")
    counts["seconds"] = round(time.perf_counter() - t0, 3)
    counts["source"] = str(src)
    counts["store"] = str(store_dir)
    return counts


# Beside UNION_MARKER in a store kg build made: {named graph IRI: digest of its N-Quads}
# (kg.rdf.graph_digests), so the next build can update a copy of the store graph by graph.
GRAPH_DIGESTS = "chainkg-graph-digests.json"


def store_from_graph(st: ox.Store, store_dir: Path, digests: dict[str, str] | None = None,
                     previous: Path | None = None) -> int | None:
    """The persistent OUT/store from the build's in-memory store, whose default graph already holds
    the union of the named graphs (kg.rdf.write_store_outputs): the same store build_store makes
    from graph.nq, without parsing the file twice (once for the quads, once for the union).

    digests: the named graphs' digests (kg.rdf.graph_digests), stored beside the store. With a
    previous store holding them (the last build's, never opened for writing since), that store is
    copied (its immutable RocksDB table files hard-linked) and only the graphs whose digest changed
    are replaced or dropped: the same quads as a store built afresh. Returns the number of graphs
    replaced or dropped, None when the store was built afresh."""
    if digests is not None and previous is not None and (Path(previous) / GRAPH_DIGESTS).is_file():
        try:
            return _update_store(st, Path(store_dir), digests, Path(previous))
        except Exception:  # noqa: BLE001 — no usable previous store (damaged, another Oxigraph
            pass  # version, ...): a store built afresh is always right
    _fresh_store(st, store_dir, digests)
    return None


def _fresh_store(st: ox.Store, store_dir: Path, digests: dict[str, str] | None) -> None:
    import itertools

    with atomic_dir(store_dir) as tmp:
        store = ox.Store(str(tmp))
        quads = iter(st)
        while chunk := list(itertools.islice(quads, 50_000)):  # one call for all: +300 MB at 300k quads
            store.bulk_extend(chunk)
        store.flush()
        store.optimize()
        del store  # release RocksDB before the directory is renamed
        (Path(tmp) / UNION_MARKER).write_text("default graph = union of the named graphs\n", encoding="utf-8")
        if digests is not None:
            (Path(tmp) / GRAPH_DIGESTS).write_text(json.dumps(digests, sort_keys=True), encoding="utf-8")


def _copy_store(src: Path, dst: Path) -> None:
    """A copy of a closed RocksDB folder: table files (never modified once written) hard-linked,
    the rest (manifest, logs, options) copied, so the copy can be written without touching src."""
    for f in src.iterdir():
        if f.name == GRAPH_DIGESTS or not f.is_file():
            continue
        if f.suffix in (".sst", ".blob"):
            try:
                os.link(f, dst / f.name)
                continue
            except OSError:
                pass  # another file system: copied
        shutil.copy2(f, dst / f.name)


def _update_store(st: ox.Store, store_dir: Path, digests: dict[str, str], previous: Path) -> int:
    """store_from_graph on a copy of the previous store: see there."""
    old = json.loads((previous / GRAPH_DIGESTS).read_text(encoding="utf-8"))
    if not (previous / UNION_MARKER).is_file() or not isinstance(old, dict):
        raise ValueError("not a store kg build made")
    changed = [g for g, d in digests.items() if old.get(g) != d]
    stale = [g for g in changed if g in old] + [g for g in old if g not in digests]
    dg = ox.DefaultGraph()
    with atomic_dir(store_dir) as tmp:
        _copy_store(previous, Path(tmp))
        store = ox.Store(str(tmp))
        gone = set()  # triples of the replaced graphs: they may leave the union
        for g in stale:
            gn = ox.NamedNode(g)
            gone.update((q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, gn))
            store.remove_graph(gn)
        for g in changed:
            gn = ox.NamedNode(g)
            new = [(q.subject, q.predicate, q.object) for q in st.quads_for_pattern(None, None, None, gn)]
            store.extend([ox.Quad(s, p, o, gn) for s, p, o in new])
            store.extend([ox.Quad(s, p, o, dg) for s, p, o in new])
            gone.difference_update(new)
        for s, p, o in gone:  # still stated in another graph: it stays in the union
            if next(iter(st.quads_for_pattern(s, p, o, dg)), None) is None:
                store.remove(ox.Quad(s, p, o, dg))
        store.flush()
        del store
        (Path(tmp) / GRAPH_DIGESTS).write_text(json.dumps(digests, sort_keys=True), encoding="utf-8")
    return len(set(changed) | set(stale))


def _is_store_dir(p: Path) -> bool:
    return p.is_dir() and (p / "CURRENT").exists()


def open_store(path: Path, read_only: bool = True, memory: bool = False) -> ox.Store:
    """Open a store: a store directory, an OUT dir holding store/, or graph files (-> in memory).

    memory=True copies a persistent store into an in-memory one (read-only use; make_server
    (memory=True)): it costs RAM and ~10 s per 1M quads, and with the deduplicated default graph
    it is no faster than RocksDB for the canned queries (module docstring).
    In-memory stores loaded from graph files get the deduplicated union in their default graph,
    like build_store. Opening a store directory writable drops that default-graph copy (writes to
    named graphs through SPARQL Update / Graph Store would leave it stale): the store is then
    queried as the union of its named graphs, as stores were before.
    """
    p = Path(path)
    if p.is_dir() and _is_store_dir(p / "store"):
        p = p / "store"
    if _is_store_dir(p):
        if memory and read_only:
            mem = ox.Store()
            try:  # OUT/graph.nq beside OUT/store/ is what the store was built from: parsing it is
                src = _graph_file(p.parent)  # ~4x faster than dumping RocksDB (term decoding)
                if src.stat().st_mtime > p.stat().st_mtime + 1:
                    raise FileNotFoundError("graph file newer than the store")
                mem.bulk_load(path=str(src), format=_format_for(src))
                _add_union(mem, src, persistent=False)
            except FileNotFoundError:
                disk = ox.Store.read_only(str(p))  # its dump holds its default-graph copy, if any
                mem.bulk_load(disk.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
                del disk
            return mem
        if read_only:
            return ox.Store.read_only(str(p))
        store = ox.Store(str(p))
        (p / GRAPH_DIGESTS).unlink(missing_ok=True)  # writes make them stale: the next build starts afresh
        if (p / UNION_MARKER).exists():
            store.clear_graph(ox.DefaultGraph())
            store.flush()
            (p / UNION_MARKER).unlink()
        return store
    if p.is_dir() or p.is_file():
        src = _graph_file(p)
        store = ox.Store()
        store.bulk_load(path=str(src), format=_format_for(src))
        _add_union(store, src, persistent=False)
        return store
    if not read_only:  # a new, empty persistent store
        return ox.Store(str(p))
    raise FileNotFoundError(f"找不到存储或图文件：{p}")


# --------------------------------------------------------------------------- query

@dataclass
class QueryResult:
    kind: str  # "select" | "ask" | "graph"
    vars: list[str] = field(default_factory=list)
    terms: list[list] = field(default_factory=list)  # pyoxigraph terms or None, per row
    boolean: bool | None = None
    triples: list = field(default_factory=list)  # pyoxigraph Triple, for CONSTRUCT/DESCRIBE
    seconds: float = 0.0

    @property
    def rows(self) -> list[list[str | None]]:
        return [[_term_str(t) for t in row] for row in self.terms]

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self.terms)
        if self.kind == "graph":
            return len(self.triples)
        return 1

    def dicts(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.vars, r)) for r in self.rows]


def _term_str(t) -> str | None:
    if t is None:
        return None
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.Triple):
        return f"<< {_term_str(t.subject)} {_term_str(t.predicate)} {_term_str(t.object)} >>"
    return t.value


_ERR_POS = re.compile(r"(?:error )?at (\d+):(\d+)")


def _syntax_error(sparql: str, e: Exception) -> QueryError:
    msg = str(e)
    m = _ERR_POS.search(msg)
    line = col = None
    where = ""
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        where = f"（第 {line} 行，第 {col} 列）"
        lines = sparql.splitlines()
        if 1 <= line <= len(lines):
            src = lines[line - 1]
            where += f"\n  {src}\n  {' ' * _width(src[:max(col - 1, 0)])}^"
    short = msg.splitlines()[0]
    if len(short) > 200:
        short = short[:200] + "…"
    if "Prefix not found" in msg:
        short += "（前缀未声明：请加 PREFIX 声明）"
    return QueryError(f"SPARQL 语法错误{where}\n  解析器：{short}", line, col, msg)


class Dataset:
    """An RDF dataset given by the SPARQL protocol (default-graph-uri / named-graph-uri).
    The side not given is empty, as the protocol says."""

    def __init__(self, default: list[str] | None = None, named: list[str] | None = None):
        self.default, self.named = list(default or []), list(named or [])

    def kwargs(self) -> dict:
        return {"default_graph": [ox.NamedNode(g) for g in self.default],
                "named_graphs": [ox.NamedNode(g) for g in self.named]}

    def __getstate__(self):
        return (self.default, self.named)

    def __setstate__(self, state):
        self.default, self.named = state


def _query_kwargs(store: ox.Store, union: bool | None = None, dataset: Dataset | None = None) -> dict:
    """union=None: the stored default graph when it holds the union (default_is_union), else
    Oxigraph's on-the-fly union of all graphs. A protocol dataset overrides both."""
    if dataset is not None:
        return dataset.kwargs()
    if union is None:
        union = not default_is_union(store)
    return {"use_default_graph_as_union": union}


_PROLOGUE = re.compile(r"\s*(?:#[^\n]*|(?:PREFIX|BASE)\s+(?:[^\s<]*\s*)?<[^>\n]*>)", re.I)
_UPDATE_START = re.compile(r"\s*(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
# strings (long and short), IRIs and comments: SERVICE inside them is not the keyword
_NOT_CODE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                       r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*', re.S)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.I)
_LOAD = re.compile(r"(?<![\w:?$])LOAD(?![\w:-])", re.I)
_UESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def is_update(sparql: str) -> bool:
    """True when the text is a SPARQL Update (after PREFIX/BASE lines and comments). Linear time."""
    pos = 0
    while True:
        m = _PROLOGUE.match(sparql, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    return bool(_UPDATE_START.match(sparql, pos))


def uses_service(sparql: str, keyword: re.Pattern = _SERVICE) -> bool:
    """True when the query has a SERVICE clause (federated query: the server would make outbound
    requests). Conservative: \\u escapes are decoded too, as SPARQL allows them anywhere."""
    decoded = _UESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16))
                           if int(m.group(1) or m.group(2), 16) < 0x110000 else "", sparql)
    return any(keyword.search(_NOT_CODE.sub(" ", s)) for s in {sparql, decoded})


def uses_remote(update: str) -> bool:
    """An update that would fetch from the network: SERVICE, or LOAD <url>."""
    return uses_service(update) or uses_service(update, _LOAD)


def _service_refused() -> QueryError:
    return QueryError("查询含 SERVICE（联邦查询会让服务器向外发请求），默认不允许；确需时启动服务加 --allow-service。")


def _evaluate(store, sparql: str, union, dataset):
    if is_update(sparql):
        raise QueryError("这是 SPARQL 更新（UPDATE）语句，不是查询；此处只能运行查询。")
    return store.query(sparql, **_query_kwargs(store, union, dataset))


def _materialise(res, t0: float) -> QueryResult:
    if isinstance(res, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(res), seconds=time.perf_counter() - t0)
    if isinstance(res, ox.QuerySolutions):
        vs = [v.value for v in res.variables]
        terms = [tuple(sol) for sol in res]  # values in res.variables order; ~2.5x faster than sol[name]
        return QueryResult("select", vars=vs, terms=terms, seconds=time.perf_counter() - t0)
    return QueryResult("graph", triples=list(res), seconds=time.perf_counter() - t0)


def _run_direct(store: ox.Store, sparql: str, union: bool | None = None,
                dataset: Dataset | None = None) -> QueryResult:
    t0 = time.perf_counter()
    try:
        return _materialise(_evaluate(store, sparql, union, dataset), t0)
    except SyntaxError as e:
        raise _syntax_error(sparql, e) from None
    except (OSError, ValueError) as e:
        raise QueryError(f"查询执行失败：{e}", detail=str(e)) from None


def _answer(store, sparql, union=None, dataset=None):
    try:
        res = _evaluate(store, sparql, union, dataset)
        if isinstance(res, ox.QueryBoolean):
            return ("ask", bool(res))
        if isinstance(res, ox.QuerySolutions):
            return ("select", res.serialize(format=ox.QueryResultsFormat.JSON))
        return ("graph", ox.serialize(res, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as e:
        return ("syntax", str(e))
    except QueryError as e:
        return ("refused", str(e))
    except Exception as e:  # noqa: BLE001 - reported to the parent
        return ("error", f"{type(e).__name__}: {e}")


def _open_read_only(path: str):
    """A fresh read-only view of a store another process writes to (sees its committed writes)."""
    try:
        return ox.Store.read_only(path)
    except OSError:  # a file compacted away while opening: once more
        time.sleep(0.05)
        return ox.Store.read_only(path)


def _worker_loop(store, conn, parent, path=None):  # in a worker: answers queries until told to stop
    """store: the parent's store (forked worker); path: a store written by the parent, re-opened
    read-only for each query (spawned worker: forking a process with RocksDB open for writing is
    unsafe)."""
    # (a forked worker closed its copies of the server's listening sockets as it started: util.keep_from_children)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    try:
        while True:
            msg = conn.recv()
            if msg is None:
                break
            if path is None:
                conn.send(_answer(store, *msg))
                continue
            try:
                view = _open_read_only(path)
            except OSError as e:
                conn.send(("error", f"无法打开存储：{e}"))
                continue
            conn.send(_answer(view, *msg))
            del view
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        conn.close()


class _Worker:
    def __init__(self, store, path: str | None = None):
        ctx = multiprocessing.get_context("fork" if path is None else "spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_loop, args=(store if path is None else None, child, os.getpid(), path),
                                daemon=True, name="chainkg-sparql-worker")
        self.proc.start()
        child.close()

    def kill(self):
        try:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(5)
        finally:
            self.conn.close()


class _Pool:
    """Forked workers for one store, forked once and reused: forking a process that holds a
    1M-triple in-memory store costs ~60 ms (page tables), reusing a worker ~1 ms. A worker
    whose query times out is killed and replaced on demand. Workers see the store as it was
    when they were forked: use isolate=False for stores that are written to."""

    def __init__(self, store, size: int, path: str | None = None):
        self.store, self.size, self.path = store, size, path
        self.idle: list[_Worker] = []
        self.count = 0
        self.cond = threading.Condition()
        self.closed = False

    def acquire(self, wait: float | None = None) -> _Worker:
        """A worker; waits at most `wait` seconds for one to be free (QueryError: busy)."""
        deadline = None if wait is None else time.monotonic() + wait
        with self.cond:
            while not self.idle and self.count >= self.size:
                left = None if deadline is None else deadline - time.monotonic()
                if self.closed or (left is not None and left <= 0):
                    raise QueryError("服务器忙：所有查询进程都在运行查询，请稍后再试。")
                self.cond.wait(left)
            if self.idle:
                return self.idle.pop()
            self.count += 1
        try:
            return _Worker(self.store, self.path)
        except BaseException:
            with self.cond:
                self.count -= 1
                self.cond.notify()
            raise

    def release(self, w: _Worker, healthy: bool) -> None:
        if not healthy or self.closed:
            w.kill()
        with self.cond:
            if healthy and not self.closed:
                self.idle.append(w)
            else:
                self.count -= 1
            self.cond.notify()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            idle, self.idle = self.idle, []
            self.count -= len(idle)
            self.cond.notify_all()
        for w in idle:
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.kill()


_POOLS: dict[int, _Pool] = {}
_POOLS_LOCK = threading.Lock()
POOL_SIZE = max(4, min(2 * (os.cpu_count() or 2), 8))  # > CPUs: two heavy queries do not starve the rest


def _pool_for(store, path: str | None = None) -> _Pool:
    with _POOLS_LOCK:
        pool = _POOLS.get(id(store))
        if pool is None or pool.store is not store or pool.closed or pool.path != path:
            pool = _Pool(store, size=POOL_SIZE, path=path)
            _POOLS[id(store)] = pool
        return pool


def close_workers(store=None) -> None:
    """Stop the forked query workers (of one store, or all)."""
    with _POOLS_LOCK:
        pools = [_POOLS.pop(id(store))] if store is not None and id(store) in _POOLS else \
            ([] if store is not None else list(_POOLS.values()))
        if store is None:
            _POOLS.clear()
    for p in pools:
        p.close()


atexit.register(close_workers)


def _timeout_error(timeout: float, killed: bool = True) -> QueryError:
    t = f"{timeout:g}"
    what = "已停止" if killed else "已放弃等待（查询在后台线程中结束）"
    return QueryError(f"查询超时（{t} 秒）：{what}。请缩小查询范围（加 LIMIT、更具体的条件）或调大超时。")


def _run_forked(store: ox.Store, sparql: str, timeout: float, union: bool | None = None,
                dataset: Dataset | None = None, path: str | None = None) -> QueryResult:
    """Everything, parsing included, runs in a worker under the timeout (a data-independent query
    can be as slow to check as to run)."""
    t0 = time.perf_counter()
    pool = _pool_for(store, path)
    w = pool.acquire(wait=timeout)
    healthy = False
    try:
        w.conn.send((sparql, union, dataset))
        if not w.conn.poll(max(0.0, timeout - (time.perf_counter() - t0))):
            raise _timeout_error(timeout)
        try:
            kind, payload = w.conn.recv()
        except (EOFError, OSError):
            raise QueryError("查询进程意外退出（可能内存不足）。") from None
        healthy = True
    finally:
        pool.release(w, healthy)
    return _unpack(sparql, kind, payload, t0)


def _unpack(sparql: str, kind: str, payload, t0: float) -> QueryResult:
    if kind == "syntax":
        raise _syntax_error(sparql, SyntaxError(payload))
    if kind == "refused":
        raise QueryError(payload)
    if kind == "error":
        raise QueryError(f"查询执行失败：{payload}", detail=payload)
    if kind == "ask":
        return QueryResult("ask", boolean=payload, seconds=time.perf_counter() - t0)
    if kind == "select":
        sols = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
        return _materialise(sols, t0)
    triples = [q.triple for q in ox.parse(payload, format=ox.RdfFormat.N_TRIPLES)]
    return QueryResult("graph", triples=triples, seconds=time.perf_counter() - t0)


_ABANDONED = {"running": 0}  # timed-out queries still running in threads (writable mode)
_ABANDONED_LOCK = threading.Lock()
MAX_ABANDONED = 2


def _run_thread(store: ox.Store, sparql: str, timeout: float, union: bool | None = None,
                dataset: Dataset | None = None) -> QueryResult:
    """For stores that must not be forked (opened writable). A timed-out query cannot be stopped:
    it is abandoned, and while MAX_ABANDONED of them still run, further queries are refused."""
    with _ABANDONED_LOCK:
        if _ABANDONED["running"] >= MAX_ABANDONED:
            raise QueryError("服务器忙：之前超时的查询仍在运行，请稍后再试。")
    box: dict = {"abandoned": False}
    done = threading.Event()

    def work():
        try:
            box["r"] = _run_direct(store, sparql, union, dataset)
        except BaseException as e:  # noqa: BLE001
            box["e"] = e
        finally:
            with _ABANDONED_LOCK:
                done.set()
                if box["abandoned"]:
                    _ABANDONED["running"] -= 1

    th = threading.Thread(target=work, daemon=True, name="sparql-query")
    th.start()
    if not done.wait(timeout):  # pyoxigraph cannot be interrupted from Python: abandon it
        with _ABANDONED_LOCK:
            if not done.is_set():
                box["abandoned"] = True
                _ABANDONED["running"] += 1
                raise _timeout_error(timeout, killed=False)
    if "e" in box:
        raise box["e"]
    return box["r"]


def run_query(store: ox.Store, sparql: str, timeout: float | None = None, *,
              isolate: bool = True, union: bool | None = None, dataset: Dataset | None = None,
              allow_service: bool = True, reopen: str | os.PathLike | None = None) -> QueryResult:
    """Run a SPARQL query whose default graph is the union of all graphs. Raises QueryError.

    union=None (default): the stored default graph when it holds the deduplicated union
    (default_is_union), else Oxigraph's on-the-fly union (use_default_graph_as_union; each triple
    seen once per graph stating it); True/False force one of the two. dataset: the protocol's
    default-graph-uri / named-graph-uri (overrides union). allow_service=False refuses SERVICE.
    With a timeout the query runs in a forked child that is killed on timeout (isolate=True,
    the default); isolate=False runs it in a thread that is abandoned instead (used for stores
    opened writable, where RocksDB's background threads make forking unsafe). reopen=PATH (with
    isolate=False): the store at PATH is written by this process; the query runs in a spawned
    worker that opens it read-only (it sees every committed write) and is killed on timeout."""
    if not allow_service and uses_service(sparql):
        raise _service_refused()
    if timeout is None or timeout <= 0:
        return _run_direct(store, sparql, union, dataset)
    if reopen is not None:
        return _run_forked(store, sparql, timeout, union, dataset, path=str(reopen))
    if isolate and "fork" in multiprocessing.get_all_start_methods():
        return _run_forked(store, sparql, timeout, union, dataset)
    return _run_thread(store, sparql, timeout, union, dataset)


def load_query(name_or_path: str | Path) -> str:
    """Text of a canned query: a path, or a name in queries/ (with or without .rq)."""
    p = Path(name_or_path)
    if p.is_file():
        return p.read_text(encoding="utf-8")
    from kg.resources import queries_dir
    q = queries_dir() / (p.name if p.suffix == ".rq" else p.name + ".rq")
    if not q.is_file():
        names = ", ".join(sorted(x.stem for x in queries_dir().glob("*.rq")))
        raise FileNotFoundError(f"找不到查询 {name_or_path}；可用：{names}")
    return q.read_text(encoding="utf-8")


def canned_queries() -> dict[str, str]:
    from kg.resources import queries_dir
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(queries_dir().glob("*.rq"))}


# --------------------------------------------------------------------------- formatting

def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def _display(t, compact: bool = True) -> str:
    s = _term_str(t)
    if s is None:
        return ""
    if compact and isinstance(t, ox.NamedNode):
        for pfx, ns in PREFIXES.items():
            if s.startswith(ns):
                return f"{pfx}:{s[len(ns):]}"
    return s


def _term_json(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(t.subject),
                                             "predicate": _term_json(t.predicate),
                                             "object": _term_json(t.object)}}
    return {"type": "literal", "value": str(t)}


def _term_xml(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{xml_escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{xml_escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f'<literal xml:lang="{xml_escape(t.language)}">{xml_escape(t.value)}</literal>'
        if t.datatype.value != XSD_STRING:
            return f'<literal datatype="{xml_escape(t.datatype.value)}">{xml_escape(t.value)}</literal>'
        return f"<literal>{xml_escape(t.value)}</literal>"
    return f"<literal>{xml_escape(str(t))}</literal>"


def _format_ask(result: QueryResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": result.boolean})
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{str(result.boolean).lower()}</boolean></sparql>\n")
    if fmt in ("csv", "tsv"):
        return "_askResult\n" + str(result.boolean).lower() + "\n"
    return "是（true）" if result.boolean else "否（false）"


def _format_delimited(result: QueryResult, fmt: str) -> str:
    buf = io.StringIO()
    if fmt == "csv":  # SPARQL 1.1 CSV results, exact values (kg query --format csv adds Excel safety)
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(result.vars)
        for row in result.rows:
            w.writerow(["" if x is None else x for x in row])
    else:
        buf.write("\t".join("?" + v for v in result.vars) + "\n")
        for row in result.terms:
            buf.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    return buf.getvalue()


def _format_xml(result: QueryResult) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
           "<head>" + "".join(f'<variable name="{v}"/>' for v in result.vars) + "</head>",
           "<results>"]
    for row in result.terms:
        out.append("<result>" + "".join(
            f'<binding name="{v}">{_term_xml(t)}</binding>'
            for v, t in zip(result.vars, row) if t is not None) + "</result>")
    out.append("</results></sparql>")
    return "\n".join(out) + "\n"


def _cut(s: str, w: int) -> str:
    if _width(s) <= w:
        return s
    out, n = "", 0
    for c in s:
        cw = _width(c)
        if n + cw > w - 1:
            break
        out += c
        n += cw
    return out + "…"


def _format_table(result: QueryResult) -> str:
    cells = [[_display(t).replace("\n", " ") for t in row] for row in result.terms]
    widths = [max([_width(v)] + [_width(r[i]) for r in cells]) for i, v in enumerate(result.vars)]
    widths = [min(w, 80) for w in widths]
    line = "-" + "-+-".join("-" * w for w in widths) + "-"
    lines = [" " + " | ".join(_pad(_cut(v, w), w) for v, w in zip(result.vars, widths)) + " ", line]
    lines += [" " + " | ".join(_pad(_cut(c, w), w) for c, w in zip(r, widths)) + " " for r in cells]
    lines.append(f"（{len(cells)} 行，{result.seconds * 1000:.1f} 毫秒）")
    return "\n".join(lines)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """Render a result: "table" (aligned, CJK-aware), "csv", "tsv", "json" (SPARQL JSON), "xml",
    or for CONSTRUCT/DESCRIBE "nt"/"ttl"."""
    fmt = fmt.lower()
    if result.kind == "ask":
        return _format_ask(result, fmt)
    if result.kind == "graph":
        if fmt in ("ttl", "turtle", "table"):
            return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()
        return ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES).decode()
    if fmt == "json":
        bindings = [{v: _term_json(t) for v, t in zip(result.vars, row) if t is not None}
                    for row in result.terms]
        return json.dumps({"head": {"vars": result.vars}, "results": {"bindings": bindings}},
                          ensure_ascii=False)
    if fmt in ("csv", "tsv"):
        return _format_delimited(result, fmt)
    if fmt == "xml":
        return _format_xml(result)
    return _format_table(result)


# --------------------------------------------------------------------------- HTTP endpoint

_RESULT_TYPES = [  # (media type, fmt)
    ("application/sparql-results+json", "json"), ("application/json", "json"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
    ("application/sparql-results+xml", "xml"), ("application/xml", "xml"), ("text/xml", "xml"),
]
_GRAPH_TYPES = [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                ("application/n-quads", ox.RdfFormat.N_QUADS), ("application/trig", ox.RdfFormat.TRIG),
                ("application/rdf+xml", ox.RdfFormat.RDF_XML)]
_MEDIA = {"json": "application/sparql-results+json", "csv": "text/csv",
          "tsv": "text/tab-separated-values", "xml": "application/sparql-results+xml"}


def _accept(header: str | None, options: list[tuple[str, object]]):
    """Pick from options by an Accept header (q-values honoured, first option by default)."""
    if not header:
        return options[0]
    prefs = []
    for i, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    pass
        prefs.append((-q, i, bits[0].lower()))
    for _, _, mt in sorted(prefs):
        for opt in options:
            if mt == opt[0] or mt == "*/*" or (mt.endswith("/*") and opt[0].startswith(mt[:-1])):
                return opt
    return options[0]


class _HttpError(Exception):
    def __init__(self, code: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.code, self.message, self.headers = code, message, headers or {}


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _HttpError(400, f"{what}不是有效的 UTF-8。\n") from None


def _graph_iris(values: list[str], what: str) -> list[str]:
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError:
            raise _HttpError(400, f"{what} 不是合法 IRI：{v}\n") from None
    return values


class _Handler(BaseHTTPRequestHandler):
    server_version = "chainkg-sparql/0.2"

    def log_message(self, fmt, *args):  # quiet unless asked
        if getattr(self.server, "verbose", False):
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def setup(self):
        self.timeout = self.server.idle_timeout  # a silent client is dropped after this long
        super().setup()
        # a client trickling its headers byte by byte (slowloris) gets twice that for all of them
        self._header_timer = threading.Timer(2 * self.server.idle_timeout, self._headers_too_slow)
        self._header_timer.daemon = True
        self._header_timer.start()

    def _headers_too_slow(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def parse_request(self):  # reads the headers too: the deadline ends after them
        ok = super().parse_request()
        self._header_timer.cancel()
        return ok

    def finish(self):
        self._header_timer.cancel()
        super().finish()

    # -- helpers
    def _cors_origin(self) -> str | None:
        origin = self.headers.get("Origin")
        allowed = self.server.cors
        if origin and (origin in allowed or "*" in allowed):
            return "*" if "*" in allowed else origin
        return None

    def _send(self, code: int, body: bytes | str, ctype: str = "text/plain; charset=utf-8",
              headers: dict | None = None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        allow = self._cors_origin()
        if allow:
            self.send_header("Access-Control-Allow-Origin", allow)
            self.send_header("Vary", "Origin")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _HttpError(411, "请求体请用 Content-Length 发送（不支持分块传输）。\n")
        raw = self.headers.get("Content-Length") or "0"
        if not raw.strip().isdigit():
            raise _HttpError(400, f"Content-Length 不是数字：{raw[:40]}\n")
        n = int(raw)
        if n > self.server.max_body:
            self.close_connection = True
            raise _HttpError(413, f"请求体太大（{n} 字节，上限 {self.server.max_body} 字节；"
                                  "启动时可用 --max-body 调整）。\n")
        data = self.rfile.read(n) if n else b""
        if len(data) != n:
            self.close_connection = True
            raise _HttpError(400, "请求体不完整。\n")
        return data

    def _params(self) -> tuple[str, dict[str, list[str]]]:
        u = urllib.parse.urlsplit(self.path)
        try:
            return u.path, urllib.parse.parse_qs(u.query, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise _HttpError(400, "URL 参数不是有效的 UTF-8。\n") from None

    def _dataset(self, params) -> Dataset | None:
        dg, ng = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
        if not dg and not ng:
            return None
        return Dataset(_graph_iris(dg, "default-graph-uri"), _graph_iris(ng, "named-graph-uri"))

    def _check_write(self):
        """Writes need the server's token and must not come from another site's page."""
        srv = self.server
        if srv.read_only:
            raise _HttpError(403, "只读端点：不接受写入（SPARQL 更新、图存储 PUT/POST/DELETE）；启动时加 --writable 可写。\n")
        origin = self.headers.get("Origin")
        cross = self.headers.get("Sec-Fetch-Site", "") == "cross-site"
        if (origin and origin not in srv.cors and origin != f"http://{self.headers.get('Host', '')}") or \
                (cross and not origin):
            raise _HttpError(403, f"拒绝跨站写入（Origin: {origin or '未知'}）。\n")
        auth = self.headers.get("Authorization", "")
        given = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not (srv.token and given and hmac.compare_digest(given.encode(), srv.token.encode())):
            raise _HttpError(401, "写入需要令牌：请求头 Authorization: Bearer <令牌>（令牌在服务启动时打印）。\n",
                             {"WWW-Authenticate": 'Bearer realm="chainkg"'})

    # -- SPARQL protocol
    def _query(self, sparql: str, params):
        srv = self.server
        try:
            res = run_query(srv.store, sparql, timeout=srv.timeout_s, isolate=srv.read_only, reopen=srv.store_path,
                            union=None if srv.read_only else True, dataset=self._dataset(params),
                            allow_service=srv.allow_service)
        except QueryError as e:
            code = 503 if ("超时" in str(e) or "服务器忙" in str(e)) else 400
            return self._send(code, str(e) + "\n")
        if res.kind == "graph":
            mt, rf = _accept(self.headers.get("Accept"), _GRAPH_TYPES)
            if rf in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                rf, mt = ox.RdfFormat.N_TRIPLES, "application/n-triples"
            kw = {"prefixes": PREFIXES} if rf == ox.RdfFormat.TURTLE else {}
            return self._send(200, ox.serialize(res.triples, format=rf, **kw), mt + "; charset=utf-8")
        mt, fmt = _accept(self.headers.get("Accept"), _RESULT_TYPES)
        return self._send(200, format_result(res, fmt), _MEDIA[fmt] + "; charset=utf-8")

    def _update(self, sparql: str):
        self._check_write()
        if not self.server.allow_service and uses_remote(sparql):
            raise _HttpError(400, "更新含 SERVICE 或 LOAD（会让服务器向外发请求），默认不允许；"
                                  "确需时启动服务加 --allow-service。\n")
        try:
            with self.server.lock:
                self.server.store.update(sparql)
        except SyntaxError as e:
            return self._send(400, str(_syntax_error(sparql, e)) + "\n")
        except OSError as e:
            return self._send(500, f"更新失败：{e}\n")
        return self._send(204, b"")

    def _sparql(self, method: str, params):
        if method in ("GET", "HEAD"):
            if "query" in params:
                return self._query(params["query"][0], params)
            if "update" in params:
                return self._send(405, "更新请用 POST。\n", headers={"Allow": "GET, HEAD, POST, OPTIONS"})
            return self._send(200, _HELP, "text/plain; charset=utf-8")
        if method != "POST":
            return self._send(405, "不支持的方法。\n", headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = self._body()
        if ctype == "application/sparql-query":
            return self._query(_utf8(body, "查询"), params)
        if ctype == "application/sparql-update":
            return self._update(_utf8(body, "更新"))
        if ctype not in ("application/x-www-form-urlencoded", ""):
            return self._send(415, f"不支持的内容类型：{ctype}（用 application/sparql-query、"
                                   "application/sparql-update 或表单）\n")
        try:
            form = urllib.parse.parse_qs(_utf8(body, "表单"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise _HttpError(400, "表单不是有效的 UTF-8。\n") from None
        merged = {**params, **form}
        if "query" in form:
            return self._query(form["query"][0], merged)
        if "update" in form:
            return self._update(form["update"][0])
        return self._send(400, "缺少 query 或 update 参数。\n")

    # -- Graph Store Protocol
    def _target_graph(self, params):
        if "graph" in params:
            try:
                return ox.NamedNode(params["graph"][0])
            except ValueError as e:
                raise _HttpError(400, f"graph 参数不是合法 IRI：{e}\n") from None
        return ox.DefaultGraph()

    def _gsp_read(self, g, params):
        store = self.server.store
        if "graph" not in params and "default" not in params:
            if default_is_union(store):  # the dataset as built: named graphs, not the union copy
                data = ox.serialize((q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)),
                                    format=ox.RdfFormat.N_QUADS)
            else:
                data = store.dump(format=ox.RdfFormat.N_QUADS)
            return self._send(200, data, "application/n-quads; charset=utf-8")
        if isinstance(g, ox.NamedNode) and not store.contains_named_graph(g):
            return self._send(404, f"没有这个图：{g.value}\n")
        mt, rf = _accept(self.headers.get("Accept"), _GRAPH_TYPES[:2] + _GRAPH_TYPES[4:])
        kw = {"prefixes": PREFIXES} if rf == ox.RdfFormat.TURTLE else {}
        return self._send(200, store.dump(format=rf, from_graph=g, **kw), mt + "; charset=utf-8")

    def _gsp_delete(self, g):
        store = self.server.store
        if isinstance(g, ox.NamedNode) and not store.contains_named_graph(g):
            return self._send(404, f"没有这个图：{g.value}\n")
        with self.server.lock:
            if isinstance(g, ox.NamedNode):
                store.remove_graph(g)
            else:
                store.clear_graph(g)
        return self._send(204, b"")

    def _gsp_write(self, method: str, g):
        store = self.server.store
        ctype = (self.headers.get("Content-Type") or "text/turtle").split(";")[0].strip().lower()
        rf = ox.RdfFormat.from_media_type(ctype)
        if rf is None:
            return self._send(415, f"不支持的内容类型：{ctype}\n")
        body = self._body()
        existed = isinstance(g, ox.NamedNode) and store.contains_named_graph(g)
        try:
            quads = list(ox.parse(body, format=rf, base_iri=None))
        except (SyntaxError, ValueError) as e:
            return self._send(400, f"RDF 解析失败：{str(e)[:300]}\n")
        with self.server.lock:
            if method == "PUT":
                if existed:
                    store.remove_graph(g)
                elif not isinstance(g, ox.NamedNode):
                    store.clear_graph(g)
            if rf.supports_datasets:
                store.extend(quads)
            else:
                store.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in quads)
            if isinstance(g, ox.NamedNode) and not store.contains_named_graph(g):
                store.add_graph(g)
        return self._send(204 if existed or method == "POST" else 201, b"")

    def _gsp(self, method: str, params):
        g = self._target_graph(params)
        if method in ("GET", "HEAD"):
            return self._gsp_read(g, params)
        if method not in ("PUT", "POST", "DELETE"):
            return self._send(405, "不支持的方法。\n", headers={"Allow": "GET, HEAD, PUT, POST, DELETE, OPTIONS"})
        self._check_write()
        if method == "DELETE":
            return self._gsp_delete(g)
        return self._gsp_write(method, g)

    def _options(self, path: str):
        allow = "GET, HEAD, PUT, POST, DELETE, OPTIONS" if path in _GSP_PATHS else "GET, HEAD, POST, OPTIONS"
        headers = {"Allow": allow}
        if self._cors_origin():
            headers.update({"Access-Control-Allow-Methods": allow, "Access-Control-Max-Age": "600",
                            "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization"})
        return self._send(204, b"", headers=headers)

    # -- dispatch
    def _dispatch(self, method: str):
        try:
            path, params = self._params()
            if method == "OPTIONS":
                return self._options(path)
            if path in _GSP_PATHS:
                return self._gsp(method, params)
            if path in _SPARQL_PATHS:
                return self._sparql(method, params)
            return self._send(404, "没有这个路径；查询请用 /sparql ，图存储协议请用 /store 。\n")
        except _HttpError as e:
            try:
                self._send(e.code, e.message, headers=e.headers)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
        except Exception as e:  # noqa: BLE001 - never leak a traceback to the client
            try:
                self._send(500, f"服务器内部错误：{type(e).__name__}: {e}\n")
            except OSError:
                pass

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_OPTIONS(self):
        self._dispatch("OPTIONS")


_GSP_PATHS = ("/store", "/data", "/rdf-graphs/service")
_SPARQL_PATHS = ("/", "/sparql", "/query", "/update")

_HELP = """chainkg SPARQL 端点
  查询：GET /sparql?query=…  或  POST /sparql（application/sparql-query 或表单 query=…）
        可加 default-graph-uri / named-graph-uri 指定数据集
        结果格式按 Accept：application/sparql-results+json（默认）、text/csv、application/sparql-results+xml
  图存储协议：GET/PUT/POST/DELETE /store?graph=IRI （或 ?default）；写入需 --writable 与令牌
  默认图 = 所有命名图的并集。
"""

MAX_BODY = 64 * 1024 * 1024
IDLE_TIMEOUT = 20.0
MAX_THREADS = 32


class SparqlServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a cap on concurrent connections (over the cap: 503 at once), a
    listen backlog of 128, and the listening socket kept out of forked query workers."""
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, store, read_only=True, timeout=30.0, verbose=False, *, token: str | None = None,
                 cors: tuple[str, ...] = (), allow_service: bool = False, max_body: int = MAX_BODY,
                 idle_timeout: float = IDLE_TIMEOUT, max_threads: int = MAX_THREADS,
                 store_path: str | None = None):
        self.store = store
        self.store_path = store_path  # writable: queries run in workers that re-open it read-only
        self.read_only = read_only
        self.timeout_s = timeout
        self.verbose = verbose
        self.token = token
        self.cors = tuple(cors)
        self.allow_service = allow_service
        self.max_body = max_body
        self.idle_timeout = idle_timeout
        self.slots = threading.BoundedSemaphore(max_threads)
        self.lock = threading.RLock()
        super().__init__(addr, _Handler)  # binds: may raise OSError (port in use)
        keep_from_children(self.fileno())  # a query worker never holds the port

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            msg = "服务器忙：同时连接数已达上限，请稍后再试。\n".encode("utf-8")
            try:
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                b"Retry-After: 1\r\nConnection: close\r\nContent-Length: "
                                + str(len(msg)).encode() + b"\r\n\r\n" + msg)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def server_close(self):
        release_from_children(self.socket.fileno())
        super().server_close()
        close_workers(self.store)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def make_server(store_dir: Path, host: str = "127.0.0.1", port: int = 7878, read_only: bool = True,
                timeout: float | None = 30, verbose: bool = False, memory: bool | None = None,
                **options) -> SparqlServer:
    """The server object (not yet serving): .serve_forever(), .shutdown(), .url.

    options: token (required for writes), cors (allowed origins), allow_service, max_body,
    idle_timeout, max_threads (see SparqlServer).
    memory=True serves from an in-memory copy of the store (read-only only). Default: the
    persistent store, which answers the canned queries as fast or faster with the deduplicated
    default graph and opens at once (module docstring). A writable server always works on the
    persistent store so that writes are kept."""
    if memory is None:
        memory = False
    store = open_store(Path(store_dir), read_only=read_only, memory=memory and read_only)
    if not read_only:
        p = Path(store_dir)
        options.setdefault("store_path", str(p / "store" if _is_store_dir(p / "store") else p))
    return SparqlServer((host, port), store, read_only=read_only, timeout=timeout, verbose=verbose, **options)


def serve(store_dir: Path, host: str = "127.0.0.1", port: int = 7878, read_only: bool = True,
          timeout: float | None = 30, memory: bool | None = None, **options) -> None:
    """SPARQL 1.1 Protocol endpoint at /sparql and Graph Store Protocol at /store; blocks until
    SIGINT or SIGTERM, then stops the query workers and frees the port."""
    if not read_only and not options.get("token"):
        options["token"] = os.environ.get("KG_SERVE_TOKEN") or secrets.token_urlsafe(24)
    srv = make_server(store_dir, host, port, read_only, timeout, verbose=False, memory=memory, **options)

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    mode = "只读" if read_only else "可写"
    print(f"SPARQL 端点（{mode}）：{srv.url}/sparql    （图存储协议：同一服务的 /store；Ctrl+C 停止）", flush=True)
    if not read_only:
        src = "环境变量 KG_SERVE_TOKEN" if os.environ.get("KG_SERVE_TOKEN") == options["token"] else "本次随机生成"
        print(f"写入令牌（{src}）：{options['token']}    写入请求需带 Authorization: Bearer <令牌>", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        srv.server_close()
        print("已停止", flush=True)


# --------------------------------------------------------------------------- push (GSP client)

_PUSH_HINTS = {401: "需要认证：--user/--password，或 kg serve 的写入令牌 --token", 403: "服务器拒绝写入（只读、无权限或跨站）",
               404: "端点路径不对（Fuseki: /数据集/data；GraphDB: /repositories/库/rdf-graphs/service；"
                    "Virtuoso: /sparql-graph-crud-auth；kg serve: /store）",
               405: "该路径不支持此方法：请用图存储协议（GSP）端点", 413: "请求体太大",
               415: "服务器不接受此 RDF 格式"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect could send the data elsewhere
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _http(method: str, url: str, body: bytes, ctype: str, auth, timeout: float = 300, token: str | None = None):
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Content-Type", ctype)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    elif auth:
        basic = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {basic}")
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        detail = " ".join(e.read(300).decode("utf-8", "replace").split())
        hint = _PUSH_HINTS.get(e.code, "")
        raise PushError(f"{method} {url} → HTTP {e.code} {e.reason}" + (f"（{hint}）" if hint else "")
                        + (f"；服务器返回：{detail}" if detail else "")) from None
    except urllib.error.URLError as e:
        r = e.reason
        why = ("连接被拒绝" if isinstance(r, ConnectionRefusedError) else "超时" if isinstance(r, TimeoutError)
               else "无法解析主机名" if isinstance(r, socket.gaierror) else str(r))
        raise PushError(f"无法连接 {url}（{why}）；请检查端点地址和服务是否启动") from None
    except TimeoutError:
        raise PushError(f"{url} 在 {timeout:g} 秒内没有响应（可用 --timeout 调大）") from None
    except OSError as e:
        raise PushError(f"{url}（{e}）") from None


def _with_param(endpoint: str, key: str, value: str | None) -> str:
    sep = "&" if "?" in endpoint else "?"
    if value is None:
        return f"{endpoint}{sep}{key}"
    return f"{endpoint}{sep}{key}={urllib.parse.quote(value, safe='')}"


def check_endpoint(endpoint: str) -> None:
    """Only http(s) URLs with a host: anything else fails at once (ftp:// used to hang)."""
    u = urllib.parse.urlsplit(endpoint)
    if u.scheme.lower() not in ("http", "https") or not u.netloc:
        raise PushError(f"不支持的端点地址：{endpoint}（只支持 http:// 或 https:// 开头的图存储协议地址）")


def push(out_dir: Path, endpoint: str, graph_iri: str | None = None,
         auth: tuple[str, str] | None = None, per_graph: bool = True, *, token: str | None = None,
         timeout: float = 300, progress=None, union_default: bool = False) -> dict:
    """Upload OUT's graph to a SPARQL 1.1 Graph Store HTTP Protocol endpoint (Turtle bodies).

    per_graph (default): PUT each named graph to ?graph=IRI (replacing it), triples of the default
    graph POSTed to ?default. graph_iri: PUT the union into that one graph. Otherwise POST the
    union to ?default. Works with Fuseki (/ds/data), GraphDB (/repositories/R/rdf-graphs/service),
    Virtuoso (/sparql-graph-crud[-auth]) and our own `serve --writable` (/store, token=…).
    union_default (with per_graph): also PUT the deduplicated union of the named graphs into the
    default graph, as `kg build` stores it locally: the canned queries (which read the default
    graph) then return the same rows on a store whose default graph is not the union of its named
    graphs (Fuseki's default configuration, Oxigraph without --union-default-graph).
    progress(i, n, graph_or_None, triples) is called after each request. On failure the PushError
    says which graphs were already replaced; its .sent lists them.
    """
    check_endpoint(endpoint)
    # the graph FILE, not the store: a store's default graph holds the union copy of the named
    # graphs (build_store), which would otherwise be sent a second time to ?default
    src = _graph_file(Path(out_dir))
    mem = ox.Store()
    mem.bulk_load(path=str(src), format=_format_for(src))
    ctype = "text/turtle; charset=utf-8"

    def ttl(graph):
        triples = [q.triple for q in mem.quads_for_pattern(None, None, None, graph)]
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES), len(triples)

    def union():
        triples = {q.triple for q in mem}
        return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES), len(triples)

    # (method, url, graph IRI or None, body maker)
    if graph_iri:
        plan = [("PUT", _with_param(endpoint, "graph", graph_iri), graph_iri, union)]
    elif per_graph:
        plan = [("PUT", _with_param(endpoint, "graph", g.value), g.value, lambda g=g: ttl(g))
                for g in sorted(mem.named_graphs(), key=lambda x: str(x))]
        if union_default:
            plan.append(("PUT", _with_param(endpoint, "default", None), None, union))
        elif next(iter(mem.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            plan.append(("POST", _with_param(endpoint, "default", None), None, lambda: ttl(ox.DefaultGraph())))
    else:
        plan = [("POST", _with_param(endpoint, "default", None), None, union)]
    sent: list[dict] = []
    for i, (method, url, graph, make) in enumerate(plan, 1):
        body, n = make()
        try:
            status = _http(method, url, body, ctype, auth, timeout=timeout, token=token)
        except PushError as e:
            done = "、".join(s["graph"] or "默认图" for s in sent[:3]) + ("等" if len(sent) > 3 else "")
            err = PushError(f"推送失败（第 {i}/{len(plan)} 个图 {graph or '默认图'}）：{e}；"
                            + (f"此前已替换 {len(sent)} 个图（{done}），其余 {len(plan) - i + 1} 个未推送"
                               if sent else "尚未替换任何图"))
            err.sent = sent
            raise err from None
        sent.append({"graph": graph, "triples": n, "status": status})
        if progress:
            progress(i, len(plan), graph, n)
    return {"endpoint": endpoint, "graphs": len(sent), "triples": sum(s["triples"] for s in sent),
            "requests": sent}
