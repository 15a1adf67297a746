"""`make run`: the web server (gunicorn), the task worker (`manage.py db_worker`, django-tasks-db) and
the scheduler (`manage.py run_scheduler`) started together and stopped together.

Each child runs in its own process group, so that Ctrl-C (SIGINT) or SIGTERM to this supervisor stops
every child *and the processes they started* (gunicorn's workers): SIGTERM to each group, a grace
period, then SIGKILL to what is left. If one child exits on its own, the others are stopped too and
the supervisor exits non-zero (no half-running platform). On Linux each child is also asked to get
SIGTERM should the supervisor itself be killed (PR_SET_PDEATHSIG), so no child is left orphaned.

    python scripts/run_all.py [--host 127.0.0.1] [--port 8000] [--workers 3]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def commands(*, python: str, host: str, port: int, workers: int) -> dict[str, list[str]]:
    return {
        "web": [python, "-m", "gunicorn", "smartfactory.wsgi:application", "--pythonpath", "src",
                "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-",
                f"--forwarded-allow-ips={host}"],
        "worker": [python, "manage.py", "db_worker", "--no-reload"],
        "scheduler": [python, "manage.py", "run_scheduler"],
    }


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


class Supervisor:
    def __init__(self, cmds: dict[str, list[str]], *, cwd: Path = ROOT, grace: float = 10.0, poll: float = 0.2):
        self.cmds, self.cwd, self.grace, self.poll = cmds, cwd, grace, poll
        self.procs: dict[str, subprocess.Popen] = {}
        self._stop_signal: int | None = None

    def log(self, message: str) -> None:
        sys.stderr.write(f"[run_all] {message}\n")
        sys.stderr.flush()

    def start(self) -> None:
        for name, cmd in self.cmds.items():
            # our own fixed command lines (no shell); preexec_fn is safe here: the supervisor has one thread
            self.procs[name] = subprocess.Popen(cmd, cwd=self.cwd, start_new_session=True,  # noqa: S603
                                                preexec_fn=_die_with_parent)  # noqa: PLW1509
            self.log(f"started {name} (pid {self.procs[name].pid}): {' '.join(cmd[1:4])} …")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log(f"{name} did not stop within {self.grace:.0f} s: killed")
        for proc in self.procs.values():  # the leader may be gone while the processes it started are not
            _signal_group(proc, signal.SIGKILL)
            proc.wait()

    def _on_signal(self, signum, frame) -> None:
        self._stop_signal = signum

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        self.start()
        code = 0
        try:
            while self._stop_signal is None:
                exited = [(name, p.returncode) for name, p in self.procs.items() if p.poll() is not None]
                if exited:
                    self.log("; ".join(f"{name} exited with {rc}" for name, rc in exited) + ": stopping the others")
                    code = 1
                    break
                time.sleep(self.poll)
            else:
                self.log(f"signal {signal.Signals(self._stop_signal).name}: stopping")
        finally:
            self.stop()
        self.log("stopped")
        return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 3)))
    parser.add_argument("--grace", type=float, default=10.0, help="seconds each child has to stop")
    args = parser.parse_args(argv)
    cmds = commands(python=sys.executable, host=args.host, port=args.port, workers=args.workers)
    return Supervisor(cmds, grace=args.grace).run()


if __name__ == "__main__":
    sys.exit(main())
