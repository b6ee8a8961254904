"""kg.nlp's one-file load of jieba's tables gives the same dictionary, weights and POS tags as jieba."""
import jieba
import jieba.posseg as ps

from kg import nlp


def test_tables_file_matches_jieba():
    nlp.init()
    tables = nlp._load_tables()
    assert tables is not None  # init wrote the file when it was missing
    freq, total, weights, tags = tables
    ref = jieba.Tokenizer()
    ref.initialize()
    assert freq == ref.FREQ and total == ref.total
    assert tags == ps.POSTokenizer(ref).word_tag_tab
    prefix = next(k for k, f in freq.items() if not f)
    assert weights[prefix] is nlp._PREFIX  # the route tells prefixes by identity
    word = next(k for k, f in freq.items() if f)
    assert weights[word] == nlp._log_weights(ref)[word]


def test_cut_and_tags_after_table_load():
    nlp.init()
    text = "潞州区新签约高端轴承项目，由晋联精密轴承有限公司投资6亿元建设"
    assert nlp._jieba_cut(text) == tuple(jieba.Tokenizer().cut(text, HMM=False))
    assert dict(nlp.posseg("年产精密轴承300万套"))["轴承"] == "n"


def test_tables_file_does_not_depend_on_the_working_folder(tmp_path, monkeypatch):
    here = nlp._tables_path()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dict.txt").write_text("不是 jieba 的词典 3 n\n", encoding="utf-8")
    assert nlp._tables_path() == here
