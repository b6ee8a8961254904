"""Word, PDF and saved web pages, their tables, and the facts read from table rows.

Every test file is generated here from invented text (all firm, town and park names are fictional).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg import ingest, readers, tablefacts
from kg.model import Extraction, Mention

ROOT = Path(__file__).resolve().parents[1]

INTRO = ("为加快构建现代化产业体系，虚构市决定实施重点产业链链长制，经企业申报、部门审核，"
         "现将第一批重点产业链链主企业名单公布如下。")
DESIGNATION = [["序号", "所属产业链", "链主企业名称", "镇街（园区）"],
               ["1", "智能终端", "青禾星辰科技有限公司", "云溪镇"],
               ["2", "新型储能", "北岭蓝川能源股份有限公司", "临川高新区"],
               ["3", "生物医药", "南汀澄和药业有限公司", "石桥街道"]]
PROJECTS = [["序号", "项目名称", "建设单位", "总投资（亿元）", "建设内容"],
            ["1", "年产5万吨固态电解质项目", "澄川微纳材料有限公司", "12.5", "建设固态电解质生产线及配套设施"],
            ["2", "智能穿戴设备产业园项目", "青禾星辰科技有限公司", "8", "建设智能手表、耳机生产车间"]]
ARTICLE = ("近日，虚构市召开重点产业链招商推进会。会议指出，要围绕链主企业开展以商招商，"
           "推动上下游配套企业加快集聚，形成完整的产业生态。")


# ----------------------------------------------------------------------------- generators

def make_docx(path: Path, tables=(DESIGNATION,), title_row: str | None = None) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("虚构市人民政府关于公布第一批重点产业链链主企业名单的通知")
    d.add_paragraph(INTRO)
    for rows in tables:
        extra = 1 if title_row else 0
        t = d.add_table(rows=len(rows) + extra, cols=len(rows[0]))
        if title_row:
            merged = t.rows[0].cells[0].merge(t.rows[0].cells[-1])
            merged.text = title_row
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                t.rows[i + extra].cells[j].text = v
    d.add_paragraph("各镇街、园区要建立链主企业服务专班，协调解决企业发展中的困难和问题。")
    d.save(path)
    return path


def _cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def make_pdf(path: Path, tables=(PROJECTS,), encrypt: str | None = None) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _cid_font()
    st = ParagraphStyle("zh", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    story = [Paragraph("虚构市2026年重点招商项目清单", st), Paragraph(ARTICLE, st), PageBreak(),
             Paragraph("下表为本批签约项目。", st), Spacer(1, 8)]
    for rows in tables:
        t = Table(rows)
        t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story += [t, Spacer(1, 8)]
    kw = {}
    if encrypt:
        from reportlab.lib import pdfencrypt

        kw["encrypt"] = pdfencrypt.StandardEncryption(encrypt, canPrint=0)
    SimpleDocTemplate(str(path), pagesize=A4, **kw).build(story)
    return path


def make_scanned_pdf(path: Path) -> Path:
    """A page with only graphics (as a scan has only an image): no text layer."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(50, 50, 400, 600, fill=1)
    c.showPage()
    c.save()
    return path


def _table_html(rows) -> str:
    head = "".join(f"<th>{h}</th>" for h in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in rows[1:])
    return f"<table><tr>{head}</tr>{body}</table>"


NAV = ('<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zw">政务公开</a></li>'
       '<li><a href="/hd">互动交流</a></li><li><a href="/fw">办事服务</a></li></ul></div>'
       '<div class="sidebar"><h3>热点专题</h3><ul><li><a href="/a">优化营商环境专题</a></li>'
       '<li><a href="/b">虚构市文明城市创建</a></li></ul></div>')
FOOTER = ('<div class="footer"><p>主办：虚构市人民政府办公室 版权所有 备案号：虚ICP备00000000号</p>'
          '<p>联系我们 | 网站地图 | 隐私声明</p></div>')


def make_html(path: Path, rows=DESIGNATION, encoding="utf-8") -> Path:
    page = (f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>虚构市发布首批链主企业名单_虚构市人民政府</title>'
            f'</head><body>{NAV}<div class="article"><h1>虚构市发布首批重点产业链链主企业名单</h1>'
            f"<p>{ARTICLE}</p><p>{INTRO}</p>{_table_html(rows)}"
            "<p>下一步，虚构市将持续完善链长制工作机制，推动产业链补链延链强链。</p></div>"
            f"{FOOTER}</body></html>")
    path.write_bytes(page.encode(encoding))
    return path


def _rows(doc):
    return [s for s in doc.sentences if s.cells]


# ----------------------------------------------------------------------------- readers

def test_registry_maps_suffixes_to_readers():
    for suffix in (".txt", ".md", ".docx", ".pdf", ".html", ".htm", ".mhtml"):
        assert readers.reader_for(suffix) is not None, suffix
    assert readers.reader_for(".DOCX") is readers.reader_for(".docx")
    assert readers.reader_for(".doc") is None and readers.reader_for(".xlsx") is None


def test_docx_paragraphs_and_tables_in_reading_order(tmp_path):
    doc = ingest.read_document(make_docx(tmp_path / "通知.docx", title_row="第一批重点产业链链主企业名单"))
    assert doc.format == "docx" and doc.tables == 1
    texts = [s.text for s in doc.sentences]
    assert texts.index("第一批重点产业链链主企业名单") < texts.index(
        "序号：1；所属产业链：智能终端；链主企业名称：青禾星辰科技有限公司；镇街（园区）：云溪镇。")
    assert texts[-1].startswith("各镇街、园区要建立链主企业服务专班")  # paragraph after the table stays last
    rows = _rows(doc)
    assert [(s.table, s.row) for s in rows] == [(1, 1), (1, 2), (1, 3)]
    assert dict(rows[1].cells)["链主企业名称"] == "北岭蓝川能源股份有限公司"
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text


def test_pdf_text_and_table_with_pages(tmp_path):
    doc = ingest.read_document(make_pdf(tmp_path / "项目清单.pdf"))
    assert doc.format == "pdf" and doc.pages == 2 and doc.tables == 1
    assert doc.sentences[0].page == 1 and doc.sentences[0].text == "虚构市2026年重点招商项目清单"
    joined = next(s for s in doc.sentences if s.text.startswith("近日"))
    assert joined.text == ARTICLE[:ARTICLE.index("。") + 1]  # wrapped lines joined into one sentence
    rows = _rows(doc)
    assert [(s.page, s.table, s.row) for s in rows] == [(2, 1, 1), (2, 1, 2)]
    assert dict(rows[0].cells) == {"序号": "1", "项目名称": "年产5万吨固态电解质项目", "建设单位": "澄川微纳材料有限公司",
                                   "总投资（亿元）": "12.5", "建设内容": "建设固态电解质生产线及配套设施"}
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_html_article_without_navigation(tmp_path, encoding):
    doc = ingest.read_document(make_html(tmp_path / "page.html", encoding=encoding))
    assert doc.format == "html" and doc.tables == 1
    for boiler in ("政务公开", "热点专题", "备案号", "网站地图"):
        assert boiler not in doc.text
    assert doc.sentences[0].text == "虚构市发布首批重点产业链链主企业名单"
    assert len(_rows(doc)) == 3


def test_mhtml_page_saved_as_one_file(tmp_path):
    html = make_html(tmp_path / "p.html").read_text(encoding="utf-8")
    mht = tmp_path / "page.mhtml"
    mht.write_text("MIME-Version: 1.0\nContent-Type: multipart/related; boundary=\"B\"\n\n--B\n"
                   "Content-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n"
                   f"{html}\n--B--\n", encoding="utf-8")
    assert len(_rows(ingest.read_document(mht))) == 3


def test_tab_separated_lines_in_a_text_file_are_a_table(tmp_path):
    """Lines pasted from a spreadsheet (cells apart by tabs) are a table like a Word one: each row
    one sentence with its header, the row number its own cell, and the firm implements the project
    its row names; prose around it and a single tabbed line stay text."""
    path = tmp_path / "签约.txt"
    path.write_text("今年签约项目如下。\n序号\t企业名称\t项目名称\t总投资（亿元）\n"
                    "1\t青禾星辰科技有限公司\t智能穿戴设备产业园项目\t8\n"
                    "2\t北岭蓝川能源股份有限公司\t年产5万吨固态电解质项目\t12.5\n"
                    "以上项目均已开工。\n备注\t无\n", encoding="utf-8")
    doc = ingest.read_document(path)
    rows = _rows(doc)
    assert [dict(r.cells)["企业名称"] for r in rows] == ["青禾星辰科技有限公司", "北岭蓝川能源股份有限公司"]
    assert [s.text for s in doc.sentences][0] == "今年签约项目如下。" and "以上项目均已开工。" in doc.text
    assert not any("1青禾" in s.text for s in doc.sentences) and "备注" in doc.text
    from kg.extract import Extractor
    ex = tablefacts.merge(Extractor().extract(doc))
    rels = {(r.head, r.rel, r.tail) for r in ex.relations}
    assert ("北岭蓝川能源股份有限公司", "implements", "年产5万吨固态电解质项目") in rels
    assert ("智能穿戴设备产业园项目", "investment", "8亿元") in rels


def test_table_without_header_row_stays_text():
    doc = ingest.document_from_blocks([readers.Block("table", rows=[["仅一列"], ["第二行内容"]])], "x.docx")
    assert [s.text for s in doc.sentences] == ["仅一列", "第二行内容"] and doc.tables == 0


def test_wrapped_cells_and_merged_columns_are_one_line():
    rows = [["企业名称", "所属\n产业链"], ["青禾星辰科技\n有限公司", "智能终端"]]
    doc = ingest.document_from_blocks([readers.Block("table", rows=rows)], "x.pdf")
    assert doc.sentences[0].cells == (("企业名称", "青禾星辰科技有限公司"), ("所属产业链", "智能终端"))


# ----------------------------------------------------------------------------- bad files

def _bad_files(tmp_path: Path) -> dict[str, str]:
    enc_docx = tmp_path / "加密.docx"  # an encrypted OOXML file is an OLE container
    enc_docx.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le"))
    (tmp_path / "损坏.docx").write_bytes(b"PK\x03\x04" + b"broken zip" * 20)
    (tmp_path / "损坏.pdf").write_bytes(b"%PDF-1.4\n" + b"garbage " * 50)
    make_pdf(tmp_path / "加密.pdf", encrypt="secret")
    make_scanned_pdf(tmp_path / "扫描件.pdf")
    (tmp_path / "导航.html").write_text(f"<html><head><title>首页</title></head><body>{NAV}{FOOTER}</body></html>",
                                        encoding="utf-8")
    return {"加密.docx": "已加密", "损坏.docx": "已损坏", "损坏.pdf": "已损坏", "加密.pdf": "已加密",
            "扫描件.pdf": "没有文字层", "导航.html": "没有找到正文"}


def test_bad_documents_are_named_and_skipped(tmp_path):
    expected = _bad_files(tmp_path)
    make_docx(tmp_path / "好.docx")
    docs, skipped = ingest.load_corpus([tmp_path])
    assert [d.doc_id for d in docs] == ["好.docx"]
    got = {Path(s.path).name: s.reason for s in skipped}
    assert set(got) == set(expected)
    for name, needle in expected.items():
        assert needle in got[name], (name, got[name])
        assert "\n" not in got[name]


# ----------------------------------------------------------------------------- table facts

def _row_doc(rows):
    return ingest.document_from_blocks([readers.Block("table", rows=rows)], "t.docx")


HEADERS = tablefacts.load_headers()


@pytest.mark.parametrize("role", sorted(HEADERS["roles"]))
def test_every_header_synonym_maps_to_its_role_with_the_example(role):
    spec = HEADERS["roles"][role]
    ex = spec["example"]
    assert tablefacts.role_of(ex["header"]) == role
    for h in spec["headers"]:
        assert tablefacts.role_of(h) == role, h
        assert tablefacts.role_of(h + "（备注）") == role, h
    if spec.get("literal"):
        text, value, _cur = tablefacts.amount(ex["cell"], ex["header"])
        assert (text, str(value.normalize())) == (ex["canonical"], str(type(value)(ex["value"]).normalize()))
        return
    doc = _row_doc([["序号", ex["header"]], ["1", ex["cell"]]])
    mentions, _ = tablefacts.table_extraction(doc)
    assert [(m.canonical, m.type) for m in mentions] == [(ex["canonical"], tablefacts.entity_type(role, ex["cell"]))]
    m = mentions[0]
    assert doc.text[m.start:m.end] == m.text == ex["cell"]


@pytest.mark.parametrize("rule", HEADERS["relations"], ids=lambda r: f"{r['head']}-{r['rel']}-{r['tail']}")
def test_every_relation_rule_fires_on_its_examples(rule):
    roles = HEADERS["roles"]
    cols = [rule["head"], rule["tail"]]
    doc = _row_doc([[roles[r]["example"]["header"] for r in cols], [roles[r]["example"]["cell"] for r in cols]])
    _, rels = tablefacts.table_extraction(doc)
    want = (roles[rule["head"]]["example"]["canonical"], rule["rel"], roles[rule["tail"]]["example"]["canonical"])
    assert want in {(r.head, r.rel, r.tail) for r in rels}
    assert all(r.sentence == doc.sentences[0].index and r.evidence == doc.sentences[0].text for r in rels)


def test_designation_table_gives_chain_leader_for_every_row():
    doc = _row_doc(DESIGNATION)
    _, rels = tablefacts.table_extraction(doc)
    leaders = {(r.head, r.tail, r.sentence) for r in rels if r.rel == "chainLeaderOf"}
    assert leaders == {("青禾星辰科技有限公司", "智能终端产业链", 0), ("北岭蓝川能源股份有限公司", "新型储能产业链", 1),
                       ("南汀澄和药业有限公司", "生物医药产业链", 2)}
    places = {(r.head, r.tail, r.tail_type) for r in rels if r.rel == "locatedIn"}
    assert ("北岭蓝川能源股份有限公司", "临川高新区", "Park") in places


def test_project_table_gives_builder_project_and_amount():
    _, rels = tablefacts.table_extraction(_row_doc(PROJECTS))
    inv = {r.head: (r.tail, r.value) for r in rels if r.rel == "investment"}
    assert inv["年产5万吨固态电解质项目"] == ("12.5亿元", 1250000000)
    assert inv["智能穿戴设备产业园项目"] == ("8亿元", 800000000)
    assert ("青禾星辰科技有限公司", "implements", "智能穿戴设备产业园项目") in {(r.head, r.rel, r.tail) for r in rels}


def test_cell_listing_two_firms_gives_two_leaders():
    doc = _row_doc([["产业链", "链主企业"], ["新型储能", "北岭蓝川能源股份有限公司、澄川微纳材料有限公司"]])
    ms, rels = tablefacts.table_extraction(doc)
    assert {r.head for r in rels if r.rel == "chainLeaderOf"} == {"北岭蓝川能源股份有限公司", "澄川微纳材料有限公司"}
    assert all(doc.text[m.start:m.end] == m.text for m in ms)


def test_merge_prefers_the_text_extractor_reading_and_dedupes():
    doc = _row_doc(DESIGNATION)
    s = doc.sentences[1]
    start = s.start + s.text.index("临川高新区")
    known = Mention("临川高新区", "Park", "临川高新技术产业开发区", start, start + 5, s.index)
    ex = tablefacts.merge(Extraction(doc=doc, mentions=[known]))
    assert sum(1 for m in ex.mentions if m.start == start) == 1
    assert ("北岭蓝川能源股份有限公司", "locatedIn", "临川高新技术产业开发区") in {(r.head, r.rel, r.tail) for r in ex.relations}
    n = len(ex.relations)
    tablefacts.merge(ex)
    assert len(ex.relations) == n


# ----------------------------------------------------------------------------- as a user

@pytest.mark.slow
def test_build_folder_of_word_pdf_and_web_page(tmp_path):
    src = tmp_path / "docs"
    src.mkdir()
    make_docx(src / "链主名单.docx")
    make_pdf(src / "项目清单.pdf")
    make_html(src / "新闻.html", rows=DESIGNATION[:1] + [["1", "高端装备", "东屿重工机械有限公司", "云溪镇"]])
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(src), "--out", str(out), "--quiet"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    recs = {j["doc"]: j for j in map(json.loads, (out / "extraction.jsonl").read_text(encoding="utf-8").splitlines())}
    assert set(recs) == {"链主名单.docx", "项目清单.pdf", "新闻.html"}
    rels = {d: {(x["head"], x["rel"], x["tail"]) for x in j["relations"]} for d, j in recs.items()}
    for firm, chain in [("青禾星辰科技有限公司", "智能终端产业链"), ("北岭蓝川能源股份有限公司", "新型储能产业链"),
                        ("南汀澄和药业有限公司", "生物医药产业链")]:
        assert (firm, "chainLeaderOf", chain) in rels["链主名单.docx"]
    assert ("东屿重工机械有限公司", "chainLeaderOf", "高端装备产业链") in rels["新闻.html"]
    assert ("澄川微纳材料有限公司", "implements", "年产5万吨固态电解质项目") in rels["项目清单.pdf"]

    import rdflib

    ds = rdflib.Dataset()
    ds.parse(out / "graph.trig", format="trig")
    q = """PREFIX kg: <https://w3id.org/chainkg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?firm ?chain ?fmt ?table ?row ?page WHERE { GRAPH ?g {
      ?st rdf:subject ?e ; rdf:predicate kg:chainLeaderOf ; rdf:object ?c ; prov:wasDerivedFrom ?s .
      ?e rdfs:label ?firm . ?c rdfs:label ?chain .
      ?s kg:tableNumber ?table ; kg:rowNumber ?row ; dcterms:isPartOf ?d . ?d kg:sourceFormat ?fmt .
      OPTIONAL { ?s kg:page ?page } } }"""
    got = {(str(r.firm), str(r.fmt), int(r.row)) for r in ds.query(q)}
    assert {("青禾星辰科技有限公司", "docx", 1), ("北岭蓝川能源股份有限公司", "docx", 2),
            ("南汀澄和药业有限公司", "docx", 3), ("东屿重工机械有限公司", "html", 1)} <= got
    q2 = q.replace("kg:chainLeaderOf", "kg:implements").replace("?c rdfs:label ?chain .", "")
    pdf_rows = {(str(r.firm), int(r.row), int(r.page)) for r in ds.query(q2) if str(r.fmt) == "pdf"}
    assert pdf_rows == {("澄川微纳材料有限公司", 1, 2), ("青禾星辰科技有限公司", 2, 2)}
    assert "SHACL 校验通过" in (out / "validation.txt").read_text(encoding="utf-8")


def test_merge_drops_header_words_and_fragments_inside_cells():
    doc = _row_doc(DESIGNATION)
    s = doc.sentences[2]
    at = s.start + s.text.index("所属产业链")
    frag = s.start + s.text.index("药业有限公司")
    noise = [Mention("所属产业链", "IndustryChain", "所属产业链", at, at + 5, s.index),
             Mention("药业有限公司", "Enterprise", "药业有限公司", frag, frag + 6, s.index)]
    ex = tablefacts.merge(Extraction(doc=doc, mentions=list(noise)))
    names = {m.canonical for m in ex.mentions}
    assert "所属产业链" not in names and "药业有限公司" not in names
    assert "南汀澄和药业有限公司" in names


def test_new_provenance_properties_declared_and_shaped():
    import rdflib
    from rdflib import OWL, RDF, RDFS

    onto = rdflib.Graph().parse(ROOT / "ontology" / "chainkg.ttl")
    shapes = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    kg = rdflib.Namespace("https://w3id.org/chainkg/ontology#")
    for p in ("sourceFormat", "page", "tableNumber", "rowNumber"):
        assert (kg[p], RDF.type, OWL.DatatypeProperty) in onto, p
        assert {l.language for l in onto.objects(kg[p], RDFS.label)} >= {"zh", "en"}, p
        assert f"sh:path kg:{p}" in shapes, p


def test_pdf_table_continued_on_next_page_keeps_header_and_numbering(tmp_path):
    rows = [DESIGNATION[0]] + [[str(i), "智能终端", f"虚构第{i}号电子科技有限公司", "云溪镇"] for i in range(1, 61)]
    doc = ingest.read_document(make_pdf(tmp_path / "长表.pdf", tables=(rows,)))
    got = _rows(doc)
    assert len({s.page for s in got}) >= 2  # the table really spans pages
    assert [(s.table, s.row) for s in got] == [(1, i) for i in range(1, 61)]
    _, rels = tablefacts.table_extraction(doc)
    assert {r.head for r in rels if r.rel == "chainLeaderOf"} == {f"虚构第{i}号电子科技有限公司" for i in range(1, 61)}


def test_two_column_form_is_one_record(tmp_path):
    form = [["项目名称", "年产5万吨固态电解质项目"], ["建设单位", "澄川微纳材料有限公司"], ["总投资", "12.5亿元"],
            ["建设地点", "临川高新区"]]
    doc = ingest.read_document(make_docx(tmp_path / "项目表.docx", tables=(form,)))
    (row,) = _rows(doc)
    assert row.text == "项目名称：年产5万吨固态电解质项目；建设单位：澄川微纳材料有限公司；总投资：12.5亿元；建设地点：临川高新区。"
    _, rels = tablefacts.table_extraction(doc)
    assert {(r.head, r.rel, r.tail) for r in rels} == {
        ("澄川微纳材料有限公司", "implements", "年产5万吨固态电解质项目"),
        ("年产5万吨固态电解质项目", "investment", "12.5亿元"),
        ("年产5万吨固态电解质项目", "locatedIn", "临川高新区")}


def test_a_reader_crash_loses_only_that_file(tmp_path, monkeypatch):
    make_docx(tmp_path / "好.docx")
    (tmp_path / "怪.pdf").write_bytes(b"%PDF-1.4 whatever")

    def boom(raw, path):
        raise RecursionError("deep")

    monkeypatch.setitem(readers._REGISTRY, ".pdf", boom)
    docs, skipped = ingest.load_corpus([tmp_path])
    assert [d.doc_id for d in docs] == ["好.docx"]
    assert "怪.pdf" in skipped[0].path and "RecursionError" in skipped[0].reason


MERGED = [["所属产业链", "链主企业名称", "镇街（园区）"],
          ["智能终端", "青禾星辰科技有限公司", "云溪镇"],
          ["", "澄川微纳材料有限公司", "石桥街道"],  # chain cell merged with the row above
          ["新型储能", "北岭蓝川能源股份有限公司", ""]]  # firm cell spans the place column
MERGED_ROWS = [(("所属产业链", "智能终端"), ("链主企业名称", "青禾星辰科技有限公司"), ("镇街（园区）", "云溪镇")),
               (("所属产业链", "智能终端"), ("链主企业名称", "澄川微纳材料有限公司"), ("镇街（园区）", "石桥街道")),
               (("所属产业链", "新型储能"), ("链主企业名称", "北岭蓝川能源股份有限公司"))]


def test_merged_cells_html(tmp_path):
    body = ("<table><tr><th>所属产业链</th><th>链主企业名称</th><th>镇街（园区）</th></tr>"
            '<tr><td rowspan="2">智能终端</td><td>青禾星辰科技有限公司</td><td>云溪镇</td></tr>'
            "<tr><td>澄川微纳材料有限公司</td><td>石桥街道</td></tr>"
            '<tr><td>新型储能</td><td colspan="2">北岭蓝川能源股份有限公司</td></tr></table>')
    f = tmp_path / "short.html"  # a short page: the article is little more than the table
    f.write_text(f"<html><body>{NAV}<div class='article'><h1>链主企业名单</h1><p>{INTRO}</p>{body}</div>{FOOTER}"
                 "</body></html>", encoding="utf-8")
    doc = ingest.read_document(f)
    assert [s.cells for s in _rows(doc)] == MERGED_ROWS
    assert "政务公开" not in doc.text and "版权所有" not in doc.text


def test_merged_cells_docx(tmp_path):
    import docx

    d = docx.Document()
    t = d.add_table(rows=4, cols=3)
    for i, r in enumerate(MERGED):
        for j, v in enumerate(r):
            if v:
                t.rows[i].cells[j].text = v
    t.cell(1, 0).merge(t.cell(2, 0))
    t.cell(3, 1).merge(t.cell(3, 2))
    t.cell(1, 0).text, t.cell(3, 1).text = "智能终端", "北岭蓝川能源股份有限公司"
    d.save(tmp_path / "m.docx")
    assert [s.cells for s in _rows(ingest.read_document(tmp_path / "m.docx"))] == MERGED_ROWS


def test_merged_cells_pdf(tmp_path):
    from reportlab.lib import colors
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    font = _cid_font()
    t = Table(MERGED)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                           ("SPAN", (0, 1), (0, 2)), ("SPAN", (1, 3), (2, 3))]))
    SimpleDocTemplate(str(tmp_path / "m.pdf")).build([t])
    assert [s.cells for s in _rows(ingest.read_document(tmp_path / "m.pdf"))] == MERGED_ROWS
