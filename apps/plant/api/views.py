"""The plant API: one viewset per model (CRUD through the services) and the topology actions.

Topology never changes through PATCH: U, slot, rack place, cable legs and ports change through
`POST /cables/{id}/connect/` and `/disconnect/`, `POST /enclosures/{id}/move/`, and POST/DELETE on
`/matings/`. Link operations (validate, trace, loss budget) are in links.py.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Project
from apps.core.api.brief import BRIEF, brief_or_full
from apps.core.exceptions import ApplicationError
from apps.plant import filtersets, io, selectors, services
from apps.plant.api import schema
from apps.plant.api import serializers as s
from apps.plant.api.base import PlantViewSet, require_writable
from apps.plant.api.links import LinkOperationsMixin
from apps.plant.models import CableLeg, Link


def _user(request: Request) -> Any:
    return request.user


@extend_schema_view(
    **schema.crud(
        "sites",
        s.SiteSerializer,
        s.SiteCreateSerializer,
        s.NameUpdateSerializer,
        brief=s.BriefSiteSerializer,
    )
)
class SiteViewSet(PlantViewSet):
    """Sites: buildings or campuses of a project."""

    selector = staticmethod(selectors.site_list)
    serializer_class = s.SiteSerializer
    brief_serializer_class = s.BriefSiteSerializer
    create_serializer_class = s.SiteCreateSerializer
    update_serializer_class = s.NameUpdateSerializer
    filterset_class = filtersets.SiteFilterSet
    parent = "project"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.site_create(project=data["project"], name=data["name"])

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.site_update(site=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.site_delete(site=obj)


@extend_schema_view(
    **schema.crud(
        "halls",
        s.HallSerializer,
        s.HallCreateSerializer,
        s.HallUpdateSerializer,
        brief=s.BriefHallSerializer,
    )
)
class HallViewSet(PlantViewSet):
    """Halls: polarity method, standard cords, geometry and plant revision."""

    selector = staticmethod(selectors.hall_list)
    serializer_class = s.HallSerializer
    brief_serializer_class = s.BriefHallSerializer
    create_serializer_class = s.HallCreateSerializer
    update_serializer_class = s.HallUpdateSerializer
    filterset_class = filtersets.HallFilterSet
    parent = "site"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.hall_create(**data)

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.hall_update(hall=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.hall_delete(hall=obj)

    @extend_schema(
        summary="The hall's permanent links (derived; TIA-568.3 Tier-1 limits)",
        responses={200: s.PermanentLinkSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="permanent-links", pagination_class=None)
    def permanent_links(self, request: Request, pk: str) -> Response:
        hall = self.get_object()
        found = selectors.permanent_links_for_hall(hall_id=hall.pk)
        return Response(s.PermanentLinkSerializer(found, many=True).data)

    @extend_schema(
        summary="The hall as one JSON document of natural keys (for import elsewhere)",
        responses={200: OpenApiTypes.OBJECT},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def export(self, request: Request, pk: str) -> Response:
        return Response(io.hall_export(hall=self.get_object()))

    @extend_schema(
        summary="Import a hall document: validated whole, applied atomically, upserting by "
        "natural keys (deleting only with prune)",
        request=s.HallImportSerializer,
        responses={200: s.HallImportReportSerializer, **schema.CONFLICT},
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="import", pagination_class=None)
    def import_(self, request: Request) -> Response:
        params = s.HallImportSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        require_writable(request, data["project"].pk)
        report = io.hall_import(
            project=data["project"],
            document=data["document"],
            prune=data["prune"],
            by=_user(request),
        )
        return Response(s.HallImportReportSerializer(report).data)


@extend_schema_view(
    **schema.crud(
        "rows",
        s.RowSerializer,
        s.RowCreateSerializer,
        s.NameUpdateSerializer,
        brief=s.BriefRowSerializer,
    )
)
class RowViewSet(PlantViewSet):
    """Rows of racks; `index` is the row's place in the hall."""

    selector = staticmethod(selectors.row_list)
    serializer_class = s.RowSerializer
    brief_serializer_class = s.BriefRowSerializer
    create_serializer_class = s.RowCreateSerializer
    update_serializer_class = s.NameUpdateSerializer
    filterset_class = filtersets.RowFilterSet
    ordering_fields = (*PlantViewSet.ordering_fields, "index")
    parent = "hall"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.row_create(**data)

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.row_update(row=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.row_delete(row=obj)


@extend_schema_view(
    **schema.crud(
        "racks",
        s.RackSerializer,
        s.RackCreateSerializer,
        s.NameUpdateSerializer,
        bulk=True,
        brief=s.BriefRackSerializer,
    )
)
class RackViewSet(PlantViewSet):
    """Racks: place in the row, height in U. POST a list to create several at once."""

    selector = staticmethod(selectors.rack_list)
    serializer_class = s.RackSerializer
    brief_serializer_class = s.BriefRackSerializer
    create_serializer_class = s.RackCreateSerializer
    update_serializer_class = s.NameUpdateSerializer
    filterset_class = filtersets.RackFilterSet
    ordering_fields = (*PlantViewSet.ordering_fields, "position", "height_u")
    parent = "row"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.rack_create(**data)

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.rack_update(rack=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.rack_delete(rack=obj)


@extend_schema_view(
    **schema.crud(
        "devices",
        s.DeviceSerializer,
        s.DeviceCreateSerializer,
        s.DeviceUpdateSerializer,
        bulk=True,
        brief=s.BriefDeviceSerializer,
    )
)
class DeviceViewSet(PlantViewSet):
    """Switches, servers and other boxes at a U position of a rack."""

    selector = staticmethod(selectors.device_list)
    serializer_class = s.DeviceSerializer
    brief_serializer_class = s.BriefDeviceSerializer
    create_serializer_class = s.DeviceCreateSerializer
    update_serializer_class = s.DeviceUpdateSerializer
    filterset_class = filtersets.DeviceFilterSet
    ordering_fields = (*PlantViewSet.ordering_fields, "u_position", "kind")
    parent = "rack"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.device_create(**data)

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.device_update(device=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.device_delete(device=obj)


@extend_schema_view(
    **schema.crud(
        "transceivers",
        s.TransceiverSerializer,
        s.TransceiverCreateSerializer,
        bulk=True,
        brief=s.BriefTransceiverSerializer,
    )
)
class TransceiverViewSet(PlantViewSet):
    """Catalog transceivers in the cages of devices; their receptacles are ports."""

    selector = staticmethod(selectors.transceiver_list)
    serializer_class = s.TransceiverSerializer
    brief_serializer_class = s.BriefTransceiverSerializer
    create_serializer_class = s.TransceiverCreateSerializer
    filterset_class = filtersets.TransceiverFilterSet
    ordering_fields = ("id", "cage", "created", "updated")
    parent = "device"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.transceiver_install(
            device=data["device"], cage=data["cage"], revision=data["product"]
        )

    def destroy_one(self, obj: Any) -> None:
        services.transceiver_remove(transceiver=obj)


@extend_schema_view(
    **schema.crud(
        "enclosures",
        s.EnclosureSerializer,
        s.EnclosureCreateSerializer,
        s.NameUpdateSerializer,
        bulk=True,
        brief=s.BriefEnclosureSerializer,
    )
)
class EnclosureViewSet(PlantViewSet):
    """Catalog enclosures (fibre shelves) at a U position; they move through `move/`."""

    selector = staticmethod(selectors.enclosure_list)
    serializer_class = s.EnclosureSerializer
    brief_serializer_class = s.BriefEnclosureSerializer
    create_serializer_class = s.EnclosureCreateSerializer
    update_serializer_class = s.NameUpdateSerializer
    filterset_class = filtersets.EnclosureFilterSet
    ordering_fields = (*PlantViewSet.ordering_fields, "u_position")
    parent = "rack"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.enclosure_place(
            rack=data["rack"],
            name=data["name"],
            revision=data["product"],
            u_position=data["u_position"],
        )

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.enclosure_update(enclosure=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.enclosure_remove(enclosure=obj)

    @extend_schema(
        summary="Move an enclosure (with its modules) to a U position of a rack of its hall",
        request=s.EnclosureMoveSerializer,
        responses={
            200: brief_or_full(s.EnclosureSerializer, s.BriefEnclosureSerializer),
            **schema.CONFLICT,
        },
        parameters=[BRIEF],
        examples=schema.MOVE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        enclosure = self.writable_object()
        params = s.EnclosureMoveSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        services.enclosure_move(enclosure=enclosure, **params.validated_data)
        return self.respond(enclosure)


@extend_schema_view(
    **schema.crud(
        "modules",
        s.ModuleSerializer,
        s.ModuleCreateSerializer,
        s.ModuleUpdateSerializer,
        bulk=True,
        brief=s.BriefModuleSerializer,
    )
)
class ModuleViewSet(PlantViewSet):
    """Cassettes and adapter panels in enclosure slots; their ports come from the product."""

    selector = staticmethod(selectors.module_list)
    serializer_class = s.ModuleSerializer
    brief_serializer_class = s.BriefModuleSerializer
    create_serializer_class = s.ModuleCreateSerializer
    update_serializer_class = s.ModuleUpdateSerializer
    filterset_class = filtersets.ModuleFilterSet
    ordering_fields = ("id", "slot", "created", "updated")
    parent = "enclosure"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.module_install(
            enclosure=data["enclosure"],
            slot=data["slot"],
            revision=data["product"],
            orientation=data["orientation"],
        )

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.module_update(module=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.module_remove(module=obj)


@extend_schema_view(
    **schema.crud("ports", s.PortSerializer, delete=False, brief=s.BriefPortSerializer)
)
class PortViewSet(PlantViewSet):
    """Ports of transceivers and modules (read-only: they come with their owner)."""

    selector = staticmethod(selectors.port_list)
    serializer_class = s.PortSerializer
    brief_serializer_class = s.BriefPortSerializer
    filterset_class = filtersets.PortFilterSet
    ordering_fields = ("id", "label", "face", "family")


@extend_schema_view(
    **schema.crud(
        "cables",
        s.CableSerializer,
        s.CableCreateSerializer,
        s.CableUpdateSerializer,
        bulk=True,
        brief=s.BriefCableSerializer,
    )
)
class CableViewSet(PlantViewSet):
    """Cables (trunks, cords, harnesses) with their legs; legs plug in through `connect/`."""

    selector = staticmethod(selectors.cable_list)
    serializer_class = s.CableSerializer
    brief_serializer_class = s.BriefCableSerializer
    create_serializer_class = s.CableCreateSerializer
    update_serializer_class = s.CableUpdateSerializer
    filterset_class = filtersets.CableFilterSet
    ordering_fields = ("id", "label", "length_mm", "status", "created", "updated")
    parent = "hall"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.cable_create(
            hall=data["hall"],
            label=data["label"],
            revision=data["product"],
            length_mm=data.get("length_mm"),
            status=data["status"],
        )

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.cable_update(cable=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.cable_delete(cable=obj)

    def _leg(self, cable: Any, face: str) -> CableLeg:
        found = CableLeg.objects.filter(cable=cable, end=face[0], index=int(face[1:])).first()
        if found is None:
            raise ApplicationError(
                f"The cable has no leg {face}.", code="does_not_exist", attr="leg"
            )
        return found

    @extend_schema(
        summary="Plug one leg of the cable into one side of a port",
        request=s.CableConnectSerializer,
        responses={201: s.MatingSerializer, **schema.CONFLICT},
        examples=schema.CONNECT_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    def connect(self, request: Request, pk: str) -> Response:
        cable = self.writable_object()
        params = s.CableConnectSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        mating = services.leg_connect(
            leg=self._leg(cable, data["leg"]),
            port=data["port"],
            side=data["side"],
            by=_user(request),
        )
        body = s.MatingSerializer(mating, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Unplug one leg of the cable (nothing happens if it is free)",
        request=s.CableDisconnectSerializer,
        responses={200: brief_or_full(s.CableSerializer, s.BriefCableSerializer)},
        parameters=[BRIEF],
    )
    @action(detail=True, methods=["post"])
    def disconnect(self, request: Request, pk: str) -> Response:
        cable = self.writable_object()
        params = s.CableDisconnectSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.leg_disconnect(
            leg=self._leg(cable, params.validated_data["leg"]), by=_user(request)
        )
        return self.respond(cable)


@extend_schema_view(
    **schema.crud("cable legs", s.CableLegSerializer, delete=False, brief=s.BriefCableLegSerializer)
)
class CableLegViewSet(PlantViewSet):
    """Cable legs (read-only: they come with their cable), each with its mating if plugged."""

    selector = staticmethod(selectors.cable_leg_list)
    serializer_class = s.CableLegSerializer
    brief_serializer_class = s.BriefCableLegSerializer
    filterset_class = filtersets.CableLegFilterSet
    ordering_fields = ("id", "end", "index", "label")

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("mating")


@extend_schema_view(
    **schema.crud(
        "matings",
        s.MatingSerializer,
        s.MatingCreateSerializer,
        bulk=True,
        brief=s.BriefMatingSerializer,
    )
)
class MatingViewSet(PlantViewSet):
    """Matings: a cable leg in one side of a port. POST plugs in (a list: all or nothing),
    DELETE unplugs."""

    selector = staticmethod(selectors.mating_list)
    serializer_class = s.MatingSerializer
    brief_serializer_class = s.BriefMatingSerializer
    create_serializer_class = s.MatingCreateSerializer
    filterset_class = filtersets.MatingFilterSet
    ordering_fields = ("id", "side", "created")
    parent = "leg"

    def create_one(self, data: dict[str, Any]) -> Any:
        return services.leg_connect(**data, by=_user(self.request))

    def destroy_one(self, obj: Any) -> None:
        services.leg_disconnect(leg=obj.leg, by=_user(self.request))


@extend_schema_view(
    **schema.crud(
        "links",
        s.LinkSerializer,
        s.LinkCreateSerializer,
        s.NameUpdateSerializer,
        brief=s.BriefLinkSerializer,
    )
)
class LinkViewSet(LinkOperationsMixin, PlantViewSet):
    """Links: designed channels, aggregate (a to b) or breakout (parent to children)."""

    selector = staticmethod(selectors.link_list)
    serializer_class = s.LinkSerializer
    brief_serializer_class = s.BriefLinkSerializer
    create_serializer_class = s.LinkCreateSerializer
    update_serializer_class = s.NameUpdateSerializer
    filterset_class = filtersets.LinkFilterSet
    ordering_fields = (*PlantViewSet.ordering_fields, "status", "shape")

    def parent_project_id(self, data: dict[str, Any]) -> int:
        port = data.get("a_port") or data.get("parent_port")
        if port is None:
            raise ApplicationError(
                "Give a_port and b_port, or parent_port and children.", code="invalid_shape"
            )
        return int(port.project_id)

    def create_one(self, data: dict[str, Any]) -> Link:
        children = [(child["port"], child["lanes"]) for child in data.pop("children", [])]
        project = Project.objects.get(pk=self.parent_project_id(data))
        return services.link_create(
            project=project, children=children, by=_user(self.request), **data
        )

    def update_one(self, obj: Any, data: dict[str, Any]) -> Any:
        return services.link_update(link=obj, **data)

    def destroy_one(self, obj: Any) -> None:
        services.link_delete(link=obj)
