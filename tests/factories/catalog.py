"""Factories for the catalog models. Products come with a current revision whose spec is valid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from apps.catalog.adapters import spec_hash
from apps.catalog.models import (
    Application,
    ApplicationLimit,
    ConnectorType,
    FiberType,
    Layout,
    LossGrade,
    Product,
    ProductRevision,
    SpliceType,
)


class FiberTypeFactory(DjangoModelFactory[FiberType]):
    class Meta:
        model = FiberType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"FT{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} 50/125 multimode")
    mode = "multimode"
    core_um = "50"
    modal_bandwidth_mhz_km = 4700
    jacket_color = "aqua"
    attenuation_db_per_km = factory.LazyFunction(lambda: {"ieee": {"850": "3.5", "1300": "1.5"}})


class ConnectorTypeFactory(DjangoModelFactory[ConnectorType]):
    class Meta:
        model = ConnectorType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CONN-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} duplex")
    rows = 1
    columns = 2
    lit = None
    key = "duplex"
    gendered = False
    intermates = factory.LazyFunction(list)
    loss_class = "duplex"


class LossGradeFactory(DjangoModelFactory[LossGrade]):
    class Meta:
        model = LossGrade
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"grade-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    rank = factory.Sequence(lambda n: n + 1)
    pairs = factory.LazyFunction(
        lambda: {
            "mpo": {"max_db": "0.75", "typ_db": "0.25"},
            "duplex": {"max_db": "0.75", "typ_db": "0.25"},
        }
    )


class SpliceTypeFactory(DjangoModelFactory[SpliceType]):
    class Meta:
        model = SpliceType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"splice-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    max_db = Decimal("0.300")
    typ_db = Decimal("0.050")


class LayoutFactory(DjangoModelFactory[Layout]):
    class Meta:
        model = Layout
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"layout-{n}")
    tx = factory.LazyFunction(lambda: [[1, 0, None]])
    rx = factory.LazyFunction(lambda: [[2, 0, None]])


class ApplicationFactory(DjangoModelFactory[Application]):
    class Meta:
        model = Application
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n}GBASE-SR")
    name = factory.LazyAttribute(lambda o: o.code)
    standard = "IEEE 802.3"
    standard_body = "ieee"
    lanes = 1
    modulation = "nrz"
    wavelength_nm = 850
    mode = "multimode"
    core_um = "50"
    mdi = factory.LazyFunction(list)
    min_length_m = Decimal("0.500")
    attenuation_db_per_km = Decimal("3.500")


class ApplicationLimitFactory(DjangoModelFactory[ApplicationLimit]):
    class Meta:
        model = ApplicationLimit

    application = factory.SubFactory(ApplicationFactory)
    fiber_type = factory.SubFactory(FiberTypeFactory)
    reach_m = Decimal("100.000")
    il_db = Decimal("1.900")
    alloc_db = Decimal("1.500")
    sources = factory.LazyFunction(lambda: {"*": "S1"})


def product_spec(product: Product) -> dict[str, Any]:
    """A minimal valid engine record for `product` (enclosures and others need no faces)."""
    spec: dict[str, Any] = {"code": product.code, "kind": product.kind, "name": product.name}
    if product.kind == "enclosure":
        spec.update(rack_units=1, slots=4, fiber_capacity=144)
    return spec


class ProductRevisionFactory(DjangoModelFactory[ProductRevision]):
    class Meta:
        model = ProductRevision

    product = factory.SubFactory("tests.factories.catalog.ProductFactory", revision=None)
    number = 1
    spec = factory.LazyAttribute(lambda o: product_spec(o.product))
    content_hash = factory.LazyAttribute(lambda o: spec_hash(o.spec))
    is_current = True


class ProductFactory(DjangoModelFactory[Product]):
    """A product with a current revision (`revision=None` for none)."""

    class Meta:
        model = Product
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"PRD-{n:04d}")
    kind = "enclosure"
    name = factory.LazyAttribute(lambda o: f"Product {o.code}")
    revision = factory.RelatedFactory(ProductRevisionFactory, factory_related_name="product")
