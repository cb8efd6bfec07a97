"""Child processes that never outlive the launcher.

Each child gets its own session (and so its own process group): a Ctrl-C in the terminal reaches
only the launcher, which then stops the children in reverse order of start, whole groups at a time
(runserver's autoreloader, Celery's pool), and checks that each group is empty before it goes on.
SIGTERM and SIGHUP to the launcher are turned into the same orderly exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

import psutil

from devstack.services import ROOT, say


class Interrupted(Exception):
    """The launcher was asked to stop (SIGINT, SIGTERM or SIGHUP)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    """Turn SIGINT/SIGTERM/SIGHUP into Interrupted, so every `finally` runs and nothing leaks."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_interrupted)


class Supervisor:
    """Starts named child processes and stops all of them, grandchildren included."""

    def __init__(self, env: Mapping[str, str], *, grace_s: float = 15.0):
        self.env = {**os.environ, **env}
        self.grace_s = grace_s  # how long a child may take to stop before SIGKILL
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(
        self, name: str, command: Sequence[str], *, log: Path | None = None
    ) -> subprocess.Popen[bytes]:
        """Start one child in its own session; its output goes to our terminal or to `log`."""
        output: IO[bytes] | None = log.open("ab") if log else None
        say(f"starting {name}: {' '.join(command)}")
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )
        if output:
            output.close()
        self.children.append((name, process))
        return process

    def call(self, name: str, command: Sequence[str], *, check: bool = True) -> int:
        """Run one child to its end (still stoppable by Ctrl-C); return its exit code."""
        process = self.start(name, command)
        try:
            code = process.wait()
        finally:
            self.stop_one(name, process, grace_s=self.grace_s)
            self.children.remove((name, process))
        say(f"{name} done" if code == 0 else f"{name} exited with code {code}")
        if check and code != 0:
            raise SystemExit(f"[devstack] {name} failed with exit code {code}")
        return code

    def wait_any(self) -> tuple[str, int]:
        """Block until a child exits; return its name and exit code."""
        while True:
            for name, process in self.children:
                code = process.poll()
                if code is not None:
                    return name, code
            time.sleep(0.2)

    def stop_all(self, first_signal: int = signal.SIGTERM) -> None:
        """Stop every child, newest first, and make sure no process of theirs remains."""
        while self.children:
            name, process = self.children.pop()
            self.stop_one(name, process, first_signal, grace_s=self.grace_s)

    @staticmethod
    def stop_one(
        name: str,
        process: subprocess.Popen[bytes],
        first_signal: int = signal.SIGTERM,
        *,
        grace_s: float = 15.0,
    ) -> None:
        """Signal the child's process group, wait, escalate to SIGKILL, and reap it."""
        group = process.pid  # start_new_session: the child leads its own group
        signalled = False
        for signum, grace in ((first_signal, grace_s), (signal.SIGKILL, 5.0)):
            if not _group_alive(group):
                break
            signalled = True
            _signal_group(group, signum)
            deadline = time.monotonic() + grace
            while _group_alive(group) and time.monotonic() < deadline:
                process.poll()  # reap the leader, so that a dead leader does not look alive
                time.sleep(0.1)
        process.poll()
        if _group_alive(group):
            print(f"[devstack] WARNING: {name} (group {group}) is still running", file=sys.stderr)
        elif signalled:
            say(f"{name} stopped")


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signum)


def _group_alive(group: int) -> bool:
    """Whether any live process (zombies aside) is left in the process group."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # killpg(0) also succeeds for an unreaped zombie; look closer.
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == group and proc.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, PermissionError):
            continue
    return False
