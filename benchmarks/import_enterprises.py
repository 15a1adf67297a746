"""Benchmark P6 (QUALITY.md): load N validated enterprises, each with one factory, through the real
import service ``smartfactory.organisations.imports.import_enterprises`` and measure it.

    .venv/bin/python benchmarks/import_enterprises.py --database sqlite|postgres [--count 500000]
                                                      [--batch-size 5000] [--seed N] [--keep]

Never touches the developer's database: SQLite runs in a fresh temporary SMARTFACTORY_VAR_DIR (so a fresh
``db.sqlite3`` with the project's WAL / synchronous=FULL / IMMEDIATE settings); PostgreSQL runs in a fresh
database ``smartfactory_bench_<pid>`` on 127.0.0.1:5432, dropped at the end.

Timed: the ``import_enterprises`` call end to end (wall clock), which includes pulling rows from the lazy
generator; the generator's own share is measured separately and reported as ``generate_s``. Not timed
(but printed): migrate and load_reference. Afterwards the row counts must equal what was generated and
the audit chain must verify, otherwise the exit status is 1. The last line of output is a JSON summary.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = "127.0.0.1"  # only ever a local server
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:5432/postgres"
GOALS_S = {"postgres": 60.0, "sqlite": 120.0}  # QUALITY.md P6: 500 k rows (target / minimum)
GOAL_COUNT = 500_000

# SAMR 2024-09: 粤浙苏鲁冀 hold 56 % of manufacturing firms (QUALITY.md §1).
BIG_FIVE = {"440000", "330000", "320000", "370000", "130000"}
BIG_FIVE_SHARE = 0.56
BRANCH_SHARE = 0.05

BRANDS = (
    "华兴", "宏达", "恒通", "鑫源", "博远", "中科", "天成", "瑞丰", "金桥", "永盛", "新锐", "东方", "长城", "海创", "联合", "智联", "精工", "远航", "信达", "盛世",
    "龙腾", "凯瑞", "泰和", "国泰", "星河", "卓越", "汇丰", "安捷", "众诚", "德力", "银河", "合力", "高科", "润泽", "兴业", "华瑞", "丰源", "创新", "先锋", "明阳",
)
TRADES = (
    ("机械", "数控机床"), ("电子", "集成电路封装"), ("化工", "精细化学品"), ("材料", "高性能复合材料"),
    ("汽车零部件", "汽车底盘部件"), ("纺织", "功能性面料"), ("食品", "乳制品"), ("医药", "化学原料药"),
    ("装备", "智能成套装备"), ("电气", "变压器"), ("五金", "精密紧固件"), ("新能源", "锂离子电池"),
    ("家具", "定制家具"), ("建材", "新型墙体材料"), ("钢铁", "特种钢材"), ("光电", "光伏组件"),
)
SUFFIXES = ("有限公司", "股份有限公司", "科技有限公司", "制造有限公司")


# ------------------------------------------------------------------------------------------ setup


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--count", type=int, default=GOAL_COUNT, help="enterprises to import (default 500000)")
    parser.add_argument("--batch-size", type=int, default=5000, help="import_enterprises batch_size (default 5000)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed of the generated rows")
    parser.add_argument("--keep", action="store_true", help="keep the temp var dir / bench database afterwards")
    parser.add_argument("--import-file", type=Path, metavar="PATH",
                        help="benchmark a candidate copy of organisations/imports.py instead of the real one")
    args = parser.parse_args(argv)
    if args.count < 1 or args.batch_size < 1:
        parser.error("--count and --batch-size must be positive")
    return args


def create_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # name is smartfactory_bench_<pid>, built here


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure_env(args: argparse.Namespace, var_dir: Path, pg_name: str) -> None:
    """Everything the settings module reads, set before django.setup()."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "smartfactory.settings"
    os.environ["SMARTFACTORY_VAR_DIR"] = str(var_dir)  # secret key, static root, SQLite file: all in the temp dir
    os.environ["DEBUG"] = "0"  # DEBUG would keep every SQL statement in memory
    os.environ.pop("REDIS_URL", None)
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)  # the settings' default: <var>/db.sqlite3 with WAL etc.
    else:
        os.environ["DATABASE_URL"] = f"postgres://postgres@{PG_HOST}:5432/{pg_name}"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cpu_s() -> float:
    """CPU time of this process (user + system): less sensitive than wall time to a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------------------------------ rows


def county_weights(counties: list[tuple[str, str]]) -> list[float]:
    """Per-county weights so that the five big provinces get BIG_FIVE_SHARE of all rows in total."""
    big = sum(1 for _, province in counties if province in BIG_FIVE)
    rest = len(counties) - big
    if not big or not rest:
        return [1.0] * len(counties)
    w_big, w_rest = BIG_FIVE_SHARE / big, (1 - BIG_FIVE_SHARE) / rest
    return [w_big if province in BIG_FIVE else w_rest for _, province in counties]


def generate_rows(count: int, *, counties: list[tuple[str, str, str]], industries: list[str],
                  seed: int) -> Iterator[dict]:
    """Lazily yield ``count`` valid import rows. counties: (code, province_code, name)."""
    from smartfactory.demo.identifiers import make_uscc
    from smartfactory.organisations.enums import LegalStatus

    rng = random.Random(seed)
    codes = [c for c, _, _ in counties]
    names = {c: n for c, _, n in counties}
    cum = []
    total = 0.0
    for w in county_weights([(c, p) for c, p, _ in counties]):
        total += w
        cum.append(total)
    recent_parents: deque[tuple[str, str]] = deque(maxlen=2000)  # (uscc, name) of independent enterprises
    choices, randrange, rand = rng.choices, rng.randrange, rng.random
    for serial in range(1, count + 1):
        county = choices(codes, cum_weights=cum)[0]
        place = names[county][:2]
        trade, product = TRADES[randrange(len(TRADES))]
        uscc = make_uscc(county, serial)
        if recent_parents and rand() < BRANCH_SHARE:
            parent_uscc, parent_name = recent_parents[randrange(len(recent_parents))]
            status = LegalStatus.BRANCH
            name = f"{parent_name}{place}分公司"
        else:
            parent_uscc = ""
            status = LegalStatus.INDEPENDENT
            name = f"{place}{BRANDS[randrange(len(BRANDS))]}{trade}{SUFFIXES[serial % len(SUFFIXES)]}"
            recent_parents.append((uscc, name))
        yield {
            "uscc": uscc,
            "name": name,
            "legal_status": status,
            "parent_uscc": parent_uscc,
            "county": county,
            "industry": industries[randrange(len(industries))],
            "above_designated_size": rand() < 0.9,
            "address": f"{names[county]}工业园区{serial % 997 + 1}号",
            "factories": [{
                "name": f"{place}{trade}{product}智能工厂{serial % 9 + 1}号",
                "county": county,
                "main_products": product,
            }],
        }


class TimedRows:
    """Wraps the row iterator to add up the time spent producing rows (inside the timed import)."""

    def __init__(self, rows: Iterable[dict]):
        self._rows = rows
        self.seconds = 0.0
        self.count = 0

    def __iter__(self) -> Iterator[dict]:
        it = iter(self._rows)
        clock = time.perf_counter
        while True:
            t = clock()
            try:
                row = next(it)
            except StopIteration:
                self.seconds += clock() - t
                return
            self.seconds += clock() - t
            self.count += 1
            yield row


# ------------------------------------------------------------------------------------------ run


def load_import_function(path: Path | None):
    """The real import_enterprises, or the one of a candidate file loaded as a module inside the
    smartfactory.organisations package (so its relative imports work)."""
    if path is None:
        from smartfactory.organisations.imports import import_enterprises

        return import_enterprises
    import importlib.util

    spec = importlib.util.spec_from_file_location("smartfactory.organisations._bench_candidate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.import_enterprises


def run(args: argparse.Namespace, var_dir: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from smartfactory.audit.models import AuditEvent
    from smartfactory.audit.services import verify_chain
    from smartfactory.organisations.models import Enterprise, Factory
    from smartfactory.regions.models import Division, Industry

    import_enterprises = load_import_function(args.import_file)
    if args.import_file:
        print(f"candidate implementation: {args.import_file}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - t:.1f} s (not timed)")
    t = time.perf_counter()
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    print(f"load_reference: {time.perf_counter() - t:.1f} s (not timed)")
    for line in out.getvalue().splitlines():
        print(f"  {line}")

    counties = list(
        Division.objects.filter(level="county", valid_to__isnull=True)
        .order_by("code").values_list("code", "province_code", "name")
    )
    industries = list(
        Industry.objects.filter(level="division", is_industrial=True, valid_to__isnull=True)
        .order_by("code").values_list("code", flat=True)
    )
    print(f"reference: {len(counties)} current county-level divisions, {len(industries)} industrial 大类")
    enterprises_before, factories_before = Enterprise.objects.count(), Factory.objects.count()
    audit_before = AuditEvent.objects.count()
    rss_before = rss_mb()

    rows = TimedRows(generate_rows(args.count, counties=counties, industries=industries, seed=args.seed))
    print(f"importing {args.count:,} enterprises + factories, batch_size={args.batch_size} …", flush=True)
    load_before = os.getloadavg()[0]
    cpu0, t0 = cpu_s(), time.perf_counter()
    result = import_enterprises(rows, actor=None, batch_size=args.batch_size)
    elapsed = time.perf_counter() - t0
    cpu = cpu_s() - cpu0
    rss_after = rss_mb()
    load_after = os.getloadavg()[0]

    enterprises = Enterprise.objects.count() - enterprises_before
    factories = Factory.objects.count() - factories_before
    audit_events = AuditEvent.objects.count() - audit_before
    t = time.perf_counter()
    checked, broken, why = verify_chain()
    verify_s = time.perf_counter() - t
    batches = -(-args.count // args.batch_size)

    db_bytes = None
    if connection.vendor == "sqlite":
        db_path = Path(connection.settings_dict["NAME"])
        db_bytes = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))  # + -wal, -shm
        wal = db_path.with_name(db_path.name + "-wal")
        print(f"sqlite file: {db_path.stat().st_size / 2**20:.1f} MiB"
              + (f" + WAL {wal.stat().st_size / 2**20:.1f} MiB" if wal.exists() else ""))
        db_version = f"SQLite {connection.Database.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
            db_bytes, server_version = cursor.fetchone()
        db_version = f"PostgreSQL {server_version}"

    problems = []
    if result.errors:
        problems.append(f"{len(result.errors)} rows rejected, first: {result.errors[:3]}")
    if rows.count != args.count:
        problems.append(f"generated {rows.count} rows, expected {args.count}")
    if (result.created, enterprises) != (args.count, args.count):
        problems.append(f"enterprises: result {result.created}, table +{enterprises}, expected {args.count}")
    if (result.factories_created, factories) != (args.count, args.count):
        problems.append(f"factories: result {result.factories_created}, table +{factories}, expected {args.count}")
    if audit_events != batches:
        problems.append(f"audit events: +{audit_events}, expected {batches} (one per batch)")
    if broken is not None:
        problems.append(f"audit chain broken at seq {broken.seq}: {why}")

    rate = args.count / elapsed
    goal = GOALS_S[args.database] * args.count / GOAL_COUNT
    print(f"import_enterprises: {elapsed:.2f} s wall, {rate:,.0f} rows/s "
          f"(of which generating rows: {rows.seconds:.2f} s; service alone: {elapsed - rows.seconds:.2f} s)")
    print(f"CPU time of this process: {cpu:.2f} s ({cpu / elapsed:.0%} of wall; the database server's own CPU "
          f"is not included); load average (1 min) before/after: {load_before:.2f} / {load_after:.2f} "
          f"on {os.cpu_count()} CPUs")
    print(f"peak RSS: {rss_after:.0f} MiB (before import: {rss_before:.0f} MiB)")
    print(f"rows after: Enterprise {enterprises:,}, Factory {factories:,}, AuditEvent +{audit_events} "
          f"(chain verified: {checked} events in {verify_s:.2f} s)")
    print(f"db size: {db_bytes / 2**20:.1f} MiB")
    print(f"goal (P6, scaled to {args.count:,} rows): ≤ {goal:.1f} s → {'met' if elapsed <= goal else 'MISSED'}")
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    return {
        "benchmark": "import_enterprises",
        "database": args.database,
        "db_version": db_version,
        "count": args.count,
        "batch_size": args.batch_size,
        "implementation": str(args.import_file) if args.import_file else "smartfactory.organisations.imports",
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rate),
        "generate_s": round(rows.seconds, 2),
        "service_s": round(elapsed - rows.seconds, 2),
        "cpu_s": round(cpu, 2),
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(load_after, 2),
        "peak_rss_mb": round(rss_after),
        "rss_before_import_mb": round(rss_before),
        "enterprises": enterprises,
        "factories": factories,
        "audit_events": audit_events,
        "chain_ok": broken is None,
        "db_mb": round(db_bytes / 2**20, 1),
        "goal_s": round(goal, 1),
        "goal_met": elapsed <= goal,
        "ok": not problems,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def run_isolated(args: argparse.Namespace, run_fn, *, name: str, extra_env: dict[str, str] | None = None) -> int:
    """Run a benchmark against a database of its own (a temporary SQLite var dir, or a fresh
    PostgreSQL database on 127.0.0.1), clean up afterwards unless --keep, print the JSON summary."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"smartfactory-{name}-"))
    pg_name = f"smartfactory_{name.replace('-', '_')}_{os.getpid()}"
    configure_env(args, var_dir, pg_name)
    os.environ.update(extra_env or {})
    if args.database == "postgres":
        create_pg_database(pg_name)
    print(f"var dir: {var_dir}" + (f"; database {pg_name} on {PG_HOST}" if args.database == "postgres" else ""))
    try:
        summary = run_fn(args, var_dir)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"kept: {var_dir}" + (f" and database {pg_name}" if args.database == "postgres" else ""))
        else:
            if args.database == "postgres":
                drop_pg_database(pg_name)
            shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if summary["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    return run_isolated(parse_args(argv), run, name="bench")


if __name__ == "__main__":
    sys.exit(main())
