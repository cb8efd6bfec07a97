from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        post_migrate.connect(_catalog_managers_group_sync, sender=self)


def _catalog_managers_group_sync(**kwargs: Any) -> None:
    # After auth's own post_migrate handler has created this app's permissions.
    from apps.catalog.permissions import catalog_managers_group_sync

    catalog_managers_group_sync()
