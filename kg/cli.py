"""`kg` command line: build, extract, eval, analyze, view, map, query, serve, push.

Messages for people are Chinese; errors are one line naming the file (and line) — never a traceback.
Exit codes: 0 = all fine, 1 = finished but some input was skipped / graph not SHACL-valid, 2 = could not run.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from . import resources
from .util import write_text_atomic


class UserError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def _err(msg: str) -> None:
    print("错误：" + " ".join(str(msg).split("\n")).strip(), file=sys.stderr)


def _region_dirs(args) -> list[Path]:
    """Region folders: those given with --data (replacing the bundled ones), else the bundled; checked
    up front with the shared loader: a broken data file stops every command with one line naming it."""
    from .region import bundled_and_extra
    extra = getattr(args, "data", None) or []
    for d in extra:
        if not Path(d).is_dir():
            raise UserError(f"区域数据文件夹不存在：{d}")
    try:
        dirs = bundled_and_extra(extra)
        resources.load_reference(dirs, shared=True)  # checked here, read by resolution (no copy of its own)
    except resources.ReferenceDataError as e:
        raise UserError(str(e))
    return dirs


def _load_registers(kb, files) -> None:
    """Add each --register file to the knowledge base; bad rows become skipped entries (file, row, column)."""
    from . import register
    for f in files or []:
        try:
            kb.skipped.extend(register.add_to_kb(kb, f))
        except register.RegisterError as e:
            raise UserError(str(e))


def _print_skipped(skipped) -> None:
    for s in skipped:
        where = s.path + (f":{s.line}" if s.line else "")
        print(f"  跳过 {where}：{s.reason}", file=sys.stderr)


# ---------------------------------------------------------------- build

def cmd_build(args) -> int:
    from .util import OutputBusy, OutputNotOurs, OutputTransaction

    src = Path(args.source)
    if not src.exists():
        raise UserError(f"输入文件夹不存在：{src}")
    out = Path(args.out)
    if _inside(src, out):
        raise UserError(f"输出文件夹 {out} 包含输入 {src}：重建时会被整体替换，请换一个 --out")
    try:
        with OutputTransaction(out) as tx, _no_full_collections():
            try:
                return _build_into(args, src, out, tx)
            except OSError as e:
                if e.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO):
                    raise
                raise UserError(f"写出 {out} 失败（{e.strerror}）；{out} 保持上一次的完整输出，未改动")
    except OutputBusy:
        raise UserError(f"另一个 kg build 正在写入 {out}（锁文件 .{out.resolve().name}.lock）；请等它结束后再运行")
    except OutputNotOurs as e:
        what = {"link": "是符号链接（整体替换时会断开它）", "file": "是文件而不是文件夹"}.get(
            str(e), "已存在且不是 kg build 的输出（没有 manifest.json 或 graph.trig）")
        raise UserError(f"输出文件夹 {out} {what}；为免误删，请换一个 --out 或先清空它")


@contextmanager
def _no_full_collections():
    """No automatic full (oldest-generation) garbage collections during a build: each one walks the
    whole heap (millions of graph terms), ~20% of an incremental build's CPU. Young cycles are still
    collected, and _release_memory collects everything between stages."""
    import gc

    old = gc.get_threshold()
    gc.set_threshold(old[0], old[1], 1_000_000_000)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()  # what _release_memory froze is collectable again


def _inside(src: Path, out: Path) -> bool:
    s, o = src.resolve(), out.resolve()
    return s == o or o in s.parents


FREEZE_MAX_DOCS = 200  # a rebuild extracting at most this many documents freezes the heap after extraction


def _build_into(args, src: Path, out: Path, tx) -> int:
    """The build itself: every file goes to tx.tmp; tx.commit() swaps it in as `out`."""
    from . import executors, extract, incremental, ingest, tablefacts
    from .profile import Stages

    tmp = tx.tmp
    regions = _region_dirs(args)
    t0 = time.time()
    prof = Stages()
    with prof.stage("ingest"):  # files unchanged since the build in OUT are not read again
        dcache = incremental.DocumentCache(out if out.is_dir() else None, new=tmp)
        try:
            docs, skipped = ingest.load_corpus([src], progress=not args.quiet, cache=dcache)
        finally:
            dcache.close()
    if not docs:
        _print_skipped(skipped)
        raise UserError(f"{src} 中没有可读取的文档（支持 {ingest.readers.describe()}）")
    with prof.stage("extract"):
        # incremental: only documents whose (sha256, extractor version) is not cached in OUT are extracted
        firms = _register_firms(args)
        version = incremental.extractor_version(regions, args.ner, firms)
        lines: dict[int, str] = {}  # cache lines that are written back as they are
        todo, done = incremental.split(docs, incremental.load(out, version) if out.is_dir() else {}, lines)
        fresh = tablefacts.merge_all(_extract_docs(executors, args, todo, progress=not args.quiet,
                                                   region_dirs=regions, register=firms)) if todo else []
        extractions = incremental.merge(docs, done, fresh)
        del fresh, done
        incremental.save(tmp, extractions, version, lines)
        # documents restored from an unchanged cache line: their lines of the last extraction.jsonl
        incremental.ExtractionLines(out if out.is_dir() else None, version).write(tmp, extractions, lines,
                                                                                 extract.to_json)
        del lines
    if len(todo) <= FREEZE_MAX_DOCS:
        # the documents and cached extractions stay to the end: frozen, the collection after resolution
        # walks only what it made (~0.2-0.3 s less on 3,300 documents). A big extraction is not frozen
        # here: its cyclic garbage is freed by that collection (extract_all's note)
        import gc

        gc.freeze()
    if len(todo) < len(docs) and not args.quiet:
        print(f"增量构建：复用 {len(docs) - len(todo)} 篇文档的抽取结果，重新抽取 {len(todo)} 篇", file=sys.stderr)
    if len(docs) > 500:  # a big corpus: hand the extractor's lexicons and models back before the graph work
        extract._WORKER = None
    small = len(todo) <= FREEZE_MAX_DOCS < len(docs)  # a rebuild after a small change of a big corpus
    return _build_graph(args, src, out, tx, docs, skipped, extractions, regions, prof, t0, small)


_LEFT_TO_EXIT: list = []  # what the build is done with when the program ends right after it (_let_go)


def _let_go(args, *objs) -> None:
    """The build is done with objs (the caller deletes its own references). `kg build` run as the
    program keeps them until _exit_now ends the process, which frees nothing object by object: freeing
    the in-memory Oxigraph store took ~0.23 s of a one-document rebuild of 3,300 documents. Called from
    Python (main returns), they go as the caller drops them. Only for what is left after the last
    stage: kept from one stage to the next, the analysis input (~0.35 s to free) made the later stages
    slower by about as much (their memory came from fresh pages, peak +130 MB)."""
    if getattr(args, "exit_after", False):
        _LEFT_TO_EXIT.extend(objs)


def _release_memory(collect: bool = True) -> None:
    """Collect garbage and give freed heap pages back to the system (glibc), so the next stage's peak
    does not sit on top of the last one's. What survives is frozen (moved out of the collector's
    reach): the next collection walks only what was made since, not the KB and the analysis input
    again (each full walk ~0.3 s on a whole corpus). Frozen objects are still freed when their last
    reference goes; only cycles among them wait for the end of the build (_no_full_collections).
    collect=False: only freeze (a small rebuild: what the stages leave is freed by reference counts, the
    few cycles are not worth a collection each time, ~0.3 s in all)."""
    import ctypes
    import gc

    if not collect:
        gc.freeze()
        return
    gc.collect()
    gc.freeze()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _build_graph(args, src, out, tx, docs, skipped, extractions, regions, prof, t0, small=False) -> int:
    """Resolution, analysis, the Oxigraph graph, SHACL, outputs; then the summary. small: a rebuild
    that extracted few of many documents (memory is not collected between stages)."""
    from tqdm import tqdm

    from . import analysis, incremental, rdf, report, resolve, store, view
    from . import region as region_mod

    tmp = tx.tmp
    last = out if out.is_dir() else None  # the last build's output: its caches
    stages = ["实体消解", "产业链分析", "报告", "HTML 图谱", "构建 RDF", "写出图谱", "SHACL 校验", "SPARQL 存储"]
    bar = tqdm(total=len(stages), desc="构建图谱", unit="步", disable=args.quiet)

    def step(i):
        if i:
            bar.update()
        bar.set_postfix_str(stages[i])

    step(0)
    with prof.stage("resolve"):
        kb = resolve.build_kb(extractions, skipped, region_dirs=regions)
        _load_registers(kb, args.register)
        skipped = kb.skipped
        focus = region_mod.detect(region_mod.counts_from_kb(kb), args.region)
        regions = region_mod.select_dirs(focus, regions)  # only the focus region's scheme applies
        extractions.clear()  # written already (extraction.jsonl, cache); the KB holds what is needed
        ents = Counter(e.type for e in kb.entities.values())
        rels = Counter(a.rel for a in kb.assertions)
        _release_memory(collect=not small)
    step(1)
    with prof.stage("analyze"):
        # the one graph analysis, reports and graph.html read; also written as OUT/cache/context.nt
        # documents whose inputs are unchanged: their lines are copied from the last build's file
        doc_digests: dict = {}  # each document's inputs, digested once (the KB is not changed until the store)
        ccache = incremental.QuadCache(last, tmp, file=rdf.CONTEXT_FILE, kind="context")
        ids = incremental.TermIds(last, tmp)  # the same, as term indexes
        try:
            g = rdf.analysis_input(kb, regions, cache=ccache, digests=doc_digests, ids=ids)
        finally:
            ccache.close()
            ids.close()
        result = analysis.analyze(g, regions, region=args.region or focus.label or None)
        result.region_detected = not args.region
        ag = rdflib_graph()
        analysis.write_back(ag, result)
    # the reports and graph.html first: the rdflib graph they read is gone before the store is built,
    # so the two never take memory at the same time (all files still land together at tx.commit)
    step(2)
    with prof.stage("report"):
        report.write_reports(result, tmp, graph=g, cache=incremental.BlobCache(last, tmp, "figures"),
                             workers=args.workers)
    step(3)
    with prof.stage("view"):
        for t in ag:
            g.add(t)
        html = view.write_html(g, tmp / "graph.html")
        del g
        _release_memory(collect=not small)
    step(4)
    with prof.stage("quads"):
        qcache = incremental.QuadCache(last, tmp)
        kept: set[str] = set()  # those graphs: their lines in the last graph.nq are still right
        try:  # document graphs whose inputs are unchanged come from the last build's cache/graphs.nq
            st = rdf.build_store_graph(kb, regions, ag, progress=not args.quiet, cache=qcache, digests=doc_digests,
                                       kept=kept)
        finally:
            qcache.close()
        # the texts are in the graph now: only ids and hashes are read from here on (the manifest),
        # so the corpus (10x: ~600 MB of text and sentences) does not sit under the next stages' peaks
        del kb
        _drop_texts(docs)
        _release_memory(collect=not small)
    step(5)
    digests: dict[str, str] = {}
    sizes: dict[str, int] = {}
    with prof.stage("write"):
        reuse = incremental.NQuadsReuse.previous(last, kept) if last else None
        rdf.write_store_outputs(st, tmp, digests=digests, reuse=reuse, sizes=sizes)
    ntriples = sizes["union"]
    step(6)
    with prof.stage("shacl"):
        # only what the graphs changed since the last build can reach is validated (cache/shacl.json)
        scache = incremental.ShaclCache(last, tmp)
        conforms, vreport, nviol = rdf.validate_store(st, ntriples, progress=not args.quiet, cache=scache,
                                                      digests=digests)
        write_text_atomic(tmp / "validation.txt", vreport)
    _release_memory(collect=not small)
    step(7)
    with prof.stage("store"):  # the union default graph is in st already (write_store_outputs)
        # the last build's store, updated graph by graph (a copy: the old output stays intact)
        store.store_from_graph(st, tmp / "store", digests, previous=last / "store" if last else None)
    _let_go(args, st)
    del st
    bar.update()
    bar.close()

    if getattr(args, "profile", False):
        write_text_atomic(tmp / "profile.json", prof.to_json())
    _write_build_manifest(tmp, src, docs, skipped, ntriples, conforms, ents, rels)
    tx.commit()

    dropped = sum(d.duplicates_dropped for d in docs)
    print(f"\n完成（{time.time() - t0:.1f} 秒）")
    print(prof.summary())
    print(f"  读取文档 {len(docs)} 篇，跳过 {len(skipped)} 个；去除重复段落 {dropped} 段")
    _print_skipped(skipped)
    print("  实体：" + "，".join(f"{k} {v}" for k, v in sorted(ents.items(), key=lambda x: -x[1])))
    print("  关系：" + "，".join(f"{k} {v}" for k, v in sorted(rels.items(), key=lambda x: -x[1])))
    print(f"  三元组 {ntriples} 条；SHACL 校验：" + ("通过" if conforms else f"未通过（{nviol} 处，见 validation.txt）"))
    print(f"  分析地区：{result.region or '未识别（可用 --region 指定）'}")
    print(_analysis_summary(result))
    print(f"  输出目录 {out}/：graph.ttl graph.trig graph.nq report.md report.html leaders.csv gaps.csv facts.csv "
          f"graph.html（{html['nodes']} 个节点） store/ manifest.json" + (" profile.json" if getattr(args, "profile", False) else ""))
    if getattr(args, "profile", False):
        print(prof.text_table())
    return 0 if (not skipped and conforms) else 1


def _drop_texts(docs) -> None:
    """Empty each document's text and sentences in place (every holder of the list sees it)."""
    for d in docs:
        d.text, d.sentences = "", []


def rdflib_graph():
    import rdflib

    return rdflib.Graph()


def _write_build_manifest(folder: Path, src: Path, docs, skipped, triples: int, conforms: bool,
                          ents: Counter, rels: Counter) -> None:
    """manifest.json, written last: inputs (sha256), versions, counts, and every output file's hash."""
    import platform
    from importlib import metadata

    from .util import write_manifest

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return ""

    write_manifest(folder, {
        "source": str(src),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "inputs": {d.doc_id: d.sha256 for d in docs},
        "skipped": sorted(s.path for s in skipped),
        "versions": {"chainkg": version("chainkg"), "python": platform.python_version(),
                     "rdflib": version("rdflib"), "pyoxigraph": version("pyoxigraph"),
                     "spacy": version("spacy")},
        "counts": {"documents": len(docs), "skipped": len(skipped), "triples": triples,
                   "entities": dict(ents), "relations": dict(rels), "shacl_conforms": conforms},
    })


def _analysis_summary(result) -> str:
    leaders = sorted({(l.chain, l.label) for l in result.leaders if l.qualified})
    status = Counter(g.status for g in result.gaps)
    chains = len({g.chain for g in result.gaps})
    return (f"  链主 {len(leaders)} 个（评估候选 {len(result.leaders)} 个，见 leaders.csv）；{chains} 条产业链共 "
            f"{len(result.gaps)} 个环节：" + "，".join(f"{k} {status.get(k, 0)}" for k in ("已覆盖", "薄弱", "缺失", "未知")))


# ---------------------------------------------------------------- extract / eval

def cmd_extract(args) -> int:
    from . import executors, extract, ingest, tablefacts

    docs, skipped = ingest.load_corpus(args.files, progress=False)
    _print_skipped(skipped)
    exs = tablefacts.merge_all(_extract_docs(executors, args, docs, progress=args.progress, region_dirs=_region_dirs(args)))
    lines = "".join(json.dumps(extract.to_json(e), ensure_ascii=False) + "\n" for e in exs)
    if args.output:
        write_text_atomic(args.output, lines)
    else:
        sys.stdout.write(lines)
    return 1 if skipped else 0


def _register_firms(args) -> tuple[str, ...]:
    """Firm names of the --register files, for the extraction gazetteer (their bad rows are
    reported when the registers are loaded into the knowledge base)."""
    from . import register

    try:
        return register.firm_names(getattr(args, "register", None))
    except register.RegisterError as e:
        raise UserError(str(e))


def _extract_docs(executors, args, docs, progress: bool, region_dirs, register: tuple[str, ...] = ()):
    executor = args.executor or ("dask" if args.scheduler else "local")
    if executor == "local" and args.scheduler:
        raise UserError("--scheduler 只用于 --executor dask")
    try:
        return executors.extract_docs(docs, executor=executor, scheduler=args.scheduler, workers=args.workers,
                                      progress=progress, ner=args.ner, region_dirs=region_dirs, register=register)
    except executors.ExecutorError as e:
        raise UserError(str(e))


def _find_scorer(explicit: str | None) -> Path:
    cands = [Path(explicit)] if explicit else [Path.cwd() / "../shared/eval/score.py",
                                               resources.project_root() / "../shared/eval/score.py"]
    for c in cands:
        if c.is_file():
            return c.resolve()
    raise UserError("找不到评分脚本 score.py；请用 --scorer 指定其路径（通常是 ../shared/eval/score.py）")


def cmd_eval(args) -> int:
    from . import evaluate, extract, ingest, tablefacts

    if not args.gold:  # every gold set of ../shared, and the relation stage's leave-one-set-out figure
        scorer = _find_scorer(args.scorer)
        return evaluate.run_all(scorer.parent.parent, scorer, workers=args.workers, ner=args.ner)
    gold_path = Path(args.gold)
    if not gold_path.is_file():
        raise UserError(f"金标准文件不存在：{gold_path}")
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"金标准文件不是有效的 JSON：{gold_path}：{e}")
    names = list((gold.get("documents") or gold).keys())
    scorer = _find_scorer(args.scorer)
    if args.files:
        files = args.files
    else:
        dirs = [Path(d) for d in (args.docs or [])] or [gold_path.parent / "articles", gold_path.parent.parent / "seeds",
                                                         Path("seeds"), resources.project_root() / "seeds"]
        files = []
        for n in names:
            hit = next((d / n for d in dirs if (d / n).is_file()), None)
            if hit is None:
                raise UserError(f"找不到金标准中的文档 {n}；请用 --docs 指定文档所在文件夹")
            files.append(hit)
    docs, skipped = ingest.load_corpus(files)
    _print_skipped(skipped)
    exs = tablefacts.merge_all(extract.extract_all(docs, workers=args.workers, region_dirs=_region_dirs(args),
                                                   ner=args.ner))
    pred = "".join(json.dumps(extract.to_json(e), ensure_ascii=False) + "\n" for e in exs)
    cmd = [sys.executable, str(scorer), "--gold", str(gold_path), "-"]
    if args.show_errors:
        cmd.append("--show-errors")
    proc = subprocess.run(cmd, input=pred, text=True, capture_output=True)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise UserError("评分脚本运行失败")
    return 0


# ---------------------------------------------------------------- analyze / view

def _graph_dir(path: str) -> Path:
    p = Path(path)
    if not (p / "graph.trig").is_file():
        raise UserError(f"{p} 中没有 graph.trig；请先运行 kg build <文件夹> --out {p}")
    return p


def _load_store(out: Path):
    """OUT/graph.nq into an in-memory Oxigraph store; a damaged file is one line naming it."""
    from . import rdf

    try:
        return rdf.load_store(out)
    except SyntaxError as e:
        where = f"第 {e.lineno} 行" if isinstance(getattr(e, "lineno", None), int) else "无法解析"
        raise UserError(f"{out / 'graph.nq'} {where}：N-Quads 语法错误；请重新运行 kg build")
    except FileNotFoundError:
        raise UserError(f"{out} 中没有 graph.nq；请先运行 kg build <文件夹> --out {out}")


def cmd_analyze(args) -> int:
    """Re-analyse OUT as one transaction too: a hard-linked copy is rewritten and swapped in."""
    import shutil

    import rdflib

    from . import analysis, rdf, report, store
    from .util import OutputBusy, OutputTransaction

    out = _graph_dir(args.graph)
    regions = _region_dirs(args)
    st = _load_store(out)
    rdf.drop_graph(st, rdf.ANALYSIS_GRAPH)
    g = rdf.load_context(out, st)  # what the build's analysis read (every mention), else the graph
    if g is None:
        g = rdf.store_union(st)
    result = analysis.analyze(g, regions, region=args.region)
    ag = rdflib.Graph()
    analysis.write_back(ag, result)
    st.extend(rdf.graph_quads(ag, rdf.ANALYSIS_GRAPH))
    try:
        with OutputTransaction(out) as tx:
            # unchanged files are shared, rewritten ones get new inodes (atomic writes)
            shutil.copytree(out, tx.tmp, copy_function=_link_or_copy, dirs_exist_ok=True)
            rdf.write_store_outputs(st, tx.tmp)
            report.write_reports(result, tx.tmp, graph=g)
            shutil.rmtree(tx.tmp / "store", ignore_errors=True)
            store.build_store(tx.tmp, tx.tmp / "store")  # the store holds the analysis graph too
            _refresh_manifest(tx.tmp)
            tx.commit()
    except OutputBusy:
        raise UserError(f"另一个 kg 命令正在写入 {out}（锁文件 .{out.resolve().name}.lock）；请等它结束后再运行")
    print(_analysis_summary(result) + f"\n  已更新 {out}/：graph.ttl graph.trig graph.nq leaders.csv gaps.csv facts.csv "
          "report.md report.html store/ manifest.json")
    return 0


def _link_or_copy(src, dst):
    import shutil

    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _refresh_manifest(out: Path) -> None:
    """After rewriting files in place (kg analyze): re-hash them so the manifest stays true."""
    from .util import MANIFEST, write_manifest

    try:
        info = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    info.pop("files", None)
    info["analyzed"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_manifest(out, info)


def _store_graph(out: Path):
    """The union graph of a built folder, read from OUT/store (never by re-parsing graph.trig);
    a folder without a store falls back to graph.nq through Oxigraph's parser."""
    from . import rdf, store

    if (out / "store").is_dir():
        try:
            st = store.open_store(out / "store")
        except OSError as e:
            raise UserError(f"无法打开图谱存储 {out / 'store'}：{e}；请重新运行 kg build")
        return rdf.store_union(st)
    return rdf.store_union(_load_store(out))


def cmd_view(args) -> int:
    from . import view

    out = _graph_dir(args.graph)
    focus = {k: getattr(args, k) for k in ("cluster", "chain", "place", "enterprise") if getattr(args, k)}
    if focus:
        focus["depth"] = args.depth
    target = Path(args.output) if args.output else out / ("graph.html" if not focus else
                                                          "view-" + "-".join(str(v) for k, v in focus.items() if k != "depth") + ".html")
    try:
        info = view.write_html(_store_graph(out), target, focus=focus or None)
    except ValueError as e:  # focus name not in the graph, or matching several
        raise UserError(f"{out}：{e}")
    print(f"已写出 {info['path']}（{info['nodes']} 个节点，{info['edges']} 条边）")
    return 0


def cmd_map(args) -> int:
    from . import analysis, chainmap

    out = _graph_dir(args.graph)
    g = _store_graph(out)
    result = analysis.analyze(g, _region_dirs(args))
    iri, untemplated = chainmap.find_chain(result, args.chain)
    if not (iri or untemplated):
        names = [c.label for c in result.chains.values()] + result.untemplated
        raise UserError(f"{out} 的图谱中没有产业链「{args.chain}」；可选：{'、'.join(names)}")
    ctx = chainmap.graph_context(g, result)
    m = chainmap.build_map(result, iri, ctx) if iri else chainmap.build_untemplated(result, untemplated, ctx)
    t0 = time.time()
    face = chainmap.FontSubsets([m]).face(m)
    paths = chainmap.write_map(m, Path(args.output) if args.output else out / "figures" / "chains", face)
    note = chainmap.corpus_note(m)
    print(f"已写出 {paths[0]} 与 {paths[1]}（{len(m.boxes)} 个环节，{(note + '，') if note else ''}{time.time() - t0:.2f} 秒）")
    return 0


# ---------------------------------------------------------------- SPARQL

_NAME_LIKE = re.compile(r"[\w.\-/]+")


def _canned_names() -> str:
    return "、".join(sorted(p.stem for p in resources.queries_dir().glob("*.rq")))


def _read_query(q: str) -> tuple[str, str]:
    """(query text, where it came from): a .rq file, a canned query name, or SPARQL text."""
    p = Path(q)
    if len(q) < 500 and p.is_file():
        return _read_text(p, "查询文件"), str(p)
    canned = resources.queries_dir() / (p.name if p.suffix == ".rq" else f"{q}.rq")
    if _NAME_LIKE.fullmatch(q):
        if canned.is_file():
            return _read_text(canned, "预置查询"), p.stem
        what = f"查询文件不存在：{q}" if p.suffix == ".rq" or "/" in q else f"没有名为「{q}」的预置查询"
        raise UserError(f"{what}；可用的预置查询：{_canned_names()}")
    return q, "查询文本"


def _read_text(p: Path, what: str) -> str:
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        line = p.read_bytes()[:e.start].count(b"\n") + 1
        raise UserError(f"{what} {p} 不是 UTF-8 文本（第 {line} 行）")
    except OSError as e:
        raise UserError(f"无法读取{what} {p}：{e.strerror or e}")


def cmd_query(args) -> int:
    from . import store

    sparql, source = _read_query(args.query)
    graph = Path(args.graph)
    try:
        st = store.open_store(graph)
    except (FileNotFoundError, OSError) as e:
        raise UserError(f"无法打开图谱 {graph}：{e}；请先运行 kg build <文件夹> --out {graph}")
    try:
        res = store.run_query(st, sparql, timeout=args.timeout)
    except store.QueryError as e:
        raise UserError(f"{source}：" + " ".join(x.strip() for x in str(e).splitlines() if x.strip() and x.strip() != "^"))
    if args.format == "csv" and res.kind == "select":  # for Excel: BOM, formula-safe cells
        from .util import csv_text

        text = csv_text(res.vars, res.rows)
    else:
        text = store.format_result(res, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_serve(args) -> int:
    from . import store

    out = Path(args.graph)
    store_dir = out / "store" if (out / "store").is_dir() else out
    if not store_dir.is_dir():
        raise UserError(f"找不到图谱存储：{store_dir}；请先运行 kg build")
    if args.max_body <= 0 or args.threads <= 0:
        raise UserError("--max-body 与 --threads 必须是正数")
    try:
        store.serve(store_dir, host=args.host, port=args.port, read_only=not args.writable, timeout=args.timeout,
                    cors=tuple(args.cors or ()), allow_service=args.allow_service,
                    max_body=int(args.max_body * 1024 * 1024), max_threads=args.threads,
                    idle_timeout=args.idle_timeout)
    except OSError as e:
        why = {errno.EADDRINUSE: "端口已被占用，请换一个 --port", errno.EACCES: "没有权限使用该端口",
               errno.EADDRNOTAVAIL: "本机没有这个地址"}.get(e.errno, e.strerror or str(e))
        raise UserError(f"无法在 {args.host}:{args.port} 启动服务：{why}")
    return 0


def cmd_push(args) -> int:
    from . import store

    out = _graph_dir(args.graph)
    auth = (args.user, args.password or os.environ.get("KG_PUSH_PASSWORD", "")) if args.user else None
    token = os.environ.get("KG_PUSH_TOKEN") or None

    def progress(i, n, graph, triples):
        if not args.quiet:
            print(f"  [{i}/{n}] {graph or '默认图'}：{triples} 条三元组", file=sys.stderr, flush=True)

    try:
        info = store.push(out, args.endpoint, graph_iri=args.graph_iri, auth=auth, per_graph=not args.single,
                          token=token, timeout=args.timeout, progress=progress, union_default=args.union)
    except store.PushError as e:
        raise UserError(str(e))
    print(f"已推送到 {args.endpoint}：{info['graphs']} 个图，{info['triples']} 条三元组")
    if not args.union and not args.graph_iri:
        print("  提示：预置查询读默认图；若目标存储的默认图不是各命名图的并集（Fuseki 默认配置、Oxigraph 未加 "
              "--union-default-graph），请加 --union 重新推送", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="kg", description="chainkg：从中文经济新闻构建产业链知识图谱，识别链主与招商缺口")
    sub = ap.add_subparsers(dest="command", required=True, metavar="命令")

    def data_opt(p):
        p.add_argument("--data", action="append", metavar="DIR",
                       help="区域数据文件夹（集群、产业链模板），可重复；给出时替换内置的区域数据")

    def ner_opt(p):
        p.add_argument("--ner", choices=["lac"], help="再加一个命名实体识别器（lac：百度 LAC，需 pip install -e \".[lac]\"），较慢但找到更多企业名")

    def executor_opt(p):
        p.add_argument("--executor", choices=["local", "dask"],
                       help="抽取在哪里运行：local（本进程，默认）或 dask（Dask 集群，需 pip install \"chainkg[dask]\"）")
        p.add_argument("--scheduler", metavar="ADDRESS",
                       help="Dask 调度器地址，如 tcp://host:8786（给出时即用 dask；不给时在本机启动 --workers 个进程的本地集群）")

    def workers_opt(p):
        p.add_argument("--workers", type=_positive, default=None, metavar="N",
                       help=f"进程数（抽取与产业链图谱绘制；默认为本机可用 CPU 核数，最多 {MAX_AUTO_WORKERS}）")

    def region_opt(p):
        p.add_argument("--region", metavar="名称", help="分析地区（如 长治市）；默认从语料识别")

    p = sub.add_parser("build", help="读取文件夹中的文本，构建图谱、分析并写出全部结果")
    p.add_argument("source", help="文档文件夹（.txt .md .docx .pdf .html 等）")
    p.add_argument("--out", default="out", help="输出文件夹（默认 out/）")
    workers_opt(p)
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    p.add_argument("--profile", action="store_true", help="打印各阶段用时与峰值内存，并写出 profile.json")
    p.add_argument("--register", action="append", metavar="FILE",
                   help="本地企业名录（CSV/XLSX：名称、统一社会信用代码、地址/区县、主营产品或经营范围、规上、营收），可重复")
    data_opt(p)
    region_opt(p)
    ner_opt(p)
    executor_opt(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("extract", help="抽取实体与关系，按文档输出 JSONL")
    p.add_argument("files", nargs="+", help="文档（.txt .md .docx .pdf .html 等）或文件夹")
    p.add_argument("--format", choices=["jsonl"], default="jsonl", help="输出格式（目前只有 jsonl：每篇文档一行 JSON）")
    workers_opt(p)
    p.add_argument("--progress", action="store_true", help="显示进度条（输出到 stderr）")
    p.add_argument("-o", "--output", help="写入文件而不是标准输出")
    data_opt(p)
    ner_opt(p)
    executor_opt(p)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("eval", help="运行抽取并用评分脚本与金标准比较")
    p.add_argument("--gold", help="金标准 JSON（不给时评测 ../shared 下全部金标准集，并给出关系模型的留一评测）")
    p.add_argument("files", nargs="*", help="要抽取的文档（默认按金标准中的文件名查找）")
    p.add_argument("--docs", action="append", metavar="DIR", help="文档所在文件夹，可重复")
    p.add_argument("--scorer", help="score.py 路径（默认 ../shared/eval/score.py）")
    p.add_argument("--show-errors", action="store_true", help="列出抽取错误（漏抽与误抽）")
    workers_opt(p)
    data_opt(p)
    ner_opt(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("analyze", help="对已有图谱重新做链主与缺口分析")
    p.add_argument("graph", nargs="?", default="out", help="kg build 的输出文件夹（默认 out/）")
    data_opt(p)
    region_opt(p)
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("view", help="生成（筛选后的）交互式 HTML 图谱")
    p.add_argument("graph", nargs="?", default="out", help="kg build 的输出文件夹（默认 out/）")
    p.add_argument("--cluster", metavar="名称", help="只看这个产业集群及其邻域")
    p.add_argument("--chain", metavar="名称", help="只看这条产业链：各环节及其中的企业与项目")
    p.add_argument("--place", metavar="名称", help="只看这个地点（县区、园区等）及其邻域")
    p.add_argument("--enterprise", metavar="名称", help="只看这家企业及其邻域")
    p.add_argument("--depth", type=int, default=1, help="邻域深度（默认 1）")
    p.add_argument("-o", "--output", metavar="FILE", help="HTML 文件路径（默认写在图谱文件夹中）")
    p.set_defaults(func=cmd_view)

    p = sub.add_parser("map", help="画出一条产业链的招商图谱（SVG 与 PNG）")
    p.add_argument("--chain", required=True, help="产业链名称，如 光电LED产业链")
    p.add_argument("--graph", default="out", help="kg build 的输出文件夹")
    p.add_argument("-o", "--output", help="输出文件夹（默认 <graph>/figures/chains/）")
    data_opt(p)
    p.set_defaults(func=cmd_map)

    p = sub.add_parser("query", help="运行 SPARQL 查询（.rq 文件、预置查询名或查询文本）")
    p.add_argument("query", help="预置查询名（queries/ 下的文件名，不带 .rq）、.rq 文件路径或 SPARQL 文本")
    p.add_argument("--graph", default="out", help="kg build 的输出文件夹（默认 out/）")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="输出格式：table（默认）、csv（带 BOM，Excel 可直接打开）、json（SPARQL JSON）")
    p.add_argument("--timeout", type=float, default=30.0, help="超时秒数（默认 30；0 = 不限）")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("serve", help="在本机启动 SPARQL 1.1 端点")
    p.add_argument("--graph", default="out", help="kg build 的输出文件夹或存储文件夹（默认 out/）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，只接受本机连接）")
    p.add_argument("--port", type=int, default=7878, help="端口（默认 7878；0 = 任选空闲端口）")
    p.add_argument("--writable", action="store_true",
                   help="允许 SPARQL 更新与图存储写入；写入需令牌（启动时打印，或由环境变量 KG_SERVE_TOKEN 指定）")
    p.add_argument("--timeout", type=float, default=30.0, help="每个查询的超时秒数（默认 30）")
    p.add_argument("--allow-service", action="store_true",
                   help="允许 SERVICE 联邦查询与 LOAD 更新（会让服务器向外发请求，默认禁止）")
    p.add_argument("--cors", action="append", metavar="ORIGIN",
                   help="允许跨域访问的网页来源，如 http://localhost:8888，可重复（默认不允许任何跨域）")
    p.add_argument("--max-body", type=float, default=64, metavar="MB", help="请求体上限，MB（默认 64）")
    p.add_argument("--threads", type=int, default=32, help="同时处理的连接数上限（默认 32，超出时回 503）")
    p.add_argument("--idle-timeout", type=float, default=20.0, metavar="秒",
                   help="客户端多久不发数据就断开（默认 20 秒）")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("push", help="把图谱推送到 SPARQL 1.1 Graph Store Protocol 端点（Fuseki/GraphDB/Virtuoso）")
    p.add_argument("--endpoint", required=True, help="图存储端点 URL，如 http://localhost:3030/ds/data")
    p.add_argument("--graph", default="out", help="kg build 的输出文件夹（默认 out/）")
    p.add_argument("--graph-iri", help="全部写入这个命名图（默认按文档分图）")
    p.add_argument("--single", action="store_true", help="作为一个图推送（POST 到默认图）")
    p.add_argument("--user", help="HTTP 基本认证用户名")
    p.add_argument("--password", help="HTTP 基本认证密码（也可用环境变量 KG_PUSH_PASSWORD；"
                                      "kg serve 的写入令牌用环境变量 KG_PUSH_TOKEN）")
    p.add_argument("--timeout", type=float, default=300.0, help="每个请求的超时秒数（默认 300）")
    p.add_argument("--union", action="store_true",
                   help="同时把各命名图的并集（去重）写入默认图，使预置查询在任何存储上结果相同")
    p.add_argument("--quiet", action="store_true", help="不显示逐图进度")
    p.set_defaults(func=cmd_push)
    return ap


MAX_AUTO_WORKERS = 8  # the default --workers on a big machine (each process holds the lexicons)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return n


def default_workers() -> int:
    """The CPU cores this process may use (its affinity, e.g. a container's share), at most
    MAX_AUTO_WORKERS."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_AUTO_WORKERS))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "workers", 0) is None:
        args.workers = default_workers()
    # the program itself (kg build), not a caller in Python, a profiler or coverage: it ends with _exit_now
    args.exit_after = argv is None and args.func is cmd_build and sys.getprofile() is None and sys.gettrace() is None
    code = _run(args)
    if args.exit_after:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process once its work is done and written: the exit handlers run and the output is
    flushed, but the interpreter does not tear down the heap object by object (after a build, with
    the extractor's lexicons and the reference data still loaded, ~0.7 s of a one-document rebuild).
    Every file is closed and committed by then (OutputTransaction); nothing else is lost."""
    import atexit
    import logging

    atexit._run_exitfuncs()
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        code = code or 1
    os._exit(code)


def _run(args) -> int:
    try:
        return args.func(args)
    except UserError as e:
        _err(str(e))
        return 2
    except KeyboardInterrupt:
        _err("已中断")
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        _err("内存不足，运行已停止")
        return 2
    except OSError as e:  # names the file when the system tells it
        if os.environ.get("KG_DEBUG"):
            raise
        where = e.filename if e.filename else ""
        _err(f"{where}：{e.strerror}" if where and e.strerror else f"系统错误：{e}")
        return 2
    except Exception as e:  # last resort: one line, details only on request
        if os.environ.get("KG_DEBUG"):
            raise
        _err(f"内部错误（{type(e).__name__}）：{e}（设置 KG_DEBUG=1 可查看详细信息）")
        return 2


if __name__ == "__main__":
    sys.exit(main())
