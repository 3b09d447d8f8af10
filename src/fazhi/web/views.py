"""Data for pages and API: the report view (marks, findings, parts, score, copies, versions),
corpus rows with filters, and the documents to download. No HTTP here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fazhi.web.highlight import Mark
from fazhi.web.views_office import SORT_KEYS, office_filtered, office_numbers, sort_rows

SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER = ("error", "warning", "info")
CATEGORY_LABEL = {"structure": "结构", "metadata": "要素", "format": "格式", "formulation": "表述",
                  "timeliness": "时效", "content": "内容", "duplication": "重复"}
ROLE_LABEL = {"admin": "管理员", "reviewer": "审查人员", "unit": "报送单位"}
LEVELS = ("省", "地市", "区县", "乡镇街道", "部门")
COPY_KIND = {"copying": "抄用他单位", "recycling": "沿用往年", "template": "通用套话"}
PART_KEYS = ("measures", "shortcomings", "first_responsible", "next_year")


def cn_datetime(value: Any) -> str:
    """A stored time (naive UTC, as every table keeps it) in Beijing time, 'YYYY-MM-DD HH:MM'."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    return str(value)


def fmt_number(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def finding_title(f: dict) -> str:
    title = f"{SEVERITY_LABEL.get(f.get('severity'), '')}：{f.get('message', '')}"
    if f.get("suggestion"):
        title += f"\n建议：{f['suggestion']}"
    return title


def part_names() -> dict[str, str]:
    from fazhi.structure.parts import part_rules

    return {k: v["name"] for k, v in part_rules()["parts"].items()}


@dataclass
class ReportView:
    report_id: int
    data: dict  # the contract dict
    marks: list[Mark] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)  # each with "idx", "ref", "quote"
    groups: list[tuple[str, list[dict]]] = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)
    score_items: list[dict] = field(default_factory=list)
    outline: list[dict] = field(default_factory=list)
    copies: list[dict] = field(default_factory=list)
    hidden_copies: int = 0
    comments: list[dict] = field(default_factory=list)
    earlier_comments: list[dict] = field(default_factory=list)  # on other versions of the submission


def _quote(text: str, start: int | None, end: int | None, limit: int = 60) -> str:
    if start is None or end is None or end <= start:
        return ""
    q = text[start:end]
    return q if len(q) <= limit else q[:limit] + "…"


def build_view(corpus, cycle, user: dict | None, report_id: int, data: dict,
               submission: dict | None) -> ReportView:
    """Everything the report page shows, with each span as a Mark on the text."""
    from fazhi.cycle.opinion_score import FALSE_POSITIVE, finding_key

    text = data["text"]
    v = ReportView(report_id, data)
    reviews = cycle.finding_reviews(report_id)  # the reviewers' verdicts: 误报 / 采纳
    for i, f in enumerate(data.get("findings") or []):
        key = finding_key(f)
        item = {**f, "idx": i, "ref": f"f{i}", "quote": _quote(text, f.get("start"), f.get("end")), "key": key,
                "review": reviews.get(key)}
        v.findings.append(item)
        if f.get("start") is not None and f.get("end") is not None:
            fp = " fp" if (reviews.get(key) or {}).get("verdict") == FALSE_POSITIVE else ""
            v.marks.append(Mark(f"f{i}", f["start"], f["end"], "finding", f"sev-{f.get('severity')}{fp}",
                                finding_title(f)))
    v.groups = [(s, [f for f in v.findings if f.get("severity") == s]) for s in SEVERITY_ORDER]
    v.groups = [(s, fs) for s, fs in v.groups if fs]
    for i, ind in enumerate(data.get("indicators") or []):
        unit = ind.get("unit") or ""
        label = f"指标：{ind.get('subject', '')} {ind.get('qualifier') or ''}{fmt_number(ind.get('value'))}{unit}"
        v.marks.append(Mark(f"i{i}", ind["start"], ind["end"], "indicator", "", label.strip()))
    for i, h in enumerate(data.get("outline") or []):
        v.outline.append({**h, "idx": i, "ref": f"h{i}"})
        v.marks.append(Mark(f"h{i}", h["start"], h["end"], "heading"))
    names = part_names()
    outline = data.get("outline") or []
    for key in PART_KEYS:
        idx = (data.get("parts") or {}).get(key)
        h = outline[idx] if idx is not None and 0 <= idx < len(outline) else None
        v.parts.append({"key": key, "name": names.get(key, key), "heading": h, "ref": f"h{idx}" if h else None})
    v.score_items = _score_items(data, v.findings)
    if submission:
        v.comments = [c for c in submission.get("comments") or [] if c.get("report_id") == report_id]
        v.earlier_comments = [c for c in submission.get("comments") or [] if c.get("report_id") != report_id]
        for c in v.comments:
            if c.get("start") is not None and c.get("end") is not None:
                v.marks.append(Mark(f"c{c['id']}", c["start"], c["end"], "comment", "",
                                    f"审查意见：{c.get('body', '')}"))
    v.copies, v.hidden_copies = readable_copies(corpus, cycle, user, report_id)
    for i, c in enumerate(v.copies):
        v.marks.append(Mark(f"p{i}", c["start"], c["end"], "copy", "",
                            f"{COPY_KIND.get(c.get('kind'), '雷同')}：相似度 {c.get('similarity')}"))
    return v


def _score_items(data: dict, findings: list[dict]) -> list[dict]:
    """Score items with each evidence linked to its finding on the page (same rule and span)."""
    by_key = {(f.get("rule"), f.get("start"), f.get("end")): f["ref"] for f in findings}
    items = []
    for item in (data.get("score") or {}).get("items") or []:
        ev = [{**e, "ref": by_key.get((e.get("rule"), e.get("start"), e.get("end")))}
              for e in item.get("evidence") or []]
        items.append({**item, "evidence": ev})
    return items


def readable_copies(corpus, cycle, user: dict | None, report_id: int) -> tuple[list[dict], int]:
    """Shared passages whose other report this user may read, and how many others were hidden
    (read from the copy matches stored with the reports: nothing is matched here)."""
    from fazhi.corpus.copies import match_stored

    try:
        copies = match_stored(corpus, report_id, compute_missing=False)
    except KeyError:
        return [], 0
    readable = cycle.readable_report_ids(user)
    shown = [c for c in copies if readable is None or c["other"]["id"] in readable]
    for c in shown:
        c["kind_label"] = COPY_KIND.get(c.get("kind"), "雷同")
    return shown, len(copies) - len(shown)


def findings_diff_for(cycle, submission: dict | None, report_id: int) -> dict | None:
    """The diff against the version before this one (None for a first version)."""
    if not submission:
        return None
    versions = sorted(submission.get("versions") or [], key=lambda x: x["seq"])
    ids = [x["report_id"] for x in versions]
    if report_id not in ids or ids.index(report_id) == 0:
        return None
    prev = ids[ids.index(report_id) - 1]
    diff = cycle.findings_diff(prev, report_id)
    return {**diff, "previous_report_id": prev}


# ---------------------------------------------------------------- corpus


@dataclass
class Filters:
    year: int | None = None
    level: str | None = None
    place: str | None = None
    status: str | None = None
    # issue 14 item 6: filters on the office's numbers, and the column the list is sorted by
    min_score: float | None = None
    max_score: float | None = None
    late: bool | None = None  # True: late submissions only; False: on time only
    min_recycled: float | None = None  # 沿用比例 at least this many percent
    issues: bool | None = None  # True: units with open issues only
    sort: str | None = None  # a key of SORT_KEYS
    order: str | None = None  # asc | desc (default: desc for numbers)

    def query(self, **change: Any) -> str:
        """The list's query string (with `change` applied: the link of a column header)."""
        from urllib.parse import urlencode

        values = {**vars(self), **change}
        shown = {k: ("1" if v is True else "0" if v is False else fmt_number(v))
                 for k, v in values.items() if v not in (None, "")}
        return urlencode(shown)

    def sort_link(self, key: str) -> str:
        """The query of this list sorted by `key` (a second click reverses the order)."""
        order = "asc" if self.sort == key and self.order_of(key) == "desc" else "desc"
        return self.query(sort=key, order=order)

    def order_of(self, key: str) -> str:
        return self.order if self.sort == key and self.order in ("asc", "desc") else "desc"

    @classmethod
    def from_query(cls, q: Any, **known: Any) -> "Filters":
        """Filters from query parameters (`known`: year/level/place/status already checked by the
        caller); ValueError (Chinese) for a bad number."""
        def number(name: str, low: float, high: float) -> float | None:
            raw = (q.get(name) or "").strip()
            if not raw:
                return None
            try:
                v = float(raw)
            except ValueError:
                raise ValueError(f"请求参数有误：{name}（应为数字）。") from None
            if not low <= v <= high:
                raise ValueError(f"请求参数有误：{name}（应在 {low:g}–{high:g} 之间）。")
            return v

        def flag(name: str) -> bool | None:
            raw = (q.get(name) or "").strip()
            return True if raw == "1" else False if raw == "0" else None

        sort = q.get("sort") or None
        return cls(**known, min_score=number("min_score", 0, 100), max_score=number("max_score", 0, 100),
                   late=flag("late"), min_recycled=number("min_recycled", 0, 100), issues=flag("issues"),
                   sort=sort if sort in SORT_KEYS else None,
                   order=q.get("order") if q.get("order") in ("asc", "desc") else None)


ROW_COLUMNS = ("id", "title", "issuer", "report_year", "level", "province", "city", "county", "town",
               "sign_date", "publish_date", "analyzed_at")


def status_map(cycle) -> dict[int, dict]:
    """report id → {"status", "status_label", "submission_id", "current": bool, "unit_name"}."""
    from fazhi.cycle import STATUS_LABELS

    out: dict[int, dict] = {}
    for v in cycle.report_statuses():
        current = v["report_id"] == v["current_id"]
        status = v["status"] if current else "superseded"
        out[v["report_id"]] = {"status": status, "submission_id": v["submission_id"], "current": current,
                               "status_label": STATUS_LABELS.get(status, "旧版本"), "unit_name": v["unit_name"]}
    return out


def corpus_rows(corpus, cycle, user: dict | None, flt: Filters) -> list[dict]:
    """The report table rows this user may read, filtered and sorted. Per-report numbers (score,
    missing parts, findings) come from SUMMARIES, read from a report's analysis once per analysis;
    the office's numbers (final score, lateness, 沿用比例, open issues) from their stored tables."""
    readable = cycle.readable_report_ids(user)
    where: dict[str, Any] = {}
    if flt.year:
        where["report_year"] = flt.year
    if flt.level:
        where["level"] = flt.level
    if readable is not None:
        if not readable:
            return []
        where["id"] = sorted(readable)
    statuses = status_map(cycle)
    found = corpus.rows(ROW_COLUMNS, **where)
    summaries = SUMMARIES.get(corpus, [(r["id"], r["analyzed_at"]) for r in found])
    rows = []
    for r in found:
        place = "".join(x for x in (r["province"], r["city"], r["county"], r["town"]) if x)
        if flt.place and flt.place not in place and flt.place not in (r["issuer"] or ""):
            continue
        st = statuses.get(r["id"], {"status": "none", "status_label": "未报送", "submission_id": None})
        if flt.status and st["status"] != flt.status:
            continue
        if st["status"] == "superseded" and flt.status != "superseded":
            continue  # earlier versions of a submission only when asked for
        r.pop("analyzed_at")
        rows.append({**r, "place": place, **st, **summaries[r["id"]]})
    office_numbers(cycle, user, rows)
    return sort_rows(office_filtered(rows, flt), flt)


class Summaries:
    """Report id → {"score", "missing", "findings", "errors"}, kept per (id, analyzed_at): a list
    view reads only the analyses it has not summarised yet (new or re-analysed reports)."""

    def __init__(self, limit: int = 200_000):
        import threading

        self._lock = threading.Lock()
        self._cache: dict[tuple, dict] = {}
        self._limit = limit

    def get(self, corpus, keys: list[tuple[int, Any]]) -> dict[int, dict]:
        tag = id(corpus.engine)
        with self._lock:
            have = {rid: self._cache.get((tag, rid, str(at))) for rid, at in keys}
        missing = [rid for rid, v in have.items() if v is None]
        stamps = dict(keys)
        for i in range(0, len(missing), 200):
            for r in corpus.rows(("id", "analyzed_at", "analysis"), id=missing[i:i + 200]):
                have[r["id"]] = summary(r["analysis"] or {})
                with self._lock:
                    if len(self._cache) >= self._limit:
                        self._cache.clear()
                    self._cache[(tag, r["id"], str(stamps.get(r["id"], r["analyzed_at"])))] = have[r["id"]]
        return {rid: v or {"score": None, "missing": [], "findings": 0, "errors": 0} for rid, v in have.items()}


def summary(a: dict) -> dict:
    names = part_names()
    parts = a.get("parts") or {}
    findings = a.get("findings") or []
    return {"score": (a.get("score") or {}).get("total"),
            "missing": [names[k] for k in PART_KEYS if parts.get(k) is None],
            "findings": len(findings), "errors": sum(1 for f in findings if f.get("severity") == "error")}


SUMMARIES = Summaries()


# ---------------------------------------------------------------- documents


def report_object(corpus, cycle, report_id: int):
    """A fresh `Report` for a stored report: from its uploaded bytes when kept, else the stored text."""
    from fazhi.corpus.store import analyze_stored

    original = cycle.original(report_id)
    if original is not None:
        from fazhi import ingest
        from fazhi.pipeline import analyze_document

        name, data = original
        return analyze_document(ingest.load_bytes(data, name))
    return analyze_stored(corpus.get(report_id))


def opinion_docx(corpus, cycle, report_id: int, user: dict | None = None) -> bytes:
    """The 审查意见 (.docx): the machine's, with what the office made of it (Cycle.document_opinion:
    误报 left out, the final score, 沿用/抄用, and the reviewer's items and 总体意见 once sent, or
    as a draft when `user` reviews); exactly the machine's when the office added nothing."""
    from fazhi.render.opinion import build_opinion
    from fazhi.render.opinion_docx import render_docx

    office = cycle.document_opinion(report_id, reviewer=bool(user and cycle.can_review(user)))
    report = report_object(corpus, cycle, report_id)
    if office is None:
        return render_docx(build_opinion(report))
    from fazhi.render.opinion_edit import Edited, edited_opinion

    return render_docx(edited_opinion(report, Edited(**office)))


def annotated_docx(corpus, cycle, report_id: int) -> tuple[str, bytes] | None:
    """The unit's own .docx with a comment per finding (None when the upload was not .docx)."""
    original = cycle.original(report_id)
    if original is None or not original[0].lower().endswith(".docx"):
        return None
    from fazhi import ingest
    from fazhi.pipeline import analyze_document
    from fazhi.render.annotate import annotate_docx

    name, data = original
    report = analyze_document(ingest.load_bytes(data, name))
    out, _ = annotate_docx(data, report)
    return name, out


def download_name(row: dict, suffix: str) -> str:
    base = (row.get("issuer") or "报告").replace(" ", "")
    year = row.get("report_year") or ""
    return f"{base}{year}{suffix}"


def content_disposition(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"report{filename[filename.rfind('.'):]}\"; filename*=UTF-8''{quote(filename)}"
