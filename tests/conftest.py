"""Project-wide fixtures: personas and API clients.

Personas (STYLE.md: owner, designer, viewer, outsider, catalog_manager) grow with the models; today
there are users only, so we have:

    user             a signed-up person with no special rights
    staff            can sign in to the admin
    catalog_manager  staff in the "catalog managers" group (exactly the permissions it needs)

Django and DRF are imported inside the fixtures, so tests/engine/ (no Django) pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from rest_framework.test import APIClient

    from apps.accounts.models import User
    from apps.engine.types import SeedRecords

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
    """Staff in the "catalog managers" group (apps/catalog/permissions.py, kept by post_migrate)."""
    from apps.catalog.permissions import catalog_managers_group_sync

    group = catalog_managers_group_sync()
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
# The seed catalog is loaded ONCE per session, committed, outside any test transaction (so `db`
# tests see it and roll back only their own changes). A `transaction=True` (or live_server) test
# flushes every table when it ends; `pytest_runtest_teardown` then reloads the catalog in bulk.
# At the end of the session the catalog rows are deleted, so `--reuse-db` starts clean.


class _CatalogState:
    records: SeedRecords | None = None  # set once the session catalog is loaded


@pytest.fixture(scope="session")
def catalog_records() -> SeedRecords:
    """The seed records, read once per session (the same ones the catalog is loaded from)."""
    from apps.engine.seed import load_records
    from tests.support.catalog import catalog_seed_dir

    return load_records(catalog_seed_dir())


@pytest.fixture(scope="session")
def _catalog_session(
    django_db_setup: None, django_db_blocker: Any, catalog_records: SeedRecords
) -> Iterator[None]:
    from apps.catalog.services import catalog_load
    from tests.support.catalog import catalog_clear

    with django_db_blocker.unblock():
        catalog_load(records=catalog_records)
    _CatalogState.records = catalog_records
    yield
    _CatalogState.records = None
    with django_db_blocker.unblock():
        catalog_clear()


@pytest.fixture
def catalog(_catalog_session: None, db: None, catalog_records: SeedRecords) -> SeedRecords:
    """The seed catalog in the database; returns its records."""
    from apps.catalog.models import FiberType
    from apps.catalog.services import catalog_load

    if not FiberType.objects.exists():  # flushed by a transactional test
        catalog_load(records=catalog_records)
    return catalog_records


@pytest.fixture
def empty_catalog(db: None) -> None:
    """No catalog rows for this test (deleted inside the test's transaction, so rolled back)."""
    from tests.support.catalog import catalog_clear

    catalog_clear()


def _flushes(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    )
    names = getattr(item, "fixturenames", ())
    return transactional or "transactional_db" in names or "live_server" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        # After the test's own teardown, which is when a transactional test flushes the tables.
        if _CatalogState.records is not None and _flushes(item):
            from pytest_django.plugin import blocking_manager_key

            from apps.catalog.services import catalog_load

            with item.config.stash[blocking_manager_key].unblock():
                catalog_load(records=_CatalogState.records)


# --- Browser tests ---------------------------------------------------------------------------
# One Playwright for the whole session (pytest-playwright's): every browser test uses its
# `browser`/`page` fixtures, launched from Debian's Chromium with the flags this machine needs.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser."""
    import os

    from tests.support.browser import ARGS, CHROMIUM, chromium_or_skip

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM next to Playwright's loop
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    chromium_or_skip()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}
