"""链主 precision@1 and abstention on small invented texts written in several styles.

Each case names its chain's 链主 (or none), its 链核 and any customer named beside its supplier.
Two modes:
  relations  analysis on the gold relations built directly (what analysis does with perfect extraction)
  pipeline   the real build (ingest -> extract -> resolve -> rdf -> analysis) of the text
Styles: 以X为链主, 以X为龙头, X等链主企业, 链主企业X + the rest of its clause, X作为…链主企业, 龙头X带动, 链核列表, a customer named beside its supplier, official
designation lists (第一批链主企业名单 + lines "某某产业链：甲公司", also with a 链核 list), notices
"以甲公司为链主的某某产业链", and a text naming no leader. Chains may have no template (预制菜, 葡萄酒).
precision@1 = chains whose top-ranked firm is the gold 链主 / chains with a gold 链主 that did not abstain;
abstention  = chains with no 链主 ranked / all chains; wrong = a firm named only as 链核 or customer ranked 链主.
Also checks that the seeds' 光电LED leader stays first.  Usage: python benchmarks/bench_leaders.py
Milestone on an annotated set:  kg build SET/ --out OUT && python benchmarks/bench_leaders.py --gold SET.gold.json OUT [--quiet]
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
    {"style": "链主名单（多链）", "chain": "智能移动终端产业链", "leader": "星澜通讯科技有限公司",
     "more": {"预制菜产业链": "禾味源食品集团有限公司", "葡萄酒产业链": "云岭酒庄股份有限公司"},
     "cores": [], "supplies": [],
     "text": "遂宁市经济和信息化局关于公布第一批产业链链主企业名单的通知\n"
             "经企业申报、专家评审，现将第一批链主企业名单公布如下：\n"
             "智能移动终端产业链：星澜通讯科技有限公司\n预制菜产业链：禾味源食品集团有限公司\n"
             "葡萄酒产业链：云岭酒庄股份有限公司\n各链主企业要发挥引领带动作用。"},
    {"style": "链主与链核名单", "chain": "光伏产业链", "leader": "晶岭光能科技有限公司",
     "cores": ["澄硅材料有限公司", "明框新材料有限公司"], "supplies": [],
     "text": "遂宁市第一批链主企业名单：\n光伏产业链：晶岭光能科技有限公司\n"
             "遂宁市第一批链核企业名单：\n光伏产业链：澄硅材料有限公司、明框新材料有限公司"},
    {"style": "编号名单（简称）", "chain": "智能移动终端产业链", "leader": "星澜通讯",
     "more": {"葡萄酒产业链": "云岭酒庄"}, "cores": [], "supplies": [],
     "text": "遂宁市市级链主企业名单\n1. 智能移动终端产业链：星澜通讯\n2. 葡萄酒产业链：云岭酒庄"},
    {"style": "以X为链主的Y产业链", "chain": "预制菜产业链", "leader": "禾味源食品集团有限公司", "cores": [],
     "supplies": [],
     "text": "近日，遂宁市召开以禾味源食品集团有限公司为链主的预制菜产业链供需对接会，"
             "青木农业有限公司、川和冷链物流有限公司等20余家企业参加。"},
    {"style": "以X为龙头（简称）", "chain": "新能源汽车产业链", "leader": "远航汽车", "cores": ["青禾电池", "星海电机"],
     "supplies": [],
     "text": "黄石市新能源汽车产业链以远航汽车为龙头，青禾电池、星海电机为链核，配套企业已达40家。"},
    {"style": "X等链主企业（简称）", "chain": "工程机械产业链", "leader": "青禾重工", "cores": [], "supplies": [],
     "text": "咸宁市发挥青禾重工等链主企业带动作用，做强工程机械产业链，今年引进配套项目12个。"},
    {"style": "链主企业X+后续分句", "chain": "储能电池产业链", "leader": "恒远储能", "cores": [], "supplies": [],
     "text": "储能电池产业链链主企业恒远储能今年产值突破百亿元，带动本地配套率提升到45%。"},
    {"style": "名单已结束（应弃权）", "chain": "锂电产业链", "leader": None, "cores": [], "supplies": [],
     "text": "链主企业名单已报送省工信厅。今年全市新开工项目120个，完成投资350亿元，同比增长12%，"
             "其中制造业投资增长15%。\n锂电产业链：临川锂能科技有限公司"},
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
    for ch, leader in expected(case).items():
        if leader:
            kb.assertions.append(Assertion(ent("Enterprise", leader), "chainLeaderOf", ent("IndustryChain", ch),
                                           evidence=ev, confidence=0.9))
    for c in case["cores"]:
        kb.assertions.append(Assertion(ent("Enterprise", c), "chainCoreOf", chain, evidence=ev, confidence=0.9))
    for s, c in case["supplies"]:
        kb.assertions.append(Assertion(ent("Enterprise", s), "suppliesTo", ent("Enterprise", c), evidence=ev,
                                       confidence=0.8))
        kb.assertions.append(Assertion(ent("Enterprise", c), "belongsToChain", chain, evidence=ev, confidence=0.6))
    return kb


def expected(case: dict) -> dict[str, str | None]:
    """chain label -> its gold 链主 (None: the chain must abstain)."""
    return {case["chain"]: case["leader"], **case.get("more", {})}


def pipeline_kb(case: dict):
    from kg import extract, ingest, resolve
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "case.txt"
        p.write_text(case["text"], encoding="utf-8")
        docs, _skipped = ingest.load_corpus([p])
        return resolve.build_kb(extract.extract_all(docs))


def top_leaders(kb) -> tuple[dict[str, str], list[str]]:
    """({chain label: its top-ranked 链主}, every firm ranked 链主 on any chain)."""
    from kg import analysis, rdf
    r = analysis.analyze(rdf.union_graph(rdf.build_dataset(kb)))
    ranked = sorted((l for l in r.leaders if l.qualified), key=lambda l: (l.chain_label, l.rank or 10**6, l.label))
    tops: dict[str, str] = {}
    for l in ranked:
        tops.setdefault(l.chain_label, l.label)
    # a chain the text names under another name of a template ("储能电池产业链" -> 锂电产业链, alt 电池产业链)
    for info in r.chains.values():
        for alt in info.alt:
            if info.label in tops and len(alt) >= 4 and alt.endswith("产业链"):
                tops.setdefault("~" + alt, tops[info.label])
    return tops, [l.label for l in ranked]


def _top_for(tops: dict[str, str], chain: str) -> str | None:
    if chain in tops:
        return tops[chain]
    alts = sorted((k[1:] for k in tops if k.startswith("~") and k[1:] in chain), key=len)
    return tops["~" + alts[-1]] if alts else None


def top_leader(kb) -> tuple[str | None, list[str]]:
    """(top-ranked 链主 over all chains, every firm ranked 链主)."""
    from kg import analysis, rdf
    r = analysis.analyze(rdf.union_graph(rdf.build_dataset(kb)))
    ranked = sorted((l for l in r.leaders if l.qualified), key=lambda l: (-l.score, l.label))
    return (ranked[0].label if ranked else None), [l.label for l in ranked]


def score(mode: str = "relations") -> dict:
    """Per (case, chain): the chain's top-ranked firm against its gold 链主 (None: must abstain)."""
    build = relations_kb if mode == "relations" else pipeline_kb
    hits = answered = abstained = wrong = correct_abst = total = 0
    rows = []
    for case in CASES:
        tops, ranked = top_leaders(build(case))
        forbidden = set(case["cores"]) | {c for _s, c in case["supplies"]}
        wrong += len(forbidden & set(ranked))
        for chain, gold in expected(case).items():
            total += 1
            top = _top_for(tops, chain) if gold else (next(iter(tops.values())) if tops else None)
            if top is None:
                abstained += 1
                correct_abst += gold is None
            elif gold:
                answered += 1
                hits += top == gold
            rows.append((case["style"], chain, gold or "（无）", top or "暂无"))
    with_leader = sum(1 for c in CASES for g in expected(c).values() if g)
    return {"mode": mode, "precision_at_1": hits / answered if answered else 0.0, "hits": hits,
            "answered": answered, "with_leader": with_leader, "abstention": abstained / total,
            "wrong_core_or_customer": wrong, "rows": rows, "correct_abstentions": correct_abst}


def seeds_leader() -> str | None:
    from kg import analysis, extract, ingest, rdf, resolve
    docs, _ = ingest.load_corpus([ROOT / "seeds"])
    kb = resolve.build_kb(extract.extract_all(docs))
    r = analysis.analyze(rdf.union_graph(rdf.build_dataset(kb)))
    top = r.leaders_for("https://w3id.org/chainkg/id/IndustryChain/光电LED产业链")
    return top[0].label if top else None


def gold_leaders(gold_path: Path, out_dir: Path, quiet: bool = False) -> tuple[int, int]:
    """Milestone figure on an annotated set: gold chainLeaderOf (firm, chain) -> is our top-ranked firm on that
    chain (leaders.csv of `kg build <set> --out out_dir`) the firm? Returns (k, n). quiet: print nothing per
    pair (a check set: only the aggregate may be looked at)."""
    import csv
    import json
    import re

    def norm(x: str) -> str:
        return re.sub(r"(股份)?有限(责任)?公司$|集团$", "", re.sub(r"\s", "", x))

    def core(c: str) -> str:
        return re.sub(r"(全)?产业链$|产业$|链$", "", c)

    g = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    pairs, names = set(), {}
    for d in g.get("documents", {}).values():
        for e in d.get("entities", []):
            names.setdefault(e["canonical"], set()).update({e["canonical"], e.get("text", ""), *e.get("aliases", [])})
        pairs |= {(r["head"], r["tail"]) for r in d.get("relations", []) if r["rel"] == "chainLeaderOf"}
    rows = csv.DictReader((Path(out_dir) / "leaders.csv").read_text(encoding="utf-8-sig").splitlines())
    top = {r["chain"]: r["enterprise"] for r in rows if r["rank"] == "1"}
    k = 0
    for firm, chain in sorted(pairs):
        want = {norm(a) for a in names.get(firm, set()) | {firm} if a}
        chains = [c for c in top if core(c) == core(chain)] or \
            [c for c in top if core(c) and (core(c) in chain or core(chain) in c)]
        ok = any(norm(top[c]) in want for c in chains)
        k += ok
        if not quiet:
            print(f"    {'OK  ' if ok else 'MISS'} {firm} | {chain} -> {[top[c] for c in chains]}")
    return k, len(pairs)


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--gold":  # bench_leaders.py --gold set.gold.json out/ [--quiet]
        k, n = gold_leaders(Path(sys.argv[2]), Path(sys.argv[3]), "--quiet" in sys.argv)
        print(f"leader stated in gold -> our top-ranked firm for that chain is it: {k} of {n}")
        return
    for mode in ("relations", "pipeline"):
        s = score(mode)
        print(f"[{mode}] precision@1 = {s['precision_at_1']:.2f} ({s['hits']}/{s['answered']} answered, "
              f"{s['with_leader']} cases name a leader); abstention = {s['abstention']:.2f}; "
              f"链核/客户被排为链主 = {s['wrong_core_or_customer']}")
        for style, chain, gold, got in s["rows"]:
            print(f"    {style:<12} {chain:<12} gold={gold:<14} top={got}")
    print(f"[seeds] 光电LED产业链 #1 = {seeds_leader()}")


if __name__ == "__main__":
    main()
