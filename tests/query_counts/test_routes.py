"""Every list route of the URLconf has a query-count case (tests/factories/query_count_cases.py):
each page route is either listed there or named below as not a list, with why; each API GET whose
response is a list (an array, or a page with ``items``) is listed there or among the reference lists.
A new route fails here until it is classified."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.factories.query_count_cases import CONSOLE, ENDPOINTS, PORTAL, PUBLIC, REFERENCE

pytestmark = pytest.mark.django_db

NOT_LISTS = {
    "signing in, the language, registration, redirects and badges": {
        "accounts:login", "accounts:logout", "set_language", "home", "portal:register", "todo_count",
    },
    "the console's dashboard (counts and the user's calendars, not rows)": {"console:home"},
    "one object's page": {
        "console:enterprise", "console:enterprise_change", "console:application", "console:application_concurrence",
        "console:campaign", "console:evaluation", "console:advanced_list", "console:province_settings",
        "cultivation_detail", "acceptance_page", "portal:enterprise", "portal:factory", "portal:application",
        "portal:assessment", "portal:assessment_result", "portal:assessment_progress", "publicsite:case",
        "publicsite:consent_case", "publicsite:manage_case", "supervision_console:case", "supervision_portal:case",
        "supervision_portal:recheck_item", "site_visit", "verify", "notifications:preferences",
    },
    "a form or an action (its GET shows the form or a preview of the chosen rows)": {
        "console:application_action", "console:bulk_approve", "console:campaign_edit", "console:campaign_new",
        "console:evaluation_action", "console:expert_create", "console:publicity_open", "console:recommendation_action",
        "console:revoke", "portal:application_action", "portal:apply", "portal:assessment_declare",
        "portal:assessment_save", "portal:assessment_start", "portal:book_save", "portal:book_upload", "portal:book_remove",
        "portal:book_legal_rep", "portal:book_justification", "portal:decide_member", "portal:enterprise_change",
        "portal:enterprise_change_withdraw", "portal:enterprise_edit", "portal:evidence_upload", "portal:factory_create",
        "portal:factory_edit", "publicsite:manage_case_new", "supervision_console:case_action",
        "supervision_console:case_new", "supervision_console:recheck_close",
    },
    "a file or document of one object": {
        "console:enterprise_change_file", "console:evaluation_attachment", "console:level_document",
        "console:level_letter", "console:recommendation_document", "portal:book_commitment", "portal:book_download",
        "portal:book_pdf", "portal:book_receipt", "portal:assessment_report", "portal:evidence_download",
        "acceptance_evidence",
    },
    "reference data or fixed text": {"portal:division_options", "publicsite:open_data"},
}


def page_routes() -> set[str]:
    """The view name of every route outside the admin and the API."""
    found = set()

    def walk(patterns, namespaces):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, namespaces + ([p.namespace] if p.namespace else []))
            elif p.name:
                found.add(":".join([*namespaces, p.name]))

    walk(get_resolver().url_patterns, [])
    return {name for name in found if not name.startswith(("admin:", "api:"))}


def is_list(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema.get("type") == "array" or schema.get("properties", {}).get("items", {}).get("type") == "array"


def api_list_routes() -> set[str]:
    """The OpenAPI path of every GET whose 200 response is a list or a page of one."""
    spec = Client().get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]
    found = set()
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        content = (get or {}).get("responses", {}).get("200", {}).get("content", {})
        if "application/json" in content and is_list(content["application/json"]["schema"], components):
            found.add(path)
    return found


def test_every_list_page_has_a_query_count_case():
    routes = page_routes()
    cased = {c.route for c in CONSOLE + PORTAL + PUBLIC}
    named = set().union(*NOT_LISTS.values())
    assert sorted(routes - cased - named) == []  # a new page: give it a case, or say why it is not a list
    assert sorted((cased | named) - routes) == []  # stale names
    assert sorted(cased & named) == []


def test_every_list_endpoint_has_a_query_count_case():
    lists = api_list_routes()
    cased = {c.route for c in ENDPOINTS} | {route for _name, route, _urls, _n in REFERENCE}
    assert sorted(lists - cased) == []
    assert sorted(cased - lists) == []
    assert "/api/v1/campaigns" in lists and "/api/v1/supervision/recheck-items" in lists  # arrays and pages


def test_the_route_check_sees_every_kind_of_route():
    routes = page_routes()
    assert {"console:enterprises", "supervision_console:rechecks", "publicity_index", "todo"} <= routes
    assert not any(r.startswith("api:") for r in routes)
