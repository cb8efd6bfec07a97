"""The base of every catalog ModelAdmin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from apps.catalog.models import CatalogRow
from apps.catalog.services import catalog_version_bump

BOOKKEEPING = ("origin", "seed_hash", "created", "updated")


class CatalogAdmin(admin.ModelAdmin):
    """Bumps the catalog version on every write; an edited seed row becomes local.

    A local row is never overwritten by `load_catalog` (it reports LOCAL_ROW drift instead). The
    natural key (code, or name for layouts) is read-only once the row exists: products and specs
    refer to it.
    """

    key_field = "code"

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        readonly = [*super().get_readonly_fields(request, obj), *BOOKKEEPING]
        if obj is not None:
            readonly.append(self.key_field)
        return readonly

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and form.has_changed() and getattr(obj, "origin", None) == CatalogRow.Origin.SEED:
            obj.origin = CatalogRow.Origin.LOCAL
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Runs after save_model, also for inlines (limits): one bump per saved form.
        super().save_related(request, form, formsets, change)
        if change and any(formset.has_changed() for formset in formsets):
            type(form.instance)._default_manager.filter(
                pk=form.instance.pk, origin=CatalogRow.Origin.SEED
            ).update(origin=CatalogRow.Origin.LOCAL)
        catalog_version_bump()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        catalog_version_bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        catalog_version_bump()
