"""`make run`'s supervisor (scripts/run_all.py) starts the web server, the task worker and the
scheduler, and stops all of them — and what they started — on SIGTERM/SIGINT or when one dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import run_all  # noqa: E402

# a child that starts a grandchild (like gunicorn's workers), writes both pids, then waits
CHILD = """
import subprocess, sys, time, pathlib
grand = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
pathlib.Path(sys.argv[1]).write_text(f"{__import__('os').getpid()} {grand.pid}")
time.sleep(float(sys.argv[2]))
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait(condition, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _supervise(tmp_path, lifetimes: dict[str, float]) -> tuple[subprocess.Popen, dict[str, Path]]:
    files = {name: tmp_path / f"{name}.pids" for name in lifetimes}
    cmds = {name: [sys.executable, "-c", CHILD, str(files[name]), str(t)] for name, t in lifetimes.items()}
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r}); import run_all; " \
           f"sys.exit(run_all.Supervisor({cmds!r}, grace=5).run())"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    assert _wait(lambda: all(p.exists() and p.read_text() for p in files.values()))
    return proc, files


def _pids(files) -> list[int]:
    return [int(x) for p in files.values() for x in p.read_text().split()]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_child_and_grandchild(tmp_path, sig):
    proc, files = _supervise(tmp_path, {"web": 120, "worker": 120, "scheduler": 120})
    pids = _pids(files)
    assert len(pids) == 6 and all(_alive(p) for p in pids)
    proc.send_signal(sig)
    assert proc.wait(timeout=20) == 0
    assert _wait(lambda: not any(_alive(p) for p in pids), timeout=10)


def test_one_child_dying_stops_the_others(tmp_path):
    proc, files = _supervise(tmp_path, {"web": 120, "worker": 0.5, "scheduler": 120})
    assert proc.wait(timeout=20) == 1
    assert _wait(lambda: not any(_alive(p) for p in _pids(files)), timeout=10)


def test_make_run_commands_bind_to_localhost():
    cmds = run_all.commands(python="python", host="127.0.0.1", port=8123, workers=2)
    assert set(cmds) == {"web", "worker", "scheduler"}
    assert "127.0.0.1:8123" in cmds["web"] and cmds["worker"][1:3] == ["manage.py", "db_worker"]
    assert cmds["scheduler"][1:3] == ["manage.py", "run_scheduler"]


def _descendants(root: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        kids = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += kids
        frontier = kids
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_real_processes_start_serve_and_stop(tmp_path):
    """gunicorn, db_worker and run_scheduler for real, on 127.0.0.1 with a throw-away SQLite database
    (only the task queue's tables: the scheduler logs its jobs' failures and keeps running)."""
    env = {**os.environ, "SMARTFACTORY_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": "", "SMARTFACTORY_TESTING": "0"}
    env.pop("DATABASE_URL")
    subprocess.run([sys.executable, "manage.py", "migrate", "django_tasks_database", "--noinput", "-v0"], cwd=ROOT, env=env,
                   check=True, timeout=120)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "scripts/run_all.py", "--port", str(port), "--workers", "1", "--grace", "5"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        def serving() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):  # noqa: S310
                    pass
            except urllib.error.HTTPError as exc:
                exc.close()
                return True  # an answer, whatever it is (this database has no tables but the queue's)
            except OSError:
                return False
            return True
        assert _wait(serving, timeout=60), "gunicorn did not answer"
        children = _descendants(proc.pid)
        assert len(children) >= 4  # gunicorn, its worker, db_worker, run_scheduler
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    err = proc.stderr.read()
    proc.stderr.close()
    assert "started web" in err and "started worker" in err and "started scheduler" in err and "stopped" in err
    assert proc.returncode == 0, err[-2000:]
    assert _wait(lambda: not any(_alive(p) for p in children), timeout=10)
    with socket.socket() as s, pytest.raises(OSError):
        s.connect(("127.0.0.1", port))
