"""Outputs that stay inert when labels are hostile: CSV formulas, Markdown/HTML in report.md,
`<!--<script>` in graph.html's embedded JSON, `kg query --format csv` for Excel."""
from __future__ import annotations

import csv
import io
import json

import rdflib
from rdflib import RDF, RDFS, Literal, URIRef

from kg import report, view
from kg.cli import main
from kg.util import KG, csv_cell, csv_text, entity_iri, md_escape


def test_csv_cell_neutralises_formulas():
    for bad in ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(bad) == "'" + bad
    for ok in ("-3.5", "+12%", "42", "长治市", "", "a=b"):
        assert csv_cell(ok) == ok
    assert csv_cell(None) == "" and csv_cell(-7) == "-7"


def test_report_csv_helper():
    text = report._csv_text(["企业", "得分"], [["=1+1", 0.5], ["@x", "-1"]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["企业", "得分"], ["'=1+1", "0.5"], ["'@x", "-1"]]


def test_markdown_labels_escaped():
    s = report._md_escape("<img src=x onerror=alert(1)>|[点我](javascript:x)\n*粗*")
    assert "<" not in s and ">" not in s and "\n" not in s
    assert "\\|" in s and "\\[" in s and "\\*" in s
    assert md_escape("山西高科华烨电子集团有限公司") == "山西高科华烨电子集团有限公司"


def test_graph_html_json_has_no_angle_brackets(tmp_path):
    g = rdflib.Graph()
    e = URIRef(entity_iri("Enterprise", "示例公司"))
    hostile = "<!--<script>alert(1)</script>/*DATA*/__TITLE__"
    g.add((e, RDF.type, URIRef(KG + "Enterprise")))
    g.add((e, RDFS.label, Literal(hostile, lang="zh")))
    info = view.write_html(g, tmp_path / "g.html")
    html = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert info["nodes"] >= 1
    assert "<!--<script>" not in html and "alert(1)</script>" not in html
    assert html.count("const NODES = ") == 1
    assert json.loads(view._js(hostile)) == hostile


def test_query_csv_has_bom_and_safe_cells(seeds_out, capsys):
    rc = main(["query", "SELECT ?x ?n WHERE { VALUES (?x ?n) { (\"=1+2\" \"-5\") } }",
               "--graph", str(seeds_out), "--format", "csv"])
    out = capsys.readouterr().out
    assert rc == 0 and out.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(out[1:]))) == [["x", "n"], ["'=1+2", "-5"]]


def test_csv_text_without_bom():
    assert csv_text(["a"], [["=b"]], bom=False) == "a\r\n'=b\r\n"
