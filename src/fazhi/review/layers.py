"""Rule data layered by a rubric file.

A province's or a unit's rubric (review/rubric.py) may, besides `rules`, `items` and
`deadlines`, add entries to the data files the rules read:

    parts:          {first_responsible: {phrases: [述职述法]}}          # parts.yaml heading words
    formulations:   {entries: [...], patterns: [...], whitelist: [...], quoted: {terms: [...]}}
    anachronisms:   {entries: [{id: ..., pattern: ..., effective_from: ...}]}
    typos:          {entries: [{wrong: ..., right: ...}], whitelist: [...], words: [...]}

Lists are appended to the shipped file's lists (layers add, they do not replace), except
that an anachronism entry with the `id` of an existing one changes that entry's fields
(`enabled: false` drops it). `merged(name, extra)` gives the shipped file with the layers'
additions; rules get the additions in their params under "data" (`layered(params, name)`).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fazhi.errors import FazhiError

DATA_FILES = {"parts": "parts.yaml", "formulations": "formulations.yaml",
              "anachronisms": "anachronisms.yaml", "typos": "typos.yaml"}
_LIST_KEYS = {"formulations": ("entries", "patterns", "whitelist"),
              "anachronisms": ("entries",), "typos": ("entries", "whitelist", "words")}
_SEVERITIES = ("error", "warning", "info")


class LayerError(ValueError):
    """One problem in a data layer, in Chinese (without the file name)."""


# ---------------------------------------------------------------- checking one layer

def check_data_layer(path: Path, key: str, value: Any) -> None:
    """Shape checks on one data section of a rubric layer; FazhiError names the file."""
    try:
        if not isinstance(value, dict):
            raise LayerError(f"“{key}”应为键值映射。")
        {"parts": _check_parts, "formulations": _check_formulations,
         "anachronisms": _check_anachronisms, "typos": _check_typos}[key](value)
    except LayerError as e:
        raise FazhiError(f"评分细则文件 {path}：{e}") from None


def _strings(x: Any) -> bool:
    return isinstance(x, list) and all(isinstance(s, str) and s for s in x)


def _regex(where: str, rx: Any) -> None:
    if not isinstance(rx, str):
        raise LayerError(f"{where}应为正则表达式字符串。")
    try:
        re.compile(rx)
    except re.error:
        raise LayerError(f"{where}“{rx}”不是有效的正则表达式。") from None


def _known(where: str, d: Mapping[str, Any], allowed: set[str]) -> None:
    if extra := set(d) - allowed:
        raise LayerError(f"{where}有未知字段“{sorted(extra)[0]}”。")


def _severity(where: str, d: Mapping[str, Any]) -> None:
    if "severity" in d and d["severity"] not in _SEVERITIES:
        raise LayerError(f"{where}的 severity 应为 error、warning 或 info。")


def _check_parts(value: Mapping[str, Any]) -> None:
    from fazhi.report import PART_KEYS

    for part, conf in value.items():
        if part not in PART_KEYS:
            raise LayerError(f"parts 的“{part}”应为四个法定部分之一（{'、'.join(PART_KEYS)}）。")
        if not isinstance(conf, dict) or set(conf) - {"phrases", "source"} or not _strings(conf.get("phrases")):
            raise LayerError(f"parts 的“{part}”应写作 {{phrases: [标题用词, ...]}}。")


def _entries(value: Mapping[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    items = value.get(key, [])
    if not isinstance(items, list) or not all(isinstance(e, dict) for e in items):
        raise LayerError(f"{name}的 {key} 应为条目列表。")
    return items


def _check_formulations(value: Mapping[str, Any]) -> None:
    _known("formulations", value, {"entries", "patterns", "whitelist", "quoted"})
    for i, e in enumerate(_entries(value, "entries", "formulations"), 1):
        where = f"formulations 第{i}条"
        _known(where, e, {"wrong", "right", "note", "severity", "from_year", "source", "outside_titles"})
        if not _strings(e.get("wrong")) or not isinstance(e.get("right"), str) or not isinstance(e.get("note"), str):
            raise LayerError(f"{where}须有 wrong（字符串列表）、right 和 note。")
        _severity(where, e)
    for i, p in enumerate(_entries(value, "patterns", "formulations"), 1):
        where = f"formulations 的 patterns 第{i}条"
        _known(where, p, {"regex", "fix", "note", "severity", "source"})
        _regex(where, p.get("regex"))
        if not isinstance(p.get("fix"), str) or not isinstance(p.get("note"), str):
            raise LayerError(f"{where}须有 fix 和 note。")
        _severity(where, p)
    if "whitelist" in value and not _strings(value["whitelist"]):
        raise LayerError("formulations 的 whitelist 应为字符串列表。")
    quoted = value.get("quoted", {})
    if not isinstance(quoted, dict) or set(quoted) - {"terms", "forms"} or not _strings(quoted.get("terms", [])) \
            or not isinstance(quoted.get("forms", {}), dict):
        raise LayerError("formulations 的 quoted 应写作 {terms: [...], forms: {...}}。")


def _date_ok(v: Any) -> bool:
    if isinstance(v, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(v))
    except ValueError:
        return False
    return True


def _check_anachronisms(value: Mapping[str, Any]) -> None:
    _known("anachronisms", value, {"entries"})
    for i, e in enumerate(_entries(value, "anachronisms", "anachronisms"), 1):
        where = f"anachronisms 第{i}条"
        _known(where, e, {"id", "pattern", "unless", "effective_from", "effective_to", "message", "suggestion",
                          "severity", "source", "enabled"})
        if not isinstance(e.get("id"), str):
            raise LayerError(f"{where}须有 id。")
        for k in ("pattern", "unless"):
            if k in e:
                _regex(f"{where}的 {k} ", e[k])
        for k in ("effective_from", "effective_to"):
            if k in e and not _date_ok(e[k]):
                raise LayerError(f"{where}的 {k} 应写成 YYYY-MM-DD。")
        _severity(where, e)


def _check_typos(value: Mapping[str, Any]) -> None:
    _known("typos", value, {"entries", "whitelist", "words"})
    for i, e in enumerate(_entries(value, "entries", "typos"), 1):
        where = f"typos 第{i}条"
        _known(where, e, {"wrong", "right", "before", "after", "not_before", "not_after", "note", "severity",
                          "source"})
        if not (isinstance(e.get("wrong"), str) and e["wrong"] and isinstance(e.get("right"), str)):
            raise LayerError(f"{where}须有 wrong 和 right。")
        for k in ("before", "after", "not_before", "not_after"):
            if k in e:
                _regex(f"{where}的 {k} ", e[k])
        _severity(where, e)
    for k in ("whitelist", "words"):
        if k in value and not _strings(value[k]):
            raise LayerError(f"typos 的 {k} 应为字符串列表。")


# ---------------------------------------------------------------- adding layers up

def add_layer(acc: Mapping[str, Any], key: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """The additions of the layers so far (`acc`) with one more layer's `value`."""
    out = json.loads(json.dumps(acc, default=str))  # a deep copy of plain data
    if key == "parts":
        for part, conf in value.items():
            have = out.setdefault(part, {"phrases": []})
            have["phrases"] = have["phrases"] + [p for p in conf["phrases"] if p not in have["phrases"]]
        return out
    for lk in _LIST_KEYS[key]:
        if lk in value:
            out[lk] = out.get(lk, []) + json.loads(json.dumps(value[lk], default=str))
    if key == "formulations" and "quoted" in value:
        q = out.setdefault("quoted", {"terms": [], "forms": {}})
        q["terms"] = q.get("terms", []) + list(value["quoted"].get("terms", []))
        q["forms"] = {**q.get("forms", {}), **value["quoted"].get("forms", {})}
    return out


def merged(name: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The shipped data file `name` (a key of DATA_FILES) with a rubric's additions."""
    return _merged(name, json.dumps(extra or {}, sort_keys=True, ensure_ascii=False))


@cache
def _merged(name: str, extra_json: str) -> dict[str, Any]:
    from fazhi.data import load_yaml

    base = load_yaml(DATA_FILES[name])
    extra = json.loads(extra_json)
    if not extra:
        return base
    out = dict(base)
    if name == "parts":
        parts = {k: dict(v) for k, v in base["parts"].items()}
        for part, conf in extra.items():
            parts[part]["phrases"] = list(parts[part]["phrases"]) + [p for p in conf["phrases"]
                                                                      if p not in parts[part]["phrases"]]
        out["parts"] = parts
        return out
    for lk in _LIST_KEYS[name]:
        if lk in extra:
            out[lk] = list(base.get(lk, [])) + extra[lk]
    if name == "anachronisms":
        out["entries"] = _by_id(base["entries"], extra.get("entries", []))
    if name == "formulations" and "quoted" in extra:
        q = base.get("quoted", {})
        out["quoted"] = {**q, "terms": list(q.get("terms", [])) + extra["quoted"].get("terms", []),
                         "forms": {**q.get("forms", {}), **extra["quoted"].get("forms", {})}}
    return out


def _by_id(base: list[dict[str, Any]], added: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Anachronism entries: an added entry with a known id changes it, `enabled: false` drops it."""
    entries = {e["id"]: dict(e) for e in base}
    for e in added:
        entries[e["id"]] = {**entries.get(e["id"], {}), **e}
    out = []
    for e in entries.values():
        if e.get("enabled", True) is False:
            continue
        e.setdefault("message", "“{found}”与{year}年度不符。")
        e.setdefault("suggestion", "核对报告年度和所用提法。")
        e.setdefault("source", "评分细则叠加文件")
        out.append(e)
    return out


def layered(params: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    """The data file `name` as a rule sees it: shipped, plus the rubric's additions
    (params["data"][name], set by Rubric.settings())."""
    extra = ((params or {}).get("data") or {}).get(name)
    return merged(name, extra)


def layer_key(params: Mapping[str, Any] | None, name: str) -> str:
    """A hashable key of the rubric's additions to `name` (for caching compiled matchers)."""
    return json.dumps(((params or {}).get("data") or {}).get(name) or {}, sort_keys=True, ensure_ascii=False)
