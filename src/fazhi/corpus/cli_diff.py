"""`fazhi corpus diff ID [--previous ID2] [-o diff.html]`: a report against the same unit's previous year.

Without -o: a summary (recycling ratio, paragraphs same / changed / new / removed, the first
numbers that changed, old -> new). With -o: the side-by-side HTML page, written atomically.
Exit status 2, with one Chinese line, when the report is not stored or has no earlier report.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

EXIT_OK, EXIT_FAIL = 0, 2
SHOW_NUMBERS = 10


def register(sub, db_parent) -> None:
    """Add `diff` to the corpus subparsers (db_parent carries --db)."""
    d = sub.add_parser("diff", parents=[db_parent], help="与本单位上一年度报告逐段对比（沿用、修改、新增、删除）")
    d.add_argument("id", type=int, help="报告编号（见 list）")
    d.add_argument("--previous", type=int, metavar="ID2",
                   help="与之对比的报告编号（默认：同一单位最近的上一年度报告）")
    d.add_argument("-o", "--output", type=Path, help="写出并排对比网页（.html）")
    d.set_defaults(func=cmd_diff)


def cmd_diff(args: argparse.Namespace) -> int:
    from fazhi.corpus.cli import _err, _open

    if args.output is not None and (args.output.is_dir() or not args.output.parent.is_dir()):
        _err(f"错误：{args.output}：{'是一个文件夹，请给出文件名' if args.output.is_dir() else '所在文件夹不存在'}")
        return EXIT_FAIL
    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    with corpus:
        diff, problem = _diff(corpus, args.id, args.previous)
    if diff is None:
        _err(f"错误：{problem}")
        return EXIT_FAIL
    if args.output is None:
        _summary(diff)
        return EXIT_OK
    from fazhi.render.compare import side_by_side_html
    from fazhi.review.cli import write_atomic

    try:
        write_atomic(args.output, side_by_side_html(diff).encode("utf-8"))
    except OSError as e:
        _err(f"错误：{args.output}：无法写入（{e.strerror or e.__class__.__name__}）")
        return EXIT_FAIL
    c = diff.counts()
    print(f"已写入 {args.output}：沿用比例 {diff.ratio:.1%}，沿用 {c['same']} 段，修改 {c['changed']} 段，"
          f"新增 {c['new']} 段，删除 {c['removed']} 段", file=sys.stderr)
    return EXIT_OK


def _diff(corpus, rid: int, previous: int | None):
    """(YoyDiff, None) or (None, the reason in Chinese)."""
    from fazhi.corpus.copies import match_stored
    from fazhi.corpus.yoy import year_over_year

    row = corpus.rows(("id", "issuer", "path", "report_year"), id=rid)
    if not row:
        return None, f"库中没有编号为 {rid} 的报告"
    if previous is not None and not corpus.rows(("id",), id=previous):
        return None, f"库中没有编号为 {previous} 的报告"
    if previous == rid:
        return None, "不能与报告自身对比，请用 --previous 指定另一份报告"
    me = row[0]
    name = f"#{rid}（{me['issuer'] or me['path']}）"
    if previous is None and me["report_year"] is None:
        return None, f"{name}未识别出报告年度，无法查找上一年度报告，请用 --previous 指定"
    diff = year_over_year(corpus, rid, previous, copies=match_stored(corpus, rid))
    if diff is None:
        return None, f"{name}在库中没有同一单位更早年度的报告，无法逐年对比（可用 --previous 指定）"
    return diff, None


def _summary(diff) -> None:
    from rich.console import Console

    con = Console(highlight=False, soft_wrap=True)
    a, b = diff.previous, diff.this
    con.print(f"[bold]#{b.id} {b.issuer or '—'} {b.year or '—'}年度[/] 对比 "
              f"[bold]#{a.id} {a.issuer or '—'} {a.year or '—'}年度[/]", markup=True)
    if not diff.same_unit:
        con.print("注意：两份报告不属于同一单位", markup=False)
    c = diff.counts()
    con.print(f"沿用比例：{diff.ratio:.1%}（本年度正文 {b.body_end - b.body_start} 字中 {diff.recycled_chars} 字"
              f"与上一年度重复）", markup=False)
    con.print(f"段落：沿用 {c['same']}，修改 {c['changed']}，新增 {c['new']}，删除 {c['removed']}", markup=False)
    nums = diff.number_changes()
    years = [c for c in nums if _year_shift(c.old_text, c.new_text)]
    figures = [c for c in nums if c not in years]
    if years:
        con.print(f"年份顺延 {len(years)} 处（如 {years[0].old_text} → {years[0].new_text}）", markup=False)
    if figures:
        more = f"，前 {SHOW_NUMBERS} 处" if len(figures) > SHOW_NUMBERS else ""
        con.print(f"其他数字变化 {len(figures)} 处{more}（上一年度 → 本年度）：", markup=False)
        for ch in figures[:SHOW_NUMBERS]:
            con.print(f"  {ch.old_text} → {ch.new_text}  …{_context(b.text, ch.new_start, ch.new_end)}…"
                      f"  （{ch.new_start}–{ch.new_end}）", markup=False)


def _year_shift(old: str, new: str) -> bool:
    """2023 -> 2024: a year moved on with the report, not a changed figure."""
    return bool(re.fullmatch(r"(?:19|20)\d\d", old) and re.fullmatch(r"(?:19|20)\d\d", new)
                and int(new) - int(old) == 1)


def _context(text: str, s: int, e: int, n: int = 12) -> str:
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    line_end = len(text) if line_end < 0 else line_end
    return text[max(line_start, s - n):min(line_end, e + n)]
