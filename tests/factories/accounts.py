"""Factories for accounts: users, organizations, projects, memberships.

API tokens are made with `token_make`, which goes through the token_create service so that the
digest is real; it returns the token and its plaintext key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import factory

from apps.accounts.models import (
    APIToken,
    Organization,
    OrganizationMembership,
    Project,
    ProjectMembership,
    Role,
    User,
)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Operator {n}")
    slug = factory.Sequence(lambda n: f"operator-{n}")


class OrganizationMembershipFactory(factory.django.DjangoModelFactory[OrganizationMembership]):
    class Meta:
        model = OrganizationMembership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    is_admin = False


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Hall {n} build-out")
    slug = factory.Sequence(lambda n: f"hall-{n}")


class ProjectMembershipFactory(factory.django.DjangoModelFactory[ProjectMembership]):
    class Meta:
        model = ProjectMembership

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = Role.VIEWER


def token_make(
    *,
    user: User,
    projects: Iterable[Project] = (),
    role: str = Role.VIEWER,
    write_enabled: bool = False,
    expires: datetime | None = None,
    name: str = "integration",
    **fields: Any,
) -> tuple[APIToken, str]:
    """A real API token (through the service) and its plaintext key."""
    from apps.accounts.services import token_create

    return token_create(
        user=user,
        name=name,
        projects=list(projects),
        role=role,
        write_enabled=write_enabled,
        expires=expires,
        **fields,
    )
