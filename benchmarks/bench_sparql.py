"""SPARQL benchmark: ~1M synthetic triples shaped like chainkg's graph (not a test).

    python benchmarks/bench_sparql.py [--scale 1.0] [--runs 5] [--rdflib-scale 0.05] [--rdflib-timeout 60]

1. Generates OUT/graph.nq: enterprises, projects, parks, places, clusters, chains, segments,
   products, one named graph per document with sentences, mentions and statement nodes
   (rdf:subject/predicate/object -> prov:wasDerivedFrom sentence), plus reference and analysis
   graphs (ChainLeaderAssessment, Gap), as the RDF contract in docs/ARCHITECTURE.md describes.
2. Loads it three ways: kg.store.build_store (pyoxigraph bulk_load into a persistent store),
   pyoxigraph in-memory bulk_load, and rdflib Dataset over oxrdflib's Oxigraph store
   (parse with the ox-nquads parser, i.e. its fastest path).
3. Times every canned query (queries/*.rq): median of --runs on the embedded store
   (run_query without timeout, and one run through the forked timeout path), one run through
   oxrdflib, and one run with rdflib's own in-memory SPARQL engine on a SMALLER graph
   (--rdflib-scale of the size; rdflib is far slower) with a per-query time cap.

Recorded 2026-11-25 (2-CPU shared machine; 1,094,366 quads, 1,502 graphs; ms):
  load: build_store 24 s, in-memory bulk_load 7.8 s, oxrdflib 6.3 s, rdflib parse 57k quads 2.7-5 s
  query                                      rows    disk  memory +timeout oxrdflib  rdflib(57k quads)
  chain_leaders                                90      49     6.6      203*      25     403
  enterprise_profile                            9    11.5     6.7     20.6        9     >60 s
  enterprises_by_cluster_county             24409   5,421     928    5,356    1,944   1,275 (1137 rows)
  gaps_by_chain                               144      78    13.9     67.7       33     562
  projects_over_amount_by_park              28918   5,295   1,043    5,254    3,148   1,408 (1167 rows)
  facts_per_document (all documents)        93625  36,471   4,183   34,240   12,425  11,120 (4652 rows)
  facts_per_document [1 document]              56    20.3     3.9     30.0        9     360
  enterprises_by_cluster_county [1 cluster]  2795     458     192      466      291     170 (93 rows)
  * first timed query forks the worker pool of a ~3 GB benchmark process; later ones reuse it.
  Selective queries (one enterprise, one document, leaders, gaps) are < 100 ms in memory; the
  full listings return 25k-95k rows; their time grows with the rows returned (~40 us/row in memory).
"""
from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.store import build_store, canned_queries, open_store, run_query  # noqa: E402
from kg.util import KG, KGR, entity_iri  # noqa: E402

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"

SURNAMES = "华烨 晋能 潞安 长钢 凯通 恒泰 鑫源 宏达 瑞丰 金石 中科 天脊 清慧 光电 锦程 海纳 博瑞 安泰 东方 新宇".split()
INDUSTRY = "电子 化工 新材料 装备 能源 科技 生物 医药 钢铁 焦化 光伏 氢能 锂电 半导体 机械 物流".split()
SUFFIX = ["有限公司", "集团有限公司", "股份有限公司", "科技有限公司"]
CLUSTERS = ["现代煤化工", "装备制造", "新材料", "光电", "生物医药", "新能源", "特色钢铁", "节能环保", "文化旅游"]
SEGMENTS = ["原料", "衬底", "外延", "芯片", "封装", "材料", "设备", "应用"]
POS = ["上游", "上游", "中游", "中游", "中游", "下游", "下游", "下游"]


def iri(s: str) -> str:
    return f"<{s}>"


def lit(v: str, lang: str | None = "zh", dt: str | None = None) -> str:
    v = v.replace("\\", "\\\\").replace('"', '\\"')
    if dt:
        return f'"{v}"^^<{dt}>'
    return f'"{v}"@{lang}' if lang else f'"{v}"'


def generate(path: Path, scale: float = 1.0, seed: int = 7) -> int:
    """Write an N-Quads file of about 1M*scale quads; returns the number written."""
    rnd = random.Random(seed)
    n_ent = int(22000 * scale)
    n_proj = int(8000 * scale)
    n_docs = max(int(1500 * scale), 2)
    n_parks = max(int(150 * scale), 5)
    n_counties = max(int(120 * scale), 5)
    n_prod = max(int(1500 * scale), 5)
    lines: list[str] = []
    count = 0
    out = path.open("w", encoding="utf-8")

    def q(s, p, o, g):
        nonlocal count
        lines.append(f"{s} {p} {o} {g} .\n")
        count += 1
        if len(lines) >= 100000:
            out.writelines(lines)
            lines.clear()

    a, label = iri(RDF + "type"), iri(RDFS + "label")
    pref, alt = iri(SKOS + "prefLabel"), iri(SKOS + "altLabel")
    K = lambda x: iri(KG + x)  # noqa: E731
    ref = iri(KGR + "graph/reference")
    ana = iri(KGR + "graph/analysis")

    def entity(t, name, g):
        e = iri(entity_iri(t, name))
        q(e, a, K(t), g)
        q(e, label, lit(name), g)
        q(e, pref, lit(name), g)
        return e

    cities = [entity("City", f"{c}市", ref) for c in ["长治", "太原", "晋城", "临汾", "运城", "大同", "阳泉", "吕梁"]]
    counties = []
    for i in range(n_counties):
        c = entity("County", f"第{i}区" if i else "潞城区", ref)
        q(c, K("locatedIn"), rnd.choice(cities), ref)
        counties.append(c)
    clusters, chains, segs = [], [], {}
    for name in CLUSTERS:
        cl = entity("IndustryCluster", f"{name}产业集群", ref)
        q(cl, K("tier"), lit("千亿级" if name == "现代煤化工" else "百亿级", None), ref)
        clusters.append(cl)
        for k in range(2):
            ch = entity("IndustryChain", f"{name}{'' if k == 0 else '配套'}产业链", ref)
            q(ch, K("forCluster"), cl, ref)
            chains.append(ch)
            segs[ch] = []
            for j, sname in enumerate(SEGMENTS):
                sg = entity("ChainSegment", f"{name}{'' if k == 0 else '配套'}产业链/{sname}", ref)
                q(sg, K("segmentOf"), ch, ref)
                q(sg, K("position"), lit(POS[j], None), ref)
                segs[ch].append(sg)
    parks = []
    for i in range(n_parks):
        p = entity("Park", f"第{i}工业园区" if i else "长治高新区", ref)
        q(p, K("locatedIn"), rnd.choice(counties), ref)
        parks.append(p)

    # documents: entities and relations extracted, with provenance
    ent_names = ["山西高科华烨电子集团有限公司"] + [
        f"{rnd.choice(SURNAMES)}{rnd.choice(INDUSTRY)}{i}{rnd.choice(SUFFIX)}" for i in range(1, n_ent)]
    ents = [iri(entity_iri("Enterprise", n)) for n in ent_names]
    prods = [iri(entity_iri("Product", f"产品{i}")) for i in range(n_prod)]
    projs = [iri(entity_iri("Project", f"年产{i}万吨项目")) for i in range(n_proj)]
    declared: set = set()
    rels_per_doc = (n_ent * 5 + n_proj * 3) // n_docs + 1
    ent_cursor = proj_cursor = 0
    for d in range(n_docs):
        doc_id = f"{d:04d}_{hashlib.sha1(str(d).encode()).hexdigest()[:16]}.txt"
        g = iri(KGR + f"graph/{doc_id}")
        doc = iri(KGR + f"doc/{doc_id}")
        q(doc, a, K("Document"), g)
        q(doc, a, iri(PROV + "Entity"), g)
        q(doc, iri(DCT + "title"), lit(doc_id, None), g)
        q(doc, K("sha256"), lit(hashlib.sha256(doc_id.encode()).hexdigest(), None), g)
        n_sent = 25
        sents = []
        for si in range(n_sent):
            s = iri(KGR + f"doc/{doc_id}/s{si}")
            q(s, a, K("Sentence"), g)
            q(s, K("text"), lit(f"第{d}篇第{si}句：某企业在某园区投资建设项目，总投资{rnd.randint(1, 90)}亿元。", None), g)
            q(s, K("startOffset"), lit(str(si * 40), None, XSD + "integer"), g)
            q(s, iri(DCT + "isPartOf"), doc, g)
            sents.append(s)

        def declare(e, t, name):
            if e in declared:
                return
            declared.add(e)
            q(e, a, K(t), g)
            q(e, label, lit(name), g)
            q(e, pref, lit(name), g)

        def fact(s, p, o, si):
            q(s, p, o, g)
            st = iri(KGR + "stmt/" + hashlib.sha1(f"{s}{p}{o}".encode()).hexdigest()[:16])
            q(st, a, K("Assertion"), g)
            q(st, a, iri(RDF + "Statement"), g)
            q(st, iri(RDF + "subject"), s, g)
            q(st, iri(RDF + "predicate"), p, g)
            q(st, iri(RDF + "object"), o, g)
            q(st, iri(PROV + "wasDerivedFrom"), sents[si], g)
            q(st, K("confidence"), lit("0.9", None, XSD + "decimal"), g)

        for _ in range(rels_per_doc // 8 + 1):
            i = ent_cursor % n_ent if rnd.random() < 0.7 else rnd.randrange(n_ent)
            ent_cursor += 1
            e, name = ents[i], ent_names[i]
            declare(e, "Enterprise", name)
            si = rnd.randrange(n_sent)
            m = iri(KGR + f"doc/{doc_id}/m{si * 40}-{si * 40 + len(name)}")
            q(m, a, K("Mention"), g)
            q(m, K("text"), lit(name, None), g)
            q(m, K("inSentence"), sents[si], g)
            q(m, K("denotes"), e, g)
            q(e, K("mention"), m, g)
            fact(e, K("locatedIn"), rnd.choice(counties + parks), si)
            fact(e, K("belongsToCluster"), rnd.choice(clusters), si)
            if rnd.random() < 0.5:
                fact(e, K("belongsToChain"), rnd.choice(chains), si)
            if rnd.random() < 0.4:
                pr = rnd.randrange(n_prod)
                declare(prods[pr], "Product", f"产品{pr}")
                fact(e, K("produces"), prods[pr], si)
            if rnd.random() < 0.3:
                fact(e, K("suppliesTo"), ents[rnd.randrange(n_ent)], si)
            if rnd.random() < 0.2:
                fact(e, K("signedWith"), ents[rnd.randrange(n_ent)], si)
            if rnd.random() < 0.6:
                j = proj_cursor % n_proj
                proj_cursor += 1
                pj = projs[j]
                declare(pj, "Project", f"年产{j}万吨项目")
                fact(e, K("implements"), pj, si)
                amt = rnd.choice([3, 5, 8, 12, 20, 50, 100, 150]) * 100_000_000
                fact(pj, K("investmentAmount"), lit(str(amt), None, XSD + "decimal"), si)
                q(pj, K("investmentText"), lit(f"{amt // 100_000_000}亿元", None), g)
                fact(pj, K("locatedIn"), rnd.choice(parks), si)
        # the other entities referenced must be declared somewhere: done in reference/analysis below
    for i, (e, name) in enumerate(zip(ents, ent_names)):
        if e not in declared:
            declared.add(e)
            q(e, a, K("Enterprise"), ref)
            q(e, label, lit(name), ref)
    for pr in range(n_prod):
        if prods[pr] not in declared:
            q(prods[pr], a, K("Product"), ref)
            q(prods[pr], label, lit(f"产品{pr}"), ref)
    # analysis: top 10 leaders per chain, gaps per segment
    for ch in chains:
        for rank in range(1, 11):
            e = ents[0] if rank == 1 and ch == chains[0] else rnd.choice(ents)
            asmt = iri(KGR + f"assessment/{hashlib.sha1(f'{ch}{e}'.encode()).hexdigest()[:12]}")
            q(asmt, a, K("ChainLeaderAssessment"), ana)
            q(asmt, K("enterprise"), e, ana)
            q(asmt, K("chain"), ch, ana)
            q(asmt, K("score"), lit(f"{1 - rank / 12:.3f}", None, XSD + "decimal"), ana)
            q(asmt, K("rank"), lit(str(rank), None, XSD + "integer"), ana)
            q(asmt, iri(PROV + "wasDerivedFrom"), iri(KGR + f"doc/0000_{hashlib.sha1(b'0').hexdigest()[:16]}.txt/s{rank}"), ana)
            if rank == 1:
                q(e, K("chainLeaderOf"), ch, ana)
        for sg in segs[ch]:
            gap = iri(KGR + f"gap/{hashlib.sha1(str(sg).encode()).hexdigest()[:12]}")
            q(gap, a, K("Gap"), ana)
            q(gap, K("chain"), ch, ana)
            q(gap, K("segment"), sg, ana)
            st = rnd.choice(["已覆盖", "薄弱", "缺失"])
            q(gap, K("status"), lit(st, None), ana)
            q(gap, K("gapKind"), lit({"已覆盖": "强链", "薄弱": "延链", "缺失": "补链"}[st], None), ana)
            for _ in range(rnd.randint(0, 5)):
                q(gap, K("player"), rnd.choice(ents), ana)
    out.writelines(lines)
    out.close()
    return count


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _rdflib_child(ds, text, conn):
    t0 = time.perf_counter()
    n = len(list(ds.query(text)))
    conn.send(((time.perf_counter() - t0) * 1000, n))


def rdflib_time(ds, text: str, cap: float) -> str:
    """One run of rdflib's SPARQL engine in a forked child, killed after cap seconds."""
    ctx = multiprocessing.get_context("fork")
    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_rdflib_child, args=(ds, text, w), daemon=True)
    p.start()
    w.close()
    try:
        if not r.poll(cap):
            return f">{cap:g} s"
        ms, n = r.recv()
        return f"{ms:,.0f} ms ({n})"
    except EOFError:
        return "error"
    finally:
        if p.is_alive():
            p.kill()
        p.join()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rdflib-scale", type=float, default=0.05)
    ap.add_argument("--rdflib-timeout", type=float, default=60)
    ap.add_argument("--no-oxrdflib", action="store_true")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--reuse", action="store_true", help="reuse graph.nq and store/ already in --workdir")
    ap.add_argument("--only", default=None, help="comma-separated query names (prefix match)")
    a = ap.parse_args(argv)

    import pyoxigraph as ox
    import rdflib

    work = Path(a.workdir or tempfile.mkdtemp(prefix="bench_sparql."))
    work.mkdir(parents=True, exist_ok=True)
    out = work / "out"
    out.mkdir(exist_ok=True)
    reuse = a.reuse and (out / "graph.nq").exists() and (out / "store").exists()
    if not reuse:
        t0 = time.perf_counter()
        n = generate(out / "graph.nq", a.scale)
        print(f"synthetic graph: {n:,} quads, {os.path.getsize(out / 'graph.nq') / 1e6:.0f} MB N-Quads, "
              f"generated in {time.perf_counter() - t0:.1f} s  ({work})")
        print("\n== load ==")
        c = build_store(out, out / "store")
        print(f"pyoxigraph bulk_load -> persistent store (build_store): {c['seconds']:.1f} s, "
              f"{c['quads']:,} quads, {c['graphs']} graphs")
        t0 = time.perf_counter()
        mem = ox.Store()
        mem.bulk_load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        print(f"pyoxigraph bulk_load -> in-memory store: {time.perf_counter() - t0:.1f} s")
        del mem
    else:
        print(f"reusing {out / 'graph.nq'} and {out / 'store'}")
    oxg = None
    if not a.no_oxrdflib:
        t0 = time.perf_counter()
        oxg = rdflib.Dataset(store="Oxigraph", default_union=True)
        oxg.parse(str(out / "graph.nq"), format="ox-nquads")
        print(f"oxrdflib (rdflib Dataset on Oxigraph, ox-nquads parser): {time.perf_counter() - t0:.1f} s")
    small = out / "graph_small.nq"
    ns = generate(small, a.scale * a.rdflib_scale)
    t0 = time.perf_counter()
    rds = rdflib.Dataset(default_union=True)
    rds.parse(str(small), format="nquads")
    print(f"rdflib in-memory parse of a {ns:,}-quad graph (scale {a.scale * a.rdflib_scale:g}): "
          f"{time.perf_counter() - t0:.1f} s")

    store = open_store(out / "store")
    t0 = time.perf_counter()
    memstore = open_store(out / "store", memory=True)
    print(f"open_store(memory=True) (what `serve` does when read-only): {time.perf_counter() - t0:.1f} s")
    queries = canned_queries()
    # the documented parameters set, as a user would for one cluster / document
    first_doc = f"0000_{hashlib.sha1(b'0').hexdigest()[:16]}.txt"
    queries["facts_per_document[1 doc]"] = queries["facts_per_document"].replace(
        '# VALUES ?文档 { "000_demo.txt" }', f'VALUES ?文档 {{ "{first_doc}" }}')
    queries["enterprises_by_cluster_county[1 cluster]"] = queries["enterprises_by_cluster_county"].replace(
        '# VALUES ?集群 { "新材料产业集群"@zh }', 'VALUES ?集群 { "新材料产业集群"@zh }')

    print(f"\n== queries (ms): Oxigraph median of {a.runs} on the persistent store (RocksDB) and in memory; "
          f"+timeout = one run through the forked timeout path (persistent); oxrdflib 1 run; "
          f"rdflib in-memory SPARQL 1 run on the {ns:,}-quad graph, capped at {a.rdflib_timeout:g} s ==")
    hdr = (f"{'query':42} {'rows':>6} {'disk':>9} {'memory':>9} {'+timeout':>9} {'oxrdflib':>9} "
           f"{'rdflib (' + format(ns, ',') + ' quads)':>24}")
    print(hdr)
    print("-" * len(hdr))
    only = [x for x in (a.only or "").split(",") if x]
    for name, text in queries.items():
        if only and not any(name.startswith(o) for o in only):
            continue
        rows = len(run_query(store, text))
        disk_ms = median_ms(lambda: run_query(store, text), a.runs)
        mem_ms = median_ms(lambda: run_query(memstore, text), a.runs)
        fork_ms = median_ms(lambda: run_query(store, text, timeout=120), 1)
        oxr = "-"
        if oxg is not None:
            t0 = time.perf_counter()
            list(oxg.query(text))
            oxr = f"{(time.perf_counter() - t0) * 1000:,.0f}"
        rdl = rdflib_time(rds, text, a.rdflib_timeout)
        print(f"{name:42} {rows:>6} {disk_ms:>9,.1f} {mem_ms:>9,.1f} {fork_ms:>9,.1f} {oxr:>9} {rdl:>24}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
