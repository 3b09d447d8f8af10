"""`fazhi corpus table KIND [-o FILE]` and `fazhi corpus report -o dashboard.html`.

    fazhi corpus table indicators                     # print (wide tables cut to the terminal)
    fazhi corpus table scores --year 2023 -o 评分.xlsx  # .csv .xlsx .parquet .json
    fazhi corpus report -o dashboard.html             # one self-contained HTML file

Errors are one Chinese line on stderr and exit status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fazhi.corpus.cli import EXIT_FAIL, EXIT_OK, _err, _open

KINDS = ("indicators", "areas", "scores", "findings", "findings-long")
MAX_PRINT_ROWS = 100
CELL_MAX = 24
KEEP_IDENTITY = ("编号", "单位", "年度", "层级")


def register(sub, db_parent) -> None:
    """Add `table` and `report` to the corpus subparsers (`db_parent` carries --db)."""
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--year", type=int, help="只取该年度的报告")
    filters.add_argument("--level", help="只取该层级的报告（省、地市、区县、乡镇街道、部门）")
    t = sub.add_parser("table", parents=[db_parent, filters], help="跨报告表格：指标、领域覆盖、评分、问题（可导出）")
    t.add_argument("kind", choices=KINDS, help="indicators 指标 | areas 纲要领域 | scores 评分 | findings 问题统计"
                                               " | findings-long 问题明细")
    t.add_argument("-o", "--output", type=Path, help="导出文件（.csv .xlsx .parquet .json）")
    t.add_argument("--agg", choices=("first", "max", "sum", "count"), default="first",
                   help="indicators：同一报告同一口径出现多次时取第一次(first，默认)、最大(max)、合计(sum)或次数(count)")
    t.set_defaults(func=cmd_table)
    r = sub.add_parser("report", parents=[db_parent, filters], help="生成单文件 HTML 仪表板（离线可打开）")
    r.add_argument("-o", "--output", type=Path, required=True, help="输出的 .html 文件")
    r.set_defaults(func=cmd_report)


def cmd_table(args: argparse.Namespace) -> int:
    from fazhi.corpus.export import FORMATS
    from fazhi.errors import FazhiError

    out: Path | None = args.output
    if out is not None and out.suffix.lower() not in FORMATS:
        _err(f"错误：无法导出到 {out}：不支持的文件类型“{out.suffix or '（无后缀）'}”（可用 {' '.join(FORMATS)}）")
        return EXIT_FAIL
    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    from fazhi.corpus.tables import corpus_table, select_ids

    try:
        with corpus:
            ids = select_ids(corpus, args.year, args.level)
            table = corpus_table(corpus, args.kind, ids, agg=args.agg)
        if out is not None:
            from fazhi.corpus.export import write_table

            write_table(table, out)
            print(f"已写入 {out}：{table.name}，{len(table.rows)} 行，{len(table.columns)} 列", file=sys.stderr)
            return EXIT_OK
    except FazhiError as e:
        _err(f"错误：{e}")
        return EXIT_FAIL
    if not table.rows:
        _err("库中没有符合条件的报告")
        return EXIT_OK
    print_table(table)
    return EXIT_OK


def _display_width(s: str) -> int:
    from rich.cells import cell_len

    return cell_len(s)


def _cell(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    s = str(v).replace("\n", " ")
    if _display_width(s) <= CELL_MAX:
        return s
    while _display_width(s) > CELL_MAX - 1:
        s = s[:-1]
    return s + "…"


def _col_width(header: str, values: list) -> int:
    """Content width of a column: its widest cell, or half its header (a long header wraps)."""
    return max([(_display_width(header) + 1) // 2, 4] + [_display_width(_cell(v)) for v in values])


def fit_columns(table, width: int, rows: list[list]) -> list[int]:
    """Indexes of the columns to print: 编号 单位 年度 层级, then data columns while they fit."""
    shown: list[int] = []
    used = 1
    ident = {c for c in table.keys[:8]} if table.keys else set()
    for i, name in enumerate(table.columns):
        if table.keys and table.keys[i] in ident and name not in KEEP_IDENTITY:
            continue
        w = _col_width(name, [r[i] for r in rows]) + 3
        if name in KEEP_IDENTITY or used + w <= width:
            shown.append(i)
            used += w
        elif name not in KEEP_IDENTITY:
            break
    return shown


def print_table(table, console=None) -> None:
    """Print with rich: the rows that fit MAX_PRINT_ROWS and the columns that fit the terminal."""
    from rich.console import Console
    from rich.table import Table as RichTable

    con = console or Console()
    rows = table.rows[:MAX_PRINT_ROWS]
    shown = fit_columns(table, max(con.width, 60), rows)
    t = RichTable(title=f"{table.name}（{len(table.rows)} 份报告）" if table.keys[8:9] != ["seq"] else
                  f"{table.name}（{len(table.rows)} 处）", title_justify="left", header_style="bold")
    for i in shown:
        numeric = any(isinstance(r[i], (int, float)) and not isinstance(r[i], bool) for r in rows)
        t.add_column(table.columns[i], justify="right" if numeric else "left",
                     width=_col_width(table.columns[i], [r[i] for r in rows]), overflow="fold")
    for r in rows:
        t.add_row(*(_cell(r[i]) for i in shown))
    con.print(t)
    left_cols = len(table.columns) - len(shown)
    left_rows = len(table.rows) - len(rows)
    notes = []
    if left_cols:
        ident = set(table.columns[:8])
        hidden = sorted((c for i, c in enumerate(table.columns) if i not in set(shown)), key=lambda c: c in ident)
        names = "、".join(hidden[:6]) + ("等" if len(hidden) > 6 else "")
        notes.append(f"另有 {left_cols} 列未显示（{names}）")
    if left_rows:
        notes.append(f"另有 {left_rows} 行未显示")
    if notes:
        print("；".join(notes) + "。用 -o 表格.xlsx（或 .csv .parquet .json）导出完整表格。", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from fazhi.errors import FazhiError

    out: Path = args.output
    if out.suffix.lower() not in (".html", ".htm"):
        _err(f"错误：无法写入 {out}：仪表板须为 .html 文件")
        return EXIT_FAIL
    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    from fazhi.corpus.tables import select_ids
    from fazhi.render.dashboard import write_dashboard

    try:
        with corpus:
            ids = select_ids(corpus, args.year, args.level)
            if not ids:
                _err("错误：库中没有符合条件的报告")
                return EXIT_FAIL
            write_dashboard(corpus, out, ids)
    except FazhiError as e:
        _err(f"错误：{e}")
        return EXIT_FAIL
    print(f"已写入 {out}：{len(ids)} 份报告的仪表板", file=sys.stderr)
    return EXIT_OK
