"""The canned queries return the same rows on `kg serve`'s store and on a real Oxigraph server after
`kg push --union` (the `oxigraph` PyPI package's server, loopback only)."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.cli import main
from kg.store import canned_queries, open_store, run_query

OXIGRAPH = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def oxigraph_server(tmp_path):
    def start(*flags):
        if not OXIGRAPH:
            pytest.skip("oxigraph server not installed (pip install oxigraph)")
        port = _free_port()
        proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / f"ox{port}"),
                                 "--bind", f"127.0.0.1:{port}", *flags],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).read()
                return url
            except OSError:
                time.sleep(0.1)
        pytest.fail("oxigraph server did not start")

    procs: list = []
    yield start
    for p in procs:
        p.terminate()
        p.wait(10)


def _remote(url: str, sparql: str) -> list[tuple]:
    req = urllib.request.Request(f"{url}/query", data=sparql.encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        res = json.loads(r.read())
    vs = res["head"]["vars"]
    return sorted((tuple((b.get(v) or {}).get("value") for v in vs) for b in res["results"]["bindings"]), key=_key)


def _local(store, sparql: str) -> list[tuple]:
    return sorted((tuple(r) for r in run_query(store, sparql, timeout=60).rows), key=_key)


def _key(row: tuple) -> tuple:
    return tuple("" if x is None else str(x) for x in row)  # unbound (OPTIONAL) cells sort first


MUST_HAVE_ROWS = ("chain_leaders", "gaps_by_chain", "enterprises_by_cluster_county", "facts_per_document",
                  "enterprise_profile")


@pytest.mark.parametrize("mode", ["push --union", "server --union-default-graph"])
def test_canned_queries_same_rows_on_oxigraph(seeds_out, oxigraph_server, mode, capsys):
    if mode == "push --union":
        url = oxigraph_server()
        assert main(["push", "--endpoint", f"{url}/store", "--graph", str(seeds_out), "--union", "--quiet"]) == 0
    else:
        url = oxigraph_server("--union-default-graph")
        assert main(["push", "--endpoint", f"{url}/store", "--graph", str(seeds_out), "--quiet"]) == 0
    local = open_store(seeds_out)
    for name, text in canned_queries().items():
        here, there = _local(local, text), _remote(url, text)
        if name in MUST_HAVE_ROWS:
            assert here, f"{name}: no rows locally"
        assert here == there, f"{name}: {len(here)} rows locally, {len(there)} on Oxigraph ({mode})"


def test_push_without_union_warns_and_queries_see_nothing(seeds_out, oxigraph_server, capsys):
    url = oxigraph_server()
    assert main(["push", "--endpoint", f"{url}/store", "--graph", str(seeds_out)]) == 0
    err = capsys.readouterr().err
    assert "--union" in err and "[1/" in err  # the hint, and progress per graph
    assert _remote(url, canned_queries()["chain_leaders"]) == []


def test_push_rejects_other_schemes_at_once(seeds_out, capsys):
    t0 = time.time()
    assert main(["push", "--endpoint", "ftp://127.0.0.1:1/x", "--graph", str(seeds_out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert time.time() - t0 < 5 and len(err) == 1 and "只支持 http" in err[0]


def test_push_failure_says_what_was_replaced(seeds_out, oxigraph_server, monkeypatch, capsys):
    """The third request fails: the message names the two graphs already replaced."""
    url = oxigraph_server()
    from kg import store

    real, calls = store._http, []

    def flaky(method, u, *a, **k):
        calls.append(u)
        if len(calls) == 3:
            return real(method, url + "/nowhere?graph=x", *a, **k)
        return real(method, u, *a, **k)

    monkeypatch.setattr(store, "_http", flaky)
    assert main(["push", "--endpoint", f"{url}/store", "--graph", str(seeds_out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "第 3/" in err[0] and "此前已替换 2 个图" in err[0], err
