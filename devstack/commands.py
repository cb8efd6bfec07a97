"""What `python -m devstack run|test|smoke|services` does (the Makefile's run, test and smoke)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from devstack.services import ROOT, STATE_DIR, Services, is_running, say, services
from devstack.supervisor import Interrupted, Supervisor

PYTHON = sys.executable
MANAGE = [PYTHON, "manage.py"]

# pytest's exit code when it collected nothing: a test run that tested nothing is a failure.
PYTEST_NO_TESTS_COLLECTED = 5


def management_commands(supervisor: Supervisor) -> set[str]:
    """Names of the management commands this tree has (load_catalog may not exist yet)."""
    output = subprocess.run(
        [*MANAGE, "help", "--commands"],
        cwd=ROOT,
        env=supervisor.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {line.strip() for line in output.splitlines() if line.strip()}


def prepare_database(supervisor: Supervisor, *, demo: bool) -> None:
    """Migrate, then load the catalog (and the demo login and plant) when those commands exist.

    The demo login comes before `load_demo`, which makes it the owner of the demo project.
    """
    supervisor.call("migrate", [*MANAGE, "migrate", "--noinput"])
    if demo:
        supervisor.call("demo login", [PYTHON, "-m", "devstack.demo_user"])
    available = management_commands(supervisor)
    loaders = ["load_catalog", "load_demo"] if demo else ["load_catalog"]
    for command in loaders:
        if command in available:
            supervisor.call(command, [*MANAGE, command])
        else:
            say(f"no `{command}` command in this tree yet; skipped")


def run(*, port: int) -> int:
    """The development stack: web server, Celery worker and beat, until Ctrl-C."""
    with services() as found:
        supervisor = Supervisor(found.env() | {"DJANGO_SETTINGS_MODULE": "config.settings.local"})
        try:
            prepare_database(supervisor, demo=True)
            beat_schedule = STATE_DIR / "celerybeat-schedule"
            supervisor.start("web", [*MANAGE, "runserver", f"127.0.0.1:{port}"])
            supervisor.start(
                "worker",
                [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "info",
                 "--concurrency", "2"],
            )  # fmt: skip
            supervisor.start(
                "beat",
                [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "info",
                 "--schedule", str(beat_schedule)],
            )  # fmt: skip
            say(f"http://127.0.0.1:{port}/ is up; Ctrl-C stops everything")
            name, code = supervisor.wait_any()
            say(f"{name} exited with code {code}; stopping the rest")
            return code or 1
        except Interrupted as stop:
            say(f"{stop}: stopping")
            return 0
        finally:
            supervisor.stop_all()


def test(pytest_args: Sequence[str]) -> int:
    """pytest against real services; its exit code, with 'no tests collected' as a failure."""
    with services() as found:
        supervisor = Supervisor(found.env() | {"DJANGO_SETTINGS_MODULE": "config.settings.test"})
        try:
            code = supervisor.call("pytest", [PYTHON, "-m", "pytest", *pytest_args], check=False)
        except Interrupted as stop:
            say(f"{stop}: stopping")
            supervisor.stop_all(signal.SIGINT)
            return 130
    if code == PYTEST_NO_TESTS_COLLECTED:
        say("pytest collected no tests: that is a failure")
        return 1
    return code


def services_only() -> int:
    """Start the services and wait; print how to point other processes at them."""
    with services() as found:
        for name, value in found.env().items():
            print(f"export {name}='{value}'", flush=True)
        say("services are up; Ctrl-C stops them")
        try:
            while True:
                time.sleep(3600)
        except Interrupted:
            return 0


def smoke() -> int:
    """Fresh database and catalog, gunicorn and a worker, a few requests, a clean stop."""
    from devstack.smoke import smoke as run_smoke

    with services() as found:
        code = run_smoke(found)
    return code + _check_no_leftovers(found)


def _check_no_leftovers(found: Services) -> int:
    """After the services are released, the servers we started must be gone."""
    if not found.embedded:
        return 0
    left = [
        f"{name} (pid {pid})"
        for name, pid in (("PostgreSQL", found.postgres_pid), ("Redis", found.redis_pid))
        if is_running(pid)
    ]
    if left:
        say(f"still running after the smoke test: {', '.join(left)} (another launcher may use it)")
        return 1
    say("no process left behind")
    return 0
