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
