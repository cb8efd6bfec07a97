"""Admin: users, organizations, projects and their members; API tokens by prefix only.

Tokens are created through the API (POST /api/v1/tokens/) or the token_create service, which show
the plaintext key once; the admin can disable, re-scope or delete them but never shows a digest.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from apps.accounts.models import (
    APIToken,
    Organization,
    OrganizationMembership,
    Project,
    ProjectMembership,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_service"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_service", "groups"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or []),
        ("Integrations", {"fields": ["is_service"]}),
    ]


class OrganizationMembershipInline(admin.TabularInline):
    model = OrganizationMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationMembershipInline]


class ProjectMembershipInline(admin.TabularInline):
    model = ProjectMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "cable_slack_m", "created"]
    list_filter = ["organization"]
    list_select_related = ["organization"]
    search_fields = ["name", "slug", "organization__name"]
    inlines = [ProjectMembershipInline]


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix",
        "name",
        "user",
        "role",
        "write_enabled",
        "enabled",
        "expires",
        "last_used",
    ]
    list_filter = ["enabled", "write_enabled", "role"]
    list_select_related = ["user"]
    search_fields = ["prefix", "name", "user__username"]
    # `digest` is in neither list: the admin never renders it, not even read-only.
    fields = [
        "prefix",
        "user",
        "name",
        "description",
        "role",
        "projects",
        "write_enabled",
        "enabled",
        "expires",
        "last_used",
        "created",
    ]
    readonly_fields = ["prefix", "user", "last_used", "created"]
    filter_horizontal = ["projects"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a key is made only by the token_create service, which shows it once
