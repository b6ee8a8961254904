"""`kg serve` under attack and load, on loopback only: SIGTERM/SIGINT/kill -9, SERVICE (SSRF),
data-independent heavy queries, CSRF on --writable, body limit, slow clients, connection cap,
malformed input, protocol datasets, OPTIONS/CORS; and a bounded load test (16 clients)."""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from kg.store import build_store, canned_queries, uses_service
from test_store import Running, http, sparql_get, write_sample_out

KGR = "https://w3id.org/chainkg/id/"
TOKEN = "attack-test-token"
HEAVY = ("ASK { VALUES ?a { " + " ".join(map(str, range(400))) + " } VALUES ?b { "
         + " ".join(map(str, range(400))) + " } VALUES ?c { " + " ".join(map(str, range(400)))
         + " } FILTER(?a * ?b * ?c < 0) }")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("attack_out")
    write_sample_out(d)
    return d


def _raw(url: str, data: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes to the server, return what it answers (until it closes)."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except (ConnectionResetError, socket.timeout):
            pass
    return b"".join(chunks)


def _status(resp: bytes) -> int:
    return int(resp.split(b" ", 2)[1]) if resp.startswith(b"HTTP/") else 0


# ---------------------------------------------------------------- process lifecycle

def _children(pid: int) -> list[int]:
    kids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(p.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_server(out: Path, *extra: str):
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--graph", str(out), "--port", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "http://" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
    url = line.split("http://", 1)[1].split()[0]
    return proc, line, "http://" + url.rsplit("/sparql", 1)[0]


def _port_free(url: str) -> bool:
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as s:  # nobody listens: connecting is refused
        if s.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))  # and a restart could bind it
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_workers_and_frees_port(out, sig):
    proc, line, url = _start_server(out)
    try:
        assert line.count("http://") == 1, "one endpoint URL printed"
        # two overlapping queries: at least two forked workers
        th = threading.Thread(target=sparql_get, args=(url, "SELECT * { ?s ?p ?o } LIMIT 5"))
        th.start()
        assert sparql_get(url, "ASK { ?s ?p ?o }")[0] == 200
        th.join()
        workers = _children(proc.pid)
        assert workers, "no query worker was forked"
        proc.send_signal(sig)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.time() + 5
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "a worker survived the server"
    assert _port_free(url)


def test_port_in_use_is_one_line(out):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--graph", str(out), "--port", str(port)],
                           capture_output=True, text=True, timeout=60)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "端口已被占用" in err[0], r.stderr


def test_kill9_server_workers_exit(out):
    proc, _line, url = _start_server(out)
    assert sparql_get(url, "ASK { ?s ?p ?o }")[0] == 200
    workers = _children(proc.pid)
    assert workers
    proc.kill()
    proc.wait(5)
    deadline = time.time() + 5
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers), "orphaned worker kept running"
    assert _port_free(url)


# ---------------------------------------------------------------- SERVICE (SSRF)

SERVICE_VARIANTS = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:{port}/x> { ?s ?p ?o } }",
    "SELECT * WHERE { # comment }\n \\u0053ERVICE <http://127.0.0.1:{port}/x> { ?s ?p ?o } }",
    "PREFIX x: <http://e/>\nSELECT * WHERE { ?a x:p ?b . SERVICE\t<http://127.0.0.1:{port}/> { ?s ?p ?o } }",
]


def test_service_detection():
    for q in SERVICE_VARIANTS:
        assert uses_service(q.replace("{port}", "1")), q
    for q in ['SELECT ("SERVICE" AS ?x) {}', "SELECT * { <http://x/service> ?p ?o }",
              "PREFIX ex: <http://e/>\nSELECT * { ?s ex:service ?o } # SERVICE <http://x/>"]:
        assert not uses_service(q), q


def test_service_refused_without_outbound_request(out):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    try:
        with Running(out / "store", timeout=3) as s:
            for q in SERVICE_VARIANTS:
                code, _, body = sparql_get(s.url, q.replace("{port}", str(port)))
                assert code == 400 and "SERVICE" in body, (q, code, body)
            assert select.select([listener], [], [], 1.0)[0] == [], "the server connected out"
        # the same query with --allow-service does reach the loopback listener: the check above can fail
        with Running(out / "store", timeout=2, allow_service=True) as s:
            th = threading.Thread(target=sparql_get, args=(s.url, SERVICE_VARIANTS[0].replace("{port}", str(port))))
            th.start()
            assert select.select([listener], [], [], 5)[0] == [listener]
            conn, _ = listener.accept()
            conn.close()
            th.join(10)
    finally:
        listener.close()


# ---------------------------------------------------------------- heavy queries

def test_heavy_data_independent_query_times_out_and_others_proceed(out):
    with Running(out / "store", timeout=1.5) as s:
        results = {}

        def heavy(i):
            t0 = time.time()
            results[i] = (sparql_get(s.url, HEAVY)[0], time.time() - t0)

        ths = [threading.Thread(target=heavy, args=(i,)) for i in range(2)]
        for t in ths:
            t.start()
        time.sleep(0.3)
        t0 = time.time()
        code, _, body = sparql_get(s.url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        light = time.time() - t0
        for t in ths:
            t.join(20)
        assert code == 200 and light < 1.5, (code, light)
        assert all(c == 503 and took < 5 for c, took in results.values()), results


# ---------------------------------------------------------------- --writable: token and CSRF

@pytest.fixture()
def writable(out, tmp_path):
    build_store(out, tmp_path / "w")
    with Running(tmp_path / "w", read_only=False, timeout=5, token=TOKEN) as s:
        yield s


def _count(url) -> str:
    code, _, body = sparql_get(url, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    assert code == 200
    return json.loads(body)["results"]["bindings"][0]["n"]["value"]


def test_writable_refuses_csrf_and_missing_token(writable):
    url = writable.url
    before = _count(url)
    form = b"update=DROP+ALL"
    ctype = {"Content-Type": "application/x-www-form-urlencoded"}
    assert http("POST", f"{url}/sparql", form, {**ctype, "Origin": "http://evil.example"})[0] == 403
    assert http("POST", f"{url}/sparql", form, {**ctype, "Origin": "http://evil.example",
                                                "Authorization": f"Bearer {TOKEN}"})[0] == 403
    assert http("POST", f"{url}/sparql", form, {**ctype, "Sec-Fetch-Site": "cross-site"})[0] == 403
    assert http("POST", f"{url}/sparql", form, ctype)[0] == 401
    assert http("POST", f"{url}/sparql", form, {**ctype, "Authorization": "Bearer wrong"})[0] == 401
    assert http("PUT", f"{url}/store?graph=urn:x", b"<urn:a> <urn:b> <urn:c> .", {"Content-Type": "text/turtle"})[0] == 401
    assert http("DELETE", f"{url}/store?graph={urllib.parse.quote(KGR + 'graph/analysis', safe='')}")[0] == 401
    auth = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    code, _, body = http("POST", f"{url}/sparql", b"LOAD <http://127.0.0.1:9/x.ttl>", auth)
    assert code == 400 and "LOAD" in body  # no outbound fetch from an update either
    assert _count(url) == before, "a refused write changed the store"
    ok = http("POST", f"{url}/sparql", b"INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
              {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
    assert ok[0] == 204 and int(_count(url)) == int(before) + 1


def test_writable_timeouts_stop_the_query(out, tmp_path):
    """On --writable too, a timed-out query is killed (worker re-opening the store read-only),
    not left running in a thread; writes are visible to the next query at once."""
    build_store(out, tmp_path / "w3")
    with Running(tmp_path / "w3", read_only=False, timeout=1, token=TOKEN) as s:
        for _ in range(3):  # more than the old limit of abandoned threads
            code, _, body = sparql_get(s.url, HEAVY)
            assert code == 503 and "已停止" in body, body
        auth = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
        before = int(_count(s.url))
        assert http("POST", f"{s.url}/sparql", b"INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }", auth)[0] == 204
        assert int(_count(s.url)) == before + 1


def test_writable_cli_prints_token(out, tmp_path):
    build_store(out, tmp_path / "w2" / "store")
    (tmp_path / "w2" / "graph.trig").write_text("", encoding="utf-8")
    env = {**os.environ, "KG_SERVE_TOKEN": "from-env-token"}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--graph", str(tmp_path / "w2"), "--port", "0",
                             "--writable"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
        assert first.count("http://") == 1 and "可写" in first
        assert "from-env-token" in second and "KG_SERVE_TOKEN" in second
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


# ---------------------------------------------------------------- limits and malformed input

def test_body_limit(out):
    with Running(out / "store", timeout=5, max_body=1024) as s:
        host = s.url[len("http://"):]
        t0 = time.time()
        resp = _raw(s.url, f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
                           f"Content-Length: 200000000\r\n\r\nASK {{}}".encode())
        assert _status(resp) == 413 and time.time() - t0 < 3
        code, _, _ = http("POST", f"{s.url}/sparql", b"ASK {} #" + b"x" * 2000, {"Content-Type": "application/sparql-query"})
        assert code == 413
        assert sparql_get(s.url, "ASK { ?s ?p ?o }")[0] == 200


def test_slow_client_dropped_and_connection_cap(out):
    with Running(out / "store", timeout=5, idle_timeout=1, max_threads=2) as s:
        host, port = s.url[len("http://"):].split(":")
        slow = [socket.create_connection((host, int(port))) for _ in range(2)]
        for c in slow:
            c.sendall(b"GET /sparql?query=ASK")  # never finishes the request line
        time.sleep(0.3)
        assert sparql_get(s.url, "ASK { ?s ?p ?o }")[0] == 503  # both slots held: refused at once
        t0 = time.time()
        for c in slow:
            c.settimeout(5)
            try:
                assert c.recv(100) == b""  # closed by the server
            except socket.timeout:
                pytest.fail("slow client was not dropped by the idle timeout")
            c.close()
        assert time.time() - t0 < 4, "slow clients were not dropped by the idle timeout"
        time.sleep(0.2)
        assert sparql_get(s.url, "ASK { ?s ?p ?o }")[0] == 200


def test_trickling_client_dropped(out):
    """One header byte every 0.3 s never trips the 1 s idle timeout; the header deadline (2 s) does,
    while the client is still sending."""
    with Running(out / "store", timeout=5, idle_timeout=1) as s:
        host, port = s.url[len("http://"):].split(":")
        c = socket.create_connection((host, int(port)))
        t0, closed_at = time.time(), None
        try:
            while time.time() - t0 < 6 and closed_at is None:
                c.sendall(b"a" if time.time() - t0 > 0.5 else b"GET /sparql?query=ASK HTTP/1.1\r\nX-Slow: ")
                time.sleep(0.3)
                if select.select([c], [], [], 0)[0]:  # EOF or an error answer: the server ended it
                    c.recv(4096)
                    closed_at = time.time() - t0
        except (BrokenPipeError, ConnectionResetError):
            closed_at = time.time() - t0
        c.close()
        assert closed_at is not None and closed_at < 4, f"trickling client kept its connection ({closed_at})"
        assert sparql_get(s.url, "ASK { ?s ?p ?o }")[0] == 200


def test_malformed_requests_get_400(out):
    with Running(out / "store", timeout=5) as s:
        qs = {"Content-Type": "application/sparql-query"}
        assert http("POST", f"{s.url}/sparql", b"ASK { \xff\xfe }", qs)[0] == 400
        assert http("POST", f"{s.url}/sparql", b"query=%FF%FE", {"Content-Type": "application/x-www-form-urlencoded"})[0] == 400
        assert http("POST", f"{s.url}/sparql", b"query=\xff", {"Content-Type": "application/x-www-form-urlencoded"})[0] == 400
        assert http("GET", f"{s.url}/sparql?query=%FF%FE")[0] == 400
        host = s.url[len("http://"):]
        assert _status(_raw(s.url, f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\n".encode())) == 400
        assert b"400" in _raw(s.url, b"\x16\x03\x01garbage\r\n\r\n")  # answered as HTTP/0.9: body only
        assert http("GET", f"{s.url}/sparql?query=ASK{{}}&default-graph-uri=not%20an%20iri")[0] == 400
        assert sparql_get(s.url, "ASK { ?s ?p ?o }")[0] == 200


def test_protocol_dataset_honoured(out):
    ref, ana = KGR + "graph/reference", KGR + "graph/analysis"
    q = urllib.parse.quote
    with Running(out / "store", timeout=5) as s:
        def n(extra, query="SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"):
            code, _, body = http("GET", f"{s.url}/sparql?query={q(query)}{extra}")
            assert code == 200, body
            return json.loads(body)["results"]["bindings"]

        total = int(n("")[0]["n"]["value"])
        only_ref = int(n(f"&default-graph-uri={q(ref, safe='')}")[0]["n"]["value"])
        in_ref = int(n("", f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{ref}> {{ ?s ?p ?o }} }}")[0]["n"]["value"])
        assert only_ref == in_ref and 0 < only_ref < total
        graphs = n(f"&named-graph-uri={q(ana, safe='')}", "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")
        assert [b["g"]["value"] for b in graphs] == [ana]


def test_options_and_cors(out):
    with Running(out / "store", timeout=5, cors=("http://ok.example",)) as s:
        resp = _raw(s.url, b"OPTIONS /sparql HTTP/1.0\r\nOrigin: http://ok.example\r\n\r\n").decode()
        assert _status(resp.encode()) == 204 and "Allow: GET, HEAD, POST, OPTIONS" in resp
        assert "Access-Control-Allow-Origin: http://ok.example" in resp
        resp = _raw(s.url, b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nOrigin: http://evil.example\r\n\r\n").decode()
        assert _status(resp.encode()) == 200 and "Access-Control-Allow-Origin" not in resp
    with Running(out / "store", timeout=5) as s:  # default: no CORS at all
        resp = _raw(s.url, b"GET /sparql?query=ASK%7B%7D HTTP/1.0\r\nOrigin: http://ok.example\r\n\r\n").decode()
        assert "Access-Control-Allow-Origin" not in resp


# ---------------------------------------------------------------- load (loopback, bounded)

MAX_REQUESTS = 20000  # the load test is bounded in count as well as in time


def _load(url: str, clients: int, seconds: float) -> dict:
    queries = [v for k, v in sorted(canned_queries().items()) if k != "facts_per_document"]
    lat, errors, stop = [], [], time.time() + seconds
    lock = threading.Lock()

    def client(i):
        j = i
        while time.time() < stop and len(lat) + len(errors) < MAX_REQUESTS:
            t0 = time.perf_counter()
            code, _, body = sparql_get(url, queries[j % len(queries)])
            dt = time.perf_counter() - t0
            with lock:
                (lat if code == 200 else errors).append(dt if code == 200 else (code, body[:100]))
            j += 1

    ths = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(seconds + 60)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
    return {"requests": len(lat) + len(errors), "errors": errors[:5], "error_count": len(errors),
            "qps": round(len(lat) / seconds, 1), "p50_ms": round(pct(0.5), 1), "p99_ms": round(pct(0.99), 1)}


def _load_test(seeds_out: Path, clients: int, seconds: float) -> dict:
    proc, _line, url = _start_server(seeds_out)
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    try:
        r = _load(url, clients, seconds)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    print(f"\nload {clients} clients × {seconds:g} s: {r}")
    assert r["error_count"] == 0, r["errors"]
    assert r["requests"] > clients
    return r


def test_load_short(seeds_out):
    r = _load_test(seeds_out, 16, 3)
    assert r["p99_ms"] < 5000


@pytest.mark.slow
def test_load_16_clients_20_seconds(seeds_out):
    r = _load_test(seeds_out, 16, 20)
    assert r["p99_ms"] < 5000
