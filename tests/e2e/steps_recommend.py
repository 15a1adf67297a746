"""Steps and data of test_parallel_recommend.py that other browser journeys reuse."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import threading
import uuid
import zlib
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from .conftest import DEMO_PASSWORD, ROOT, _venv_bin
from .steps_assessment import BUILT, WITH_AI
from .steps_excellent import BOOK, REQUIRED_KINDS, blank_pdf

APPLICATIONS = 60  # waiting at the province


CALLS = 50  # recommended at once, each a different application


QUOTA = 7  # the Sichuan 卓越级 quota after the ministry's override


PROVINCE_CODE = "510000"


LEADER = "demo-province"


SETUP_TIMEOUT = 240.0  # seconds for the manage.py subprocess that builds the scenario


REQUEST_TIMEOUT = 60.0  # seconds per recommendation; SQLite writers wait up to 20 s each for the lock


MARKER = "E2E_RECOMMEND_SCENARIO="


# Runs in `manage.py shell -c` against the e2e database: services only, no raw SQL. Parameters come
# from E2E_RECOMMEND_PARAMS (JSON); the result is one line starting with MARKER.
SCENARIO = r'''
import base64, json, os, secrets
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from smartfactory.applications import book_entries, services
from smartfactory.applications.enums import Action, State
from smartfactory.applications.models import TierApplication
from smartfactory.applications.workflow import allowed_actions, transition
from smartfactory.assessments import questionnaire
from smartfactory.assessments import services as assessments
from smartfactory.assessments.models import SelfAssessment
from smartfactory.campaigns.models import Campaign
from smartfactory.applications.recommender import quota_of
from smartfactory.campaigns.quotas import override_quota
from smartfactory.campaigns.services import framework_spec_for
from smartfactory.demo.identifiers import make_uscc
from smartfactory.organisations.enums import LegalStatus, Role
from smartfactory.organisations.models import Enterprise, Membership
from smartfactory.organisations.services import create_factory, record_tier_award, register_enterprise

P = json.loads(os.environ["E2E_RECOMMEND_PARAMS"])
tag, county, pdf = P["tag"], P["county"], base64.b64decode(P["pdf"])
built, with_ai = set(P["built"]), set(P["with_ai"])
users = {u.username: u for u in get_user_model().objects.filter(
    username__in=["demo-district", "demo-city", "demo-province", "demo-ministry"])}
leader = users["demo-province"]
province = Membership.objects.get(user=leader, role=Role.AUTHORITY_LEADER).authority
campaign = Campaign.objects.get(year=P["year"])
spec = framework_spec_for(campaign)


def answer_of(item):
    if item.key.startswith("br:"):
        return True
    if item.key == "cmmm:level":
        return "3"
    if item.key == "kpi:level":
        return "national_leading"
    if item.key.startswith("scn:"):
        _s, number, part = item.key.split(":")
        if part == "built":
            return int(number) in built
        if part == "ai" and int(number) in built:
            return int(number) in with_ai
    return None


answers = [(item.key, answer_of(item)) for item in questionnaire.items_for(spec)]
answers = [(key, value) for key, value in answers if value is not None]
def submitted_application(*, username, display_name, name, factory_name, address, certificate_no):
    """A new 武侯区 enterprise whose 卓越级 application is complete and submitted (waiting at the district)."""
    while True:
        uscc = make_uscc(county, 50_000_000 + secrets.randbelow(40_000_000))
        if not Enterprise.objects.filter(uscc=uscc).exists():
            break
    password = f"E2e-{secrets.token_urlsafe(16)}"
    reg = register_enterprise(
        username=username, password=password, display_name=display_name, email=f"{username}@example.com", uscc=uscc,
        enterprise={"name": name, "legal_status": LegalStatus.INDEPENDENT, "county": county, "industry": "35",
                    "above_designated_size": True, "address": address},
    )
    user = reg.user
    factory = create_factory(reg.enterprise, actor=user, name=factory_name, county=county, address=address,
                             main_products="智能成套装备")
    record_tier_award(factory, actor=leader, year=P["year"] - 1, tier="advanced", authority=province,
                      certificate_no=certificate_no, awarded_on=date(P["year"] - 1, 6, 20))
    assessment = assessments.start_assessment(factory, campaign, actor=user)
    for key, value in answers:
        assessments.save_answer(assessment, key, value, expected_version=0, actor=user)
    assert SelfAssessment.objects.get(pk=assessment.pk).attained_tier == "excellent", "self-assessment below 卓越级"
    app = services.create_application(factory, campaign, tier="excellent", actor=user)
    versions = book_entries.entry_versions(app)
    for key, value in P["book"].items():
        services.save_entry(app, key, value, expected_version=versions.get(key, 0), actor=user)
    services.set_legal_representative(app, actor=user, name="张法人")
    for kind in P["kinds"]:
        # one file per material (P30): a comment after %%EOF makes each its own file
        data = pdf + f"\n% {kind}\n".encode()
        services.attach_file(app, kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", data), actor=user)
    return reg, transition(app, Action.SUBMIT, actor=user, cooperation=True), password


ids, quota = [], None
for i in range(P["count"]):
    reg, app, _password = submitted_application(
        username=f"e2e-rec-{tag}-{i:02d}", display_name=f"推荐测试{i}", name=f"蓉推{tag}{i:02d}智能制造有限公司",
        factory_name=f"蓉推{tag}{i:02d}智能工厂", address=f"四川省成都市武侯区推荐测试路{i + 1}号",
        certificate_no=f"川先进〔{P['year'] - 1}〕E{tag}{i:02d}号",
    )
    app = transition(app, Action.APPROVE, actor=users["demo-district"], reason="材料齐全，同意上报（e2e）")
    app = transition(app, Action.APPROVE, actor=users["demo-city"], reason="同意推荐（e2e）")
    app = TierApplication.objects.get(pk=app.pk)
    assert app.state == State.IN_REVIEW and app.current_authority_id == province.id, (app.state, app.chain)
    assert Action.RECOMMEND in allowed_actions(app, leader), allowed_actions(app, leader)
    mine = quota_of(TierApplication.objects.get(pk=app.pk))
    assert mine is not None and (quota is None or mine.pk == quota.pk), "applications draw on different quotas"
    quota = mine
    ids.append(str(app.pk))

used_before = TierApplication.objects.filter(quota=quota, state=State.RECOMMENDED).count()
quota = override_quota(quota, value=P["quota"], actor=users["demo-ministry"], reason="端到端测试：并发推荐不超名额")
print(P["marker"] + json.dumps({"ids": ids, "quota_id": quota.pk, "quota": quota.quota, "used_before": used_before,
                                "province_authority": str(province.pk)}))
'''


# --------------------------------------------------------------------------- the server's environment
def _var_dir(live_url: str) -> Path:
    """The e2e server's var dir (secret key, media, SQLite file): conftest keeps it in a temporary
    directory it does not expose, the one whose gunicorn.log says it listens on our port."""
    listening = f"Listening at: {live_url} "
    found = [
        log.parent for log in Path(tempfile.gettempdir()).glob("smartfactory-e2e-*/gunicorn.log")
        if listening in log.read_text(errors="replace")
    ]
    assert found, f"no e2e var dir serving {live_url}"
    return max(found, key=lambda p: (p / "gunicorn.log").stat().st_mtime)


def _server_env(live_url: str, database_url: str | None) -> dict[str, str]:
    """The environment conftest gives manage.py and gunicorn, so the subprocess uses the same database."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "MEDIA_ROOT"}}
    env.update({
        "SMARTFACTORY_VAR_DIR": str(_var_dir(live_url)), "SMARTFACTORY_TESTING": "1", "SMARTFACTORY_DEMO": "1",
        "SMARTFACTORY_HTTPS": "0", "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "smartfactory.settings",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def _build_scenario(live_url: str, database_url: str | None) -> dict:
    env = _server_env(live_url, database_url)
    env["E2E_RECOMMEND_PARAMS"] = json.dumps({
        "tag": uuid.uuid4().hex[:6], "county": "510107", "year": 2026, "count": APPLICATIONS, "quota": QUOTA,
        "book": BOOK, "kinds": list(REQUIRED_KINDS), "pdf": base64.b64encode(blank_pdf()).decode(),
        "built": sorted(BUILT), "with_ai": sorted(WITH_AI), "marker": MARKER,
    }, ensure_ascii=False)
    done = subprocess.run(
        [str(_venv_bin() / "python"), "manage.py", "shell", "-c", SCENARIO], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=SETUP_TIMEOUT, check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    assert done.returncode == 0 and lines, (
        f"building the scenario failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    )
    return json.loads(lines[-1][len(MARKER):])


# --------------------------------------------------------------------------- HTTP with a session
def _http(host: str, port: int, method: str, path: str, *, headers: dict[str, str] | None = None,
          body: bytes = b"", timeout: float = 15.0) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Content-Length": str(len(body)), **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    return {key: morsel.value for key, morsel in jar.items()}


def _login(host: str, port: int, username: str) -> dict[str, str]:
    """Sign in through the login form; the session's cookies (sessionid, csrftoken after rotation)."""
    status, headers, page = _http(host, port, "GET", "/accounts/login/")
    assert status == 200, status
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token and "csrftoken" in cookies, "login page without a CSRF token"
    form = urlencode({"username": username, "password": DEMO_PASSWORD,
                      "csrfmiddlewaretoken": token.group(1).decode()}).encode()
    status, headers, _page = _http(host, port, "POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}",
    })
    assert status == 302, f"login of {username}: HTTP {status}"
    cookies.update(_cookies(headers))
    assert "sessionid" in cookies, cookies.keys()
    return cookies


def _messages(headers: list[tuple[str, str]]) -> list[str]:
    """The texts of the messages the response leaves in Django's messages cookie (signed, not
    encrypted: the payload is read without checking the signature)."""
    value = _cookies(headers).get("messages", "")
    if not value:
        return []
    payload = value.split(":")[0]  # base64 (urlsafe) of the JSON, "." first when compressed; then the signature
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    data = json.loads(zlib.decompress(raw) if compressed else raw)
    return [m[3] for m in data if isinstance(m, list) and m and m[0] == "__json_message"]


def _recommend_once(host: str, port: int, app_id: str, cookies: dict[str, str],
                    start: threading.Barrier) -> tuple[str, int, str, list[str]]:
    """One POST of the console's recommend form: (application, status, Location, message texts)."""
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.connect()
        body = urlencode({"reason": "同意推荐（e2e 并发）"}).encode()
        start.wait(timeout=30)
        conn.request("POST", f"/console/applications/{app_id}/recommend/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body)),
            "Cookie": f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}",
            "X-CSRFToken": cookies["csrftoken"],
        })
        response = conn.getresponse()
        text = response.read()
        headers = response.getheaders()
        messages = _messages(headers)
        if response.status >= 500:
            messages.append(text.decode(errors="replace")[:300])
        return app_id, response.status, response.getheader("Location") or "", messages
    finally:
        conn.close()


# --------------------------------------------------------------------------- the database, read-only
def _rows(live_url: str, database_url: str | None, ids: list[str], quota_id: int) -> dict:
    """State, priority and quota of the applications, the quota's recommended applications, and the
    object ids of the application.recommend audit events of the applications."""
    hexes = [uuid.UUID(i).hex for i in ids]
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            apps = conn.execute(
                "SELECT id, state, priority, quota_id FROM applications_tierapplication WHERE id = ANY(%s)",
                [[uuid.UUID(i) for i in ids]],
            ).fetchall()
            on_quota = conn.execute(
                "SELECT id, priority FROM applications_tierapplication WHERE quota_id = %s AND state = 'recommended'",
                [quota_id],
            ).fetchall()
            events = conn.execute(
                "SELECT object_id FROM audit_auditevent WHERE action = 'application.recommend' AND object_id = ANY(%s)",
                [ids],
            ).fetchall()
        apps = [(str(a), s, p, q) for a, s, p, q in apps]
        on_quota = [(str(a), p) for a, p in on_quota]
    else:
        conn = sqlite3.connect(f"file:{_var_dir(live_url) / 'db.sqlite3'}?mode=ro", uri=True, timeout=20)
        try:
            marks = ",".join("?" * len(ids))
            apps = conn.execute(
                f"SELECT id, state, priority, quota_id FROM applications_tierapplication WHERE id IN ({marks})",  # noqa: S608
                hexes,
            ).fetchall()
            on_quota = conn.execute(
                "SELECT id, priority FROM applications_tierapplication WHERE quota_id = ? AND state = 'recommended'",
                [quota_id],
            ).fetchall()
            events = conn.execute(
                f"SELECT object_id FROM audit_auditevent WHERE action = 'application.recommend' AND object_id IN ({marks})",  # noqa: S608
                ids,
            ).fetchall()
        finally:
            conn.close()
        apps = [(str(uuid.UUID(a)), s, p, q) for a, s, p, q in apps]
        on_quota = [(str(uuid.UUID(a)), p) for a, p in on_quota]
    return {"apps": {a: (s, p, q) for a, s, p, q in apps}, "on_quota": on_quota, "events": [e for (e,) in events]}
