"""Office settings kept in the `settings` table as JSON values (mixed into Cycle).

Known keys: "two_step_review" (bool: 初审 → 复审), "smtp" ({host, port, sender, username, password,
starttls}: e-mail for 催报 and messages; absent: in-app only)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fazhi.cycle.models_office import SettingRow


class SettingsMixin:
    engine: Any

    def setting(self, key: str, default: Any = None) -> Any:
        with self.engine.connect() as conn:
            row = conn.execute(select(SettingRow.value).where(SettingRow.key == key)).first()
        return default if row is None or row.value is None else row.value

    def set_setting(self, key: str, value: Any, *, by: dict | None = None) -> None:
        from fazhi.cycle.accounts import now

        with self.engine.begin() as conn:
            found = conn.execute(select(SettingRow.key).where(SettingRow.key == key).with_for_update()).first()
            if found is None:
                conn.execute(SettingRow.__table__.insert(), {"key": key, "value": value, "updated_at": now()})
            else:
                conn.execute(SettingRow.__table__.update().where(SettingRow.key == key),
                             {"value": value, "updated_at": now()})
            shown = "（已设置）" if key == "smtp" else value  # never audit a password
            self._audit(conn, by, "setting", f"setting:{key}", {"value": shown})
