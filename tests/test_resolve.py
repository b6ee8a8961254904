"""Entity resolution across documents (kg/resolve.py) on hand-made extractions."""
from decimal import Decimal
from pathlib import Path

from kg.model import Document, Extraction, Fact, Mention, Relation, Sentence
from kg.resolve import build_kb, company_core


def make_doc(doc_id: str, sentences: list[str]) -> Document:
    text, sents = "", []
    for i, s in enumerate(sentences):
        sents.append(Sentence(i, len(text), len(text) + len(s), s))
        text += s
    return Document(doc_id, f"/corpus/{doc_id}", text, sents, sha256="0" * 64)


def mention(doc: Document, surface: str, type_: str, canonical: str | None = None, nth: int = 0,
            aliases=()) -> Mention:
    i = -1
    for _ in range(nth + 1):
        i = doc.text.index(surface, i + 1)
    s = doc.sentence_at(i)
    return Mention(surface, type_, canonical or surface, i, i + len(surface), s.index, tuple(aliases))


def rel(doc: Document, head, rel_, tail, sentence: int, head_type="", tail_type="", **kw) -> Relation:
    return Relation(head, rel_, tail, sentence, doc.sentences[sentence].text, head_type, tail_type, **kw)


def entity_labels(kb, type_):
    return sorted(label for (t, label) in kb.entities if t == type_)


# --------------------------------------------------------------------------- companies

def test_short_names_merge_into_the_unique_full_legal_name():
    d1 = make_doc("a.txt", ["山西高科华烨电子集团有限公司在长治高新区建设MLED新型显示面板生产项目。"])
    d2 = make_doc("b.txt", ["华烨与襄垣县签约。", "高科华烨在长治的高新区扩产。"])
    d3 = make_doc("c.txt", ["山西霍家工业有限公司年产1万吨PVDF。", "霍家工业与华烨同台签约。"])
    exs = [
        Extraction(d1, [mention(d1, "山西高科华烨电子集团有限公司", "Enterprise"),
                        mention(d1, "长治高新区", "Park")],
                   [rel(d1, "山西高科华烨电子集团有限公司", "locatedIn", "长治高新区", 0, "Enterprise", "Park")]),
        Extraction(d2, [mention(d2, "华烨", "Enterprise"), mention(d2, "襄垣县", "County"),
                        mention(d2, "高科华烨", "Enterprise"), mention(d2, "高新区", "Park")],
                   [rel(d2, "华烨", "signedWith", "襄垣县", 0, "Enterprise", "County"),
                    rel(d2, "高科华烨", "locatedIn", "高新区", 1, "Enterprise", "Park")]),
        Extraction(d3, [mention(d3, "山西霍家工业有限公司", "Enterprise"), mention(d3, "霍家工业", "Enterprise"),
                        mention(d3, "华烨", "Enterprise")],
                   [rel(d3, "霍家工业", "signedWith", "华烨", 1, "Enterprise", "Enterprise")]),
    ]
    kb = build_kb(exs)
    assert entity_labels(kb, "Enterprise") == ["山西霍家工业有限公司", "山西高科华烨电子集团有限公司"]
    huaye = kb.entities[("Enterprise", "山西高科华烨电子集团有限公司")]
    assert {"华烨", "高科华烨"} <= huaye.aliases
    assert {d for d, _ in huaye.mentions} == {"a.txt", "b.txt", "c.txt"}
    assert kb.entities[("Enterprise", "山西霍家工业有限公司")].aliases == {"霍家工业"}

    # relations are rewritten to the resolved keys; the two locatedIn become one with two evidences
    located = [a for a in kb.assertions if a.rel == "locatedIn"]
    assert len(located) == 1
    a = located[0]
    assert a.head == ("Enterprise", "山西高科华烨电子集团有限公司") and a.tail == ("Park", "长治高新区")
    assert sorted((e.doc_id, e.sentence) for e in a.evidence) == [("a.txt", 0), ("b.txt", 1)]
    ev_b = next(e for e in a.evidence if e.doc_id == "b.txt")
    assert ev_b.text == "高科华烨在长治的高新区扩产。" and d2.text[ev_b.start:ev_b.end] == ev_b.text
    signed = {(x.head[1], x.tail[1]) for x in kb.assertions if x.rel == "signedWith"}
    assert signed == {("山西高科华烨电子集团有限公司", "襄垣县"), ("山西霍家工业有限公司", "山西高科华烨电子集团有限公司")}


def test_ambiguous_short_name_and_two_different_companies_stay_apart():
    d = make_doc("a.txt", ["山西高科华烨电子集团有限公司和山西高科视像科技有限公司都在长治。", "高科表示将继续投资。"])
    ex = Extraction(d, [mention(d, "山西高科华烨电子集团有限公司", "Enterprise"),
                        mention(d, "山西高科视像科技有限公司", "Enterprise"),
                        mention(d, "高科", "Enterprise")])
    kb = build_kb([ex])
    assert entity_labels(kb, "Enterprise") == ["山西高科华烨电子集团有限公司", "山西高科视像科技有限公司", "高科"]


def test_short_name_with_two_candidates_is_not_merged():
    d = make_doc("a.txt", ["山西润和燃气有限公司与浙江润和建设有限公司合作。", "润和称项目年内开工。"])
    ex = Extraction(d, [mention(d, "山西润和燃气有限公司", "Enterprise"), mention(d, "浙江润和建设有限公司", "Enterprise"),
                        mention(d, "润和", "Enterprise")])
    kb = build_kb([ex])
    assert len(entity_labels(kb, "Enterprise")) == 3


def test_two_full_legal_names_with_the_same_core_are_kept_apart():
    d = make_doc("a.txt", ["长治市润和燃气有限公司和山西润和燃气有限公司签约。"])
    ex = Extraction(d, [mention(d, "长治市润和燃气有限公司", "Enterprise"), mention(d, "山西润和燃气有限公司", "Enterprise")],
                    [rel(d, "长治市润和燃气有限公司", "signedWith", "山西润和燃气有限公司", 0, "Enterprise", "Enterprise")])
    kb = build_kb([ex])
    assert len(entity_labels(kb, "Enterprise")) == 2
    assert len(kb.assertions) == 1


def test_same_core_short_form_joins_full_name_and_label_is_fullest():
    d1 = make_doc("a.txt", ["山西高科华烨电子集团在会上发言。"])
    d2 = make_doc("b.txt", ["山西高科华烨电子集团有限公司投产。"])
    kb = build_kb([Extraction(d1, [mention(d1, "山西高科华烨电子集团", "Enterprise")]),
                   Extraction(d2, [mention(d2, "山西高科华烨电子集团有限公司", "Enterprise")])])
    assert entity_labels(kb, "Enterprise") == ["山西高科华烨电子集团有限公司"]
    assert "山西高科华烨电子集团" in kb.entities[("Enterprise", "山西高科华烨电子集团有限公司")].aliases


def test_company_core():
    assert company_core("山西高科华烨电子集团有限公司") == "高科华烨"
    assert company_core("鼎轮能源科技(山西)有限公司") == "鼎轮"
    assert company_core("浙江利星能实业发展有限公司") == "利星能"
    assert company_core("长治市润和燃气有限公司") == "润和燃气"


def test_aliases_from_the_extractor_join_only_when_unambiguous():
    d = make_doc("a.txt", ["甲乙丙科技有限公司（简称甲乙丙）投产。", "甲乙丙扩产。"])
    ex = Extraction(d, [mention(d, "甲乙丙科技有限公司", "Enterprise", aliases=("甲乙丙",)),
                        mention(d, "甲乙丙", "Enterprise", nth=1)])
    kb = build_kb([ex])
    assert entity_labels(kb, "Enterprise") == ["甲乙丙科技有限公司"]


# --------------------------------------------------------------------------- places and clusters

def test_parks_admin_short_forms_and_clusters_resolve_via_reference_data():
    d = make_doc("a.txt", ["长治经开区与襄垣签约。", "长治经济技术开发区新增项目。", "经开区位于长治。",
                           "电子信息产业快速发展。", "襄垣经开区和襄垣经济技术开发区是同一个园区。"])
    ex = Extraction(d, [mention(d, "长治经开区", "Park"), mention(d, "襄垣", "County"),
                        mention(d, "长治经济技术开发区", "Park"), mention(d, "经开区", "Park", nth=1),
                        mention(d, "长治", "City", nth=2), mention(d, "电子信息", "IndustryCluster"),
                        mention(d, "襄垣经开区", "Park"), mention(d, "襄垣经济技术开发区", "Park")],
                    [rel(d, "长治经开区", "locatedIn", "长治", 2, "Park", "City"),
                     rel(d, "经开区", "locatedIn", "长治", 2, "Park", "City")],
                    [Fact("长治", "签约项目数", "36个", Decimal(36), "个", "", 0, d.sentences[0].text)])
    kb = build_kb([ex])
    parks = entity_labels(kb, "Park")
    assert parks == ["襄垣经济技术开发区", "长治经济技术开发区"]
    assert kb.entities[("Park", "长治经济技术开发区")].attrs["reference"] is True
    assert entity_labels(kb, "County") == ["襄垣县"]
    assert entity_labels(kb, "City") == ["长治市"]
    assert entity_labels(kb, "IndustryCluster") == ["信创产业集群"]
    assert [(a.head[1], a.tail[1]) for a in kb.assertions] == [("长治经济技术开发区", "长治市")]
    assert kb.facts[0][1].subject == "长治市"


def test_generic_names_do_not_link_across_documents():
    # 苏州: bare 高新区 is 苏州高新区 there, and no 长治 in sight -> not 长治高新区
    d1 = make_doc("suzhou.txt", ["苏州高新区新开工项目20个。", "高新区将突出工业投资。", "浒关开发区签约3个项目。", "开发区负责人表示。"])
    # another article's bare 开发区 is not 苏州's 浒关开发区
    d2 = make_doc("jinzhou.txt", ["锦州开发区内光伏企业集聚。"])
    exs = [Extraction(d1, [mention(d1, "苏州高新区", "Park"), mention(d1, "高新区", "Park", "苏州高新区", nth=1),
                           mention(d1, "浒关开发区", "Park"), mention(d1, "开发区", "Park", "浒关开发区", nth=1)]),
           Extraction(d2, [mention(d2, "开发区", "Park")]),
           ]
    kb = build_kb(exs)
    assert entity_labels(kb, "Park") == ["开发区", "浒关开发区", "苏州高新区"]
    d3 = make_doc("other.txt", ["高新区新签项目。"])
    kb = build_kb([Extraction(d3, [mention(d3, "高新区", "Park")])])
    assert entity_labels(kb, "Park") == ["高新区"]
    d4 = make_doc("cz.txt", ["长治市高新区新签项目。"])
    kb = build_kb([Extraction(d4, [mention(d4, "高新区", "Park")])])
    assert entity_labels(kb, "Park") == ["长治高新区"]


def test_other_region_folder_is_used_and_ambiguous_reference_alias_is_not(tmp_path: Path):
    region = tmp_path / "other"
    region.mkdir()
    (region / "region.ttl").write_text("""
@prefix kg: <https://w3id.org/chainkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/chainkg/id/Park/甲市高新区> a kg:Park ; rdfs:label "甲市高新区"@zh ;
    skos:prefLabel "甲市高新区"@zh ; skos:altLabel "高新区"@zh , "甲市高新技术产业开发区"@zh .
""", encoding="utf-8")
    d = make_doc("a.txt", ["高新区新签项目。", "甲市高新技术产业开发区成立。"])
    ex = Extraction(d, [mention(d, "高新区", "Park"), mention(d, "甲市高新技术产业开发区", "Park")])
    only_other = build_kb([ex], region_dirs=[region])
    assert entity_labels(only_other, "Park") == ["甲市高新区"]
    both = build_kb([ex], region_dirs=[Path(__file__).resolve().parents[1] / "ontology/regions/changzhi", region])
    # bare 高新区 now names two reference parks: left alone
    assert entity_labels(both, "Park") == ["甲市高新区", "高新区"]


def test_literal_relations_deduplicated_and_self_loops_dropped():
    d1 = make_doc("a.txt", ["山西卡仕途自动化装备有限公司投资5亿元建设智能装备项目。"])
    d2 = make_doc("b.txt", ["卡仕途投资5亿元建设智能装备项目。", "卡仕途与山西卡仕途自动化装备有限公司签约。"])
    exs = [Extraction(d1, [mention(d1, "山西卡仕途自动化装备有限公司", "Enterprise"), mention(d1, "智能装备项目", "Project")],
                      [rel(d1, "智能装备项目", "investment", "5亿元", 0, "Project", literal=True,
                           value=Decimal("500000000"), currency="CNY")]),
           Extraction(d2, [mention(d2, "卡仕途", "Enterprise"), mention(d2, "智能装备项目", "Project")],
                      [rel(d2, "智能装备项目", "investment", "5亿元", 0, "Project", literal=True,
                           value=Decimal("500000000"), currency="CNY"),
                       rel(d2, "卡仕途", "signedWith", "山西卡仕途自动化装备有限公司", 1, "Enterprise", "Enterprise")])]
    kb = build_kb(exs)
    assert len(kb.assertions) == 1
    a = kb.assertions[0]
    assert a.literal and a.tail == "5亿元" and a.value == Decimal("500000000")
    assert len(a.evidence) == 2


def test_one_investment_per_project_and_amount_however_the_amount_is_written():
    # 8亿元 and 8个亿元 are one figure: one assertion (one kg:investmentAmount statement, one
    # confidence); a different amount stays a second assertion
    d = make_doc("a.txt", ["某川新材料投资8亿元建设薄膜项目。", "薄膜项目投资8个亿元。", "薄膜项目二期投资3亿元。"])
    rels = [rel(d, "薄膜项目", "investment", t, i, "Project", literal=True, value=Decimal(v), currency="CNY",
                confidence=c)
            for t, i, v, c in (("8亿元", 0, "800000000", 0.9), ("8个亿元", 1, "8E+8", 0.5), ("3亿元", 2, "300000000", 0.7))]
    kb = build_kb([Extraction(d, [mention(d, "薄膜项目", "Project")], rels)])
    got = sorted((a.tail, a.confidence, len(a.evidence)) for a in kb.assertions)
    assert got == [("3亿元", 0.7, 1), ("8亿元", 0.9, 2)]


def test_a_short_name_with_another_trade_is_another_firm():
    """北辰光电 and 北辰锂业 share a trade name, not a firm: neither is the other's short name; 北辰光电
    is the short name of 北辰光电科技有限公司, and 星海科技 of no 星海新能源."""
    d1 = make_doc("a.txt", ["北辰锂业年产2万吨碳酸锂。", "星海新能源建设光伏组件项目。"])
    d2 = make_doc("b.txt", ["以北辰光电为链主，星海科技为链核。"])
    d3 = make_doc("c.txt", ["北辰光电科技有限公司签约落户。"])
    exs = [Extraction(d1, [mention(d1, "北辰锂业", "Enterprise"), mention(d1, "星海新能源", "Enterprise")], []),
           Extraction(d2, [mention(d2, "北辰光电", "Enterprise"), mention(d2, "星海科技", "Enterprise")], []),
           Extraction(d3, [mention(d3, "北辰光电科技有限公司", "Enterprise")], [])]
    kb = build_kb(exs)
    assert entity_labels(kb, "Enterprise") == ["北辰光电科技有限公司", "北辰锂业", "星海新能源", "星海科技"]
    assert kb.entities[("Enterprise", "北辰光电科技有限公司")].aliases == {"北辰光电"}
