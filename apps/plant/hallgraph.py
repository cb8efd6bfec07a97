"""Whole-hall plant graphs for audits: loaded sequentially, cached per process, keyed by revision.

An audit validates every link of a hall in chunks. The scoped loader (`adapters.load`) reads
what one chunk's links reach by ~60,000 random index probes per 2,000 links (0.4-0.5 s); the
whole 100,000-link hall read sequentially costs ~4 s, once per worker instead of 50 chunk loads.
So a worker loads the hall once, in a fixed number of narrow queries whatever its size
(`load_hall`), and keeps it for the next chunks of the run (`hall_graph`).

The key is (hall id, the hall's `plant_revision`, the catalog version and token): every plant
topology write bumps the revision of each hall it touches (apps.plant.services, hall_import) and
every catalog write bumps the catalog version, so a graph is never served for another hall, an
older plant or an older catalog. The cache holds at most `CACHE_SIZE` graphs (least recently used
dropped first) and, beside the graph being loaded, at most half of `PORT_BUDGET` ports (~500 MB
for the 507,000 ports of a 100,000-link hall).

The cyclic garbage collector is kept off the graph: it is frozen after loading (`gc.freeze`), a
chunk runs without collections and freezes its survivors after, a reload unfreezes and collects.
The cache and the collector are per process: meant for Celery's solo and prefork pools (one task
at a time per process), not for a thread pool.

What the cache does not hold: element *names* (a device or enclosure rename is not a topology
write and does not bump the revision). `link_reports_in_hall` reads the names of the elements its
findings mention per chunk, in one query.

Links with an end in another hall go through the scoped loader (their walk needs both halls'
matings); a chunk whose cached graph is stale while the run is already stale (the hall changed
after the run was planned) also takes the scoped loader rather than reloading the hall for a
result that is stale anyway. Either way a chunk sees the plant as it is when the chunk runs, as
before (the run is stale when the hall's revision moved past the one it recorded).
"""

from __future__ import annotations

import gc
import sys
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from django.db import connection

from apps.catalog.models import CatalogVersion
from apps.engine.channel import Options
from apps.plant import adapters
from apps.plant.adapters import EndRow, PlantGraph
from apps.plant.models import Hall
from apps.plant.selectors import LinkResult, link_reports

CACHE_SIZE = 2
# Ports the cached graphs may hold together (~1 kB of graph per port: 600 MB), beyond the one
# being loaded; keeps a worker under 1 GB when it audits two big halls at once (they reload).
PORT_BUDGET = 600_000
FETCH_BATCH = 20_000

Key = tuple[int, int, int, Any]  # (hall id, plant revision, catalog version, catalog token)

_cache: OrderedDict[Key, PlantGraph] = OrderedDict()

# Whole-hall reads: narrow, one table (or one join) each, by the hall's id.
_PORTS_SQL = "SELECT id, label, face, transceiver_id, module_id FROM {port} WHERE hall_id = %s"
_TRANSCEIVERS_SQL = """
SELECT t.id, t.product_revision_id, d.rack_id, d.u_position
FROM {transceiver} t JOIN {device} d ON d.id = t.device_id WHERE t.hall_id = %s
"""
_MODULES_SQL = """
SELECT m.id, m.product_revision_id, e.rack_id, e.u_position
FROM {module} m JOIN {enclosure} e ON e.id = m.enclosure_id WHERE m.hall_id = %s
"""
_MATINGS_SQL = """
SELECT g.port_id, g.side, g.leg_id, l.cable_id, l."end" || l.index, l.hall_id
FROM {mating} g JOIN {leg} l ON l.id = g.leg_id WHERE g.hall_id = %s
"""
# The hall's cables, and those of other halls mated here (their ids: usually none).
_CABLES_SQL = """
SELECT id, product_revision_id, length_mm, label, hall_id FROM {cable}
WHERE hall_id = %s OR id = ANY(%s::bigint[])
"""
_RACKS_SQL = """
SELECT k.id, w.index, k.position, k.hall_id, k.row_id
FROM {rack} k JOIN {row} w ON w.id = k.row_id WHERE k.hall_id = %s
"""
_KEY_SQL = """
SELECT h.plant_revision, v.value, v.token FROM {hall} h LEFT JOIN {version} v ON v.id = 1
WHERE h.id = %s
"""
# The names of the elements findings mention (not cached: renames do not bump the revision).
_NAMES_SQL = """
SELECT 't', t.id, d.name || ' ' || t.cage
FROM {transceiver} t JOIN {device} d ON d.id = t.device_id WHERE t.id = ANY(%(t)s::bigint[])
UNION ALL
SELECT 'm', m.id, e.name || ' slot ' || m.slot
FROM {module} m JOIN {enclosure} e ON e.id = m.enclosure_id WHERE m.id = ANY(%(m)s::bigint[])
"""


def hall_key(hall_id: int) -> Key | None:
    """The hall's cache key as stored now (one query); None when the hall does not exist."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            _KEY_SQL.format(
                hall=quote(Hall._meta.db_table), version=quote(CatalogVersion._meta.db_table)
            ),
            [hall_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    revision, value, token = row
    return (hall_id, int(revision), int(value or 0), token)


def cached(key: Key) -> PlantGraph | None:
    """The cached graph under exactly this key, or None (a hit becomes the most recent)."""
    graph = _cache.get(key)
    if graph is not None:
        _cache.move_to_end(key)
    return graph


def hall_graph(hall_id: int, *, key: Key | None = None) -> PlantGraph:
    """The whole hall's graph: from the cache when its key is current, else loaded and cached."""
    key = key or hall_key(hall_id)
    if key is None:
        return load_hall(hall_id)
    graph = cached(key)
    if graph is not None:
        return graph
    for old in [k for k in _cache if k[0] == hall_id]:
        del _cache[old]  # an older revision of this hall: never served again
    # Room for the new graph: at most CACHE_SIZE graphs, and what stays holds at most half of
    # PORT_BUDGET (so a 100,000-link hall is dropped before another hall is loaded beside it).
    while _cache and (
        len(_cache) >= CACHE_SIZE or sum(len(g.ports) for g in _cache.values()) > PORT_BUDGET // 2
    ):
        _cache.popitem(last=False)
    gc.unfreeze()  # what earlier chunks froze (a dropped graph included) is collectable again
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()  # millions of new tuples would trigger full collections while loading
    try:
        graph = _cache[key] = load_hall(hall_id)
    finally:
        if enabled:
            gc.enable()
    # Long-lived and acyclic: keep the cyclic collector from re-scanning them in every chunk.
    gc.freeze()
    return graph


def clear() -> None:
    """Forget every cached graph (tests; the key usually suffices)."""
    _cache.clear()
    gc.unfreeze()


def load_hall(hall_id: int) -> PlantGraph:
    """Every port, mating, leg, cable and rack of one hall, in a fixed number of queries.

    Ports (1), transceivers and modules with their places (2), matings with legs (1), mated
    cables (1), racks (1), hall geometry (1), product revisions (1) and the cached engine catalog
    (1 while it is unchanged): 9 whatever the hall. Read as tuples through cursors; labels and
    faces are interned, so a 100,000-link hall (507,000 ports, 506,000 matings) stays compact.
    `ends` is empty: `with_ends` gives a chunk its links. Owners' names are not loaded.
    """
    intern = sys.intern
    ports: dict[int, tuple[str, str, int | None, int | None, int, int, int, str]] = {}
    port_by_owner: dict[tuple[str, int, str], int] = {}
    owners: dict[tuple[str, int], int] = {}
    at_port: dict[tuple[int, str], int] = {}
    legs: dict[int, tuple[int, str, int, str]] = {}
    cables: dict[int, tuple[int, int | None, str, int]] = {}
    cable_legs: dict[int, list[int]] = defaultdict(list)
    racks: dict[int, tuple[int, int, int]] = {}
    rack_rows: dict[int, int] = {}
    places: dict[tuple[str, int], tuple[int, int, int]] = {}  # owner -> (revision, rack, u)
    with connection.cursor() as cursor:
        for kind, sql in (("t", _TRANSCEIVERS_SQL), ("m", _MODULES_SQL)):
            cursor.execute(adapters._sql(sql), [hall_id])
            for pk, revision, rack, u in _rows(cursor):
                owner = (kind, pk)
                places[owner] = (revision, rack, u)
                owners[owner] = revision
        cursor.execute(adapters._sql(_PORTS_SQL), [hall_id])
        for pk, label, face, t_id, m_id in _rows(cursor):
            owner = ("t", t_id) if t_id else ("m", m_id)
            place = places.get(owner)
            if place is None:
                continue  # an owner outside the hall: the scoped loader skips it the same way
            label, face = intern(label), intern(face)
            ports[pk] = (label, face, t_id, m_id, place[0], place[1], place[2], "")
            port_by_owner[(owner[0], owner[1], label)] = pk
        cursor.execute(adapters._sql(_MATINGS_SQL), [hall_id])
        foreign: set[int] = set()  # cables of other halls mated here
        for port_id, side, leg_id, cable_id, face, leg_hall in _rows(cursor):
            side, face = intern(side), intern(face)
            at_port[(port_id, side)] = leg_id
            legs[leg_id] = (cable_id, face, port_id, side)
            cable_legs[cable_id].append(leg_id)
            if leg_hall != hall_id:
                foreign.add(cable_id)
        cursor.execute(adapters._sql(_CABLES_SQL), [hall_id, sorted(foreign)])
        for pk, revision, length, label, hall in _rows(cursor):
            if pk in cable_legs:  # mated in this hall (an unplugged cable is never reached)
                cables[pk] = (revision, length, label, hall)
        cursor.execute(adapters._sql(_RACKS_SQL), [hall_id])
        for pk, row_index, position, hall, row_id in _rows(cursor):
            racks[pk] = (row_index, position, hall)
            rack_rows[pk] = row_id
    geometry = adapters.hall_geometries([hall_id])
    revisions = {place[0] for place in places.values()} | {c[0] for c in cables.values()}
    catalog, codes = adapters.revision_codes(revisions)
    return PlantGraph(
        catalog=catalog,
        ends={},
        ports=ports,
        port_by_owner=port_by_owner,
        at_port=at_port,
        legs=legs,
        cables=cables,
        racks=racks,
        halls=geometry,
        codes=codes,
        owners=owners,
        owner_names={},
        cable_legs=dict(cable_legs),
        rack_rows=rack_rows,
    )


def _rows(cursor: Any) -> Iterator[tuple[Any, ...]]:
    """The result's rows in batches: row-by-row iteration of a cursor costs ~4 µs per row."""
    while batch := cursor.fetchmany(FETCH_BATCH):
        yield from batch


def with_ends(graph: PlantGraph, ends: dict[int, list[EndRow]]) -> PlantGraph:
    """A chunk's view of a cached graph: its links' ends, fresh per-chunk memos.

    The big indexes are shared, not copied; so are the memos of what depends only on the graph
    and the catalog and is shared between chunks: hops (by products) and cable routes (trunks).
    """
    return replace(graph, ends=ends, owner_names={}, products={}, mates={})


def owner_names(owners: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """("t"|"m", id) -> what a person calls it, read now (one query)."""
    wanted = set(owners)
    if not wanted:
        return {}
    t_ids = sorted(pk for kind, pk in wanted if kind == "t")
    m_ids = sorted(pk for kind, pk in wanted if kind == "m")
    with connection.cursor() as cursor:
        cursor.execute(adapters._sql(_NAMES_SQL), {"t": t_ids, "m": m_ids})
        return {(kind, pk): name for kind, pk, name in cursor.fetchall()}


def _owner_of(graph: PlantGraph, ref: str) -> tuple[str, int] | None:
    kind, _, pk = ref.partition(":")
    if kind == "transceiver":
        return ("t", int(pk))
    if kind == "module":
        return ("m", int(pk))
    if kind == "port":
        port = graph.ports.get(int(pk))
        return None if port is None or port[3] is None else ("m", port[3])
    return None


def link_reports_in_hall(
    *,
    hall_id: int,
    link_ids: Iterable[int],
    options: Options | None = None,
    run_revision: int | None = None,
) -> list[LinkResult]:
    """Validate links of a hall (audits: findings only, no traces) on the hall's cached graph.

    Queries: the hall's key (1) and the links' ends (1), the names of the elements the findings
    mention (1 when there are findings), plus `load_hall` when this process has no current graph
    of the hall. Links with an end in another hall, and every link when the graph is stale while
    the run (planned at `run_revision`) is already stale, go through `selectors.link_reports`.
    `report["elements"]` names only the elements the findings mention; the results' `cable_ids`
    and `port_ids` are empty on the cached path (audits do not store what a walk touched).
    """
    ids = list(link_ids)
    key = hall_key(hall_id)
    ends, end_halls = adapters.load_ends(ids)
    inside = {pk: rows for pk, rows in ends.items() if end_halls[pk] == {hall_id}}
    outside = sorted(pk for pk in ends if pk not in inside)
    graph: PlantGraph | None = None
    if inside and key is not None:
        graph = cached(key)
        if graph is None and (run_revision is None or key[1] <= run_revision):
            graph = hall_graph(hall_id, key=key)
    if graph is None:
        outside = sorted(ends)
        inside = {}
    results: list[LinkResult] = []
    if inside:
        assert graph is not None
        enabled = gc.isenabled()
        gc.disable()
        try:
            results = _validate(graph, inside, options)
        finally:
            # No collection during the chunk, and its survivors (memos) join the frozen graph
            # instead of being scanned by later chunks' collections: ~40 % of a chunk's CPU
            # otherwise, measured. Chunks leave no cyclic garbage (measured: none after 15
            # chunks), and a reload unfreezes and collects everything.
            gc.freeze()
            if enabled:
                gc.enable()
    if outside:
        results += link_reports(link_ids=outside, options=options, trace=False, findings_only=True)
    return sorted(results, key=lambda r: r.link_id)


def _validate(
    graph: PlantGraph, inside: dict[int, list[EndRow]], options: Options | None
) -> list[LinkResult]:
    """The cached path of `link_reports_in_hall`: walk, validate, name what findings mention."""
    results: list[LinkResult] = []
    view = with_ends(graph, inside)
    reports = []
    for pk in sorted(inside):
        item = adapters.link_input(view, pk, touched=False, names=False)
        report = adapters.report_for(view, item, options, trace=False, findings_only=True)
        reports.append((item, report))
    mentioned = {str(f.get("ref") or "") for _item, report in reports for f in report["findings"]}
    owners = {o for ref in mentioned if (o := _owner_of(view, ref)) is not None}
    view.owner_names.update(owner_names(owners))
    for item, report in reports:
        refs = {str(f.get("ref") or "") for f in report["findings"]}
        report["elements"] = {
            ref: adapters.name_of(view, ref) for ref in sorted(refs) if ref in item.refs
        }
        rack = view.ports[view.ends[item.link_id][0].port_id][5]
        results.append(
            LinkResult(
                item.link_id,
                adapters.status_of(report),
                report,
                frozenset(item.cable_ids),
                frozenset(item.port_ids),
                item.name,
                rack,
                view.rack_rows.get(rack) if rack is not None else None,
            )
        )
    return results
