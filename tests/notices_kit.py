"""A report year for the notices / messages / board tests, on a real database with the real samples.

`build_year(cycle)` makes units of two levels in every state the status board counts, for report year
2025 (deadlines 2026-03-01, publication 2026-04-01): the period was opened on 2026-01-10 (its
created_at is set so, as if the office had opened it then) and first-submission times are set to the
days named below, so the counts do not depend on the day the tests run (pass `today=TODAY`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update

from conftest import sample_path

YEAR = 2025
TODAY = date(2026, 5, 1)  # past the 3月1日 submit and the 4月1日 publication deadline
PASSWORD = "correct-horse-1"
# name: (level, sample, first submission (Beijing noon), what happens next, e-mail)
UNITS = {
    "按期镇人民政府": ("乡镇街道", "000", datetime(2026, 2, 20, 4), None, "anqi@example.gov.cn"),
    "逾期局": ("部门", "001", datetime(2026, 3, 11, 4), None, "yuqi@example.gov.cn"),
    "退回镇人民政府": ("乡镇街道", "002", datetime(2026, 2, 25, 4), "return", "tuihui@example.gov.cn"),
    "通过局": ("部门", "003", datetime(2026, 2, 26, 4), "approve", None),
    "公开局": ("部门", "004", datetime(2026, 2, 27, 4), "publish", "gongkai@example.gov.cn"),
    "未报镇人民政府": ("乡镇街道", None, None, None, "weibao@example.gov.cn"),
    "未报局": ("部门", None, None, None, None),
    "停用镇人民政府": ("乡镇街道", None, None, None, "tingyong@example.gov.cn"),  # deactivated
}


def build_year(cycle) -> dict:
    """The year above; {"reviewer", "admin", "units": {name: unit id}, "subs": {name: submission id}}."""
    from fazhi.cycle.models import PeriodRow, SubmissionRow, UnitRow

    admin = cycle.add_user("admin", PASSWORD, "admin")
    rev = cycle.add_user("rev", PASSWORD, "reviewer")
    cycle.add_period(YEAR)
    units, subs = {}, {}
    with cycle.engine.begin() as conn:
        conn.execute(update(PeriodRow).where(PeriodRow.year == YEAR).values(created_at=datetime(2026, 1, 10)))
    for name, (level, sample, first, then, email) in UNITS.items():
        units[name] = cycle.add_unit(name, level=level)["id"]
        with cycle.engine.begin() as conn:
            conn.execute(update(UnitRow).where(UnitRow.id == units[name]).values(
                email=email, active=not name.startswith("停用")))
        if sample is None:
            continue
        path = sample_path(sample)
        up = cycle.upload(rev, path.name, path.read_bytes(), unit_id=units[name], year=YEAR)
        subs[name] = up["submission_id"]
        with cycle.engine.begin() as conn:
            conn.execute(update(SubmissionRow).where(SubmissionRow.id == up["submission_id"]).values(
                submitted_at=first))
        if then == "return":
            cycle.return_(rev, up["submission_id"], [{"start": 0, "end": 4, "body": "标题不规范"},
                                                     {"start": 10, "end": 20, "body": "请补充数据"}],
                          note="请全面对照评分细则修改")
        elif then in ("approve", "publish"):
            cycle.approve(rev, up["submission_id"])
            if then == "publish":
                cycle.publish(rev, up["submission_id"], secrecy_checked=True)
    return {"admin": admin, "reviewer": rev, "units": units, "subs": subs}


def unit_user(cycle, name: str, username: str) -> dict:
    return cycle.add_user(username, PASSWORD, "unit", unit_name=name)
