"""The launcher's pieces that can be checked without starting servers."""

from __future__ import annotations

import time

import pytest

from devstack.supervisor import Supervisor, _group_alive
from devstack.urls import database_url_with_name, psycopg_kwargs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://postgres@%2FHome%2Fdev%2Fvar%2Fdevstack%2Fpgdata:5432/fiber",
            {"dbname": "fiber", "host": "/Home/dev/var/devstack/pgdata", "port": 5432,
             "user": "postgres"},
        ),
        (
            "postgres://fiber:p%40ss@127.0.0.1:5432/fiber_infra",
            {"dbname": "fiber_infra", "host": "127.0.0.1", "port": 5432, "user": "fiber",
             "password": "p@ss"},
        ),
    ],
)  # fmt: skip
def test_psycopg_kwargs_reads_tcp_and_socket_urls(url, expected):
    assert psycopg_kwargs(url) == expected


def test_database_url_with_name_keeps_server_and_credentials():
    url = "postgres://postgres@%2Ftmp%2Fpg:5432/fiber"
    assert (
        database_url_with_name(url, "fiber_smoke")
        == "postgres://postgres@%2Ftmp%2Fpg:5432/fiber_smoke"
    )


def test_stopping_a_child_also_stops_its_grandchildren():
    # given: a shell whose own child ignores SIGTERM
    supervisor = Supervisor({}, grace_s=1.0)
    shell = supervisor.start("sleeper", ["sh", "-c", "trap '' TERM; sleep 300 & sleep 300; wait"])
    time.sleep(0.3)
    assert _group_alive(shell.pid)
    # when
    started = time.monotonic()
    supervisor.stop_all()
    # then: SIGTERM was ignored, SIGKILL finished the whole group
    assert not _group_alive(shell.pid)
    assert shell.returncode is not None
    assert supervisor.children == []
    assert time.monotonic() - started < 10


def test_call_returns_the_exit_code_without_raising_when_asked():
    supervisor = Supervisor({})
    assert supervisor.call("false", ["sh", "-c", "exit 5"], check=False) == 5
    assert supervisor.children == []
