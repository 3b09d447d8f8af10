"""Shared fixtures: the five real sample reports shipped in the package."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

SAMPLES = Path(str(resources.files("fazhi") / "samples"))


def sample_path(prefix: str) -> Path:
    """The bundled sample whose file name starts with `prefix` (000 ... 004)."""
    (path,) = SAMPLES.glob(f"{prefix}_*.txt")
    return path


def sample_text(prefix: str) -> str:
    return sample_path(prefix).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def analyzed():
    """analyzed("002") -> Report of that bundled sample (cached per session)."""
    import fazhi

    cache: dict[str, object] = {}

    def get(prefix: str):
        if prefix not in cache:
            cache[prefix] = fazhi.analyze(sample_path(prefix))
        return cache[prefix]

    return get
