"""Another city's texts build against that city (no 长治 scheme, no 长治 boilerplate); an enterprise register
changes segment statuses and every register-derived triple traces to its file and row."""
import csv
import importlib.util
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.cli import main
from kg.extract import Extractor
from kg.ingest import build_document
from kg.util import KG as KG_NS

KG = rdflib.Namespace(KG_NS)
ROOT = Path(__file__).resolve().parents[1]
OTHER = ROOT / "tests" / "texts" / "other_city"
REGISTER = ROOT / "examples" / "register_sample.csv"


@pytest.fixture(scope="module")
def other_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("other")
    assert main(["build", str(OTHER), "--out", str(out), "--quiet"]) in (0, 1)
    return out


def test_other_city_names_itself_and_uses_no_changzhi_scheme(other_out):
    md = (other_out / "report.md").read_text(encoding="utf-8")
    assert md.splitlines()[0].startswith("# 盐城市")
    assert "长治" not in md and "千亿" not in md and "全市" not in md
    rows = list(csv.DictReader((other_out / "gaps.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows and {r["region"] for r in rows} == {"盐城市"}
    assert not any(r["cluster"].endswith("产业集群") for r in rows)
    assert "风电装备产业链" in md  # a chain named only in the text is analysed


def test_region_override_is_reported(tmp_path):
    out = tmp_path / "o"
    assert main(["build", str(OTHER), "--out", str(out), "--quiet", "--region", "响水县"]) in (0, 1)
    assert "分析地区：响水县（由 --region 指定）" in (out / "report.md").read_text(encoding="utf-8")


def test_data_replaces_default_region(tmp_path):
    out = tmp_path / "o"
    assert main(["build", str(ROOT / "seeds"), "--out", str(out), "--quiet", "--data",
                 str(ROOT / "tests" / "regions" / "jincheng")]) in (0, 1)
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "千亿级" not in md and "现代煤化工产业集群" not in md


def _statuses(out: Path) -> dict:
    rows = csv.DictReader((out / "gaps.csv").read_text(encoding="utf-8-sig").splitlines())
    return {(r["chain"], r["segment"]): r["status"] for r in rows}


@pytest.mark.slow
def test_register_changes_statuses_and_traces_to_rows(seeds_out, tmp_path):
    reg = tmp_path / "名录.csv"
    shutil.copy(REGISTER, reg)
    with reg.open("a", encoding="utf-8") as f:
        f.write(",,长治市潞州区,LED芯片,是,,\n")  # no name
        f.write("示例坏行有限公司,,长治市潞州区,LED芯片,也许,,\n")  # bad 规上
    out = tmp_path / "o"
    rc = main(["build", str(ROOT / "seeds"), "--out", str(out), "--quiet", "--register", str(reg)])
    assert rc == 1  # bad rows are reported, the rest loads
    before, after = _statuses(seeds_out), _statuses(out)
    changed = [k for k in before if after.get(k) != before[k]]
    assert len(changed) >= 10
    assert after[("光电LED产业链", "衬底")] in ("薄弱", "已覆盖") and before[("光电LED产业链", "衬底")] == "未知"
    assert "缺失" in after.values()  # the register shows no firm in some segments

    g = rdflib.Graph().parse(out / "graph.ttl")
    doc = next(d for d in g.subjects(RDF.type, KG.Document) if str(g.value(d, DCTERMS.title)) == reg.name)
    rows = {s for s in g.subjects(DCTERMS.isPartOf, doc)}
    assert rows
    reg_stmts = [st for st in g.subjects(RDF.type, KG.Assertion) if set(g.objects(st, PROV.wasDerivedFrom)) & rows]
    assert len(reg_stmts) >= 30 * 3
    for st in reg_stmts:  # each names its row (line number) in the file
        for s in g.objects(st, PROV.wasDerivedFrom):
            assert str(s).rsplit("/s", 1)[1].isdigit() and (s, KG.text, None) in g
    firm = URIRef("https://w3id.org/chainkg/id/Enterprise/示例潞光衬底材料有限公司")
    assert (firm, KG.aboveScale, rdflib.Literal("是")) in g
    assert any(str(s).endswith("/s2") for m in g.objects(firm, KG.mention) for s in g.objects(m, KG.inSentence))


def test_bad_register_rows_are_named(tmp_path, capsys):
    from kg import register
    reg = tmp_path / "r.csv"
    reg.write_text("名称,地址/区县,主营产品或经营范围,规上,营收\n甲有限公司,长治市潞州区,LED芯片,是,abc\n"
                   ",长治市,LED芯片,是,\n乙有限公司,长治市,LED芯片,否,100万元\n", encoding="utf-8")
    rows, bad = register.read(reg)
    assert [r.values["名称"] for r in rows] == ["乙有限公司"]
    assert [(b.line, b.reason[:7]) for b in bad] == [(2, "第2行「营收」"), (3, "第3行「名称」")]
    with pytest.raises(register.RegisterError, match="缺少「名称」列"):
        reg.write_text("公司,地址\n甲,乙\n", encoding="utf-8")
        register.read(reg)


def test_xlsx_register_reads_like_csv(tmp_path):
    import openpyxl

    from kg import register
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名称", "地址/区县", "主营产品或经营范围", "规上"])
    ws.append(["示例甲光电有限公司", "长治市潞州区", "LED芯片、外延片", "是"])
    ws.append(["示例乙光电有限公司", "长治市潞州区", "LED芯片", "大概"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    rows, bad = register.read(path)
    assert [r.values["名称"] for r in rows] == ["示例甲光电有限公司"] and rows[0].products == ["LED芯片", "外延片"]
    assert len(bad) == 1 and bad[0].line == 3 and "「规上」" in bad[0].reason


def test_register_firm_resolves_to_extracted_name():
    from kg import register
    from kg.model import Entity, KnowledgeBase
    kb = KnowledgeBase()
    kb.entities[("Enterprise", "山西高科华烨电子集团有限公司")] = Entity("Enterprise", "山西高科华烨电子集团有限公司",
                                                                        {"山西高科华烨电子集团"})
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "r.csv"
        p.write_text("名称,地址/区县,主营产品或经营范围,规上\n山西高科华烨电子集团,长治市潞州区,LED芯片,是\n", encoding="utf-8")
        assert register.add_to_kb(kb, p) == []
    assert [k for k in kb.entities if k[0] == "Enterprise"] == [("Enterprise", "山西高科华烨电子集团有限公司")]
    rels = {(a.rel, a.tail if a.literal else a.tail[1]) for a in kb.assertions}
    assert ("produces", "LED芯片") in rels and ("locatedIn", "潞州区") in rels and ("aboveScale", "是") in rels
    assert all(ev.doc_id == "r.csv" and ev.sentence == 2 for a in kb.assertions for ev in a.evidence)


def test_seeds_leader_sits_on_its_own_segment(seeds_out):
    """The 光电LED 链主 is on LED封装 (its suppliers make the 封装材料), that segment is covered, the
    chain's 链主 is ranked first, and no coal-mining segment is a 补链 target."""
    rows = list(csv.DictReader((seeds_out / "gaps.csv").read_text(encoding="utf-8-sig").splitlines()))
    by = {(r["chain"], r["segment"]): r for r in rows}
    led, mat = by[("光电LED产业链", "LED封装")], by[("光电LED产业链", "封装材料")]
    assert "华烨" in led["players"] and led["status"] == "已覆盖"
    assert "华烨" not in mat["players"]
    assert not [r for r in rows if "煤炭开采" in r["segment"] and r["status"] in ("缺失", "薄弱")]
    leaders = list(csv.DictReader((seeds_out / "leaders.csv").read_text(encoding="utf-8-sig").splitlines()))
    top = [r["enterprise"] for r in leaders if r["chain"] == "光电LED产业链" and r["rank"] == "1"]
    assert top == ["山西高科华烨电子集团有限公司"]
    g = rdflib.Graph().parse(seeds_out / "graph.ttl")
    statuses = {str(o) for o in g.objects(None, KG.status)}
    assert "未知" in statuses and len(set(g.subjects(RDF.type, KG.Gap))) == len(rows)


def test_divisions_created_after_the_base_snapshot_are_known():
    """build_divisions.py adds the divisions of a newer list (叙州区, 2018) and drops a county whose
    short form a new division of its city took (宁乡县 → 宁乡市); other old names stay."""
    spec = importlib.util.spec_from_file_location("build_divisions", ROOT / "ontology" / "data" / "build_divisions.py")
    b = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(b)
    old = {"510000": "四川省", "511500": "宜宾市", "511521": "宜宾县", "430100": "长沙市", "430124": "宁乡县"}
    now = {"510000": "四川省", "511500": "宜宾市", "511504": "叙州区", "430100": "长沙市", "430182": "宁乡市"}
    add, remove = b.newer_divisions(old, now, [])
    assert add == {"511504": "叙州区", "430182": "宁乡市"} and remove == {"430124"}
    x = Extractor().extract(build_document("叙州区今年新签约项目12个，宁乡市同样进展顺利。", "t.txt"))
    assert {("County", "叙州区"), ("County", "宁乡市")} <= {(m.type, m.canonical) for m in x.mentions}
