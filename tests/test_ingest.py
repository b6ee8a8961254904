"""Ingest: decoding, normalisation, repeated paragraphs, sentence offsets, bad input, input guards."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg import ingest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

WRAPPED = """\
——某市高新区加快建设现代产业体系

聚焦主导产业 集聚发展动能

今年以来，某市高新区坚持以项目建设为抓手，围绕

新能源、新材料两大主导产业开展精准招商，总投资

12 亿元的年产 5 万吨储能电池正极材料项目加速推进。

招商“组合拳”
"""


def test_hard_line_breaks_inside_sentences_are_joined_headings_kept():
    doc = ingest.build_document(WRAPPED, "wrapped.txt")
    texts = [s.text for s in doc.sentences]
    assert "聚焦主导产业 集聚发展动能" in texts  # short heading keeps its own line
    joined = next(t for t in texts if t.startswith("今年以来"))
    assert "围绕新能源、新材料两大主导产业" in joined
    assert "总投资12亿元的年产5万吨储能电池正极材料项目加速推进。" in joined
    assert texts[-1] == "招商“组合拳”"


def test_sentence_offsets_point_into_normalised_text():
    doc = ingest.read_document(SEEDS / "003_8bb848d12928b991.txt")
    assert len(doc.sentences) > 50
    for s in doc.sentences:
        assert doc.text[s.start:s.end] == s.text
    assert any(s.text.startswith("总投资20亿元的年产4万吨锂离子动力储能电池负极材料一体化项目") for s in doc.sentences)


def test_fullwidth_punctuation_kept_fullwidth_digits_folded():
    doc = ingest.build_document("苏州高新区投资１２０亿元，建设（二期）项目：ＬＥＤ芯片。", "x.txt")
    assert doc.text == "苏州高新区投资120亿元，建设（二期）项目：LED芯片。"


def test_repeated_paragraphs_dropped_and_counted():
    para = "今年以来，某县紧扣重大项目建设年主线，全力扩投资、优结构、强动能。"
    variant = para.replace("，", ",")  # re-typeset copy with ASCII punctuation
    doc = ingest.build_document(f"{para}\n\n另一段内容，讲述招商引资成果。\n\n{para}\n{variant}\n", "dup.txt")
    assert doc.duplicates_dropped == 2
    assert doc.text.count("紧扣重大项目建设年主线") == 1


def test_seed_004_repeats_are_dropped():
    doc = ingest.read_document(SEEDS / "004_9f4198caf919b1be.txt")
    assert doc.duplicates_dropped >= 3
    assert doc.text.count("新年伊始,中共长治市委十二届七次全体会议") == 1


def test_gbk_and_gb18030_files_are_detected(tmp_path):
    text = "山西某某新材料有限公司年产10万吨磷酸铁锂项目在经开区开工。"
    for enc in ("gbk", "gb18030"):
        f = tmp_path / f"{enc}.txt"
        f.write_bytes(text.encode(enc))
        doc = ingest.read_document(f)
        assert doc.text == text
        assert doc.encoding.lower().replace("-", "") in ("gb18030", "gbk")
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert ingest.read_document(bom).text == text


def test_markdown_markup_is_stripped(tmp_path):
    f = tmp_path / "note.md"
    f.write_text("# 某市产业链招商简报\n\n- **龙头企业**带动上下游配套。\n", encoding="utf-8")
    doc = ingest.read_document(f)
    assert [s.text for s in doc.sentences] == ["某市产业链招商简报", "龙头企业带动上下游配套。"]


@pytest.mark.parametrize("content,reason", [
    (b"", "空文件"),
    (b"   \n\n  ", "空文件"),
    (b"\x00\x01\x02binary\x00data", "二进制"),
    (b"%PDF-1.7 ...", "PDF"),
])
def test_bad_files_raise_clear_errors(tmp_path, content, reason):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(ingest.IngestError) as e:
        ingest.read_document(f)
    assert reason in e.value.reason
    assert "bad.txt" in str(e.value)


def test_undecodable_file_names_the_line(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("第一行正常。\n第二行也正常。\n".encode("utf-8") + b"caf\xe9 na\xefve \xff\xfe\xfd\n")
    with pytest.raises(ingest.IngestError) as e:
        ingest.read_document(f)
    assert e.value.line == 3
    assert "编码" in e.value.reason


def test_unreadable_file(tmp_path, monkeypatch):
    f = tmp_path / "secret.txt"
    f.write_text("内容", encoding="utf-8")

    def deny(self, *a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)  # root ignores chmod, so simulate the OS refusing
    with pytest.raises(ingest.IngestError) as e:
        ingest.read_document(f)
    assert "权限" in e.value.reason


def test_load_corpus_skips_bad_and_keeps_the_rest(tmp_path):
    (tmp_path / "good.txt").write_text("某县签约项目12个，签约金额50亿元。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / ".hidden.txt").write_text("忽略", encoding="utf-8")
    docs, skipped = ingest.load_corpus([tmp_path])
    assert [d.doc_id for d in docs] == ["good.txt"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"empty.txt", "image.png"}
    assert "不支持的文件类型" in reasons["image.png"]


def _kg(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=cwd or ROOT)


def test_cli_missing_folder_is_one_line_error(tmp_path):
    r = _kg("build", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0
    assert "不存在" in r.stderr and "nope" in r.stderr


# ----------------------------------------------------------------------------- input guards

GOOD = "虚构县签约项目12个，签约金额50亿元。"


def test_fifo_and_devices_are_skipped_not_read(tmp_path):
    import os

    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    docs, skipped = ingest.load_corpus([tmp_path])
    assert [d.doc_id for d in docs] == ["good.txt"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert "FIFO" in reasons["pipe.txt"] and "字符设备" in reasons["zero.txt"]


def test_size_limit_checked_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        f.truncate(8 * 1024 ** 3)  # sparse 8 GB: must be refused from its size, not read
    (tmp_path / "small.txt").write_text(GOOD * 10, encoding="utf-8")
    docs, skipped = ingest.load_corpus([tmp_path])
    assert [d.doc_id for d in docs] == ["small.txt"]
    assert "文件过大" in skipped[0].reason and skipped[0].path.endswith("huge.txt")
    monkeypatch.setenv("KG_MAX_FILE_MB", "0.0001")  # about 100 bytes
    docs, skipped = ingest.load_corpus([tmp_path / "small.txt"])
    assert docs == [] and "KG_MAX_FILE_MB" in skipped[0].reason


def test_symlinked_folders_followed_once_loops_reported(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "linked.txt").write_text(GOOD, encoding="utf-8")
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "own.txt").write_text("虚构市新签约项目8个。", encoding="utf-8")
    (root / "link").symlink_to(other, target_is_directory=True)
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    docs, skipped = ingest.load_corpus([root])
    assert sorted(d.doc_id for d in docs) == ["linked.txt", "own.txt"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert "循环" in reasons["loop"]
    assert "符号链接指向的文件不存在" in reasons["gone.txt"]


def test_unreadable_folder_is_reported(tmp_path, monkeypatch):
    import os

    (tmp_path / "ok.txt").write_text(GOOD, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD, encoding="utf-8")
    real = os.scandir

    def scandir(path):  # root ignores chmod 000, so simulate the OS refusing
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    docs, skipped = ingest.load_corpus([tmp_path])
    assert [d.doc_id for d in docs] == ["ok.txt"]
    assert [(Path(s.path).name, "没有权限" in s.reason) for s in skipped] == [("locked", True)]


def test_document_ids_never_collide_after_folding(tmp_path):
    from kg.util import iri_segment

    for name in ("a b.txt", "ab.txt", "ａｂ.txt"):  # same IRI form after NFKC and space removal
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    docs, _ = ingest.load_corpus([tmp_path])
    assert len(docs) == 3
    assert len({iri_segment(d.doc_id) for d in docs}) == 3
    assert "ab.txt" in [d.doc_id for d in docs]


def test_file_name_not_utf8_is_decoded_and_reported(tmp_path, capsys):
    import os

    gbk = os.fsdecode(tmp_path).encode() + b"/" + "招商.txt".encode("gbk")
    with open(gbk, "wb") as f:
        f.write(GOOD.encode("utf-8"))
    junk = os.fsdecode(tmp_path).encode() + b"/\xff\xfe.txt"
    with open(junk, "wb") as f:
        f.write(GOOD.encode("utf-8"))
    docs, skipped = ingest.load_corpus([tmp_path])
    assert skipped == []
    ids = sorted(d.doc_id for d in docs)
    assert ids == ["\\xff\\xfe.txt", "招商.txt"]
    for d in docs:  # no surrogates left: writable as UTF-8 (would raise UnicodeEncodeError)
        d.doc_id.encode("utf-8")
        d.path.encode("utf-8")
    assert "不是 UTF-8" in capsys.readouterr().err


def test_cli_builds_despite_odd_file_names(tmp_path):
    import os

    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    text = "虚构市青禾星辰科技有限公司投资20亿元建设年产5万吨电池项目。"
    for name in ("a b.txt", "ab.txt", "sub/ab.txt"):
        (src / name).write_text(text, encoding="utf-8")
    with open(os.fsencode(src) + b"/" + "招商.txt".encode("gbk"), "wb") as f:
        f.write(text.encode("utf-8"))
    out = tmp_path / "out"
    r = _kg("build", str(src), "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "招商.txt" in r.stderr and "Traceback" not in r.stderr
    ids = sorted(json.loads(l)["doc"] for l in (out / "extraction.jsonl").read_text(encoding="utf-8").splitlines())
    assert ids[1:] == ["ab.txt", "sub/ab.txt", "招商.txt"] and ids[0].startswith("a b~")
    assert "SHACL 校验通过" in (out / "validation.txt").read_text(encoding="utf-8")


def test_office_formats_we_do_not_read_get_a_hint(tmp_path):
    (tmp_path / "旧通知.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32)
    (tmp_path / "名单.xlsx").write_bytes(b"PK\x03\x04")
    _docs, skipped = ingest.load_corpus([tmp_path])
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert "另存为 .docx" in reasons["旧通知.doc"] and "Excel" in reasons["名单.xlsx"]


def test_a_line_written_as_a_record_is_read_as_a_table_row():
    from kg.ingest import build_document, record_cells
    assert record_cells("2. 项目名称：精密轴承项目；建设单位：青禾精工有限公司；建设地点：江北区；总投资：6亿元。") == (
        ("项目名称", "精密轴承项目"), ("建设单位", "青禾精工有限公司"), ("建设地点", "江北区"), ("总投资", "6亿元"))
    assert record_cells("记者：张明；编辑：李华。") == ()  # no header a table of projects or firms has
    assert record_cells("据介绍：该项目总投资6亿元。") == ()
    doc = build_document("项目清单如下。\n1. 项目名称：精密轴承项目；建设单位：青禾精工有限公司；总投资：6亿元。\n"
                         "2. 项目名称：光伏支架项目；投资主体：远帆能源有限公司；总投资：3亿元；年产支架20万吨。\n", "t.txt")
    rows = [s for s in doc.sentences if s.cells]
    assert len(rows) == 2 and doc.tables == 1 and rows[1].cells[1] == ("投资主体", "远帆能源有限公司")


def test_a_record_line_opening_with_its_title_keeps_every_word():
    """1. 某某项目。建设单位：…；建设地点：…；建设内容：…；总投资…: the title is the project, each
    value ends at its ；, and the parts that are no known field stay in the sentence's text."""
    from kg import extract, tablefacts
    from kg.ingest import build_document, record_cells
    line = ("3. 精密轴承产业园项目。建设单位：青禾精工有限公司；建设地点：江北经济开发区；"
            "建设内容：新建装配车间，年产轴承300万套；总投资6亿元。")
    assert record_cells(line)[:3] == (("项目名称", "精密轴承产业园项目"), ("建设单位", "青禾精工有限公司"),
                                      ("建设地点", "江北经济开发区"))
    assert record_cells("1. 据介绍。建设单位：青禾精工有限公司；建设地点：江北区。") == ()  # no project's title
    doc = build_document("重点项目清单\n" + line + "\n", "t.txt")
    row = next(s for s in doc.sentences if s.cells)
    assert row.text.startswith("3. 精密轴承产业园项目") and "总投资6亿元" in row.text
    ex = tablefacts.merge_all(extract.extract_all([doc]))[0]
    rels = {(r.head, r.rel, r.tail) for r in ex.relations}
    parks = {m.text for m in ex.mentions if m.type == "Park"}
    assert ("青禾精工有限公司", "implements", "精密轴承产业园项目") in rels
    assert ("精密轴承产业园项目", "locatedIn", "江北经济开发区") in rels and parks == {"江北经济开发区"}


@pytest.mark.parametrize("text", [
    "重点项目\n1. 精密轴承项目\n建设单位：青禾精工有限公司\n建设地点：江北区\n总投资：6亿元\n"
    "2. 光伏支架项目\n建设单位：远帆能源有限公司\n总投资：3亿元\n",  # a field a line
    "1. 精密轴承项目建设单位：青禾精工有限公司建设地点：江北区\n总投资：6亿元\n"
    "2. 光伏支架项目建设单位：远帆能源有限公司\n总投资：3亿元\n",  # lines joined without ；
])
def test_a_record_written_a_field_a_line_is_one_table_row(text):
    from kg.ingest import build_document
    doc = build_document(text, "t.txt")
    rows = [s.cells for s in doc.sentences if s.cells]
    assert rows == [
        (("项目名称", "精密轴承项目"), ("建设单位", "青禾精工有限公司"), ("建设地点", "江北区"), ("总投资", "6亿元")),
        (("项目名称", "光伏支架项目"), ("建设单位", "远帆能源有限公司"), ("总投资", "3亿元"))]
    assert doc.tables == 1


def test_field_lines_alone_and_prose_with_a_colon_stay_lines():
    from kg.ingest import build_document
    doc = build_document("据了解，总投资：6亿元。\n建设单位：青禾精工有限公司\n项目将于年底投产。\n", "t.txt")
    assert not [s for s in doc.sentences if s.cells] and doc.tables == 0
    assert "建设单位：青禾精工有限公司" in doc.text


def test_a_record_line_gives_its_relations():
    from kg.extract import Extractor
    from kg.ingest import build_document
    doc = build_document("1. 项目名称：精密轴承项目；建设单位：青禾精工有限公司；建设地点：江北区；总投资：6亿元。", "t.txt")
    from kg.tablefacts import merge
    rels = {(r.head, r.rel, r.tail): r.confidence for r in merge(Extractor().extract(doc)).relations}
    assert {("青禾精工有限公司", "implements", "精密轴承项目"), ("精密轴承项目", "investment", "6亿元")} <= set(rels)
    assert rels[("精密轴承项目", "locatedIn", "江北区")] == 0.95  # the row states it: the model's guess is raised
