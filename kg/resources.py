"""Locate the project's data folders (ontology/, queries/) whether run from a checkout or installed.

Installed from a wheel (or `pip install .`), ontology/ and queries/ ship inside the package as
kg/ontology/ and kg/queries/ (pyproject.toml: package-dir) and are found with importlib.resources;
in a checkout or an editable install they are the folders beside kg/. CHAINKG_HOME overrides both.
"""
from __future__ import annotations

import importlib.resources
import os
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def project_root() -> Path:
    env = os.environ.get("CHAINKG_HOME")
    if env:
        return Path(env)
    # editable install / checkout: kg/ sits next to ontology/
    return PACKAGE_DIR.parent


@lru_cache(maxsize=None)
def _data_root(name: str) -> Path:
    """ontology/ or queries/: CHAINKG_HOME, else the installed package data, else the checkout."""
    if os.environ.get("CHAINKG_HOME"):
        return project_root() / name
    try:
        packaged = Path(str(importlib.resources.files("kg") / name))
    except (ModuleNotFoundError, TypeError):
        packaged = None
    if packaged is not None and packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / name


def ontology_dir() -> Path:
    return _data_root("ontology")


def data_dir() -> Path:
    return ontology_dir() / "data"


def templates_dir() -> Path:
    return ontology_dir() / "templates"


def regions_dir() -> Path:
    return ontology_dir() / "regions"


def queries_dir() -> Path:
    return _data_root("queries")


def region_dirs(extra: list[str | os.PathLike] | None = None) -> list[Path]:
    """Every region folder: the bundled ones plus folders given with --data, each followed by its
    nested sub-folders (expand_dirs), so that every stage reads the same files."""
    dirs = sorted(p for p in regions_dir().iterdir() if p.is_dir()) if regions_dir().exists() else []
    for e in extra or []:
        dirs.append(Path(e))
    return expand_dirs(dirs)


# ---------------------------------------------------------------- reference data: one loader

class ReferenceDataError(ValueError):
    """A reference data file (ontology, region, template) that cannot be used; the message is one
    line naming the file (and line)."""


POSITIONS = ("上游", "中游", "下游")
_KG = "https://w3id.org/chainkg/ontology#"


def expand_dirs(dirs: list[str | os.PathLike]) -> list[Path]:
    """Each folder followed by its sub-folders (sorted, symlink loops skipped): nested folders are
    read the same way by every stage, since every stage gets this list."""
    out: list[Path] = []
    seen: set[Path] = set()

    def walk(d: Path) -> None:
        real = d.resolve()
        if real in seen:
            return
        seen.add(real)
        out.append(d)
        try:
            subs = sorted(p for p in d.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError as e:
            raise ReferenceDataError(f"无法读取数据文件夹 {d}：{e.strerror or e}") from None
        for s in subs:
            walk(s)

    for d in dirs:
        walk(Path(d))
    return out


def reference_files(dirs_in: list[str | os.PathLike] | None = None, ontology: bool = True) -> list[Path]:
    """chainkg.ttl (ontology=True), every region folder's *.ttl (nested folders included), every
    template under ontology/templates/, in a fixed order, each file once."""
    files = [ontology_dir() / "chainkg.ttl"] if ontology else []
    dirs = region_dirs() if dirs_in is None else list(dirs_in)
    tdir = templates_dir()
    for d in expand_dirs(dirs) + (expand_dirs([tdir]) if tdir.is_dir() else []):
        files.extend(sorted(p for p in Path(d).glob("*.ttl") if p.is_file()))
    unique, seen = [], set()
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            unique.append(f)
    return unique


def _parse_file(f: Path):
    import rdflib

    try:
        data = f.read_bytes()
    except OSError as e:
        raise ReferenceDataError(f"无法读取参考数据文件 {f}：{e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise ReferenceDataError(f"参考数据文件 {f} 第 {line} 行：不是 UTF-8 编码（请另存为 UTF-8）") from None
    g = rdflib.Graph()
    try:
        g.parse(data=text, format="turtle", publicID=f.resolve().as_uri())
    except SyntaxError as e:
        line = getattr(e, "lines", None)
        why = getattr(e, "_why", None) or str(e).splitlines()[0]
        where = f"第 {line + 1} 行：" if isinstance(line, int) else ""
        raise ReferenceDataError(f"参考数据文件 {f} {where}Turtle 语法错误（{why}）") from None
    except Exception as e:  # noqa: BLE001 - any other parser failure, still one line with the file
        raise ReferenceDataError(f"参考数据文件 {f}：无法解析（{' '.join(str(e).split())[:200]}）") from None
    return g


def _check_chains(per_file: list[tuple[Path, object]], merged) -> None:
    """Templates hang together: every segment belongs to a defined chain, kg:next points to a
    segment, kg:position is 上游/中游/下游, kg:order is an integer. Errors name the file."""
    from rdflib import RDF, Literal, URIRef

    seg_t, chain_t = URIRef(_KG + "ChainSegment"), URIRef(_KG + "IndustryChain")
    chains = set(merged.subjects(RDF.type, chain_t))
    segments = set(merged.subjects(RDF.type, seg_t))
    for f, g in per_file:
        for s, o in g.subject_objects(URIRef(_KG + "segmentOf")):
            if o not in chains:
                raise ReferenceDataError(f"参考数据文件 {f}：环节 {s} 所属的产业链 {o} 没有定义（缺少 a kg:IndustryChain）")
        for s, o in g.subject_objects(URIRef(_KG + "next")):
            if o not in segments:
                raise ReferenceDataError(f"参考数据文件 {f}：环节 {s} 的 kg:next 指向未定义的环节 {o}")
        for s in set(g.subjects(RDF.type, seg_t)):
            if not any(True for _ in merged.objects(s, URIRef(_KG + "segmentOf"))):
                raise ReferenceDataError(f"参考数据文件 {f}：环节 {s} 没有 kg:segmentOf（不属于任何产业链）")
        for s, o in g.subject_objects(URIRef(_KG + "position")):
            if str(o) not in POSITIONS:
                raise ReferenceDataError(f"参考数据文件 {f}：环节 {s} 的 kg:position「{o}」不是 上游/中游/下游")
        for s, o in g.subject_objects(URIRef(_KG + "order")):
            if not (isinstance(o, Literal) and str(o).strip().lstrip("+-").isdigit()):
                raise ReferenceDataError(f"参考数据文件 {f}：环节 {s} 的 kg:order「{o}」不是整数")


_REF_CACHE: dict[tuple, tuple[tuple, object]] = {}
_REF_SHARED: dict[tuple, tuple[tuple, object]] = {}  # load_reference(shared=True): one copy per process
_FILE_CACHE: dict[str, tuple[tuple, object]] = {}


def _parsed(f: Path, stamp: tuple):
    """_parse_file, once per file and (mtime, size): the sets of files with and without the
    ontology share their parses (a build asks for both). The parsed graph is only read."""
    cached = _FILE_CACHE.get(str(f))
    if cached is None or cached[0] != stamp:
        _FILE_CACHE[str(f)] = cached = (stamp, _parse_file(f))
    return cached[1]


def load_reference(dirs_in: list[str | os.PathLike] | None = None, ontology: bool = True, shared: bool = False):
    """The reference data every stage uses, as one rdflib Graph (a fresh copy: callers may modify
    it). Raises ReferenceDataError (one line, file and line) for a file that cannot be read or
    parsed, or templates whose segments do not hang together. Cached by file times and sizes.
    shared: for callers that only read it, the same copy each time (made once per process: a copy
    of ~2,200 triples costs 0.05-0.1 s, and a build asked for four). It is a copy made like the
    fresh ones, so it iterates in their order (a copy of a copy would not: rdflib's store orders
    a full scan by its own indexes), and the files the build writes from it stay the same bytes."""
    import rdflib

    files = reference_files(dirs_in, ontology)
    key = (tuple(str(f) for f in files), ontology)
    stamp = tuple((f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    cached = _REF_CACHE.get(key)
    if cached is None or cached[0] != stamp:
        per_file = [(f, _parsed(f, st)) for f, st in zip(files, stamp)]
        merged = rdflib.Graph()
        for _f, g in per_file:
            for t in g:
                merged.add(t)
        _check_chains(per_file, merged)
        _REF_CACHE[key] = cached = (stamp, merged)
    if shared:
        kept = _REF_SHARED.get(key)
        if kept is None or kept[0] != stamp:
            _REF_SHARED[key] = kept = (stamp, _copy(cached[1]))
        return kept[1]
    return _copy(cached[1])


def _copy(g):
    import rdflib

    out = rdflib.Graph()
    for t in g:
        out.add(t)
    return out
