"""Read-only admin for audit runs: what ran, when, for whom, and how it ended."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.audits.models import AuditChunk, AuditRun


class AuditChunkInline(admin.TabularInline):
    model = AuditChunk
    fields = ("index", "kind", "status", "attempts", "heartbeat", "finished", "findings_count")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRun)
class AuditRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "hall", "status", "links_total", "findings_total", "created", "finished")
    list_filter = ("status",)
    list_select_related = ("hall",)
    readonly_fields = [f.name for f in AuditRun._meta.fields]
    inlines = [AuditChunkInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
