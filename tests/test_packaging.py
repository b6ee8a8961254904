"""Packaging: every data file under ontology/ and queries/ is shipped by the package-data globs,
the license is an SPDX expression, and the data folders are found through importlib.resources."""
from __future__ import annotations

import tomllib
from pathlib import Path

from kg import resources

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _shipped(package: str) -> tuple[Path, set[Path]]:
    st = PYPROJECT["tool"]["setuptools"]
    folder = ROOT / st["package-dir"][package]
    files = {p for pat in st["package-data"][package] for p in folder.glob(pat) if p.is_file()}
    return folder, files


def test_every_data_file_is_package_data():
    for pkg in ("kg.ontology", "kg.queries"):
        assert pkg in PYPROJECT["tool"]["setuptools"]["packages"]
        folder, shipped = _shipped(pkg)
        data = {p for p in folder.rglob("*") if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts}
        assert data - shipped == set(), f"not shipped: {sorted(str(p) for p in data - shipped)}"


def test_spdx_license():
    assert PYPROJECT["project"]["license"] == "MIT"


def test_resources_found():
    assert (resources.ontology_dir() / "chainkg.ttl").is_file()
    assert (resources.data_dir() / "extract_lexicon.json").is_file()
    assert sorted(resources.queries_dir().glob("*.rq"))


def test_packaged_data_preferred(tmp_path, monkeypatch):
    """An installed package (kg/ontology inside the package) wins over folders beside it."""
    (tmp_path / "kg" / "ontology").mkdir(parents=True)
    (tmp_path / "kg" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.delenv("CHAINKG_HOME", raising=False)
    import importlib.resources as ir

    monkeypatch.setattr(ir, "files", lambda pkg: tmp_path / pkg)
    resources._data_root.cache_clear()
    try:
        assert resources.ontology_dir() == tmp_path / "kg" / "ontology"
        assert resources.queries_dir() == ROOT / "queries"  # not packaged there: the checkout
    finally:
        resources._data_root.cache_clear()
