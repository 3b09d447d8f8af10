"""Column types that keep a corpus small: the stored analysis and text compressed, unit text
in UTF-16 (two bytes a Chinese character where UTF-8 takes three).

Measured on a sample of a 20,000-report synthetic corpus (bench/RESULTS.md): the analysis, stored
as JSON text, took 21 KB a report and is 4.3x smaller as zlib; the text 1.8x smaller; the
paragraphs' content 1.45x smaller as UTF-16. Values are packed and unpacked by the
column type, so every reader (SQLAlchemy select on the model) sees dicts and str as before.

A packed value starts with a one-byte tag, so a format can change without guessing:
    b"z" + zlib(UTF-8)       PackedJSON, PackedText
Anything else is read as it was stored before packing (a JSON or text value written by an older
version), so a half-migrated row is still read right.
"""
from __future__ import annotations

import json
import zlib
from typing import Any

from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

TAG_ZLIB = b"z"
LEVEL = 6


def pack_text(value: str) -> bytes:
    return TAG_ZLIB + zlib.compress(value.encode("utf-8"), LEVEL)


def unpack_text(raw: bytes | memoryview | str) -> str:
    if isinstance(raw, str):
        return raw
    raw = bytes(raw)
    if raw[:1] == TAG_ZLIB:
        return zlib.decompress(raw[1:]).decode("utf-8")
    return raw.decode("utf-8")


def pack_utf16(value: str) -> bytes:
    return value.encode("utf-16-le")


def pack_json(value: Any) -> bytes:
    return pack_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def unpack_json(raw: bytes | memoryview | str) -> Any:
    return json.loads(unpack_text(raw))


class _Packed(TypeDecorator):
    """A value stored as `pack(value)`, read back by `unpack`; bytes given are packed already (a
    worker process packed them: fazhi.corpus.batch)."""

    impl = LargeBinary
    cache_ok = True

    @staticmethod
    def pack(value: Any) -> bytes:
        raise NotImplementedError

    @staticmethod
    def unpack(raw: bytes | memoryview | str) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value, dialect):  # noqa: ANN001
        if value is None or isinstance(value, bytes):
            return value
        return self.pack(value)

    def process_result_value(self, value, dialect):  # noqa: ANN001
        return None if value is None else self.unpack(value)


class PackedJSON(_Packed):
    """A JSON value stored as zlib-compressed UTF-8 (no JSON-path queries: keep what SQL must
    filter or sort on in a column of its own, e.g. reports.score_total)."""

    cache_ok = True
    pack, unpack = staticmethod(pack_json), staticmethod(unpack_json)


class PackedText(_Packed):
    """Text stored as zlib-compressed UTF-8 (read whole, never searched by SQL)."""

    cache_ok = True
    pack, unpack = staticmethod(pack_text), staticmethod(unpack_text)


class Utf16Text(TypeDecorator):
    """Short Chinese text stored as UTF-16-LE bytes (too short for compression to pay)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001
        if value is None or isinstance(value, bytes):  # bytes: packed already (unitrows.UnitRows)
            return value
        return pack_utf16(value)

    def process_result_value(self, value, dialect):  # noqa: ANN001
        if value is None or isinstance(value, str):
            return value
        return bytes(value).decode("utf-16-le")
