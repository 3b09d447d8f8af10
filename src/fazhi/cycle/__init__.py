"""The reviewing office's yearly cycle: reporting units and accounts, reporting periods with
deadlines per level, submissions moving 待提交 → 已提交 → 退回修改 / 已通过 → 已公开, review
comments on spans of the text, the diff of findings between versions, and an audit log; around
them the office's whole year, one module each (mixed into `Cycle`): notices, messages, 催报 and
the status board (notices.py, messages.py, mail.py, notices_board.py), the 问题池 (rectify*.py), the
reviewer's own opinion and verdicts on findings (opinion*.py), 沿用比例 and ranking (recycling.py,
ranking*.py), publication, drafts, withdrawal and two-step review (lifecycle.py, drafts.py), units,
branches and roles (organisation.py, org_filing.py). Changes are announced to listeners
(events.py) inside their own transaction.

    from fazhi.cycle import Cycle
    cycle = Cycle(open_corpus("sqlite:///fazhi.db"))
    reviewer = cycle.authenticate("li", password)
    up = cycle.upload(reviewer, "report.docx", data)          # analysed, stored, status 已提交
    cycle.return_(reviewer, up["submission_id"], [{"start": 10, "end": 18, "body": "请补充原因"}])

Access control (`can_read`, `readable_report_ids`): admins and reviewers read every report; a
unit account reads every version of its own submissions plus the CURRENT version of published
submissions; a logged-out visitor reads only the current version of published submissions.
Older versions of a published submission, and reports imported with `fazhi corpus add` outside
the cycle, stay with the office (and the unit that wrote them).

Decisions (documented here, tested in tests/test_cycle*.py):
- Levels are the rubric's deadline levels (省 地市 区县 乡镇街道 部门, as fazhi.extract.metadata
  names them). A unit without a level gets the 区县 deadline (3月1日, the common 市县乡 date).
- Deadlines and lateness count Beijing dates; late = first submission after the deadline, or
  none yet and today past it (fazhi/cycle/deadlines.py).
- A reviewer's upload files the report under the unit named as its issuer (following merges), else
  the only unit with its unit_key; otherwise the web app never makes a unit silently: the analysed
  report waits unfiled (/filings) with the likeliest units proposed until the reviewer chooses one
  or asks for a new unit (org_filing.py; the library's `upload(ask_unit=False)` still makes it). A
  unit account's upload always goes to its own unit and never changes any unit's level or key.
- A reviewer attached to an office unit (is_office) sees and decides on that office's branch only
  (organisation.branch_unit_ids); admins and reviewers without an office, every unit.
- A byte-identical copy of another unit's submitted report is refused; a refused upload leaves
  no report behind in the corpus.
- Returning needs at least one comment or a note; passwords have at least 8 characters.
- Permission checks re-read the user from the database (once per web request): a deactivated
  account or a changed role takes effect at once, whatever the session's copy of the user dict says.
- A unit account's upload is that unit's report (reports.unit_id), whatever issuer its text
  names: another unit's text submitted by it is copying (抄用他单位), not recycling.
- Report years run from 2000 to next year (deadlines.year_range); anything else is refused.
- A unit may withdraw (撤回) its submitted report before any decision on it (status 已提交, never
  returned: a returned submission is under review and takes a new version instead): status 已撤回,
  every version kept, submitted_at cleared, so lateness counts from the resubmission (an on-time
  report withdrawn and resubmitted after the deadline is late). Withdrawn → submit again.
- 公开 needs the reviewer's 保密审查 confirmation (recorded with who and when); 撤回公开 needs a reason
  (published → approved, audited) and a later 公开 a new confirmation. 公开日期 is checked against the
  rubric's deadlines.<level>.publish of the next year (fazhi/cycle/lifecycle.py).
- Two-step review (setting two_step_review, off by default): 通过 of a submitted report is 初审通过;
  only another reviewer approves it (复审) or returns it; an assigned step is the assignee's or an admin's.
- Web sessions are server-side (sessions.py), failed logins throttled with lockout (throttle.py),
  and every refusal audited with the request's address and browser (audit.py).

Importing this package is cheap: SQLAlchemy and argon2 load when a Cycle is made.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fazhi.cycle.status import STATUS_LABELS

if TYPE_CHECKING:
    from fazhi.cycle.service import AccessDenied, Cycle, CycleError

__all__ = ["STATUS_LABELS", "AccessDenied", "Cycle", "CycleError"]


def __getattr__(name: str) -> Any:
    if name in ("Cycle", "CycleError", "AccessDenied"):
        from fazhi.cycle import service

        return getattr(service, name)
    raise AttributeError(f"module 'fazhi.cycle' has no attribute {name!r}")
