"""Batch outputs of a report year (issue 14 item 5) and the 沿用比例 backfill; no HTTP here.

- `submissions_table(cycle, user, year)`: one row per submission (unit, level, status, submitted time,
  lateness, version, reviewer, score, 沿用比例, 抄用比例, open issues) as a corpus Table → .xlsx.
- `opinions_zip(corpus, cycle, user, year, out)`: every current report's 审查意见 (.docx) in one zip — the
  reviewer's edited opinion where one was made, else the machine's — written entry by entry to a file
  (the route streams that file; it runs in a worker thread).
- `RecyclingBackfill`: shares not stored yet are measured in the background, in a child process, so
  list pages never wait for them (each is computed once and stored: cycle.recycling).
"""
from __future__ import annotations

import threading
import zipfile
from pathlib import Path
from typing import Any

from fazhi.corpus.tables import Table

SUBMISSION_COLUMNS = [("unit", "单位"), ("level", "层级"), ("status", "状态"), ("submitted_at", "提交时间"),
                      ("deadline", "报送期限"), ("days_late", "逾期天数"), ("version", "版本"),
                      ("reviewer", "审核人"), ("machine_score", "机器评分"), ("score", "最终得分"),
                      ("recycled", "沿用比例（%）"), ("copied", "抄用比例（%）"), ("open_issues", "待整改问题"),
                      ("report_id", "报告编号")]


def ensure_recycling(cycle: Any, report_ids: list[int]) -> None:
    """Measure the shares still missing for these reports before a batch output (in a child process;
    the caller, a worker thread, waits for it)."""
    missing = cycle.recycling_missing(report_ids)
    for i in range(0, len(missing), BACKFILL_BATCH):
        measure_batch(cycle, missing[i:i + BACKFILL_BATCH])


def submissions_table(cycle: Any, user: dict | None, year: int) -> Table:
    """The year's submissions as a Table (Beijing times; shares in percent, numbers stay numbers)."""
    from fazhi.web.views import cn_datetime

    board = cycle.year_board(user, year)
    ensure_recycling(cycle, [r["report_id"] for r in board])
    board = cycle.year_board(user, year)
    rows = []
    for r in board:
        rows.append([r["unit_name"], r["level"], r["status_label"], cn_datetime(r["submitted_at"]), r["deadline"],
                     (r["days_late"] or 0) if r["lateness_tracked"] else None, r["version"], r["reviewer"],
                     r["machine_score"], r["score"], _pct(r["recycled_share"]), _pct(r["copied_share"]),
                     r["open_issues"], r["report_id"]])
    notes = [f"{year}年度报送情况，共 {len(rows)} 个单位。",
             "逾期天数：该年度报送在截止日期之后才设立（往年补录）时为空。",
             "最终得分：审查人员确定的得分（已剔除误报、计入沿用扣分和人工调整），未确定时同机器评分。",
             "沿用比例：与本单位上一年度报告相同内容占正文的比例；抄用比例：与其他单位报告雷同内容的比例。"]
    return Table(f"{year}年度报送情况", [c for _, c in SUBMISSION_COLUMNS], rows,
                 [k for k, _ in SUBMISSION_COLUMNS], notes)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(x * 100, 1)


def table_xlsx(table: Table) -> bytes:
    import tempfile

    from fazhi.corpus.export import write_table

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "table.xlsx"
        write_table(table, out)
        return out.read_bytes()


def opinion_entry_name(row: dict, used: set[str]) -> str:
    """A file name inside the zip: 单位-年度-审查意见.docx, made unique."""
    base = "".join(ch for ch in f"{row['unit_name']}-{row['year']}年度-审查意见" if ch not in '\\/:*?"<>|')
    name, n = f"{base}.docx", 2
    while name in used:
        name, n = f"{base}（{n}）.docx", n + 1
    used.add(name)
    return name


def opinions_zip(corpus: Any, cycle: Any, user: dict | None, year: int, out: Path) -> int:
    """Write the 审查意见 of every submitted report of `year` into the zip file `out`; the count.
    A report whose opinion cannot be built gets a one-line .txt with the reason instead."""
    from fazhi.web.views import opinion_docx

    board = cycle.year_board(user, year)
    used: set[str] = set()
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for r in board:
            name = opinion_entry_name(r, used)
            try:
                data = opinion_docx(corpus, cycle, r["report_id"], user)  # the reviewers' edited opinion
            except Exception as e:  # noqa: BLE001 - one file's failure must not lose the others
                zf.writestr(name.replace(".docx", "-未能生成.txt"), f"未能生成审查意见：{type(e).__name__}")
                continue
            zf.writestr(name, data)
            count += 1
    return count


BACKFILL_BATCH = 200  # reports per child process
BACKFILL_SECONDS = 600.0  # a child still running after this is stopped (its finished reports are kept)
BACKFILL_MEMORY_MB = 2048


class RecyclingBackfill:
    """Missing shares computed in the background: one thread at a time takes the queued reports and
    measures them in a child process (fazhi.web.worker's forkserver, memory- and time-limited), so the
    server's interpreter never does the comparisons; an in-memory database is measured in the thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[tuple[Any, int]] = []
        self._queued: set[tuple[int, int]] = set()
        self._running = False

    def request(self, cycle: Any, report_ids: list[int]) -> int:
        """Queue the reports whose shares are missing; how many were missing."""
        missing = cycle.recycling_missing(report_ids)
        self.queue(cycle, missing)
        return len(missing)

    def queue(self, cycle: Any, missing: list[int]) -> None:
        """Queue reports known to have no stored shares."""
        with self._lock:
            for rid in missing:
                key = (id(cycle), rid)
                if key not in self._queued:
                    self._queued.add(key)
                    self._pending.append((cycle, rid))
            if self._pending and not self._running:
                self._running = True
                threading.Thread(target=self._work, daemon=True, name="recycling-backfill").start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._running = False
                    return
                cycle = self._pending[0][0]
                batch = [rid for c, rid in self._pending if c is cycle][:BACKFILL_BATCH]
                self._pending = [(c, r) for c, r in self._pending if not (c is cycle and r in batch)]
            try:
                measure_batch(cycle, batch)
            except Exception:  # noqa: BLE001 - reports removed meanwhile: shown as unknown, asked again later
                pass
            finally:
                with self._lock:
                    self._queued.difference_update((id(cycle), rid) for rid in batch)


def measure_batch(cycle: Any, report_ids: list[int]) -> None:
    """Store the shares of these reports, in a child process when the database has a URL."""
    from fazhi.web.worker import _mp_context, in_process

    url = cycle.engine.url.render_as_string(hide_password=False)
    if in_process(url):
        for rid in report_ids:
            cycle.recycling(rid)
        return
    proc = _mp_context().Process(target=recycling_child, args=(url, report_ids, BACKFILL_MEMORY_MB), daemon=True)
    proc.start()
    proc.join(BACKFILL_SECONDS)
    if proc.is_alive():
        proc.kill()
        proc.join(5)


def recycling_child(db_url: str, report_ids: list[int], memory_mb: int) -> None:
    """In the child process: measure and store each report's shares (each stored as it is done)."""
    from fazhi.corpus.store import open_corpus
    from fazhi.cycle import Cycle
    from fazhi.web.worker import _limit_memory

    _limit_memory(memory_mb)
    corpus = open_corpus(db_url)
    try:
        cycle = Cycle(corpus)
        for rid in report_ids:
            try:
                cycle.recycling(rid)
            except KeyError:  # removed meanwhile
                continue
    finally:
        corpus.close()


BACKFILL = RecyclingBackfill()
