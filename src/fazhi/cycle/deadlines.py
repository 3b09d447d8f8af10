"""Deadlines and lateness. A period's deadlines are dates per level; by default the rubric's
`deadlines.<level>.submit` (MM-DD) of the year after the report year. A unit whose level is
not known gets DEFAULT_LEVEL's deadline (区县: the common 3月1日 of 市县乡, rules.md A1.5).
Dates are China Standard Time: a report sent at 01:00 on 3月2日 Beijing time is late even
though it is still 3月1日 in UTC. Lateness counts only in a period opened by its deadline
(`tracked`): past years recorded afterwards have nobody late."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

CN_TZ = timezone(timedelta(hours=8))
DEFAULT_LEVEL = "区县"
MIN_YEAR = 2000  # report years: from 2000 (the first 依法行政 reports) to next year


def year_range(today: date | None = None) -> tuple[int, int]:
    """The report years a period or a submission may have: MIN_YEAR .. (this year + 1)."""
    return MIN_YEAR, (today or date.today()).year + 1


def valid_year(year: object, today: date | None = None) -> bool:
    low, high = year_range(today)
    return isinstance(year, int) and not isinstance(year, bool) and low <= year <= high
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def rubric_deadlines() -> dict[str, str]:
    """{level: "MM-DD"} submit deadlines of the default rubric."""
    from fazhi.review.rubric import default_rubric

    return {lv: d.submit for lv, d in default_rubric().deadlines.items()}


def levels() -> list[str]:
    return list(rubric_deadlines())


def default_deadlines(year: int) -> dict[str, str]:
    return {lv: f"{year + 1}-{mmdd}" for lv, mmdd in rubric_deadlines().items()}


def parse_date(s: str) -> date:
    """A YYYY-MM-DD date; ValueError (Chinese) otherwise."""
    try:
        if not _DATE.match(s or ""):
            raise ValueError
        return date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"日期“{s}”无效，应写作 YYYY-MM-DD（如 2026-03-01）。") from None


def deadline_for(level: str | None, year: int, period: dict[str, str] | None = None) -> date:
    """The submit deadline of a unit of `level` for report year `year`."""
    table = {**default_deadlines(year), **(period or {})}
    key = level if level in table else DEFAULT_LEVEL
    return parse_date(table[key])


def local_date(utc_naive: datetime) -> date:
    """The Beijing-time date of a naive UTC timestamp."""
    return utc_naive.replace(tzinfo=UTC).astimezone(CN_TZ).date()


def today() -> date:
    return datetime.now(CN_TZ).date()


def tracked(opened: datetime | None, deadline: date) -> bool:
    """Whether lateness counts for a deadline: only in a period opened (`fazhi period add`, naive UTC
    `opened`) on or before it. A period opened after its deadline records a past year — reports
    imported afterwards, nobody was asked in time — and a year without a period asked nobody."""
    return opened is not None and local_date(opened) <= deadline


def lateness(deadline: date, submitted_at: datetime | None, on: date) -> tuple[bool, int | None]:
    """(late, days late): the first submission after the deadline, or none yet and `on` past it."""
    when = local_date(submitted_at) if submitted_at is not None else on
    days = (when - deadline).days
    return (days > 0, days if days > 0 else None)
