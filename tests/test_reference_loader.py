"""One reference-data loader for every stage: a bad file stops every command with one line naming the
file (and line), nested --data folders are read the same way everywhere, dangling templates fail."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS

from kg import rdf, resources
from kg.cli import main

HEAD = """@prefix kg:   <https://w3id.org/chainkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
CHAIN = HEAD + """
<https://w3id.org/chainkg/id/IndustryChain/示例测试产业链> a kg:IndustryChain ;
    rdfs:label "示例测试产业链"@zh .
<https://w3id.org/chainkg/id/ChainSegment/示例测试产业链/原料> a kg:ChainSegment ;
    rdfs:label "原料"@zh ; kg:position "上游" ; kg:order 1 ;
    kg:segmentOf <https://w3id.org/chainkg/id/IndustryChain/示例测试产业链> ;
    kg:next <https://w3id.org/chainkg/id/ChainSegment/示例测试产业链/成品> .
<https://w3id.org/chainkg/id/ChainSegment/示例测试产业链/成品> a kg:ChainSegment ;
    rdfs:label "成品"@zh ; kg:position "下游" ; kg:order 2 ;
    kg:segmentOf <https://w3id.org/chainkg/id/IndustryChain/示例测试产业链> .
"""
SEG = "<https://w3id.org/chainkg/id/ChainSegment/示例测试产业链/成品>"


def _data(tmp_path: Path, text: str | bytes, name: str = "chain.ttl", sub: str = "") -> Path:
    d = tmp_path / "data"
    (d / sub).mkdir(parents=True, exist_ok=True)
    f = d / sub / name
    f.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return d


@pytest.fixture()
def doc(tmp_path) -> Path:
    p = tmp_path / "a.txt"
    p.write_text("长治市潞城区的山西示例化工有限公司建设甲醇项目。", encoding="utf-8")
    return p


BAD = {
    "syntax": (CHAIN + "\n<urn:x> kg:y oops .\n", f"第 {CHAIN.count(chr(10)) + 2} 行"),
    "gbk": (CHAIN.encode("gb18030"), "不是 UTF-8"),
    "position": (CHAIN.replace('kg:position "下游"', 'kg:position "末端"'), "kg:position"),
    "order": (CHAIN.replace("kg:order 2", 'kg:order "二"'), "kg:order"),
    "next": (CHAIN.replace(f"{SEG} a kg:ChainSegment", "<urn:other> a kg:ChainSegment"), "kg:next"),
    "chain": (CHAIN.replace("a kg:IndustryChain ;", "a skos:Concept ;"), "没有定义"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_named_by_every_command(tmp_path, doc, case, capsys):
    text, needle = BAD[case]
    d = _data(tmp_path, text, sub="nested")  # nested: found the same way as at the top
    f = d / "nested" / "chain.ttl"
    with pytest.raises(resources.ReferenceDataError, match=needle):
        rdf.load_reference(resources.region_dirs([d]))
    for argv in (["extract", str(doc), "--data", str(d)],
                 ["build", str(doc.parent), "--out", str(tmp_path / "out"), "--data", str(d), "--quiet"]):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(f) in err[0] and needle in err[0], (argv, err)
    assert not (tmp_path / "out").exists()


def test_nested_folder_read_by_every_stage(tmp_path):
    from rdflib import URIRef

    d = _data(tmp_path, CHAIN, sub="deeper/still")
    dirs = resources.region_dirs([d])
    assert d / "deeper" / "still" in dirs
    chain = URIRef("https://w3id.org/chainkg/id/IndustryChain/示例测试产业链")
    assert (chain, None, None) in rdf.load_reference(dirs)  # rdf / resolve
    assert (chain, None, None) in resources.load_reference(dirs, ontology=False)  # analysis
    from kg import analysis
    from rdflib import Graph

    # analysis reads its templates through the same loader (chains enter its scope only when texts
    # name them, so the check is on the reference graph the analysis runs over)
    run = analysis._Run(Graph(), dirs, None)
    assert (chain, None, None) in run.g, "analysis did not see the nested template"


def test_loader_returns_copies(tmp_path):
    d = _data(tmp_path, CHAIN)
    g1 = resources.load_reference([d])
    n = len(g1)
    g1.remove((None, None, None))
    assert len(resources.load_reference([d])) == n


def test_shared_reference_is_one_copy_in_a_fresh_copys_order(tmp_path):
    """Read-only callers (resolution, the analysis input, the store) share one copy per process, made
    like the fresh ones: it iterates in their order (the store's files follow it), a fresh copy
    changed by its caller does not reach it, and a changed file gives a new one."""
    d = _data(tmp_path, CHAIN)
    shared = resources.load_reference([d], shared=True)
    assert resources.load_reference([d], shared=True) is shared
    assert rdf.load_reference([d], shared=True) is shared
    fresh = resources.load_reference([d])
    assert fresh is not shared and list(fresh) == list(shared)
    n = len(shared)
    fresh.remove((None, None, None))
    assert len(resources.load_reference([d], shared=True)) == n
    f = d / "chain.ttl"
    f.write_text(CHAIN.replace("成品", "整机"), encoding="utf-8")
    import os
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    again = resources.load_reference([d], shared=True)
    assert again is not shared
    labels = {str(o) for o in again.objects(None, RDFS.label)}  # (built-in templates may say 成品 in a definition)
    assert "整机" in labels and "成品" not in labels
