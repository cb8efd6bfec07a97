"""Tenancy personas around one project (STYLE.md: owner, designer, viewer, outsider).

Organization "acme" ── org_admin (is_admin)
    └── project ── owner · designer · viewer          outsider: in no project of acme
"""

from __future__ import annotations

import pytest

from apps.accounts.models import Role
from tests.factories.accounts import (
    OrganizationFactory,
    OrganizationMembershipFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def org_admin(organization):
    admin = UserFactory(username="org_admin")
    OrganizationMembershipFactory(user=admin, organization=organization, is_admin=True)
    return admin


@pytest.fixture
def project(organization):
    return ProjectFactory(organization=organization, name="Hall 1", slug="hall-1")


def _member(project, username: str, role: str):
    person = UserFactory(username=username)
    ProjectMembershipFactory(user=person, project=project, role=role)
    return person


@pytest.fixture
def owner(project):
    return _member(project, "owner", Role.OWNER)


@pytest.fixture
def designer(project):
    return _member(project, "designer", Role.DESIGNER)


@pytest.fixture
def viewer(project):
    return _member(project, "viewer", Role.VIEWER)


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")
