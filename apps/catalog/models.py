"""What can be bought: fibre and connector types, loss grades, applications and products.

Every catalog row records where it came from (`origin`: the seed files or a local edit) and the
content hash of the seed record as last loaded (`seed_hash`), so `load_catalog` can tell a seed row
it may update from one a catalog manager has edited (drift). Standards-bearing rows keep the
reference's source markers (`sources`) and whether all of them are verified.

A product's engine record lives in its revisions: `ProductRevision.spec` is never changed after it
is written; a changed product gets a new revision, and installed rows point at a revision.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.catalog import querysets
from apps.core.models import TimeStampedModel

# Lengths in metres (max_digits=10) and losses in dB (max_digits=7), exact to the millimetre and
# the milli-dB (decimal_places=3).


class Mode(models.TextChoices):
    MULTIMODE = "multimode", "Multimode"
    SINGLEMODE = "singlemode", "Single-mode"


class Core(models.TextChoices):
    UM_50 = "50", "50 µm"
    UM_62_5 = "62.5", "62.5 µm"
    UM_9 = "9", "9 µm"


class LossClass(models.TextChoices):
    MPO = "mpo", "MPO"
    DUPLEX = "duplex", "Duplex"


class CatalogRow(TimeStampedModel):
    """Bookkeeping every catalog row carries: origin and the hash of its seed record."""

    class Origin(models.TextChoices):
        SEED = "seed", "Seed files"
        LOCAL = "local", "Local"

    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.LOCAL)
    seed_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="Content hash of the seed record as last loaded; empty for local rows.",
    )

    objects = querysets.CatalogRowQuerySet.as_manager()

    class Meta:
        abstract = True


class SourcedRow(CatalogRow):
    """A row whose values come from the standards reference, with their source markers."""

    sources = models.JSONField(
        default=dict, blank=True, help_text="Field path -> source marker (S12, OK, DER, ⚠)."
    )
    source = models.CharField(
        max_length=60, blank=True, help_text="Record-level marker for fields without their own."
    )
    verified = models.BooleanField(
        default=True, help_text="False if any source marker is unverified (OK or ⚠)."
    )
    unverified_fields = models.JSONField(default=list, blank=True)
    attributes = models.JSONField(
        default=dict, blank=True, help_text="Seed record keys without a column of their own."
    )

    class Meta:
        abstract = True


class FiberType(SourcedRow):
    """A fibre type (OM1-OM5, OS1a, OS2) with its attenuation per basis and wavelength band."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    core_um = models.CharField(max_length=5, choices=Core.choices)
    modal_bandwidth_mhz_km = models.PositiveIntegerField(null=True, blank=True)
    jacket_color = models.CharField(max_length=30, blank=True)
    attenuation_db_per_km = models.JSONField(
        default=dict,
        blank=True,
        help_text='Basis -> band (nm) -> dB/km, e.g. {"ieee": {"850": "3.5"}}.',
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ConnectorType(SourcedRow):
    """A connector family (LC, MPO-12, ...): ferrule geometry, key, gender and loss class."""

    class Key(models.TextChoices):
        STANDARD = "standard", "Standard"
        OFFSET = "offset", "Offset"
        DUPLEX = "duplex", "Duplex"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    rows = models.PositiveSmallIntegerField()
    columns = models.PositiveSmallIntegerField()
    lit = models.JSONField(
        null=True, blank=True, help_text="Positions that carry fibre; null means all."
    )
    key = models.CharField(max_length=10, choices=Key.choices)
    gendered = models.BooleanField(default=False)
    intermates = models.JSONField(default=list, blank=True)
    loss_class = models.CharField(max_length=10, choices=LossClass.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class LossGrade(SourcedRow):
    """A connector loss grade: its rank and, per loss class, max and typical dB per mated pair."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    rank = models.PositiveSmallIntegerField(help_text="Larger is worse; a pair takes the worse.")
    pairs = models.JSONField(
        default=dict,
        blank=True,
        help_text='Loss class -> {"max_db", "typ_db"} as decimal strings (null if unknown).',
    )

    class Meta:
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.code


class SpliceType(SourcedRow):
    """A splice kind (fusion, mechanical) with its max and typical loss in dB."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    max_db = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    typ_db = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Layout(CatalogRow):
    """An MDI lane layout in port numbering: tx/rx entries [position, lane, band_nm | null]."""

    name = models.CharField(max_length=60, unique=True)
    tx = models.JSONField(default=list)
    rx = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Application(SourcedRow):
    """An application (PMD, e.g. 100GBASE-SR4): MDI options, breakouts; limits per fibre type."""

    class Body(models.TextChoices):
        IEEE = "ieee", "IEEE"
        MSA = "msa", "MSA"
        VENDOR = "vendor", "Vendor"

    class Modulation(models.TextChoices):
        NRZ = "nrz", "NRZ"
        PAM4 = "pam4", "PAM4"

    class Endface(models.TextChoices):
        PC = "PC", "PC"
        UPC = "UPC", "UPC"
        APC = "APC", "APC"

    code = models.CharField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    standard = models.CharField(max_length=120, blank=True)
    # The seed record's `origin` (who defines the PMD); renamed: `origin` is the row's provenance.
    standard_body = models.CharField(max_length=10, choices=Body.choices, blank=True)
    lanes = models.PositiveSmallIntegerField()
    signalling = models.CharField(max_length=120, blank=True)
    modulation = models.CharField(max_length=10, choices=Modulation.choices, default="nrz")
    wavelength_nm = models.PositiveIntegerField(help_text="Band used to pick the attenuation.")
    mode = models.CharField(max_length=12, choices=Mode.choices)
    core_um = models.CharField(max_length=5, choices=Core.choices)
    mdi = models.JSONField(default=list, blank=True, help_text='[{"family", "layout"}, ...]')
    endface = models.CharField(max_length=4, choices=Endface.choices, blank=True)
    min_length_m = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    reorders_lanes = models.BooleanField(default=False)
    wdm = models.BooleanField(default=False)
    bidirectional = models.BooleanField(default=False)
    attenuation_db_per_km = models.DecimalField(
        max_digits=7, decimal_places=3, null=True, blank=True
    )
    breakouts = models.JSONField(default=list, blank=True)
    interoperates = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ApplicationLimit(models.Model):
    """An application's limits on one fibre type; null where the reference gives no value.

    Part of its application: the application's content hash covers its limits, so a limit edited
    by hand shows as drift of the application.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="limits")
    fiber_type = models.ForeignKey(FiberType, on_delete=models.PROTECT, related_name="limits")
    reach_m = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    il_db = models.DecimalField(
        max_digits=7, decimal_places=3, null=True, blank=True, verbose_name="max channel IL (dB)"
    )
    alloc_db = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    sources = models.JSONField(default=dict, blank=True)
    verified = models.BooleanField(default=True)

    class Meta:
        ordering = ["application_id", "fiber_type_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "fiber_type"], name="catalog_limit_one_per_fiber_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} on {self.fiber_type_id}"


class Product(CatalogRow):
    """Something that can be bought; its engine record is the current revision's spec.

    The label columns (kind, fibre type, application, form factor, cable type, polarity, families)
    are copied from the spec for filtering; the spec is normative.
    """

    class Kind(models.TextChoices):
        TRANSCEIVER = "transceiver", "Transceiver"
        CABLE = "cable", "Cable"
        CASSETTE = "cassette", "Cassette"
        ADAPTER = "adapter", "Adapter"
        PANEL = "panel", "Panel"
        ENCLOSURE = "enclosure", "Enclosure"
        SPLICE = "splice", "Splice"

    code = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200)
    vendor = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    fiber_type = models.ForeignKey(
        FiberType, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    form_factor = models.CharField(max_length=30, blank=True)
    cable_type = models.CharField(max_length=20, blank=True)
    # 60: seed labels such as "Base-12 pairing (wrong for breakout)" are longer than 30.
    polarity = models.CharField(max_length=60, blank=True, help_text="Label only; the map rules.")
    families = ArrayField(
        models.CharField(max_length=20),
        default=list,
        blank=True,
        help_text="Connector families on the product's faces.",
    )
    retired = models.BooleanField(default=False, help_text="No longer sold; kept for the plant.")
    sources = models.JSONField(default=dict, blank=True)
    verified = models.BooleanField(default=True)

    objects = querysets.ProductQuerySet.as_manager()  # type: ignore[misc]
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "retired"], name="catalog_product_kind_retired")]
        permissions = [
            ("import_product", "Can import products from a spreadsheet"),
            ("export_product", "Can export products to a spreadsheet"),
        ]

    def __str__(self) -> str:
        return self.code


class ProductRevision(CatalogRow):
    """One immutable version of a product's engine record; exactly one is current."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    spec = models.JSONField(help_text="The normalised catalog record (docs/catalog-seed.md).")
    content_hash = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"], name="catalog_revision_number_unique"
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(is_current=True),
                name="catalog_revision_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} r{self.number}"


class CatalogVersion(models.Model):
    """A single row counting catalog writes; audits record it, caches key on it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)
    # New on every bump: a flushed and re-created counter never collides with a cached value.
    token = models.UUIDField(default=uuid.uuid4)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="catalog_version_singleton")]

    def __str__(self) -> str:
        return f"catalog v{self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id = 1
        super().save(*args, **kwargs)
