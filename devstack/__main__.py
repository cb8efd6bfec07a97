"""Command line of the launcher. `python -m devstack --help`."""

from __future__ import annotations

import argparse
import sys

from devstack import commands
from devstack.supervisor import install_signal_handlers


def main(argv: list[str]) -> int:
    """Parse the command line and run one command; its exit code."""
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="migrate, load data, then web server + Celery worker + beat")
    run.add_argument("--port", type=int, default=8000, help="runserver port (default 8000)")
    test = sub.add_parser("test", help="pytest with the services; args after -- go to pytest")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    sub.add_parser("smoke", help="fresh database, gunicorn + worker, a few requests, clean stop")
    sub.add_parser("services", help="only start the services and print their URLs")
    args = parser.parse_args(argv)

    install_signal_handlers()
    if args.command == "run":
        return commands.run(port=args.port)
    if args.command == "test":
        forwarded = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
        return commands.test(forwarded)
    if args.command == "smoke":
        return commands.smoke()
    return commands.services_only()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
