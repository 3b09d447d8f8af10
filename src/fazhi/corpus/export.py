"""Write a corpus Table to a file, the format chosen by the suffix.

    write_table(table, Path("指标.xlsx"))     # .csv | .xlsx | .parquet | .json

- .csv: UTF-8 with BOM (Excel opens Chinese correctly), True/False as 是/否, None as an empty cell.
- .xlsx: openpyxl; a sheet named after the table (Chinese), bold frozen header row, column widths
  fitted to the content (CJK counted double), and a 说明 sheet with the table's notes.
- .parquet: pyarrow; whole-number columns int64, numeric columns float64, yes/no columns bool,
  text columns string; None stays null. Column names are the Chinese headers; the machine keys
  and notes are in the schema metadata ("fazhi.keys", "fazhi.notes").
- .json: {"name", "columns", "keys", "notes", "rows"} with rows as lists in column order.

Every file is written to a temporary file in the same folder and moved into place
(os.replace), so a failed export never leaves a half-written file behind.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from fazhi.corpus.tables import Table
from fazhi.errors import FazhiError

FORMATS = (".csv", ".xlsx", ".parquet", ".json")
XLSX_MAX_WIDTH = 60


def write_table(table: Table, path: Path) -> Path:
    """Write `table` to `path` (format by suffix) atomically; FazhiError (one Chinese line) on failure."""
    path = Path(path)
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        raise FazhiError(f"无法导出到 {path}：不支持的文件类型“{path.suffix or '（无后缀）'}”"
                         f"（可用 {' '.join(FORMATS)}）")
    write_atomic(path, lambda tmp: writer(table, tmp))
    return path


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) on a temporary file in path's folder, then move it onto `path`; on any
    failure the temporary file is removed and `path` is left as it was. OSError → FazhiError."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FazhiError(f"无法写入 {path}：文件夹 {folder} 不存在")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise FazhiError(f"无法写入 {path}：{e.strerror or e.__class__.__name__}") from None
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)  # mkstemp made it 0600
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise FazhiError(f"无法写入 {path}：{e.strerror or e.__class__.__name__}") from None
        if isinstance(e, Exception) and not isinstance(e, FazhiError):
            why = str(e).splitlines()[0][:200] if str(e) else ""
            raise FazhiError(f"无法写入 {path}：{e.__class__.__name__}{'：' + why if why else ''}") from e
        raise
    return path


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def _csv(table: Table, path: Path) -> None:
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(table.columns)
        for r in table.rows:
            w.writerow([_cell_text(v) for v in r])


def _json(table: Table, path: Path) -> None:
    data = {"name": table.name, "columns": table.columns, "keys": table.keys, "notes": table.notes,
            "rows": table.rows}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def sheet_name(name: str) -> str:
    """An Excel-safe sheet name (<= 31 characters, none of []:*?/\\)."""
    bad = set('[]:*?/\\')
    return "".join(c for c in name if c not in bad)[:31] or "表格"


def _width(v: Any) -> int:
    s = _cell_text(v)
    return sum(2 if ord(c) > 0x2E7F else 1 for c in s)


def _xlsx(table: Table, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name(table.name))
    widths = [_width(c) for c in table.columns]
    for r in table.rows[:1000]:  # widths from the first rows are enough
        widths = [max(w, _width(v)) for w, v in zip(widths, r)]
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(XLSX_MAX_WIDTH, w + 2)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in table.columns:
        cell = WriteOnlyCell(ws, value=c)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for r in table.rows:
        ws.append([_xlsx_value(v, ILLEGAL_CHARACTERS_RE) for v in r])
    if table.notes:
        notes = wb.create_sheet("说明")
        notes.column_dimensions["A"].width = 100
        for n in table.notes:
            notes.append([n])
    wb.save(path)


def _xlsx_value(v: Any, illegal) -> Any:
    """Yes/no as 是/否; control characters XML cannot hold are dropped from text."""
    if isinstance(v, bool):
        return "是" if v else "否"
    return illegal.sub("", v) if isinstance(v, str) else v


def arrow_type(values: list) -> str:
    """"int64" | "float64" | "bool" | "string" | "null" for a column's values (None ignored)."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "null"
    if kinds == {bool}:
        return "bool"
    if kinds <= {int}:
        return "int64"
    if kinds <= {int, float}:
        return "float64"
    return "string"


def _parquet(table: Table, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays, fields = [], []
    for i, name in enumerate(table.columns):
        values = [r[i] for r in table.rows]
        t = arrow_type(values)
        if t == "string":
            values = [None if v is None else _cell_text(v) for v in values]
        typ = {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string(),
               "null": pa.string()}[t]
        arrays.append(pa.array(values, type=typ))
        fields.append(pa.field(name, typ))
    meta = {"fazhi.name": table.name, "fazhi.keys": json.dumps(table.keys, ensure_ascii=False),
            "fazhi.notes": json.dumps(table.notes, ensure_ascii=False)}
    pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta)), path)


_WRITERS: dict[str, Callable[[Table, Path], None]] = {".csv": _csv, ".xlsx": _xlsx, ".parquet": _parquet,
                                                      ".json": _json}
