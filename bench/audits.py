"""Audit benchmark: generated halls audited end to end on 1 and 2 real workers.

    make bench                                                  # 1,000, 10,000 and 100,000 links
    make bench ARGS="--sizes 1000 10000 --concurrency 2"        # also one prefork worker x 2

Per size and worker setup: seconds from the start request to the run's stored results (done),
links per second, each worker process's peak RSS (psutil, sampled every 50 ms) and CPU seconds
during the run (user + system: what the workers cost whatever else loads the machine), the
load average at the end, and the read floor: the SELECTs the run issued (one whole-hall load
per worker, the link chunks' keys and ends, the trunk slices' rows) fetched as tuples in this
process, no engine. Results also go to var/bench/.
Needs DATABASE_URL and REDIS_URL; the workers consume the queue `bench-audits`, purged per run.
Halls are generated once per size (apps.plant.generate) and reused on later runs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from kombu import Queue  # noqa: E402

from apps.accounts.models import Organization, Project  # noqa: E402
from apps.audits import services  # noqa: E402
from apps.audits.models import AuditChunk, AuditFinding, AuditRun  # noqa: E402
from apps.catalog.models import Product  # noqa: E402
from apps.plant import adapters, hallgraph, selectors  # noqa: E402
from apps.plant.models import Hall  # noqa: E402

QUEUE = "bench-audits"  # the bench's own queue: other users of the Redis database keep theirs


def redis_url() -> str:
    """REDIS_URL itself (the bench publishes to and purges only its own queue there)."""
    return str(settings.REDIS_URL)


def purge(app: Any) -> None:
    with app.connection_for_write() as connection:
        Queue(QUEUE, channel=connection.default_channel).purge()


def _hall_args(size: int) -> dict[str, Any]:
    """The generator's arguments for the bench hall of `size` links (seeded: repeatable)."""
    racks_per_row = 20
    return {
        "rows": max(1, size // (racks_per_row * 40)),
        "racks_per_row": racks_per_row,
        "links": size,
        "seed": size,
        "fault_rate": 0.01,
        "site": f"Bench site {size}",
        "name": f"BENCH-{size}",
    }


def hall_for(size: int) -> tuple[Hall, dict[str, str]]:
    """The bench hall of `size` links (generated once) and its manifest of planted faults."""
    from apps.plant.generate import generate_hall, hall_document

    args = _hall_args(size)
    manifest_path = ROOT / "var" / "bench" / f"{args['name']}.manifest.json"
    hall = Hall.objects.filter(name=args["name"]).first()
    if hall is not None:
        if manifest_path.exists():
            return hall, json.loads(manifest_path.read_text())
        _document, manifest = hall_document(**args)  # the same seed plants the same faults
        return hall, manifest
    organization, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    project, _ = Project.objects.get_or_create(
        organization=organization, slug=f"bench-{size}", defaults={"name": f"Bench {size}"}
    )
    started = time.perf_counter()
    generated = generate_hall(project=project, **args)
    print(f"generated {args['name']} in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics for the new rows, as autovacuum would make later
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(generated.manifest))
    return generated.report.hall, generated.manifest


def planted_found_exactly(run_id: int, manifest: dict[str, str]) -> bool:
    """The run's primary link errors are exactly the planted faults, and no other link has any.

    As tests/audits/test_planted.py asks of a small hall: each planted link's fault as its
    named code (consequences behind it aside) and no finding on a link nobody planted a fault on.
    """
    findings = AuditFinding.objects.filter(run_id=run_id, subject=AuditFinding.Subject.LINK)
    primary = set(
        findings.filter(severity="error", consequence=False).values_list("subject_key", "code")
    )
    flagged = set(findings.values_list("subject_key", flat=True))
    missed = set(manifest.items()) - primary
    unexpected = primary - set(manifest.items())
    strangers = flagged - set(manifest)
    for label, items in (("missed", missed), ("unexpected", unexpected), ("strangers", strangers)):
        if items:
            print(f"planted faults: {len(items)} {label}, e.g. {sorted(items)[:3]}", flush=True)
    return not (missed or unexpected or strangers)


def start_workers(count: int, url: str, concurrency: int = 1) -> list[subprocess.Popen[bytes]]:
    """`count` worker processes: solo pools, or one prefork pool of `concurrency` children."""
    env = dict(os.environ, REDIS_URL=url, DATABASE_CONN_MAX_AGE="0", PYTHONPATH=str(ROOT))
    procs = []
    logdir = ROOT / "var" / "bench"
    logdir.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        log = (logdir / f"worker{n}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker",
                 *(["--pool=solo"] if concurrency == 1
                   else ["--pool=prefork", f"--concurrency={concurrency}"]),
                 "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-Q", QUEUE, "-n",
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


def _processes(procs: list[subprocess.Popen[bytes]]) -> list[psutil.Process]:
    """The processes that run tasks: each solo worker, or the children of a prefork pool."""
    out: list[psutil.Process] = []
    for proc in procs:
        handle = psutil.Process(proc.pid)
        out.extend(handle.children() or [handle])
    return out


def audit_once(hall: Hall, procs: list[subprocess.Popen[bytes]]) -> dict[str, Any]:
    handles = _processes(procs)
    peak = [0] * len(handles)
    cpu = [_cpu(handle) for handle in handles]
    for stale in AuditRun.objects.filter(hall=hall, status__in=services.ACTIVE):
        services.audit_cancel(run=stale)  # a run left by an interrupted bench: start afresh
    started = time.perf_counter()
    run, created = services.audit_start(hall=hall)
    assert created
    while True:
        for i, handle in enumerate(handles):
            with contextlib.suppress(psutil.Error):
                peak[i] = max(peak[i], handle.memory_info().rss)
        status = AuditRun.objects.filter(pk=run.pk).values_list("status", flat=True).get()
        if status not in ("queued", "running"):
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    cpu = [_cpu(handle) - before for handle, before in zip(handles, cpu, strict=True)]
    run.refresh_from_db()
    if run.status != "done":
        raise SystemExit(f"run {run.pk} ended {run.status}: {run.error}")
    return {
        "seconds": seconds,
        "links": run.links_total,
        "links_per_s": run.links_total / seconds,
        "findings": run.findings_total,
        "peak_rss_mb": [round(p / 2**20) for p in peak],
        "worker_cpu_s": [round(c, 1) for c in cpu],
        "run": run.pk,
    }


def _cpu(handle: psutil.Process) -> float:
    """User + system CPU seconds of a worker process so far (0 if it is gone)."""
    try:
        times = handle.cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


PERMANENT_COLUMNS = (  # as in apps.plant.selectors.permanent_links_for_hall
    "leg__cable_id",
    "leg__cable__label",
    "leg__cable__length_mm",
    "leg__cable__product_revision_id",
    "leg__end",
    "leg__index",
    "port_id",
    "port__face",
    "port__label",
    "port__module_id",
    "port__module__product_revision_id",
    "port__module__enclosure__name",
    "port__module__slot",
)


def read_floor(hall: Hall, workers: int) -> float:
    """The SELECTs the last run issued, fetched as tuples in one process, no engine.

    Link chunks: one whole-hall load (`hallgraph.load_hall`, the reads and the index built from
    them) per worker that ran link chunks (each worker loads the hall once and caches it), and
    per chunk the hall's cache key and the chunk's link ends. Permanent-link chunks: their
    trunks' matings with ports and modules (the rows `permanent_links_for_hall` reads) and the
    revisions. Not counted: the few names a chunk with findings reads.
    """
    run = AuditRun.objects.filter(hall=hall, status="done").order_by("-created").first()
    assert run is not None
    chunks = list(
        AuditChunk.objects.filter(run=run)
        .order_by("index")
        .values_list("kind", "link_ids", "cable_ids")
    )
    adapters.load([])  # the catalog, cached as in a warm worker
    link_chunks = [ids for kind, ids, _c in chunks if kind == AuditChunk.Kind.LINKS]
    loads = min(workers, len(link_chunks))
    gc.collect()
    started = time.perf_counter()
    for _ in range(loads):
        gc.disable()  # as hallgraph.hall_graph does while loading
        graph = hallgraph.load_hall(hall.pk)
        gc.enable()
        del graph
    for link_ids in link_chunks:
        hallgraph.hall_key(hall.pk)
        adapters.load_ends(link_ids)
    for kind, _link_ids, cable_ids in chunks:
        if kind == AuditChunk.Kind.LINKS:
            continue
        rows = list(
            selectors._permanent_matings(hall.pk)
            .filter(leg__cable_id__in=cable_ids)
            .values_list(*PERMANENT_COLUMNS)
        )
        adapters.revision_codes({r[3] for r in rows} | {r[10] for r in rows})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument(
        "--concurrency", type=int, default=0, help="also one prefork worker of N processes"
    )
    args = parser.parse_args()
    if not Product.objects.exists():
        call_command("load_catalog")
    url = redis_url()
    from config.celery import app

    app.conf.update(broker_url=url, task_default_queue=QUEUE)
    results = []
    for size in args.sizes:
        hall, manifest = hall_for(size)
        setups = [(workers, 1) for workers in args.workers]
        if args.concurrency > 1:
            setups.append((1, args.concurrency))
        for workers, concurrency in setups:
            purge(app)
            procs = start_workers(workers, url, concurrency)
            try:
                result = audit_once(hall, procs)
            finally:
                stop_workers(procs)
            result |= {
                "size": size,
                "workers": workers if concurrency == 1 else f"1 x {concurrency}",
                "chunk_size": settings.AUDIT_CHUNK_SIZE,
                "load_average": [round(x, 1) for x in os.getloadavg()],
            }
            result["read_floor_s"] = read_floor(hall, workers * concurrency)
            result["planted_found_exactly"] = planted_found_exactly(result["run"], manifest)
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
    print(
        "| links | workers | end to end s | links/s | read floor s | x floor | peak RSS MB "
        "| worker CPU s | planted faults found exactly |"
    )
    for r in results:
        print(
            f"| {r['size']:,} | {r['workers']} | {r['seconds']:.2f} | {r['links_per_s']:,.0f} "
            f"| {r['read_floor_s']:.2f} | {r['seconds'] / r['read_floor_s']:.1f} "
            f"| {', '.join(map(str, r['peak_rss_mb']))} "
            f"| {', '.join(map(str, r['worker_cpu_s']))} "
            f"| {'yes' if r['planted_found_exactly'] else 'NO'} |"
        )
    if not all(r["planted_found_exactly"] for r in results):
        raise SystemExit("an audit did not find exactly the planted faults (see above)")


if __name__ == "__main__":
    main()
