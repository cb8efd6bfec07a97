"""Audit fixtures: personas around one project, small halls built through the plant services,
and a real Celery worker on the test database (`celery_worker`, transactional tests only).

Organization "acme" ── project ── owner · designer · viewer        outsider: in no project
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps.accounts.models import Role
from tests.audits.workers import Workers
from tests.factories.accounts import (
    OrganizationFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)
from tests.factories.plant import HallFactory, SiteFactory


@pytest.fixture
def project(db: None) -> Any:
    organization = OrganizationFactory(name="Acme", slug="acme")
    return ProjectFactory(organization=organization, name="Hall 1", slug="hall-1")


def _member(project: Any, username: str, role: str) -> Any:
    person = UserFactory(username=username)
    ProjectMembershipFactory(user=person, project=project, role=role)
    return person


@pytest.fixture
def owner(project: Any) -> Any:
    return _member(project, "owner", Role.OWNER)


@pytest.fixture
def designer(project: Any) -> Any:
    return _member(project, "designer", Role.DESIGNER)


@pytest.fixture
def viewer(project: Any) -> Any:
    return _member(project, "viewer", Role.VIEWER)


@pytest.fixture
def outsider(db: None) -> Any:
    return UserFactory(username="outsider")


@pytest.fixture
def hall(project: Any, catalog: Any) -> Any:
    """An empty Method B hall of the project (the seed catalog loaded)."""
    return HallFactory(site=SiteFactory(project=project), name="DH1")


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the chunk ids audit_start would publish, instead of publishing them."""
    from apps.audits import services

    published: list[int] = []
    monkeypatch.setattr(
        services, "chunks_enqueue", lambda *, chunk_ids: published.extend(chunk_ids)
    )
    return published


@pytest.fixture
def celery_workers(transactional_db: None, settings: Any) -> Iterator[Workers]:
    """Start/stop real `celery worker` processes on the test database and Redis db 11."""
    workers = Workers.for_test(settings)
    try:
        yield workers
    finally:
        workers.stop_all()
