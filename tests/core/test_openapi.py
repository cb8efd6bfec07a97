"""The OpenAPI schema: valid, free of generator warnings, and documenting the validator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[2]


def test_schema_validates_with_no_warnings(tmp_path: Path) -> None:
    # when: drf-spectacular's own validator, failing on any warning or error
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", out],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=False,
    )
    # then
    assert result.returncode == 0, result.stderr
    schema = yaml.safe_load(out.read_text())
    validate = schema["paths"]["/api/v1/validate/"]["post"]
    body = validate["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/ChannelRequest")
    assert len(body["examples"]) == 3
    assert validate["responses"]["200"]["content"]["application/json"]["examples"]
    assert {"200", "400"} <= validate["responses"].keys()
    report = schema["components"]["schemas"]["Report"]["properties"]
    assert {"ok", "findings", "trace", "loss", "options"} <= report.keys()
    assert "bearerAuth" in schema["components"]["securitySchemes"]


@pytest.mark.parametrize("path", ["/api/schema/swagger-ui/", "/api/schema/redoc/"])
def test_interactive_docs_load_their_assets_locally(client: Any, path: str) -> None:
    # when
    response = client.get(path)
    # then: every script and stylesheet comes from our own static files, no CDN
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert assets
    assert all(asset.startswith("/static/") for asset in assets), assets
