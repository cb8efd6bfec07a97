"""The "catalog managers" group and exactly the permissions it holds.

Kept in step by a `post_migrate` handler (apps.py), so a fresh database, a flushed test database
and a deployment after a migration all hold the same group. Designers and integrations are not in
it: the catalog API is read-only for everybody, and the admin needs these permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

CATALOG_MANAGERS = "catalog managers"

# model -> actions. Vocabulary rows are referred to by code from product specs (not by foreign
# key), so deleting one could break every product naming it: managers edit them, never delete.
# A revision is written only by saving its product; a product is retired, and deleted only
# while nothing installed uses it (the admin checks). An application's limits are its parts.
CATALOG_MANAGER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "fibertype": ("view", "add", "change"),
    "connectortype": ("view", "add", "change"),
    "lossgrade": ("view", "add", "change"),
    "splicetype": ("view", "add", "change"),
    "layout": ("view", "add", "change"),
    "application": ("view", "add", "change"),
    "applicationlimit": ("view", "add", "change", "delete"),
    "product": ("view", "add", "change", "delete", "import", "export"),
    "productrevision": ("view",),
    "catalogversion": ("view",),
    "historicalproduct": ("view",),
    "historicalproductrevision": ("view",),
}


def catalog_manager_codenames() -> set[str]:
    """The permission codenames of the group, e.g. "change_product", "import_product"."""
    return {
        f"{action}_{model}"
        for model, actions in CATALOG_MANAGER_PERMISSIONS.items()
        for action in actions
    }


def catalog_managers_group_sync(**kwargs: Any) -> Group:
    """Create the group if needed and give it exactly its permissions; return it."""
    group, _ = Group.objects.get_or_create(name=CATALOG_MANAGERS)
    wanted = catalog_manager_codenames()
    permissions = Permission.objects.filter(
        Q(content_type__app_label="catalog") & Q(codename__in=wanted)
    )
    group.permissions.set(permissions)
    return group
