"""链主 scoring per chain on a directed per-chain graph (firm -> firm supply, firm -> segment).

Qualification: an extracted role relation (kg:chainLeaderOf, confidence >= ROLE_MIN), or, when no
firm on the chain holds one, measurable local weight (>= 2 local suppliers, or >= 2 segments with a
project). 链核 (kg:chainCoreOf) and firms located outside the focus region never qualify. Otherwise
the chain abstains (暂无). Every candidate is returned with its components (suppliers, customers, segments,
projects, investment, projects/firm with a stated capacity) and their contributions.
Network centrality (PageRank/degree) is not used: it never changed a top-1 decision.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import networkx as nx

from .results import ChainInfo, Evidence, Leader, Placement

ROLE_MIN = 0.5
ROLE_WEIGHT = 0.6
WEIGHTS = {"suppliers": 0.15, "customers": 0.05, "segments": 0.1, "projects": 0.05, "investment": 0.05,
           "capacity": 0.05}


@dataclass
class RoleFact:
    firm: str
    chain: str
    role: str  # 链主 | 链核
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class ChainFacts:
    """What the leader scoring reads, already mapped to chain IRIs."""
    roles: list[RoleFact]
    supplies: list[tuple[str, str, Evidence]]  # (supplier, customer, evidence)
    implements: dict[str, set[str]]  # firm -> projects
    investment: dict[str, Decimal]  # project -> yuan
    labels: dict[str, str]
    outside: set[str]  # firms located outside the focus region
    firms: set[str]  # every enterprise/organisation IRI
    capacity: set[str] = field(default_factory=set)  # projects/firms with a stated capacity (kg:capacityText)


def _chain_graph(ch: str, placements: list[Placement], facts: ChainFacts) -> nx.DiGraph:
    g = nx.DiGraph()
    on_chain = {p.entity for p in placements if p.chain == ch and p.entity in facts.firms}
    on_chain |= {r.firm for r in facts.roles if r.chain == ch}
    g.add_nodes_from(on_chain, kind="firm")
    for p in placements:
        if p.chain == ch and p.segment and p.entity in on_chain:
            g.add_node(p.segment, kind="segment")
            g.add_edge(p.entity, p.segment)
    for s, c, _ev in facts.supplies:
        if s in on_chain or c in on_chain:
            g.add_node(s, kind="firm")
            g.add_node(c, kind="firm")
            g.add_edge(s, c)
    return g


def _projects_by_firm(ch: str, placements: list[Placement]) -> dict[str, set[str]]:
    """{entity: the projects (Placement.via) it is placed on chain ch through}."""
    out: dict[str, set[str]] = defaultdict(set)
    for p in placements:
        if p.chain == ch and p.via:
            out[p.entity].add(p.via)
    return out


def _components(e: str, ch: str, g: nx.DiGraph, projects: dict[str, set[str]], facts: ChainFacts) -> dict:
    firm_in = [u for u in g.predecessors(e) if g.nodes[u].get("kind") == "firm" and u not in facts.outside]
    firm_out = [v for v in g.successors(e) if g.nodes[v].get("kind") == "firm" and v not in facts.outside]
    segs = [v for v in g.successors(e) if g.nodes[v].get("kind") == "segment"]
    projs = projects.get(e, set())
    inv = sum((facts.investment.get(p, Decimal(0)) for p in projs), Decimal(0))
    roles = [r for r in facts.roles if r.firm == e and r.chain == ch]
    lead = max((r.confidence for r in roles if r.role == "链主"), default=0.0)
    core = max((r.confidence for r in roles if r.role == "链核"), default=0.0)
    cap = len(projs & facts.capacity) + (e in facts.capacity)
    raw = {"suppliers": len(firm_in), "customers": len(firm_out), "segments": len(segs), "projects": len(projs),
           "investment_yuan": str(inv), "capacity_projects": cap}
    norm = {"suppliers": min(1.0, len(firm_in) / 3), "customers": min(1.0, len(firm_out) / 3),
            "segments": min(1.0, len(segs) / 3), "projects": min(1.0, len(projs) / 3),
            "investment": min(1.0, math.log10(1 + float(inv) / 1e8) / 2) if inv > 0 else 0.0,
            "capacity": min(1.0, cap / 2)}
    contrib = {k: round(WEIGHTS[k] * v, 3) for k, v in norm.items()}
    return {"leader_role": round(lead, 3), "core_role": round(core, 3), **raw,
            "contrib_role": round(ROLE_WEIGHT * lead, 3), **{f"contrib_{k}": v for k, v in contrib.items()}}


def _structural(c: dict) -> bool:
    return c["suppliers"] >= 2 or (c["segments"] >= 2 and c["projects"] >= 1)


def _judge(e: str, c: dict, facts: ChainFacts, chain_has_leader: bool) -> tuple[bool, str, str]:
    """(qualified, role, basis)."""
    if e in facts.outside:
        return False, "外地", "位于分析地区以外：作为招商对象，不作本地链主"
    if c["leader_role"] >= ROLE_MIN:
        return True, "链主", f"抽取到链主关系（置信度 {c['leader_role']}）"
    if c["core_role"] > 0:
        return False, "链核", "文本称其为链核，不是链主"
    if chain_has_leader:
        return False, "候选", "该链已有明示的链主"
    if _structural(c):
        return True, "链主（推断）", (f"无链主表述；本地配套企业 {c['suppliers']} 家、覆盖环节 {c['segments']} 个、"
                                  f"项目 {c['projects']} 个")
    return False, "候选", "证据不足（无链主关系，本地配套企业少于 2 家）"


def score_chain(info: ChainInfo, cluster_labels: list[str], placements: list[Placement],
                facts: ChainFacts) -> list[Leader]:
    ch = info.iri
    g = _chain_graph(ch, placements, facts)
    cands = [n for n, d in g.nodes(data=True) if d.get("kind") == "firm" and n in facts.firms]
    projects = _projects_by_firm(ch, placements)  # one pass, not one per candidate
    comps = {e: _components(e, ch, g, projects, facts) for e in cands}
    has_leader = any(c["leader_role"] >= ROLE_MIN and e not in facts.outside for e, c in comps.items())
    evid = defaultdict(list)
    for r in facts.roles:
        if r.chain == ch:
            evid[r.firm] += [Evidence(ev.sentence, ev.text, r.role) for ev in r.evidence]
    for s, cu, ev in facts.supplies:
        for e in (s, cu):
            if e in comps and all(x.text != ev.text for x in evid[e]):
                evid[e].append(Evidence(ev.sentence, ev.text, "供应关系"))
    out = []
    for e, c in comps.items():
        structure = round(sum(v for k, v in c.items() if k.startswith("contrib_") and k != "contrib_role"), 3)
        ok, role, basis = _judge(e, c, facts, has_leader)
        out.append(Leader(ch, info.label, cluster_labels, e, facts.labels.get(e, e), round(c["contrib_role"] + structure, 3),
                          c["leader_role"], structure, c, evid.get(e, []), None, ok, role, basis))
    ranked = sorted((l for l in out if l.qualified), key=lambda l: (-l.score, l.label))
    for i, l in enumerate(ranked, 1):
        l.rank = i
    return out
