"""Run every benchmark (``make bench``): the enterprise import on SQLite, then on PostgreSQL; then the
re-scoring of a campaign's self-assessments on SQLite (pilot, 50 k), then on PostgreSQL (national, 500 k);
then the automatic assignment of experts in a national round (300 applications, 60 experts) on SQLite, then
on PostgreSQL.

    BENCH_COUNT=500000 .venv/bin/python benchmarks/run_all.py

BENCH_COUNT sets the import's row count (default 500000); BENCH_RESCORE_COUNT, if set, the re-scoring's on
both databases (default: 50000 on SQLite, 500000 on PostgreSQL, the goals' sizes).

The runs are sequential (they would compete for the same cores). Each one prints its own report and a
JSON summary line; this script collects the summaries, prints them as a table and as JSON lines, and
exits non-zero if any run failed its correctness checks. A missed time goal is reported, not failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATABASES = ("sqlite", "postgres")
RESCORE_COUNTS = {"sqlite": 50_000, "postgres": 500_000}  # QUALITY.md P4: pilot / national
ASSIGN_COUNT, ASSIGN_EXPERTS = 300, 60  # the national evaluation's acceptance point: 300 applications, 60 experts


def run_benchmark(script: str, database: str, count: int, *extra: str) -> dict | None:
    cmd = [sys.executable, str(HERE / script), "--database", database, "--count", str(count), *extra]
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    print(proc.stdout, end="", flush=True)
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    try:
        summary = json.loads(last[0])
    except json.JSONDecodeError:
        return None
    summary["exit_code"] = proc.returncode
    return summary


def main() -> int:
    count = int(os.environ.get("BENCH_COUNT", "500000"))
    summaries: list[dict] = []
    failed = False
    rescore_count = os.environ.get("BENCH_RESCORE_COUNT")
    runs = [("import_enterprises.py", database, count) for database in DATABASES] + [
        ("rescore_assessments.py", database, int(rescore_count) if rescore_count else RESCORE_COUNTS[database])
        for database in DATABASES
    ] + [("assign_experts.py", database, ASSIGN_COUNT, "--experts", str(ASSIGN_EXPERTS)) for database in DATABASES]
    for script, database, n, *extra in runs:
        summary = run_benchmark(script, database, n, *extra)
        if summary is None or summary["exit_code"] != 0:
            print(f"{script.removesuffix('.py')} on {database}: FAILED", file=sys.stderr)
            failed = True
        if summary is not None:
            summaries.append(summary)
    print()
    print(f"{'benchmark':<20} {'database':<9} {'rows':>9} {'seconds':>8} {'rows/s':>8} {'goal s':>7} "
          f"{'RSS MiB':>8} {'DB MiB':>7}  result")
    for s in summaries:
        result = ("ok" if s["ok"] else "FAIL") + ("" if s["goal_met"] else ", goal missed")
        print(f"{s['benchmark']:<20} {s['database']:<9} {s['count']:>9,} {s['seconds']:>8.1f} {s['rows_per_s']:>8,} "
              f"{s['goal_s']:>7.1f} {s['peak_rss_mb']:>8} {s['db_mb']:>7.0f}  {result}")
    for s in summaries:
        print(json.dumps(s, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
