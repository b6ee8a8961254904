"""A rebuild after a small change does work in proportion to the change (issue 11, round 9):
extraction.jsonl lines of unchanged documents are copied from the last build, reference-data nodes
of the analysis input are the objects the documents' triples use, and `kg build` as a program
does not spend its last second tearing down the heap."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rdflib import URIRef

from kg import cli, extract, incremental, rdf
from kg.resolve import build_kb

ROOT = Path(__file__).resolve().parents[1]

DOCS = {
    "a.txt": "东平县新签约锂电池隔膜项目，由青禾新材料有限公司投资5亿元建设。\n",
    "b.txt": "南岭市高新区内的远舟电子股份有限公司主要生产车载显示模组。\n",
}
ADDED = "北川县引进碳纤维复合材料项目，由川禾复材科技有限公司投资2亿元建设。\n"


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _build(src: Path, out: Path) -> None:
    assert cli.main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)


def test_analysis_input_has_one_object_per_iri():
    """Reference data (ontology, templates, regions) and the documents' triples name the same
    classes, predicates and nodes: each IRI is one object in the analysis input."""
    from test_rdf import news

    g = rdf.analysis_input(build_kb(news()))
    seen: dict[str, URIRef] = {}
    split = {str(x) for t in g for x in t if type(x) is URIRef and seen.setdefault(str(x), x) is not x}
    assert not split


def test_extraction_lines_of_unchanged_documents_are_copied(tmp_path, monkeypatch):
    """Lines of documents whose extraction is unchanged come from the last extraction.jsonl, and
    only as that build wrote it (its sha256 in the stamp): an edited file is encoded afresh."""
    src, out, fresh = _corpus(tmp_path / "src"), tmp_path / "out", tmp_path / "fresh"
    _build(src, out)
    (src / "c.txt").write_text(ADDED, encoding="utf-8")
    encoded = []
    real = extract.to_json

    def to_json(ex):
        encoded.append(ex.doc.doc_id)
        return real(ex)

    monkeypatch.setattr(extract, "to_json", to_json)
    _build(src, out)
    assert len(encoded) == 1  # only the added document is encoded; the other two lines are copied
    _build(src, fresh)
    assert (out / "extraction.jsonl").read_bytes() == (fresh / "extraction.jsonl").read_bytes()

    path = out / "extraction.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[0])
    rec["entities"] = []
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + "".join(lines[1:]), encoding="utf-8")
    encoded.clear()
    _build(src, out)
    assert len(encoded) == 3
    assert (out / "extraction.jsonl").read_bytes() == (fresh / "extraction.jsonl").read_bytes()


def test_extraction_lines_need_the_same_line_version(tmp_path):
    src, out = _corpus(tmp_path / "src"), tmp_path / "out"
    _build(src, out)
    stamp = json.loads((out / incremental.JSONL_STAMP).read_text(encoding="utf-8"))
    assert set(stamp) == {"version", "sha256"}
    assert incremental.ExtractionLines(out, "another extractor")._old == {}
    same = incremental.ExtractionLines(out, "x")
    assert same.version != incremental.ExtractionLines(None, "y").version


def test_kg_build_program_exits_without_teardown(tmp_path):
    """Run as a program, kg build ends once its output is committed: exit handlers still run and the
    output is flushed, but objects are not finalised one by one (nothing is left to write)."""
    src, out = _corpus(tmp_path / "src"), tmp_path / "out"
    probe = (
        "import atexit, sys\n"
        "class Probe:\n"
        "    def __del__(self):\n"
        "        sys.stderr.write('teardown\\n')\n"
        "held = Probe()\n"
        "atexit.register(lambda: sys.stderr.write('exit handlers ran\\n'))\n"
        f"sys.argv = ['kg', 'build', {str(src)!r}, '--out', {str(out)!r}, '--quiet']\n"
        "from kg import cli\n"
        "kept = cli._LEFT_TO_EXIT\n"
        "atexit.register(lambda: sys.stderr.write('left to exit: %s\\n' % [type(x).__name__ for x in kept]))\n"
        "code = cli.main()\n"
        "sys.stderr.write('returned\\n')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode in (0, 1), p.stderr[-2000:]
    assert "完成" in p.stdout  # the summary is flushed
    assert "exit handlers ran" in p.stderr
    assert "returned" not in p.stderr and "teardown" not in p.stderr
    assert (out / "graph.nq").is_file() and (out / "manifest.json").is_file()
    assert "left to exit: ['Store']" in p.stderr  # the in-memory Oxigraph store is not freed quad by quad


def test_kg_build_called_from_python_keeps_nothing(tmp_path):
    """main() called from Python returns: what the build is done with goes when the build ends."""
    src, out = _corpus(tmp_path / "src"), tmp_path / "out"
    _build(src, out)
    assert cli._LEFT_TO_EXIT == []


def test_small_rebuild_does_not_collect_between_stages(tmp_path, monkeypatch):
    """A rebuild that extracts few of many documents leaves what its stages drop to reference counts
    (a full collection between stages walks every new object, ~0.3 s in all on a whole corpus); a
    build that extracts much still collects. Both give the same output."""
    import gc

    src, out, fresh = _corpus(tmp_path / "src"), tmp_path / "out", tmp_path / "fresh"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the analysis time is in the graph
    monkeypatch.setattr(cli, "FREEZE_MAX_DOCS", 1)  # "few of many" at the scale of this corpus
    collected = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(1) or real(*a))
    _build(src, out)
    assert collected  # everything extracted: memory is collected between stages
    (src / "c.txt").write_text(ADDED, encoding="utf-8")
    collected.clear()
    _build(src, out)
    assert not collected
    _build(src, fresh)
    for name in ("graph.nq", "graph.trig", "report.md", "leaders.csv", "extraction.jsonl"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes()


def test_sentence_chains_are_asked_only_of_sentences_with_a_cue():
    """Round 11: the sentence-level cues ask which chains a sentence is about only of a sentence
    that holds a cue (招引/补链…, 就地配套…, 考察…); the base code asked it of every sentence of the
    corpus. The result is the same (see the equality checks of the rebuild tests)."""
    from test_rdf import make_doc, mention, news

    from kg import analysis, cues
    from kg.model import Extraction

    d = make_doc("003_c.txt", ["东平县重点招引LED芯片配套企业，补齐产业链短板。", "东平县今年新修道路十公里。"])
    ex = Extraction(d, [mention(d, "LED芯片", "Product"), mention(d, "道路", "Product")])
    run = analysis._Run(rdf.analysis_input(build_kb(news() + [ex])), None, None)
    run.run()
    cued = {sid for sid, text in run.sent_text.items()
            if any(cues.search(name, text) for name in ("sought", "present", "visit"))}
    assert cued and set(run._about) and set(run._about) <= cued
    assert len(run.sent_text) > len(cued)


def test_contexts_share_each_sentence_read_once():
    """Round 11: an entity's contexts read a sentence's IRI, text and start from a table shared by
    one analysis run (filled on first need), and give the same contexts as without it."""
    from test_rdf import news

    from kg import analysis

    run = analysis._Run(rdf.analysis_input(build_kb(news())), None, None)
    run.run()
    shared: dict = {}
    for e in run.enterprises + run.projects:
        assert analysis._contexts(run.G, e, shared) == analysis._contexts(run.G, e)
    assert shared and all(sid == str(s) for s, (sid, _text, _start) in shared.items())
    assert set(run._sentence_infos) >= set(shared)
