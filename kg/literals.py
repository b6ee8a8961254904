"""Literal values in the text: amounts of money and production capacities.

Shared by the rule recognisers (kg/extract.py) and the relation stage (kg/relate.py), so both
find the same literal strings (`investment` tails like 20亿元, `capacity` tails like 年产4万吨)."""
from __future__ import annotations

import re
from decimal import Decimal

CJK = "\u3400-\u9fff"
_num = r"\d+(?:\.\d+)?"
_amount_num = r"\d+(?:\s?\.\s?\d+)?"  # typeset amounts may have a space at the point (4 .6亿元)
CAP_UNITS = ("万千瓦时|千瓦时|万千瓦|千瓦|兆瓦|吉瓦|MWh|GWh|MW|GW|kW|KW|万吨|吨|万千升|千升|万套|套|万台|台套|台|万条|万片|亿片|片|万颗|亿颗|颗|"
             "万个|亿个|万支|亿支|万盏|盏|万辆|辆|万件|件|万只|只|万平方米|平方米|万立方米|立方米|万马力|马力|万头|头|万羽|羽|万瓶|瓶|万箱|箱|"
             "万公里|芯公里|公里|万米|米|万块|万张|万部|万双|万桶")
# the 年产 prefix is found with a product between it and the figure (年处理秸秆3000吨; capacity_text prints a
# production prefix's figure without the product), not with a verb
# (年产能将达360万吨 → 360万吨); a figure of a class (30万吨级码头, 10万千瓦级机组) is no capacity
CAP_RE = re.compile(rf"(?:(?:年产能?|年处理|年供水量?|年加工|年吞吐量?|年发电量?|年制造|年生产|每年|每月|月产能?|日产能?)(?:(?![将达为约超至可了])[{CJK}]){{0,4}}?)?(?<!时速)(?<!全长)(?<!长度)(?<!距离)(?<!里程)(?<![\d.．]){_num}(?:[万亿千百])?(?:余|多)?(?:{CAP_UNITS})(?!级)(?:/年)?(?:以上|左右)?", re.I)
_PRODUCT_BEFORE_FIGURE = re.compile(rf"^(?:年产能|年产|年制造|年生产|每年|每月|月产能|月产|日产能|日产)(?!能)[{CJK}]+(?=[\d０-９])")


def capacity_text(found: str) -> str:
    """A capacity literal as the guidelines print it: the figure without the product; a production
    prefix stays only right before its figure (年产铁精矿800万吨 → 800万吨; 年产10万吨 stays), a
    throughput prefix keeps what is processed (年处理秸秆3000吨)."""
    return _PRODUCT_BEFORE_FIGURE.sub("", found)


# sizes, not outputs: a figure in these units is a capacity only per period (年产…, 年供水量…: a match
# that opens with its rate does not start with the figure)
_SIZE_ONLY = re.compile(rf"^{_num}(?:[万亿千百])?(?:余|多)?(?:平方米|立方米|芯公里|公里|米)$")


# a few pieces with no 万/亿 and no rate (购置设备600台, 10台机组): a count of equipment
_FEW_PIECES = re.compile(r"^\d+(?:余|多)?(?:台套|台|套|辆|个|件|只|条|块|张|部)$")


def size_only(found: str) -> bool:
    """A capacity match that states a size (占地8万平方米, 全线50公里) or a count of equipment
    (600台), not an output per period."""
    return _SIZE_ONLY.match(found) is not None or _FEW_PIECES.match(found) is not None


CAP_PLAIN_RE = re.compile(rf"{_num}(?:[万亿千百])?(?:万千瓦时|千瓦时|万千瓦|千瓦|兆瓦|吉瓦|MWh|GWh|MW|GW|万吨|吨)")
AMOUNT_RE = re.compile(rf"({_amount_num})\s*(?:多|余)?\s*(?:个)?\s*(亿|万|千万|百万)?\s*(?:多|余)?\s*(元|美元|欧元|日元|港元|港币)")
# an amount after an investment word without its currency (总投资120亿): the figure as printed
_AFTER_INVEST = "|".join(f"(?<=资{w})" for w in ("", "达", "约", "为", "近", "超", "逾"))
BARE_AMOUNT_RE = re.compile(rf"(?:{_AFTER_INVEST})({_num})(?:多|余)?(亿|万)(?![{CJK}%％\d])")
INVEST_LITERAL_RE = re.compile(rf"{AMOUNT_RE.pattern}|{BARE_AMOUNT_RE.pattern}")
INVEST_RE = re.compile(rf"(?:总投资(?:额)?|计划投资|投资|投入)(?:达|约|超过|超|近|逾|为|达到)?\s*({_amount_num}\s*(?:多|余)?\s*(?:个)?\s*(?:亿|万|千万|百万)?\s*(?:多|余)?\s*(?:元|美元|欧元|日元|港元|港币))")
CURRENCY = {"元": "CNY", "美元": "USD", "欧元": "EUR", "日元": "JPY", "港元": "HKD", "港币": "HKD"}
MULT = {"亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6, None: Decimal(1), "": Decimal(1)}


def parse_amount(text: str) -> tuple[Decimal | None, str]:
    """(amount in the currency's unit, ISO currency code) of the first amount in text."""
    m = AMOUNT_RE.search(text.replace(" ", ""))
    if not m:
        bare = re.fullmatch(rf"({_num})(?:多|余)?(亿|万)", text.strip())
        return (Decimal(bare.group(1)) * MULT[bare.group(2)], "") if bare else (None, "")  # currency unknown
    n = Decimal(m.group(1)) * MULT.get(m.group(2), Decimal(1))
    return n, CURRENCY.get(m.group(3), "")
