"""Generator benchmark: `generate_hall` at 1,000, 10,000 and 100,000 links, split per phase.

    make bench-generate                                     # 1,000, 10,000 and 100,000 links, 3x
    make bench-generate ARGS="--sizes 10000 --repeat 5"

Per size: the best of `--repeat` runs (wall time; the machine is shared), links per second, the CPU
seconds of this process and of its PostgreSQL backend (read from /proc when the server runs on this
machine; their sum depends far less than wall time on what else the machine runs), and the
seconds per phase: `document` (hall_document), `prepare` (catalog reads, the hall row), `rows`
(building each table's rows in Python while the previous table's COPY runs in the background),
`copy` (waiting for the COPYs, reserving ids), `keys` (the set-wise foreign-key check), and
`constraints` (PostgreSQL's deferred checks, forced with SET CONSTRAINTS ALL IMMEDIATE).
Each run is rolled back after that (nothing is left behind, so only the WAL flush of a real COMMIT
is not counted). Halls are shaped as bench/audits.py makes them (20 racks per row, 40 links per
rack, 1 % planted faults). Needs DATABASE_URL (with the catalog loaded: manage.py load_catalog).
Results also go to var/bench/generate-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from apps.accounts.models import Organization, Project  # noqa: E402
from apps.plant.generate import generate_hall  # noqa: E402


class _Rollback(Exception):
    pass


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(project: Project, size: int) -> dict[str, Any]:
    """One generated hall of `size` links, timed per phase, then rolled back."""
    racks_per_row = 20
    rows = max(1, size // (racks_per_row * 40))
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            server = backend_cpu()
            started, cpu = time.perf_counter(), time.process_time()
            generated = generate_hall(
                project=project,
                rows=rows,
                racks_per_row=racks_per_row,
                links=size,
                seed=size,
                fault_rate=0.01,
                name=f"BENCH-GEN-{size}",
            )
            checked = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            done = time.perf_counter()
            seconds = done - started
            cpu = time.process_time() - cpu
            server_after = backend_cpu()
            server = None if server is None or server_after is None else server_after - server
            result = {
                "links": size,
                "rows": rows,
                "racks_per_row": racks_per_row,
                "seconds": round(seconds, 3),
                "links_per_second": round(size / seconds),
                "cpu_seconds": round(cpu, 3),
                "postgres_cpu_seconds": None if server is None else round(server, 3),
                "links_per_cpu_second": None if server is None else round(size / (cpu + server)),
                "created": generated.report.totals()["created"],
                "phases": {
                    "document": round(generated.build_seconds, 3),
                    **{k: round(v, 3) for k, v in generated.phases.items()},
                    "constraints": round(done - checked, 3),
                },
            }
            raise _Rollback
    except _Rollback:
        pass
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    organization, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    project, _ = Project.objects.get_or_create(
        organization=organization, slug="bench-generate", defaults={"name": "Bench generate"}
    )
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "postgres": connection.cursor().connection.info.server_version,
    }
    print(f"machine: {machine}")
    results = []
    for size in args.sizes:
        runs = []
        for attempt in range(args.repeat):
            runs.append(run(project, size))
            load = os.getloadavg()
            print(
                f"  {size:>7} links, run {attempt + 1}: {runs[-1]['seconds']:7.2f} s "
                f"({runs[-1]['links_per_second']:,} links/s), load {load[0]:.2f}",
                flush=True,
            )
        best = min(runs, key=lambda r: r["seconds"])
        best["runs_seconds"] = [r["seconds"] for r in runs]
        best["load_average"] = [round(x, 2) for x in os.getloadavg()]
        results.append(best)
        phases = ", ".join(f"{k} {v:.2f}" for k, v in best["phases"].items())
        print(
            f"{size:>7} links: best {best['seconds']:.2f} s = {best['links_per_second']:,} "
            f"links/s; cpu {best['cpu_seconds']:.2f} s here + {best['postgres_cpu_seconds']} s "
            f"PostgreSQL = {best['links_per_cpu_second']} links per CPU second; "
            f"{best['created']:,} objects; {phases}",
            flush=True,
        )
    out = ROOT / "var" / "bench" / f"generate-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
