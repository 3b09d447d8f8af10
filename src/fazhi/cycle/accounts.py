"""Accounts, units, periods, the audit log and settings: the part of `Cycle` that is not about
submissions (mixed into fazhi.cycle.service.Cycle)."""
from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from fazhi.cycle import deadlines as dl
from fazhi.cycle.audit import AuditQuery, row_values
from fazhi.cycle.errors import AccessDenied, CycleError
from fazhi.cycle.models import AuditRow, PeriodRow, SessionRow, ThrottleRow, UnitRow, UserRow
from fazhi.cycle.passwords import hash_password, needs_rehash, verify_password, weakness
from fazhi.cycle.status import REVIEW_ROLES, ROLES

_USERNAME = re.compile(r"^[^\s/\\]{1,64}$")
# per web request: the users already read (a request's permission checks agree with each other and
# cost one query); None outside a request, where every check reads the database
ACTOR_MEMO: ContextVar[dict | None] = ContextVar("fazhi_actor_memo", default=None)


def orm_rows(conn, q) -> list:
    """Rows of a select of several mapped classes (row.UserRow ...), read on `conn`."""
    from sqlalchemy.orm import Session

    with Session(bind=conn) as session:
        rows = session.execute(q).all()
        session.expunge_all()
    return rows


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _user_dict(row, unit_name: str | None) -> dict[str, Any]:
    return {"id": row.id, "username": row.username, "role": row.role, "unit_id": row.unit_id,
            "unit_name": unit_name, "display_name": row.display_name, "active": bool(row.active)}


def _unit_dict(row) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "level": row.level, "unit_key": row.unit_key,
            "parent_id": row.parent_id, "is_office": bool(row.is_office), "active": bool(row.active),
            "email": row.email, "merged_into_id": row.merged_into_id}


class AccountsMixin:
    engine: Any

    # ------------------------------------------------------------ users
    def _user_query(self):
        return select(UserRow, UnitRow.name.label("unit_name")).join(
            UnitRow, UserRow.unit_id == UnitRow.id, isouter=True)

    def add_user(self, username: str, password: str, role: str, *, unit_name: str | None = None,
                 display_name: str | None = None, by: dict | None = None) -> dict:
        username = (username or "").strip()
        if not _USERNAME.match(username):
            raise CycleError("用户名应为 1–64 个字符，不含空白和斜杠。")
        if role not in ROLES:
            raise CycleError(f"未知角色“{role}”（可用：admin、reviewer、unit）。")
        if role == "unit" and not (unit_name or "").strip():
            raise CycleError("报送单位账号需要指定所属单位。")
        if role != "unit" and unit_name:
            raise CycleError("管理员和审核人员账号不属于报送单位。")
        if (why := weakness(password)) is not None:
            raise CycleError(why)
        unit_id = self.add_unit(unit_name, by=by)["id"] if role == "unit" else None
        values = {"username": username, "password_hash": hash_password(password), "role": role,
                  "unit_id": unit_id, "display_name": (display_name or "").strip() or None, "active": True,
                  "created_at": now()}
        try:
            with self.engine.begin() as conn:
                uid = conn.execute(insert(UserRow).returning(UserRow.id), values).scalar_one()
                self._audit(conn, by, "user.add", f"user:{uid}",
                            {"username": username, "role": role, "unit_id": unit_id})
        except IntegrityError:
            raise CycleError(f"用户名“{username}”已存在。") from None
        return self.user(uid)

    def authenticate(self, username: str, password: str) -> dict | None:
        """The user when the password is right and the account active, else None."""
        with self.engine.connect() as conn:
            found = orm_rows(conn, self._user_query().where(UserRow.username == (username or "").strip()))
        row = found[0] if found else None
        ok = verify_password(row.UserRow.password_hash if row else None, password)
        if not ok or not row.UserRow.active:
            return None
        if needs_rehash(row.UserRow.password_hash):
            with self.engine.begin() as conn:
                conn.execute(update(UserRow).where(UserRow.id == row.UserRow.id)
                             .values(password_hash=hash_password(password)))
        return _user_dict(row.UserRow, row.unit_name)

    def user(self, user_id: int) -> dict | None:
        with self.engine.connect() as conn:
            found = orm_rows(conn, self._user_query().where(UserRow.id == user_id))
        row = found[0] if found else None
        return _user_dict(row.UserRow, row.unit_name) if row else None

    def users(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = orm_rows(conn, self._user_query().order_by(UserRow.id))
        return [_user_dict(r.UserRow, r.unit_name) for r in rows]

    def set_password(self, username: str, password: str, *, by: dict | None = None) -> None:
        if (why := weakness(password)) is not None:
            raise CycleError(why)
        with self.engine.begin() as conn:
            uid = conn.execute(select(UserRow.id).where(UserRow.username == username)).scalar()
            if uid is None:
                raise CycleError(f"用户“{username}”不存在。")
            conn.execute(update(UserRow).where(UserRow.id == uid).values(password_hash=hash_password(password)))
            conn.execute(delete(SessionRow).where(SessionRow.user_id == uid))  # every session ends
            conn.execute(delete(ThrottleRow).where(ThrottleRow.key == f"user:{username}"[:160]))  # unlocked
            self._audit(conn, by, "user.password", f"user:{uid}", {"username": username})

    def set_active(self, username: str, active: bool, *, by: dict | None = None) -> None:
        with self.engine.begin() as conn:
            uid = conn.execute(select(UserRow.id).where(UserRow.username == username)).scalar()
            if uid is None:
                raise CycleError(f"用户“{username}”不存在。")
            conn.execute(update(UserRow).where(UserRow.id == uid).values(active=bool(active)))
            if not active:
                conn.execute(delete(SessionRow).where(SessionRow.user_id == uid))
            self._audit(conn, by, "user.active", f"user:{uid}", {"username": username, "active": bool(active)})

    def _actor(self, user: dict | None) -> dict | None:
        """The user as the database knows it now (role, unit, active), or None (logged out,
        unknown or deactivated). Every permission check goes through this, never the dict given."""
        if not user or user.get("id") is None:
            return None
        memo = ACTOR_MEMO.get()  # one read per user and web request (fazhi.web.guard sets the memo)
        key = (id(self), user["id"])
        if memo is not None and key in memo:
            return memo[key]
        fresh = self.user(user["id"])
        actor = fresh if fresh and fresh["active"] else None
        if memo is not None:
            memo[key] = actor
        return actor

    def _require(self, user: dict | None) -> dict:
        actor = self._actor(user)
        if actor is None:
            raise AccessDenied("请先登录。")
        return actor

    def can_review(self, user: dict | None) -> bool:
        actor = self._actor(user)
        return actor is not None and actor["role"] in REVIEW_ROLES

    def _reviewer(self, user: dict | None) -> dict:
        actor = self._require(user)
        if actor["role"] not in REVIEW_ROLES:
            raise AccessDenied("只有管理员和审核人员可以审核报告。")
        return actor

    # ------------------------------------------------------------ units
    def add_unit(self, name: str, *, level: str | None = None, unit_key: str | None = None,
                 by: dict | None = None) -> dict:
        """The unit named `name`, created when missing; a given level / unit_key is recorded."""
        name = (name or "").strip()
        if not name or len(name) > 255:
            raise CycleError("单位名称不能为空，且不超过 255 个字符。")
        if level is not None and level not in dl.levels():
            raise CycleError(f"未知层级“{level}”（可用：{'、'.join(dl.levels())}）。")
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(UnitRow).where(UnitRow.name == name)).first()
                if row is None:
                    uid = conn.execute(insert(UnitRow).returning(UnitRow.id),
                                       {"name": name, "level": level, "unit_key": unit_key,
                                        "created_at": now()}).scalar_one()
                    self._audit(conn, by, "unit.add", f"unit:{uid}", {"name": name, "level": level})
                else:
                    changes = {k: v for k, v in (("level", level), ("unit_key", unit_key))
                               if v is not None and getattr(row, k) != v}
                    if changes:
                        conn.execute(update(UnitRow).where(UnitRow.id == row.id).values(**changes))
        except IntegrityError:  # made meanwhile by another request
            pass
        with self.engine.connect() as conn:
            return _unit_dict(conn.execute(select(UnitRow).where(UnitRow.name == name)).one())

    def unit(self, unit_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(UnitRow).where(UnitRow.id == unit_id)).first()
        return _unit_dict(row) if row else None

    def units(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [_unit_dict(r) for r in conn.execute(select(UnitRow).order_by(UnitRow.id))]

    # ------------------------------------------------------------ periods
    def add_period(self, year: int, deadlines: dict[str, str] | None = None, *, by: dict | None = None) -> dict:
        """The period of report year `year` (created with the rubric's deadlines when missing);
        `deadlines` {level: "YYYY-MM-DD"} override those levels."""
        if not dl.valid_year(year):
            low, high = dl.year_range()
            raise CycleError(f"年度“{year}”无效（应在 {low}–{high} 之间）。")
        given = dict(deadlines or {})
        for level, day in given.items():
            if level not in dl.levels():
                raise CycleError(f"未知层级“{level}”（可用：{'、'.join(dl.levels())}）。")
            try:
                dl.parse_date(day)
            except ValueError as e:
                raise CycleError(str(e)) from None
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(PeriodRow).where(PeriodRow.year == year)).first()
                if row is None:
                    table = {**dl.default_deadlines(year), **given}
                    conn.execute(insert(PeriodRow), {"year": year, "deadlines": table, "created_at": now()})
                    self._audit(conn, by, "period.add", f"period:{year}", {"deadlines": table})
                elif given and {**row.deadlines, **given} != row.deadlines:
                    table = {**row.deadlines, **given}
                    conn.execute(update(PeriodRow).where(PeriodRow.id == row.id).values(deadlines=table))
                    self._audit(conn, by, "period.update", f"period:{year}", {"from": row.deadlines, "to": table})
        except IntegrityError:  # made meanwhile by another request
            pass
        with self.engine.connect() as conn:
            row = conn.execute(select(PeriodRow).where(PeriodRow.year == year)).one()
        return {"id": row.id, "year": row.year, "deadlines": dict(row.deadlines)}

    def periods(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(PeriodRow).order_by(PeriodRow.year.desc())).all()
        return [{"id": r.id, "year": r.year, "deadlines": dict(r.deadlines)} for r in rows]

    def _period_deadlines(self, conn, year: int) -> tuple[dict[str, str] | None, datetime | None]:
        """(deadlines, when the period was opened) of a year; (None, None) without a period."""
        row = conn.execute(select(PeriodRow.deadlines, PeriodRow.created_at).where(PeriodRow.year == year)).first()
        return (row.deadlines, row.created_at) if row else (None, None)

    # ------------------------------------------------------------ audit and settings
    def _audit(self, conn, user: dict | None, action: str, target: str, detail: dict | None = None) -> None:
        """One audit row (with the request's address and browser, see fazhi.cycle.audit)."""
        conn.execute(insert(AuditRow), row_values(user, action, target, detail))

    def audit(self, user: dict | None, action: str, target: str, detail: dict | None = None) -> None:
        with self.engine.begin() as conn:
            self._audit(conn, user, action, target, detail)

    def audit_log(self, limit: int = 200, query: AuditQuery | None = None) -> list[dict]:
        """The newest audit rows first, filtered by `query` (user, action, Beijing dates)."""
        query = query or AuditQuery(limit=limit)
        q = select(AuditRow).where(*query.conditions()).order_by(AuditRow.id.desc()).limit(query.limit)
        with self.engine.connect() as conn:
            return [{"id": r.id, "at": r.at, "user_id": r.user_id, "username": r.username, "action": r.action,
                     "target": r.target, "detail": r.detail, "ip": r.ip, "user_agent": r.user_agent}
                    for r in conn.execute(q)]

    def audit_actions(self) -> list[str]:
        """Every action code the log holds (for the filter's list)."""
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(AuditRow.action).distinct()).scalars())

    def secret_key(self) -> str:
        """The session-signing key (corpus_meta "web_secret"), made on first use."""
        from fazhi.corpus.models import MetaRow

        q = select(MetaRow.value).where(MetaRow.key == "web_secret")
        with self.engine.connect() as conn:
            found = conn.execute(q).scalar()
        if found is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(MetaRow).values(key="web_secret",
                                                        value={"key": secrets.token_urlsafe(48)}))
            except IntegrityError:
                pass
            with self.engine.connect() as conn:
                found = conn.execute(q).scalar_one()
        return found["key"]
