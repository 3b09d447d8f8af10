"""The reports one writer stored lately, kept in memory so that matching a report against the
reports stored since its worker looked (matchstore.finish) reads no SQL.

It answers exactly as the store would for those reports: per band key the MAX_BAND_ROWS newest
rows, per unit the MAX_CANDIDATES sharing the most keys (then the newest), the paragraphs'
normalised text and offsets, the report rows. It holds at most `limit` reports (the oldest go);
a report it no longer holds is read from the store as before.
"""
from __future__ import annotations

import heapq
from collections import OrderedDict, defaultdict
from collections.abc import Collection
from typing import Any

from fazhi.corpus.candidates import MAX_BAND_ROWS, MAX_CANDIDATES, Cands, Plan, _rank
from fazhi.corpus.fingerprint import Unit

Para = tuple[str, list[int], list[int], int, int]  # norm, starts, ends, seq, text hash (candidates.paragraphs)


class RecentIndex:
    def __init__(self, limit: int = 1000):
        self.limit = limit
        self._reports: OrderedDict[int, tuple[dict[str, Any], list[tuple[int, int]], list[int]]] = OrderedDict()
        self._by_key: dict[int, list[int]] = defaultdict(list)  # key → paragraph ids, ascending
        self._paras: dict[int, tuple[int, Para]] = {}  # paragraph id → (report id, paragraph)

    def add(self, row: dict[str, Any], units: list[Unit], plan: Plan, pids: list[int]) -> None:
        """A report just written: its row (REPORT_COLS), units, index plan and paragraph ids."""
        rid = row["id"]
        keys = [(key, pid) for pid, unit_keys in zip(pids, plan) for _b, key in unit_keys]
        for key, pid in keys:
            self._by_key[key].append(pid)
        for seq, (pid, u) in enumerate(zip(pids, units)):
            self._paras[pid] = (rid, (u.norm, u.starts, u.ends, seq, u.text_hash))
        self._reports[rid] = (row, keys, pids)
        while len(self._reports) > self.limit:
            self._drop(next(iter(self._reports)))

    def _drop(self, rid: int) -> None:
        _row, keys, pids = self._reports.pop(rid)
        gone = {pid for _k, pid in keys}
        for key in {k for k, _p in keys}:
            left = [p for p in self._by_key[key] if p not in gone]
            if left:
                self._by_key[key] = left
            else:
                del self._by_key[key]
        for pid in pids:
            self._paras.pop(pid, None)

    def covers(self, report_ids: Collection[int]) -> bool:
        return all(r in self._reports for r in report_ids)

    def candidates(self, plan: Plan, exclude_id: int | None, only: Collection[int]) -> Cands:
        """candidates.candidates(conn, plan, exclude_id, only=only) for reports this index holds."""
        hits: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
        for i, unit_keys in enumerate(plan):
            for _band, key in unit_keys:
                for pid in self._newest(key, only):
                    rid = self._paras[pid][0]
                    if rid == exclude_id:
                        continue
                    n = hits[i].get(pid, (rid, 0))[1]
                    hits[i][pid] = (rid, n + 1)
        return {i: [(pid, rid, n) for pid, (rid, n) in heapq.nlargest(MAX_CANDIDATES, found.items(), key=_rank)]
                for i, found in hits.items()}

    def _newest(self, key: int, only: Collection[int]) -> list[int]:
        """The MAX_BAND_ROWS newest paragraphs of `only` carrying `key`."""
        out: list[int] = []
        for pid in reversed(self._by_key.get(key, ())):
            if self._paras[pid][0] in only:
                out.append(pid)
                if len(out) == MAX_BAND_ROWS:
                    break
        return out

    def paragraphs(self, pids: Collection[int]) -> dict[int, Para]:
        return {p: self._paras[p][1] for p in pids if p in self._paras}

    def rows(self, report_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        return {r: self._reports[r][0] for r in report_ids if r in self._reports}
