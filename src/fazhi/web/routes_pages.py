"""Pages: the corpus (报告库), upload, one report, downloads, reviewer actions on a submission."""
from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from fazhi.web import views
from fazhi.web.auth import (Refusal, check_id, current_user, cycle_of, flash, form_with_csrf, render,
                            require_reviewer, require_user)

router = APIRouter(include_in_schema=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def corpus_of(request: Request):
    return request.app.state.corpus


def readable_row(request: Request, report_id: int) -> tuple[dict, dict]:
    """(the stored row, its contract dict) of a report this user may read; 404 otherwise."""
    data = readable_report(request, report_id)
    return request.state.report_row, data


def readable_report(request: Request, report_id: int) -> dict:
    """The contract dict of a report this user may read; 404 otherwise (ids do not leak; a stored
    report refused is audited as a denial)."""
    check_id(report_id)
    readable = cycle_of(request).readable_report_ids(current_user(request))  # None: every report
    if readable is not None and report_id not in readable:
        if corpus_of(request).rows(("id",), id=report_id):
            raise Refusal(404, "未找到该报告，或您无权查看。")
        raise HTTPException(404, "未找到该报告，或您无权查看。")
    row = corpus_of(request).get(report_id)
    if row is None:
        raise HTTPException(404, "未找到该报告。")
    request.state.report_row = row
    return {**row["analysis"], "text": row["text"]}


def visible_submission(request: Request, submission_id: int) -> dict:
    """A submission this user may see (reviewers: all; a unit: its own; others: published ones)."""
    check_id(submission_id)
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
    raise Refusal(404, "未找到该报送记录，或您无权查看。")


def filters_from(request: Request) -> views.Filters:
    """The list's filters; a year that is not a plausible report year is a bad request (422)."""
    from fazhi.cycle.deadlines import valid_year, year_range

    q = request.query_params
    year = q.get("year", "").strip()
    if year and not (year.isdigit() and len(year) < 6 and valid_year(int(year))):
        low, high = year_range()
        raise HTTPException(422, f"请求参数有误：year（应为 {low}–{high} 之间的年度）。")
    try:  # the office's filters and the sort column (fazhi.web.views.Filters.from_query)
        return views.Filters.from_query(q, year=int(year) if year else None, level=q.get("level") or None,
                                        place=(q.get("place") or "").strip() or None, status=q.get("status") or None)
    except ValueError as e:
        raise HTTPException(422, str(e)) from None


@router.get("/")
def home(request: Request):
    return RedirectResponse("/reports", status_code=303)


@router.get("/reports")
def reports_page(request: Request):
    """The list; its dashboard charts come from /reports/charts.json (fazhi.web.charts)."""
    from fazhi.corpus.tables import KIND_NAMES
    from fazhi.cycle import STATUS_LABELS

    flt = filters_from(request)
    cycle = cycle_of(request)
    user = current_user(request)
    rows = views.corpus_rows(corpus_of(request), cycle, user, flt)
    readable = cycle.readable_report_ids(user)
    years = sorted({r["report_year"] for r in corpus_of(request).rows(("id", "report_year"))
                    if r["report_year"] and (readable is None or r["id"] in readable)}, reverse=True)
    charts_url = f"/reports/charts.json?{flt.query()}" if rows else None
    return render(request, "reports.j2", rows=rows, flt=flt, years=years, statuses=STATUS_LABELS,
                  export_kinds=KIND_NAMES, charts_url=charts_url)


@router.get("/reports/charts.json")
def reports_charts(request: Request):
    """The dashboard charts of the listed reports: cached per corpus state, computed in a child
    process; {"charts": [...], "stale": bool}."""
    flt = filters_from(request)
    cycle = cycle_of(request)
    user = current_user(request)
    rows = views.corpus_rows(corpus_of(request), cycle, user, flt)
    reviewer = bool(user and cycle.can_review(user))
    who = "reviewer" if reviewer else f"user:{user['id']}" if user else "public"
    return request.app.state.charts.get(corpus_of(request), f"{flt.query()}|{who}", [r["id"] for r in rows], reviewer)


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
    """Form fallback without JavaScript: every file in `files`, results listed on the page once
    analysed (in the worker processes; the server keeps answering meanwhile)."""
    from starlette.concurrency import run_in_threadpool

    from fazhi.web.routes_jobs import enqueue, finished, form_ids, read_files

    user = require_user(request)
    form = await form_with_csrf(request)
    cycle = cycle_of(request)
    reviewer = await run_in_threadpool(cycle.can_review, user)
    unit_id, year = form_ids(form, reviewer)
    files = await read_files([f for f in form.getlist("files") if getattr(f, "filename", None)])
    results = await finished(request, await enqueue(request, user, files, unit_id, year))
    units = await run_in_threadpool(cycle.units) if reviewer else []
    return render(request, "upload.j2", units=units, results=results)


# ---------------------------------------------------------------- one report


@router.get("/reports/{report_id:int}")
def report_page(request: Request, report_id: int):
    from fazhi.web.highlight import highlight_html

    row, data = readable_row(request, report_id)
    cycle = cycle_of(request)
    user = current_user(request)
    reviewer = bool(user and cycle.can_review(user))
    sub = cycle.submission_of_report(report_id)
    if sub is not None and not reviewer and not (user and user.get("unit_id") == sub["unit_id"]):
        sub = {**sub, "comments": [], "versions": [v for v in sub["versions"] if v["report_id"] == report_id]}
    v = views.build_view(corpus_of(request), cycle, user, report_id, data, sub)
    original = cycle.original_name(report_id)
    from fazhi.web.panels import report_panels

    return render(request, "report.j2", v=v, d=data, sub=sub, row=row,
                  panels=report_panels(request, report_id, sub, user, reviewer),
                  text_html=highlight_html(data["text"], v.marks),
                  diff=views.findings_diff_for(cycle, sub, report_id),
                  can_review=reviewer,
                  is_current=bool(sub and sub.get("report_id") == report_id),
                  has_docx=bool(original and original.lower().endswith(".docx")),
                  other_names={c["other"]["id"]: c["other"].get("issuer") for c in v.copies})


@router.get("/reports/{report_id:int}.json")
def report_json(request: Request, report_id: int):
    row, data = readable_row(request, report_id)
    cycle_of(request).audit(current_user(request), "download", f"report:{report_id}", {"format": "json"})
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": views.content_disposition(views.download_name(row, ".json"))})


@router.get("/reports/{report_id:int}/opinion.docx")
def opinion_download(request: Request, report_id: int):
    readable_report(request, report_id)
    corpus, cycle = corpus_of(request), cycle_of(request)
    data = views.opinion_docx(corpus, cycle, report_id, current_user(request))
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
    from starlette.concurrency import run_in_threadpool

    sub = await run_in_threadpool(visible_submission, request, submission_id)
    user = await run_in_threadpool(require_reviewer, request)
    form = await form_with_csrf(request)
    return await run_in_threadpool(_act_on_submission, request, user, sub, submission_id, action, form)


def _act_on_submission(request: Request, user: dict, sub: dict, submission_id: int, action: str, form):
    from fazhi.cycle import CycleError

    cycle = cycle_of(request)
    try:
        if action == "return":
            comments = parse_comments(str(form.get("comments") or "[]"))
            cycle.return_(user, submission_id, comments, note=str(form.get("note") or "").strip() or None)
            flash(request, "已退回修改。")
        elif action == "approve":
            cycle.approve(user, submission_id)
            flash(request, "已通过。")
        elif action == "publish":  # only with the 保密审查 checkbox ticked (fazhi.cycle.lifecycle)
            cycle.publish(user, submission_id, secrecy_checked=str(form.get("secrecy_checked") or "") in ("1", "on"))
            flash(request, "已公开（已完成保密审查）。")
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
