"""The engine version a run records: the engine's declared ENGINE_VERSION, else a source digest."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import apps.engine
from apps.audits.versions import engine_version


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    engine_version.cache_clear()
    yield
    engine_version.cache_clear()


def test_without_a_declared_version_the_engine_sources_digest_is_used(monkeypatch):
    monkeypatch.delattr(apps.engine, "ENGINE_VERSION", raising=False)
    assert re.fullmatch(r"engine-[0-9a-f]{12}", engine_version())


def test_the_engine_declared_version_is_used_when_there_is_one(monkeypatch):
    monkeypatch.setattr(apps.engine, "ENGINE_VERSION", "2.3.0", raising=False)
    assert engine_version() == "engine-2.3.0"
