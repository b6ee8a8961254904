"""Result dataclasses of chain analysis (kg.analysis, kg.leaders, kg.gaps); read by kg.report."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

POSITIONS = ("上游", "中游", "下游")
STATUSES = ("已覆盖", "薄弱", "缺失", "未知")
STATUS_LEGEND = ("已覆盖＝至少 2 家本地企业/项目且至少 1 家已投产（或链主所在环节）；"
                 "薄弱＝只有 1 家，或只有签约/在建项目；"
                 "缺失＝文本明确说该环节空白或正在招引，或企业名录中没有该环节企业；"
                 "未知＝文本未提及，不能据此判断有无")
NO_LEADER = "暂无（证据不足）"
NO_CLUSTER = "（未归入集群）"


@dataclass
class SegmentInfo:
    iri: str
    chain: str
    label: str
    position: str
    order: int
    keywords: list[str]
    next: list[str] = field(default_factory=list)


@dataclass
class ChainInfo:
    iri: str
    label: str
    alt: list[str]
    clusters: list[str]  # cluster IRIs
    segments: list[SegmentInfo]
    exclude: list[str] = field(default_factory=list)
    templated: bool = True  # False: a chain named in the text with no template (segments 未知)
    by_name_only: bool = False  # kg:scopeByName: in scope only when a text names it (keywords shared with another chain)


@dataclass
class ClusterInfo:
    iri: str
    label: str
    tier: str
    chains: list[str]
    alt: list[str] = field(default_factory=list)
    scheme: str = ""


@dataclass
class Placement:
    entity: str
    label: str
    type: str  # Enterprise | Project
    chain: str
    chain_label: str
    segment: str | None  # None = placed on the chain only
    segment_label: str
    basis: str  # 产品 | 名称 | 项目 | 上下文 | 所属产业链 | 所属集群 | 链主 | 链核 | 企业名录
    keyword: str
    evidence: str  # sentence text
    sentence: str | None  # sentence IRI
    stage: str = "投产"  # 签约 | 开工 | 投产 | "" (unknown)
    via: str | None = None  # project IRI when an enterprise is placed through its project
    deployment: bool = False  # an application/deployment project, not manufacturing

    @property
    def operating(self) -> bool:
        return self.stage == "投产"


@dataclass
class Unplaced:
    entity: str
    label: str
    type: str
    chains: list[str]
    reason: str


@dataclass
class Evidence:
    sentence: str | None
    text: str
    kind: str = ""


@dataclass
class Leader:
    chain: str
    chain_label: str
    clusters: list[str]
    enterprise: str
    label: str
    score: float
    text_score: float  # role (chainLeaderOf confidence)
    structure_score: float  # local weight
    components: dict
    evidence: list[Evidence]
    rank: int | None = None
    qualified: bool = False
    role: str = "候选"  # 链主 | 链核 | 候选 | 外地
    basis: str = ""  # why it qualified / why not


@dataclass
class Player:
    iri: str | None
    label: str
    type: str  # Enterprise | Project | 未具名
    stage: str  # 签约 | 开工 | 投产 | ""
    basis: str = ""
    evidence: str = ""
    sentence: str | None = None
    deployment: bool = False

    @property
    def operating(self) -> bool:
        return self.stage == "投产"


@dataclass
class Lead:
    label: str
    iri: str | None
    type: str  # Enterprise | City | Province | Region
    scope: str  # 企业 (a named target firm) | 地区 (fallback)
    chain: str | None
    segments: list[str]
    evidence: str
    sentence: str | None
    score: float = 0.0
    place: str = ""  # where the target firm is located


@dataclass
class Gap:
    chain: str
    chain_label: str
    clusters: list[str]
    segment: str
    segment_label: str
    position: str
    order: int
    status: str  # 已覆盖 | 薄弱 | 缺失 | 未知
    kind: str  # 强链 | 补链 | 延链 | 待核实
    players: list[Player]
    evidence: list[Evidence]
    leads: list[Lead] = field(default_factory=list)
    basis: str = ""  # one line: why this status


@dataclass
class FactRow:
    iri: str
    subject: str
    metric: str
    value: str
    number: Decimal | None
    unit: str
    period: str
    evidence: str
    sentence: str | None


@dataclass
class AnalysisResult:
    placements: list[Placement]
    unplaced: list[Unplaced]
    leaders: list[Leader]  # every assessed candidate; .qualified marks 链主
    gaps: list[Gap]
    leads: list[Lead]
    facts: list[FactRow]
    chains: dict[str, ChainInfo] = field(default_factory=dict)
    clusters: dict[str, ClusterInfo] = field(default_factory=dict)
    generated: str = ""
    untemplated: list[str] = field(default_factory=list)
    region: str = ""  # focus region label
    region_detected: bool = True
    register: list[str] = field(default_factory=list)  # register files used

    def leaders_for(self, chain: str, qualified_only: bool = True) -> list[Leader]:
        out = [l for l in self.leaders if l.chain == chain and (l.qualified or not qualified_only)]
        return sorted(out, key=lambda l: (l.rank or 10**6, -l.score, l.label))

    def gaps_for(self, chain: str) -> list[Gap]:
        return sorted((g for g in self.gaps if g.chain == chain), key=lambda g: (POSITIONS.index(g.position), g.order))

    def cluster_chains(self, cluster: str) -> list[str]:
        return [c for c in self.clusters[cluster].chains if c in self.chains]

    def unclustered_chains(self) -> list[str]:
        return [c for c, info in self.chains.items() if not info.clusters]
