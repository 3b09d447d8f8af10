"""`fazhi corpus add | list | show | remove | reanalyze | reindex | table | report | diff`.

Every subcommand takes `--db URL_OR_PATH` (default: $FAZHI_DB, else sqlite:///fazhi.db in the
working directory). Errors are one Chinese line on stderr, never a traceback; exit status 2
when any file or the database failed. Also runnable alone: `python -m fazhi.corpus.cli add DIR`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FAIL = 0, 2


def add_corpus_commands(subparsers) -> argparse.ArgumentParser:
    """Add the `corpus` command and its subcommands to an argparse subparsers object."""
    c = subparsers.add_parser("corpus", help="报告库：入库、查看、重复内容、表格导出、仪表板、逐年对比")
    sub = c.add_subparsers(dest="corpus_command", required=True)
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", help="数据库（SQLAlchemy URL 或 .db 文件；默认 $FAZHI_DB 或 ./fazhi.db）")
    a = sub.add_parser("add", parents=[db], help="分析报告并入库（文件或文件夹；已入库的跳过）")
    a.add_argument("paths", nargs="+", type=Path, help="报告文件或文件夹")
    a.add_argument("--max-mb", type=float, default=50, help="单个文件大小上限（MB，默认 50）")
    a.add_argument("--no-ocr", action="store_true", help="扫描件（没有文字层的 PDF 页面）不做文字识别，直接报错")
    a.add_argument("--workers", type=int, default=0, help="并行分析的进程数（默认：CPU 核数）")
    a.add_argument("--batch", type=int, default=50, help="每批写入的报告数（一批一个事务，默认 50）")
    a.add_argument("--dask", metavar="ADDRESS", help="在 Dask 集群上分析（调度器地址，如 tcp://10.0.0.5:8786；local 在本机启动）")
    a.add_argument("--match", choices=("auto", "each", "end"), default="auto",
                   help="查重时机：each 逐份入库时查重；end 全部入库后统一查重（大批量快数倍）；"
                        "auto（默认）1000 份以上用 end")
    a.set_defaults(func=cmd_add)
    ls = sub.add_parser("list", parents=[db], help="列出库中报告")
    ls.add_argument("--json", action="store_true", help="输出 JSON")
    ls.set_defaults(func=cmd_list)
    sh = sub.add_parser("show", parents=[db], help="查看一份报告及其与库中其他报告的重复内容")
    sh.add_argument("id", type=int, help="报告编号（见 list）")
    sh.add_argument("--json", action="store_true", help="输出 JSON")
    sh.set_defaults(func=cmd_show)
    rm = sub.add_parser("remove", parents=[db], help="从库中删除报告")
    rm.add_argument("ids", type=int, nargs="+", help="报告编号")
    rm.set_defaults(func=cmd_remove)
    re_ = sub.add_parser("reanalyze", parents=[db], help="用当前版本重新分析旧版本分析的报告")
    re_.add_argument("--all", action="store_true", help="重新分析全部报告")
    re_.set_defaults(func=cmd_reanalyze)
    ri = sub.add_parser("reindex", parents=[db], help="按当前版本的指纹参数重建查重索引（不重新分析）")
    ri.add_argument("--force", action="store_true", help="参数未变也重建")
    ri.set_defaults(func=cmd_reindex)
    lk = sub.add_parser("links", parents=[db], help="全库一次算出所有重复段落（按指纹分桶分组；可在 Dask 集群上运行）")
    lk.add_argument("--dask", metavar="ADDRESS", help="在 Dask 集群上计算（调度器地址；local 在本机启动）")
    lk.add_argument("--workers", type=int, default=0, help="并行核对的进程数（或 --dask local 的进程数；默认：CPU 核数）")
    lk.set_defaults(func=cmd_links)
    from fazhi.corpus.cli_tables import register as _tables; _tables(sub, db)  # noqa: E702
    from fazhi.corpus.cli_diff import register as _diff; _diff(sub, db)  # noqa: E702
    return c


def _err(msg: str, console=None) -> None:
    if console is not None:
        console.print(msg, markup=False, highlight=False, soft_wrap=True)
    else:
        print(msg, file=sys.stderr)


def _open(args, create: bool):
    """The corpus, or None after one error line."""
    from fazhi.corpus.store import open_corpus
    from fazhi.errors import FazhiError

    try:
        return open_corpus(args.db, create=create)
    except FazhiError as e:
        _err(f"错误：{e}")
    except Exception as e:  # noqa: BLE001 - a driver error is one line, not a traceback
        from fazhi.corpus.database import failure_line

        _err(f"错误：无法打开语料库：{failure_line(e)}")
    return None


def _progress(total: int, rate: bool = False):
    """A progress bar on stderr (with files per second and elapsed time when `rate`), ETA last."""
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:  # noqa: ANN001
            per_s = task.completed / task.elapsed if task.elapsed else 0.0
            return Text(f"{per_s:.1f} 份/秒", style="progress.data.speed")

    cols = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    if rate:
        cols += [RateColumn(), TimeElapsedColumn()]
    return Progress(*cols, TimeRemainingColumn(), console=Console(stderr=True), transient=True, disable=total <= 1)


STORE_HINT = "腾出磁盘空间或恢复数据库可写后，重新运行同一命令即可从中断处继续"


def cmd_add(args: argparse.Namespace) -> int:
    from fazhi.corpus import report_files
    from fazhi.corpus.build import build, match_mode, worker_options
    from fazhi.errors import FazhiError

    corpus = _open(args, create=True)
    if corpus is None:
        return EXIT_FAIL
    files = report_files(args.paths)
    try:
        runner = _runner(args, len(files))
    except FazhiError as e:
        _err(f"错误：{e}")
        corpus.close()
        return EXIT_FAIL
    progress = _progress(len(files), rate=True)
    stats = None
    try:
        with progress, runner:
            task = progress.add_task("入库中", total=len(files))

            def on_file(path: str, outcome: str, reason: str | None) -> None:
                if outcome == "failed":
                    _err(f"错误：{path}：{reason}", progress.console)
                progress.advance(task)

            def on_link() -> None:
                progress.update(task, description="统一查重中", total=None)

            opts = worker_options(corpus, runner, max_bytes=int(args.max_mb * 1024 * 1024), ocr=not args.no_ocr)
            stats = build(corpus, files, runner, opts, batch=args.batch, on_file=on_file,
                          match=match_mode(args.match, len(files)), on_link=on_link)
            if stats.stopped:
                _err(f"错误：{stats.stopped}，已停止入库（已入库的报告完好；{STORE_HINT}）", progress.console)
            if stats.link_failed:
                _err(f"错误：{stats.link_failed}", progress.console)
    finally:
        if stats is not None:
            print(f"新入库 {stats.added} 份，已存在跳过 {stats.skipped} 份，失败 {stats.failed} 份", file=sys.stderr)
            if stats.linked:
                print(f"统一查重 {stats.linked} 份（用时 {stats.link_s:.1f} 秒）", file=sys.stderr)
        corpus.close()
    return EXIT_FAIL if stats is None or stats.failed or stats.stopped or stats.link_failed else EXIT_OK


def _runner(args: argparse.Namespace, n_files: int):
    """Where files are analysed: --dask ADDRESS|local, else a pool of --workers processes (one
    process when there is a single file or an in-memory database)."""
    from fazhi.corpus.parallel import Runner

    if args.dask:
        return Runner.dask(args.dask, args.workers)
    workers = args.workers or os.cpu_count() or 1
    if n_files <= 1 or workers <= 1:
        return Runner.inline()
    return Runner.local(min(workers, n_files))


def cmd_list(args: argparse.Namespace) -> int:
    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    with corpus:
        rows = corpus.rows(("id", "report_year", "issuer", "level", "format", "path", "engine_version"))
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    t = Table("编号", "年度", "报告主体", "层级", "格式", "文件")
    for r in rows:
        t.add_row(str(r["id"]), str(r["report_year"] or "—"), r["issuer"] or "—", r["level"] or "—",
                  r["format"] or "—", r["path"])
    Console().print(t)
    print(f"共 {len(rows)} 份报告", file=sys.stderr)
    return EXIT_OK


KIND_LABEL = {"copying": "与其他单位重复", "recycling": "与本单位其他年度重复", "template": "模板/套话"}


def cmd_show(args: argparse.Namespace) -> int:
    from fazhi.corpus.copies import copy_ratios, match_stored

    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    with corpus:
        row = corpus.get(args.id)
        if row is None:
            _err(f"错误：库中没有编号为 {args.id} 的报告")
            return EXIT_FAIL
        copies = match_stored(corpus, args.id)
        n_units = corpus.paragraph_count(args.id)
    ratios = copy_ratios(copies, row["body_chars"])
    if args.json:
        meta = {k: v for k, v in row.items() if k not in ("text", "analysis", "added_at", "analyzed_at", "copies_at")}
        meta.update(added_at=str(row["added_at"]), analyzed_at=str(row["analyzed_at"]), units=n_units)
        json.dump({"report": meta, "ratios": ratios, "copies": copies}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    from rich.console import Console

    con = Console(highlight=False)
    con.print(f"[bold]#{row['id']}[/] {row['title'] or '（无标题）'}", markup=True)
    for label, key in (("报告主体", "issuer"), ("年度", "report_year"), ("层级", "level"), ("文件", "path"),
                       ("成文日期", "sign_date"), ("发布时间", "publish_date"), ("分析版本", "engine_version")):
        con.print(f"{label}：{row[key] if row[key] is not None else '—'}", markup=False)
    con.print(f"指纹段落/句子：{n_units}", markup=False)
    con.print(f"重复比例：本单位往年 {ratios['recycling']:.1%}，其他单位 {ratios['copying']:.1%}，"
              f"模板 {ratios['template']:.1%}", markup=False)
    for c in copies:
        o = c["other"]
        snippet = row["text"][c["start"]:c["end"]].replace("\n", " ")
        snippet = snippet if len(snippet) <= 60 else snippet[:58] + "……"
        con.print(f"- [{KIND_LABEL[c['kind']]}] 相似度 {c['similarity']:.2f} {c['start']}–{c['end']}：{snippet}",
                  markup=False)
        con.print(f"    ↔ #{o['id']} {o['issuer'] or '—'} {o['year'] or ''} {o['path']} {o['start']}–{o['end']}",
                  markup=False)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    missing = 0
    with corpus:
        for rid in args.ids:
            if corpus.remove(rid):
                print(f"已删除 #{rid}", file=sys.stderr)
            else:
                missing += 1
                _err(f"错误：库中没有编号为 {rid} 的报告")
    return EXIT_FAIL if missing else EXIT_OK


def cmd_reanalyze(args: argparse.Namespace) -> int:
    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    done = failed = 0
    with corpus:
        todo = corpus.rows(("id", "path")) if args.all else corpus.stale()
        progress = _progress(len(todo))
        with progress:
            task = progress.add_task("重新分析", total=len(todo))
            for r in todo:
                try:
                    corpus.reanalyze(r["id"])
                    done += 1
                except Exception as e:  # noqa: BLE001 - one bad report must not stop the batch
                    failed += 1
                    reason = getattr(e, "reason", None) or e.__class__.__name__
                    _err(f"错误：#{r['id']} {r['path']}：{reason}", progress.console)
                progress.advance(task)
    print(f"重新分析 {done} 份，失败 {failed} 份", file=sys.stderr)
    return EXIT_FAIL if failed else EXIT_OK


def cmd_reindex(args: argparse.Namespace) -> int:
    from fazhi.corpus.fingerprint import DEFAULT_PARAMS

    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    with corpus:
        old = corpus.params
        if old == DEFAULT_PARAMS and not args.force:
            print("指纹参数与当前版本相同，无需重建（--force 强制重建）", file=sys.stderr)
            return EXIT_OK
        changed = "，".join(f"{k} {v}→{DEFAULT_PARAMS.to_dict()[k]}" for k, v in old.to_dict().items()
                           if DEFAULT_PARAMS.to_dict()[k] != v) or "无"
        total = corpus.size()
        progress = _progress(total)
        with progress:
            task = progress.add_task("重建索引", total=total)
            n = corpus.reindex(DEFAULT_PARAMS, progress=lambda k: progress.advance(task, k))
    print(f"已重建 {n} 份报告的查重索引（参数变化：{changed}）", file=sys.stderr)
    return EXIT_OK


def cmd_links(args: argparse.Namespace) -> int:
    """Every copy pair of the corpus recomputed at once and stored (replacing the stored ones)."""
    import time

    from fazhi.corpus.linkdask import links_dask
    from fazhi.corpus.links import links_local
    from fazhi.corpus.linkstore import highest_id, store_links
    from fazhi.corpus.parallel import Runner
    from fazhi.errors import FazhiError

    corpus = _open(args, create=False)
    if corpus is None:
        return EXIT_FAIL
    t0 = time.perf_counter()
    try:
        with corpus:
            upto = highest_id(corpus)
            if args.dask:
                with Runner.dask(args.dask, args.workers or None):
                    rows = links_dask(corpus, corpus.engine.url.render_as_string(hide_password=False))
            else:
                with Runner.local(args.workers or None) as runner:
                    rows = links_local(corpus, runner=runner)
            n = store_links(corpus, rows, upto=upto)
            corpus.ensure_copies()  # reports another writer stored meanwhile
            size = corpus.size()
    except FazhiError as e:
        _err(f"错误：{e}")
        return EXIT_FAIL
    except Exception as e:  # noqa: BLE001 - a store or cluster failure is one line
        from fazhi.corpus.database import failure_line

        _err(f"错误：计算重复段落失败：{failure_line(e)}")
        return EXIT_FAIL
    print(f"已算出 {size} 份报告间的重复段落 {n} 处（用时 {time.perf_counter() - t0:.1f} 秒）", file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """`python -m fazhi.corpus.cli add ...` is `fazhi corpus add ...` (its own parser: this module
    does not import fazhi.cli, which imports it)."""
    parser = argparse.ArgumentParser(prog="python -m fazhi.corpus.cli")
    add_corpus_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["corpus", *(argv if argv is not None else sys.argv[1:])])
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
