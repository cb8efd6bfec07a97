"""Accounts API: who am I, my API tokens, my projects and their members.

Outsiders get 404 for a project, never 403: a project's existence is not disclosed. Requests made
with an API token see only the token's projects, with the token's role as a ceiling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from apps.accounts.api import serializers as s
from apps.accounts.authentication import request_token
from apps.accounts.models import APIToken, Project, User
from apps.accounts.selectors import (
    organization_list,
    project_list,
    project_list_with_roles,
    project_manageable,
    project_member_list,
    project_role_of,
    token_list,
)
from apps.accounts.services import (
    project_create,
    project_member_remove,
    project_member_set,
    token_create,
    token_revoke,
)


def _me(request: Request) -> User:
    """The authenticated user: every view here is behind IsAuthenticated."""
    return cast(User, request.user)


def _with_roles(projects: list[Project], *, token: APIToken | None) -> list[Project]:
    """Set `project.role` from the selector's annotations, for ProjectSerializer."""
    for project in projects:
        project.role = project_role_of(project, token=token)  # type: ignore[attr-defined]
    return projects


class ListApi(GenericAPIView):
    """An APIView with the project's pagination: subclasses call `self.respond_page`."""

    filter_backends: list[type] = []  # selectors decide what is listed, and in which order

    def respond_page(
        self,
        queryset: QuerySet,
        serializer_class: type[Serializer],
        *,
        prepare: Callable[[list[Any]], list[Any]] | None = None,
    ) -> Response:
        page = list(self.paginate_queryset(queryset) or [])
        if prepare is not None:
            page = prepare(page)
        return self.get_paginated_response(serializer_class(page, many=True).data)


# --- users/me --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Me:
    user: User
    token: APIToken | None
    projects: list[Project]


class UserMeApi(APIView):
    """Who am I: an authentication check for integrators (like NetBox's authentication-check)."""

    @extend_schema(responses=s.MeSerializer, operation_id="users_me")
    def get(self, request: Request) -> Response:
        token = request_token(request)
        projects = list(project_list_with_roles(user=_me(request), token=token))
        me = Me(user=_me(request), token=token, projects=_with_roles(projects, token=token))
        return Response(s.MeSerializer(me).data)


# --- tokens ----------------------------------------------------------------------------------

TOKEN_CREATE_EXAMPLES = [
    OpenApiExample(
        "Read-only token for one project",
        request_only=True,
        value={
            "name": "netbox-sync",
            "description": "Nightly export to NetBox",
            "projects": [12],
            "role": "viewer",
            "write_enabled": False,
            "expires": "2027-01-01T00:00:00Z",
        },
    ),
    OpenApiExample(
        "Created: the key is shown this once",
        response_only=True,
        status_codes=["201"],
        value={
            "id": 7,
            "name": "netbox-sync",
            "description": "Nightly export to NetBox",
            "prefix": "k3v9q2m8x1ab",
            "role": "viewer",
            "write_enabled": False,
            "projects": [12],
            "expires": "2027-01-01T00:00:00Z",
            "last_used": None,
            "enabled": True,
            "created": "2026-11-24T09:00:00Z",
            "key": "k3v9q2m8x1ab.Zq2f…43 characters…",
        },
    ),
]


class TokenListApi(ListApi):
    """My API tokens (never their secrets), and creating one."""

    queryset = APIToken.objects.none()  # for the schema only; reads go through selectors

    @extend_schema(responses=s.TokenSerializer(many=True), operation_id="tokens_list")
    def get(self, request: Request) -> Response:
        return self.respond_page(token_list(user=_me(request)), s.TokenSerializer)

    @extend_schema(
        request=s.TokenCreateInputSerializer,
        responses={201: s.TokenCreatedSerializer},
        examples=TOKEN_CREATE_EXAMPLES,
        operation_id="tokens_create",
        description=(
            "Create an API token for yourself. The answer holds the plaintext key "
            "`<prefix>.<secret>` this once; only a keyed digest is stored. Send it as "
            "`Authorization: Bearer <key>` (or `Token <key>`)."
        ),
    )
    def post(self, request: Request) -> Response:
        params = s.TokenCreateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        via = request_token(request)
        wanted = set(data["projects"])
        projects = list(project_list(user=_me(request), token=via).filter(pk__in=wanted))
        if len(projects) != len(wanted):
            raise exceptions.ValidationError(
                {"projects": [exceptions.ErrorDetail("No such project.", code="does_not_exist")]}
            )
        token, key = token_create(
            user=_me(request),
            name=data["name"],
            description=data["description"],
            projects=projects,
            role=data["role"],
            write_enabled=data["write_enabled"],
            expires=data["expires"],
            via=via,
        )
        token = token_list(user=_me(request)).get(pk=token.pk)
        body = s.TokenCreatedSerializer(token).data | {"key": key}
        # The key must not linger in any cache between us and the client.
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class TokenDetailApi(APIView):
    """Revoke (delete) one of my tokens."""

    @extend_schema(responses={204: None}, operation_id="tokens_destroy")
    def delete(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(token_list(user=_me(request)), pk=pk)
        token_revoke(token=token, by=_me(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- projects --------------------------------------------------------------------------------


class ProjectListApi(ListApi):
    """Projects I can reach, and creating one in an organization I administer."""

    queryset = Project.objects.none()  # for the schema only; reads go through selectors

    @extend_schema(responses=s.ProjectSerializer(many=True), operation_id="projects_list")
    def get(self, request: Request) -> Response:
        token = request_token(request)
        projects = project_list_with_roles(user=_me(request), token=token)
        return self.respond_page(
            projects, s.ProjectSerializer, prepare=lambda page: _with_roles(page, token=token)
        )

    @extend_schema(
        request=s.ProjectCreateInputSerializer,
        responses={201: s.ProjectSerializer},
        operation_id="projects_create",
        examples=[
            OpenApiExample(
                "New project",
                request_only=True,
                value={"organization": 1, "name": "Hall 3 build-out", "slug": "hall-3"},
            )
        ],
    )
    def post(self, request: Request) -> Response:
        params = s.ProjectCreateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        organization = organization_list(user=_me(request)).filter(pk=data.pop("organization"))
        if not (found := organization.first()):
            raise exceptions.ValidationError(
                {
                    "organization": [
                        exceptions.ErrorDetail("No such organization.", code="does_not_exist")
                    ]
                }
            )
        project = project_create(
            organization=found, by=_me(request), token=request_token(request), **data
        )
        project = project_list_with_roles(user=_me(request)).get(pk=project.pk)
        _with_roles([project], token=None)
        return Response(s.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    """One project I can reach (404 otherwise)."""

    @extend_schema(responses=s.ProjectSerializer, operation_id="projects_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        token = request_token(request)
        project = get_object_or_404(project_list_with_roles(user=_me(request), token=token), pk=pk)
        _with_roles([project], token=token)
        return Response(s.ProjectSerializer(project).data)


def _visible_project(request: Request, pk: int) -> Project:
    return get_object_or_404(
        project_list(user=_me(request), token=request_token(request)).select_related(
            "organization"
        ),
        pk=pk,
    )


def _require_manageable(request: Request, project: Project) -> None:
    # Checked before any user lookup, so that non-owners cannot probe which usernames exist.
    if not project_manageable(user=_me(request), token=request_token(request), project=project):
        raise exceptions.PermissionDenied(
            "Only an owner of the project or an organization admin may change its members."
        )


class ProjectMemberListApi(ListApi):
    """The members of a project I can reach; owners and organization admins set roles."""

    queryset = Project.objects.none()  # for the schema only; reads go through selectors

    @extend_schema(responses=s.ProjectMemberSerializer(many=True), operation_id="members_list")
    def get(self, request: Request, pk: int) -> Response:
        project = _visible_project(request, pk)
        return self.respond_page(project_member_list(project=project), s.ProjectMemberSerializer)

    @extend_schema(
        request=s.ProjectMemberInputSerializer,
        responses={200: s.ProjectMemberSerializer},
        operation_id="members_set",
        description="Add a member or change their role (owners and organization admins).",
    )
    def post(self, request: Request, pk: int) -> Response:
        project = _visible_project(request, pk)
        _require_manageable(request, project)
        params = s.ProjectMemberInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        member = User.objects.filter(
            username=params.validated_data["username"], is_active=True
        ).first()
        if member is None:
            raise exceptions.ValidationError(
                {"username": [exceptions.ErrorDetail("No such user.", code="does_not_exist")]}
            )
        membership = project_member_set(
            project=project,
            user=member,
            role=params.validated_data["role"],
            by=_me(request),
            token=request_token(request),
        )
        return Response(s.ProjectMemberSerializer(membership).data)


class ProjectMemberDetailApi(APIView):
    """Remove a member from a project."""

    @extend_schema(responses={204: None}, operation_id="members_remove")
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        project = _visible_project(request, pk)
        _require_manageable(request, project)
        member = get_object_or_404(User, pk=user_id)
        project_member_remove(
            project=project, user=member, by=_me(request), token=request_token(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
