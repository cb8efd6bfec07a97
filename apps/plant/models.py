"""What is installed: sites, halls, rows, racks, devices, enclosures, modules, ports, cables, links.

    Project ──< Site ──< Hall ──< Row ──< Rack ──< Device ──< Transceiver ──< Port
                                           └──< Enclosure ──< Module ──< Port
    Cable ──< CableLeg ──(Mating: one per leg, one per (port, side))── Port
    Link ──< LinkEnd ── Port (a transceiver port; children carry parent lanes)

Every row carries its `project` (and `hall`) so that scoping is one indexed filter; services set
them from the parent and check them against it. Installed rows point at a catalog
`ProductRevision` with PROTECT, so "in use" and "where" come from the database. Topology is
written only through `apps.plant.services`; every write bumps `Hall.plant_revision`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from apps.accounts.models import Project
from apps.catalog.models import Application, Product, ProductRevision
from apps.core.models import TimeStampedModel

U_HEIGHT_UM = 44_450  # one rack unit, 44.45 mm, in micrometres (exact integers)


class Site(TimeStampedModel):
    """A building or campus of one project; its halls may share cables and links."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plant_sites")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["project_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="plant_site_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Hall(TimeStampedModel):
    """A data hall: its polarity method, standard cords, geometry and plant revision."""

    class PolarityMethod(models.TextChoices):
        A = "A", "Method A"
        B = "B", "Method B"
        C = "C", "Method C"
        U1 = "U1", "Method U1"
        U2 = "U2", "Method U2"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="halls")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plant_halls")
    name = models.CharField(max_length=100)
    polarity_method = models.CharField(
        max_length=2, choices=PolarityMethod.choices, default=PolarityMethod.B
    )
    standard_duplex_cord = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standard_array_cord = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plant_revision = models.BigIntegerField(
        default=0, help_text="Bumped by every topology write in the hall; audits compare it."
    )
    rack_pitch_mm = models.PositiveIntegerField(default=600)
    row_pitch_mm = models.PositiveIntegerField(default=2400)
    tray_height_mm = models.PositiveIntegerField(
        default=2600, help_text="Height of the cable tray above the floor."
    )
    rack_floor_offset_mm = models.PositiveIntegerField(
        default=0, help_text="Height of the bottom of U1 above the floor (plinth)."
    )
    cable_slack_mm = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Slack per cable end; empty: the project's cable_slack_m.",
    )

    class Meta:
        ordering = ["site_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="plant_hall_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Row(TimeStampedModel):
    """A row of racks; `index` is its place in the hall (distance = index × row pitch)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="rows")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    index = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["hall_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "name"], name="plant_row_unique_name"),
            models.UniqueConstraint(fields=["hall", "index"], name="plant_row_unique_index"),
        ]

    def __str__(self) -> str:
        return self.name


class Rack(TimeStampedModel):
    """A rack at `position` in its row (distance = position × rack pitch), `height_u` tall."""

    row = models.ForeignKey(Row, on_delete=models.CASCADE, related_name="racks")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="racks")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    height_u = models.PositiveSmallIntegerField(default=42, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["row_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["row", "position"], name="plant_rack_unique_position"),
            models.UniqueConstraint(fields=["hall", "name"], name="plant_rack_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Device(TimeStampedModel):
    """A switch, server or other box occupying U `u_position` .. `u_position + height_u - 1`."""

    class Kind(models.TextChoices):
        SWITCH = "switch", "Switch"
        SERVER = "server", "Server"
        OTHER = "other", "Other"

    rack = models.ForeignKey(Rack, on_delete=models.CASCADE, related_name="devices")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SWITCH)
    u_position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    height_u = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["rack_id", "u_position"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "name"], name="plant_device_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Transceiver(TimeStampedModel):
    """A catalog transceiver in one cage of a device; its receptacles are its ports."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="transceivers")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    cage = models.CharField(max_length=50)
    product_revision = models.ForeignKey(
        ProductRevision, on_delete=models.PROTECT, related_name="plant_transceivers"
    )

    class Meta:
        ordering = ["device_id", "cage"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "cage"], name="plant_transceiver_one_per_cage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.cage}"


class Enclosure(TimeStampedModel):
    """A catalog enclosure (fiber shelf) at U `u_position`, with slots for modules."""

    rack = models.ForeignKey(Rack, on_delete=models.CASCADE, related_name="enclosures")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    product_revision = models.ForeignKey(
        ProductRevision, on_delete=models.PROTECT, related_name="plant_enclosures"
    )
    u_position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    height_u = models.PositiveSmallIntegerField(
        default=1, help_text="Copied from the product's rack_units when placed."
    )

    class Meta:
        ordering = ["rack_id", "u_position"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "name"], name="plant_enclosure_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Module(TimeStampedModel):
    """A cassette or adapter panel in one slot of an enclosure.

    Orientation changes where each labelled port sits in drawings and schedules, never the fibre
    map by label.
    """

    class Orientation(models.TextChoices):
        NORMAL = "normal", "Normal"
        INVERTED = "inverted", "Inverted"

    enclosure = models.ForeignKey(Enclosure, on_delete=models.CASCADE, related_name="modules")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    product_revision = models.ForeignKey(
        ProductRevision, on_delete=models.PROTECT, related_name="plant_modules"
    )
    orientation = models.CharField(
        max_length=10, choices=Orientation.choices, default=Orientation.NORMAL
    )

    class Meta:
        ordering = ["enclosure_id", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["enclosure", "slot"], name="plant_module_one_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.enclosure_id}/slot {self.slot}"


class Port(TimeStampedModel):
    """One receptacle of a transceiver, one port of a cassette, or one adapter of a panel.

    Sides: a transceiver receptacle is mated at its front; a cassette port only from outside, on
    its own face (front or rear); a panel port (a bare adapter, face "both") at front and rear.
    """

    class Face(models.TextChoices):
        FRONT = "front", "Front"
        REAR = "rear", "Rear"
        BOTH = "both", "Front and rear (bare adapter)"

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    transceiver = models.ForeignKey(
        Transceiver, on_delete=models.CASCADE, null=True, blank=True, related_name="ports"
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, null=True, blank=True, related_name="ports"
    )
    label = models.CharField(max_length=20)
    face = models.CharField(max_length=5, choices=Face.choices)
    family = models.CharField(max_length=20, help_text="Connector family code (LC, MPO-12, ...).")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(transceiver__isnull=False) & Q(module__isnull=True))
                | (Q(transceiver__isnull=True) & Q(module__isnull=False)),
                name="plant_port_one_owner",
            ),
            models.UniqueConstraint(
                fields=["transceiver", "label"],
                condition=Q(transceiver__isnull=False),
                name="plant_port_unique_transceiver_label",
            ),
            models.UniqueConstraint(
                fields=["module", "label"],
                condition=Q(module__isnull=False),
                name="plant_port_unique_module_label",
            ),
        ]

    def __str__(self) -> str:
        owner = f"transceiver {self.transceiver_id}" if self.transceiver_id else "module "
        return f"{owner}{self.module_id or ''} port {self.label}"

    def sides(self) -> tuple[str, ...]:
        """The sides a cable leg may be mated on."""
        if self.face == self.Face.BOTH:
            return (Mating.Side.FRONT, Mating.Side.REAR)
        return (self.face,)


class Cable(TimeStampedModel):
    """A catalog cable (trunk, cord, harness); `hall` is the hall of end A."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        INSTALLED = "installed", "Installed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plant_cables")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="cables")
    product_revision = models.ForeignKey(
        ProductRevision, on_delete=models.PROTECT, related_name="plant_cables"
    )
    label = models.CharField(max_length=100)
    length_mm = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        ordering = ["project_id", "label"]
        constraints = [
            models.UniqueConstraint(fields=["project", "label"], name="plant_cable_unique_label")
        ]

    def __str__(self) -> str:
        return self.label


class CableLeg(TimeStampedModel):
    """One plug of a cable end (a harness has one MPO leg at A and four LC legs at B)."""

    class End(models.TextChoices):
        A = "A", "A"
        B = "B", "B"

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="legs")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    end = models.CharField(max_length=1, choices=End.choices)
    index = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    label = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["cable_id", "end", "index"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "end", "index"], name="plant_leg_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} {self.face}"

    @property
    def face(self) -> str:
        """The engine's face label of this leg: A1, B3, ..."""
        return f"{self.end}{self.index}"


class Mating(TimeStampedModel):
    """A cable leg plugged into one side of a port: one per leg, one per (port, side)."""

    class Side(models.TextChoices):
        FRONT = "front", "Front"
        REAR = "rear", "Rear"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    leg = models.OneToOneField(CableLeg, on_delete=models.CASCADE, related_name="mating")
    port = models.ForeignKey(Port, on_delete=models.CASCADE, related_name="matings")
    side = models.CharField(max_length=5, choices=Side.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["port", "side"], name="plant_mating_one_per_side")
        ]

    def __str__(self) -> str:
        return f"leg {self.leg_id} in port {self.port_id} ({self.side})"


class Link(TimeStampedModel):
    """A designed channel: aggregate (end a to end b) or breakout (parent to child ends).

    `hall` is the hall of end A (or the parent); a link that crosses halls is also listed in the
    other hall through its ends. `touched_*` record what the last validation walked through, so a
    write there marks the link for re-validation.
    """

    class Shape(models.TextChoices):
        AGGREGATE = "aggregate", "Aggregate"
        BREAKOUT = "breakout", "Breakout"

    class Status(models.TextChoices):
        UNKNOWN = "unknown", "Not validated"
        OK = "ok", "OK"
        WARNING = "warning", "Warnings"
        ERROR = "error", "Errors"
        STALE = "stale", "Stale"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plant_links")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="links")
    name = models.CharField(max_length=100)
    shape = models.CharField(max_length=10, choices=Shape.choices, default=Shape.AGGREGATE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    status_revision = models.BigIntegerField(
        null=True, blank=True, help_text="The hall's plant_revision the status was computed at."
    )
    needs_revalidation = models.BooleanField(default=True)
    last_report = models.JSONField(null=True, blank=True)
    touched_cable_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    touched_port_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="plant_link_unique_name")
        ]
        indexes = [
            GinIndex(fields=["touched_cable_ids"], name="plant_link_touched_cables"),
            GinIndex(fields=["touched_port_ids"], name="plant_link_touched_ports"),
        ]

    def __str__(self) -> str:
        return self.name


class LinkEnd(TimeStampedModel):
    """One end of a link at a transceiver port; a child carries `lanes` of the parent's lanes."""

    class Role(models.TextChoices):
        A = "a", "End A"
        B = "b", "End B"
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="ends")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=6, choices=Role.choices)
    port = models.OneToOneField(Port, on_delete=models.PROTECT, related_name="link_end")
    lanes = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["link_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "role"],
                condition=~Q(role="child"),
                name="plant_linkend_one_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.link_id} {self.role} at port {self.port_id}"
