"""pandas and Dask views of a corpus for researchers, and Parquet datasets of its tables.

    corpus = fazhi.open_corpus("fazhi.db")
    scores = corpus.table("scores")                           # a pandas DataFrame, one row per report
    for part in corpus.table("indicators", chunksize=1000):   # 1,000 reports at a time
        ...
    corpus.to_parquet("表格")                                  # 表格/scores/year=2023/part-0.parquet ...
    ddf = corpus.dask_table("findings")                       # pip install 'fazhi[dask]'

Kinds: the tables of `fazhi corpus table` (fazhi.corpus.tables) and "reports" (every report's identity
and metadata, no text). Columns are machine keys (`headers="keys"`: id issuer report_year level ...) or
the Chinese headers (`headers="zh"`). Dtypes are fixed per column key, never guessed from the values:
nullable Int64 / Float64 / boolean / string (empty = <NA>), datetimes for timestamps.

Chunks (`chunksize=N`, `to_parquet`, `dask_table`) all have the whole table's columns: the indicators,
areas, scores and findings columns depend on the reports selected, so a first pass fixes them, keeping
only the part of each stored analysis that decides them (measures and units, 纲要 scheme, score items,
rules; the analyses are unpacked one batch at a time, never all held). A chunk is widened to that set (a rule it
lacks counts 0, a measure or area is empty), so concatenated chunks equal `table(kind)`, index included.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

KINDS_ALL = ("indicators", "areas", "scores", "findings", "findings-long", "reports")
HEADERS = ("keys", "zh")
CHUNK = 500  # reports per chunk for to_parquet and dask_table
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # the directory of reports without a year (read back as null)
PARTITION_ALIASES = {"year": "report_year"}
REPORT_HEADERS = {"sha256": "SHA-256", "text_key": "正文指纹", "format": "格式", "encoding": "编码", "title": "标题",
                  "unit_key": "单位标识", "town": "乡镇", "adcode": "区划代码", "sign_date": "成文日期",
                  "publish_date": "发布日期", "body_chars": "正文字数", "engine_version": "分析版本",
                  "added_at": "入库时间", "analyzed_at": "分析时间", "unit_id": "报送单位编号",
                  "copies_at": "重复比对时间"}
_INT = {"id", "report_year", "indicators", "measured", "counted_paragraphs", "counted_chars", "uncovered_count",
        "missing_count", "error", "warning", "info", "findings", "seq", "start", "end", "body_chars", "unit_id"}
_FLOAT = {"total", "max"}
_TIMES = {"added_at", "analyzed_at", "copies_at"}
_COLUMN_PATH = {"indicators": ("indicators",), "areas": ("areas", "scheme"), "scores": ("score", "items"),
                "findings": ("findings",)}


@dataclass(frozen=True)
class Columns:
    """The fixed column set of a table: machine keys, Chinese headers, pandas dtypes, and the value
    of a column a chunk's reports do not have."""

    kind: str
    keys: tuple[str, ...]
    headers: tuple[str, ...]
    dtypes: tuple[str, ...]
    fills: tuple[Any, ...]

    def names(self, headers: str) -> tuple[str, ...]:
        return self.headers if headers == "zh" else self.keys


class CorpusFrames:
    """Mixin of `fazhi.corpus.store.Corpus`: tables as pandas / Dask DataFrames, Parquet export."""

    def table(self, kind: str, *, year: int | None = None, level: str | None = None, agg: str = "first",
              chunksize: int | None = None, headers: str = "keys") -> "pd.DataFrame | Iterator[pd.DataFrame]":
        """The `kind` table of the reports of `year` / `level` (all when None) as a pandas DataFrame,
        ordered by report id; with `chunksize=N` an iterator of DataFrames of N reports each (the
        column set fixed by a first pass, see the module doc), so a large corpus is never in memory
        whole. `agg` is how an indicator given several times is counted (first | max | sum | count)."""
        from fazhi.corpus.tables import select_ids

        _check(kind, agg, headers, chunksize)
        ids = select_ids(self, year, level)
        if chunksize is None:
            keys, names, rows = _rows(self, kind, ids, agg)
            return _frame(keys, rows, _columns(kind, keys, names, agg), headers)
        return iter_frames(self, kind, ids, agg, table_columns(self, kind, ids, agg), headers, chunksize)

    def to_parquet(self, directory: str | os.PathLike, tables: Iterable[str] = KINDS_ALL,
                   partition_by: str | None = "year", *, year: int | None = None, level: str | None = None,
                   agg: str = "first", headers: str = "keys", chunksize: int = CHUNK) -> dict[str, Path]:
        """Write each table as a Parquet dataset `directory/<kind>/year=2023/part-0.parquet` (hive
        partitioning on `partition_by`: "year" or a column key; None: `<kind>/part-0.parquet`), read
        CHUNK reports at a time. Files keep every column (report_year too) but one named like the
        folder (partition_by="level": level=区县/, its value is the folder's); reports without a
        year are in `year=__HIVE_DEFAULT_PARTITION__`, which pyarrow, pandas and Dask read back as a
        null year. Each dataset is written into a temporary folder beside it and renamed into
        place, so an interrupted run never leaves half a dataset under the final name (an older one
        stays until the new one is complete). Returns kind → dataset folder."""
        from fazhi.corpus.tables import select_ids

        tables = list(tables)
        for kind in tables:
            _check(kind, agg, headers, chunksize)
        ids = select_ids(self, year, level)
        plan = [(kind, table_columns(self, kind, ids, agg)) for kind in tables]
        columns = [_partition_name(cols, partition_by, headers) for _, cols in plan]  # refuse before writing
        out: dict[str, Path] = {}
        for (kind, cols), column in zip(plan, columns):
            frames = iter_frames(self, kind, ids, agg, cols, headers, chunksize)
            out[kind] = write_dataset(Path(directory), kind, frames, _frame([], [], cols, headers), column,
                                      partition_by, cols)
        return out

    def dask_table(self, kind: str, *, year: int | None = None, level: str | None = None, agg: str = "first",
                   chunksize: int = CHUNK, headers: str = "keys"):
        """The `kind` table as a Dask DataFrame: one partition per `chunksize` reports, built where
        Dask runs it (on a cluster's workers: they open the same database URL, so use PostgreSQL or
        a SQLite file every worker can read). Tables of one row per report have known divisions
        (the row positions); findings-long's partitions each start their index at 0."""
        dd = _dask()
        from fazhi.corpus.tables import select_ids

        _check(kind, agg, headers, chunksize)
        ids = select_ids(self, year, level)
        cols = table_columns(self, kind, ids, agg)
        starts = list(range(0, len(ids), chunksize)) or [0]
        parts = [(s, tuple(ids[s:s + chunksize])) for s in starts]
        url = _shareable_url(self)
        load = ChunkLoader(url, kind, agg, cols, headers, None if url else self)
        divisions = None
        if kind != "findings-long" and ids:
            divisions = tuple(starts) + (len(ids) - 1,)
        return dd.from_map(load, parts, meta=_frame([], [], cols, headers), divisions=divisions,
                           label=f"fazhi-{kind}", enforce_metadata=False)


@dataclass
class ChunkLoader:
    """Builds one chunk's DataFrame (picklable: a Dask worker opens the corpus by URL, once per process)."""

    url: str | None
    kind: str
    agg: str
    cols: Columns
    headers: str
    corpus: Any = None  # an in-memory corpus, usable by local threads only

    def __dask_tokenize__(self) -> tuple:
        return (self.url or id(self.corpus), self.kind, self.agg, self.cols, self.headers)

    def __call__(self, part: tuple[int, tuple[int, ...]]) -> "pd.DataFrame":
        start, ids = part
        corpus = self.corpus if self.corpus is not None else _worker_corpus(self.url)
        keys, _, rows = _rows(corpus, self.kind, list(ids), self.agg)
        return _frame(keys, rows, self.cols, self.headers, start if self.kind != "findings-long" else 0)


_OPENED: dict[str, Any] = {}


def _worker_corpus(url: str):
    if url not in _OPENED:
        from fazhi.corpus.store import Corpus, make_engine

        _OPENED[url] = Corpus(make_engine(url))
    return _OPENED[url]


def _shareable_url(corpus) -> str | None:
    """The database URL other processes can open (password included), None for an in-memory one."""
    url = corpus.engine.url
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def _dask():
    try:
        import dask.dataframe as dd
    except ImportError:
        from fazhi.errors import FazhiError

        raise FazhiError("需要 Dask 才能生成 Dask 表格：请运行 pip install 'fazhi[dask]'") from None
    return dd


def _check(kind: str, agg: str, headers: str, chunksize: int | None) -> None:
    from fazhi.corpus.tables import AGGS
    from fazhi.errors import FazhiError

    if kind not in KINDS_ALL:
        raise FazhiError(f"未知的表格类型“{kind}”（可选：{'、'.join(KINDS_ALL)}）")
    if agg not in AGGS:
        raise FazhiError(f"未知的汇总方式“{agg}”（可选：{'、'.join(AGGS)}）")
    if headers not in HEADERS:
        raise FazhiError(f"未知的列名方式“{headers}”（可选：keys 英文键名、zh 中文列名）")
    if chunksize is not None and (isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1):
        raise FazhiError(f"每块报告数应为正整数，而不是“{chunksize}”")


# ------------------------------------------------------------------ rows
def report_columns() -> Columns:
    """The reports table's columns: the identity columns first, then every other report column but
    the text and the analysis (Chinese headers from IDENTITY and REPORT_HEADERS)."""
    from fazhi.corpus.models import ReportRow
    from fazhi.corpus.tables import IDENTITY

    first = [k for k, _ in IDENTITY]
    keys = first + [c.name for c in ReportRow.__table__.columns if c.name not in {*first, "text", "analysis"}]
    names = {**dict(IDENTITY), **REPORT_HEADERS}
    return _columns("reports", keys, [names.get(k, k) for k in keys], "first")


def _rows(corpus, kind: str, ids: list[int], agg: str) -> tuple[list[str], list[str], list[list]]:
    """(keys, Chinese headers, rows) of the kind's table over these reports, in id order."""
    from fazhi.corpus.tables import BATCH, corpus_table

    if kind != "reports":
        t = corpus_table(corpus, kind, ids, agg=agg)
        return t.keys, t.columns, t.rows
    cols = report_columns()
    keys = list(cols.keys)
    rows: list[list] = []
    for i in range(0, len(ids), BATCH):
        rows.extend([r[k] for k in keys] for r in corpus.rows(tuple(keys), id=ids[i:i + BATCH]))
    return keys, list(cols.headers), rows


def iter_frames(corpus, kind: str, ids: list[int], agg: str, cols: Columns, headers: str,
                chunksize: int) -> Iterator["pd.DataFrame"]:
    """DataFrames of `chunksize` reports each, all with the columns `cols`, the index running on."""
    start = 0
    for i in range(0, len(ids), chunksize):
        keys, _, rows = _rows(corpus, kind, ids[i:i + chunksize], agg)
        yield _frame(keys, rows, cols, headers, start)
        start += len(rows)


def _frame(keys: list[str], rows: list[list], cols: Columns, headers: str, start: int = 0) -> "pd.DataFrame":
    """A DataFrame of `rows` (lists in `keys` order) with exactly the columns and dtypes of `cols`."""
    import pandas as pd

    pos = {k: i for i, k in enumerate(keys)}
    data = {}
    for name, key, dtype, fill in zip(cols.names(headers), cols.keys, cols.dtypes, cols.fills):
        i = pos.get(key)
        values = [r[i] for r in rows] if i is not None else [fill] * len(rows)
        data[name] = pd.array(values, dtype=dtype)
    return pd.DataFrame(data, index=pd.RangeIndex(start, start + len(rows)))


# ------------------------------------------------------------------ columns
def dtype_of(kind: str, key: str, agg: str = "first") -> str:
    """The pandas dtype of a column, by its key (never by its values)."""
    if key in _INT or key.startswith(("category:", "rule:")):
        return "Int64"
    if key in _FLOAT or key.startswith(("area:", "item:")):
        return "Float64"
    if kind == "indicators" and "|" in key:
        return "Int64" if agg == "count" else "Float64"
    if key == "capped":
        return "boolean"
    if key in _TIMES:
        return "datetime64[us]"
    return "string"


def _columns(kind: str, keys: list[str], headers: list[str], agg: str) -> Columns:
    fills = tuple(0 if k.startswith("rule:") else None for k in keys)
    return Columns(kind, tuple(keys), tuple(headers), tuple(dtype_of(kind, k, agg) for k in keys), fills)


def table_columns(corpus, kind: str, ids: list[int], agg: str = "first") -> Columns:
    """The column set of the kind's table over these reports, read without building the table
    (only the JSON parts that decide the columns are kept; see the module doc)."""
    from fazhi.corpus import tables as t

    if kind == "reports":
        return report_columns()
    if kind == "findings-long":
        empty = t.corpus_table(corpus, kind, [], agg=agg)
        return _columns(kind, empty.keys, empty.columns, agg)
    parts = _json_parts(corpus, _COLUMN_PATH[kind], ids)
    if kind == "areas":
        schemes = sorted({s for s in parts if s})
        built = t._areas([{"analysis": {"areas": {"scheme": s}}} for s in schemes])
    elif kind == "scores":
        items: dict[str, dict] = {}
        for its in parts:
            for it in its or []:
                items.setdefault(it["id"], it)
        built = t._scores([{"analysis": {"score": {"items": list(items.values())}}}])
    elif kind == "findings":
        per_rule: Counter = Counter()
        for fs in parts:
            per_rule.update({f.get("rule") for f in fs or []})
        built = t._findings([{"analysis": {"findings": [{"rule": r} for r in per_rule]}}])
        return _findings_order(built, per_rule, agg)
    else:
        keys, headers = indicator_columns(parts, agg)
        base = t._indicators([], agg)
        return _columns(kind, base.keys + keys, base.columns + headers, agg)
    return _columns(kind, built.keys, built.columns, agg)


def _findings_order(built, per_rule: Counter, agg: str) -> Columns:
    """The findings columns with the rule columns ordered as the whole table orders them
    (by the number of reports with the rule, most first)."""
    head = [i for i, k in enumerate(built.keys) if not k.startswith("rule:")]
    rules = sorted(per_rule, key=lambda k: (-per_rule[k], k))
    at = {k: i for i, k in enumerate(built.keys)}
    order = head + [at[f"rule:{r}"] for r in rules]
    return _columns("findings", [built.keys[i] for i in order], [built.columns[i] for i in order], agg)


def indicator_columns(parts: Iterable[list | None], agg: str) -> tuple[list[str], list[str]]:
    """(keys, headers) of the measure columns, from each report's indicators list: the same
    columns, order and headers as fazhi.corpus.tables builds (most widely reported first)."""
    from fazhi.corpus.tables import canonical_unit, unit_family
    from fazhi.corpus.tables import indicator_columns as ordered

    family = unit_family()
    labels: dict[str, Counter] = defaultdict(Counter)
    reports_with: Counter = Counter()
    for inds in parts:
        seen = set()
        for ind in inds or []:
            if not ind.get("measure") or ind.get("value") is None:
                continue
            dim, label, _ = canonical_unit(ind.get("unit"), family)
            key = f"{ind['measure']}|{dim}"
            labels[key][label] += 1
            seen.add(key)
        reports_with.update(seen)
    return ordered(reports_with, labels, agg)


def _json_parts(corpus, path: tuple[str, ...], ids: list[int]) -> Iterator[Any]:
    """One part of each report's stored analysis (a JSON path), in id order. The analysis is
    stored packed (fazhi.corpus.packing), so each is unpacked here, one batch at a time."""
    from sqlalchemy import select

    from fazhi.corpus.models import ReportRow
    from fazhi.corpus.tables import BATCH

    with corpus.engine.connect() as conn:
        for i in range(0, len(ids), BATCH):
            q = select(ReportRow.analysis).where(ReportRow.id.in_(ids[i:i + BATCH])).order_by(ReportRow.id)
            for analysis in conn.execute(q).scalars():
                yield _dig(analysis, path)


def _dig(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _partition_name(cols: Columns, partition_by: str | None, headers: str) -> str | None:
    """The DataFrame column to partition on (None: no partitioning)."""
    from fazhi.errors import FazhiError

    if partition_by is None:
        return None
    key = PARTITION_ALIASES.get(partition_by, partition_by)
    if key not in cols.keys:
        raise FazhiError(f"无法按“{partition_by}”分区：表格“{cols.kind}”没有这一列")
    return cols.names(headers)[cols.keys.index(key)]


# ------------------------------------------------------------------ Parquet
def write_dataset(directory: Path, kind: str, frames: Iterable["pd.DataFrame"], empty: "pd.DataFrame",
                  column: str | None, partition_by: str | None, cols: Columns) -> Path:
    """Write the frames as the Parquet dataset directory/kind (one file per partition value, a row
    group per chunk) through a temporary folder beside it; FazhiError (one line) on a disk error."""
    from fazhi.errors import FazhiError

    final = directory / kind
    tmp, old = (directory / f".{kind}.{what}-{uuid.uuid4().hex[:8]}" for what in ("tmp", "old"))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        drop = [column] if column and column == partition_by else []  # hive: that column is the folder
        _write_parts(tmp, frames, _schema(empty.drop(columns=drop), cols), column, partition_by, drop)
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not final.exists():
            os.replace(old, final)  # the new one could not be moved in: the old one goes back
        if isinstance(e, OSError):
            raise FazhiError(f"无法写入 {final}：{e.strerror or e.__class__.__name__}") from None
        raise
    return final


def _schema(empty: "pd.DataFrame", cols: Columns):
    import pyarrow as pa

    schema = pa.Schema.from_pandas(empty, preserve_index=False)
    extra = {b"fazhi.kind": cols.kind.encode(),
             b"fazhi.headers": json.dumps(dict(zip(cols.keys, cols.headers)), ensure_ascii=False).encode()}
    return schema.with_metadata({**(schema.metadata or {}), **extra})


def _write_parts(folder: Path, frames: Iterable["pd.DataFrame"], schema, column: str | None,
                 partition_by: str | None, drop: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writers: dict[str, Any] = {}
    try:
        for frame in frames:
            for value, part in _split(frame, column):
                if value not in writers:
                    where = folder / f"{partition_by}={value}" if column else folder
                    where.mkdir(exist_ok=True)
                    writers[value] = pq.ParquetWriter(where / "part-0.parquet", schema)
                table = pa.Table.from_pandas(part.drop(columns=drop), schema=schema, preserve_index=False)
                writers[value].write_table(table)
        if not writers:
            pq.write_table(schema.empty_table(), folder / "part-0.parquet")
    finally:
        for w in writers.values():
            w.close()


def _split(frame: "pd.DataFrame", column: str | None) -> Iterator[tuple[str, "pd.DataFrame"]]:
    """(partition folder value, rows) of a frame; null values go to NULL_PARTITION."""
    if column is None:
        yield "", frame
        return
    values = frame[column]
    missing = values.isna()
    if missing.any():
        yield NULL_PARTITION, frame[missing.to_numpy(dtype=bool)]
    for v in values[~missing].unique():
        yield _segment(str(v)), frame[(values == v).fillna(False).to_numpy(dtype=bool)]


def _segment(value: str) -> str:
    """A partition value as a folder name: characters a path or hive partitioning cannot hold
    percent-encoded (pyarrow decodes them when reading), everything else as it is."""
    from urllib.parse import quote

    return "".join(quote(c, safe="") if c in "%/\\=:" or ord(c) < 32 else c for c in value) or NULL_PARTITION
