"""Rules as small registered functions.

A rule is a function `check(report) -> Iterable[Hit]` (or `check(report, params)` to
receive its rubric parameters) registered under an id with its category and default
severity. `run_rules` turns hits into `Finding`s; the rubric (review/rubric.py) switches
rules off, changes their severity and passes their parameters by id.
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


Check = Callable[..., Iterable[Hit]]  # (report) or (report, params)


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    title: str  # short Chinese name shown to users
    check: Check
    takes_params: bool = False  # check(report, params)


RULES: dict[str, Rule] = {}


def rule(rule_id: str, category: Category, severity: Severity, title: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        takes = getattr(getattr(fn, "__code__", None), "co_argcount", 1) >= 2
        RULES[rule_id] = Rule(rule_id, category, severity, title, fn, takes)
        return fn
    return register


def run_rules(report: Report, settings: Mapping[str, Mapping[str, Any]] | None = None) -> list[Finding]:
    """Run every registered rule (or those `settings` enables) and return their findings
    in text order (findings without a span first).

    `settings`: per rule id {"enabled", "severity", "force_severity", "params"} (a hit's own
    severity beats "severity", "force_severity" beats both), and under "*" the params
    every rule sees; `Rubric.settings()` makes it. None: the default rubric's settings."""
    if settings is None:
        from fazhi.review.rubric import default_rubric

        settings = default_rubric().settings()
    shared = dict(settings.get("*", {}).get("params", {}))
    findings: list[Finding] = []
    for rid, r in RULES.items():
        conf = settings.get(rid, {})
        if conf.get("enabled", True) is False:
            continue
        severity = conf.get("severity", r.severity)
        forced = conf.get("force_severity")
        hits = r.check(report, {**shared, **conf.get("params", {})}) if r.takes_params else r.check(report)
        for hit in hits:
            findings.append(Finding(rule=rid, category=r.category, severity=forced or hit.severity or severity,
                                    message=hit.message, suggestion=hit.suggestion,
                                    start=hit.start, end=hit.end, extra=dict(hit.extra)))
    findings.sort(key=lambda f: (-1 if f.start is None else f.start, f.rule))
    return findings
