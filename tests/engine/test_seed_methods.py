"""The method tests (2xx duplex A/B/C/U1/U2, parallel A/B, 3xx breakouts) on the real seed too.

"The engine tests and load_catalog read the same seed files": each test runs on the fixture
catalog and on apps/catalog/seed (skipped until its products exist), with the parts picked by what
the seed declares them to be (tests/engine/seed_parts.py). A seed product that contradicts the
reference is not edited here: its test is an xfail(strict=True) naming the product.

    [SFP]--cord--[k module R1]==trunk==[R1 module k']--cord--[SFP]        duplex methods
    [QSFP]--cord--[adapter]==trunk==[adapter]--cord--[QSFP]               parallel methods
    [QSFP]--harness--+ B1..B4 -- [SFP] lane k                            breakouts
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from apps.engine.catalog import Catalog
from apps.engine.channel import Aggregate
from apps.engine.validate import validate
from tests.engine import seed_parts as parts
from tests.engine.conftest import real_catalog

# Known problems of the real seed: test id -> reason (filled when a seed product contradicts the
# reference; each one is reported to the seed-data developer, never patched here).
SEED_PROBLEMS: dict[str, str] = {}

CATALOGS = ["fixture", "seed"]
TRACE_ERRORS = {"POLARITY_REVERSED", "LANE_MISMATCH", "OPEN_FIBER", "PATH_MISROUTED"}
MATING_ERRORS = {"GENDER_CONFLICT", "ENDFACE_MISMATCH", "CONNECTOR_MISMATCH", "FIBER_TYPE_MISMATCH"}


@pytest.fixture(params=CATALOGS)
def catalog(request, fixture_catalog):
    if request.param == "fixture":
        return fixture_catalog
    return request.getfixturevalue("seed_catalog")


def _known(test_id: str, request) -> None:
    """Mark the running test xfail(strict) if the seed has a known problem for it."""
    reason = SEED_PROBLEMS.get(test_id)
    if reason is not None and "seed" in request.node.callspec.id:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def _polarity_and_mating(report) -> list[str]:
    return [f.code for f in report.errors() if f.code in TRACE_ERRORS | MATING_ERRORS]


@pytest.mark.parametrize("method", list(parts.DUPLEX_METHODS))
def test_duplex_method_joins_every_documented_port_pair(catalog: Catalog, method, request):
    """Method A, C, U1, U2 join port k to k; B joins k to n+1-k (§5.2, convention)."""
    _known(f"duplex-{method}", request)
    found = parts.duplex_parts(catalog, method)
    if isinstance(found, str):
        pytest.skip(found)
    ports = parts.front_ports(found["module"])
    for port in range(1, ports + 1):
        report = validate(parts.duplex_channel(found, method, port), catalog)
        assert _polarity_and_mating(report) == [], (
            method,
            port,
            {k: p.code for k, p in found.items()},
        )
        assert all(t.outcome.ok for t in report.trace)


@pytest.mark.parametrize("method", list(parts.DUPLEX_METHODS))
def test_duplex_method_fails_with_each_wrong_map(catalog: Catalog, method, request):
    """Swap any element for a sibling with another map: the channel no longer passes."""
    _known(f"duplex-{method}", request)
    found = parts.duplex_parts(catalog, method)
    if isinstance(found, str):
        pytest.skip(found)
    channel = parts.duplex_channel(found, method, 1)
    swaps = 0
    for index, spec in enumerate(channel.elements):
        original = catalog.product(spec.product)
        for sibling in catalog.siblings(spec.product):
            if dict(sibling.map) == dict(original.map) or not sibling.map:
                continue
            elements = list(channel.elements)
            elements[index] = replace(spec, product=sibling.code)
            report = validate(Aggregate(channel.a, tuple(elements), channel.b), catalog)
            assert not report.ok, (method, index, sibling.code)
            swaps += 1
    assert swaps >= 1


@pytest.mark.parametrize("method", list(parts.PARALLEL_METHODS))
def test_parallel_method_lands_every_tx_on_its_rx(catalog: Catalog, method, request):
    """Parallel A (A trunk, KUKD, A cord + B cord) and B (all type B) (§5.3)."""
    _known(f"parallel-{method}", request)
    found = parts.parallel_parts(catalog, method)
    if isinstance(found, str):
        pytest.skip(found)
    report = validate(parts.parallel_channel(found), catalog)
    assert _polarity_and_mating(report) == [], report.findings
    assert all(t.outcome.status == "rx" for t in report.trace)


@pytest.mark.parametrize("name", list(parts.BREAKOUTS))
def test_breakout_harness_lands_each_lane_on_its_child(catalog: Catalog, name, request):
    """Leg k carries fibre k at position 2 and 13-k at position 1 (§5.4): lane k-1 to child k."""
    _known(f"breakout-{name}", request)
    found = parts.breakout_parts(catalog, name)
    if isinstance(found, str):
        pytest.skip(found)
    report = validate(parts.breakout_channel(found), catalog)
    assert _polarity_and_mating(report) == [], report.findings
    assert all(t.outcome.ok for t in report.trace)
    swapped = validate(parts.breakout_channel(found, (2, 1, 3, 4)), catalog)
    assert "LANE_MISMATCH" in swapped.codes()


def _labelled_ids() -> list[str]:
    catalog = real_catalog()
    return [] if catalog is None else [p.code for p in parts.labelled(catalog)]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=SEED_PROBLEMS[code]))
        if code in SEED_PROBLEMS
        else code
        for code in _labelled_ids()
    ],
)
def test_seed_map_matches_its_polarity_label(seed_catalog, code):
    """A cable or module labelled A/B/C/A-to-B/A-to-A/U1/U2 has the map the reference defines."""
    product = seed_catalog.product(code)
    assert product.record["map"] == parts.expected_map(seed_catalog, product)


def test_seed_mpo_transceivers_are_pinned_and_kuku_adapters_take_no_apc(seed_catalog):
    """§4.3: transceiver MPO receptacles are male; §4.4: key-up/key-up cannot mate APC."""
    wrong = []
    for product in seed_catalog.products.values():
        for face in product.faces.values():
            fam = face.connector.code if face.connector else ""
            if product.kind == "transceiver" and fam.startswith("MPO") and face.gender != "male":
                wrong.append(f"{product.code} receptacle {face.label} is {face.gender}")
            if face.adapter == "key-up-key-up" and face.endface == "APC":
                wrong.append(
                    f"{product.code} port {face.label}: APC behind a key-up/key-up adapter"
                )
        kuku = product.kind == "adapter" and product.faces["1"].adapter == "key-up-key-up"
        if kuku and product.record.get("apc_capable"):
            wrong.append(f"{product.code}: key-up/key-up adapter declared APC-capable")
    assert wrong == []
