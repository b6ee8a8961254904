"""Helpers shared by stages: atomic writes, name normalisation, IRIs."""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)

KG = "https://w3id.org/chainkg/ontology#"
KGR = "https://w3id.org/chainkg/id/"

_IRI_SAFE_ASCII = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~()+,;=:@!$&*'")


def alternation(words) -> str:
    """A regex alternation of the words, longest first (so a longer word wins where two match)."""
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


@lru_cache(maxsize=1 << 17)
def norm_name(name: str) -> str:
    """Canonical form of a name: NFKC, no whitespace (remembered: resolution and analysis ask for
    the same mention texts and labels ~170k times on a corpus of 3,300 documents)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


class LazyPattern:
    """A regex compiled on its first use: a component with many long patterns (a name class repeated
    in each) starts without compiling those its texts never trigger (compiling roles' 84 took ~0.6 s
    of every extractor start). required_literals reads it like a compiled pattern."""

    __slots__ = ("pattern", "flags", "_rx")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags, self._rx = pattern, flags, None

    def compiled(self) -> re.Pattern:
        if self._rx is None:
            self._rx = re.compile(self.pattern, self.flags)
        return self._rx

    def finditer(self, *args):
        return self.compiled().finditer(*args)

    def search(self, *args):
        return self.compiled().search(*args)


def required_runs(pattern: str, min_len: int = 2) -> list[str]:
    """Runs of at least min_len literal characters that every match of the regex pattern holds
    (read off the parsed pattern: runs outside optional parts, alternatives and assertions). A
    text without one of them has no match. The caller checks the pattern's own IGNORECASE flag."""
    try:
        from re import _parser as parser  # Python >= 3.11
    except ImportError:  # pragma: no cover
        import sre_parse as parser
    return _required_runs(parser.parse(pattern), min_len)


def required_literals(rx: re.Pattern, min_len: int = 2) -> tuple[str, ...]:
    """The distinct required_runs of a compiled pattern, longest first (none if it ignores case)."""
    if rx.flags & re.IGNORECASE:
        return ()
    return tuple(sorted(dict.fromkeys(required_runs(rx.pattern, min_len)), key=len, reverse=True))


def _required_runs(seq, min_len: int) -> list[str]:
    try:
        from re import _constants as c
    except ImportError:  # pragma: no cover
        import sre_constants as c
    out, run = [], []
    for op, av in seq:
        if op == c.LITERAL:
            run.append(chr(av))
            continue
        if len(run) >= min_len:
            out.append("".join(run))
        run = []
        if op == c.SUBPATTERN and not (av[1] & re.IGNORECASE):
            out += _required_runs(av[-1], min_len)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            out += _required_runs(av[2], min_len)
    if len(run) >= min_len:
        out.append("".join(run))
    return out


def to_decimal(v) -> Decimal | None:
    """A number (an extracted amount, a figure) as a finite Decimal, else None."""
    if v is None:
        return None
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def iri_segment(name: str) -> str:
    out = []
    for ch in norm_name(name):
        if ord(ch) > 127 or ch in _IRI_SAFE_ASCII:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    if out and out[-1] == ".":
        # a final dot is legal in an IRI, but Turtle and TriG then write the prefixed name with an escaped
        # dot (kgr:Enterprise\/某公司\.), which rdflib's parser rejects: the whole graph.trig would not load
        out[-1] = "%2E"
    return "".join(out)


def entity_iri(type_: str, name: str) -> str:
    return f"{KGR}{type_}/{iri_segment(name)}"


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temp path beside `path`; rename it over `path` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for people to open
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@contextmanager
def atomic_dir(path: str | os.PathLike):
    """Yield a fresh temp directory beside `path`; swap it in place of `path` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_UMASK)
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# ---------------------------------------------------------------- whole-output transactions

class OutputBusy(RuntimeError):
    """Another process holds the lock of this output folder."""


class OutputNotOurs(RuntimeError):
    """The output folder exists and does not look like a previous build's output."""


MANIFEST = "manifest.json"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL / ENOSYS / EOPNOTSUPP: file system without exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_PARENT_ONLY: set[int] = set()  # descriptors a forked child closes at once (output locks, server sockets)


def keep_from_children(fd: int) -> None:
    """fd stays with this process: a forked child (a worker) closes its copy as it starts, so a worker
    left running does not hold a build's output lock or a server's port."""
    _PARENT_ONLY.add(fd)


def release_from_children(fd: int) -> None:
    """fd is about to be closed: no longer guarded (its number may be reused)."""
    _PARENT_ONLY.discard(fd)


def _close_parent_only() -> None:
    for fd in _PARENT_ONLY:
        try:
            os.close(fd)
        except OSError:
            pass
    _PARENT_ONLY.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_parent_only)


def die_with_parent(parent: int | None = None) -> None:
    """In a worker process (a pool's initializer): exit when its parent (default: the process that
    started it) is gone, even after kill -9, checked every 0.5 s by a daemon thread. (Not
    PR_SET_PDEATHSIG: it fires when the thread that forked the worker ends, e.g. a server's request
    thread.)"""
    parent = os.getppid() if parent is None else parent

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)
    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()


class OutputTransaction:
    """Build a whole output folder beside `out` and swap it in at the end.

    * lock: `.{name}.lock` beside `out`, held with flock for the whole build (released by the
      kernel if the process dies), so a second build into the same folder fails at once;
    * temp folders `.{name}.build-*` / `.{name}.old-*` left by killed builds are removed;
    * commit(): fsync, then one atomic exchange of the temp folder with `out` (two renames where
      the file system cannot exchange: `out` is missing only between them), then the old output
      is removed. Until commit() the previous output is untouched.
    """

    def __init__(self, out: str | os.PathLike):
        self.out = Path(os.path.abspath(out))
        if not self.out.name:
            raise OutputNotOurs(str(out))
        self.parent = self.out.parent
        self.lock_path = self.parent / f".{self.out.name}.lock"
        self.tmp: Path | None = None
        self._lock_fd: int | None = None

    def __enter__(self) -> "OutputTransaction":
        self.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self._check_out()
            self.cleanup_stale()
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.build-", dir=self.parent))
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.tmp is not None and self.tmp.exists():
                shutil.rmtree(self.tmp, ignore_errors=True)
        finally:
            self._unlock()

    def _lock(self) -> None:
        import fcntl

        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666 & ~_UMASK)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputBusy(str(self.out)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd
        keep_from_children(fd)

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            release_from_children(self._lock_fd)
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def _check_out(self) -> None:
        """Refuse to replace a folder that is not ours (it would be deleted by the swap)."""
        o = self.out
        if o.is_symlink() or (o.exists() and not o.is_dir()):
            raise OutputNotOurs("link" if o.is_symlink() else "file")
        if o.is_dir() and any(o.iterdir()) and not ((o / MANIFEST).is_file() or (o / "graph.trig").is_file()):
            raise OutputNotOurs(str(o))

    def cleanup_stale(self) -> list[Path]:
        """Remove temp folders of builds that died (we hold the lock, so none is running)."""
        gone = []
        if not self.out.exists():  # a build killed between the two fallback renames: restore
            olds = sorted(self.parent.glob(f".{self.out.name}.old-*"), key=lambda p: p.stat().st_mtime)
            if olds and olds[-1].is_dir():
                os.replace(olds[-1], self.out)
        for p in self.parent.glob(f".{self.out.name}.*"):
            rest = p.name[len(self.out.name) + 2:]
            if p.is_dir() and not p.is_symlink() and (rest.startswith("build-") or rest.startswith("old-")):
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p)
        return gone

    def commit(self) -> None:
        assert self.tmp is not None
        os.chmod(self.tmp, 0o777 & ~_UMASK)
        for root, _dirs, files in os.walk(self.tmp):
            for f in files:
                try:
                    fd = os.open(os.path.join(root, f), os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                except OSError:
                    pass
            _fsync_dir(Path(root))
        if self.out.exists():
            if _exchange(self.tmp, self.out):
                old = self.tmp  # now holds the previous output
            else:
                old = self.parent / f".{self.out.name}.old-{os.getpid()}"
                os.replace(self.out, old)
                os.replace(self.tmp, self.out)
            self.tmp = None
            _fsync_dir(self.parent)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, self.out)
            self.tmp = None
            _fsync_dir(self.parent)


def _sha256_file(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def output_files(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under folder except the manifest."""
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink() and p.name != MANIFEST:
            out[p.relative_to(folder).as_posix()] = _sha256_file(p)
    return out


def write_manifest(folder: Path, info: dict) -> Path:
    """Write folder/manifest.json last: `info` plus the sha256 of every output file."""
    import json

    data = dict(info)
    data["files"] = output_files(folder)
    path = Path(folder) / MANIFEST
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return path


def check_manifest(folder: Path) -> list[str]:
    """Differences between folder and its manifest ([] = the folder is exactly one build's output)."""
    import json

    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return [f"manifest: {e}"]
    listed, actual = data.get("files", {}), output_files(folder)
    problems = [f"missing {k}" for k in listed if k not in actual]
    problems += [f"extra {k}" for k in actual if k not in listed]
    problems += [f"changed {k}" for k in listed if k in actual and actual[k] != listed[k]]
    return problems


# ---------------------------------------------------------------- safe text outputs

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection): text starting
    with = + - @ tab or CR gets a leading apostrophe; plain numbers (-3.5, +12%) stay as they are."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    if s.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(s):
        return "'" + s
    return s


def csv_text(header: list, rows, bom: bool = True) -> str:
    """CSV for people (Excel): CRLF rows, every cell through csv_cell, UTF-8 BOM first."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_cell(h) for h in header])
    w.writerows([csv_cell(c) for c in r] for r in rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def md_escape(s) -> str:
    """Text for a Markdown table cell or heading: no raw HTML, no links/emphasis, one line."""
    s = "" if s is None else str(s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = re.sub(r"[\r\n]+", " ", s)
    return _MD_SPECIAL.sub(r"\\\1", s)
