"""Rules as small registered functions.

A rule is a function `check(report) -> Iterable[Hit]` registered under an id with its
category and default severity. `run_rules` turns hits into `Finding`s; a rubric (issue:
rules as data) may later switch rules off or change their severity by id.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fazhi.report import Category, Finding, Report, Severity


@dataclass
class Hit:
    message: str
    suggestion: str | None = None
    start: int | None = None
    end: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None  # overrides the rule's default for this hit


Check = Callable[[Report], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    title: str  # short Chinese name shown to users
    check: Check


RULES: dict[str, Rule] = {}


def rule(rule_id: str, category: Category, severity: Severity, title: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, category, severity, title, fn)
        return fn
    return register


def run_rules(report: Report, settings: Mapping[str, Mapping[str, Any]] | None = None) -> list[Finding]:
    """Run every registered rule (or those `settings` enables) and return their findings
    in text order (findings without a span first)."""
    settings = settings or {}
    findings: list[Finding] = []
    for rid, r in RULES.items():
        conf = settings.get(rid, {})
        if conf.get("enabled", True) is False:
            continue
        severity = conf.get("severity", r.severity)
        for hit in r.check(report):
            findings.append(Finding(rule=rid, category=r.category, severity=hit.severity or severity,
                                    message=hit.message, suggestion=hit.suggestion,
                                    start=hit.start, end=hit.end, extra=dict(hit.extra)))
    findings.sort(key=lambda f: (-1 if f.start is None else f.start, f.rule))
    return findings
