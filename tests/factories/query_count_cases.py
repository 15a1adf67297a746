"""The query-count cases (tests/query_counts): every list page and list endpoint with its viewer,
its rows and its literal count. ``tests/query_counts/test_routes.py`` checks that every list route of
the URLconf has a case here."""

from __future__ import annotations

from tests.factories import query_count_portal as p
from tests.factories import query_count_rows as r
from tests.factories.query_counts import Case, paged


def with_my_deadlines(body) -> int:
    """The campaigns that list the deadlines binding the caller (Sichuan: two stages each)."""
    return sum(1 for c in body if len(c["my_deadlines"]) == 2)


CONSOLE = [
    Case("console enterprises", "console:enterprises", "/console/enterprises/", "reviewer", r.enterprises, 10),
    Case("console enterprise changes", "console:enterprise_changes", "/console/enterprise-changes/", "reviewer",
         r.enterprise_changes, 8),
    Case("console declarations", "console:declarations", "/console/declarations/", "reviewer", r.declarations, 11),
    Case("console applications", "console:applications", "/console/applications/", "reviewer", r.applications_at_sichuan, 11),
    Case("console certified list", "console:certified", "/console/applications/certified/?year=2042", "reviewer",
         r.certified_at_sichuan, 11),
    Case("console recommendation batches", "console:recommendations", "/console/recommendations/", "staff", r.batches, 9),
    Case("console recommendation batch", "console:recommendation", "/console/recommendations/{quota.pk}/", "leader",
         r.recommended_by_sichuan, 24),
    Case("console level dossier", "console:level_page", "/console/recommendations/level/2042/excellent/", "cd_leader",
         r.forwarded_by_chengdu, 16),
    Case("console paper desk", "console:paper", "/console/paper/?year=2042", "reviewer", r.paper_at_sichuan, 21),
    Case("console advanced list reports", "console:advanced_lists", "/console/advanced-lists/?year=2042", "staff",
         r.advanced_reports, 9),
    Case("console advanced list to report", "console:advanced_lists", "/console/advanced-lists/?year=2042", "leader",
         r.certified_at_sichuan, 13),
    Case("console campaigns", "console:campaigns", "/console/campaigns/", "staff", r.campaigns, 8),
    Case("console campaign extensions", "console:campaign_extensions", "/console/campaigns/2042/extensions/", "staff",
         r.extensions, 11),
    Case("console quotas", "console:quotas", "/console/campaigns/2042/quotas/", "staff", r.quotas_and_rankings, 11),
    Case("console thresholds", "console:thresholds", "/console/campaigns/2042/thresholds/", "staff", r.rescore_jobs, 11),
    Case("console threshold jobs", "console:threshold_jobs", "/console/campaigns/2042/thresholds/jobs/", "staff",
         r.rescore_jobs, 9),
    Case("console users", "console:users", "/console/users/", "cd_leader", r.chengdu_accounts, 12),
    Case("console evaluations", "console:evaluations", "/console/evaluation/", "staff", r.evaluations, 19),
    Case("console evaluation panel", "console:evaluation_panel", "/console/evaluation/panel/2042/excellent/", "staff",
         r.in_expert_review, 16),
    Case("console evaluation assignment", "console:evaluation_assign", "/console/evaluation/assign/2042/excellent/",
         "staff", r.in_expert_review, 16),
    Case("console publicity", "console:publicity", "/console/publicity/{publicity.pk}/", "staff", p.publicity_entries, 16),
    Case("console expert desk", "console:expert_desk", "/console/expert/", "expert", r.assignments, 16),
    Case("console expert pool", "console:expert_pool", "/console/experts/", "staff", r.experts, 14),
    Case("console supervision cases", "supervision_console:cases", "/console/supervision/", "staff",
         r.supervision_cases, 10),
    Case("console re-check rounds", "supervision_console:rechecks", "/console/supervision/recheck/", "staff",
         r.recheck_rounds, 12),
    Case("console re-check round items", "supervision_console:recheck", "/console/supervision/recheck/{round.pk}/",
         "staff", r.recheck_items, 14),
    Case("notifications", "notifications:inbox", "/notifications/", "reviewer", r.notifications, 9),
    Case("cultivation list", "cultivation_list", "/cultivation/", "staff", r.cultivation_objects, 10),
]

PORTAL = [
    Case("portal home", "portal:home", "/portal/", "ent", p.own_enterprises, 24),
    Case("portal members", "portal:members", "/portal/enterprises/{uscc}/members/", "ent", p.members, 12),
    Case("portal supervision cases", "supervision_portal:home", "/portal/supervision/", "ent",
         p.own_supervision_cases, 9),
    Case("portal re-check items", "supervision_portal:home", "/portal/supervision/", "ent", p.own_recheck_items, 9),
    Case("consent requests", "publicsite:consent_list", "/public/consent/", "ent", p.consent_requests, 8),
    Case("to-do", "todo", "/todo/", "reviewer", r.applications_at_sichuan, 20),
]
PUBLIC = [
    Case("public index", "publicsite:index", "/public/", "anonymous", p.awards_in_years, 3),
    Case("public awards", "publicsite:awards", "/public/awards/", "anonymous", r.published_awards, 7),
    Case("public awards csv", "publicsite:awards_csv", "/public/open-data/awards.csv", "anonymous", r.published_awards, 2),
    Case("public awards json", "publicsite:awards_json", "/public/open-data/awards.json", "anonymous",
         r.published_awards, 2),
    Case("public cultivation", "publicsite:cultivation", "/public/cultivation/", "anonymous", r.cultivation_objects, 7),
    Case("public cases", "publicsite:cases", "/public/cases/", "anonymous", r.public_cases, 5),
    Case("case desk", "publicsite:manage_cases", "/public/manage/cases/", "staff", p.managed_cases, 9),
    Case("case desk awards", "publicsite:manage_awards", "/public/manage/cases/awards/", "staff", r.published_awards, 13),
    Case("publicity index", "publicity_index", "/publicity/", "anonymous", p.publicities, 1),
    Case("publicity list", "publicity_public", "/publicity/{publicity.pk}/", "anonymous", p.publicity_entries, 2),
]
ENDPOINTS = [
    Case("api enterprises", "/api/v1/enterprises", "/api/v1/enterprises", "reviewer", r.enterprises, 7, paged),
    Case("api enterprise factories", "/api/v1/enterprises/{uscc}/factories", "/api/v1/enterprises/{uscc}/factories",
         "reviewer", r.factories_of_one_enterprise, 9, len),
    Case("api enterprise changes", "/api/v1/enterprises/{uscc}/changes", "/api/v1/enterprises/{uscc}/changes",
         "reviewer", r.changes_of_one_enterprise, 8, len),
    Case("api factories", "/api/v1/factories", "/api/v1/factories", "reviewer", r.enterprises, 8, paged),
    # the list gives no actions (GET one application for what the caller can do, with the reasons)
    Case("api applications", "/api/v1/applications", "/api/v1/applications", "reviewer", r.applications_at_sichuan, 10,
         len),
    Case("api application sections", "/api/v1/applications/{application_id}/sections",
         "/api/v1/applications/{application.pk}/sections", "ent", r.book_entries, 8, len),
    # each campaign with the deadlines binding the caller: computed for every campaign at once
    Case("api campaigns", "/api/v1/campaigns", "/api/v1/campaigns", "reviewer", r.campaigns_with_calendars, 12,
         with_my_deadlines),
    Case("api quotas", "/api/v1/campaigns/{year}/quotas", "/api/v1/campaigns/2042/quotas", "staff", r.quotas, 7, len),
    Case("api rankings", "/api/v1/campaigns/{year}/rankings", "/api/v1/campaigns/2042/rankings", "staff", r.rankings, 7,
         len),
    Case("api extensions", "/api/v1/campaigns/{year}/extensions", "/api/v1/campaigns/2042/extensions", "staff",
         r.extensions, 9, len),
    Case("api paper requirements", "/api/v1/paper/{year}/requirements", "/api/v1/paper/2042/requirements", "leader",
         r.paper_requirements, 8, len),
    Case("api advanced lists", "/api/v1/advanced-lists/{year}", "/api/v1/advanced-lists/2042", "staff",
         r.advanced_reports, 7, len),
    Case("api cultivations", "/api/v1/cultivations", "/api/v1/cultivations", "staff", r.cultivation_objects, 11, len),
    Case("api evaluations", "/api/v1/evaluations", "/api/v1/evaluations", "staff", r.evaluations, 9, paged),
    Case("api evaluation panel", "/api/v1/evaluations/panel", "/api/v1/evaluations/panel?year=2042&tier=excellent",
         "staff", r.in_expert_review, 17, len),
    Case("api expert assignments", "/api/v1/experts/me/assignments", "/api/v1/experts/me/assignments", "expert",
         r.assignments, 12, len),
    Case("api public awards", "/api/v1/public/awards", "/api/v1/public/awards", "anonymous", r.published_awards, 3, paged),
    Case("api public cultivation", "/api/v1/public/cultivation", "/api/v1/public/cultivation", "anonymous",
         r.cultivation_objects, 3, paged),
    Case("api public cases", "/api/v1/public/cases", "/api/v1/public/cases", "anonymous", r.public_cases, 2, paged),
    Case("api supervision cases", "/api/v1/supervision/cases", "/api/v1/supervision/cases", "staff", r.supervision_cases,
         9, paged),
    Case("api re-check rounds", "/api/v1/supervision/rechecks", "/api/v1/supervision/rechecks", "staff",
         r.recheck_rounds, 9, len),
    Case("api re-check items", "/api/v1/supervision/recheck-items", "/api/v1/supervision/recheck-items", "staff",
         r.recheck_items, 10, paged),
    Case("api to-do", "/api/v1/todo", "/api/v1/todo", "reviewer", r.applications_at_sichuan, 19, len),
]

# Endpoints that list reference data loaded with the platform (divisions, industries, the framework's
# scenarios), not rows anyone adds: each is opened for a short and a long list (where it has both),
# with the same literal count.
REFERENCE = [
    ("api regions", "/api/v1/regions", ["/api/v1/regions?parent=510100", "/api/v1/regions"], 6),
    ("api industries", "/api/v1/regions/industries",
     ["/api/v1/regions/industries", "/api/v1/regions/industries?industrial_only=false"], 6),
    ("api framework scenarios", "/api/v1/frameworks/{version}/scenarios", ["/api/v1/frameworks/2025/scenarios"], 7),
]
