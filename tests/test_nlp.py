"""The spaCy view of an extraction (blank zh + jieba): entities land on token boundaries."""
from kg import ingest, nlp
from kg.extract import Extractor


def test_extraction_as_spacy_doc():
    text = "总投资20亿元的年产4万吨负极材料项目落户宜宾三江新区，由四川某某新能源科技有限公司建设。"
    doc = ingest.build_document(text, "x.txt")
    ex = Extractor().extract(doc)
    sdoc = nlp.to_spacy(ex)
    assert sdoc.text == doc.text
    assert len(sdoc) > 5  # jieba tokens, not characters
    ents = {(e.label_, e.text) for e in sdoc.ents}
    assert ("Enterprise", "四川某某新能源科技有限公司") in ents
    assert any(label == "Project" and "负极材料项目" in t for label, t in ents)
    for e in sdoc.ents:
        assert e.kb_id_  # canonical name carried along


def test_cut_is_jiebas_cut_without_hmm_and_caches_clear():
    import jieba

    for text in ("星河动力投资20亿元在临河经济开发区新建电驱系统项目", "ABC公司与青禾材料签约，年产5万吨负极材料",
                 "以远帆电子为链主，打造新能源汽车产业链。", "", "12.5GWh"):
        assert nlp.cut(text) == tuple(jieba.cut(text, HMM=False))
    nlp.cut("青禾材料签约")
    assert nlp.cut.cache_info().currsize > 0
    nlp.clear_text_caches()
    assert nlp.cut.cache_info().currsize == 0 and nlp.posseg.cache_info().currsize == 0


def test_cached_name_start_hands_out_its_own_list():
    from kg.components.names import name_start

    off, stripped = name_start("快建设临河新材料产业园")
    stripped.append("changed")
    assert name_start("快建设临河新材料产业园") == (off, stripped[:-1])
