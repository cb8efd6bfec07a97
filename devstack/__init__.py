"""The launcher: `python -m devstack run|test|smoke|services` (wrapped by `make`).

Without DATABASE_URL / REDIS_URL it starts one embedded PostgreSQL and one embedded Redis (data
under var/devstack/), exports their URLs to every process it starts and stops them on exit; with
the URLs set it uses those and starts nothing. See docs/architecture.md ("The launcher").
"""
