"""Enterprise register import (CSV / XLSX): the list of local firms a bureau holds.

Columns (header names, Chinese): 名称 (required), 统一社会信用代码 (optional), 地址 or 区县 (or 地址/区县),
主营产品 or 经营范围 (or 主营产品或经营范围), 规上 (是/否), 营收 (optional). Each good row becomes an
Enterprise (resolved against extracted names), its products (kg:produces), its county (kg:locatedIn)
and its register attributes, all as assertions whose evidence is the row: the register file is a
kg:Document and each row a kg:Sentence (index = line number), so every triple traces to file and row.
Bad rows are reported (file, row, column) and skipped; the rest loads.
"""
from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .model import Assertion, Document, Entity, Evidence, KnowledgeBase, Mention, Sentence, Skipped
from .region import divisions
from .resolve import resolve_register_name
from .util import norm_name

COLUMNS = {  # canonical column -> accepted header names
    "名称": ("名称", "企业名称", "单位名称"),
    "统一社会信用代码": ("统一社会信用代码", "信用代码"),
    "地址": ("地址/区县", "地址", "区县", "所在区县", "注册地址"),
    "产品": ("主营产品或经营范围", "主营产品", "经营范围", "主要产品"),
    "规上": ("规上", "是否规上", "规上企业"),
    "营收": ("营收", "营业收入", "营收（万元）", "营业收入（万元）"),
}
YES, NO = {"是", "1", "Y", "y", "yes", "规上", "√"}, {"否", "0", "N", "n", "no", ""}
CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
PRODUCT_SPLIT = re.compile(r"[、，,;；/\s]+")


class RegisterError(Exception):
    """The file as a whole cannot be read (one line, Chinese)."""


@dataclass
class Row:
    line: int
    values: dict[str, str]
    products: list[str] = field(default_factory=list)


def _read_rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl
        except ImportError:
            raise RegisterError("读取 XLSX 需要 openpyxl（pip install openpyxl）")
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:
            raise RegisterError(f"{path.name}：无法读取 Excel 文件（{e}）")
        ws = wb.worksheets[0]
        return [["" if v is None else str(v).strip() for v in r] for r in ws.iter_rows(values_only=True)]
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegisterError(f"{path.name}：无法识别文件编码（请另存为 UTF-8 CSV）")
    return [[c.strip() for c in r] for r in csv.reader(text.splitlines())]


def _columns(header: list[str], path: Path) -> dict[str, int]:
    idx = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h.strip().lstrip("\ufeff") in names:
                idx[key] = i
                break
    if "名称" not in idx:
        raise RegisterError(f"{path.name} 第1行：缺少「名称」列（表头应含 名称、地址/区县、主营产品或经营范围、规上）")
    return idx


def _check(values: dict[str, str]) -> tuple[str, str] | None:
    """(column, problem) of the first bad cell, None when the row is fine."""
    if not values.get("名称"):
        return "名称", "为空"
    code = values.get("统一社会信用代码", "")
    if code and not CREDIT_RE.match(code.upper()):
        return "统一社会信用代码", f"“{code}”不是18位统一社会信用代码"
    if values.get("规上", "") not in YES | NO:
        return "规上", f"“{values['规上']}”应为 是 或 否"
    rev = values.get("营收", "").replace(",", "")
    if rev and not re.fullmatch(r"\d+(\.\d+)?(万元|亿元|元|万|亿)?", rev):
        return "营收", f"“{values['营收']}”不是数字"
    return None


def read(path: str | Path) -> tuple[list[Row], list[Skipped]]:
    """Good rows and one Skipped (file, row, reason naming the column) per bad row."""
    path = Path(path)
    if not path.is_file():
        raise RegisterError(f"企业名录文件不存在：{path}")
    rows = _read_rows(path)
    if not rows:
        raise RegisterError(f"{path.name}：文件为空")
    idx = _columns(rows[0], path)
    good, bad = [], []
    for line, r in enumerate(rows[1:], 2):
        if not any(c for c in r):
            continue
        values = {k: (r[i].strip() if i < len(r) else "") for k, i in idx.items()}
        problem = _check(values)
        if problem:
            bad.append(Skipped(str(path), f"第{line}行「{problem[0]}」{problem[1]}，已跳过该行", line))
            continue
        prods = [p for p in PRODUCT_SPLIT.split(values.get("产品", "")) if len(p) >= 2]
        good.append(Row(line, values, prods))
    return good, bad


def firm_names(paths) -> tuple[str, ...]:
    """The firm names of the registers' good rows (bad rows are reported when the register is
    loaded into the knowledge base): the extraction gazetteer matches them in the texts."""
    names: set[str] = set()
    for p in paths or ():
        names.update(r.values["名称"] for r in read(p)[0])
    return tuple(sorted(names))


def _row_text(row: Row) -> str:
    v = row.values
    parts = [f"名称：{v['名称']}"]
    for k in ("统一社会信用代码", "地址", "产品", "规上", "营收"):
        if v.get(k):
            parts.append(f"{k}：{v[k]}")
    return "；".join(parts)


def _county(address: str) -> str | None:
    """The county-level division an address names (full name), if any."""
    for n in sorted(divisions(), key=len, reverse=True):
        rec = divisions()[n]
        if rec["type"] == "County" and len(n) >= 2 and rec["name"] in address:
            return rec["name"]
    return None


def add_to_kb(kb: KnowledgeBase, path: str | Path) -> list[Skipped]:
    """Load a register into kb (document, entities, assertions with row evidence); return the bad rows."""
    path = Path(path)
    rows, bad = read(path)
    doc_id = path.name
    text_parts, sentences, offset = [], [], 0
    for row in rows:
        t = _row_text(row)
        sentences.append(Sentence(row.line, offset, offset + len(t), t))
        text_parts.append(t)
        offset += len(t) + 1
    kb.documents.append(Document(doc_id, str(path), "\n".join(text_parts), sentences,
                                 sha256=hashlib.sha256(path.read_bytes()).hexdigest()))
    for row, sent in zip(rows, sentences):
        _add_row(kb, doc_id, row, sent)
    return bad


def _entity(kb: KnowledgeBase, key: tuple[str, str], doc_id: str, sent: Sentence, surface: str) -> tuple[str, str]:
    ent = kb.entities.get(key)
    if ent is None:
        ent = kb.entities[key] = Entity(key[0], key[1])
    i = sent.text.find(surface)
    if i >= 0:
        ent.mentions.append((doc_id, Mention(surface, key[0], key[1], sent.start + i, sent.start + i + len(surface),
                                             sent.index, source="register")))
    return key


def _add_row(kb: KnowledgeBase, doc_id: str, row: Row, sent: Sentence) -> None:
    v = row.values
    name = norm_name(v["名称"])
    key = resolve_register_name(kb, name) or ("Enterprise", name)
    if key[1] != name:
        kb.entities[key].aliases.add(name)
    _entity(kb, key, doc_id, sent, v["名称"])
    ev = [Evidence(doc_id, sent.index, sent.start, sent.end, sent.text)]
    for p in row.products:
        pk = _entity(kb, ("Product", norm_name(p)), doc_id, sent, p)
        kb.assertions.append(Assertion(key, "produces", pk, evidence=list(ev)))
    county = _county(v.get("地址", ""))
    if county:
        ck = _entity(kb, ("County", county), doc_id, sent, county)
        kb.assertions.append(Assertion(key, "locatedIn", ck, evidence=list(ev)))
    lits = {"creditCode": v.get("统一社会信用代码", "").upper(), "aboveScale": "是" if v.get("规上") in YES else "否",
            "revenueText": v.get("营收", ""), "registerAddress": v.get("地址", "")}
    for rel, val in lits.items():
        if val:
            kb.assertions.append(Assertion(key, rel, val, literal=True, evidence=list(ev)))
