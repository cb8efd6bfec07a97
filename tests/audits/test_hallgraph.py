"""The per-worker whole-hall graph (apps/plant/hallgraph.py) that audit link chunks validate on.

Called directly, in this process: the cache is this process's. Each test starts with it empty.
The halls are tests/factories/plant.py's parallel hall (Method B), built through the services.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audits import services
from apps.catalog.adapters import engine_catalog
from apps.catalog.services import catalog_version_bump
from apps.plant import hallgraph
from apps.plant import services as plant
from apps.plant.models import Hall
from tests.factories.plant import (
    HallFactory,
    SiteFactory,
    leg,
    parallel_hall,
    parallel_link,
)

WRONG_TRUNK = "TRK-B12-MPO12-A-FF-OM4"
LOAD_QUERIES = 9  # transceivers, modules, ports, matings, cables, racks, hall, revisions, catalog


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    hallgraph.clear()
    yield
    hallgraph.clear()


def codes(findings: list[Any]) -> list[tuple[str, str, str]]:
    return sorted((f.subject_key, f.code, f.element_name) for f in findings)


def identity(findings: list[Any]) -> list[tuple[str, str]]:
    return sorted((f.fingerprint, f.message) for f in findings)


def test_cached_hall_finds_what_the_scoped_loader_finds(hall):
    build = parallel_hall(hall, links=2)
    parallel_link(build, 2, trunk_code=WRONG_TRUNK)
    ids = [link.pk for link in build.links]
    cached = services.link_findings(link_ids=ids, hall_id=hall.pk)
    scoped = services.link_findings(link_ids=ids)
    assert identity(cached) == identity(scoped)
    assert {f.code for f in cached if not f.consequence} == {"POLARITY_REVERSED"}
    assert len(hallgraph._cache) == 1


def test_a_plant_write_between_two_chunks_makes_the_next_chunk_reload(hall):
    build = parallel_hall(hall, links=2)
    first, second = build.links
    assert services.link_findings(link_ids=[first.pk], hall_id=hall.pk) == []
    before = hallgraph.hall_key(hall.pk)
    assert before is not None
    assert hallgraph.cached(before) is not None
    # a plant write: the second link's far cord is unplugged
    plant.leg_disconnect(leg=leg(build.cables["cord_b1"], "A1"))
    after = hallgraph.hall_key(hall.pk)
    assert after is not None
    assert after[1] > before[1]
    with CaptureQueriesContext(connection) as queries:
        found = services.link_findings(link_ids=[second.pk], hall_id=hall.pk)
    assert {f.code for f in found if not f.consequence} == {"OPEN_FIBER"}
    assert len(queries) >= LOAD_QUERIES  # it reloaded the hall
    assert hallgraph.cached(before) is None  # the old revision is gone, never served again
    assert list(hallgraph._cache) == [after]


def test_the_cache_never_serves_another_hall(hall, project):
    one = parallel_hall(hall, links=1)
    other_hall = HallFactory.create(site=SiteFactory.create(project=project), name="DH2")
    other = parallel_hall(other_hall, links=1)
    parallel_link(other, 1, trunk_code=WRONG_TRUNK)
    assert services.link_findings(link_ids=[one.links[0].pk], hall_id=hall.pk) == []
    found = services.link_findings(
        link_ids=[link.pk for link in other.links], hall_id=other_hall.pk
    )
    assert {f.code for f in found if not f.consequence} == {"POLARITY_REVERSED"}
    keys = {key[0] for key in hallgraph._cache}
    assert keys == {hall.pk, other_hall.pk}
    # a link asked for under a hall it does not belong to is validated on its own hall's plant
    crossed = services.link_findings(link_ids=[other.links[1].pk], hall_id=hall.pk)
    assert codes(crossed) == codes([f for f in found if f.subject_key == other.links[1].name])


def test_the_cache_is_bounded(project, catalog):
    halls = [
        HallFactory.create(site=SiteFactory.create(project=project), name=f"DH{n}")
        for n in range(3)
    ]
    for each in halls:
        build = parallel_hall(each, links=1)
        services.link_findings(link_ids=[build.links[0].pk], hall_id=each.pk)
    assert len(hallgraph._cache) == hallgraph.CACHE_SIZE
    assert [key[0] for key in hallgraph._cache] == [h.pk for h in halls[-hallgraph.CACHE_SIZE :]]


def test_a_big_graph_is_dropped_before_another_hall_is_loaded(project, catalog, monkeypatch):
    halls = [
        HallFactory.create(site=SiteFactory.create(project=project), name=f"DH{n}")
        for n in range(2)
    ]
    builds = [parallel_hall(each, links=1) for each in halls]
    services.link_findings(link_ids=[builds[0].links[0].pk], hall_id=halls[0].pk)
    ports = len(next(iter(hallgraph._cache.values())).ports)
    monkeypatch.setattr(hallgraph, "PORT_BUDGET", 2 * ports + 1)  # room for two such graphs
    services.link_findings(link_ids=[builds[1].links[0].pk], hall_id=halls[1].pk)
    assert [key[0] for key in hallgraph._cache] == [halls[0].pk, halls[1].pk]
    hallgraph.clear()
    services.link_findings(link_ids=[builds[0].links[0].pk], hall_id=halls[0].pk)
    monkeypatch.setattr(hallgraph, "PORT_BUDGET", 2 * ports - 1)  # the first one is too big
    services.link_findings(link_ids=[builds[1].links[0].pk], hall_id=halls[1].pk)
    assert [key[0] for key in hallgraph._cache] == [halls[1].pk]


def test_a_catalog_write_changes_the_key(hall):
    build = parallel_hall(hall, links=1)
    services.link_findings(link_ids=[build.links[0].pk], hall_id=hall.pk)
    before = hallgraph.hall_key(hall.pk)
    catalog_version_bump()
    after = hallgraph.hall_key(hall.pk)
    assert before is not None
    assert after is not None
    assert before[:2] == after[:2]
    assert before[2:] != after[2:]
    assert hallgraph.cached(after) is None


def test_load_hall_query_count_does_not_grow_with_the_hall(project, catalog):
    engine_catalog()  # warm: later calls cost one query while the catalog is unchanged
    small = parallel_hall(
        HallFactory.create(site=SiteFactory.create(project=project), name="S"), links=1
    )
    big = parallel_hall(
        HallFactory.create(site=SiteFactory.create(project=project), name="B"), links=8, panels=2
    )
    with CaptureQueriesContext(connection) as one:
        small_graph = hallgraph.load_hall(small.hall.pk)
    with CaptureQueriesContext(connection) as eight:
        big_graph = hallgraph.load_hall(big.hall.pk)
    assert len(one) == len(eight) == LOAD_QUERIES
    assert len(big_graph.ports) > len(small_graph.ports)
    assert len(big_graph.legs) == 6 * 8
    assert len(big_graph.cables) == 3 * 8


def test_a_chunk_on_a_cached_hall_costs_two_queries_whatever_its_size(hall):
    build = parallel_hall(hall, links=6)
    ids = [link.pk for link in build.links]
    services.link_findings(link_ids=ids[:1], hall_id=hall.pk)  # loads and caches the hall
    with CaptureQueriesContext(connection) as one:
        services.link_findings(link_ids=ids[:1], hall_id=hall.pk)
    with CaptureQueriesContext(connection) as six:
        services.link_findings(link_ids=ids, hall_id=hall.pk)
    assert len(one) == len(six) == 2  # the hall's key, the links' ends


def test_names_are_read_per_chunk_so_a_rename_shows_at_once(hall):
    build = parallel_hall(hall, links=1)
    plant.leg_disconnect(leg=leg(build.cables["cord_b0"], "A1"))
    found = services.link_findings(link_ids=[build.links[0].pk], hall_id=hall.pk)
    device = build.transceivers[0][1].device
    ref = f"transceiver:{build.transceivers[0][1].pk}"
    assert {f.element_name for f in found if f.element_ref == ref} == {f"{device.name} 1"}
    revision = Hall.objects.get(pk=hall.pk).plant_revision
    plant.device_update(device=device, name="RENAMED")
    again = services.link_findings(link_ids=[build.links[0].pk], hall_id=hall.pk)
    assert Hall.objects.get(pk=hall.pk).plant_revision == revision  # a rename is no plant write
    assert {f.element_name for f in again if f.element_ref == ref} == {"RENAMED 1"}


def test_a_chunk_of_a_stale_run_uses_the_scoped_loader_instead_of_reloading(hall):
    build = parallel_hall(hall, links=2)
    ids = [link.pk for link in build.links]
    planned = Hall.objects.get(pk=hall.pk).plant_revision
    plant.leg_disconnect(leg=leg(build.cables["cord_b1"], "A1"))  # the run is now stale
    found = services.link_findings(link_ids=ids, hall_id=hall.pk, run_revision=planned)
    assert not hallgraph._cache  # nothing loaded for a run whose result is stale anyway
    assert identity(found) == identity(services.link_findings(link_ids=ids))
    assert {f.code for f in found if not f.consequence} == {"OPEN_FIBER"}
