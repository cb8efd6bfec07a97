"""A plain admin for the catalog (a fuller one comes later).

Every save or delete bumps the catalog version, so cached engine catalogs are rebuilt. A seed
row's code, origin and seed hash are read-only; editing its content is allowed and shows as drift
at the next `load_catalog`. A revision's spec is never edited: revisions are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from apps.catalog.models import (
    Application,
    ApplicationLimit,
    CatalogVersion,
    ConnectorType,
    FiberType,
    Layout,
    LossGrade,
    Product,
    ProductRevision,
    SpliceType,
)
from apps.catalog.services import catalog_version_bump

BOOKKEEPING = ("origin", "seed_hash", "created", "updated")


class CatalogAdmin(admin.ModelAdmin):
    """Bumps the catalog version on every write; seed rows keep their identity read-only."""

    key_field = "code"

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        readonly = [*super().get_readonly_fields(request, obj), *BOOKKEEPING]
        if obj is not None and getattr(obj, "origin", None) == "seed":
            readonly.append(self.key_field)
        return readonly

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Runs after save_model, also for inlines (limits): one bump per saved form.
        super().save_related(request, form, formsets, change)
        catalog_version_bump()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        catalog_version_bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        catalog_version_bump()


@admin.register(FiberType)
class FiberTypeAdmin(CatalogAdmin):
    list_display = ("code", "name", "mode", "core_um", "modal_bandwidth_mhz_km", "verified")
    list_filter = ("mode", "core_um", "verified", "origin")
    search_fields = ("code", "name")


@admin.register(ConnectorType)
class ConnectorTypeAdmin(CatalogAdmin):
    list_display = ("code", "name", "rows", "columns", "key", "gendered", "loss_class", "verified")
    list_filter = ("key", "loss_class", "gendered", "verified", "origin")
    search_fields = ("code", "name")


@admin.register(LossGrade)
class LossGradeAdmin(CatalogAdmin):
    list_display = ("code", "name", "rank", "verified")
    list_filter = ("verified", "origin")
    search_fields = ("code", "name")


@admin.register(SpliceType)
class SpliceTypeAdmin(CatalogAdmin):
    list_display = ("code", "name", "max_db", "typ_db", "verified")
    list_filter = ("verified", "origin")
    search_fields = ("code", "name")


@admin.register(Layout)
class LayoutAdmin(CatalogAdmin):
    key_field = "name"
    list_display = ("name", "origin")
    search_fields = ("name",)


class ApplicationLimitInline(admin.TabularInline):
    model = ApplicationLimit
    extra = 0
    autocomplete_fields = ("fiber_type",)


@admin.register(Application)
class ApplicationAdmin(CatalogAdmin):
    list_display = ("code", "name", "standard", "lanes", "wavelength_nm", "mode", "verified")
    list_filter = ("standard_body", "mode", "modulation", "wdm", "verified", "origin")
    search_fields = ("code", "name", "standard")
    inlines = (ApplicationLimitInline,)


class ProductRevisionInline(admin.TabularInline):
    model = ProductRevision
    extra = 0
    fields = ("number", "is_current", "origin", "content_hash", "created")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(CatalogAdmin):
    list_display = ("code", "kind", "name", "vendor", "fiber_type", "application", "retired")
    list_filter = ("kind", "retired", "cable_type", "polarity", "fiber_type", "origin")
    list_select_related = ("fiber_type", "application")
    search_fields = ("code", "name", "description")
    inlines = (ProductRevisionInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # Copied from the spec: change them with a new revision, not here.
        derived = ("kind", "fiber_type", "application", "form_factor", "cable_type", "polarity")
        return [*super().get_readonly_fields(request, obj), *derived, "families", "sources"]


@admin.register(ProductRevision)
class ProductRevisionAdmin(admin.ModelAdmin):
    list_display = ("product", "number", "is_current", "origin", "created")
    list_filter = ("is_current", "origin")
    list_select_related = ("product",)
    search_fields = ("product__code",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CatalogVersion)
class CatalogVersionAdmin(admin.ModelAdmin):
    list_display = ("value", "updated")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
