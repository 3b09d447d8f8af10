"""`fazhi user | unit | period | cycle status` (registered by `add_cycle_commands`).

    fazhi user add li --reviewer                 # password: --password, $FAZHI_PASSWORD, or asked twice
    fazhi user add admin --admin
    fazhi user add hj --unit 中共蓬溪县红江镇委员会
    fazhi unit add 某某县人民政府 --level 区县
    fazhi period add 2025 --deadline 区县=2026-02-28
    fazhi cycle status 2025                      # who submitted, who is late

Every subcommand takes `--db URL_OR_PATH` (default $FAZHI_DB, else ./fazhi.db). Errors are one
Chinese line on stderr and exit status 2. Plain passwords are never printed or logged.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC

EXIT_OK, EXIT_FAIL = 0, 2
ENV_PASSWORD = "FAZHI_PASSWORD"


def add_cycle_commands(subparsers) -> None:
    """Add `user`, `unit`, `period` and `cycle` to an argparse subparsers object."""
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", help="数据库（SQLAlchemy URL 或 .db 文件；默认 $FAZHI_DB 或 ./fazhi.db）")
    js = argparse.ArgumentParser(add_help=False)
    js.add_argument("--json", action="store_true", help="输出 JSON")

    u = subparsers.add_parser("user", help="账号：管理员、审核人员、报送单位").add_subparsers(
        dest="user_command", required=True)
    a = u.add_parser("add", parents=[db], help="新建账号")
    a.add_argument("name", help="用户名")
    role = a.add_mutually_exclusive_group()
    role.add_argument("--admin", action="store_true", help="管理员")
    role.add_argument("--reviewer", action="store_true", help="审核人员（可查看、审核全部报告）")
    role.add_argument("--unit", metavar="UNIT_NAME", help="报送单位账号，所属单位名称（落款）")
    a.add_argument("--password", help=f"密码（也可用环境变量 {ENV_PASSWORD}；都没有时提示输入两次）")
    a.add_argument("--display-name", help="显示名称")
    a.set_defaults(func=cmd_user_add)
    u.add_parser("list", parents=[db, js], help="列出账号").set_defaults(func=cmd_user_list)
    pw = u.add_parser("passwd", parents=[db], help="重设密码")
    pw.add_argument("name", help="用户名")
    pw.add_argument("--password", help=f"新密码（也可用环境变量 {ENV_PASSWORD}）")
    pw.set_defaults(func=cmd_user_passwd)
    for verb, active, label in (("disable", False, "停用账号"), ("enable", True, "启用账号")):
        d = u.add_parser(verb, parents=[db], help=label)
        d.add_argument("name", help="用户名")
        d.set_defaults(func=cmd_user_active, active=active)

    n = subparsers.add_parser("unit", help="报送单位").add_subparsers(dest="unit_command", required=True)
    a = n.add_parser("add", parents=[db], help="新建报送单位（已有时更新层级）")
    a.add_argument("name", help="单位名称（与报告落款一致）")
    a.add_argument("--level", help="层级：省、地市、区县、乡镇街道、部门")
    a.set_defaults(func=cmd_unit_add)
    n.add_parser("list", parents=[db, js], help="列出报送单位").set_defaults(func=cmd_unit_list)

    p = subparsers.add_parser("period", help="报送年度与截止日期").add_subparsers(dest="period_command",
                                                                              required=True)
    a = p.add_parser("add", parents=[db], help="新建报送年度（截止日期默认取评分细则）")
    a.add_argument("year", type=int, help="报告所属年度（如 2025，次年报送）")
    a.add_argument("--deadline", action="append", default=[], metavar="LEVEL=YYYY-MM-DD",
                   help="某一层级的截止日期，可重复")
    a.set_defaults(func=cmd_period_add)
    p.add_parser("list", parents=[db, js], help="列出报送年度").set_defaults(func=cmd_period_list)

    c = subparsers.add_parser("cycle", help="报送情况").add_subparsers(dest="cycle_command", required=True)
    s = c.add_parser("status", parents=[db, js], help="某年度各单位的报送状态与逾期情况")
    s.add_argument("year", type=int, help="报告所属年度")
    s.add_argument("--today", help="按此日期计算逾期（YYYY-MM-DD，默认今天）")
    s.set_defaults(func=cmd_cycle_status)


def _err(msg: str) -> int:
    print(f"错误：{msg}", file=sys.stderr)
    return EXIT_FAIL


def _cycle(args):
    """A Cycle on the database, or None after one error line."""
    from fazhi.corpus.database import failure_line
    from fazhi.corpus.store import open_corpus
    from fazhi.errors import FazhiError

    try:
        from fazhi.cycle.audit import use_cli_actor
        from fazhi.cycle.service import Cycle

        use_cli_actor()  # audit rows name the operating-system user
        return Cycle(open_corpus(args.db))
    except FazhiError as e:
        _err(str(e))
    except Exception as e:  # noqa: BLE001 - a driver error is one line, not a traceback
        _err(f"无法打开数据库：{failure_line(e)}")
    return None


def _run(args, body) -> int:
    from fazhi.errors import FazhiError

    cycle = _cycle(args)
    if cycle is None:
        return EXIT_FAIL
    try:
        return body(cycle)
    except FazhiError as e:
        return _err(str(e))
    except Exception as e:  # noqa: BLE001 - disk full, read-only store ...: one line
        from fazhi.corpus.database import store_error

        reason = store_error(e)
        if reason is None:
            raise
        return _err(reason)
    finally:
        cycle.corpus.close()


def _password(args) -> str | None:
    """From --password, $FAZHI_PASSWORD, or the terminal (asked twice); None after an error line."""
    if args.password:
        return args.password
    if os.environ.get(ENV_PASSWORD):
        return os.environ[ENV_PASSWORD]
    if not sys.stdin.isatty():
        _err(f"请用 --password 或环境变量 {ENV_PASSWORD} 给出密码（当前不是交互终端）。")
        return None
    import getpass

    try:
        first = getpass.getpass("密码：")
        again = getpass.getpass("再输入一次：")
    except (EOFError, KeyboardInterrupt):
        _err("已取消。")
        return None
    if first != again:
        _err("两次输入的密码不一致。")
        return None
    return first


def _table(headers: list[str], rows: list[list]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(*headers)
    for r in rows:
        t.add_row(*("—" if v is None or v == "" else str(v) for v in r))
    Console().print(t)


def _local(utc_naive) -> str:

    from fazhi.cycle.deadlines import CN_TZ

    return utc_naive.replace(tzinfo=UTC).astimezone(CN_TZ).strftime("%Y-%m-%d %H:%M")


def _dump(data) -> int:
    json.dump(data, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return EXIT_OK


def cmd_user_add(args) -> int:
    role = "admin" if args.admin else "reviewer" if args.reviewer else "unit" if args.unit else None
    if role is None:
        return _err("请指定角色：--admin、--reviewer 或 --unit 单位名称。")
    password = _password(args)
    if password is None:
        return EXIT_FAIL

    def body(cycle) -> int:
        u = cycle.add_user(args.name, password, role, unit_name=args.unit, display_name=args.display_name)
        from fazhi.cycle.status import ROLES

        where = f"（{u['unit_name']}）" if u["unit_name"] else ""
        print(f"已创建账号 {u['username']}：{ROLES[role]}{where}", file=sys.stderr)
        return EXIT_OK

    return _run(args, body)


def cmd_user_list(args) -> int:
    from fazhi.cycle.status import ROLES

    def body(cycle) -> int:
        users = cycle.users()
        if args.json:
            return _dump(users)
        _table(["编号", "用户名", "角色", "所属单位", "显示名称", "状态"],
               [[u["id"], u["username"], ROLES[u["role"]], u["unit_name"], u["display_name"],
                 "启用" if u["active"] else "停用"] for u in users])
        return EXIT_OK

    return _run(args, body)


def cmd_user_passwd(args) -> int:
    password = _password(args)
    if password is None:
        return EXIT_FAIL

    def body(cycle) -> int:
        cycle.set_password(args.name, password)
        print(f"已重设 {args.name} 的密码", file=sys.stderr)
        return EXIT_OK

    return _run(args, body)


def cmd_user_active(args) -> int:
    def body(cycle) -> int:
        cycle.set_active(args.name, args.active)
        print(f"已{'启用' if args.active else '停用'}账号 {args.name}", file=sys.stderr)
        return EXIT_OK

    return _run(args, body)


def cmd_unit_add(args) -> int:
    def body(cycle) -> int:
        u = cycle.add_unit(args.name, level=args.level)
        print(f"报送单位 #{u['id']} {u['name']}（{u['level'] or '层级未定'}）", file=sys.stderr)
        return EXIT_OK

    return _run(args, body)


def cmd_unit_list(args) -> int:
    def body(cycle) -> int:
        units = cycle.units()
        if args.json:
            return _dump(units)
        _table(["编号", "单位", "层级", "单位标识"], [[u["id"], u["name"], u["level"], u["unit_key"]] for u in units])
        return EXIT_OK

    return _run(args, body)


def cmd_period_add(args) -> int:
    deadlines: dict[str, str] = {}
    for item in args.deadline:
        level, sep, day = item.partition("=")
        if not sep or not level.strip() or not day.strip():
            return _err(f"截止日期“{item}”应写作 层级=YYYY-MM-DD（如 区县=2026-03-01）。")
        deadlines[level.strip()] = day.strip()

    def body(cycle) -> int:
        p = cycle.add_period(args.year, deadlines or None)
        days = "，".join(f"{lv} {d}" for lv, d in p["deadlines"].items())
        print(f"{p['year']} 年度报送截止日期：{days}", file=sys.stderr)
        return EXIT_OK

    return _run(args, body)


def cmd_period_list(args) -> int:
    def body(cycle) -> int:
        periods = cycle.periods()
        if args.json:
            return _dump(periods)
        _table(["年度", "截止日期"], [[p["year"], "，".join(f"{lv} {d}" for lv, d in p["deadlines"].items())]
                                  for p in periods])
        return EXIT_OK

    return _run(args, body)


def _late_cell(row: dict) -> str:
    if not row["lateness_tracked"]:
        return "不计"
    return f"逾期 {row['days_late']} 天" if row["late"] else "否"


def _untracked_note(year: int, rows: list[dict], periods: list[dict]) -> str:
    """Why some units' lateness is not counted (a past year recorded afterwards, or no period)."""
    if all(r["lateness_tracked"] for r in rows):
        return ""
    if not any(p["year"] == year for p in periods):
        return f"（未设立 {year} 年度报送，不计逾期；设立：fazhi period add {year}）"
    return "（该年度报送在截止日期之后才设立，属往年补录，不计逾期）"


def cmd_cycle_status(args) -> int:
    from datetime import date

    today = None
    if args.today:
        try:
            today = date.fromisoformat(args.today)
        except ValueError:
            return _err(f"日期“{args.today}”无效，应写作 YYYY-MM-DD。")

    def body(cycle) -> int:
        rows = cycle.overview(args.year, today=today)
        if args.json:
            return _dump(rows)
        _table(["单位", "层级", "状态", "截止日期", "首次提交", "逾期"],
               [[r["unit_name"], r["level"], r["status_label"], r["deadline"],
                 _local(r["submitted_at"]) if r["submitted_at"] else None, _late_cell(r)] for r in rows])
        late = sum(r["late"] for r in rows)
        missing = sum(r["submission_id"] is None for r in rows)
        print(f"{args.year} 年度：{len(rows)} 个单位，未提交 {missing} 个，逾期 {late} 个"
              f"{_untracked_note(args.year, rows, cycle.periods())}", file=sys.stderr)
        return EXIT_OK

    return _run(args, body)
