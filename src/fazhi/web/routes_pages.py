"""Pages: the corpus (报告库), upload, one report, downloads, reviewer actions on a submission."""
from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from fazhi.render.script_json import script_json
from fazhi.web import views
from fazhi.web.auth import (current_user, cycle_of, flash, form_with_csrf, render, require_reviewer,
                            require_user)

router = APIRouter(include_in_schema=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def corpus_of(request: Request):
    return request.app.state.corpus


def readable_report(request: Request, report_id: int) -> dict:
    """The contract dict of a report this user may read; 404 otherwise (ids do not leak)."""
    if not cycle_of(request).can_read(current_user(request), report_id):
        raise HTTPException(404, "未找到该报告，或您无权查看。")
    data = corpus_of(request).report_dict(report_id)
    if data is None:
        raise HTTPException(404, "未找到该报告。")
    return data


def visible_submission(request: Request, submission_id: int) -> dict:
    """A submission this user may see (reviewers: all; a unit: its own; others: published ones)."""
    cycle = cycle_of(request)
    user = current_user(request)
    sub = cycle.submission(submission_id)
    if sub is None:
        raise HTTPException(404, "未找到该报送记录。")
    if user and cycle.can_review(user):
        return sub
    if user and user.get("role") == "unit" and user.get("unit_id") == sub["unit_id"]:
        return sub
    if sub.get("report_id") is not None and sub.get("status") == "published" \
            and cycle.can_read(user, sub["report_id"]):
        return sub
    raise HTTPException(404, "未找到该报送记录，或您无权查看。")


def filters_from(request: Request) -> views.Filters:
    q = request.query_params
    year = q.get("year", "").strip()
    return views.Filters(year=int(year) if year.isdigit() else None, level=q.get("level") or None,
                         place=(q.get("place") or "").strip() or None, status=q.get("status") or None)


@router.get("/")
def home(request: Request):
    return RedirectResponse("/reports", status_code=303)


@router.get("/reports")
def reports_page(request: Request):
    from fazhi.cycle import STATUS_LABELS

    flt = filters_from(request)
    cycle = cycle_of(request)
    user = current_user(request)
    rows = views.corpus_rows(corpus_of(request), cycle, user, flt)
    readable = cycle.readable_report_ids(user)
    years = sorted({r["report_year"] for r in corpus_of(request).rows(("id", "report_year"))
                    if r["report_year"] and (readable is None or r["id"] in readable)}, reverse=True)
    charts = dashboard(corpus_of(request), [r["id"] for r in rows], bool(user and cycle.can_review(user)))
    from fazhi.corpus.tables import KIND_NAMES

    return render(request, "reports.j2", rows=rows, flt=flt, years=years, statuses=STATUS_LABELS,
                  export_kinds=KIND_NAMES,
                  charts_json=script_json(charts) if charts else None)


def dashboard(corpus, ids: list[int], reviewer: bool) -> list[dict] | None:
    """The dashboard charts (fazhi.render.dashboard) over the reports listed. The copy network
    names reports outside the list, so only reviewers (who may read every report) get it."""
    if not ids:
        return None
    from fazhi.render.dashboard import chart_height, dashboard_charts

    charts = dashboard_charts(corpus, ids, copy_limit=200 if reviewer else 0)
    if not reviewer:
        charts.pop("copy_network", None)
    return [{"id": k, "option": opt, "height": chart_height(k, opt)} for k, opt in charts.items()]


@router.get("/reports.xlsx")
def reports_xlsx(request: Request, kind: str = "scores"):
    """The filtered reports as one table (scores, indicators, areas, findings, findings-long) in .xlsx."""
    from fazhi.corpus.tables import KIND_NAMES

    if kind not in KIND_NAMES:
        raise HTTPException(404, "没有这种表格。")
    rows = views.corpus_rows(corpus_of(request), cycle_of(request), current_user(request), filters_from(request))
    data = export_xlsx(corpus_of(request), [r["id"] for r in rows], kind)
    cycle_of(request).audit(current_user(request), "download", "corpus:xlsx", {"kind": kind, "reports": len(rows)})
    name = f"报告库-{KIND_NAMES[kind]}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": views.content_disposition(name)})


def export_xlsx(corpus, ids: list[int], kind: str) -> bytes:
    """One corpus table over the given reports as .xlsx bytes (fazhi.corpus.tables + export)."""
    import tempfile
    from pathlib import Path

    from fazhi.corpus.export import write_table
    from fazhi.corpus.tables import corpus_table

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "reports.xlsx"
        write_table(corpus_table(corpus, kind, ids), out)
        return out.read_bytes()


# ---------------------------------------------------------------- upload


@router.get("/upload")
def upload_page(request: Request):
    user = require_user(request)
    cycle = cycle_of(request)
    units = cycle.units() if cycle.can_review(user) else []
    return render(request, "upload.j2", units=units, results=None)


@router.post("/upload")
async def upload_form(request: Request):
    """Form fallback without JavaScript: every file in `files`, results listed on the page."""
    from fazhi.cycle import CycleError

    user = require_user(request)
    form = await form_with_csrf(request)
    cycle = cycle_of(request)
    unit_id, year = upload_target(form, cycle.can_review(user))
    results = []
    for f in form.getlist("files"):
        if not getattr(f, "filename", None):
            continue
        data = await f.read()
        try:
            results.append(cycle.upload(user, f.filename, data, unit_id=unit_id, year=year) | {"filename": f.filename})
        except CycleError as e:
            results.append({"filename": f.filename, "error": str(e)})
    units = cycle.units() if cycle.can_review(user) else []
    return render(request, "upload.j2", units=units, results=results)


def upload_target(form, reviewer: bool) -> tuple[int | None, int | None]:
    """unit_id and year given on an upload form (only reviewers choose the unit)."""
    unit = str(form.get("unit_id") or "").strip()
    year = str(form.get("year") or "").strip()
    return (int(unit) if reviewer and unit.isdigit() else None), (int(year) if year.isdigit() else None)


# ---------------------------------------------------------------- one report


@router.get("/reports/{report_id:int}")
def report_page(request: Request, report_id: int):
    from fazhi.web.highlight import highlight_html

    data = readable_report(request, report_id)
    cycle = cycle_of(request)
    user = current_user(request)
    sub = cycle.submission_of_report(report_id)
    if sub is not None and not (user and cycle.can_review(user)) and \
            not (user and user.get("unit_id") == sub["unit_id"]):
        sub = {**sub, "comments": [], "versions": [v for v in sub["versions"] if v["report_id"] == report_id]}
    v = views.build_view(corpus_of(request), cycle, user, report_id, data, sub)
    row = corpus_of(request).get(report_id) or {}
    original = cycle.original(report_id)
    return render(request, "report.j2", v=v, d=data, sub=sub, row=row,
                  text_html=highlight_html(data["text"], v.marks),
                  diff=views.findings_diff_for(cycle, sub, report_id),
                  can_review=bool(user and cycle.can_review(user)),
                  is_current=bool(sub and sub.get("report_id") == report_id),
                  has_docx=bool(original and original[0].lower().endswith(".docx")),
                  other_names={c["other"]["id"]: c["other"].get("issuer") for c in v.copies})


@router.get("/reports/{report_id:int}.json")
def report_json(request: Request, report_id: int):
    data = readable_report(request, report_id)
    row = corpus_of(request).get(report_id) or {}
    cycle_of(request).audit(current_user(request), "download", f"report:{report_id}", {"format": "json"})
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": views.content_disposition(views.download_name(row, ".json"))})


@router.get("/reports/{report_id:int}/opinion.docx")
def opinion_download(request: Request, report_id: int):
    readable_report(request, report_id)
    corpus, cycle = corpus_of(request), cycle_of(request)
    data = views.opinion_docx(corpus, cycle, report_id)
    cycle.audit(current_user(request), "download", f"report:{report_id}", {"format": "opinion.docx"})
    name = views.download_name(corpus.get(report_id) or {}, "审查意见.docx")
    return Response(data, media_type=DOCX, headers={"Content-Disposition": views.content_disposition(name)})


@router.get("/reports/{report_id:int}/annotated.docx")
def annotated_download(request: Request, report_id: int):
    readable_report(request, report_id)
    corpus, cycle = corpus_of(request), cycle_of(request)
    found = views.annotated_docx(corpus, cycle, report_id)
    if found is None:
        raise HTTPException(404, "该报告不是以 Word 文件（.docx）上传的，没有批注版原文。")
    name, data = found
    cycle.audit(current_user(request), "download", f"report:{report_id}", {"format": "annotated.docx"})
    stem = name.rsplit(".", 1)[0]
    return Response(data, media_type=DOCX,
                    headers={"Content-Disposition": views.content_disposition(f"{stem}-批注.docx")})


@router.get("/reports/{report_id:int}/compare/{other_id:int}")
def compare_page(request: Request, report_id: int, other_id: int):
    from fazhi.web import compare

    data = readable_report(request, report_id)
    other = readable_report(request, other_id)
    copies, _ = views.readable_copies(corpus_of(request), cycle_of(request), current_user(request), report_id)
    pairs = [c for c in copies if c["other"]["id"] == other_id]
    corpus = corpus_of(request)
    return render(request, "compare.j2", d=data, o=other, report_id=report_id, other_id=other_id,
                  row=corpus.get(report_id) or {}, orow=corpus.get(other_id) or {},
                  html=compare.pairs_html(corpus, report_id, other_id, data, other, pairs))


# ---------------------------------------------------------------- submissions


@router.get("/submissions/{submission_id:int}")
def submission_page(request: Request, submission_id: int):
    sub = visible_submission(request, submission_id)
    if sub.get("report_id") is None:
        raise HTTPException(404, "该单位尚未提交报告。")
    return RedirectResponse(f"/reports/{sub['report_id']}", status_code=303)


@router.post("/submissions/{submission_id:int}/{action}")
async def submission_action(request: Request, submission_id: int, action: str):
    from fazhi.cycle import CycleError

    sub = visible_submission(request, submission_id)
    user = require_reviewer(request)
    form = await form_with_csrf(request)
    cycle = cycle_of(request)
    try:
        if action == "return":
            comments = parse_comments(str(form.get("comments") or "[]"))
            cycle.return_(user, submission_id, comments, note=str(form.get("note") or "").strip() or None)
            flash(request, "已退回修改。")
        elif action == "approve":
            cycle.approve(user, submission_id)
            flash(request, "已通过。")
        elif action == "publish":
            cycle.publish(user, submission_id)
            flash(request, "已公开。")
        else:
            raise HTTPException(404, "没有这个操作。")
    except CycleError as e:
        flash(request, str(e), "error")
    target = f"/reports/{sub['report_id']}" if sub.get("report_id") else "/periods"
    return RedirectResponse(target, status_code=303)


def parse_comments(raw: str) -> list[dict]:
    """[{"start","end","body"}] from the review form's JSON field (bad items dropped)."""
    try:
        items = json.loads(raw)
    except json.JSONDecodeError:
        raise HTTPException(400, "审查意见格式有误。")
    out = []
    for c in items if isinstance(items, list) else []:
        try:
            start, end, body = int(c["start"]), int(c["end"]), str(c.get("body", "")).strip()
        except (KeyError, TypeError, ValueError):
            continue
        if body and end > start >= 0:
            out.append({"start": start, "end": end, "body": body[:2000]})
    return out
