"""Configurator fixtures: a designer and an outsider, and the small hall of support.py."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import Role, User
from tests.configurator.support import SmallHall, member, small_hall
from tests.conftest import PASSWORD, _make_user
from tests.factories.accounts import ProjectFactory


@pytest.fixture
def designer(db: None) -> User:
    return _make_user("designer")


@pytest.fixture
def viewer(db: None) -> User:
    return _make_user("viewer")


@pytest.fixture
def outsider(db: None) -> User:
    return _make_user("outsider")


@pytest.fixture
def build(catalog: object, designer: User, viewer: User, outsider: User) -> SmallHall:
    """The small hall with its failing link L-1; the outsider has a project of their own."""
    project = ProjectFactory.create(name="Frankfurt build-out")
    member(designer, project, Role.DESIGNER)
    member(viewer, project, Role.VIEWER)
    member(outsider, ProjectFactory.create(name="Elsewhere"), Role.OWNER)
    return small_hall(project, with_link=True)


def signed_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client
