"""Shared fixtures: the seeds corpus built once per test session."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory) -> Path:
    """`kg build seeds/ --out <tmp>` run once; returns the output folder."""
    from kg.cli import main

    out = tmp_path_factory.mktemp("seeds_out")
    rc = main(["build", str(SEEDS), "--out", str(out), "--quiet"])
    assert rc in (0, 1), f"kg build failed with exit code {rc}"
    return out
