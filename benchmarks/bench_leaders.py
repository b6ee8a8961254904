"""链主 precision@1 and abstention on small invented texts written in several styles.

Each case names its chain's 链主 (or none), its 链核 and any customer named beside its supplier.
Two modes:
  relations  analysis on the gold relations built directly (what analysis does with perfect extraction)
  pipeline   the real build (ingest -> extract -> resolve -> rdf -> analysis) of the text
precision@1 = cases whose top-ranked firm is the gold 链主 / cases with a gold 链主 that did not abstain;
abstention  = cases with no 链主 ranked / all cases; wrong = a firm named only as 链核 or customer ranked 链主.
Also checks that the seeds' 光电LED leader stays first.  Usage: python benchmarks/bench_leaders.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = [
    {"style": "以X为链主", "chain": "锂电产业链", "leader": "临川锂能科技有限公司",
     "cores": ["临川隔膜材料有限公司", "临川电解液有限公司"], "supplies": [],
     "text": "长治市以临川锂能科技有限公司为链主，临川隔膜材料有限公司和临川电解液有限公司为链核，打造锂电产业链。"},
    {"style": "X作为…链主企业", "chain": "工程机械产业链", "leader": "江北重工集团有限公司", "cores": [], "supplies": [],
     "text": "江北重工集团有限公司作为工程机械产业链链主企业，带动20余家配套企业在长治市落户。"},
    {"style": "龙头X带动", "chain": "新能源汽车产业链", "leader": "华辰汽车有限公司", "cores": [], "supplies": [],
     "text": "龙头企业华辰汽车有限公司带动长治市新能源汽车产业链加速集聚，年产10万辆整车项目已投产。"},
    {"style": "链核列表", "chain": "集成电路产业链", "leader": "芯源半导体有限公司",
     "cores": ["晶测科技有限公司", "封芯电子有限公司", "光刻材料有限公司"], "supplies": [],
     "text": "长治市聚焦集成电路产业链，以芯源半导体有限公司为链主，晶测科技有限公司、封芯电子有限公司、光刻材料有限公司为链核。"},
    {"style": "客户与供应商并列", "chain": "储能电池产业链", "leader": "恒储电池有限公司", "cores": [],
     "supplies": [("恒储电池有限公司", "城际轨道车辆有限公司")],
     "text": "长治市储能电池产业链的链主为恒储电池有限公司，恒储电池有限公司为城际轨道车辆有限公司供应动力电池。"},
    {"style": "无链主（应弃权）", "chain": "新材料产业链", "leader": None, "cores": [], "supplies": [],
     "text": "长治市新材料产业链加快发展，长治碳纤维有限公司年产1万吨碳纤维项目加快建设。"},
]


def relations_kb(case: dict):
    """A KnowledgeBase holding exactly the case's gold relations, evidence = the case text."""
    from kg.model import Assertion, Document, Entity, Evidence, KnowledgeBase, Mention, Sentence
    text = case["text"]
    doc = Document("case.txt", "case.txt", text, [Sentence(0, 0, len(text), text)])
    kb = KnowledgeBase(documents=[doc])

    def ent(type_, name):
        key = (type_, name)
        if key not in kb.entities:
            kb.entities[key] = Entity(type_, name)
            i = text.find(name)
            if i >= 0:
                kb.entities[key].mentions.append(("case.txt", Mention(name, type_, name, i, i + len(name), 0)))
        return key

    ev = [Evidence("case.txt", 0, 0, len(text), text)]
    ent("City", "长治市")
    chain = ent("IndustryChain", case["chain"])
    if case["leader"]:
        kb.assertions.append(Assertion(ent("Enterprise", case["leader"]), "chainLeaderOf", chain, evidence=ev,
                                       confidence=0.9))
    for c in case["cores"]:
        kb.assertions.append(Assertion(ent("Enterprise", c), "chainCoreOf", chain, evidence=ev, confidence=0.9))
    for s, c in case["supplies"]:
        kb.assertions.append(Assertion(ent("Enterprise", s), "suppliesTo", ent("Enterprise", c), evidence=ev,
                                       confidence=0.8))
        kb.assertions.append(Assertion(ent("Enterprise", c), "belongsToChain", chain, evidence=ev, confidence=0.6))
    return kb


def pipeline_kb(case: dict):
    from kg import extract, ingest, resolve
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "case.txt"
        p.write_text(case["text"], encoding="utf-8")
        docs, _skipped = ingest.load_corpus([p])
        return resolve.build_kb(extract.extract_all(docs))


def top_leader(kb) -> tuple[str | None, list[str]]:
    """(top-ranked 链主 over the case's chains, every firm ranked 链主)."""
    from kg import analysis, rdf
    r = analysis.analyze(rdf.union_graph(rdf.build_dataset(kb)))
    ranked = sorted((l for l in r.leaders if l.qualified), key=lambda l: (-l.score, l.label))
    return (ranked[0].label if ranked else None), [l.label for l in ranked]


def score(mode: str = "relations") -> dict:
    build = relations_kb if mode == "relations" else pipeline_kb
    hits = answered = abstained = wrong = 0
    rows = []
    for case in CASES:
        top, ranked = top_leader(build(case))
        forbidden = set(case["cores"]) | {c for _s, c in case["supplies"]}
        wrong += len(forbidden & set(ranked))
        if top is None:
            abstained += 1
        elif case["leader"]:
            answered += 1
            hits += top == case["leader"]
        rows.append((case["style"], case["leader"] or "（无）", top or "暂无"))
    with_leader = sum(1 for c in CASES if c["leader"])
    return {"mode": mode, "precision_at_1": hits / answered if answered else 0.0, "hits": hits,
            "answered": answered, "with_leader": with_leader, "abstention": abstained / len(CASES),
            "wrong_core_or_customer": wrong, "rows": rows,
            "correct_abstentions": sum(1 for c, r in zip(CASES, rows) if not c["leader"] and r[2] == "暂无")}


def seeds_leader() -> str | None:
    from kg import analysis, extract, ingest, rdf, resolve
    docs, _ = ingest.load_corpus([ROOT / "seeds"])
    kb = resolve.build_kb(extract.extract_all(docs))
    r = analysis.analyze(rdf.union_graph(rdf.build_dataset(kb)))
    top = r.leaders_for("https://w3id.org/chainkg/id/IndustryChain/光电LED产业链")
    return top[0].label if top else None


def main() -> None:
    for mode in ("relations", "pipeline"):
        s = score(mode)
        print(f"[{mode}] precision@1 = {s['precision_at_1']:.2f} ({s['hits']}/{s['answered']} answered, "
              f"{s['with_leader']} cases name a leader); abstention = {s['abstention']:.2f}; "
              f"链核/客户被排为链主 = {s['wrong_core_or_customer']}")
        for style, gold, got in s["rows"]:
            print(f"    {style:<12} gold={gold:<14} top={got}")
    print(f"[seeds] 光电LED产业链 #1 = {seeds_leader()}")


if __name__ == "__main__":
    main()
