"""The plant viewset: scoped reads, writes through services, the role check, bulk create.

Who may do what (docs/api.md has the table):

* reads: any member of the object's project (viewer and up), within the API token's projects;
  another project's object answers 404, and lists hold only visible rows;
* writes (create, PATCH, DELETE, actions): designer or owner of the object's project (org admins
  count as owners), capped by the token's role; a read-only token gets 403 `token_read_only`
  before anything else. An object the caller can see but not change answers 403
  `permission_denied`; one it cannot see answers 404 (related ids in a body: 400
  `does_not_exist`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.authentication import request_token
from apps.accounts.models import Project, Role
from apps.accounts.selectors import project_list
from apps.core.api.brief import BriefModeMixin
from apps.core.exceptions import ApplicationError
from apps.plant.api.serializers import BULK_MAX


def writable_project_ids(request: Request) -> set[int]:
    """Projects where this request may change the plant (designer and up), cached per request."""
    cached = getattr(request, "_plant_writable", None)
    if cached is None:
        cached = set(
            project_list(user=request.user, token=request_token(request), role=Role.DESIGNER)  # type: ignore[arg-type]
            .values_list("pk", flat=True)
            .distinct()
        )
        request._plant_writable = cached  # type: ignore[attr-defined]
    return cached


def require_writable(request: Request, project_id: int) -> None:
    """403 unless the request is a designer (or more) of the project."""
    if project_id not in writable_project_ids(request):
        raise exceptions.PermissionDenied(
            "Changing the plant needs the designer or owner role in its project."
        )


def project_id_of(obj: Any) -> int:
    return int(obj.pk if isinstance(obj, Project) else obj.project_id)


class PlantViewSet(BriefModeMixin, viewsets.ModelViewSet):
    """List, retrieve, create (one or a list), PATCH and DELETE, each write through a service.

    Subclasses set `selector` (scoped list), `serializer_class` / `brief_serializer_class`
    (output), `create_serializer_class` with `parent` (the field whose project the new row
    joins), `update_serializer_class` (PATCH; None: no PATCH), and implement `create_one`,
    `update_one` and `destroy_one` by calling the services.
    """

    selector: ClassVar[Callable[..., QuerySet[Any]]]
    create_serializer_class: type[serializers.Serializer] | None = None
    update_serializer_class: type[serializers.Serializer] | None = None
    parent: ClassVar[str] = ""
    filter_backends = (DjangoFilterBackend, OrderingFilter)
    ordering_fields: tuple[str, ...] = ("id", "name", "created", "updated")
    lookup_value_regex = r"[0-9]{1,18}"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        methods = ["get", "head", "options"]
        if cls.create_serializer_class is not None:
            methods.append("post")
        if cls.update_serializer_class is not None:
            methods.append("patch")
        if cls.destroy_one is not PlantViewSet.destroy_one:
            methods.append("delete")
        cls.http_method_names = methods

    def get_queryset(self) -> QuerySet[Any]:
        return type(self).selector(user=self.request.user, token=request_token(self.request))

    # --- service calls (subclasses) ------------------------------------------------------------

    def parent_project_id(self, data: dict[str, Any]) -> int:
        """The project a new row joins: its parent's."""
        return project_id_of(data[self.parent])

    def create_one(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update_one(self, obj: Any, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def destroy_one(self, obj: Any) -> None:
        raise NotImplementedError

    # --- DRF -----------------------------------------------------------------------------------

    def respond(self, obj: Model, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assert self.create_serializer_class is not None
        if not writable_project_ids(request):
            raise exceptions.PermissionDenied(
                "Changing the plant needs the designer or owner role in a project."
            )
        many = isinstance(request.data, list)
        if many and not 1 <= len(request.data) <= BULK_MAX:
            raise exceptions.ValidationError(
                {"non_field_errors": [f"Send 1 to {BULK_MAX} objects."]}, code="bulk_size"
            )
        params = self.create_serializer_class(
            data=request.data, many=many, context=self.get_serializer_context()
        )
        params.is_valid(raise_exception=True)
        items = params.validated_data if many else [params.validated_data]
        created: list[Model] = []
        with transaction.atomic():  # a list is created whole or not at all
            for index, data in enumerate(items):
                require_writable(request, self.parent_project_id(data))
                try:
                    created.append(self.create_one(data))
                except ApplicationError as error:
                    if many:
                        error.attr = f"{index}.{error.attr or 'non_field_errors'}"
                    raise
        if not many:
            return self.respond(created[0], status.HTTP_201_CREATED)
        rows = {row.pk: row for row in self.get_queryset().filter(pk__in=[o.pk for o in created])}
        body = self.get_serializer([rows[o.pk] for o in created], many=True).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assert self.update_serializer_class is not None
        obj = self.get_object()
        require_writable(request, obj.project_id)
        params = self.update_serializer_class(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        params.is_valid(raise_exception=True)
        return self.respond(self.update_one(obj, dict(params.validated_data)))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method or "PUT")
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        require_writable(request, obj.project_id)
        self.destroy_one(obj)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def writable_object(self) -> Any:
        """The URL's object (404 if not visible), checked writable (403)."""
        obj = self.get_object()
        require_writable(self.request, obj.project_id)
        return obj
