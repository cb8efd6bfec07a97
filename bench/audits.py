"""Audit benchmark: generated halls audited end to end on 1 and 2 real workers.

    make bench                                   # 1,000 and 10,000 links
    make bench ARGS="--sizes 1000 10000 100000"

Per size and worker count: seconds from the start request to the run's stored results (done),
links per second, each worker's peak RSS (psutil, sampled every 50 ms), and the read floor: the
chunks' own SELECTs (apps.plant.adapters.load per chunk slice, tuples) in this process, no engine.
Needs DATABASE_URL and REDIS_URL (the workers use REDIS_URL's host with db 12, purged first).
Halls are generated once per size (apps.plant.generate) and reused on later runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from apps.accounts.models import Organization, Project  # noqa: E402
from apps.audits import services  # noqa: E402
from apps.audits.models import AuditChunk, AuditRun  # noqa: E402
from apps.catalog.models import Product  # noqa: E402
from apps.plant import adapters  # noqa: E402
from apps.plant.models import Hall  # noqa: E402

BENCH_REDIS_DB = 13


def redis_url() -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{BENCH_REDIS_DB}", "", ""))


def hall_for(size: int) -> Hall:
    from apps.plant.generate import generate_hall

    name = f"BENCH-{size}"
    hall = Hall.objects.filter(name=name).first()
    if hall is not None:
        return hall
    organization, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    project, _ = Project.objects.get_or_create(
        organization=organization, slug=f"bench-{size}", defaults={"name": f"Bench {size}"}
    )
    started = time.perf_counter()
    racks_per_row = 20
    rows = max(1, size // (racks_per_row * 40))
    generate_hall(
        project=project,
        rows=rows,
        racks_per_row=racks_per_row,
        links=size,
        seed=size,
        fault_rate=0.01,
        site=f"Bench site {size}",
        name=name,
    )
    print(f"generated {name} in {time.perf_counter() - started:.1f} s", flush=True)
    return Hall.objects.get(name=name)


def start_workers(count: int, url: str) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, REDIS_URL=url, DATABASE_CONN_MAX_AGE="0", PYTHONPATH=str(ROOT))
    procs = []
    logdir = ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        log = (logdir / f"worker{n}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                 "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n",
                 f"bench{n}@%h"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
    time.sleep(4)  # import Django + connect; then every worker is waiting on the queue
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def audit_once(hall: Hall, procs: list[subprocess.Popen[bytes]]) -> dict[str, Any]:
    handles = [psutil.Process(p.pid) for p in procs]
    peak = [0] * len(handles)
    started = time.perf_counter()
    run, _ = services.audit_start(hall=hall)
    while True:
        for i, handle in enumerate(handles):
            with contextlib.suppress(psutil.Error):
                peak[i] = max(peak[i], handle.memory_info().rss)
        status = AuditRun.objects.filter(pk=run.pk).values_list("status", flat=True).get()
        if status not in ("queued", "running"):
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    if run.status != "done":
        raise SystemExit(f"run {run.pk} ended {run.status}: {run.error}")
    return {
        "seconds": seconds,
        "links": run.links_total,
        "links_per_s": run.links_total / seconds,
        "findings": run.findings_total,
        "peak_rss_mb": [round(p / 2**20) for p in peak],
        "run": run.pk,
    }


def read_floor(hall: Hall) -> float:
    """The chunks' SELECTs as tuples, one process, no engine (the last run's slices)."""
    run = AuditRun.objects.filter(hall=hall, status="done").order_by("-created").first()
    assert run is not None
    slices = list(
        AuditChunk.objects.filter(run=run, kind="links").order_by("index").values_list("link_ids")
    )
    adapters.load([])  # the catalog, cached as in a warm worker
    started = time.perf_counter()
    for (ids,) in slices:
        adapters.load(ids)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if not Product.objects.exists():
        call_command("load_catalog")
    url = redis_url()
    from config.celery import app

    app.conf.update(broker_url=url)
    results = []
    for size in args.sizes:
        hall = hall_for(size)
        for workers in args.workers:
            redis.Redis.from_url(url).flushdb()
            procs = start_workers(workers, url)
            try:
                result = audit_once(hall, procs)
            finally:
                stop_workers(procs)
            result |= {"size": size, "workers": workers, "chunk_size": settings.AUDIT_CHUNK_SIZE}
            result["read_floor_s"] = read_floor(hall)
            results.append(result)
            print(json.dumps(result), flush=True)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }
    out = ROOT / "var" / "bench" / "audits.json"
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print("| links | workers | end to end s | links/s | read floor s | peak RSS MB |")
    for r in results:
        print(
            f"| {r['size']:,} | {r['workers']} | {r['seconds']:.2f} | {r['links_per_s']:,.0f} "
            f"| {r['read_floor_s']:.2f} | {', '.join(map(str, r['peak_rss_mb']))} |"
        )


if __name__ == "__main__":
    main()
