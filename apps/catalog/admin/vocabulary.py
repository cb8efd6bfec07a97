"""Fibre and connector types, loss grades, splices, layouts and applications."""

from __future__ import annotations

from django.contrib import admin

from apps.catalog.admin.base import CatalogAdmin
from apps.catalog.models import (
    Application,
    ApplicationLimit,
    ConnectorType,
    FiberType,
    Layout,
    LossGrade,
    SpliceType,
)


@admin.register(FiberType)
class FiberTypeAdmin(CatalogAdmin):
    list_display = (
        "code",
        "name",
        "mode",
        "core_um",
        "modal_bandwidth_mhz_km",
        "jacket_color",
        "verified",
        "origin",
    )
    list_filter = ("mode", "core_um", "verified", "origin")
    search_fields = ("code", "name")


@admin.register(ConnectorType)
class ConnectorTypeAdmin(CatalogAdmin):
    list_display = (
        "code",
        "name",
        "rows",
        "columns",
        "lit",
        "key",
        "gendered",
        "loss_class",
        "verified",
        "origin",
    )
    list_filter = ("key", "loss_class", "gendered", "verified", "origin")
    search_fields = ("code", "name")


@admin.register(LossGrade)
class LossGradeAdmin(CatalogAdmin):
    list_display = ("code", "name", "rank", "pairs", "verified", "origin")
    list_filter = ("verified", "origin")
    search_fields = ("code", "name")


@admin.register(SpliceType)
class SpliceTypeAdmin(CatalogAdmin):
    list_display = ("code", "name", "max_db", "typ_db", "verified", "origin")
    list_filter = ("verified", "origin")
    search_fields = ("code", "name")


@admin.register(Layout)
class LayoutAdmin(CatalogAdmin):
    key_field = "name"
    list_display = ("name", "tx", "rx", "origin")
    list_filter = ("origin",)
    search_fields = ("name",)


class ApplicationLimitInline(admin.TabularInline):
    """An application's normative reach, channel insertion loss and allocation per fibre type."""

    model = ApplicationLimit
    extra = 0
    fields = ("fiber_type", "reach_m", "il_db", "alloc_db", "verified", "sources")
    autocomplete_fields = ("fiber_type",)


@admin.register(Application)
class ApplicationAdmin(CatalogAdmin):
    list_display = (
        "code",
        "name",
        "standard",
        "lanes",
        "modulation",
        "wavelength_nm",
        "mode",
        "core_um",
        "verified",
        "origin",
    )
    list_filter = ("standard_body", "mode", "core_um", "modulation", "wdm", "verified", "origin")
    search_fields = ("code", "name", "standard")
    inlines = (ApplicationLimitInline,)
