"""Untrusted strings inside <script> data blocks."""
from __future__ import annotations

import json

from fazhi.render.script_json import script_json


def test_script_json_cannot_close_or_comment_the_element():
    value = {"unit": "某县</script><script>alert(1)</script><!--", "n": "a&b", "sep": "x\u2028y"}
    out = script_json(value)
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == value
    assert "某县" in out  # Chinese stays readable
