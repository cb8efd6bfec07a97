"""The engine version an audit records.

If `apps.engine` declares `ENGINE_VERSION` (a string), that is the version: `engine-<version>`.
Until it does, the version is a digest of the engine's source files: any change to the rules (a
new check, a fixed map) gives runs a new version, and two workers on different code are told
apart. Computed once per process; at most 40 characters (AuditRun.engine_version).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import apps.engine


@cache
def engine_version() -> str:
    """`engine-<ENGINE_VERSION>`, or `engine-<12 hex digits>` of the engine's .py files."""
    declared = getattr(apps.engine, "ENGINE_VERSION", None)
    if isinstance(declared, str) and declared.strip():
        return f"engine-{declared.strip()}"[:40]
    root = Path(apps.engine.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"engine-{digest.hexdigest()[:12]}"
