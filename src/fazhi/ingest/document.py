"""What ingestion hands to the engine: plain text plus where the report itself is."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fazhi.report import Source, Span


@dataclass
class Document:
    source: Source
    text: str  # .txt: exactly the decoded content; other formats: one paragraph per line
    body: Span  # the report itself, page chrome (navigation, 当前位置, 分享到 ...) outside it
    page_meta: dict[str, Any] = field(default_factory=dict)
    # page_meta keys when known: "publish_date" ("YYYY-MM-DD"), "source" (来源 organ),
    # "title" (page <title> or headline), and "<key>_span": [start, end] where it stands in text.
