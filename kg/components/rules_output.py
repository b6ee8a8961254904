"""Rule family output: the spans and relation proposals of a document as an Extraction (canonical
names, mentions, relations) and the document's facts (signed projects, investment, output …)."""
from __future__ import annotations

import re
from decimal import Decimal
from operator import attrgetter

from ..literals import parse_amount
from ..model import Extraction, Fact, Mention, Relation
from . import rule_patterns
from .products import vocab as product_vocab
from .rules_context import DocCtx as _DocCtx, Span

P = rule_patterns.load("output")
PRODUCTION_WORDS = product_vocab()["production_words"]
# (regex, metric, unit) in the order of the data file
FACT_PATTERNS = [(getattr(P, p["name"].upper()), p["metric"], p["unit"]) for p in rule_patterns.spec("output")["patterns"] if "metric" in p]
_START_END = attrgetter("start", "end")


_WS = re.compile(r"\s+")


def _canon(name: str) -> str:
    return _WS.sub("", name) if (" " in name or "\t" in name or "\n" in name) else name


def _name_type(x) -> tuple[str, str]:
    if isinstance(x, Span):
        return _canon(x.canonical), x.type
    if isinstance(x, tuple):
        return _canon(x[1]), x[0]
    return _canon(str(x)), ""


def finish(ex, ctx: _DocCtx) -> Extraction:
    """The document's Extraction: canonical project names, mentions, relations and facts."""
    projs = [s for s in ctx.spans if s.type == "Project"]
    _project_canonicals(projs)
    _coref_prefixes(ex, ctx, projs)
    mentions = _mentions(ctx)
    _topic_park(ctx)
    relations = _relations(ctx)
    return Extraction(doc=ctx.doc, mentions=mentions, relations=relations, facts=find_facts(ex, ctx))


def _project_canonicals(projs: list) -> None:
    """Prefer the 项目-suffixed form attested in the doc."""
    names = {P.WHITESPACE.sub("", p.text) for p in projs}
    for p in projs:
        if not p.canonical.endswith(("项目", "工程")) and p.canonical + "项目" in names:
            p.canonical = p.canonical + "项目"


def _coref_prefixes(ex, ctx: _DocCtx, projs: list) -> None:
    """P1 = X + P2 (another project of the doc): X is the firm implementing P2; a production word
    X (年产) makes them one project, named in full."""
    by_canon: dict[str, Span] = {}
    for q in projs:
        by_canon.setdefault(q.canonical, q)
    for p in projs:
        pc = p.canonical
        for L in range(len(pc) - 2, 5, -1):
            q = by_canon.get(pc[-L:])
            if q is None or q is p:
                continue
            x = pc[:-L]
            if x in PRODUCTION_WORDS:
                q.canonical = pc
            elif 2 <= len(x) <= 8 and p.meta.get("enterprise") is None and ex._division_prefix(x + "X") != len(x) \
                    and not P.DIGIT_OR_QUOTE.search(x) and x not in ex.g.project_generic:
                e = Span(p.start, p.start + len(x), "Enterprise", x, x, source="coref-prefix")
                ctx.add(e)
                p.canonical = q.canonical
                ctx.rels.append((e, "implements", q, ctx.sent_index(p.start)))
            break


def _mentions(ctx: _DocCtx) -> list[Mention]:
    mentions: list[Mention] = []
    seen = set()
    for sp in sorted(ctx.spans, key=_START_END):
        key = (sp.start, sp.end, sp.type)
        if sp.end <= sp.start or key in seen:
            continue
        seen.add(key)
        mentions.append(Mention(text=ctx.text[sp.start:sp.end], type=sp.type, canonical=_canon(sp.canonical),
                                start=sp.start, end=sp.end, sentence=ctx.sent_index(sp.start),
                                source=sp.source))
    return mentions


def _topic_park(ctx: _DocCtx) -> None:
    """A document about one park (most park mentions name it): unplaced projects, and parks or
    clusters named after it, are in that park."""
    park_counts: dict[str, int] = {}
    park_span: dict[str, Span] = {}
    for sp in ctx.spans:
        if sp.type == "Park":
            park_counts[sp.canonical] = park_counts.get(sp.canonical, 0) + 1
            park_span.setdefault(sp.canonical, sp)
    if not park_counts:
        return
    top = max(park_counts, key=park_counts.get)
    if park_counts[top] < 4 or park_counts[top] < 0.6 * sum(park_counts.values()):
        return
    placed = {id(r[0]) for r in ctx.rels if r[1] == "locatedIn"}
    topsp = park_span[top]
    for sp in ctx.spans:
        if id(sp) in placed or sp.canonical == top:
            continue
        if sp.type == "Project" or (sp.type in ("Park", "IndustryCluster")
                                    and any(sp.text.startswith(x.text) for x in ctx.spans
                                            if x.type == "Park" and x.canonical == top and x.text != sp.text)):
            ctx.rels.append((sp, "locatedIn", topsp, ctx.sent_index(sp.start), "topic"))


def _relations(ctx: _DocCtx) -> list[Relation]:
    """The proposals as relations by name, once each; a guess is dropped for a head placed explicitly."""
    doc = ctx.doc
    relations: list[Relation] = []
    rseen = set()
    explicit = {_name_type(r[0]) for r in ctx.rels if len(r) > 4 and r[4] == "explicit"}
    for r in ctx.rels:
        head, rel, tail, si = r[:4]
        if len(r) > 4 and r[4] in ("guess", "topic") and _name_type(head) in explicit:
            continue
        h_name, h_type = _name_type(head)
        literal = isinstance(tail, str)
        t_name, t_type = (_canon(tail), "") if literal else _name_type(tail)
        k = (h_name, rel, t_name)
        if not h_name or not t_name or (h_name == t_name and not literal) or k in rseen:
            continue
        rseen.add(k)
        value, cur = parse_amount(t_name) if rel == "investment" else (None, "")
        relations.append(Relation(head=h_name, rel=rel, tail=t_name, sentence=si,
                                  evidence=doc.sentences[si].text if doc.sentences else ctx.text, head_type=h_type,
                                  tail_type=t_type, literal=literal, value=value, currency=cur,
                                  source=r[4] if len(r) > 4 else "rule"))
    return relations


def fact_subject(ex, ctx: _DocCtx, si: int, pos: int, default: str, places: dict) -> str:
    """Who a figure is about: a county/park/city named in the sentence's first clause or opening a
    later clause before the figure (the clause's subject), else the document's city."""
    start, first = ctx.doc.sentences[si].start, True
    while start < pos:
        comma = ctx.text.find("，", start, pos)
        end = comma if comma >= 0 else pos
        if P.WHOLE_AREA.search(ctx.text, start, end):
            return default
        for sp in places.get(si, ()):
            if start <= sp.start < end and (first or sp.start <= start + 1):
                return sp.canonical
        if comma < 0:
            break
        start, first = comma + 1, False
    return default


def find_facts(ex, ctx: _DocCtx) -> list[Fact]:
    """Figures of the fact patterns with their period and subject (a place of the clause, else the main city)."""
    out = []
    subj = ctx.main_city or ""
    sents = ctx.doc.sentences
    periods: dict[int, str] = {}
    places: dict[int, list[Span]] = {}
    for sp in sorted(ctx.spans, key=attrgetter("start")):
        if sp.type in ("County", "Park", "City") and sp.canonical:
            places.setdefault(ctx.sent_index(sp.start), []).append(sp)
    for rx, metric, unit in FACT_PATTERNS:
        for m in rx.finditer(ctx.text):
            si = ctx.sent_index(m.start())
            s = sents[si] if sents else None
            if s is None:
                continue
            if si not in periods:
                pm = P.PERIOD.search(s.text)
                periods[si] = pm.group() if pm else ""
            val = next(x for x in m.groups() if x)
            num = P.NUMBER.match(val)
            n = Decimal(num.group()) if num else None
            if unit == "元" and n is not None:
                n = parse_amount(val)[0]
            out.append(Fact(subject=fact_subject(ex, ctx, si, m.start(), subj, places), metric=metric, value=val, number=n, unit=unit, period=periods[si],
                            sentence=s.index, evidence=s.text))
    out.sort(key=lambda f: f.sentence)
    facts, seen = [], set()  # two patterns of one metric may read the same figure (共签约项目15个): once
    for f in out:
        key = (f.sentence, f.metric, f.value, f.subject)
        if key not in seen:
            seen.add(key)
            facts.append(f)
    return facts
