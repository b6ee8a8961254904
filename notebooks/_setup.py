"""Shared helper for the analyst notebooks (notebooks/0*.ipynb).

    from _setup import *
    OUT = out_dir()        # CHAINKG_OUT, else <repo>/out; built from seeds/ when missing
    setup_font()           # Chinese labels in matplotlib (Noto Sans CJK)
    df = q("SELECT ...")   # SPARQL over the whole graph (all named graphs) -> pandas DataFrame
    show(df, "没有找到……")  # shows the table, or a Chinese note when it is empty
"""
from __future__ import annotations

import html as _html
import os
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # notebooks run from a checkout without `pip install -e`
    sys.path.insert(0, str(ROOT))
SEEDS = ROOT / "seeds"

KG = "https://w3id.org/chainkg/ontology#"
KGR = "https://w3id.org/chainkg/id/"

PREFIXES = f"""PREFIX kg: <{KG}>
PREFIX kgr: <{KGR}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# Chinese names of the contract's classes and relations, for table headings and plot labels.
TYPE_ZH = {
    "Enterprise": "企业", "Organization": "机构", "Park": "园区", "County": "县区", "City": "市",
    "Province": "省", "Region": "区域", "Place": "地点", "IndustryCluster": "产业集群",
    "IndustryChain": "产业链", "ChainSegment": "产业链环节", "Product": "产品", "Project": "项目",
    "Document": "文档", "Sentence": "句子", "Mention": "提及", "Assertion": "断言（溯源）",
    "ChainLeaderAssessment": "链主评估", "Gap": "缺口", "Lead": "招商线索", "Fact": "数据事实（指标）",
}
REL_ZH = {
    "locatedIn": "位于", "belongsToCluster": "属于集群", "belongsToChain": "属于产业链",
    "chainLeaderOf": "链主", "suppliesTo": "供货给", "implements": "实施", "produces": "生产",
    "signedWith": "签约", "inSegment": "处于环节", "investmentAmount": "投资额",
    "investmentText": "投资额（原文）", "capacityText": "产能（原文）",
}
ENTITY_TYPES = ["Enterprise", "Organization", "Park", "County", "City", "Province", "Region",
                "IndustryCluster", "IndustryChain", "Project", "Product"]
RELATIONS = ["locatedIn", "belongsToCluster", "belongsToChain", "chainLeaderOf", "suppliesTo",
             "implements", "produces", "signedWith", "inSegment"]
POSITIONS = ["上游", "中游", "下游"]
STATUSES = ["已覆盖", "薄弱", "缺失", "未知"]  # 未知 (texts silent) is a kg:Gap too

__all__ = ["ROOT", "SEEDS", "KG", "KGR", "PREFIXES", "TYPE_ZH", "REL_ZH", "ENTITY_TYPES", "RELATIONS",
           "POSITIONS", "STATUSES", "out_dir", "setup_font", "graph_store", "triple_count", "q", "show", "short",
           "show_html", "read_csv", "yi"]


# ---------------------------------------------------------------- build folder

_OUT: list[Path] = []  # the folder found by the last out_dir() call


def out_dir(build: bool = True) -> Path:
    """The `kg build` output folder: $CHAINKG_OUT, else <repo>/out; built from seeds/ if missing."""
    env = os.environ.get("CHAINKG_OUT")
    out = Path(env).expanduser() if env else ROOT / "out"
    if not (out / "graph.trig").is_file():
        if not build:
            raise FileNotFoundError(f"{out} 中没有 graph.trig；请先运行 kg build seeds/ --out {out}")
        print(f"未找到已构建的图谱（{out}/graph.trig），正在用样例语料 seeds/ 构建，请稍候……")
        from kg.cli import main

        rc = main(["build", str(SEEDS), "--out", str(out), "--quiet"])
        if rc not in (0, 1) or not (out / "graph.trig").is_file():
            raise RuntimeError(f"kg build 失败（退出码 {rc}）；请在命令行运行 kg build seeds/ --out {out} 查看原因")
    print(f"图谱文件夹：{out}")
    _OUT[:] = [out]
    return out


# ---------------------------------------------------------------- CJK font

def setup_font() -> str | None:
    """Register a Chinese font with matplotlib and make it the default; returns its family name."""
    import matplotlib

    from kg.report import cjk_font

    # kg.report.cjk_font() selects the Agg backend for the report writer; in a notebook that would
    # replace the inline backend and plt.show() would display nothing. Keep the current backend.
    use = matplotlib.use
    matplotlib.use = lambda *_a, **_k: None
    try:
        name = cjk_font()
    finally:
        matplotlib.use = use
    if name is None:
        print("提示：没有找到中文字体，图中的中文可能显示为方框；请 pip install mplfonts 或安装 fonts-noto-cjk。")
        return None
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
    matplotlib.rcParams["axes.unicode_minus"] = False  # minus sign available in every font
    return name


# ---------------------------------------------------------------- SPARQL

_STORES: dict[str, object] = {}


def graph_store(out: Path | None = None):
    """An in-memory Oxigraph store holding OUT/graph.nq (loaded once per session).

    The named graphs (one per document, kgr:graph/reference, kgr:graph/analysis) are kept, and their
    union is also loaded into the default graph. A triple stated in several documents is then one
    triple in the default graph, so joins do not return the same row once per document.
    The on-disk store OUT/store/ is left alone, so `kg query` / `kg serve` can use it at the same time.
    """
    import pyoxigraph as ox

    out = Path(out) if out else (_OUT[0] if _OUT else out_dir())
    key = str(out.resolve())
    if key not in _STORES:
        nq, trig = out / "graph.nq", out / "graph.trig"
        src, fmt = (nq, ox.RdfFormat.N_QUADS) if nq.is_file() else (trig, ox.RdfFormat.TRIG)
        quads = list(ox.parse(path=str(src), format=fmt))
        st = ox.Store()
        st.extend(quads)
        st.extend(ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) for x in quads)
        _STORES[key] = st
    return _STORES[key]


def triple_count(out: Path | None = None) -> tuple[int, int]:
    """(distinct triples in the union, number of named graphs)."""
    import pyoxigraph as ox

    st = graph_store(out)
    return len(list(st.quads_for_pattern(None, None, None, ox.DefaultGraph()))), len(list(st.named_graphs()))


_NUMERIC = {"decimal", "integer", "int", "long", "double", "float", "nonNegativeInteger", "positiveInteger"}


def _py(term):
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value.rsplit("#", 1)[-1] if term.datatype else ""
        if dt in _NUMERIC:
            try:
                v = Decimal(term.value)
                return int(v) if dt not in ("decimal", "double", "float") else float(v)
            except Exception:
                return term.value
        if dt == "boolean":
            return term.value == "true"
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def q(sparql: str, out: Path | None = None):
    """Run a SPARQL SELECT/ASK over the union of all named graphs (GRAPH ?g {…} also works); SELECT -> DataFrame, ASK -> bool.

    The standard prefixes (kg: kgr: rdf: rdfs: skos: prov: org: dcterms: xsd: owl:) are predeclared.
    """
    import pandas as pd

    st = graph_store(out)
    text = PREFIXES + sparql  # a query may declare the same prefixes again; the later one wins
    res = st.query(text)  # default graph = deduplicated union of all named graphs
    if isinstance(res, bool):
        return res
    if not hasattr(res, "variables"):  # CONSTRUCT / DESCRIBE: triples as a table
        return pd.DataFrame([(_py(t.subject), _py(t.predicate), _py(t.object)) for t in res],
                            columns=["subject", "predicate", "object"])
    cols = [v.value for v in res.variables]
    rows = [[_py(sol[v]) for v in res.variables] for sol in res]
    return pd.DataFrame(rows, columns=cols)


def short(iri) -> str:
    """Readable tail of an IRI: kgr:Enterprise/山西… -> 山西…; kg:locatedIn -> locatedIn."""
    if iri is None:
        return ""
    s = str(iri)
    if s.startswith(KG):
        return s[len(KG):]
    if s.startswith(KGR):
        s = s[len(KGR):]
        return unquote(s.split("/", 1)[1] if "/" in s else s)
    return unquote(s.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def yi(amount) -> float | None:
    """CNY yuan -> 亿元."""
    try:
        return round(float(amount) / 1e8, 2)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- display

def show(df, empty_note: str = "没有结果", max_rows: int = 50) -> None:
    """Display a table; print a Chinese note (not silence) when it is empty."""
    from IPython.display import display

    if df is None or len(df) == 0:
        print(f"【注意】{empty_note}（表格为空：抽取器可能尚未识别到这类信息）")
        return
    if len(df) > max_rows:
        print(f"共 {len(df)} 行，显示前 {max_rows} 行")
        display(df.head(max_rows))
    else:
        display(df)


def read_csv(path: Path, empty_note: str):
    """Read one of the CSV outputs (utf-8 with or without BOM); empty DataFrame + note when missing/empty."""
    import pandas as pd

    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        print(f"【注意】{path.name} 不存在或为空：{empty_note}")
        return pd.DataFrame()
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        print(f"【注意】{path.name} 没有数据行：{empty_note}")
        return pd.DataFrame()


def show_html(path: Path, height: int = 620):
    """Show a self-contained HTML file (graph.html) inline in the notebook, via iframe srcdoc."""
    from IPython.display import HTML, display

    path = Path(path)
    if not path.is_file():
        print(f"【注意】没有找到 {path}；请运行 kg view {path.parent}")
        return
    doc = path.read_text(encoding="utf-8")
    with warnings.catch_warnings():  # IPython suggests IFrame; srcdoc keeps the page self-contained
        warnings.simplefilter("ignore")
        display(HTML(f'<iframe srcdoc="{_html.escape(doc, quote=True)}" width="100%" height="{height}" '
                     f'style="border:1px solid #ccc"></iframe>'))
    print(f"也可以直接用浏览器打开：{path}")
