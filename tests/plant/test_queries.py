"""Query budgets: building the engine input costs the same for 1 link as for 20 (STYLE.md §5)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.adapters import engine_catalog
from apps.plant.selectors import (
    channel_inputs_for_hall,
    channel_inputs_for_rack,
    channel_inputs_for_row,
    link_reports_for_hall,
)
from tests.factories.plant import parallel_hall

pytestmark = pytest.mark.django_db

CEILING = 8  # ends, ports, matings, legs, racks, halls, revisions + the catalog version


@pytest.fixture
def halls(catalog):
    engine_catalog()  # warm: later calls cost one query while the catalog is unchanged
    return parallel_hall(links=1), parallel_hall(links=20, panels=2)


def test_channel_inputs_for_hall_cost_does_not_grow_with_the_hall(halls):
    small, big = halls
    with CaptureQueriesContext(connection) as one:
        channel_inputs_for_hall(hall_id=small.hall.pk)
    with CaptureQueriesContext(connection) as twenty:
        channels = channel_inputs_for_hall(hall_id=big.hall.pk)
    assert len(twenty) == len(one) <= CEILING
    assert len(channels) == 20
    assert all(channel is not None for _pk, channel in channels)


def test_rack_and_row_inputs_cost_the_same_for_1_and_20_links(halls):
    small, big = halls
    with CaptureQueriesContext(connection) as one:
        channel_inputs_for_rack(rack_id=small.racks[0].pk)
    with CaptureQueriesContext(connection) as twenty:
        assert len(channel_inputs_for_rack(rack_id=big.racks[0].pk)) == 20
    assert len(twenty) == len(one) <= CEILING
    with CaptureQueriesContext(connection) as one_row:
        channel_inputs_for_row(row_id=small.racks[0].row_id)
    with CaptureQueriesContext(connection) as twenty_rows:
        assert len(channel_inputs_for_row(row_id=big.racks[0].row_id)) == 20
    assert len(twenty_rows) == len(one_row) <= CEILING


def test_validating_a_hall_costs_the_same_for_1_and_20_links(halls):
    small, big = halls
    with CaptureQueriesContext(connection) as one:
        link_reports_for_hall(hall_id=small.hall.pk)
    with CaptureQueriesContext(connection) as twenty:
        results = link_reports_for_hall(hall_id=big.hall.pk)
    assert len(twenty) == len(one) <= CEILING
    assert {r.status for r in results} == {"ok"}
