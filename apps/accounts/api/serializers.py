"""Shapes for the accounts API. No rules here: services and selectors own them."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from apps.accounts.models import APIToken, Organization, Project, ProjectMembership, Role, User


class OrganizationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug"]


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class ProjectSerializer(serializers.ModelSerializer):
    """A project with the caller's effective role on it (set by the view from the selector)."""

    organization = OrganizationBriefSerializer(read_only=True)
    role = serializers.ChoiceField(
        choices=Role.choices, read_only=True, help_text="Your effective role in this project."
    )

    class Meta:
        model = Project
        fields = ["id", "organization", "name", "slug", "description", "cable_slack_m", "role"]


class ProjectCreateInputSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="Id of an organization you administer.")
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    cable_slack_m = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0"), required=False
    )


class ProjectMemberSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)

    class Meta:
        model = ProjectMembership
        fields = ["user", "role"]


class ProjectMemberInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class TokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its secret or digest."""

    projects: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = APIToken
        fields = [
            "id",
            "name",
            "description",
            "prefix",
            "role",
            "write_enabled",
            "projects",
            "expires",
            "last_used",
            "enabled",
            "created",
        ]
        read_only_fields = fields


class TokenCreatedSerializer(TokenSerializer):
    """A token just created, with its plaintext key: shown this once and never again."""

    key = serializers.CharField(
        read_only=True,
        help_text="The plaintext key, `<prefix>.<secret>`. Store it now: it cannot be retrieved.",
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class TokenCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    projects = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        max_length=1000,
        help_text="Ids of the projects the token may reach; an empty list reaches none.",
    )
    role = serializers.ChoiceField(
        choices=Role.choices, help_text="At most your own role in each of the projects."
    )
    write_enabled = serializers.BooleanField(
        default=False, help_text="False: a read-only token (GET, HEAD, OPTIONS only)."
    )
    expires = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CurrentTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = APIToken
        fields = ["id", "name", "prefix", "role", "write_enabled", "expires"]


class MeSerializer(serializers.Serializer):
    """Who the caller is, how they authenticated, and the projects they reach with which role.

    Reads a `Me` (see views.py): the user, the request's token and the projects with roles.
    """

    id = serializers.IntegerField(source="user.pk", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    is_service = serializers.BooleanField(source="user.is_service", read_only=True)
    token = CurrentTokenSerializer(
        read_only=True, allow_null=True, help_text="The API token of this request, if any."
    )
    projects = ProjectSerializer(many=True, read_only=True)
