"""POST /api/v1/validate/: the stateless validator, on PostgreSQL with the seed catalog loaded."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.catalog.api import validate_examples

URL = "/api/v1/validate/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(catalog: Any, user: Any) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def error_codes(report: dict[str, Any]) -> set[str]:
    return {f["code"] for f in report["findings"] if f["severity"] == "error"}


@pytest.mark.parametrize("name", sorted(validate_examples.CASES))
def test_every_schema_example_gives_its_stated_verdict(client: APIClient, name: str) -> None:
    # given
    body, ok, codes = validate_examples.CASES[name]
    # when
    response = client.post(URL, body, format="json")
    # then
    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["ok"] is ok
    assert error_codes(report) == codes


def test_passing_method_b_channel_reports_trace_and_loss(client: APIClient) -> None:
    # when
    report = client.post(URL, validate_examples.method_b_sr4(), format="json").json()
    # then: four lanes each way, every transmitter arriving on a receiver
    assert report["ok"] is True
    assert len(report["trace"]) == 8
    assert all(lane["outcome"]["status"] == "rx" for lane in report["trace"])
    budget = report["loss"][0]
    assert budget["application"] == "100GBASE-SR4"
    assert budget["fiber_type"] == "OM4"
    assert Decimal(budget["length_m"]) == 56
    assert Decimal(budget["limit_db"]) == Decimal("1.9")
    assert report["options"] == {
        "basis": "ieee",
        "count_transceiver_matings": False,
        "low_margin_db": "0.5",
    }


def test_failing_channel_names_the_element_and_its_fix(client: APIClient) -> None:
    # when
    body = validate_examples.CASES["method-b-sr4-wrong-cord"][0]
    report = client.post(URL, body, format="json").json()
    # then: both directions land on transmitters, and the fix is one array cord swapped
    findings = [f for f in report["findings"] if f["code"] == "POLARITY_REVERSED"]
    assert {f["ref"] for f in findings} == {"/a", "/b"}
    fix = findings[0]["fix"]
    assert fix["message"] == ("use a type B array cord at element 5 (CRD-MPO12-B-FF-OM4-LL)")
    [change] = fix["changes"]
    assert (change["ref"], change["product"]) == ("/elements/4", validate_examples.ARRAY_CORD_B)
    # and applying it makes the channel pass
    index = int(change["ref"].rsplit("/", 1)[1])
    body = copy.deepcopy(body)
    body["elements"][index]["product"] = change["product"]
    assert client.post(URL, body, format="json").json()["ok"] is True


def test_options_are_echoed_and_change_the_budget(client: APIClient) -> None:
    # given
    body = validate_examples.method_b_sr4()
    body["options"] = {"basis": "tia", "count_transceiver_matings": True, "low_margin_db": "1"}
    # when
    report = client.post(URL, body, format="json").json()
    # then
    assert report["options"] == {
        "basis": "tia",
        "count_transceiver_matings": True,
        "low_margin_db": "1",
    }
    kinds = [item["kind"] for item in report["loss"][0]["items"]]
    assert len([k for k in kinds if "pair" in k]) == 4


def test_inline_product_is_accepted_in_place_of_a_code(client: APIClient) -> None:
    # given: the far cord as inline attributes (a type B MPO-12 female-female OM4 cord)
    body = validate_examples.method_b_sr4()
    body["elements"][4] = {
        "inline": {
            "kind": "cable",
            "cable_type": "array_cord",
            "fiber_type": "OM4",
            "fiber_count": 12,
            "grade": "standard",
            "ends": {
                "A": [{"family": "MPO-12", "gender": "female", "endface": "PC"}],
                "B": [{"family": "MPO-12", "gender": "female", "endface": "PC"}],
            },
            "map_rule": "reversed",
        },
        "length_m": "3",
    }
    # when
    response = client.post(URL, body, format="json")
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["ok"] is True


def bad(body: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "code", "attr"),
    [
        (["elements", 2, "product"], "NO-SUCH-PART", "unknown_product", "elements.2.product"),
        (["a", "transceiver"], "NO-SUCH-OPTIC", "unknown_product", "a.transceiver"),
        (["a", "transceiver"], KeyError, "required", "a.transceiver"),
        (["elements", 2, "exit"], "B7", "unknown_face", "elements.2.exit"),
        (["elements", 0, "length_m"], "-1", "min_value", "elements.0.length_m"),
        (["shape"], "star", "invalid_choice", "shape"),
        (["options"], {"basis": "moon"}, "invalid_choice", "options.basis"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(
    client: APIClient, path: list[Any], value: Any, code: str, attr: str
) -> None:
    # when
    response = client.post(URL, bad(validate_examples.method_b_sr4(), path, value), format="json")
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert (body["errors"][0]["code"], body["errors"][0]["attr"]) == (code, attr)
    assert body["errors"][0]["detail"]


def test_breakout_with_a_lane_the_parent_lacks_is_a_400(client: APIClient) -> None:
    body = validate_examples.dr4_breakout()
    body["branches"][0]["lanes"] = [9]
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_lane"


def test_garbage_body_is_a_400_not_a_500(client: APIClient) -> None:
    for payload in ([1, 2], "x", {"shape": "aggregate", "elements": "nope"}):
        response = client.post(URL, payload, format="json")
        assert response.status_code == 400, payload


def test_anonymous_is_refused(catalog: Any) -> None:
    response = APIClient().post(URL, validate_examples.method_b_sr4(), format="json")
    assert response.status_code == 401
    assert response.json()["type"] == "client_error"


def test_validation_reads_the_catalog_once_per_catalog_version(client: APIClient) -> None:
    # given: a first call warms the engine catalog
    client.post(URL, validate_examples.method_b_sr4(), format="json")
    # when
    with CaptureQueriesContext(connection) as queries:
        client.post(URL, validate_examples.method_b_sr4(), format="json")
    # then: only the catalog-version check (and the session/auth queries) hit the database
    assert len(queries) <= 2
