"""Screenshots of the rack elevation and a link's trace, as the README shows them.

Always runs (pages render, console clean); with UPDATE_SCREENSHOTS=1 it also writes
docs/screenshots/rack-elevation.png and docs/screenshots/link-trace.png. Built from the showcase
hall of support.py (the plant IO's `load_demo` did not exist when these were taken).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.configurator.test_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    PASSWORD,
    browser_context_args,
    browser_type_launch_args,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_readme_screenshots(page: Any, live_server: Any, catalog: object) -> None:
    from apps.accounts.models import Organization, Project, ProjectMembership, Role
    from tests.configurator.support import showcase_hall
    from tests.conftest import _make_user

    designer = _make_user("designer")
    org = Organization.objects.create(name="Acme DC", slug="acme")
    project = Project.objects.create(organization=org, name="Frankfurt build-out", slug="fra")
    ProjectMembership.objects.create(user=designer, project=project, role=Role.DESIGNER)
    build = showcase_hall(project)
    assert build.link is not None
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "designer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {}
    page.goto(live_server.url + f"/racks/{build.racks[0].pk}/")
    shots["rack-elevation"] = page.locator(".grid-rack")
    page.locator(".grid-rack").screenshot(path=str(ARTIFACTS / "readme-rack-elevation.png"))
    page.goto(live_server.url + f"/links/{build.link.pk}/")
    page.locator("#report").screenshot(path=str(ARTIFACTS / "readme-link-trace.png"))
    assert errors == []
    if os.environ.get("UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        for name in ("rack-elevation", "link-trace"):
            shutil.copy(ARTIFACTS / f"readme-{name}.png", DOCS / f"{name}.png")
