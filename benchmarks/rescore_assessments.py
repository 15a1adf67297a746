"""Benchmark P4 (QUALITY.md): re-score every self-assessment of a campaign after a threshold change, through
the real service ``smartfactory.rescoring.services.rescore_campaign``, and measure it.

    .venv/bin/python benchmarks/rescore_assessments.py --database sqlite|postgres [--count N] [--chunk 5000]
                                                         [--rule AI-excellent --threshold 0.1] [--seed N] [--keep]

Never touches the developer's database: SQLite runs in a fresh temporary SMARTFACTORY_VAR_DIR (a fresh
``db.sqlite3`` with the project's WAL / synchronous=FULL / IMMEDIATE settings); PostgreSQL runs in a fresh
database ``smartfactory_bench_rescore_<pid>`` on 127.0.0.1:5432, dropped at the end.

Set-up, not timed: migrate, load_reference, N enterprises each with one factory through the validated
import (``import_enterprises``; a self-assessment is unique per factory and campaign), one open campaign,
and N self-assessments with random facts, each stored with the verdict ``score()`` would have given under
the framework's default thresholds (COPY on PostgreSQL, executemany on SQLite). Then the ministry sets one
threshold (``set_rule_threshold``) and asks for re-scoring (``request_rescore``; the task backend is the
dummy one, so nothing runs in the background). Timed: ``rescore_campaign(job)`` end to end, wall clock.
Checks afterwards (exit status 1 on failure): the job is done with done = N; the number of attained tiers
that changed equals the job's ``changed`` (compared with a copy of the tiers taken before); every scored
row carries the new thresholds; a random sample of rows equals a fresh ``evaluate`` under the new spec; the
audit chain verifies. The last line of output is a JSON summary.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import random
import sys
import time
import uuid
from pathlib import Path

from import_enterprises import cpu_s, generate_rows, run_isolated

GOALS = {"postgres": (500_000, 300.0), "sqlite": (50_000, 60.0)}  # QUALITY.md P4: national / pilot
NEVER_SCORED_SHARE = 0.01  # started, no answer saved: left alone by re-scoring
LEGACY_SHARE = 0.001  # scored before facts were stored: re-scored from answers (the slow path)
INCOMPLETE_SHARE = 0.10
CMMM_WEIGHTS = (15, 45, 28, 10, 2)  # levels 1..5
BUILT_RANGE = {1: (0, 4), 2: (2, 10), 3: (6, 18), 4: (12, 28), 5: (20, 35)}
AI_PROBABILITY = {1: 0.02, 2: 0.08, 3: 0.16, 4: 0.3, 5: 0.6}
MISSING_CHOICES = (["kpi:level"], ["cmmm:level"], ["br:BR2b", "kpi:level"], ["scn:24:ai"])
COPY_SQL = (
    "COPY assessments_selfassessment (id, factory_id, campaign_id, framework_version, facts, verdict, attained_tier, "
    "scored_at, scored_thresholds, created_at, updated_at, created_by_id) FROM STDIN"
)
INSERT_SQL = (
    "INSERT INTO assessments_selfassessment (id, factory_id, campaign_id, framework_version, facts, verdict, "
    "attained_tier, scored_at, scored_thresholds, created_at, updated_at, created_by_id) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--count", type=int, help="self-assessments (default: 50000 on SQLite, 500000 on PostgreSQL)")
    parser.add_argument("--chunk", type=int, default=5000, help="rescore_campaign chunk (default 5000)")
    parser.add_argument("--rule", default="AI-excellent", help="rule whose threshold changes (default AI-excellent)")
    parser.add_argument("--threshold", default="0.1", help="new threshold as JSON (default 0.1; the framework: 0.2)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed of the generated data")
    parser.add_argument("--keep", action="store_true", help="keep the temp var dir / bench database afterwards")
    args = parser.parse_args(argv)
    args.count = args.count or GOALS[args.database][0]
    args.threshold = json.loads(args.threshold)
    if args.count < 1 or args.chunk < 1:
        parser.error("--count and --chunk must be positive")
    return args


def peak_rss_reset() -> None:
    """Reset the kernel's peak-RSS mark (Linux ≥ 4.0) so the peak of the timed part is measured alone."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------------ data


def random_facts(rng: random.Random, spec) -> dict:
    """Facts of a plausible factory: more scenarios, more AI and better KPIs at higher CMMM levels."""
    level = rng.choices((1, 2, 3, 4, 5), weights=CMMM_WEIGHTS)[0]
    low, high = BUILT_RANGE[level]
    numbers = sorted(rng.sample(sorted(spec.scenarios), rng.randint(low, high)))
    p_ai = AI_PROBABILITY[level]
    kpi = max(0, min(len(spec.kpi_levels) - 1, level - 2 + rng.choice((-1, 0, 0, 1))))
    return {
        "basic_requirements": {b.id: rng.random() < 0.985 for b in spec.basic_requirements},
        "cmmm_level": level,
        "scenarios": [{"number": n, "ai": rng.random() < p_ai} for n in numbers],
        "kpi_benchmark_level": spec.kpi_levels[kpi],
    }


def assessment_rows(factory_ids, campaign_id: int, spec, seed: int):
    """(id, factory_id, facts, verdict, attained_tier, scored) per factory, lazily; verdicts as score()
    stores them under ``spec`` (the framework's defaults)."""
    from smartfactory.assessments import questionnaire
    from smartfactory.frameworks.engine import evaluate, validate_facts

    rng = random.Random(seed)
    uuid4 = uuid.UUID
    for factory_id in factory_ids:
        pk = uuid4(int=rng.getrandbits(128), version=4)
        roll = rng.random()
        if roll < NEVER_SCORED_SHARE:
            yield pk, factory_id, None, None, "", False
            continue
        if roll < NEVER_SCORED_SHARE + LEGACY_SHARE:
            # scored before the facts column existed; re-scoring reads its answers (none here, as the
            # stored verdict says: nothing attained, every item missing)
            verdict = evaluate(spec, validate_facts(spec, questionnaire.facts_from(spec, {})))
            verdict["complete"] = False
            verdict["missing"] = [i.key for i in questionnaire.missing(questionnaire.items_for(spec), {})]
            yield pk, factory_id, None, verdict, "", True
            continue
        facts = random_facts(rng, spec)
        verdict = evaluate(spec, validate_facts(spec, facts))
        incomplete = rng.random() < INCOMPLETE_SHARE
        verdict["complete"] = not incomplete
        verdict["missing"] = list(rng.choice(MISSING_CHOICES)) if incomplete else []
        yield pk, factory_id, facts, verdict, verdict["attained_tier"] or "", True


def insert_assessments(rows, *, campaign_id: int, batch: int = 5000) -> dict:
    """Write the rows (COPY on PostgreSQL, executemany on SQLite); returns counts by kind."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    counts = {"rows": 0, "never_scored": 0, "legacy": 0}

    def dumps(value):  # as JSONField writes it (on SQLite the text is what is stored)
        return None if value is None else json.dumps(value)

    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
            for pk, factory_id, facts, verdict, tier, scored in rows:
                counts["rows"] += 1
                counts["never_scored"] += not scored
                counts["legacy"] += scored and facts is None
                copy.write_row((pk, factory_id, campaign_id, "2025", dumps(facts), dumps(verdict), tier,
                                now if scored else None, "{}", now, now, None))
        return counts
    ops = connection.ops
    db_now = ops.adapt_datetimefield_value(now)
    pending: list[tuple] = []

    def flush():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(INSERT_SQL, pending)
        pending.clear()

    for pk, factory_id, facts, verdict, tier, scored in rows:
        counts["rows"] += 1
        counts["never_scored"] += not scored
        counts["legacy"] += scored and facts is None
        pending.append((pk.hex, factory_id.hex, campaign_id, "2025", dumps(facts), dumps(verdict), tier,
                        db_now if scored else None, "{}", db_now, db_now, None))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return counts


# ------------------------------------------------------------------------------------------ run


def run(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from smartfactory.assessments.models import SelfAssessment
    from smartfactory.audit.models import AuditEvent
    from smartfactory.audit.services import verify_chain
    from smartfactory.campaigns.models import Campaign
    from smartfactory.campaigns.services import framework_spec_for, set_rule_threshold
    from smartfactory.frameworks.engine import evaluate, validate_facts
    from smartfactory.frameworks.services import spec_for
    from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, Role
    from smartfactory.organisations.imports import import_enterprises
    from smartfactory.organisations.models import Authority, Factory, Membership
    from smartfactory.regions.models import Division, Industry
    from smartfactory.rescoring.models import JobStatus
    from smartfactory.rescoring.services import request_rescore, rescore_campaign

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference", stdout=io.StringIO())
    print(f"migrate + load_reference: {time.perf_counter() - t:.1f} s (not timed)")

    counties = list(Division.objects.filter(level="county", valid_to__isnull=True)
                    .order_by("code").values_list("code", "province_code", "name"))
    industries = list(Industry.objects.filter(level="division", is_industrial=True, valid_to__isnull=True)
                      .order_by("code").values_list("code", flat=True))
    t = time.perf_counter()
    result = import_enterprises(generate_rows(args.count, counties=counties, industries=industries, seed=args.seed),
                                actor=None, batch_size=5000)
    print(f"import_enterprises: {result.created:,} enterprises, {result.factories_created:,} factories in "
          f"{time.perf_counter() - t:.1f} s (not timed)", flush=True)

    campaign = Campaign.objects.create(year=2025, name="2025年度智能工厂梯度培育行动", framework_version="2025",
                                       tiers_open=["basic", "advanced", "excellent", "leading"], status="open")
    miit = Authority.objects.create(name="工业和信息化部", kind=AuthorityKind.MINISTRY, level=AuthorityLevel.NATIONAL,
                                    department=Department.INDUSTRY, is_lead=True)
    staff = get_user_model().objects.create_user(username="bench-miit", password=None)
    Membership.objects.create(user=staff, role=Role.MINISTRY_STAFF, authority=miit)

    t = time.perf_counter()
    # a list, not .iterator(): on PostgreSQL that would be a server-side cursor on the connection the COPY uses
    factory_ids = list(Factory.objects.order_by("pk").values_list("pk", flat=True))
    counts = insert_assessments(assessment_rows(factory_ids, campaign.pk, spec_for("2025"), args.seed),
                                campaign_id=campaign.pk)
    del factory_ids
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assessments_selfassessment" if connection.vendor == "postgresql" else "ANALYZE")
        # the tiers before, to check the job's count of changes exactly
        cursor.execute("CREATE TABLE bench_before AS SELECT id, attained_tier FROM assessments_selfassessment")
    tiers_before = dict(SelfAssessment.objects.values_list("attained_tier").annotate(n=Count("pk")))
    print(f"self-assessments written: {counts['rows']:,} ({counts['never_scored']:,} never scored, "
          f"{counts['legacy']:,} without stored facts) in {time.perf_counter() - t:.1f} s (not timed)")
    print(f"tiers before: {tiers_before}", flush=True)

    default = next(r.threshold for r in spec_for("2025").rules if r.id == args.rule)
    with transaction.atomic():
        set_rule_threshold(campaign, rule_id=args.rule, threshold=args.threshold, actor=staff,
                           reason="benchmark")
        job = request_rescore(campaign, actor=staff, reason=f"benchmark: {args.rule} {default} → {args.threshold}")
    audit_before = AuditEvent.objects.count()
    print(f"threshold {args.rule}: {json.dumps(default)} → {json.dumps(args.threshold)}; "
          f"re-scoring {args.count:,} self-assessments, chunk={args.chunk} …", flush=True)

    gc.collect()
    peak_rss_reset()
    rss_before = peak_rss_mb()
    load_before = os.getloadavg()[0]
    cpu0, t0 = cpu_s(), time.perf_counter()
    job = rescore_campaign(job.pk, chunk=args.chunk)
    elapsed = time.perf_counter() - t0
    cpu = cpu_s() - cpu0
    rss_peak = peak_rss_mb()
    load_after = os.getloadavg()[0]

    problems = []
    if (job.status, job.done, job.total) != (JobStatus.DONE, args.count, args.count):
        problems.append(f"job: {job.status} done {job.done} total {job.total}, expected done {args.count}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM assessments_selfassessment a JOIN bench_before b ON a.id = b.id "
                       "WHERE a.attained_tier <> b.attained_tier")
        changed = cursor.fetchone()[0]
    if changed != job.changed:
        problems.append(f"tiers changed: {changed} in the table, job says {job.changed}")
    new_spec = framework_spec_for(campaign)
    scored = SelfAssessment.objects.filter(campaign=campaign, scored_at__isnull=False)
    stale = scored.exclude(scored_thresholds=new_spec.overrides).count()
    if stale:
        problems.append(f"{stale} scored rows do not carry the new thresholds")
    if SelfAssessment.objects.filter(scored_at__isnull=True).exclude(scored_thresholds={}).exists():
        problems.append("a never-scored row was written")
    sample = list(scored.filter(facts__isnull=False).order_by("?").values_list("facts", "verdict")[:200])
    for facts, verdict in sample:
        fresh = evaluate(new_spec, validate_facts(new_spec, facts))
        fresh["complete"], fresh["missing"] = verdict["complete"], verdict["missing"]
        if fresh != verdict:
            problems.append(f"stored verdict differs from a fresh evaluation: {facts}")
            break
    events = list(AuditEvent.objects.order_by("seq")[audit_before:].values_list("action", flat=True))
    if events != ["rescore.finished"]:
        problems.append(f"audit events of the job: {events}, expected one rescore.finished")
    checked, broken, why = verify_chain()
    if broken is not None:
        problems.append(f"audit chain broken at seq {broken.seq}: {why}")
    tiers_after = dict(SelfAssessment.objects.values_list("attained_tier").annotate(n=Count("pk")))

    if connection.vendor == "sqlite":
        db_version = f"SQLite {connection.Database.sqlite_version}"
        db_path = Path(connection.settings_dict["NAME"])
        db_bytes = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))  # + -wal, -shm
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
            db_bytes, server_version = cursor.fetchone()
            db_version = f"PostgreSQL {server_version}"
    goal_count, goal_s = GOALS[args.database]
    goal = goal_s * args.count / goal_count
    rate = args.count / elapsed
    print(f"rescore_campaign: {elapsed:.2f} s wall, {rate:,.0f} assessments/s; tiers changed: {job.changed:,}")
    print(f"tiers after: {tiers_after}")
    print(f"CPU time of this process: {cpu:.2f} s ({cpu / elapsed:.0%} of wall; the database server's own CPU "
          f"is not included); load average (1 min) before/after: {load_before:.2f} / {load_after:.2f} "
          f"on {os.cpu_count()} CPUs")
    print(f"peak RSS during the re-scoring: {rss_peak:.0f} MiB (at its start: {rss_before:.0f} MiB)")
    print(f"audit chain verified: {checked} events; db size after: {db_bytes / 2**20:.1f} MiB")
    print(f"goal (P4, scaled to {args.count:,}): ≤ {goal:.1f} s → {'met' if elapsed <= goal else 'MISSED'}")
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    return {
        "benchmark": "rescore_assessments",
        "database": args.database,
        "db_version": db_version,
        "count": args.count,
        "chunk": args.chunk,
        "rule": args.rule,
        "threshold": args.threshold,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rate),
        "cpu_s": round(cpu, 2),
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(load_after, 2),
        "peak_rss_mb": round(rss_peak),
        "changed": job.changed,
        "db_mb": round(db_bytes / 2**20, 1),
        "never_scored": counts["never_scored"],
        "legacy_rows": counts["legacy"],
        "goal_s": round(goal, 1),
        "goal_met": elapsed <= goal,
        "ok": not problems,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def main(argv: list[str] | None = None) -> int:
    # the job is run here and timed, not queued
    return run_isolated(parse_args(argv), lambda args, _var_dir: run(args), name="bench-rescore",
                        extra_env={"TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"})


if __name__ == "__main__":
    sys.exit(main())
