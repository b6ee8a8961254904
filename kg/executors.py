"""Where extraction runs: in this process (local) or on a Dask cluster (dask).

Extraction is per document, so it spreads over any number of machines. The dask executor sends
documents in batches (~100k characters each, a bounded number in flight); each worker process builds
the Extractor once (extract_all keeps it between calls) and sends back plain field tuples, without
the evidence strings the parent can restore from its own documents. Results come back in input
order and equal extract.extract_all's; a document that fails yields an empty extraction and the
same warning as locally, printed by the parent.

    extract_docs(docs)                                         # extract.extract_all
    extract_docs(docs, executor="dask", workers=4)             # a LocalCluster of 4 processes
    extract_docs(docs, executor="dask", scheduler="tcp://host:8786")

A LocalCluster spawns its workers: a script that calls this needs the `if __name__ == "__main__":` guard.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import sys
import tempfile
import warnings
from dataclasses import fields
from operator import attrgetter
from pathlib import Path

from . import extract, resources
from .model import Document, Extraction, Fact, Mention, Relation

EXECUTORS = ("local", "dask")
INSTALL_HINT = 'pip install "chainkg[dask]"'
BATCH_CHARS = 100_000  # text per batch (~300 KB, ~0.5 s of one core): small enough to balance the workers
CONNECT_TIMEOUT = 10  # seconds to reach a scheduler given with --scheduler
WORKER_TIMEOUT = 60  # seconds to wait for its first worker


class ExecutorError(Exception):
    """The executor cannot run (Dask missing, scheduler unreachable); one line of Chinese."""


def extract_docs(docs: list[Document], executor: str = "local", scheduler: str | None = None, workers: int = 1,
                 progress: bool = False, ner: str | None = None, region_dirs=None,
                 register: tuple[str, ...] = ()) -> list[Extraction]:
    """extract.extract_all on the chosen executor; results in input order. register: firm names of
    the user's enterprise register, for the gazetteer."""
    if executor == "local":
        return extract.extract_all(docs, workers=workers, progress=progress, region_dirs=region_dirs, ner=ner,
                                   register=register)
    if executor != "dask":
        raise ValueError(f"unknown executor {executor!r}")
    distributed = _import_distributed()
    if not docs:
        return []
    with _client(distributed, scheduler, workers) as client:
        return _run(client, distributed, docs, progress, (ner, tuple(register)), _portable_dirs(region_dirs))


# ------------------------------------------------------------------ parent side

def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ExecutorError(f"--executor dask 需要 Dask：请先运行 {INSTALL_HINT}") from None
    return distributed


@contextlib.contextmanager
def _client(distributed, scheduler: str | None, workers: int):
    """A client of the given scheduler, or of a quiet LocalCluster of `workers` processes."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # no dashboard, shutdown or worker-death chatter: our warnings say it
    try:
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
            except Exception as e:  # noqa: BLE001 - OSError, TimeoutError, ValueError (bad address) ...
                why = " ".join(str(e).split()) or type(e).__name__
                raise ExecutorError(f"无法连接 Dask 调度器 {scheduler}：{why}") from None
            with client:
                try:
                    client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
                except Exception:  # noqa: BLE001 - TimeoutError
                    raise ExecutorError(f"Dask 调度器 {scheduler} 上没有 worker（{WORKER_TIMEOUT} 秒内）："
                                        f"请在各台机器上运行 dask worker {scheduler}") from None
                yield client
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. "Port 8787 is already in use"
                cluster = distributed.LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                                   host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                                   silence_logs=logging.CRITICAL)
            with cluster, distributed.Client(cluster) as client:
                yield client
    finally:
        logger.setLevel(level)


def batches(docs: list[Document], target: int = BATCH_CHARS) -> list[list[int]]:
    """Consecutive document indices, ~target characters of text per batch (a large document alone)."""
    out: list[list[int]] = []
    cur: list[int] = []
    size = 0
    for i, d in enumerate(docs):
        cur.append(i)
        size += len(d.text or "")
        if size >= target:
            out.append(cur)
            cur, size = [], 0
    if cur:
        out.append(cur)
    return out


def _run(client, distributed, docs: list[Document], progress: bool, options, dirs) -> list[Extraction]:
    """Batches in input order, a bounded number in flight (the scheduler never holds the whole corpus).
    A batch whose worker died or that could not travel is retried one document at a time, each alone
    on the cluster, so that only the document that kills a worker is lost."""
    from tqdm import tqdm

    todo = [(b, False) for b in reversed(batches(docs))]  # (indices, isolated); popped from the end
    window = max(2, 3 * _n_workers(client))
    results: list[Extraction | None] = [None] * len(docs)
    pending = distributed.as_completed()
    owner: dict = {}

    def refill() -> None:
        while todo and len(owner) < window and not any(iso for _, iso in owner.values()):
            if todo[-1][1] and owner:
                return  # an isolated retry waits for the cluster to drain
            idx, iso = todo.pop()
            fut = client.submit(_extract_batch, [docs[i] for i in idx], options, dirs, pure=False)
            owner[fut.key] = (idx, iso)
            pending.add(fut)

    with tqdm(total=len(docs), unit="doc", file=sys.stderr, desc="抽取", disable=not progress) as bar:
        refill()
        for fut in pending:
            idx, iso = owner.pop(fut.key)
            try:
                out, errs = fut.result()
            except Exception as e:  # noqa: BLE001 - a worker died, or the batch could not travel
                if iso:
                    results[idx[0]] = _failed(docs[idx[0]], e)
                    bar.update(1)
                else:
                    todo.extend(([i], True) for i in reversed(idx))
            else:
                sys.stderr.write(errs)
                for i, enc in zip(idx, out):
                    results[i] = _decode(docs[i], enc)
                bar.update(len(idx))
            fut.release()
            refill()
    return results


def _n_workers(client) -> int:
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # noqa: BLE001
        return 1


def _failed(doc: Document, e: BaseException) -> Extraction:
    """What extract._safe_extract reports for a document that cannot be extracted."""
    why = "处理它的 worker 进程退出（崩溃或内存不足）" if type(e).__name__ == "KilledWorker" else str(e)
    print(f"警告：抽取 {doc.doc_id} 时出错（{type(e).__name__}: {why}），该文档的抽取结果为空", file=sys.stderr)
    return Extraction(doc=doc)


# ------------------------------------------------------------------ results on the wire

def _fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


_EVIDENCE = {c: _fields(c).index("evidence") for c in (Relation, Fact)}
_GET = {c: attrgetter(*_fields(c)) for c in (Mention, Relation, Fact)}


def _sentence_text(doc: Document, i: int) -> str:
    return doc.sentences[i].text if doc.sentences and 0 <= i < len(doc.sentences) else doc.text


def _encode(ex: Extraction) -> tuple:
    """Field tuples; evidence that is the sentence text itself travels as None."""
    def pack(cls, x):
        t = _GET[cls](x)
        if x.evidence == _sentence_text(ex.doc, x.sentence):
            k = _EVIDENCE[cls]
            t = t[:k] + (None,) + t[k + 1:]
        return t

    return ([_GET[Mention](m) for m in ex.mentions], [pack(Relation, r) for r in ex.relations],
            [pack(Fact, f) for f in ex.facts])


def _decode(doc: Document, enc: tuple) -> Extraction:
    ms, rs, fs = enc

    def unpack(cls, t):
        x = cls(*t)
        if x.evidence is None:
            x.evidence = _sentence_text(doc, x.sentence)
        return x

    return Extraction(doc=doc, mentions=[Mention(*t) for t in ms], relations=[unpack(Relation, t) for t in rs],
                      facts=[unpack(Fact, t) for t in fs])


# ------------------------------------------------------------------ region folders on other machines

def _portable_dirs(dirs) -> tuple | None:
    """Region folders as a worker on another machine can find them: bundled ones by their path inside
    the package data, others (--data) by their files' content."""
    if dirs is None:
        return None
    root = resources.ontology_dir().resolve()
    out = []
    for d in map(Path, dirs):
        try:
            out.append(("bundled", d.resolve().relative_to(root).as_posix()))
        except ValueError:
            files = {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}
            out.append(("files", d.name, files))
    return tuple(out)


def _local_dirs(spec) -> list[Path] | None:
    if spec is None:
        return None
    out = []
    for item in spec:
        if item[0] == "bundled":
            out.append(resources.ontology_dir() / item[1])
            continue
        _, name, files = item
        h = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:16]
        d = Path(tempfile.gettempdir()) / f"chainkg-data-{h}" / name
        if not d.is_dir():
            tmp = Path(tempfile.mkdtemp(prefix="chainkg-data-"))
            for rel, data in files.items():
                (tmp / name / rel).parent.mkdir(parents=True, exist_ok=True)
                (tmp / name / rel).write_bytes(data)
            try:
                os.rename(tmp, d.parent)
            except OSError:  # another worker on this machine was first
                shutil.rmtree(tmp, ignore_errors=True)
        out.append(d)
    return out


# ------------------------------------------------------------------ worker side

def _extract_batch(docs: list[Document], options, dirs) -> tuple[list[tuple], str]:
    """On a worker: extract_all keeps its Extractor between batches (one per worker process);
    warnings are captured and printed by the parent, whose terminal the user watches."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        ner, register = options
        exs = extract.extract_all(docs, region_dirs=_local_dirs(dirs), ner=ner, register=register)
    return [_encode(ex) for ex in exs], err.getvalue()
