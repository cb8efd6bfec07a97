"""Profile one audit link chunk of a benchmark hall in this process (cProfile, top entries by time).

.venv/bin/python bench/profile_chunk.py 100000          # the BENCH-100000 hall's first chunk
.venv/bin/python bench/profile_chunk.py 100000 2000 3   # its fourth chunk of 2,000 links

Prints the whole-hall load (what a worker's first chunk pays: queries, seconds, graph size), the
chunk on the cached graph (what every later chunk pays) and on the scoped loader (what a single
link, rack or row read costs, and a chunk of a stale run), then a cProfile of the cached chunk.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.audits import services  # noqa: E402
from apps.plant import adapters, hallgraph  # noqa: E402
from apps.plant.models import Hall  # noqa: E402


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> str:
    wall, cpu = clock()
    return f"{wall - start[0]:.2f} s ({cpu - start[1]:.2f} s CPU)"


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else int(settings.AUDIT_CHUNK_SIZE)
    index = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    hall = Hall.objects.get(name=f"BENCH-{size}")
    ids = services._links_by_place(hall.pk)[index * chunk : (index + 1) * chunk]
    adapters.load(ids[:1])  # warm the catalog
    start = clock()
    with CaptureQueriesContext(connection) as queries:
        graph = hallgraph.hall_graph(hall.pk)
    print(
        f"whole-hall load: {since(start)}, {len(queries)} queries; {len(graph.ports)} ports, "
        f"{len(graph.legs)} mated legs, {len(graph.cables)} cables"
    )
    for label, hall_id in (("cached", hall.pk), ("cached again", hall.pk), ("scoped", None)):
        start = clock()
        with CaptureQueriesContext(connection) as queries:
            found = services.link_findings(link_ids=ids, hall_id=hall_id)
        took = since(start)
        print(f"{len(ids)} links, {label}: {took}, {len(queries)} queries, {len(found)} findings")
    profile = cProfile.Profile()
    profile.enable()
    services.link_findings(link_ids=ids, hall_id=hall.pk)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
