"""Plain dataclasses passed between pipeline stages.

ingest -> Document; extract -> Extraction; resolve -> KnowledgeBase; rdf -> rdflib Dataset.
Entity and relation type names follow ../shared/gold/README.md (Enterprise, Park, County, City,
Province, Region, IndustryCluster, IndustryChain, Project, Product, Organization;
locatedIn, belongsToCluster, belongsToChain, chainLeaderOf, chainCoreOf (链核), suppliesTo, implements,
investment, capacity, produces, signedWith, plus inSegment from chain analysis).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ENTITY_TYPES = ("Enterprise", "Organization", "Park", "County", "City", "Province", "Region",
                "IndustryCluster", "IndustryChain", "Project", "Product")
RELATION_TYPES = ("locatedIn", "belongsToCluster", "belongsToChain", "chainLeaderOf", "chainCoreOf",
                  "suppliesTo", "implements", "investment", "capacity", "produces", "signedWith")
LITERAL_RELATIONS = ("investment", "capacity")
# enterprise-register attributes (kg/register.py): literal triples with provenance to the register row
REGISTER_RELATIONS = ("creditCode", "aboveScale", "revenueText", "registerAddress")


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int  # offset into Document.text
    end: int
    text: str
    # where the sentence came from in the original file (all optional)
    page: int | None = None  # 1-based PDF page
    table: int | None = None  # 1-based table number within the document
    row: int | None = None  # 1-based data row within that table (header excluded)
    cells: tuple[tuple[str, str], ...] = ()  # (header, cell) pairs of a table row, in column order


@dataclass
class Document:
    doc_id: str  # file name, e.g. "000_00aa1898deac1099.txt"
    path: str
    text: str  # normalised text; all offsets refer to it
    sentences: list[Sentence]
    encoding: str = "utf-8"
    duplicates_dropped: int = 0
    sha256: str = ""  # of the raw bytes
    format: str = ""  # original format: "txt", "md", "docx", "pdf", "html" ("" = not from a file)
    pages: int = 0  # PDF page count
    tables: int = 0  # tables read as structure

    def sentence_at(self, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None


@dataclass
class Mention:
    text: str  # surface, == doc.text[start:end]
    type: str
    canonical: str
    start: int
    end: int
    sentence: int  # Sentence.index
    aliases: tuple[str, ...] = ()  # other names of the canonical known at extraction time
    source: str = "rule"


@dataclass
class Relation:
    head: str  # canonical name
    rel: str
    tail: str  # canonical name, or literal text for investment/capacity ("20亿元", "年产4万吨")
    sentence: int  # Sentence.index of the evidence
    evidence: str  # sentence text
    head_type: str = ""
    tail_type: str = ""  # "" for literals
    literal: bool = False
    value: Decimal | None = None  # investment normalised to CNY (yuan)
    currency: str = ""  # "CNY", "USD" ... for investment
    confidence: float = 1.0
    source: str = "rule"  # the component that produced it: a rule tag, or "model"


@dataclass
class Fact:
    """A headline figure stated in the text (签约项目数, 签约金额 ...)."""
    subject: str  # canonical name of what the figure is about (e.g. 长治市)
    metric: str  # Chinese label, e.g. 签约项目数
    value: str  # as printed, e.g. "936个", "1947.84亿元"
    number: Decimal | None
    unit: str  # "个", "元", "%" ...
    period: str  # as printed, e.g. "1—11月", "2025年"
    sentence: int
    evidence: str


@dataclass
class Extraction:
    doc: Document
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Skipped:
    path: str
    reason: str  # Chinese, shown to the user
    line: int | None = None


@dataclass
class Evidence:
    doc_id: str
    sentence: int
    start: int
    end: int
    text: str


@dataclass
class Entity:
    type: str
    label: str  # canonical name
    aliases: set[str] = field(default_factory=set)
    mentions: list[tuple[str, Mention]] = field(default_factory=list)  # (doc_id, mention)
    attrs: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.label)


@dataclass
class Assertion:
    head: tuple[str, str]  # entity key (type, label)
    rel: str
    tail: tuple[str, str] | str  # entity key, or literal text
    literal: bool = False
    value: Decimal | None = None
    currency: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 1.0


@dataclass
class KnowledgeBase:
    documents: list[Document] = field(default_factory=list)
    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)
    assertions: list[Assertion] = field(default_factory=list)
    facts: list[tuple[str, Fact]] = field(default_factory=list)  # (doc_id, fact)
    skipped: list[Skipped] = field(default_factory=list)
