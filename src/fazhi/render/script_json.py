"""JSON that is safe inside an HTML <script> element.

Report text, unit names and file names are untrusted input. Inside <script> an HTML parser ends
the element at "</script" and changes state at "<!--", whatever JSON quoting says, so every <, >
and & is written as a \\u escape (still the same JSON value), as are U+2028/U+2029 for old JS parsers.
"""
from __future__ import annotations

import json
from typing import Any

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return "".join(_ESCAPES.get(ch, ch) for ch in text)
