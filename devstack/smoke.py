"""The smoke test: the production shape, end to end, on a fresh database.

    fresh database ─▶ migrate ─▶ load_catalog ─▶ collectstatic
        ─▶ gunicorn (production settings, free port)  +  celery worker
        ─▶ GET /healthz, GET /api/schema/, POST /api/v1/validate/, celery ping
        ─▶ stop everything, check that nothing is left

POST /api/v1/validate/: devstack/smoke_validate.json (a passing Method-B channel from the seed
catalog) must answer 200 with ok=true, and an empty body a 400 in the standard error shape.
"""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any

from devstack.commands import MANAGE, PYTHON, prepare_database
from devstack.services import ROOT, STATE_DIR, Services, free_port, recreate_database, say
from devstack.supervisor import Interrupted, Supervisor

SMOKE_DATABASE = "fiber_smoke"
VALIDATE_BODY = ROOT / "devstack" / "smoke_validate.json"
LOG_DIR = STATE_DIR / "smoke"


class SmokeFailure(Exception):
    """One check of the smoke test did not hold."""


def smoke(found: Services) -> int:
    """Run the smoke test against `found`; 0 when every check holds."""
    started = time.monotonic()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    database_url = recreate_database(found.database_url, SMOKE_DATABASE)
    say(f"fresh database {SMOKE_DATABASE}")
    port = free_port()
    password = secrets.token_urlsafe(24)
    supervisor = Supervisor(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": found.redis_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_API_TOKEN_PEPPER": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback: there is no TLS proxy in front of this gunicorn.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "SMOKE_PASSWORD": password,
        }
    )
    try:
        prepare_database(supervisor, demo=False)
        supervisor.call("collectstatic", [*MANAGE, "collectstatic", "--noinput", "-v", "0"])
        supervisor.call("smoke user", [PYTHON, "-m", "devstack.demo_user", "--smoke"])
        web = supervisor.start(
            "web",
            [PYTHON, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "2"],
            log=LOG_DIR / "web.log",
        )
        supervisor.start(
            "worker",
            [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "1"],
            log=LOG_DIR / "worker.log",
        )
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/healthz", web)
        _checks(base, password)
        _celery_ping(supervisor)
    except (SmokeFailure, SystemExit) as failure:
        say(f"SMOKE FAILED: {failure}")
        for log in sorted(LOG_DIR.glob("*.log")):
            say(f"--- last lines of {log.relative_to(ROOT)} ---")
            print("\n".join(log.read_text(errors="replace").splitlines()[-40:]), flush=True)
        return 1
    except Interrupted as stop:
        say(f"{stop}: stopping")
        return 130
    finally:
        supervisor.stop_all()
        for log in LOG_DIR.glob("*.log"):
            log.rename(log.with_suffix(".log.last"))
    say(f"SMOKE OK in {time.monotonic() - started:.1f} s")
    return 0


def _checks(base: str, password: str) -> None:
    status, body = _request(f"{base}/healthz")
    _expect(status == 200 and body == {"status": "ok"}, f"GET /healthz: {status} {body}")
    say("GET /healthz: 200 ok")

    status, body = _request(f"{base}/api/schema/?format=json")
    _expect(status == 200 and "openapi" in body, f"GET /api/schema/: {status}")
    paths = sorted(body.get("paths", {}))
    say(f"GET /api/schema/: 200, {len(paths)} paths")

    auth = "Basic " + base64.b64encode(f"smoke:{password}".encode()).decode()
    request = json.loads(VALIDATE_BODY.read_text())
    status, body = _request(f"{base}/api/v1/validate/", request, auth=auth)
    _expect(
        status == 200 and isinstance(body, dict) and body.get("ok") is True,
        f"POST /api/v1/validate/ with {VALIDATE_BODY.name}: wanted 200 and ok, got {status} {body}",
    )
    say(f"POST /api/v1/validate/: 200, ok=True, {len(body['findings'])} findings")
    status, body = _request(f"{base}/api/v1/validate/", {}, auth=auth)
    _expect(
        status == 400 and _is_error_body(body),
        f"POST /api/v1/validate/ with an empty body: wanted 400 + error body, got {status} {body}",
    )
    say("POST /api/v1/validate/ (empty body): 400 with the standard error body")


def _celery_ping(supervisor: Supervisor) -> None:
    """The worker answers over the broker: REDIS_URL works for Celery/kombu too."""
    deadline = time.monotonic() + 60
    while True:
        result = subprocess.run(
            [PYTHON, "-m", "celery", "-A", "config", "inspect", "ping", "--timeout", "5"],
            cwd=ROOT,
            env=supervisor.env,
            capture_output=True,
            text=True,
        )
        if result.returncode == 0 and "pong" in result.stdout:
            say("celery worker answered ping")
            return
        if time.monotonic() > deadline:
            raise SmokeFailure(f"celery worker did not answer: {result.stdout}{result.stderr}")
        time.sleep(1)


def _wait_until_up(url: str, web: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise SmokeFailure(f"the web server exited with code {web.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SmokeFailure(f"{url} did not answer within 60 s")


def _request(url: str, payload: Any = None, *, auth: str | None = None) -> tuple[int, Any]:
    """One HTTP request; the status and the decoded JSON body (or the text)."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")[:500]


def _is_error_body(body: Any) -> bool:
    return (
        isinstance(body, dict)
        and isinstance(body.get("type"), str)
        and isinstance(body.get("errors"), list)
        and all({"code", "detail", "attr"} <= set(error) for error in body["errors"])
    )


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
