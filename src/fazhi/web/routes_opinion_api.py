"""JSON API of the reviewer's opinion (issue 14 item 3), under /api: verdicts on findings (误报 /
采纳 / 恢复), the final score, the opinion's items, 总体意见, score adjustment, sending and
reopening, and which rules misfire. Reads: session or HTTP Basic; writes: POST with X-CSRF-Token
or HTTP Basic; refused changes answer 409 with a Chinese `detail`."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from fazhi.web.auth import MAX_ID, cycle_call, api_write_user, current_user, cycle_of, require_reviewer

router = APIRouter(prefix="/api", tags=["审查意见"])
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]


class VerdictIn(BaseModel):
    key: str = Field(min_length=1, max_length=255, description="问题的键：规则:起点:终点（见 GET …/verdicts）")
    verdict: Literal["false_positive", "accepted", "restore"] = Field(
        description="false_positive 误报（须写理由）、accepted 采纳（退回时列入问题池）、restore 恢复")
    reason: str | None = Field(None, max_length=2000, description="理由（误报时必填）")


class ItemIn(BaseModel):
    body: str = Field(min_length=1, max_length=4000, description="意见条目正文")


class ItemAction(BaseModel):
    item_id: int = Field(ge=1, le=MAX_ID, description="意见条目编号")
    body: str | None = Field(None, max_length=4000, description="新的正文（edit）")
    step: Literal[-1, 1] | None = Field(None, description="-1 上移一位，1 下移一位（move）")


class OrderIn(BaseModel):
    item_ids: list[int] = Field(description="全部意见条目的编号，按新的顺序")


class OverallIn(BaseModel):
    text: str = Field("", max_length=10000, description="总体意见（空：不写）")


class AdjustIn(BaseModel):
    adjust: float = Field(ge=-100, le=100, description="调整分值（正为加分、负为减分，0 取消调整）")
    reason: str = Field("", max_length=2000, description="调整理由（调整时必填）")


def _doc(model: type[BaseModel]) -> dict[str, Any]:
    """The request body of a route that reads its JSON itself (after the access checks), for /docs."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


async def _json(request: Request, model: type[BaseModel]) -> BaseModel:
    """The JSON body as `model`; 422 with one Chinese line when it is not."""
    from pydantic import ValidationError

    try:
        raw = await request.json()
    except ValueError:
        raise HTTPException(422, "请求内容应为 JSON。") from None
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        where = "、".join(".".join(str(x) for x in err["loc"]) for err in e.errors()[:3]) or "内容"
        raise HTTPException(422, f"请求参数有误：{where}。") from None


def _reviewer_of(request: Request, write: bool) -> dict:
    user = api_write_user(request) if write else current_user(request)
    require_reviewer(request)
    return user


def _run(fn) -> Any:
    return cycle_call(fn)


def _sub(request: Request, submission_id: int) -> dict:
    from fazhi.web.routes_pages import visible_submission

    sub = visible_submission(request, submission_id)
    if sub.get("report_id") is None:
        raise HTTPException(404, "该单位尚未提交报告。")
    return sub


@router.get("/reports/{report_id}/verdicts", summary="一份报告各条问题的审查结论（误报、采纳）")
def verdicts(request: Request, report_id: Id) -> dict[str, Any]:
    """Every finding with its key and the reviewers' verdict (reviewers)."""
    from fazhi.cycle.opinion_score import finding_key
    from fazhi.web.routes_pages import readable_report

    data = readable_report(request, report_id)
    _reviewer_of(request, False)
    reviews = cycle_of(request).finding_reviews(report_id)
    out = []
    for f in data.get("findings") or []:
        key = finding_key(f)
        out.append({"key": key, "rule": f.get("rule"), "severity": f.get("severity"), "message": f.get("message"),
                    "start": f.get("start"), "end": f.get("end"), **(reviews.get(key) or {"verdict": None})})
    return {"report_id": report_id, "findings": out}


@router.post("/reports/{report_id}/verdicts", summary="认定一条问题为误报（附理由）、采纳，或恢复",
             openapi_extra=_doc(VerdictIn))
async def set_verdict(request: Request, report_id: Id) -> dict[str, Any]:
    from fazhi.web.routes_pages import readable_report

    def allowed() -> dict:
        readable_report(request, report_id)
        return _reviewer_of(request, True)

    user = await run_in_threadpool(allowed)
    body = await _json(request, VerdictIn)
    verdict = None if body.verdict == "restore" else body.verdict
    return await run_in_threadpool(
        _run, lambda: cycle_of(request).set_verdict(user, report_id, body.key, verdict, body.reason))


@router.get("/reports/{report_id}/final-score", summary="排除误报、沿用扣分和审查人员调整后的得分")
def final_score(request: Request, report_id: Id) -> dict[str, Any]:
    from fazhi.web.routes_pages import readable_report

    readable_report(request, report_id)
    _reviewer_of(request, False)
    return cycle_of(request).final_score(report_id)


@router.get("/submissions/{submission_id}/opinion", summary="审查意见：条目（按顺序）、总体意见、调分、是否已发送")
def get_opinion(request: Request, submission_id: Id) -> dict[str, Any]:
    """Reviewers: the opinion (made on first request); the unit: its sent opinion only."""
    sub = _sub(request, submission_id)
    cycle = cycle_of(request)
    user = current_user(request)
    if user and cycle.can_review(user):
        return _run(lambda: cycle.open_opinion(user, submission_id))
    op = cycle.opinion(submission_id)
    if op is None or not op["sent"] or not user or user.get("unit_id") != sub["unit_id"]:
        raise HTTPException(404, "审查意见尚未发送。")
    return op


async def _write(request: Request, submission_id: int, call, model: type[BaseModel] | None = None) -> dict[str, Any]:
    """Access first (404 / 401 / 403), then the JSON body (422 when bad), then the change (409 when refused)."""
    def allowed() -> dict:
        _sub(request, submission_id)
        return _reviewer_of(request, True)

    user = await run_in_threadpool(allowed)
    body = await _json(request, model) if model is not None else None
    return await run_in_threadpool(_run, lambda: call(cycle_of(request), user, body))


@router.post("/submissions/{submission_id}/opinion/items", summary="新增一条意见（排在最后）",
             openapi_extra=_doc(ItemIn))
async def add_item(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.add_opinion_item(u, submission_id, b.body), ItemIn)


@router.post("/submissions/{submission_id}/opinion/items/{action}",
             summary="修改（edit，附 body）、删除（delete）或移动（move，附 step）一条意见",
             openapi_extra=_doc(ItemAction))
async def item_action(request: Request, submission_id: Id,
                      action: Annotated[str, Path(description="edit、delete 或 move")]) -> dict[str, Any]:
    if action not in ("edit", "delete", "move"):
        raise HTTPException(404, "没有这个操作。")

    def call(c, u, b: ItemAction):
        from fazhi.cycle import CycleError

        if action == "edit":
            if not (b.body or "").strip():
                raise CycleError("意见条目不能为空。")
            return c.edit_opinion_item(u, submission_id, b.item_id, b.body)
        if action == "delete":
            return c.delete_opinion_item(u, submission_id, b.item_id)
        if b.step is None:
            raise CycleError("移动时请给出 step（-1 上移，1 下移）。")
        return c.move_opinion_item(u, submission_id, b.item_id, b.step)

    return await _write(request, submission_id, call, ItemAction)


@router.post("/submissions/{submission_id}/opinion/order", summary="按给定顺序排列全部意见",
             openapi_extra=_doc(OrderIn))
async def order_items(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.reorder_opinion(u, submission_id, b.item_ids),
                        OrderIn)


@router.post("/submissions/{submission_id}/opinion/overall", summary="填写总体意见", openapi_extra=_doc(OverallIn))
async def overall(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.set_overall(u, submission_id, b.text), OverallIn)


@router.post("/submissions/{submission_id}/opinion/adjust", summary="调整得分（附理由，调整后总分不超出 0–满分）",
             openapi_extra=_doc(AdjustIn))
async def adjust(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.adjust_score(u, submission_id, b.adjust, b.reason),
                        AdjustIn)


@router.post("/submissions/{submission_id}/opinion/send", summary="发送审查意见（发送后不可修改，除非重新编辑）")
async def send(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.send_opinion(u, submission_id))


@router.post("/submissions/{submission_id}/opinion/reopen", summary="重新编辑已发送的审查意见")
async def reopen(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.reopen_opinion(u, submission_id))


@router.post("/submissions/{submission_id}/opinion/regenerate", summary="按当前版本重新生成意见条目（修改将丢失）")
async def regenerate(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.regenerate_opinion(u, submission_id))


@router.post("/submissions/{submission_id}/opinion/import-comments", summary="把尚未列入的批注意见加入意见条目")
async def import_comments(request: Request, submission_id: Id) -> dict[str, Any]:
    return await _write(request, submission_id, lambda c, u, b: c.import_comments(u, submission_id))


@router.get("/rules/misfires", summary="各规则被认定为误报的次数和比例（审查人员）")
def misfires(request: Request) -> dict[str, Any]:
    require_reviewer(request)
    return cycle_of(request).rule_misfires()
