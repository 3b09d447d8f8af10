"""Rules as data: YAML files shipped with the package, each citing its sources."""
from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any


@cache
def load_yaml(name: str) -> Any:
    import yaml

    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
