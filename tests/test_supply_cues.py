"""Supplier links told in the ways firms and reporters usually tell them (invented sentences)."""
from __future__ import annotations

import pytest

from kg.extract import Extractor
from kg.ingest import build_document


@pytest.fixture(scope="module")
def ext():
    return Extractor()


def _supplies(ext, text):
    doc = build_document(text, "t.txt")
    return {(r.head, r.tail) for r in ext.extract(doc).relations if r.rel == "suppliesTo"}


@pytest.mark.parametrize("text,pairs", [
    ("云帆电子主要配套比亚迪、吉利等整车企业。", {("云帆电子", "比亚迪"), ("云帆电子", "吉利")}),
    ("云帆电子已成为宁德时代的合格供应商。", {("云帆电子", "宁德时代")}),
    ("云帆电子是宁德时代核心供应商之一。", {("云帆电子", "宁德时代")}),
    ("目前，云帆电子是比亚迪在西南地区最大的零部件供应商。", {("云帆电子", "比亚迪")}),
    ("云帆电子生产的线束已配套长安汽车多款车型。", {("云帆电子", "长安汽车")}),
])
def test_supplier_told_without_a_preposition(ext, text, pairs):
    assert _supplies(ext, text) == pairs


@pytest.mark.parametrize("text", [
    "参与地铁信号系统供应的华安信号有限公司今年中标。",  # the firm after 供应的 is no customer
    "该公司是全国最大的零部件供应商。",
    "园区企业主要供应华东市场。",
])
def test_no_supplier_without_two_firms(ext, text):
    assert _supplies(ext, text) == set()
