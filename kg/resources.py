"""Locate the project's data folders (ontology/, queries/) whether run from a checkout or installed."""
from __future__ import annotations

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


def ontology_dir() -> Path:
    return project_root() / "ontology"


def data_dir() -> Path:
    return ontology_dir() / "data"


def templates_dir() -> Path:
    return ontology_dir() / "templates"


def regions_dir() -> Path:
    return ontology_dir() / "regions"


def queries_dir() -> Path:
    return project_root() / "queries"


def region_dirs(extra: list[str | os.PathLike] | None = None) -> list[Path]:
    """Every region folder: the bundled ones plus folders given with --data."""
    dirs = sorted(p for p in regions_dir().iterdir() if p.is_dir()) if regions_dir().exists() else []
    for e in extra or []:
        dirs.append(Path(e))
    return dirs
