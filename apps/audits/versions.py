"""The engine version an audit records.

`apps.engine` has no version string of its own, so the version is a digest of the engine's
source files: any change to the rules (a new check, a fixed map) gives runs a new version, and two
workers on different code are told apart. Computed once per process.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import apps.engine


@cache
def engine_version() -> str:
    """`engine-<12 hex digits>`: the SHA-256 of the engine's .py files, in name order."""
    root = Path(apps.engine.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"engine-{digest.hexdigest()[:12]}"
