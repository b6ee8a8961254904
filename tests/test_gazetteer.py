"""The gazetteer component: whole-word matches, ambiguous entries, aliases, the shipped file."""
from __future__ import annotations

import csv

import pytest

from kg.components import State, gazetteer
from kg.ingest import build_document
from kg.model import Extraction
from kg.resources import data_dir

ROWS = ("name\taliases\tindustry\tambiguous\n青禾重工\t青禾|青禾重工股份有限公司\t机械\t0\n长风\t\t汽车\t1\n"
        "蓝鲸巴巴\t蓝鲸|新产业\t互联网\t1\n")


@pytest.fixture()
def run(tmp_path):
    path = tmp_path / "firms.tsv"
    path.write_text(ROWS, encoding="utf-8")
    step = gazetteer.make_gazetteer({"file": str(path)})

    def go(text: str) -> dict[str, str]:
        state = State(Extraction(build_document(text, "t.txt")))
        step(state)
        return {m.text: m.canonical for m in state.ex.mentions if m.type == "Enterprise"}
    return go


def test_a_listed_firm_is_found_as_a_word_named_as_the_text_names_it(tmp_path):
    """The form the document uses is the mention's name (the guidelines' canonical form is the
    fullest one attested); the listed name is its alias, which links documents."""
    path = tmp_path / "firms.tsv"
    path.write_text(ROWS, encoding="utf-8")
    state = State(Extraction(build_document("青禾与远帆控股签约。", "t.txt")))
    gazetteer.make_gazetteer({"file": str(path)})(state)
    [m] = [m for m in state.ex.mentions if m.type == "Enterprise"]
    assert (m.text, m.canonical, m.aliases) == ("青禾", "青禾", ("青禾重工",))


def test_no_match_inside_a_longer_word(run):
    assert run("常青禾苗长势良好。") == {}


def test_a_function_word_after_the_brand_is_not_glued_to_it(run):
    # the firm-name model reads 青禾重工为龙 as one name; 为 is a word of its own
    assert run("全县以青禾重工为龙头打造装备产业链。") == {"青禾重工": "青禾重工"}


def test_a_company_word_after_the_brand_names_another_firm(run):
    assert run("青禾证券分析师认为。") == {"青禾证券": "青禾证券"}


def test_ambiguous_entry_needs_its_suffix(run):
    assert run("长风破浪会有时。") == {}
    assert run("长风能源转型。") == {}  # an industry word after an everyday word is a phrase
    assert run("长风集团今年扩产。") == {"长风集团": "长风集团"}


def test_unreadable_file_is_a_clear_error(tmp_path):
    step = gazetteer.make_gazetteer({"file": str(tmp_path / "missing.tsv")})
    with pytest.raises(RuntimeError, match="无法读取名录文件"):
        step(State(Extraction(build_document("青禾重工扩产。", "t.txt"))))


def test_shipped_file_is_well_formed():
    path = data_dir() / gazetteer.DEFAULT_FILE
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) > 500
    seen: set[str] = set()
    for r in rows:
        assert r["ambiguous"] in ("0", "1") and r["industry"]
        forms = [r["name"], *filter(None, r["aliases"].split("|"))]
        assert not seen & set(forms), forms
        seen |= set(forms)


def test_shipped_file_names_each_form_once():
    """No name or alias appears twice, within a row or across rows: a form names one firm."""
    import collections

    path = data_dir() / gazetteer.DEFAULT_FILE
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    forms = [x for r in rows for x in [r["name"], *r["aliases"].split("|")] if x]
    assert all(x == x.strip() for x in forms)
    assert all(r["aliases"] == "" or "" not in r["aliases"].split("|") for r in rows)
    twice = [x for x, n in collections.Counter(forms).items() if n > 1]
    assert not twice, twice[:20]


def test_shipped_file_finds_short_forms_of_well_known_firms():
    from kg.extract import Extractor

    ex = Extractor().extract(build_document("中国北车向爱普生和群创光电采购，长城证券研究员点评。", "t.txt"))
    firms = {m.text: m.canonical for m in ex.mentions if m.type == "Enterprise"}
    assert {"中国北车", "爱普生", "群创光电", "长城证券"} <= set(firms)
    ex = Extractor().extract(build_document("两地群众心连心，山西焦化行业加快整合。", "t.txt"))
    assert not [m.text for m in ex.mentions if m.type == "Enterprise"]  # everyday words need their suffix
    ex = Extractor().extract(build_document("重点引进电池管理系统（BMS）、温控设备等配套企业。", "t.txt"))
    assert not [m.text for m in ex.mentions if m.type == "Enterprise"]  # an acronym that is also a technical term


def test_product_gazetteer_is_well_formed_and_read_in_production_context():
    from kg.components.products import vocab
    from kg.extract import Extractor

    path = data_dir() / "gazetteers/products.tsv"
    with open(path, encoding="utf-8", newline="") as f:
        terms = [r["term"] for r in csv.DictReader(f, delimiter="\t")]
    assert len(terms) == len(set(terms)) > 1000 and all(2 <= len(t) <= 10 for t in terms)
    assert set(terms) <= vocab()["terms"]
    ex = Extractor().extract(build_document("星海钢铁主要生产棒材和高速线材。棒材价格上涨。", "t.txt"))
    assert {"棒材", "高速线材"} <= {m.text for m in ex.mentions if m.type == "Product"}


def test_register_firms_are_found_by_their_short_forms():
    from kg.extract import Extractor

    ext = Extractor(register=("山西青禾电池科技有限公司", "长城集团有限公司"))
    ex = ext.extract(build_document("今年青禾电池科技扩产。长城脚下风景好。", "t.txt"))
    firms = {m.text: m.canonical for m in ex.mentions if m.type == "Enterprise"}
    assert firms == {"青禾电池科技": "山西青禾电池科技有限公司"}  # 长城 alone is an everyday word


def test_a_firms_mentions_take_the_fullest_form_the_document_uses(tmp_path):
    path = tmp_path / "firms.tsv"
    path.write_text(ROWS, encoding="utf-8")
    state = State(Extraction(build_document("青禾重工今年扩产。青禾表示将加大投入。", "t.txt")))
    gazetteer.make_gazetteer({"file": str(path)})(state)
    assert {(m.text, m.canonical) for m in state.ex.mentions} == {("青禾重工", "青禾重工"), ("青禾", "青禾重工")}


def test_a_company_word_that_qualifies_the_next_noun_is_not_taken(run):
    assert run("青禾证券事务代表表示。") == {"青禾": "青禾"}


def test_ambiguous_entry_long_forms_stand_alone(run):
    """An ambiguous entry (蓝鲸 is also an animal) still names the firm by a long form that is no
    everyday word; its everyday-word forms still need a suffix."""
    assert run("蓝鲸巴巴发布财报。") == {"蓝鲸巴巴": "蓝鲸巴巴"}
    assert run("海里的蓝鲸很大。") == {}
    assert run("培育新产业发展壮大。") == {}


def test_fullest_form_includes_forms_other_components_found(tmp_path):
    """A form another component found first (the legal name, by its suffix) and a shorter one the
    gazetteer finds (青禾): one firm, named by the fuller form."""
    path = tmp_path / "firms.tsv"
    path.write_text(ROWS, encoding="utf-8")
    text = "青禾重工股份有限公司今年投产。青禾的订单增长。"
    state = State(Extraction(build_document(text, "t.txt")))
    state.propose(0, 10, "Enterprise", source="rule")
    gazetteer.make_gazetteer({"file": str(path)})(state)
    names = {m.text: m.canonical for m in state.ex.mentions if m.type == "Enterprise"}
    assert names == {"青禾重工股份有限公司": "青禾重工股份有限公司", "青禾": "青禾重工股份有限公司"}
