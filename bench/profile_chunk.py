"""Profile one audit chunk of a benchmark hall in this process (cProfile, top 25 by cumulative).

.venv/bin/python bench/profile_chunk.py 10000      # the BENCH-10000 hall's first link chunk
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

from apps.audits import services  # noqa: E402
from apps.audits.models import AuditChunk, AuditRun  # noqa: E402
from apps.plant import adapters  # noqa: E402


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    run = AuditRun.objects.filter(hall__name=f"BENCH-{size}", status="done").latest("created")
    ids = AuditChunk.objects.filter(run=run, kind="links").order_by("index").first().link_ids  # type: ignore[union-attr]
    adapters.load(ids[:1])  # warm the catalog
    started = time.perf_counter()
    graph = adapters.load(ids)
    loaded = time.perf_counter()
    services.link_findings(link_ids=ids)
    total = time.perf_counter()
    print(f"{len(ids)} links: load {loaded - started:.2f} s, load+engine {total - loaded:.2f} s")
    print(f"graph: {len(graph.ports)} ports, {len(graph.legs)} legs, {len(graph.ends)} links")
    profile = cProfile.Profile()
    profile.enable()
    services.link_findings(link_ids=ids)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
