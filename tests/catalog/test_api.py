"""The read-only catalog API: auth, error shape, query budgets, filters, brief mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.catalog.models import Product
from tests.factories.catalog import (
    ApplicationFactory,
    ApplicationLimitFactory,
    ConnectorTypeFactory,
    FiberTypeFactory,
    LossGradeFactory,
    ProductFactory,
    SpliceTypeFactory,
)

BASE = "/api/v1/catalog"


@pytest.fixture
def reader(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="reader", password="x")


@pytest.fixture
def api(reader: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(reader)
    return client


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


# --- auth and errors ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["fiber-types", "connector-types", "loss-grades", "applications", "products"]
)
def test_anonymous_reader_is_refused_in_the_standard_error_shape(path):
    # when
    response = APIClient().get(f"{BASE}/{path}/")
    # then
    assert response.status_code in (401, 403)
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
                "attr": None,
            }
        ],
    }


@pytest.mark.django_db
def test_unknown_product_is_a_404_in_the_standard_error_shape(api, empty_catalog):
    # when
    response = api.get(f"{BASE}/products/987654/")
    # then
    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


@pytest.mark.django_db
def test_catalog_is_read_only(api, empty_catalog):
    # when
    response = api.post(f"{BASE}/products/", {"code": "X"}, format="json")
    # then
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


# --- query budgets ------------------------------------------------------------------------------


def _limits(count: int) -> None:
    ApplicationLimitFactory.create_batch(count)


def _products(count: int) -> None:
    fiber, application = FiberTypeFactory(), ApplicationFactory()
    ProductFactory.create_batch(count, fiber_type=fiber, application=application, kind="cable")


BUDGETS: list[tuple[str, Callable[[int], Any], int]] = [
    ("fiber-types", lambda n: FiberTypeFactory.create_batch(n), 2),
    ("connector-types", lambda n: ConnectorTypeFactory.create_batch(n), 2),
    ("loss-grades", lambda n: LossGradeFactory.create_batch(n), 2),
    ("splice-types", lambda n: SpliceTypeFactory.create_batch(n), 2),
    ("applications", _limits, 3),  # count, page, limits with their fibre types
    ("products", _products, 2),  # count, page (fibre type, application, revision joined)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "make", "ceiling"), BUDGETS, ids=[b[0] for b in BUDGETS])
def test_list_cost_does_not_grow_with_the_page(api, empty_catalog, path, make, ceiling):
    # given
    make(1)
    # when
    with CaptureQueriesContext(connection) as one:
        assert api.get(f"{BASE}/{path}/").json()["count"] == 1
    make(19)
    with CaptureQueriesContext(connection) as twenty:
        assert len(api.get(f"{BASE}/{path}/").json()["results"]) >= 20
    # then
    assert len(one) == len(twenty) <= ceiling


@pytest.mark.django_db
def test_product_detail_costs_a_fixed_number_of_queries(api, empty_catalog):
    # given
    product = ProductFactory.create(fiber_type=FiberTypeFactory(), application=ApplicationFactory())
    # when
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{BASE}/products/{product.pk}/")
    # then: the product with its labels, then its current revision
    assert response.status_code == 200
    assert len(queries) <= 2


# --- products: detail, brief, filters ----------------------------------------------------------


@pytest.mark.django_db
def test_product_detail_shows_the_current_revision_spec(api, catalog, catalog_records):
    # given
    spec = catalog_records.products[0]
    product = Product.objects.get(code=spec["code"])
    # when
    body = api.get(f"{BASE}/products/{product.pk}/").json()
    # then
    assert body["code"] == spec["code"]
    assert body["revision"] == 1
    assert body["current_revision"]["number"] == 1
    assert body["current_revision"]["spec"] == spec


@pytest.mark.django_db
def test_brief_mode_answers_id_url_code_and_name(api, empty_catalog):
    # given
    product = ProductFactory.create(code="QSFP28-SR4", name="100G SR4")
    # when
    listed = api.get(f"{BASE}/products/?brief=true").json()["results"]
    detail = api.get(f"{BASE}/products/{product.pk}/?brief=1").json()
    # then
    expected = {
        "id": product.pk,
        "url": f"http://testserver{BASE}/products/{product.pk}/",
        "code": "QSFP28-SR4",
        "name": "100G SR4",
    }
    assert listed == [expected]
    assert detail == expected


@pytest.fixture
def products(empty_catalog: None) -> dict[str, Product]:
    """A small product set to filter (codes are the keys)."""
    om3, om4 = FiberTypeFactory(code="OM3"), FiberTypeFactory(code="OM4")
    sr4, sr = ApplicationFactory(code="100GBASE-SR4"), ApplicationFactory(code="10GBASE-SR")
    rows = [
        dict(code="QSFP28-SR4", kind="transceiver", name="100G SR4 QSFP28", application=sr4,
             form_factor="QSFP28", families=["MPO-12"], description="Short reach, MPO"),
        dict(code="SFP-10G-SR", kind="transceiver", name="10G SR SFP+", application=sr,
             form_factor="SFP+", families=["LC"]),
        dict(code="TRK-B-MPO12-OM4", kind="cable", name="Trunk B", fiber_type=om4,
             cable_type="trunk", polarity="B", families=["MPO-12"]),
        dict(code="TRK-A-MPO12-OM3", kind="cable", name="Trunk A", fiber_type=om3,
             cable_type="trunk", polarity="A", families=["MPO-12"]),
        dict(code="HRN-MPO8-LC-OM4", kind="cable", name="Harness", fiber_type=om4,
             cable_type="harness", polarity="breakout", families=["LC", "MPO-8"]),
        dict(code="CAS-A-OM4", kind="cassette", name="Cassette A", fiber_type=om4,
             polarity="A", families=["LC", "MPO-12"]),
        dict(code="OLD-TRK-OM4", kind="cable", name="Old trunk", fiber_type=om4,
             cable_type="trunk", polarity="B", families=["MPO-12"], retired=True),
    ]  # fmt: skip
    return {str(row["code"]): ProductFactory.create(**row) for row in rows}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["CAS-A-OM4", "HRN-MPO8-LC-OM4", "QSFP28-SR4", "SFP-10G-SR", "TRK-A-MPO12-OM3",
              "TRK-B-MPO12-OM4"]),
        ("kind=transceiver", ["QSFP28-SR4", "SFP-10G-SR"]),
        ("kind=cable&kind=cassette&polarity=A", ["CAS-A-OM4", "TRK-A-MPO12-OM3"]),
        ("application=100GBASE-SR4", ["QSFP28-SR4"]),
        ("fiber_type=OM3", ["TRK-A-MPO12-OM3"]),
        ("fiber_type__n=OM4&kind=cable", ["TRK-A-MPO12-OM3"]),
        ("cable_type=harness", ["HRN-MPO8-LC-OM4"]),
        ("polarity=B", ["TRK-B-MPO12-OM4"]),
        ("family=MPO-8", ["HRN-MPO8-LC-OM4"]),
        ("family=LC&kind=transceiver", ["SFP-10G-SR"]),
        ("q=short reach", ["QSFP28-SR4"]),
        ("q=trunk", ["TRK-A-MPO12-OM3", "TRK-B-MPO12-OM4"]),
        ("name__ic=TRUNK", ["TRK-A-MPO12-OM3", "TRK-B-MPO12-OM4"]),
        ("code__n=CAS-A-OM4&code__n=QSFP28-SR4&kind=cassette&kind=transceiver", ["SFP-10G-SR"]),
        ("code=QSFP28-SR4", ["QSFP28-SR4"]),
        ("code__isw=trk&ordering=-code", ["TRK-B-MPO12-OM4", "TRK-A-MPO12-OM3"]),
        ("form_factor=SFP%2B", ["SFP-10G-SR"]),
        ("retired=true", ["OLD-TRK-OM4"]),
        ("retired=false&polarity=B", ["TRK-B-MPO12-OM4"]),
        ("ordering=kind,-code&kind=cable&cable_type=trunk",
         ["TRK-B-MPO12-OM4", "TRK-A-MPO12-OM3"]),
    ],
)  # fmt: skip
def test_products_filter(api, products, query, expected):
    assert _codes(api.get(f"{BASE}/products/?{query}")) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vendor__ie=null", ["NULL-1"]),
        ("code__ic=null", ["NULL-1"]),
        ("code__nisw=null&kind=cassette", ["CAS-A-OM4"]),
        ("name=null", []),
    ],
)
def test_products_filter_takes_null_as_a_plain_string(api, products, query, expected):
    # given: found by schemathesis: "null" became None, and `__ie` answered 500
    ProductFactory.create(code="NULL-1", kind="cassette", name="Null", vendor="NULL")
    # when / then
    assert _codes(api.get(f"{BASE}/products/?{query}")) == expected


@pytest.mark.django_db
def test_products_filter_by_foreign_key_id(api, products):
    # given
    om3 = products["TRK-A-MPO12-OM3"].fiber_type
    # when / then
    assert _codes(api.get(f"{BASE}/products/?fiber_type_id={om3.pk}")) == ["TRK-A-MPO12-OM3"]


@pytest.mark.django_db
def test_retired_product_stays_reachable_by_id(api, products):
    # given
    retired = products["OLD-TRK-OM4"]
    # when
    response = api.get(f"{BASE}/products/{retired.pk}/")
    # then
    assert response.status_code == 200
    assert response.json()["retired"] is True


@pytest.mark.django_db
def test_invalid_filter_value_is_a_400_naming_the_filter(api, products):
    # when
    response = api.get(f"{BASE}/products/?fiber_type_id=abc")
    # then
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "fiber_type_id"


@pytest.mark.django_db
def test_limit_offset_pagination(api, products):
    # when
    body = api.get(f"{BASE}/products/?limit=2&offset=2").json()
    # then
    assert body["count"] == 6
    assert [row["code"] for row in body["results"]] == ["QSFP28-SR4", "SFP-10G-SR"]
    assert "offset=4" in body["next"]


# --- vocabulary ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_applications_show_limits_per_fiber_type_and_filter_by_fiber(api, empty_catalog):
    # given
    om4, om3 = FiberTypeFactory(code="OM4"), FiberTypeFactory(code="OM3")
    sr4 = ApplicationFactory(code="100GBASE-SR4", lanes=4)
    ApplicationLimitFactory(application=sr4, fiber_type=om4, il_db="1.900", alloc_db=None)
    ApplicationLimitFactory(application=ApplicationFactory(code="10GBASE-SR"), fiber_type=om3)
    # when
    body = api.get(f"{BASE}/applications/?fiber_type=OM4").json()
    # then
    assert [row["code"] for row in body["results"]] == ["100GBASE-SR4"]
    assert body["results"][0]["limits"] == [
        {
            "fiber_type": "OM4",
            "reach_m": "100.000",
            "il_db": "1.900",
            "alloc_db": None,
            "sources": {"*": "S1"},
            "verified": True,
        }
    ]
    assert _codes(api.get(f"{BASE}/applications/?lanes__gte=4")) == ["100GBASE-SR4"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("fiber-types", "mode=singlemode", ["OS2"]),
        ("fiber-types", "code__n=OS2", ["OM4"]),
        ("fiber-types", "q=os", ["OS2"]),
        ("connector-types", "loss_class=mpo", ["MPO-12"]),
        ("connector-types", "columns__gt=2", ["MPO-12"]),
        ("loss-grades", "ordering=-rank", ["standard", "low-loss"]),
        ("loss-grades", "verified=false", ["low-loss"]),
    ],
)
def test_vocabulary_filters(api, empty_catalog, path, query, expected):
    # given
    FiberTypeFactory(code="OM4")
    FiberTypeFactory(code="OS2", mode="singlemode", core_um="9", modal_bandwidth_mhz_km=None)
    ConnectorTypeFactory(code="LC")
    ConnectorTypeFactory(code="MPO-12", columns=12, key="standard", loss_class="mpo", gendered=True)
    LossGradeFactory(code="low-loss", rank=2, verified=False)
    LossGradeFactory(code="standard", rank=3)
    # when / then
    assert _codes(api.get(f"{BASE}/{path}/?{query}")) == expected


@pytest.mark.django_db
def test_seed_catalog_lists_every_record(api, catalog, catalog_records):
    # when
    fiber_types = api.get(f"{BASE}/fiber-types/?limit=1000").json()
    products = api.get(f"{BASE}/products/?limit=1000&brief=true").json()
    # then
    assert fiber_types["count"] == len(catalog_records.fiber_types)
    assert {p["code"] for p in products["results"]} == {p["code"] for p in catalog_records.products}
