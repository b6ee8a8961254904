"""kg build --profile: per-stage table and OUT/profile.json."""
import json

from kg.cli import main
from kg.profile import Stages


def test_stages_record_time_and_peak_memory():
    st = Stages()
    with st.stage("resolve"):
        block = bytearray(60 * 1024 * 1024)  # touch 60 MB: the stage's peak must show it
        for i in range(0, len(block), 4096):
            block[i] = 1
        del block
    with st.stage("write"):
        sum(range(200_000))
    assert list(st.table) == ["resolve", "write"]
    assert st.table["resolve"]["peak_rss_mb"] >= 60
    assert st.table["resolve"]["seconds"] >= 0 and st.table["write"]["cpu_seconds"] >= 0
    assert "实体消解" in st.summary() and "写出图谱" in st.text_table() and "合计" in st.text_table()


def test_build_profile_writes_profile_json(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("晋东新材料有限公司在潞城区投资5亿元建设年产2万吨碳纤维项目。", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--quiet", "--profile"]) in (0, 1)
    printed = capsys.readouterr().out
    prof = json.loads((out / "profile.json").read_text(encoding="utf-8"))
    for stage in ("ingest", "extract", "resolve", "analyze", "quads", "write", "shacl", "report", "view", "store"):
        assert set(prof[stage]) >= {"seconds", "peak_rss_mb"}, stage
        assert prof[stage]["seconds"] >= 0 and prof[stage]["peak_rss_mb"] > 0
    assert "阶段用时" in printed and "峰值内存" in printed
    assert main(["build", str(src), "--out", str(tmp_path / "plain"), "--quiet"]) in (0, 1)
    assert not (tmp_path / "plain" / "profile.json").exists()
