"""The rubric as data: which rules apply, their severity and points, deadlines per level,
score items and the blocker cap.

`load_rubric(paths)` reads the default rubric shipped in the package (data/rubric.yaml)
and lays zero or more YAML files over it in order (default < province < unit). A later
layer names only what it changes: mappings merge key by key, lists and scalars replace.
A bad file raises FazhiError with one Chinese line naming the file and the problem.

A layer may also add entries to the rule data (`parts`, `formulations`, `anachronisms`,
`typos`; review/layers.py): `Rubric.data` holds the additions, `Rubric.data_file(name)` the
shipped file with them, and the rules get them through `settings()` (params "data").
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from fazhi.errors import FazhiError
from fazhi.review.layers import DATA_FILES, add_layer, check_data_layer, merged

SEVERITIES = ("error", "warning", "info")
LEVELS = ("省", "地市", "区县", "乡镇街道", "部门")
CATEGORIES = ("structure", "metadata", "format", "formulation", "timeliness", "content", "duplication")
DEFAULT_NAME = "rubric.yaml"
_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_TOP_KEYS = {"version", "name", "source", "cap_on_blocker", "cap_source", "deduction", "deduction_source",
             "deadlines", "rules", "items", "part_min_chars", "recycling", *DATA_FILES}
_RULE_KEYS = {"enabled", "severity", "force_severity", "points", "params", "source"}
_ITEM_KEYS = {"name", "points", "blocker", "rules", "categories", "enabled", "deduction", "source"}
_DEADLINE_KEYS = {"submit", "publish", "source"}


@dataclass
class RuleConf:
    id: str
    enabled: bool = True
    severity: str | None = None  # None: the rule's registered default
    # every finding of the rule takes this severity, even where the rule grades its findings
    # itself (per-entry severities in formulations.yaml, escalations such as boilerplate-density)
    force_severity: str | None = None
    points: float | None = None  # deduction per finding; None: rubric.deduction[severity]
    params: dict[str, Any] = field(default_factory=dict)
    source: str | None = None


@dataclass
class Item:
    id: str
    name: str
    points: float
    rules: list[str]
    categories: list[str]
    blocker: bool = False
    enabled: bool = True
    deduction: dict[str, float] = field(default_factory=dict)  # per severity, overrides the rubric's
    source: str | None = None


@dataclass
class Deadline:
    submit: str  # MM-DD of the year after the report year
    publish: str
    source: str | None = None


@dataclass
class Rubric:
    name: str
    rules: dict[str, RuleConf]
    items: list[Item]
    deadlines: dict[str, Deadline]
    cap_on_blocker: float
    deduction: dict[str, float]
    part_min_chars: dict[str, int] = field(default_factory=dict)
    # 沿用/抄用 thresholds and deductions, read only by the yearly cycle (fazhi.cycle.recycling)
    recycling: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # layers applied, default first
    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # the layers' additions to the rule data

    def data_file(self, name: str) -> dict[str, Any]:
        """The data file `name` ("parts", "formulations", "anachronisms", "typos") as shipped,
        with this rubric's layers' additions (e.g. `rubric.data_file("parts")["parts"]`)."""
        return merged(name, self.data.get(name))

    def settings(self) -> dict[str, dict[str, Any]]:
        """What `registry.run_rules` takes: per rule id {enabled, severity?, params}, and under
        "*" the params every rule sees (the deadlines)."""
        out: dict[str, dict[str, Any]] = {}
        for rid, rc in self.rules.items():
            conf: dict[str, Any] = {"enabled": rc.enabled, "params": dict(rc.params)}
            if rc.severity:
                conf["severity"] = rc.severity
            if rc.force_severity:
                conf["force_severity"] = rc.force_severity
            out[rid] = conf
        out["*"] = {"params": {"deadlines": {lv: {"submit": d.submit, "publish": d.publish}
                                             for lv, d in self.deadlines.items()},
                               "part_min_chars": dict(self.part_min_chars),
                               "data": {k: v for k, v in self.data.items() if v}}}
        return out

    def deduction_for(self, rule_id: str, severity: str, item: Item | None = None) -> float:
        """Points one finding costs: its rule's `points`, else its item's deduction for the
        severity, else the rubric's."""
        rc = self.rules.get(rule_id)
        if rc and rc.points is not None:
            return rc.points
        if item and severity in item.deduction:
            return item.deduction[severity]
        return self.deduction.get(severity, 0.0)

    def item_for(self, rule_id: str, category: str) -> Item | None:
        """The enabled item a finding counts under: by rule id first, then by category."""
        items = [it for it in self.items if it.enabled]
        return next((it for it in items if rule_id in it.rules), None) \
            or next((it for it in items if category in it.categories), None)


def default_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("fazhi.data").joinpath(DEFAULT_NAME)))


def merge(base: Any, over: Any) -> Any:
    """Deep merge: mappings key by key, everything else replaced."""
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    return over


def _read(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FazhiError(f"评分细则文件 {path} 不存在。") from None
    except (OSError, UnicodeDecodeError) as e:
        raise FazhiError(f"评分细则文件 {path} 无法读取（{type(e).__name__}）。") from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (safe)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        raise FazhiError(f"评分细则文件 {path} 不是有效的 YAML{('（' + where + '）') if where else ''}。") from None
    except ValueError:  # a date such as 2024-13-01 that YAML reads as a date and cannot make
        raise FazhiError(f"评分细则文件 {path} 中有无效的日期，日期应写成 YYYY-MM-DD。") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FazhiError(f"评分细则文件 {path} 的顶层应为键值映射（rules、items、deadlines ……）。")
    return data


def _check_layer(path: Path, data: Mapping[str, Any]) -> None:
    """Shape checks on one layer, before merging, so the message names the right file."""
    def bad(msg: str) -> FazhiError:
        return FazhiError(f"评分细则文件 {path}：{msg}")

    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise bad(f"未知的配置项“{sorted(unknown)[0]}”（可用：rules、items、deadlines、cap_on_blocker、deduction、"
                  f"{'、'.join(DATA_FILES)}）。")
    for key in DATA_FILES:
        if key in data:
            check_data_layer(path, key, data[key])
    for key in ("rules", "items", "deadlines", "deduction", "part_min_chars"):
        if key in data and not isinstance(data[key], dict):
            raise bad(f"“{key}”应为键值映射。")
    for rid, rc in (data.get("rules") or {}).items():
        if not isinstance(rc, dict):
            raise bad(f"规则“{rid}”的设置应为键值映射。")
        if extra := set(rc) - _RULE_KEYS:
            raise bad(f"规则“{rid}”有未知字段“{sorted(extra)[0]}”。")
        for key in ("severity", "force_severity"):
            if key in rc and rc[key] not in SEVERITIES:
                raise bad(f"规则“{rid}”的 {key} 应为 error、warning 或 info，而非“{rc[key]}”。")
        if "enabled" in rc and not isinstance(rc["enabled"], bool):
            raise bad(f"规则“{rid}”的 enabled 应为 true 或 false。")
        if "points" in rc and not _nonneg(rc["points"]):
            raise bad(f"规则“{rid}”的 points 应为非负数。")
        if "params" in rc and not isinstance(rc["params"], dict):
            raise bad(f"规则“{rid}”的 params 应为键值映射。")
    for iid, it in (data.get("items") or {}).items():
        if not isinstance(it, dict):
            raise bad(f"评分项“{iid}”的设置应为键值映射。")
        if extra := set(it) - _ITEM_KEYS:
            raise bad(f"评分项“{iid}”有未知字段“{sorted(extra)[0]}”。")
        if "points" in it and not _nonneg(it["points"]):
            raise bad(f"评分项“{iid}”的 points 应为非负数。")
        for k in ("rules", "categories"):
            if k in it and not (isinstance(it[k], list) and all(isinstance(x, str) for x in it[k])):
                raise bad(f"评分项“{iid}”的 {k} 应为字符串列表。")
        for cat in it.get("categories") or []:
            if cat not in CATEGORIES:
                raise bad(f"评分项“{iid}”的类别“{cat}”不存在。")
        for k in ("blocker", "enabled"):
            if k in it and not isinstance(it[k], bool):
                raise bad(f"评分项“{iid}”的 {k} 应为 true 或 false。")
        ded = it.get("deduction", {})
        if not isinstance(ded, dict) or any(k not in SEVERITIES or not _nonneg(v) for k, v in ded.items()):
            raise bad(f"评分项“{iid}”的 deduction 应为 error、warning、info 到非负扣分的映射。")
    for level, dl in (data.get("deadlines") or {}).items():
        if level not in LEVELS:
            raise bad(f"期限的层级“{level}”不存在（可用：{'、'.join(LEVELS)}）。")
        if not isinstance(dl, dict) or set(dl) - _DEADLINE_KEYS:
            raise bad(f"层级“{level}”的期限应只含 submit、publish、source。")
        for k in ("submit", "publish"):
            if k in dl and not (isinstance(dl[k], str) and _MMDD.match(dl[k])):
                raise bad(f"层级“{level}”的 {k} 期限“{dl[k]}”应写成 MM-DD，如“03-01”。")
    for part, n in (data.get("part_min_chars") or {}).items():
        if part not in ("measures", "shortcomings", "first_responsible", "next_year") or not _nonneg(n):
            raise bad(f"part_min_chars 的“{part}”应为四个法定部分之一，字数为非负数。")
    if "cap_on_blocker" in data and not (_nonneg(data["cap_on_blocker"]) and data["cap_on_blocker"] <= 100):
        raise bad("cap_on_blocker 应为 0 到 100 之间的数。")
    for sev, pts in (data.get("deduction") or {}).items():
        if sev not in SEVERITIES or not _nonneg(pts):
            raise bad(f"deduction 的“{sev}”应为 error、warning 或 info，扣分为非负数。")
    if "recycling" in data:
        _check_recycling(bad, data["recycling"])


def _check_recycling(bad, rec: Any) -> None:
    """recycling: {name, recycled: {warning, error}, copied: {warning, error}, deduction: {warning, error}, source}."""
    if not isinstance(rec, dict):
        raise bad("“recycling”应为键值映射。")
    if extra := set(rec) - {"name", "recycled", "copied", "deduction", "source"}:
        raise bad(f"recycling 有未知字段“{sorted(extra)[0]}”。")
    for key in ("recycled", "copied", "deduction"):
        v = rec.get(key, {})
        if not isinstance(v, dict) or set(v) - {"warning", "error"} or not all(_nonneg(x) for x in v.values()):
            raise bad(f"recycling 的 {key} 应为 warning、error 到非负数的映射。")
        if key != "deduction" and any(x > 1 for x in v.values()):
            raise bad(f"recycling 的 {key} 阈值是比例，应在 0 到 1 之间（如 0.85 表示 85%）。")


def _nonneg(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0


def _build(data: Mapping[str, Any], files: list[str], last: Path) -> Rubric:
    rules = {rid: RuleConf(id=rid, enabled=rc.get("enabled", True), severity=rc.get("severity"),
                           force_severity=rc.get("force_severity"), points=rc.get("points"), params=dict(rc.get("params") or {}), source=rc.get("source"))
             for rid, rc in (data.get("rules") or {}).items()}
    items: list[Item] = []
    for iid, it in (data.get("items") or {}).items():
        if "name" not in it or "points" not in it:
            raise FazhiError(f"评分细则文件 {last}：新增的评分项“{iid}”须写明 name 和 points。")
        items.append(Item(id=iid, name=str(it["name"]), points=float(it["points"]), rules=list(it.get("rules") or []),
                          categories=list(it.get("categories") or []), blocker=bool(it.get("blocker", False)),
                          enabled=it.get("enabled", True),
                          deduction={k: float(v) for k, v in (it.get("deduction") or {}).items()},
                          source=it.get("source")))
    if not any(it.enabled and it.points > 0 for it in items):
        raise FazhiError(f"评分细则文件 {last}：没有可计分的评分项。")
    deadlines: dict[str, Deadline] = {}
    for level, dl in (data.get("deadlines") or {}).items():
        if "submit" not in dl or "publish" not in dl:
            raise FazhiError(f"评分细则文件 {last}：层级“{level}”须同时写明 submit 和 publish 期限。")
        deadlines[level] = Deadline(dl["submit"], dl["publish"], dl.get("source"))
    return Rubric(name=str(data.get("name") or ""), rules=rules, items=items, deadlines=deadlines,
                  cap_on_blocker=float(data.get("cap_on_blocker", 100)),
                  deduction={k: float(v) for k, v in (data.get("deduction") or {}).items()},
                  part_min_chars={k: int(v) for k, v in (data.get("part_min_chars") or {}).items()}, files=files,
                  recycling=dict(data.get("recycling") or {}))


def _check_rule_ids(path: Path, data: Mapping[str, Any]) -> None:
    """A province or unit layer may only name rules that exist (a typo would silently do nothing)."""
    from fazhi.review import checks  # noqa: F401  (registers the rules)
    from fazhi.review.registry import RULES

    default_ids = set((_default_data().get("rules") or {}))
    named = set(data.get("rules") or {})
    for it in (data.get("items") or {}).values():
        named.update(it.get("rules") or [])
    for rid in sorted(named):
        if rid not in RULES and rid not in default_ids:
            raise FazhiError(f"评分细则文件 {path}：规则“{rid}”不存在。")


@cache
def _default_data() -> dict[str, Any]:
    path = default_path()
    data = _read(path)
    _check_layer(path, data)
    return data


def load_rubric(paths: Sequence[str | Path] = ()) -> Rubric:
    """The default rubric, overridden by each file of `paths` in order."""
    data: Any = _default_data()
    files = [str(default_path())]
    last = default_path()
    extra: dict[str, dict[str, Any]] = {}
    for p in paths:
        path = Path(p)
        layer = _read(path)
        _check_layer(path, layer)
        _check_rule_ids(path, layer)
        for key in DATA_FILES:
            if key in layer:
                extra[key] = add_layer(extra.get(key, {}), key, layer.pop(key))
        data = merge(data, layer)
        files.append(str(path))
        last = path
    rubric = _build(data, files, last)
    rubric.data = extra
    return rubric


@cache
def default_rubric() -> Rubric:
    return load_rubric()
