"""Pages and JSON API: 沿用比例、批量导出、排名与单位画像 (issue 14 items 4, 5, 6).

Pages: /reports/{id}/recycling (this year beside the unit's previous report, as `fazhi corpus diff -o`),
/ranking?year=&level=, /units/{id}/profile, and the year's downloads under /outputs/{year}/:
opinions.zip (every 审查意见), review-circular.docx (审查情况通报), submissions.xlsx. The same under /api.
Every route is a plain `def` (FastAPI runs it in its thread pool); the zip is written to a temporary
file in that thread and streamed from it.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from fazhi.web.auth import MAX_ID, Refusal, current_user, cycle_of, render, require_reviewer, require_user

router = APIRouter()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Id = Annotated[int, PathParam(ge=1, le=MAX_ID, description="编号")]
YearPath = Annotated[int, PathParam(ge=2000, le=2100, description="报告年度")]


class RecyclingOut(BaseModel):
    summary: str = Field(description="一句话说明（中文）")
    report_id: int
    previous_id: int | None = Field(None, description="对比的上一年度报告编号（无则为空）")
    previous_year: int | None = None
    recycled_share: float | None = Field(None, description="沿用比例（0–1）：与本单位上一年度报告相同内容占正文的比例")
    copied_share: float | None = Field(None, description="抄用比例（0–1）：与其他单位报告雷同内容占正文的比例")
    level: str = Field(description="ok 正常 | warning 偏高 | error 过高（阈值见评分细则 recycling）")
    deduction: float = Field(description="扣分")
    message: str


class RankingOut(BaseModel):
    summary: str
    year: int
    levels: dict[str, list[dict[str, Any]]] = Field(description="层级 → 按得分排列的单位（rank 为名次）")


class ProfileOut(BaseModel):
    summary: str
    unit: dict[str, Any]
    years: list[dict[str, Any]] = Field(description="各年度报告：状态、得分、逾期、沿用比例")
    open_issues: int | None = Field(None, description="待整改问题数（待整改 + 未整改）")
    issues: list[dict[str, Any]] | None = None


# ---------------------------------------------------------------- report page panel and 沿用 page


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """沿用比例 / 抄用比例 of the report, for reviewers and the unit itself (computed once, then stored)."""
    own = bool(user and sub and user.get("unit_id") == sub.get("unit_id"))
    if not (reviewer or own):
        return None
    cycle = cycle_of(request)
    rec = cycle.recycling(report_id)
    if rec is None:
        return None
    readable = cycle.readable_report_ids(user)
    prev = rec["previous_id"]
    return {**rec, "can_compare": prev is not None and (readable is None or prev in readable),
            "unit_id": sub.get("unit_id") if sub else None, "reviewer": reviewer}


def _readable(request: Request, report_id: int) -> dict:
    from fazhi.web.routes_pages import readable_report

    return readable_report(request, report_id)


@router.get("/reports/{report_id:int}/recycling", include_in_schema=False)
def recycling_page(request: Request, report_id: int):
    """The report beside the unit's previous report: 沿用、修改、新增、删除 per paragraph, numbers changed."""
    from markupsafe import Markup

    from fazhi.render.compare import side_by_side_html

    user = require_user(request)
    _readable(request, report_id)
    cycle = cycle_of(request)
    rec = cycle.recycling(report_id)
    html = None
    if rec and rec["previous_id"] is not None:
        _readable(request, rec["previous_id"])
        diff = _diff(request, report_id, rec["previous_id"])
        html = Markup(side_by_side_html(diff, standalone=False)) if diff is not None else None
    cycle.audit(user, "view", f"report:{report_id}", {"page": "recycling"})
    copied = _copied_reports(request, report_id)
    return render(request, "recycling.j2", rec=rec, html=html, report_id=report_id,
                  row=request.app.state.corpus.get(report_id) or {}, copied=copied)


def _diff(request: Request, report_id: int, previous_id: int):
    from fazhi.corpus.copies import match_stored
    from fazhi.corpus.yoy import year_over_year

    corpus = request.app.state.corpus
    try:
        copies = match_stored(corpus, report_id, compute_missing=False)
    except KeyError:
        copies = []
    return year_over_year(corpus, report_id, previous_id, copies=copies)


def _copied_reports(request: Request, report_id: int) -> list[dict]:
    """Other units' reports sharing passages with this one (readable ones), with the shared characters."""
    from fazhi.corpus.copies import _covered, _length
    from fazhi.web.views import readable_copies

    copies, _ = readable_copies(request.app.state.corpus, cycle_of(request), current_user(request), report_id)
    by_other: dict[int, dict] = {}
    for c in copies:
        if c.get("kind") != "copying":
            continue
        o = by_other.setdefault(c["other"]["id"], {"id": c["other"]["id"], "issuer": c["other"].get("issuer"),
                                                   "year": c["other"].get("year"), "spans": []})
        o["spans"].append((c["start"], c["end"]))
    out = [{**o, "chars": _length(_covered(o.pop("spans")))} for o in by_other.values()]
    return sorted(out, key=lambda o: -o["chars"])


@router.get("/api/reports/{report_id}/recycling", tags=["api"], summary="沿用比例与抄用比例（与本单位上一年度及其他单位报告对比）",
            response_model=RecyclingOut)
def api_recycling(request: Request, report_id: Id) -> dict:
    user = require_user(request)
    _readable(request, report_id)
    cycle = cycle_of(request)
    sub = cycle.submission_of_report(report_id)
    if not (cycle.can_review(user) or (sub and user.get("unit_id") == sub["unit_id"])):
        raise Refusal(404, "未找到该报告，或您无权查看。")
    rec = cycle.recycling(report_id)
    return {**rec, "summary": rec["message"]}


# ---------------------------------------------------------------- ranking


def _year_param(request: Request, year: int | None, cycle) -> int | None:
    from fazhi.cycle.deadlines import valid_year

    if year is not None and not valid_year(year):
        raise HTTPException(422, "请求参数有误：year（不是有效的报告年度）。")
    if year is None:
        years = sorted({s["year"] for s in cycle.submissions()}, reverse=True)
        return years[0] if years else None
    return year


@router.get("/ranking", include_in_schema=False)
def ranking_page(request: Request, year: int | None = None, level: str | None = None):
    from fazhi.web.outputs_batch import BACKFILL
    from fazhi.web.views import LEVELS

    user = require_reviewer(request)
    cycle = cycle_of(request)
    year = _year_param(request, year, cycle)
    level = level if level in LEVELS else None
    ranking = cycle.ranking(user, year, level=level) if year else {}
    pending = BACKFILL.request(cycle, [r["report_id"] for rows in ranking.values() for r in rows])
    years = sorted({s["year"] for s in cycle.submissions()}, reverse=True)
    return render(request, "ranking.j2", ranking=ranking, year=year, level=level, years=years,
                  pending=pending)


@router.get("/api/ranking", tags=["api"], summary="某年度各层级按得分排名（含逾期、沿用比例、待整改问题）",
            response_model=RankingOut)
def api_ranking(request: Request, year: Annotated[int, Query(ge=2000, le=2100, description="报告年度")],
                level: Annotated[str | None, Query(description="层级（省、地市、区县、乡镇街道、部门）")] = None) -> dict:
    user = require_reviewer(request)
    ranking = cycle_of(request).ranking(user, year, level=level or None)
    n = sum(len(v) for v in ranking.values())
    return {"summary": f"{year}年度共 {n} 份报告参与排名，分 {len(ranking)} 个层级。", "year": year, "levels": ranking}


# ---------------------------------------------------------------- the unit's picture


def _profile(request: Request, unit_id: int) -> dict:
    from fazhi.cycle import AccessDenied, CycleError
    from fazhi.web.auth import check_id

    check_id(unit_id)
    user = require_user(request)
    try:
        return cycle_of(request).unit_profile(user, unit_id)
    except AccessDenied:
        raise Refusal(404, "未找到该单位，或您无权查看。") from None
    except CycleError:
        raise HTTPException(404, "未找到该单位。") from None


@router.get("/units/{unit_id:int}/profile", include_in_schema=False)
def unit_profile_page(request: Request, unit_id: int):
    import json

    prof = _profile(request, unit_id)
    chart = {"years": [str(y["year"]) for y in prof["years"]],
             "scores": [y["score"] for y in prof["years"]],
             "recycled": [None if y["recycled_share"] is None else round(y["recycled_share"] * 100, 1)
                          for y in prof["years"]]}
    return render(request, "unit_profile.j2", p=prof, chart_json=json.dumps(chart, ensure_ascii=False))


@router.get("/api/units/{unit_id}/profile", tags=["api"], summary="单位画像：历年报告、得分、沿用比例与待整改问题",
            response_model=ProfileOut)
def api_unit_profile(request: Request, unit_id: Id) -> dict:
    prof = _profile(request, unit_id)
    n = len(prof["years"])
    issues = f"，待整改问题 {prof['open_issues']} 个" if prof["open_issues"] is not None else ""
    return {**prof, "summary": f"{prof['unit']['name']}：{n} 个年度的报告{issues}。"}


# ---------------------------------------------------------------- the year's downloads


def _download(data: bytes, name: str, media: str) -> Response:
    from fazhi.web.views import content_disposition

    return Response(data, media_type=media, headers={"Content-Disposition": content_disposition(name)})


@router.get("/outputs/{year:int}/submissions.xlsx", include_in_schema=False)
@router.get("/api/outputs/{year}/submissions.xlsx", tags=["api"],
            summary="导出某年度报送情况 Excel（单位、层级、状态、提交时间、逾期、版本、审核人、得分、沿用比例、待整改问题）",
            response_class=Response)
def submissions_xlsx(request: Request, year: YearPath):
    from fazhi.web.outputs_batch import submissions_table, table_xlsx

    user = require_reviewer(request)
    cycle = cycle_of(request)
    data = table_xlsx(submissions_table(cycle, user, year))
    cycle.audit(user, "download", f"year:{year}", {"format": "submissions.xlsx"})
    return _download(data, f"{year}年度报送情况.xlsx", XLSX)


@router.get("/outputs/{year:int}/review-circular.docx", include_in_schema=False)
@router.get("/api/outputs/{year}/review-circular.docx", tags=["api"],
            summary="生成某年度审查情况通报（.docx）：报送、逾期、各层级得分排名、常见问题及示例",
            response_class=Response)
def review_circular(request: Request, year: YearPath):
    from fazhi.render.review_circular_docx import render_review_circular
    from fazhi.web.outputs_batch import ensure_recycling

    user = require_reviewer(request)
    cycle = cycle_of(request)
    ensure_recycling(cycle, [r["report_id"] for r in cycle.year_board(user, year)])
    data = render_review_circular(cycle.review_circular_data(user, year))
    cycle.audit(user, "download", f"year:{year}", {"format": "review-circular.docx"})
    return _download(data, f"{year}年度法治政府建设年度报告审查情况通报.docx", DOCX)


@router.get("/outputs/{year:int}/opinions.zip", include_in_schema=False)
@router.get("/api/outputs/{year}/opinions.zip", tags=["api"],
            summary="打包下载某年度全部审查意见（每份报告一个 .docx）", response_class=FileResponse)
def opinions_zip(request: Request, year: YearPath):
    from fazhi.web.outputs_batch import opinions_zip as build

    user = require_reviewer(request)
    cycle = cycle_of(request)
    folder = Path(tempfile.mkdtemp(prefix="fazhi-opinions-"))
    out = folder / "opinions.zip"
    try:
        count = build(request.app.state.corpus, cycle, user, year, out)
    except BaseException:
        _cleanup(folder)
        raise
    cycle.audit(user, "download", f"year:{year}", {"format": "opinions.zip", "opinions": count})
    from fazhi.web.views import content_disposition

    return FileResponse(out, media_type="application/zip", background=BackgroundTask(_cleanup, folder),
                        headers={"Content-Disposition": content_disposition(f"{year}年度审查意见.zip")})


def _cleanup(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
