"""docker-compose.yml, the Dockerfile and the README configuration table follow the settings."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DJANGO_SERVICES = {"migrate", "web", "worker", "beat"}


def _variables_the_settings_read() -> set[str]:
    source = "\n".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    names = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    names |= set(re.findall(r"for _name in \(([^)]*)\)", source)[0].replace('"', "").split(", "))
    return names | {"DJANGO_SETTINGS_MODULE"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_settings_read_the_variables_we_expect():
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOWED_HOSTS"} <= (
        _variables_the_settings_read()
    )


def test_every_settings_variable_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, flags=re.MULTILINE))
    assert _variables_the_settings_read() - documented == set()


def test_every_django_service_gets_every_settings_variable():
    services = _compose()["services"]
    assert set(services) == DJANGO_SERVICES | {"postgres", "redis"}
    for name in DJANGO_SERVICES:
        environment = services[name]["environment"]
        assert _variables_the_settings_read() - set(environment) == set(), name
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_compose_pins_major_versions_and_orders_startup():
    services = _compose()["services"]
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "healthcheck" in services["postgres"]
    assert "healthcheck" in services["redis"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
    assert services["web"]["command"][:3] == ["gunicorn", "config.wsgi", "-b"]


def test_dockerfile_runs_gunicorn_as_a_non_root_user_on_python_311():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^USER app$", dockerfile, flags=re.MULTILINE)
    assert "collectstatic --noinput" in dockerfile
    assert 'CMD ["gunicorn", "config.wsgi"' in dockerfile
