"""Four-state segment status (已覆盖 / 薄弱 / 缺失 / 未知) and leads that name target firms.

已覆盖: >= 2 local firms/projects (a project counts with its enterprise), at least one producing, or the
  segment of a qualified 链主 (whatever its project's stage). 薄弱: one, or only signed / building projects. 缺失: no local player and
  positive evidence (a sought/空白 cue about the segment, or an enterprise register with no firm in it).
未知: the texts are silent. Deployments (power stations, demonstrations) are listed, never counted.
Leads: firms placed on the segment that are located outside the focus region, ranked by evidence;
regions (extracted place entities outside the focus) only when no firm is known.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .results import POSITIONS, ChainInfo, Evidence, Gap, Lead, Leader, Placement, Player

STAGE_RANK = {"": 0, "签约": 1, "开工": 2, "投产": 3}


@dataclass
class SegmentEvidence:
    anon: dict[str, list[Player]] = field(default_factory=dict)  # segment -> unnamed present players
    sought: dict[str, list[Evidence]] = field(default_factory=dict)  # segment -> 招引/空白 evidence
    register_loaded: bool = False
    place_leads: dict[str, list[Lead]] = field(default_factory=dict)  # chain -> fallback regions


def _players(pls: list[Placement], implementer: dict[str, set[str]]) -> list[Player]:
    by: dict[str, Player] = {}
    for pl in pls:
        cur = by.get(pl.entity)
        if cur is None:
            by[pl.entity] = Player(pl.entity, pl.label, pl.type, pl.stage, pl.basis, pl.evidence, pl.sentence,
                                   pl.deployment)
        elif STAGE_RANK[pl.stage] > STAGE_RANK[cur.stage]:
            cur.stage = pl.stage
    # a project counts apart from its enterprise only when that enterprise is not already a player
    out = [p for p in by.values() if not (p.type == "Project" and implementer.get(p.iri or "", set()) & set(by))]
    return sorted(out, key=lambda p: (p.type != "Enterprise", -STAGE_RANK[p.stage], p.label))


def _status(players: list[Player], leader_here: bool, sought: bool, register_loaded: bool) -> tuple[str, str]:
    counted = [p for p in players if not p.deployment]
    producing = [p for p in counted if p.operating]
    if leader_here and counted:  # the 链主's own segment is never 薄弱, even while its project is being built
        return "已覆盖", "链主所在环节" if producing else "链主所在环节（项目在建或签约）"
    if len(counted) >= 2 and producing:
        return "已覆盖", f"本地 {len(counted)} 家，{len(producing)} 家已投产"
    if counted and all(p.type == "未具名" for p in counted):
        return "薄弱", "文本称有本地配套，但未给出企业名称"
    if counted:
        stages = "、".join(sorted({p.stage or "阶段不明" for p in counted}))
        return "薄弱", f"本地 {len(counted)} 家（{stages}）"
    if sought:
        return "缺失", "文本称该环节空白或正在招引"
    if register_loaded:
        return "缺失", "企业名录中没有该环节企业"
    why = "只有应用/部署类项目，没有制造企业" if players else "文本未提及"
    return "未知", why


def _kind(status: str, position: str, lo: int | None, hi: int | None) -> str:
    if status == "已覆盖":
        return "强链"
    if status == "未知":
        return "待核实"
    if status == "缺失" and lo is not None:
        p = POSITIONS.index(position)
        return "延链" if (p < lo or p > hi) else "补链"
    return "补链"


def target_leads(outside: list[Placement], seg: str, role_firms: set[str], places: dict[str, str]) -> list[Lead]:
    """Outside firms whose products/names map to the segment, ranked: more evidence, a 链主 elsewhere first."""
    by: dict[str, list[Placement]] = defaultdict(list)
    for pl in outside:
        if pl.segment == seg:
            by[pl.entity].append(pl)
    out = []
    for e, pls in by.items():
        score = len({p.sentence for p in pls}) + (1.0 if e in role_firms else 0.0) + \
            (0.5 if any(p.basis in ("产品", "名称", "企业名录") for p in pls) else 0.0)
        out.append(Lead(pls[0].label, e, "Enterprise", "企业", pls[0].chain, [seg], pls[0].evidence,
                        pls[0].sentence, round(score, 2), places.get(e, "")))
    return sorted(out, key=lambda l: (-l.score, l.label))


def classify(chains: dict[str, ChainInfo], cluster_labels: dict[str, list[str]], placements: list[Placement],
             outside: list[Placement], implementer: dict[str, set[str]], leaders: list[Leader],
             ev: SegmentEvidence, role_firms: set[str], places: dict[str, str]) -> list[Gap]:
    by_seg: dict[str, list[Placement]] = defaultdict(list)
    for pl in placements:
        if pl.segment:
            by_seg[pl.segment].append(pl)
    leader_segs = {pl.segment for l in leaders if l.qualified for pl in placements
                   if pl.entity == l.enterprise and pl.chain == l.chain and pl.segment}
    gaps: list[Gap] = []
    for ch in chains.values():
        rows = []
        for seg in ch.segments:
            players = _players(by_seg.get(seg.iri, []), implementer) + list(ev.anon.get(seg.iri, []))
            sought = ev.sought.get(seg.iri, [])
            st, why = _status(players, seg.iri in leader_segs, bool(sought), ev.register_loaded)
            evid = [Evidence(p.sentence, p.evidence, p.basis) for p in players if p.evidence] + list(sought)
            rows.append((seg, st, why, players, evid))
        present = [POSITIONS.index(s.position) for s, st, *_ in rows if st in ("已覆盖", "薄弱")]
        lo, hi = (min(present), max(present)) if present else (None, None)
        for seg, st, why, players, evid in rows:
            leads = []
            if st in ("缺失", "薄弱"):
                leads = target_leads(outside, seg.iri, role_firms, places) or list(ev.place_leads.get(ch.iri, []))
            gaps.append(Gap(ch.iri, ch.label, cluster_labels.get(ch.iri, []), seg.iri, seg.label, seg.position,
                            seg.order, st, _kind(st, seg.position, lo, hi), players, evid, leads, why))
    return gaps
