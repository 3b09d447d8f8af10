"""What ingestion hands to the engine: plain text plus where the report itself is; and the
reading options a caller sets for a whole batch (OCR on/off, progress bar)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from fazhi.report import Source, Span


@dataclass
class Document:
    source: Source  # source.notes: what reading took (bytes replaced, pages recognised by OCR)
    text: str  # .txt: the decoded content (a lone CR made LF); other formats: one paragraph per line
    body: Span  # the report itself, page chrome (navigation, 当前位置, 分享到 ...) outside it
    page_meta: dict[str, Any] = field(default_factory=dict)
    # page_meta keys when known: "publish_date" ("YYYY-MM-DD"), "source" (来源 organ),
    # "title" (page <title> or headline), and "<key>_span": [start, end] where it stands in text.

    @property
    def notes(self) -> list[str]:
        return self.source.notes


@dataclass(frozen=True)
class ReadOptions:
    ocr: bool = True  # recognise the text of scanned PDF pages; False: refuse a scan
    progress: bool | None = None  # a per-page OCR progress bar on stderr; None: when stderr is a TTY


_OPTIONS: ContextVar[ReadOptions] = ContextVar("fazhi_read_options", default=ReadOptions())


def current_options() -> ReadOptions:
    return _OPTIONS.get()


@contextmanager
def read_options(**changes: Any) -> Iterator[ReadOptions]:
    """`with read_options(ocr=False): fazhi.analyze(...)`: options for every file read inside."""
    token = _OPTIONS.set(replace(_OPTIONS.get(), **changes))
    try:
        yield _OPTIONS.get()
    finally:
        _OPTIONS.reset(token)
