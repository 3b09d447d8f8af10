"""Helpers of filing an upload (no database session here): the file's safe name, analysing and
storing its bytes (also run in the web app's worker processes), and whose report a unit's
upload is."""
from __future__ import annotations

from pathlib import PurePosixPath

from fazhi.cycle.errors import CycleError

MAX_COMMENT = 5000


def _safe_name(filename: str) -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return (name or "上传的报告")[-255:]


def analyse_and_store(corpus, name: str, data: bytes) -> tuple[int, bool]:
    """Analyse an uploaded file and store it (with its copy matches): (report id, newly added).
    CycleError naming the file when it cannot be read as a report."""
    from fazhi import ingest
    from fazhi.errors import InputError
    from fazhi.pipeline import analyze_document

    if not isinstance(data, (bytes, bytearray)):
        raise CycleError(f"{name}：上传内容不是文件。")
    try:
        report = analyze_document(ingest.load_bytes(bytes(data), name))
    except InputError as e:
        raise CycleError(f"{name}：{e.reason}") from None
    return corpus.add(report)


def _owner_key(unit: dict, row: dict) -> str | None:
    """The unit_key a unit account's upload gets when its text is another unit's (the unit's own
    key differs, or the text names another issuer); None when the text is the unit's own."""
    from fazhi.corpus.store import issuer_key

    if unit["unit_key"]:
        return unit["unit_key"] if row["unit_key"] != unit["unit_key"] else None
    mine, named = issuer_key(unit["name"]), issuer_key(row["issuer"])
    if len(named) >= 4 and mine != named and mine not in named and named not in mine:
        return f"unit:{unit['id']}"
    return None


def _comment_row(c: dict, text: str) -> dict:
    body = str(c.get("body") or "").strip()
    if not body:
        raise CycleError("修改意见不能为空。")
    if len(body) > MAX_COMMENT:
        raise CycleError(f"修改意见过长（上限 {MAX_COMMENT} 字）。")
    start, end = c.get("start"), c.get("end")
    if start is None and end is None:
        return {"start": None, "end": None, "quote": None, "body": body}
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise CycleError("意见所指位置无效。") from None
    if not 0 <= start < end <= len(text):
        raise CycleError(f"意见所指位置 {start}–{end} 超出报告正文范围（共 {len(text)} 字）。")
    return {"start": start, "end": end, "quote": text[start:end], "body": body}
