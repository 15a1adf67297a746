"""Twenty simultaneous submits of one ready 卓越级 application make exactly one submission.

demo-applicant-6's factory was certified 先进级 in 2026 by the demo world; the test completes its
2026 self-assessment (卓越级) in the browser, prepares the application through the API (the legal
representative through the book page, which is the only place to set it), then fires 20 POST
/api/v1/applications/{id}/submit at once, each on its own connection to the local server. One wins;
the others find the application no longer a draft (409), never a server error. The database, read
directly, holds one version and one application.submit audit event. SQLite serialises the writers
(IMMEDIATE transactions, busy timeout), PostgreSQL the row lock.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD
from .steps_advanced import applicant_factory
from .steps_excellent import (
    attach_required_api,
    complete_excellent_assessment,
    factory_id_of,
    fill_book_api,
    set_legal_representative,
)

APPLICANT = "demo-applicant-6"  # the demo world's "certified" stage: a 2026 先进级 award
CALLS = 20
REQUEST_TIMEOUT = 60.0  # seconds per submit; SQLite writers wait up to 20 s each for the lock


def _submit_once(host: str, port: int, path: str, token: str, start: threading.Barrier) -> tuple[int, object]:
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.connect()
        start.wait(timeout=30)
        body = b'{"cooperation_acknowledged": true}'  # R23, acknowledged with the submission
        conn.request("POST", path, body=body, headers={
            "Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json",
            "Content-Length": str(len(body)),
        })
        response = conn.getresponse()
        raw = response.read()
        try:
            body = json.loads(raw.decode() or "null")
        except ValueError:
            body = raw.decode(errors="replace")[:300]
        return response.status, body
    finally:
        conn.close()


def _sqlite_file(live_url: str) -> Path:
    """The e2e server's SQLite file: conftest keeps it in a temporary var dir it does not expose, the
    one whose gunicorn.log says it listens on our port."""
    listening = f"Listening at: {live_url} "
    found = [
        log.parent / "db.sqlite3"
        for log in Path(tempfile.gettempdir()).glob("smartfactory-e2e-*/gunicorn.log")
        if listening in log.read_text(errors="replace") and (log.parent / "db.sqlite3").exists()
    ]
    assert found, f"no e2e SQLite database serving {live_url}"
    return max(found, key=lambda p: p.stat().st_mtime)


def _counts(live_url: str, database_url: str | None, app_id: str) -> tuple[int, int]:
    """(application.submit audit events, version rows) of the application, read-only."""
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            events = conn.execute(
                "SELECT count(*) FROM audit_auditevent WHERE action = %s AND object_id = %s",
                ["application.submit", app_id],
            ).fetchone()[0]
            versions = conn.execute(
                "SELECT count(*) FROM applications_applicationversion WHERE application_id = %s", [uuid.UUID(app_id)]
            ).fetchone()[0]
        return events, versions
    conn = sqlite3.connect(f"file:{_sqlite_file(live_url)}?mode=ro", uri=True, timeout=20)
    try:
        events = conn.execute(
            "SELECT count(*) FROM audit_auditevent WHERE action = ? AND object_id = ?", ["application.submit", app_id]
        ).fetchone()[0]
        versions = conn.execute(
            "SELECT count(*) FROM applications_applicationversion WHERE application_id = ?", [uuid.UUID(app_id).hex]
        ).fetchone()[0]
    finally:
        conn.close()
    return events, versions


@pytest.mark.e2e
def test_twenty_parallel_submits_make_one_submission(page, api, live_url, e2e_database_url):
    # a factory eligible for 卓越级: 2026 先进级 award, and now a self-assessment attaining 卓越级
    applicant_factory(page, APPLICANT)
    factory_id = factory_id_of(page)
    complete_excellent_assessment(page)

    # an application ready to submit
    token = api.token(APPLICANT, DEMO_PASSWORD)
    status, body = api.call("POST", "/applications", token=token,
                            body={"factory": factory_id, "tier": "excellent", "campaign": 2026})
    assert status == 201, f"open: {status} {body}"
    app_id = body["id"]
    fill_book_api(api, token, app_id)
    attach_required_api(api, token, app_id)
    page.goto(f"/portal/applications/{app_id}/")
    set_legal_representative(page, "刘建国")
    expect(page.get_by_test_id("eligibility")).to_have_count(0)
    status, body = api.get(f"/applications/{app_id}", token)
    assert status == 200, body
    assert body["state"] == "draft" and body["versions"] == [], body
    assert all(c["filled"] == c["required"] for c in body["completeness"]), body["completeness"]
    assert "submit" in body["actions"], body["actions"]

    # 20 submits at once, each on its own connection
    parsed = urlparse(live_url)
    assert parsed.hostname == "127.0.0.1", live_url
    start = threading.Barrier(CALLS)
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        futures = [pool.submit(_submit_once, parsed.hostname, parsed.port, f"/api/v1/applications/{app_id}/submit",
                               token, start) for _ in range(CALLS)]
        results = [f.result(timeout=REQUEST_TIMEOUT + 40) for f in futures]
    elapsed = time.monotonic() - began
    statuses = Counter(status for status, _body in results)
    assert statuses[200] == 1, f"{statuses} in {elapsed:.1f} s: {results}"
    assert statuses[409] == CALLS - 1, f"{statuses}: {[r for r in results if r[0] != 200]}"
    refused = [b for s, b in results if s == 409]
    assert {b["code"] for b in refused} == {"transition_not_allowed"}, refused
    winner = next(b for s, b in results if s == 200)
    assert winner["state"] == "in_review" and len(winner["versions"]) == 1, winner

    # one version, seen through the API and in the database, and one audit event
    status, body = api.get(f"/applications/{app_id}", token)
    assert status == 200, body
    assert body["state"] == "in_review", body
    assert [v["number"] for v in body["versions"]] == [1], body["versions"]
    assert body["versions"][0]["verification_code"] == winner["versions"][0]["verification_code"]
    events, versions = _counts(live_url, e2e_database_url, app_id)
    assert (events, versions) == (1, 1), f"application.submit events: {events}, version rows: {versions}"
