"""Which findings a new version of a report fixed, kept or introduced.

Offsets move between versions, so findings are matched by their rule and the words they quote
(text[start:end], normalised: NFKC, whitespace collapsed), or by rule and message when a finding
has no span. Equal keys are paired one to one (a multiset), so fixing one of two identical
wordings counts as one fixed finding."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import Any

_WS = re.compile(r"\s+")


def normalise(s: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFKC", s)).strip()


def finding_key(finding: dict[str, Any], text: str) -> tuple[str, str, str]:
    start, end = finding.get("start"), finding.get("end")
    if start is not None and end is not None and 0 <= start < end <= len(text):
        return (finding["rule"], "q", normalise(text[start:end]))
    return (finding["rule"], "m", normalise(finding.get("message") or ""))


def diff_findings(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """`old`, `new`: report dicts (findings + text). fixed: in old only (old's finding, old offsets);
    new: in new only; kept: in both (new's finding, new offsets). Each list in report order."""
    pool: dict[tuple, list[dict]] = defaultdict(list)
    for f in old.get("findings") or []:
        pool[finding_key(f, old.get("text") or "")].append(f)
    new_only, kept = [], []
    for f in new.get("findings") or []:
        bucket = pool.get(finding_key(f, new.get("text") or ""))
        if bucket:
            bucket.pop(0)
            kept.append(f)
        else:
            new_only.append(f)
    fixed_ids = {id(f) for b in pool.values() for f in b}
    fixed = [f for f in old.get("findings") or [] if id(f) in fixed_ids]
    return {"fixed": fixed, "new": new_only, "kept": kept}
