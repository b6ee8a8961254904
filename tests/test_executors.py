"""kg/executors.py: extraction on a Dask cluster gives what the local path gives."""
import json
import shutil
import sys
from pathlib import Path

import pytest

from kg import executors, extract, ingest, resources
from kg.cli import main
from kg.model import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# invented texts (not from any corpus): enterprises, parks, projects, amounts, a chain leader
INVENTED = {
    "a.txt": "青禾县新材料产业园今年签约项目12个，总投资86.5亿元。其中，远帆新能源科技有限公司年产5万吨锂电池隔膜项目"
             "总投资20亿元，预计明年投产。\n县里以远帆新能源科技有限公司为链主，带动上下游企业集聚。",
    "b.txt": "据了解，石岭镇光伏产业链已集聚企业30余家。明川光电股份有限公司与青禾县人民政府签约，建设高效电池片项目，"
             "总投资15亿元。\n该项目位于青禾经济开发区。",
    "c.md": "# 招商动态\n\n1—10月，全县新开工亿元以上项目45个。北辰精密机械有限公司为明川光电股份有限公司配套生产支架。",
}


def _docs(tmp_path: Path) -> list[Document]:
    for name, text in INVENTED.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    docs, skipped = ingest.load_corpus([tmp_path])
    assert not skipped and len(docs) == len(INVENTED)
    return docs


def _json(exs) -> list[dict]:
    return [extract.to_json(e) for e in exs]


def test_batches_cover_every_document_in_order(tmp_path):
    docs = _docs(tmp_path) * 5
    for target in (1, 200, 10_000_000):
        got = executors.batches(docs, target)
        assert [i for b in got for i in b] == list(range(len(docs)))
        assert all(b for b in got)
    assert len(executors.batches(docs, 1)) == len(docs)
    assert len(executors.batches(docs, 10_000_000)) == 1


def test_local_executor_is_extract_all(tmp_path):
    docs = _docs(tmp_path)
    assert _json(executors.extract_docs(docs)) == _json(extract.extract_all(docs))


def test_dask_local_cluster_equals_local_path(tmp_path, capfd):
    """Invented documents plus one that cannot be extracted: same JSON, same warning, no crash."""
    docs = _docs(tmp_path)
    bad = Document(doc_id="broken.txt", path="", text=None, sentences=[])  # extraction raises on it
    docs.insert(1, bad)
    want = _json(extract.extract_all(docs))
    local_err = capfd.readouterr().err
    assert "警告：抽取 broken.txt 时出错" in local_err
    got = executors.extract_docs(docs, executor="dask", workers=2)
    assert _json(got) == want
    assert [e.doc for e in got] == docs  # the caller's own documents, in input order
    assert want[1]["entities"] == [] and any(d["entities"] for d in want)
    err = capfd.readouterr().err
    assert "警告：抽取 broken.txt 时出错" in err
    assert "distributed" not in err and "Traceback" not in err  # no Dask log chatter, no traceback


def test_cli_extract_dask_equals_default_on_seeds(tmp_path):
    a, b = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert main(["extract", str(SEEDS), "-o", str(a)]) == 0
    assert main(["extract", str(SEEDS), "--executor", "dask", "--workers", "2", "-o", str(b)]) == 0
    assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    assert len(a.read_text(encoding="utf-8").splitlines()) == len(list(SEEDS.glob("*.txt")))


@pytest.mark.slow
def test_scheduler_address_and_shipped_region_data(tmp_path):
    """A cluster reached by address (as on other machines): region folders outside the package
    travel by content; results equal the local path."""
    distributed = pytest.importorskip("distributed")
    (tmp_path / "docs").mkdir()
    docs = _docs(tmp_path / "docs")
    data = tmp_path / "regions"
    shutil.copytree(resources.region_dirs()[0], data / resources.region_dirs()[0].name)
    dirs = resources.expand_dirs([data])
    seeds, _ = ingest.load_corpus([SEEDS])
    docs = seeds + docs
    want = _json(extract.extract_all(docs, region_dirs=dirs))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        got = executors.extract_docs(docs, executor="dask", scheduler=cluster.scheduler_address, region_dirs=dirs)
    assert _json(got) == want


def test_unreachable_scheduler_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1)
    (tmp_path / "a.txt").write_text(INVENTED["a.txt"], encoding="utf-8")
    rc = main(["extract", str(tmp_path / "a.txt"), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("错误：无法连接 Dask 调度器 tcp://127.0.0.1:9：")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    rc = main(["extract", str(tmp_path / "a.txt"), "--scheduler", "bogus://nowhere"])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("错误：无法连接 Dask 调度器 bogus://nowhere：") and len(err.strip().splitlines()) == 1


def test_scheduler_needs_dask_executor(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(INVENTED["a.txt"], encoding="utf-8")
    assert main(["extract", str(tmp_path / "a.txt"), "--executor", "local", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "--scheduler 只用于 --executor dask" in capsys.readouterr().err


def test_missing_dask_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    (tmp_path / "a.txt").write_text(INVENTED["a.txt"], encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["build", str(tmp_path), "--out", str(out), "--quiet", "--executor", "dask"])
    err = capsys.readouterr().err
    assert rc == 2
    assert 'pip install "chainkg[dask]"' in err and len(err.strip().splitlines()) == 1
    assert not out.exists()  # nothing half-written


@pytest.mark.slow
def test_build_with_dask_writes_same_extraction_and_quads(tmp_path, seeds_out, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the analysis timestamp, the one moving part
    out, ref = tmp_path / "out", tmp_path / "ref"
    assert main(["build", str(SEEDS), "--out", str(out), "--quiet", "--executor", "dask", "--workers", "1"]) in (0, 1)
    assert main(["build", str(SEEDS), "--out", str(ref), "--quiet"]) in (0, 1)
    got = [json.loads(x) for x in (out / "extraction.jsonl").read_text(encoding="utf-8").splitlines()]
    want = [json.loads(x) for x in (seeds_out / "extraction.jsonl").read_text(encoding="utf-8").splitlines()]
    assert got == want
    assert (out / "graph.nq").read_bytes() == (ref / "graph.nq").read_bytes()


def _detonate(text: str):
    """Unpickled in a worker process: it dies, as on a segfault or the OOM killer."""
    import os

    if str(os.getpid()) != os.environ.get("KG_TEST_PARENT_PID"):
        os._exit(3)
    return _Bomb(text)  # the client and the scheduler (this process): stays a bomb


class _Bomb(str):
    def __reduce__(self):
        return (_detonate, (str(self),))


@pytest.mark.slow
def test_worker_death_loses_only_its_document(tmp_path, capfd, monkeypatch):
    import os

    dask = pytest.importorskip("dask")
    monkeypatch.setenv("KG_TEST_PARENT_PID", str(os.getpid()))  # inherited by the worker processes
    docs = _docs(tmp_path)
    docs.insert(2, Document(doc_id="bomb.txt", path="", text=_Bomb("青禾县"), sentences=[]))
    want = _json(extract.extract_all([d for d in docs if d.doc_id != "bomb.txt"]))
    capfd.readouterr()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # no retries of a killed task
        got = executors.extract_docs(docs, executor="dask", workers=1)
    assert [e.doc.doc_id for e in got] == [d.doc_id for d in docs]
    bomb = got.pop(2)
    assert not (bomb.mentions or bomb.relations or bomb.facts)
    assert _json(got) == want
    err = capfd.readouterr().err
    assert "警告：抽取 bomb.txt 时出错" in err and "Traceback" not in err
