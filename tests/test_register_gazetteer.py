"""The user's enterprise register feeds extraction: a register firm named in a text by its short
form becomes an extracted firm with the register's legal name, and changing the register
invalidates the extraction cache."""
from __future__ import annotations

import json

from kg.cli import main

TEXT = "据悉，青禾储能今年订单已排到明年三月。\n"
ROWS = "名称,地址/区县,主营产品或经营范围,规上\n山西青禾储能科技有限公司,长治市潞州区,储能电池,是\n"


def _firms(out) -> dict[str, str]:
    recs = [json.loads(line) for line in (out / "extraction.jsonl").read_text(encoding="utf-8").splitlines()]
    return {e["text"]: e["canonical"] for r in recs for e in r["entities"] if e["type"] == "Enterprise"}


def test_register_firm_is_found_by_its_short_form(tmp_path):
    src = tmp_path / "texts"
    src.mkdir()
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    reg = tmp_path / "register.csv"
    reg.write_text(ROWS, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)
    assert "青禾储能" not in _firms(out)  # unknown without the register
    assert main(["build", str(src), "--out", str(out), "--quiet", "--register", str(reg)]) in (0, 1)
    assert _firms(out).get("青禾储能") == "山西青禾储能科技有限公司"  # the cache did not hide it


def test_evidence_mentions_carry_their_components_precision(tmp_path):
    from kg.confidence import mention_confidence

    src = tmp_path / "texts"
    src.mkdir()
    (src / "a.txt").write_text("远帆电子有限公司主要生产芯片和传感器。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--quiet"]) in (0, 1)
    nq = (out / "graph.nq").read_text(encoding="utf-8")
    triples = [ln.split(" ", 3) for ln in nq.splitlines()]
    mentions = {t[0] for t in triples if t[1].endswith("#type>") and t[2].endswith("ontology#Mention>")}
    conf = {t[0]: float(t[2].split('"')[1]) for t in triples if t[1].endswith("ontology#confidence>")}
    assert mentions and all(m in conf for m in mentions)
    measured = {round(mention_confidence(s), 3) for s in ("rule", "produce-verb", "product-lexicon", "list")}
    assert {conf[m] for m in mentions} <= measured
