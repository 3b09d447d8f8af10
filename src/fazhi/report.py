"""The `Report`: one analysed document and every annotation on it.

Like spaCy's `Doc`, a Report owns the original `text`; every annotation holds
`start`/`end` offsets into that text (Python str indices, end exclusive).
Stages never edit `text`. They read `view`, a same-length normalised copy
(traditional -> simplified, full-width digits -> ASCII ...), so an offset found
in `view` is valid in `text` too.

`Report.to_dict()` produces the JSON fixed by ../shared/CONTRACT.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, Literal

Category = Literal["structure", "metadata", "format", "formulation", "timeliness", "content", "duplication"]
Severity = Literal["error", "warning", "info"]
PART_KEYS = ("measures", "shortcomings", "first_responsible", "next_year")


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start


@dataclass
class Source:
    path: str
    format: str  # txt | docx | pdf | html
    encoding: str | None
    sha256: str
    notes: list[str] = field(default_factory=list)  # what reading took (bytes replaced, pages OCR'd), Chinese


@dataclass
class Heading:
    level: int  # 1, 2 or 3
    marker: str  # 一、 / （一） / 1. ... ("" when lost)
    number: int
    title: str
    start: int  # span of the heading line (marker included)
    end: int
    inferred: bool = False  # the marker was lost and the heading recovered
    title_start: int = 0
    title_end: int = 0
    section_end: int = 0  # where this heading's section ends (next heading of same or higher level)


@dataclass
class Place:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    town: str | None = None
    adcode: str | None = None


@dataclass
class Metadata:
    title: str | None = None
    issuer: str | None = None
    addressee: str | None = None
    report_year: int | None = None
    sign_date: str | None = None  # YYYY-MM-DD
    publish_date: str | None = None
    level: str | None = None  # 省 | 地市 | 区县 | 乡镇街道 | 部门
    place: Place = field(default_factory=Place)
    source_org: str | None = None  # 来源 of a web page
    spans: dict[str, Span] = field(default_factory=dict)  # where each field was read


@dataclass
class Indicator:
    subject: str
    value: float
    unit: str | None
    qualifier: str | None
    start: int
    end: int
    area: str | None = None
    measure: str | None = None  # normalised measure id from the taxonomy
    raw: str = ""  # the numeral as written


@dataclass
class Citation:
    title: str  # with the 《》
    doc_number: str | None
    start: int
    end: int
    kind: str = "other"
    number_start: int | None = None
    number_end: int | None = None


@dataclass
class Finding:
    rule: str
    category: Category
    severity: Severity
    message: str
    suggestion: str | None = None
    start: int | None = None
    end: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"part": "next_year"}

    def to_dict(self) -> dict[str, Any]:
        d = {name: plain(getattr(self, name)) for name in _field_names(Finding) if name != "extra"}
        d.update(plain(self.extra))
        return d


@dataclass
class Report:
    source: Source
    text: str
    body: Span
    view: str = ""  # same-length normalised copy of text; never serialised
    page_meta: dict[str, Any] = field(default_factory=dict)  # what a web page said of itself
    metadata: Metadata = field(default_factory=Metadata)
    outline: list[Heading] = field(default_factory=list)
    parts: dict[str, int | None] = field(default_factory=lambda: {k: None for k in PART_KEYS})
    indicators: list[Indicator] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    areas: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)
    score: dict[str, Any] | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # stage-to-stage notes, not serialised

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end]

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object; always strict JSON (json.dumps(..., allow_nan=False) works):
        a non-finite number anywhere becomes null."""
        meta = plain(self.metadata)
        meta["spans"] = {k: [s.start, s.end] for k, s in self.metadata.spans.items()}
        return {
            "source": plain(self.source),
            "text": self.text,
            "body": {"start": self.body.start, "end": self.body.end},
            "page": plain(self.page_meta),
            "metadata": meta,
            "outline": plain(self.outline),
            "parts": dict(self.parts),
            "indicators": plain(self.indicators),
            "citations": plain(self.citations),
            "areas": plain(self.areas),
            "findings": [f.to_dict() for f in self.findings],
            "copies": plain(self.copies),
            "score": plain(self.score),
        }


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(obj: Any) -> Any:
    """`dataclasses.asdict` and `finite` in one pass: dataclasses as dicts, lists, tuples and dicts
    rebuilt, every NaN / Infinity float None (asdict's generic deep copy was a tenth of an analysis)."""
    t = type(obj)
    if t is str or t is int or obj is None or t is bool:
        return obj
    if t is float:
        return obj if math.isfinite(obj) else None
    if t is list:
        return [plain(v) for v in obj]
    if t is dict:
        return {k: plain(v) for k, v in obj.items()}
    if hasattr(t, "__dataclass_fields__"):
        return {name: plain(getattr(obj, name)) for name in _field_names(t)}
    if isinstance(obj, tuple):
        return t(*(plain(v) for v in obj)) if hasattr(obj, "_fields") else t(plain(v) for v in obj)
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return finite(obj)


def finite(obj: Any) -> Any:
    """obj with every NaN / Infinity float (at any depth of dicts, lists, tuples) replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [finite(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(finite(v) for v in obj)
    return obj
