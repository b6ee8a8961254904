"""`kg build --out` is one transaction: kill -9, disk full and concurrent builds leave OUT wholly old or
wholly new (checked against manifest.json, written last), stale temp folders are cleaned up."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.cli import main
from kg.util import check_manifest

ROOT = Path(__file__).resolve().parents[1]

# short texts written for these tests
CORPUS_A = {
    "a1.txt": "长治市潞城区的山西示例化工有限公司投资20亿元建设年产10万吨甲醇项目。\n该项目位于潞城经济技术开发区。",
    "a2.txt": "长治高新区签约光电项目5个，山西示例光电科技有限公司是光电LED产业链的链主企业。",
}
CORPUS_B = {
    "b1.txt": "屯留区的山西样例新能源有限公司投资8亿元建设年产2万吨锂电池正极材料项目。",
    "b2.txt": "襄垣县与山西样例装备制造有限公司签约，建设智能装备产业园。",
    "b3.txt": "长治市推进氢能产业链延链补链，山西样例氢能有限公司年产燃料电池1000套。",
}


def _corpus(tmp: Path, name: str, files: dict[str, str]) -> Path:
    d = tmp / name
    d.mkdir()
    for n, t in files.items():
        (d / n).write_text(t, encoding="utf-8")
    return d


def _inputs(out: Path) -> set[str]:
    return set(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"])


def _assert_whole(out: Path, allowed: list[set[str]]) -> set[str]:
    assert out.is_dir(), "output folder missing"
    assert check_manifest(out) == [], check_manifest(out)
    got = _inputs(out)
    assert got in allowed, got
    return got


def _build_cmd(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "build", str(src), "--out", str(out), "--quiet"]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*") if p.is_dir())


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tx")
    a, b = _corpus(tmp, "A", CORPUS_A), _corpus(tmp, "B", CORPUS_B)
    return tmp, a, b


def _kill_runs(tmp: Path, a: Path, b: Path, n: int, seed: int) -> list[tuple[float, str]]:
    out = tmp / f"out{n}"
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    sets = [set(CORPUS_A), set(CORPUS_B)]
    _assert_whole(out, sets)
    t0 = time.monotonic()  # one uninterrupted build of B to learn how long a build takes
    assert subprocess.run(_build_cmd(b, out), capture_output=True).returncode in (0, 1)
    full = time.monotonic() - t0
    _assert_whole(out, [sets[1]])
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    rng = random.Random(seed)
    results = []
    for _ in range(n):
        before = _inputs(out)
        src = b if before == sets[0] else a
        delay = rng.uniform(0.5, 1.1) * full  # weighted towards the end, where the swap happens
        proc = subprocess.Popen(_build_cmd(src, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = _assert_whole(out, sets)
        results.append((round(delay / full, 2), "old" if got == before else "new"))
    # the next build removes what the killed ones left behind
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    _assert_whole(out, [sets[0]])
    assert _leftovers(out) == []
    return results


def test_kill9_short(corpora):
    tmp, a, b = corpora
    res = _kill_runs(tmp, a, b, 3, seed=1)
    print("kill -9 (fraction of build time, result):", res)


def _kill_at_swap(tmp: Path, a: Path, b: Path, n: int) -> list[str]:
    """Kill -9 the moment the manifest (written last, just before the swap) appears in the temp
    folder, plus 0-250 ms: fsync, then the exchange of the folders."""
    out = tmp / f"swap{n}"
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    sets, results, rng = [set(CORPUS_A), set(CORPUS_B)], [], random.Random(3)
    for _ in range(n):
        before = _inputs(out)
        src = b if before == sets[0] else a
        proc = subprocess.Popen(_build_cmd(src, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(out.parent.glob(f".{out.name}.build-*/manifest.json")):
                time.sleep(rng.uniform(0, 0.25))
                break
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = _assert_whole(out, sets)
        results.append("old" if got == before else "new")
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    assert _leftovers(out) == []
    return results


@pytest.mark.slow
def test_kill9_at_the_swap(corpora):
    tmp, a, b = corpora
    res = _kill_at_swap(tmp, a, b, 10)
    print("kill -9 at the swap:", res)


@pytest.mark.slow
def test_kill9_ten_times(corpora):
    tmp, a, b = corpora
    res = _kill_runs(tmp, a, b, 10, seed=7)
    print("kill -9 (fraction of build time, result):", res)
    assert len(res) == 10


def test_concurrent_build_fails_fast(corpora):
    tmp, a, b = corpora
    out = tmp / "conc"
    p1 = subprocess.Popen(_build_cmd(a, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p2 = subprocess.Popen(_build_cmd(b, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    r1, r2 = p1.communicate(timeout=300), p2.communicate(timeout=300)
    codes = sorted([p1.returncode, p2.returncode])
    loser_err = r1[1] if p1.returncode == 2 else r2[1]
    assert codes[1] == 2 and codes[0] in (0, 1), (codes, r1[1], r2[1])
    assert "另一个 kg build 正在写入" in loser_err
    assert len(loser_err.strip().splitlines()) == 1
    _assert_whole(out, [set(CORPUS_A), set(CORPUS_B)])
    assert _leftovers(out) == []


def test_failed_build_keeps_old_output(corpora, monkeypatch, capsys):
    """Disk full while writing the store: the previous output stays, the temp folder goes."""
    tmp, a, b = corpora
    out = tmp / "diskfull"
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    from kg import store

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "store_from_graph", full)
    assert main(["build", str(b), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：")
    _assert_whole(out, [set(CORPUS_A)])
    assert _leftovers(out) == []


def test_real_write_failure_keeps_old_output(corpora):
    """A file-size limit (RLIMIT_FSIZE: writes fail with EFBIG, as on a full disk) mid-build."""
    import resource

    tmp, a, b = corpora
    out = tmp / "fsize"
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))

    r = subprocess.run(_build_cmd(b, out), capture_output=True, text=True, preexec_fn=limit)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "保持上一次的完整输出" in err[0], r.stderr
    _assert_whole(out, [set(CORPUS_A)])
    assert _leftovers(out) == []


def test_stale_temp_folders_removed_and_foreign_folder_refused(corpora, capsys):
    tmp, a, _b = corpora
    out = tmp / "stale"
    stale = [tmp / ".stale.build-dead1", tmp / ".stale.old-99"]
    for s in stale:
        (s / "store").mkdir(parents=True)
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    assert not any(s.exists() for s in stale)
    _assert_whole(out, [set(CORPUS_A)])
    foreign = tmp / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert main(["build", str(a), "--out", str(foreign), "--quiet"]) == 2
    assert "不是 kg build 的输出" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert main(["build", str(a), "--out", str(a), "--quiet"]) == 2  # would replace the input itself


def test_analyze_is_a_transaction_too(corpora, capsys):
    tmp, a, _b = corpora
    out = tmp / "analyze"
    assert main(["build", str(a), "--out", str(out), "--quiet"]) in (0, 1)
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert main(["analyze", str(out)]) == 0
    _assert_whole(out, [set(CORPUS_A)])
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert after["inputs"] == before["inputs"] and "analyzed" in after
    assert _leftovers(out) == []


def test_a_worker_left_running_does_not_hold_the_output(tmp_path):
    """A build's worker processes are forked inside its transaction: they must not keep the output's
    lock (a build killed with its workers still running left the folder locked for every later build),
    and they end with the process that started them."""
    import multiprocessing as mp
    import os

    from kg.util import OutputBusy, OutputTransaction

    out = tmp_path / "out"
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    with OutputTransaction(out) as tx:
        child = ctx.Process(target=lambda: (ready.set(), time.sleep(30)))
        child.start()
        assert ready.wait(10)
        try:
            os.close(tx._lock_fd)  # the build ends (as if killed) while its worker sleeps on
            tx._lock_fd = None
            with OutputTransaction(out):
                pass
        except OutputBusy:
            pytest.fail("the worker held the lock")
        finally:
            child.kill()
            child.join()
    # die_with_parent: a worker whose parent is gone ends too (the parent here: a short-lived process)
    probe = tmp_path / "orphan.pid"
    code = (f"import multiprocessing as mp, os, time\n"
            f"from kg.util import die_with_parent\n"
            f"def run():\n    die_with_parent()\n    open({str(probe)!r}, 'w').write(str(os.getpid()))\n    time.sleep(30)\n"
            f"if __name__ == '__main__':\n    mp.get_context('fork').Process(target=run).start()\n    time.sleep(1)\n    os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
    pid = int(probe.read_text())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")
