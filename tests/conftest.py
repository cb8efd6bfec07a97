"""Project-wide fixtures: personas and API clients.

Personas (STYLE.md: owner, designer, viewer, outsider, catalog_manager) grow with the models; today
there are users only, so we have:

    user             a signed-up person with no special rights
    staff            can sign in to the admin
    catalog_manager  staff, in the "catalog managers" group, which holds every catalog permission

Django and DRF are imported inside the fixtures, so tests/engine/ (no Django) pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from rest_framework.test import APIClient

    from apps.accounts.models import User

PASSWORD = "correct horse battery staple"


def _make_user(username: str, **fields: Any) -> User:
    from django.contrib.auth import get_user_model

    user: User = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, **fields
    )
    return user


# --- Personas --------------------------------------------------------------------------------


@pytest.fixture
def user(db: None) -> User:
    """A signed-in person with no special rights."""
    return _make_user("user")


@pytest.fixture
def staff(db: None) -> User:
    """A person who may sign in to the admin, with no model permissions of their own."""
    return _make_user("staff", is_staff=True)


@pytest.fixture
def catalog_manager(db: None) -> User:
    """Staff in the "catalog managers" group, which holds every permission of the catalog app."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="catalog managers")
    group.permissions.set(Permission.objects.filter(content_type__app_label="catalog"))
    manager = _make_user("catalog_manager", is_staff=True)
    manager.groups.add(group)
    return manager


# --- API clients -----------------------------------------------------------------------------


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous DRF test client."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def authed_client(db: None) -> Callable[[User], APIClient]:
    """authed_client(persona) -> a DRF test client signed in as that persona."""
    from rest_framework.test import APIClient

    def signed_in(persona: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=persona)
        return client

    return signed_in


# --- Catalog ---------------------------------------------------------------------------------
# RESERVED FOR THE CATALOG DEVELOPER. STYLE.md: the catalog is loaded once per session and
# reloaded in bulk after each transactional test (a TransactionTestCase flushes every table).
# Put the session fixture (e.g. `catalog`, built on `django_db_setup` + `django_db_blocker`) and
# the reload hook here, or in tests/catalog/conftest.py if only catalog tests need it.
# --- end of the catalog section --------------------------------------------------------------
