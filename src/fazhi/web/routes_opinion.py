"""Pages: 审查意见：误报、意见条目、调分、在线编辑 (issue 14 item 3); the JSON API is in
routes_opinion_api.py (included here).

    POST /reports/{id}/findings/verdict          误报（附理由）/ 采纳 / 恢复 one finding
    GET  /submissions/{id}/opinion                the opinion editor (reviewers)
    POST /submissions/{id}/opinion/{action}       add overall adjust send reopen regenerate import order;
                                                  edit delete up down (the item in form field item_id)
    GET  /submissions/{id}/opinion.docx           the edited opinion as Word (reviewers, also before sending)
    GET  /rules/misfires                          which rules reviewers dismiss most (reviewers)
"""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from fazhi.web.auth import check_id, current_user, cycle_of, flash, form_with_csrf, render, require_reviewer

router = APIRouter()  # app.py includes this: the pages below and the API
pages = APIRouter(include_in_schema=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
VERDICTS = {"false_positive": "已认定为误报。", "accepted": "已采纳，将在退回时列入问题池。", "restore": "已恢复。"}


def panel(request: Request, report_id: int, sub: dict | None, user: dict | None, reviewer: bool) -> dict | None:
    """The report page's 审查意见 card: the final score and the opinion's state (reviewers; the
    unit once the opinion was sent)."""
    if sub is None:
        return None
    cycle = cycle_of(request)
    current = sub.get("report_id") == report_id
    owner = bool(user and user.get("unit_id") == sub["unit_id"])
    if not reviewer and not owner:
        return None
    op = cycle.opinion(sub["id"])
    if not reviewer and not (op and op["sent"] and op["report_id"] == report_id):
        return None  # the unit sees the final score once the opinion on this version was sent
    score = cycle.final_score(report_id)  # an opinion left stale (a newer version, a NULL score) is refreshed
    if reviewer and current and op is None:
        cycle.refresh_final_score(sub["id"])  # the opinion made on first need, its score stored
    op = cycle.opinion(sub["id"])
    return {"score": score, "opinion": op if op and op["report_id"] == report_id else None,
            "submission_id": sub["id"], "current": current, "reviewer": reviewer}


# ---------------------------------------------------------------- verdicts


@pages.post("/reports/{report_id:int}/findings/verdict")
async def verdict_form(request: Request, report_id: int):
    from fazhi.web.routes_pages import readable_report

    check_id(report_id)
    await run_in_threadpool(readable_report, request, report_id)
    user = await run_in_threadpool(require_reviewer, request)
    form = await form_with_csrf(request)
    verdict = str(form.get("verdict") or "")
    if verdict not in VERDICTS:
        raise HTTPException(400, "审查结论应为“误报”“采纳”或“恢复”。")
    key, reason = str(form.get("key") or ""), str(form.get("reason") or "")

    def act() -> None:
        from fazhi.cycle import CycleError

        try:
            cycle_of(request).set_verdict(user, report_id, key, None if verdict == "restore" else verdict, reason)
            flash(request, VERDICTS[verdict])
        except CycleError as e:
            flash(request, str(e), "error")

    await run_in_threadpool(act)
    anchor = str(form.get("idx") or "")
    return RedirectResponse(f"/reports/{report_id}" + (f"#finding-{anchor}" if anchor.isdigit() else ""),
                            status_code=303)


# ---------------------------------------------------------------- the opinion editor


def _reviewed_submission(request: Request, submission_id: int) -> tuple[dict, dict]:
    from fazhi.web.routes_pages import visible_submission

    sub = visible_submission(request, submission_id)
    user = require_reviewer(request)
    if sub.get("report_id") is None:
        raise HTTPException(404, "该单位尚未提交报告。")
    return sub, user


@pages.get("/submissions/{submission_id:int}/opinion")
def opinion_page(request: Request, submission_id: int):
    from fazhi.cycle import CycleError

    sub, user = _reviewed_submission(request, submission_id)
    cycle = cycle_of(request)
    try:
        op = cycle.open_opinion(user, submission_id)
    except CycleError as e:
        raise HTTPException(409, str(e)) from None
    seq = next((v["seq"] for v in sub["versions"] if v["report_id"] == op["report_id"]), None)
    return render(request, "opinion.j2", sub=sub, op=op, seq=seq, score=cycle.final_score(op["report_id"]))


ACTIONS = ("add", "overall", "adjust", "send", "reopen", "regenerate", "import", "order")
ITEM_ACTIONS = ("edit", "delete", "up", "down")  # on the item named by the form field item_id
DONE = {"add": "已添加意见条目。", "overall": "已保存总体意见。", "adjust": "已调整分数。", "send": "审查意见已发送。",
        "reopen": "可以重新编辑审查意见。", "regenerate": "已按当前版本重新生成意见条目。", "import": "已加入批注意见。",
        "order": "已调整顺序。", "edit": "已保存。", "delete": "已删除意见条目。", "up": "已上移。", "down": "已下移。"}


@pages.post("/submissions/{submission_id:int}/opinion/{action}")
async def opinion_action(request: Request, submission_id: int, action: str):
    if action not in ACTIONS + ITEM_ACTIONS:
        raise HTTPException(404, "没有这个操作。")
    sub, user = await run_in_threadpool(_reviewed_submission, request, submission_id)
    form = await form_with_csrf(request)
    item_id = None
    if action in ITEM_ACTIONS:
        raw = str(form.get("item_id") or "")
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            raise HTTPException(400, "意见条目编号有误。")
        item_id = int(raw)
    return await run_in_threadpool(_apply, request, user, submission_id, action, item_id, form)


def _apply(request: Request, user: dict, sid: int, action: str, item_id: int | None, form):
    """Run one editor action; its Chinese outcome flashed; back to the editor."""
    from fazhi.cycle import CycleError

    cycle = cycle_of(request)
    text = str(form.get("body") or form.get("text") or "")
    calls = {
        "add": lambda: cycle.add_opinion_item(user, sid, text),
        "overall": lambda: cycle.set_overall(user, sid, text),
        "adjust": lambda: cycle.adjust_score(user, sid, _number(form.get("adjust")), str(form.get("reason") or "")),
        "send": lambda: cycle.send_opinion(user, sid),
        "reopen": lambda: cycle.reopen_opinion(user, sid),
        "regenerate": lambda: cycle.regenerate_opinion(user, sid),
        "import": lambda: cycle.import_comments(user, sid),
        "order": lambda: cycle.reorder_opinion(user, sid, _ids(str(form.get("order") or ""))),
        "edit": lambda: cycle.edit_opinion_item(user, sid, item_id, text),
        "delete": lambda: cycle.delete_opinion_item(user, sid, item_id),
        "up": lambda: cycle.move_opinion_item(user, sid, item_id, -1),
        "down": lambda: cycle.move_opinion_item(user, sid, item_id, 1),
    }
    try:
        calls[action]()
        flash(request, DONE[action])
    except CycleError as e:
        flash(request, str(e), "error")
    anchor = f"#item-{item_id}" if item_id and action in ("edit", "up", "down") else ""
    return RedirectResponse(f"/submissions/{sid}/opinion{anchor}", status_code=303)


def _number(value) -> float:
    from fazhi.cycle import CycleError

    try:
        return float(str(value or "0").strip() or 0)
    except ValueError:
        raise CycleError("调整分值应为数字，如 -2 或 1.5。") from None


def _ids(raw: str) -> list[int]:
    from fazhi.cycle import CycleError

    try:
        return [int(x) for x in raw.split(",") if x.strip()]
    except ValueError:
        raise CycleError("意见条目顺序有误，请刷新页面后重试。") from None


@pages.get("/submissions/{submission_id:int}/opinion.docx")
def opinion_docx_draft(request: Request, submission_id: int):
    """The edited opinion as Word for the reviewer (also before it is sent)."""
    from fazhi.web import views
    from fazhi.web.routes_pages import corpus_of

    sub, user = _reviewed_submission(request, submission_id)
    corpus, cycle = corpus_of(request), cycle_of(request)
    data = views.opinion_docx(corpus, cycle, sub["report_id"], user)
    cycle.audit(user, "download", f"report:{sub['report_id']}", {"format": "opinion.docx", "submissions": sub["id"]})
    name = views.download_name(corpus.get(sub["report_id"]) or {}, "审查意见.docx")
    return Response(data, media_type=DOCX, headers={"Content-Disposition": views.content_disposition(name)})


# ---------------------------------------------------------------- misfires


@pages.get("/rules/misfires")
def misfires_page(request: Request):
    require_reviewer(request)
    found = cycle_of(request).rule_misfires()
    return render(request, "misfires.j2", reports=found["reports"], rules=found["rules"],
                  user_name=(current_user(request) or {}).get("username"))


from fazhi.web.routes_opinion_api import router as _api  # noqa: E402  (the JSON API of this area)

router.include_router(pages)
router.include_router(_api)
