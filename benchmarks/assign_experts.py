"""Benchmark: automatic assignment of experts in a national round (issue acceptance point: 300
applications and 60 experts, caps and conflicts respected, under 5 seconds), through the real services
``smartfactory.evaluation.assigning.preview_assignment`` and ``commit_assignment``.

    .venv/bin/python benchmarks/assign_experts.py --database sqlite|postgres [--count 300] [--experts 60]
                                                  [--seed N] [--keep] [--services-file PATH]

Never touches the developer's database: SQLite runs in a fresh temporary SMARTFACTORY_VAR_DIR (a fresh
``db.sqlite3`` with the project's WAL / synchronous=FULL / IMMEDIATE settings); PostgreSQL runs in a fresh
database ``smartfactory_bench_assign_<pid>`` on 127.0.0.1:5432, dropped at the end.

Set-up, not timed: migrate, load_reference, then the round of ``tests.evaluation.scale.build_round`` (the
builder the scale test uses): N recommended 卓越级 applications in expert review, M experts with conflicts
of every kind (same organisation, same central-SOE group, same province, declared, advised). Timed (wall
clock): ``preview_assignment`` then ``commit_assignment`` of its plan, as MIIT staff do it; the preview
alone is reported too. Checks afterwards (exit status 1 on failure): nothing short, every application
has ``experts_per_application`` panel experts, no expert above ``max_load``, no committed pair with a
conflict (``conflict_reasons`` on every pair), the round held conflicts of every kind, one audit event
and one notification per assignment, the audit chain verifies. The last line of output is a JSON summary.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

from import_enterprises import ROOT, cpu_s, run_isolated
from rescore_assessments import peak_rss_mb, peak_rss_reset

GOAL_S = 5.0  # the issue: 300 applications × 60 experts in under 5 s (on both databases)
GOAL_COUNT = 300
CONFLICT_KINDS = ("same_organisation", "same_soe_group", "same_province", "declared", "advised")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--count", type=int, default=GOAL_COUNT, help="applications (default 300)")
    parser.add_argument("--experts", type=int, default=60, help="experts in the pool (default 60)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed of the generated round")
    parser.add_argument("--keep", action="store_true", help="keep the temp var dir / bench database afterwards")
    parser.add_argument("--services-file", type=Path, metavar="PATH",
                        help="benchmark a candidate copy of evaluation/assigning.py instead of the real one")
    args = parser.parse_args(argv)
    if args.count < 10 or args.experts < 13:
        parser.error("--count must be at least 10 and --experts at least 13")
    return args


class QueryCounter:
    """Counts the SQL statements run (``connection.execute_wrapper``; negligible overhead, DEBUG stays off)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def load_services(path: Path | None):
    """The real assignment services (``evaluation.assigning``), or a candidate file loaded as a module inside the
    smartfactory.evaluation package (so its relative imports work)."""
    if path is None:
        from smartfactory.evaluation import assigning

        return assigning
    import importlib.util

    spec = importlib.util.spec_from_file_location("smartfactory.evaluation._bench_candidate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    sys.path.insert(0, str(ROOT))  # for tests.evaluation.scale
    from django.core.management import call_command
    from django.db import connection
    from tests.evaluation.scale import TIER, build_round

    from smartfactory.audit.models import AuditEvent
    from smartfactory.audit.services import verify_chain
    from smartfactory.evaluation.conflicts import ConflictIndex, applicant_of, conflict_reasons
    from smartfactory.evaluation.models import Assignment, Evaluation, ExpertProfile
    from smartfactory.evaluation.rules import rules_for
    from smartfactory.notifications.models import Notification

    services = load_services(args.services_file)
    if args.services_file:
        print(f"candidate implementation: {args.services_file}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference", stdout=io.StringIO())
    print(f"migrate + load_reference: {time.perf_counter() - t:.1f} s (not timed)")

    t = time.perf_counter()
    built = build_round(applications=args.count, experts=args.experts, seed=args.seed)
    campaign, staff = built["campaign"], built["staff"]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rules = rules_for(campaign)
    per_application = rules.experts_per_application
    experts = list(ExpertProfile.objects.filter(active=True))
    evaluations = list(Evaluation.objects.filter(campaign=campaign, tier=TIER).select_related(
        "application__factory__enterprise", "application__factory__county"))
    index = ConflictIndex(experts, rules)
    round_conflicts = Counter(kind for e in evaluations for x in experts for kind in index.reasons(x, applicant_of(e)))
    capacity = sum(x.max_load for x in experts)
    print(f"round built: {len(evaluations)} applications in expert review, {len(experts)} experts "
          f"(capacity {capacity} for a demand of {per_application * len(evaluations)}), "
          f"{len(built['declared'])} declared/advised conflicts, in {time.perf_counter() - t:.1f} s (not timed)")
    print("conflicted (expert, application) pairs by rule: "
          + ", ".join(f"{k} {round_conflicts[k]:,}" for k in CONFLICT_KINDS))
    audit_before, notes_before = AuditEvent.objects.count(), Notification.objects.count()

    counter = QueryCounter()
    load_before = os.getloadavg()[0]
    peak_rss_reset()
    cpu0 = cpu_s()
    with connection.execute_wrapper(counter):
        t0 = time.perf_counter()
        preview = services.preview_assignment(campaign, TIER, actor=staff)
        t1 = time.perf_counter()
        preview_queries = counter.count
        created = services.commit_assignment(campaign, TIER, actor=staff, plan=preview["plan"])
        t2 = time.perf_counter()
    cpu = cpu_s() - cpu0
    rss_peak = peak_rss_mb()
    load_after = os.getloadavg()[0]
    elapsed, preview_s, commit_s = t2 - t0, t1 - t0, t2 - t1

    # ---------------------------------------------------------------- checks (not timed)
    problems = []
    if preview["short"]:
        problems.append(f"{len(preview['short'])} applications short of experts, e.g. "
                        f"{[(str(s['evaluation'].pk), s['missing']) for s in preview['short'][:3]]}")
    rows = list(Assignment.objects.filter(evaluation__campaign=campaign).select_related(
        "expert", "evaluation__campaign", "evaluation__application__factory__enterprise",
        "evaluation__application__factory__county"))
    per_evaluation = Counter(a.evaluation_id for a in rows)
    wrong = [(str(e.pk), per_evaluation[e.pk]) for e in evaluations if per_evaluation[e.pk] != per_application]
    if wrong:
        problems.append(f"{len(wrong)} applications without exactly {per_application} experts, e.g. {wrong[:3]}")
    if len(created) != len(rows):
        problems.append(f"commit returned {len(created)} assignments, the table holds {len(rows)}")
    loads = Counter(a.expert_id for a in rows)
    over = [(x.name, loads[x.pk], x.max_load) for x in experts if loads[x.pk] > x.max_load]
    if over:
        problems.append(f"{len(over)} experts above their cap, e.g. {over[:3]}")
    full = sum(1 for x in experts if loads[x.pk] == x.max_load)
    violations = [(a.expert.name, str(a.evaluation_id), reasons) for a in rows
                  if (reasons := conflict_reasons(a.expert, a.evaluation, rules))]
    if violations:
        problems.append(f"{len(violations)} committed pairs with a conflict, e.g. {violations[:3]}")
    missing_kinds = [k for k in CONFLICT_KINDS if not round_conflicts[k]]
    if missing_kinds:
        problems.append(f"the round held no conflict of kind {missing_kinds}: the check proves nothing")
    events = AuditEvent.objects.count() - audit_before
    assigned_events = AuditEvent.objects.filter(action="evaluation.assigned").count()
    if (events, assigned_events) != (len(rows), len(rows)):
        problems.append(f"audit events: +{events} ({assigned_events} evaluation.assigned), expected {len(rows)}")
    notes = Notification.objects.count() - notes_before
    if notes != len(rows):
        problems.append(f"notifications: +{notes}, expected {len(rows)}")
    checked, broken, why = verify_chain()
    if broken is not None:
        problems.append(f"audit chain broken at seq {broken.seq}: {why}")

    if connection.vendor == "sqlite":
        db_version = f"SQLite {connection.Database.sqlite_version}"
        db_path = Path(connection.settings_dict["NAME"])
        db_bytes = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))  # + -wal, -shm
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
            db_bytes, server_version = cursor.fetchone()
            db_version = f"PostgreSQL {server_version}"
    goal = GOAL_S * args.count / GOAL_COUNT
    rate = args.count / elapsed
    load_hist = Counter(loads[x.pk] for x in experts)
    print(f"preview_assignment: {preview_s:.2f} s ({preview_queries:,} SQL statements)")
    print(f"commit_assignment:  {commit_s:.2f} s ({counter.count - preview_queries:,} SQL statements, "
          f"{len(created):,} assignments, {(commit_s / max(1, len(created))) * 1000:.1f} ms each)")
    print(f"preview + commit: {elapsed:.2f} s wall, {rate:,.0f} applications/s")
    print(f"CPU time of this process: {cpu:.2f} s ({cpu / elapsed:.0%} of wall; the database server's own CPU "
          f"is not included); load average (1 min) before/after: {load_before:.2f} / {load_after:.2f} "
          f"on {os.cpu_count()} CPUs")
    print(f"peak RSS during preview + commit: {rss_peak:.0f} MiB")
    print(f"experts' loads (load: experts): {dict(sorted(load_hist.items()))}; {full} experts at their cap")
    print(f"checked: {len(rows):,} assignments, {len(rows):,} pairs re-checked for conflicts, "
          f"audit chain verified ({checked} events); db size after: {db_bytes / 2**20:.1f} MiB")
    print(f"goal (scaled to {args.count:,} applications): ≤ {goal:.1f} s → {'met' if elapsed <= goal else 'MISSED'}")
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    return {
        "benchmark": "assign_experts",
        "database": args.database,
        "db_version": db_version,
        "count": args.count,
        "experts": len(experts),
        "implementation": str(args.services_file) if args.services_file else "smartfactory.evaluation.assigning",
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rate),
        "preview_s": round(preview_s, 3),
        "commit_s": round(commit_s, 2),
        "queries": counter.count,
        "preview_queries": preview_queries,
        "assignments": len(rows),
        "short": len(preview["short"]),
        "experts_at_cap": full,
        "conflicted_pairs": {k: round_conflicts[k] for k in CONFLICT_KINDS},
        "cpu_s": round(cpu, 2),
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(load_after, 2),
        "peak_rss_mb": round(rss_peak),
        "db_mb": round(db_bytes / 2**20, 1),
        "goal_s": round(goal, 1),
        "goal_met": elapsed <= goal,
        "ok": not problems,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def main(argv: list[str] | None = None) -> int:
    # notifications e-mail each expert: kept in memory (locmem), not printed by the console backend
    return run_isolated(parse_args(argv), lambda args, _var_dir: run(args), name="bench-assign",
                        extra_env={"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                                   "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"})


if __name__ == "__main__":
    sys.exit(main())
