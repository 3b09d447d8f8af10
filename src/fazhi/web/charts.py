"""The report list's dashboard charts, off the request path.

The list page carries no charts; its script fetches /reports/charts.json. Charts are computed in a
child process (fazhi.web.worker: reading every listed analysis takes seconds on a large corpus and
must not hold the server's interpreter), once per corpus state and selection, and cached: when
the corpus changed, the previous charts are served at once, marked stale, while one fresh
computation runs in the background (at most one per selection at a time, and not more often than
every MIN_INTERVAL seconds). The copy network reads the stored copy matches (nothing is matched).
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

MIN_INTERVAL = 10.0
MAX_ENTRIES = 64


def compute_charts(corpus, ids: list[int], reviewer: bool) -> list[dict] | None:
    """The chart list the page draws (fazhi.render.dashboard). The copy network names reports
    outside the list, so only reviewers (who may read every report) get it."""
    if not ids:
        return None
    from fazhi.render.dashboard import chart_height, dashboard_charts

    charts = dashboard_charts(corpus, ids, copy_limit=200 if reviewer else 0)
    if not reviewer:
        charts.pop("copy_network", None)
    return [{"id": k, "option": opt, "height": chart_height(k, opt)} for k, opt in charts.items()]


def corpus_state(corpus) -> tuple:
    """Changes whenever a report is added, removed or re-analysed, or copy matches are computed."""
    from sqlalchemy import func, select

    from fazhi.corpus.models import ReportRow

    q = select(func.count(), func.max(ReportRow.id), func.max(ReportRow.analyzed_at), func.max(ReportRow.copies_at),
               func.sum(ReportRow.id))
    with corpus.engine.connect() as conn:
        return tuple(str(v) for v in conn.execute(q).one())


@dataclass
class Entry:
    state: tuple
    charts: list[dict] | None
    computed: float
    running: bool = False


class ChartCache:
    def __init__(self, compute):
        """`compute(ids, reviewer) -> {"charts": ...} | {"error": ...}` (blocking)."""
        self._compute = compute
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()

    def get(self, corpus, selection: str, ids: list[int], reviewer: bool) -> dict[str, Any]:
        """{"charts": [...] | None, "stale": bool} for the reports `ids` listed by `selection` (the
        filters and who is asking): the same selection after a change gets its previous charts
        at once. Blocks only on a selection's first computation."""
        state = (*corpus_state(corpus), hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest())
        key = hashlib.sha256(f"{selection}|{reviewer}".encode()).hexdigest()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.state == state:
                return {"charts": entry.charts, "stale": False}
            if entry is not None:
                if not entry.running and time.monotonic() - entry.computed >= MIN_INTERVAL:
                    entry.running = True
                    threading.Thread(target=self._refresh, args=(key, ids, reviewer, state), daemon=True).start()
                return {"charts": entry.charts, "stale": True}
        charts = self._run(ids, reviewer)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = Entry(state, charts, time.monotonic())
        return {"charts": charts, "stale": False}

    def _run(self, ids: list[int], reviewer: bool) -> list[dict] | None:
        out = self._compute(ids, reviewer)
        return out.get("charts")

    def _refresh(self, key: str, ids: list[int], reviewer: bool, state: tuple) -> None:
        try:
            charts = self._run(ids, reviewer)
        finally:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    entry.running = False
        with self._lock:
            self._entries[key] = Entry(state, charts, time.monotonic())
