"""The analyst notebooks run top to bottom on the built seeds graph without a cell error."""
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["01_explore.ipynb", "02_chain_leaders.ipynb", "03_gaps.ipynb", "04_sparql_cookbook.ipynb"]


def _errors(nb) -> list[str]:
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out.append(f"cell {i}: {o.get('ename')}: {o.get('evalue')}")
    return out


def test_all_notebooks_present():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)
    assert (NOTEBOOKS / "_setup.py").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, seeds_out, monkeypatch):
    # The kernel inherits this process's environment: point the notebooks at the session build.
    monkeypatch.setenv("CHAINKG_OUT", str(seeds_out))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        pytest.fail(f"{name}: {str(e)[-3000:]}")
    assert not _errors(nb), _errors(nb)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")
    assert "正在用样例语料 seeds/ 构建" not in text, "notebook rebuilt the graph instead of using CHAINKG_OUT"
    assert str(seeds_out) in text, "notebook did not report the CHAINKG_OUT folder it uses"
