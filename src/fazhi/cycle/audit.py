"""The audit log: who did what, when, from which address and browser.

Every row written by `Cycle` takes the address and user agent of the request being served (the web
app sets `AUDIT_CONTEXT` per request) or, on the command line, the operating-system user
(`use_cli_actor`). `AuditQuery` filters the log for the admin page; `audit_rows` gives it as
table rows (Beijing time, Chinese action names, readable details) for the page and CSV/XLSX export.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

AUDIT_CONTEXT: ContextVar[dict[str, Any]] = ContextVar("fazhi_audit_context", default={})

ACTION_LABELS: dict[str, str] = {
    "login": "登录", "logout": "退出登录", "login.failed": "登录失败", "login.locked": "登录锁定",
    "login.refused": "锁定期间拒绝登录", "basic.failed": "接口认证失败", "session.expired": "会话超时",
    "upload": "上传报告", "upload.refused": "拒绝上传", "status": "状态变更", "download": "下载",
    "denied": "拒绝访问", "csrf.failed": "安全校验失败", "rate.limited": "请求过多被拒绝",
    "user.add": "新建账号", "user.password": "重置密码", "user.active": "启用/停用账号",
    "unit.add": "新建单位", "period.add": "设立报送年度", "period.update": "修改截止日期",
    "report.remove": "删除报告", "audit.export": "导出审计日志",
    # the office's year (issue 14)
    "notice.add": "发布报送通知", "notice.update": "修改报送通知", "notice.attach": "添加通知附件",
    "notice.detach": "删除通知附件", "notice.download": "下载通知附件", "message.read": "阅读消息",
    "remind": "催报", "circular.download": "下载通报稿", "setting": "修改设置",
    "rectify.add": "新增整改问题", "rectify.raise": "退回时列入问题池", "rectify.state": "整改状态变更",
    "rectify.due": "修改整改期限",
    "finding.verdict": "认定误报/采纳", "opinion.item_add": "新增意见条目", "opinion.item_edit": "修改意见条目",
    "opinion.item_delete": "删除意见条目", "opinion.item_move": "移动意见条目", "opinion.reorder": "调整意见顺序",
    "opinion.overall": "填写总体意见", "opinion.adjust": "调整得分", "opinion.send": "发送审查意见",
    "opinion.reopen": "重新编辑审查意见", "opinion.regenerate": "重新生成意见条目", "opinion.import": "加入批注意见",
    "opinion.archive": "存档旧版本审查意见",
    "publication": "登记公开网址和日期", "assign": "分配审核人员", "draft.add": "自查草稿",
    "draft.delete": "删除自查草稿",
    "unit.edit": "修改单位", "unit.active": "停用/启用单位", "unit.merge": "合并单位", "user.role": "修改角色",
    "upload.pending": "上传待归档", "upload.discard": "删除待归档报告",
}
DETAIL_LABELS: dict[str, str] = {
    "username": "用户名", "filename": "文件", "report_id": "报告编号", "unit": "单位", "year": "年度",
    "version": "版本", "duplicate": "与已有报告相同", "from": "原状态", "to": "新状态", "via": "途径",
    "reason": "原因", "format": "格式", "kind": "表格", "reports": "报告数", "role": "角色", "unit_id": "单位编号",
    "active": "启用", "name": "名称", "level": "层级", "deadlines": "截止日期", "comments": "意见条数",
    "path": "地址", "status": "HTTP 状态", "method": "方法", "until": "锁定至", "failures": "失败次数",
    "submissions": "报送记录", "rows": "行数",
    "changes": "修改", "into": "并入", "dropped": "删去的空报送", "accounts": "账号数", "issuer": "落款单位",
}
EXPORT_HEADERS = ["编号", "时间（北京时间）", "用户", "操作", "操作代码", "对象", "详情", "IP 地址", "浏览器"]
CN_TZ_OFFSET = timedelta(hours=8)


def set_request_source(ip: str | None, user_agent: str | None):
    """Audit rows written in this context carry this address and browser (returns the reset token)."""
    return AUDIT_CONTEXT.set({"ip": (ip or None) and ip[:64], "ua": (user_agent or None) and user_agent[:255]})


def use_cli_actor() -> None:
    """Audit rows written from now on in this context name the operating-system user."""
    from fazhi.corpus.cleanup import cli_actor

    AUDIT_CONTEXT.set({"actor": cli_actor(), "ua": "fazhi 命令行"})


def row_values(user: dict | None, action: str, target: str, detail: dict | None) -> dict[str, Any]:
    """The columns of one audit row (time, actor, request source)."""
    ctx = AUDIT_CONTEXT.get()
    uid, name = (user.get("id"), user.get("username")) if user else (None, None)
    if user is None and ctx.get("actor"):
        name = ctx["actor"]
    return {"at": datetime.now(UTC).replace(tzinfo=None), "user_id": uid, "username": name,
            "action": action[:32], "target": str(target)[:255], "detail": detail,
            "ip": ctx.get("ip"), "user_agent": ctx.get("ua")}


def beijing(value: datetime | None) -> str:
    """A stored naive-UTC time as Beijing time, 'YYYY-MM-DD HH:MM:SS'."""
    if value is None:
        return ""
    return (value + CN_TZ_OFFSET).strftime("%Y-%m-%d %H:%M:%S")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dict):
        return "，".join(f"{k} {_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "、".join(_value(x) for x in v)
    return "" if v is None else str(v)


def detail_text(detail: dict | None) -> str:
    """A detail dict as readable Chinese: 文件：a.txt；版本：2 (status codes as their labels)."""
    from fazhi.cycle.status import STATUS_LABELS

    if not detail:
        return ""
    parts = []
    for k, v in detail.items():
        if k in ("from", "to") and isinstance(v, str):
            v = STATUS_LABELS.get(v, v)
        parts.append(f"{DETAIL_LABELS.get(k, k)}：{_value(v)}")
    return "；".join(parts)


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the admin page (all optional): user name (part of), action code, Beijing dates."""

    username: str | None = None
    action: str | None = None
    since: date | None = None  # Beijing date, inclusive
    until: date | None = None  # Beijing date, inclusive
    limit: int = 500

    def conditions(self) -> list:
        from fazhi.cycle.models import AuditRow

        where = []
        if self.username:
            where.append(AuditRow.username.contains(self.username, autoescape=True))
        if self.action:
            where.append(AuditRow.action == self.action)
        if self.since:
            where.append(AuditRow.at >= datetime.combine(self.since, datetime.min.time()) - CN_TZ_OFFSET)
        if self.until:
            where.append(AuditRow.at < datetime.combine(self.until + timedelta(days=1), datetime.min.time())
                         - CN_TZ_OFFSET)
        return where


def audit_rows(entries: list[dict]) -> list[list[str]]:
    """Export rows (EXPORT_HEADERS) of audit entries."""
    return [[str(e["id"]), beijing(e["at"]), e["username"] or "（未登录）", ACTION_LABELS.get(e["action"], e["action"]),
             e["action"], e["target"], detail_text(e["detail"]), e.get("ip") or "", e.get("user_agent") or ""]
            for e in entries]
