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
    """Every region folder: the bundled ones plus folders given with --data."""
    dirs = sorted(p for p in regions_dir().iterdir() if p.is_dir()) if regions_dir().exists() else []
    for e in extra or []:
        dirs.append(Path(e))
    return dirs
