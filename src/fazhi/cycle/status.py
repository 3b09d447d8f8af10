"""Statuses of a submission and the transitions between them (no heavy imports: the CLI and the
web templates read these).

Two-step review (setting "two_step_review", fazhi.cycle.lifecycle): "approve" of a submitted report
is then "first_pass" (初审通过), and "approve" of a first_passed one (复审, by another reviewer) leads
to approved. A unit may "withdraw" a submitted report before any decision on it; "unpublish" takes
a publication back (published → approved) with a reason."""
from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "pending": "待提交",
    "submitted": "已提交",
    "withdrawn": "已撤回",
    "first_passed": "初审通过",
    "returned": "退回修改",
    "approved": "已通过",
    "published": "已公开",
}

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"pending", "returned", "submitted", "withdrawn"}), "submitted"),  # submitted: a newer version
    "withdraw": (frozenset({"submitted"}), "withdrawn"),
    "first_pass": (frozenset({"submitted"}), "first_passed"),
    "return": (frozenset({"submitted", "first_passed", "approved"}), "returned"),
    "approve": (frozenset({"submitted", "first_passed"}), "approved"),
    "publish": (frozenset({"approved"}), "published"),
    "unpublish": (frozenset({"published"}), "approved"),
}
ACTION_LABELS = {"submit": "提交", "withdraw": "撤回", "first_pass": "初审通过", "return": "退回",
                 "approve": "通过", "publish": "公开", "unpublish": "撤回公开"}

ROLES: dict[str, str] = {"admin": "管理员", "reviewer": "审核人员", "unit": "报送单位"}
REVIEW_ROLES = frozenset({"admin", "reviewer"})


def check_transition(action: str, status: str) -> str:
    """The status `action` leads to from `status`; ValueError (Chinese) when not allowed."""
    allowed, to = TRANSITIONS[action]
    if status not in allowed:
        raise ValueError(f"当前状态为“{STATUS_LABELS.get(status, status)}”，不能{ACTION_LABELS[action]}。")
    return to
