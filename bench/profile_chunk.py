"""Profile one audit chunk of a benchmark hall in this process (cProfile, top entries by time).

.venv/bin/python bench/profile_chunk.py 100000          # the BENCH-100000 hall's first chunk
.venv/bin/python bench/profile_chunk.py 100000 2000 3   # its fourth chunk of 2,000 links
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
from apps.plant import adapters  # noqa: E402
from apps.plant.models import Hall  # noqa: E402


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    chunk = int(sys.argv[2]) if len(sys.argv) > 2 else int(settings.AUDIT_CHUNK_SIZE)
    index = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    hall = Hall.objects.get(name=f"BENCH-{size}")
    ids = services._links_by_place(hall.pk)[index * chunk : (index + 1) * chunk]
    adapters.load(ids[:1])  # warm the catalog
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        graph = adapters.load(ids)
    loaded = time.perf_counter()
    found = services.link_findings(link_ids=ids)
    total = time.perf_counter()
    print(
        f"{len(ids)} links: load {loaded - started:.2f} s ({len(queries)} queries), "
        f"load + walk + engine {total - loaded:.2f} s, {len(found)} findings"
    )
    print(f"graph: {len(graph.ports)} ports, {len(graph.legs)} legs, {len(graph.ends)} links")
    profile = cProfile.Profile()
    profile.enable()
    services.link_findings(link_ids=ids)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
