"""Create the demo login once: `python -m devstack.demo_user` (the launcher runs it).

The password is random and printed once, here; it is stored nowhere else in plain text. With
--smoke, the smoke test's throwaway user is made instead, with the password it passes in
SMOKE_PASSWORD.
"""

from __future__ import annotations

import os
import secrets
import sys


def main(argv: list[str]) -> int:
    """Create the user if it is missing and say what happened."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if "--smoke" in argv:
        user_model.objects.create_user(username="smoke", password=os.environ["SMOKE_PASSWORD"])
        return 0
    if user_model.objects.filter(username="demo").exists():
        print(
            "[devstack] the demo login exists (username: demo); its password was printed when it "
            "was made. New one: .venv/bin/python manage.py changepassword demo",
            flush=True,
        )
        return 0
    password = secrets.token_urlsafe(12)
    # A superuser: on a developer machine the admin is the only UI so far.
    user_model.objects.create_superuser(username="demo", email="", password=password)
    banner = "=" * 64
    print(
        f"{banner}\n  Demo login created (shown once, stored nowhere):\n"
        f"    username: demo\n    password: {password}\n{banner}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
