"""单位编辑、合并、停用、层级与角色 (issue 14 item 9) — part of `Cycle` (mixed into fazhi.cycle.service.Cycle).

Decisions:
- Units form a tree through units.parent_id (县 → 乡镇/部门); a parent that would make a cycle is refused.
- An `is_office` unit is a reviewing office for its subtree (its branch): a reviewer account attached to it
  (users.unit_id) sees only that branch (`branch_unit_ids`); reviewers without one, and admins, see every unit.
- An inactive unit (units.active false) keeps its reports and submissions but drops out of the board
  (`Cycle.overview`), 催报 and rankings (`active_unit_ids`).
- Merging A into B moves A's submissions, reports, accounts, children and office records to B in one
  transaction; a year both have a report for is refused (naming the year); a year where one of them has no
  report keeps the one with a report. A ends inactive with merged_into_id = B.
- Roles change at once (sessions re-read the user per request); the last active admin keeps the role.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, func, select, update

from fazhi.cycle import deadlines as dl
from fazhi.cycle.errors import AccessDenied, CycleError
from fazhi.cycle.models import SubmissionRow, UnitRow, UserRow, VersionRow
from fazhi.cycle.org_filing import FilingMixin
from fazhi.cycle.status import ROLES

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# office tables whose rows belong to a unit: moved to the surviving unit on a merge
_UNIT_TABLES = ("messages", "rectifications", "drafts")


def subtree(parents: dict[int, int | None], root: int) -> set[int]:
    """`root` and every unit below it, from {unit id: parent id}."""
    children: dict[int, list[int]] = {}
    for uid, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(uid)
    out, todo = set(), [root]
    while todo:
        uid = todo.pop()
        if uid not in out:
            out.add(uid)
            todo.extend(children.get(uid, []))
    return out


def makes_cycle(parents: dict[int, int | None], unit_id: int, parent_id: int | None) -> bool:
    """True when putting `unit_id` under `parent_id` would make a unit its own ancestor."""
    seen: set[int] = set()
    p = parent_id
    while p is not None and p not in seen:
        if p == unit_id:
            return True
        seen.add(p)
        p = parents.get(p)
    return False


def tree_order(units: list[dict]) -> list[dict]:
    """Units in tree order (each parent followed by its children, by name; merged units last), each with
    `depth`."""
    ids = {u["id"] for u in units}
    children: dict[int | None, list[dict]] = {}
    for u in units:
        parent = u["parent_id"] if u["parent_id"] in ids else None
        children.setdefault(parent, []).append(u)
    out: list[dict] = []
    roots = sorted(children.get(None, []), key=lambda x: (x["merged_into_id"] is not None, x["name"]), reverse=True)
    todo = [(u, 0) for u in roots]  # merged units last
    while todo:
        u, depth = todo.pop()
        out.append({**u, "depth": depth})
        kids = sorted(children.get(u["id"], []), key=lambda x: x["name"], reverse=True)
        todo.extend((k, depth + 1) for k in kids)
    return out


def clean_email(raw: str | None) -> str | None:
    email = (raw or "").strip()
    if not email:
        return None
    if len(email) > 255 or not _EMAIL.match(email):
        raise CycleError(f"电子邮箱“{email[:60]}”格式不正确。")
    return email


class OrganisationMixin(FilingMixin):
    engine: Any

    # ------------------------------------------------------------ reading
    def _parents(self, conn) -> dict[int, int | None]:
        return dict(conn.execute(select(UnitRow.id, UnitRow.parent_id)).all())

    def active_unit_ids(self) -> set[int]:
        """Units on the board, in 催报 and rankings (inactive and merged units left out)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(UnitRow.id).where(UnitRow.active.is_(True))).scalars())

    def branch_unit_ids(self, user: dict | None) -> set[int] | None:
        """The units a reviewer attached to an office unit sees (that office's subtree); None: every unit
        (admins, reviewers without an office); an empty set for anyone else."""
        actor = self._actor(user)
        if actor is None or actor["role"] == "unit":
            return set() if actor is None else {actor["unit_id"]} - {None}
        if actor["role"] == "admin" or actor["unit_id"] is None:
            return None
        with self.engine.connect() as conn:
            office = conn.execute(select(UnitRow.is_office).where(UnitRow.id == actor["unit_id"])).scalar()
            if not office:
                return None
            return subtree(self._parents(conn), actor["unit_id"])

    def visible_unit_ids(self, user: dict | None) -> set[int] | None:
        """Units whose rows `user` sees on boards, lists and the 问题池: None every unit (admins and
        reviewers without an office), a branch office's subtree, a unit account its own unit;
        AccessDenied when logged out."""
        if self._actor(user) is None:
            raise AccessDenied("请先登录。")
        return self.branch_unit_ids(user)

    def _check_branch(self, actor: dict, unit_id: int) -> None:
        """A reviewer of a branch office decides only on its branch's units."""
        units = self.visible_unit_ids(actor)
        if units is not None and unit_id not in units:
            raise AccessDenied("该单位不在您负责审核的范围内。")

    def unit_table(self) -> list[dict]:
        """Every unit in tree order with its parent's name, accounts and submissions counted (for /units)."""
        with self.engine.connect() as conn:
            accounts = dict(conn.execute(select(UserRow.unit_id, func.count()).where(UserRow.unit_id.is_not(None))
                                         .group_by(UserRow.unit_id)).all())
            subs = dict(conn.execute(select(SubmissionRow.unit_id, func.count()).where(
                SubmissionRow.report_id.is_not(None)).group_by(SubmissionRow.unit_id)).all())
        units = self.units()
        names = {u["id"]: u["name"] for u in units}
        rows = [{**u, "parent_name": names.get(u["parent_id"]), "merged_into_name": names.get(u["merged_into_id"]),
                 "accounts": accounts.get(u["id"], 0), "submissions": subs.get(u["id"], 0)} for u in units]
        return tree_order(rows)

    # ------------------------------------------------------------ editing
    def edit_unit(self, user: dict | None, unit_id: int, *, name: str | None = None, level: str | None = None,
                  parent_id: int | None = None, is_office: bool | None = None, email: str | None = None,
                  clear: tuple[str, ...] = ()) -> dict:
        """Change a unit (admins). Given values are set; names in `clear` ("level", "parent_id", "email")
        are emptied. Refused: an unknown level, a taken name, a parent making a cycle."""
        actor = self._admin(user)
        values: dict[str, Any] = {}
        if name is not None:
            name = name.strip()
            if not name or len(name) > 255:
                raise CycleError("单位名称不能为空，且不超过 255 个字符。")
            values["name"] = name
        if level is not None:
            if level not in dl.levels():
                raise CycleError(f"未知层级“{level}”（可用：{'、'.join(dl.levels())}）。")
            values["level"] = level
        if email is not None:
            values["email"] = clean_email(email)
        if is_office is not None:
            values["is_office"] = bool(is_office)
        if parent_id is not None:
            values["parent_id"] = parent_id
        for key in clear:
            if key in ("level", "parent_id", "email") and key not in values:
                values[key] = None
        with self.engine.begin() as conn:
            row = self._lock_unit(conn, unit_id)
            if "name" in values and conn.execute(select(UnitRow.id).where(
                    UnitRow.name == values["name"], UnitRow.id != unit_id)).first() is not None:
                raise CycleError(f"已有名为“{values['name']}”的单位。")
            if values.get("parent_id") is not None:
                parents = self._parents(conn)
                if values["parent_id"] not in parents:
                    raise CycleError(f"上级单位不存在（编号 {values['parent_id']}）。")
                if makes_cycle(parents, unit_id, values["parent_id"]):
                    raise CycleError(f"不能把“{row.name}”设为其自身或其下级单位的下级。")
            changes = {k: [getattr(row, k), v] for k, v in values.items() if getattr(row, k) != v}
            if changes:
                conn.execute(update(UnitRow).where(UnitRow.id == unit_id).values(
                    **{k: v[1] for k, v in changes.items()}))
                self._audit(conn, actor, "unit.edit", f"unit:{unit_id}", {"name": row.name, "changes": changes})
        return self.unit(unit_id)

    def create_unit(self, user: dict | None, name: str, *, level: str | None = None, parent_id: int | None = None,
                    is_office: bool = False, email: str | None = None) -> dict:
        """A new unit (admins), all its fields checked before anything is written; a taken name is refused."""
        from sqlalchemy import insert

        from fazhi.cycle.accounts import now

        actor = self._admin(user)
        name = (name or "").strip()
        if not name or len(name) > 255:
            raise CycleError("单位名称不能为空，且不超过 255 个字符。")
        if level is not None and level not in dl.levels():
            raise CycleError(f"未知层级“{level}”（可用：{'、'.join(dl.levels())}）。")
        values = {"name": name, "level": level, "parent_id": parent_id, "is_office": bool(is_office),
                  "email": clean_email(email), "active": True, "created_at": now()}
        with self.engine.begin() as conn:
            if conn.execute(select(UnitRow.id).where(UnitRow.name == name)).first() is not None:
                raise CycleError(f"已有名为“{name}”的单位。")
            if parent_id is not None and conn.execute(select(UnitRow.id).where(UnitRow.id == parent_id)).first() is None:
                raise CycleError(f"上级单位不存在（编号 {parent_id}）。")
            uid = conn.execute(insert(UnitRow).returning(UnitRow.id), values).scalar_one()
            self._audit(conn, actor, "unit.add", f"unit:{uid}", {k: v for k, v in values.items() if k != "created_at"})
        return self.unit(uid)

    def set_unit_active(self, user: dict | None, unit_id: int, active: bool) -> dict:
        """停用 / 启用 a unit (admins): its reports stay; an inactive unit leaves the board, 催报 and rankings."""
        actor = self._admin(user)
        with self.engine.begin() as conn:
            row = self._lock_unit(conn, unit_id)
            if active and row.merged_into_id is not None:
                raise CycleError(f"“{row.name}”已并入其他单位，不能重新启用。")
            if bool(row.active) != bool(active):
                conn.execute(update(UnitRow).where(UnitRow.id == unit_id).values(active=bool(active)))
                self._audit(conn, actor, "unit.active", f"unit:{unit_id}", {"name": row.name, "active": bool(active)})
        return self.unit(unit_id)

    def merge_units(self, user: dict | None, from_id: int, into_id: int) -> dict:
        """Merge unit `from_id` into `into_id` (admins), in one transaction: submissions (with their
        versions), reports, accounts, child units and the unit's office records move; `from_id` ends
        inactive with merged_into_id. Returns {"moved_submissions", "dropped", "accounts", "reports"}."""
        actor = self._admin(user)
        if from_id == into_id:
            raise CycleError("不能把单位并入其自身。")
        with self.engine.begin() as conn:
            a, b = self._lock_unit(conn, from_id), self._lock_unit(conn, into_id)
            if b.merged_into_id is not None:
                raise CycleError(f"“{b.name}”已并入其他单位，不能作为合并目标。")
            if from_id in self._ancestors(conn, into_id):
                raise CycleError(f"“{b.name}”是“{a.name}”的下级单位，请先调整上级单位再合并。")
            moved, dropped = self._merge_submissions(conn, a, b)
            from fazhi.corpus.models import ReportRow

            reports = conn.execute(update(ReportRow).where(ReportRow.unit_id == from_id)
                                   .values(unit_id=into_id)).rowcount
            accounts = conn.execute(update(UserRow).where(UserRow.unit_id == from_id)
                                    .values(unit_id=into_id)).rowcount
            conn.execute(update(UnitRow).where(UnitRow.parent_id == from_id).values(parent_id=into_id))
            for table in _UNIT_TABLES:
                t = UnitRow.metadata.tables[table]
                conn.execute(t.update().where(t.c.unit_id == from_id).values(unit_id=into_id))
            conn.execute(update(UnitRow).where(UnitRow.id == from_id).values(active=False, merged_into_id=into_id,
                                                                             is_office=False))
            detail = {"from": a.name, "into": b.name, "submissions": moved, "dropped": dropped,
                      "accounts": accounts, "reports": reports}
            self._audit(conn, actor, "unit.merge", f"unit:{from_id}", {**detail, "into_id": into_id})
        return {"moved_submissions": moved, "dropped": dropped, "accounts": accounts, "reports": reports,
                "from": a.name, "into": b.name}

    def _merge_submissions(self, conn, a, b) -> tuple[list[int], list[int]]:
        """Move A's submissions to B; a year both have: keep the one with a report (refuse when both have)."""
        mine = conn.execute(select(SubmissionRow).where(SubmissionRow.unit_id == a.id)).all()
        theirs = {s.year: s for s in conn.execute(select(SubmissionRow).where(SubmissionRow.unit_id == b.id)).all()}
        clash = sorted(s.year for s in mine if s.year in theirs and s.report_id is not None
                       and theirs[s.year].report_id is not None)
        if clash:
            years = "、".join(str(y) for y in clash)
            raise CycleError(f"“{a.name}”与“{b.name}”都有 {years} 年度的报告，不能合并；请先删除其中一份。")
        moved, dropped = [], []
        for s in mine:
            other = theirs.get(s.year)
            if other is not None and s.report_id is None:
                conn.execute(delete(SubmissionRow).where(SubmissionRow.id == s.id))
                dropped.append(s.id)
                continue
            if other is not None:  # B's has no report: A's takes its place
                conn.execute(delete(SubmissionRow).where(SubmissionRow.id == other.id))
                dropped.append(other.id)
            conn.execute(update(SubmissionRow).where(SubmissionRow.id == s.id).values(unit_id=b.id))
            moved.append(s.id)
        return moved, dropped

    def _ancestors(self, conn, unit_id: int) -> set[int]:
        parents, out = self._parents(conn), set()
        p = parents.get(unit_id)
        while p is not None and p not in out:
            out.add(p)
            p = parents.get(p)
        return out

    def _lock_unit(self, conn, unit_id: int):
        row = conn.execute(select(UnitRow).where(UnitRow.id == unit_id).with_for_update()).first()
        if row is None:
            raise CycleError(f"单位不存在（编号 {unit_id}）。")
        return row

    def _admin(self, user: dict | None) -> dict:
        from fazhi.cycle.errors import AccessDenied

        actor = self._require(user)
        if actor["role"] != "admin":
            raise AccessDenied("只有管理员可以进行此操作。")
        return actor

    # ------------------------------------------------------------ roles
    def set_role(self, user: dict | None, username: str, role: str, unit_id: int | None = None) -> dict:
        """Change an account's role (admins): admin (no unit), reviewer (optionally attached to an office
        unit: then it sees that branch), unit (its unit required). The last active admin keeps the role."""
        actor = self._admin(user)
        if role not in ROLES:
            raise CycleError(f"未知角色“{role}”（可用：{'、'.join(ROLES)}）。")
        if role == "admin":
            unit_id = None
        if role == "unit" and unit_id is None:
            raise CycleError("报送单位账号需要指定所属单位。")
        with self.engine.begin() as conn:
            row = conn.execute(select(UserRow).where(UserRow.username == username).with_for_update()).first()
            if row is None:
                raise CycleError(f"用户“{username}”不存在。")
            if unit_id is not None:
                unit = conn.execute(select(UnitRow).where(UnitRow.id == unit_id)).first()
                if unit is None:
                    raise CycleError(f"单位不存在（编号 {unit_id}）。")
                if role == "reviewer" and not unit.is_office:
                    raise CycleError(f"“{unit.name}”不是审查机构（法治办），审查人员只能挂在审查机构下。")
                if role == "unit" and unit.merged_into_id is not None:
                    raise CycleError(f"“{unit.name}”已并入其他单位，请选择合并后的单位。")
            if row.role == "admin" and role != "admin" and row.active:
                admins = conn.execute(select(func.count()).select_from(UserRow).where(
                    UserRow.role == "admin", UserRow.active.is_(True))).scalar_one()
                if admins <= 1:
                    raise CycleError("这是最后一个启用的管理员账号，不能取消其管理员角色。")
            before = {"role": row.role, "unit_id": row.unit_id}
            if before != {"role": role, "unit_id": unit_id}:
                conn.execute(update(UserRow).where(UserRow.id == row.id).values(role=role, unit_id=unit_id))
                self._audit(conn, actor, "user.role", f"user:{row.id}",
                            {"username": username, "from": before, "to": {"role": role, "unit_id": unit_id}})
        return self.user(row.id)

    def unit_of_report_versions(self, report_id: int) -> int | None:
        """The unit whose submission holds report `report_id` (None: not filed)."""
        with self.engine.connect() as conn:
            return conn.execute(select(SubmissionRow.unit_id).join(VersionRow, VersionRow.submission_id ==
                                                                   SubmissionRow.id)
                                .where(VersionRow.report_id == report_id).limit(1)).scalar()
