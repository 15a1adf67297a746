"""Steps and data of test_national_journey.py that other browser journeys reuse."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import uuid
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .conftest import ROOT, _venv_bin
from .steps_assessment import BUILT, WITH_AI
from .steps_excellent import BOOK, REQUIRED_KINDS, blank_pdf
from .steps_recommend import SCENARIO, SETUP_TIMEOUT, _server_env

MARKER = "E2E_NATIONAL_SCENARIO="


SHIFTED = "E2E_NATIONAL_SHIFTED="


VISITED = "E2E_NATIONAL_VISITED="


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


COUNTY = "659001"  # 石河子市, a city of the XPCC: its enterprises recommend through the XPCC


YEAR = 2026


# criterion key → score, per expert: weighted totals 81.00 and 78.00, 3 points apart (threshold 15:
# no third expert)
SCORES = (
    {"foundation": 85, "scenarios": 80, "intelligence": 78, "results": 82, "demonstration": 80},
    {"foundation": 80, "scenarios": 78, "intelligence": 75, "results": 80, "demonstration": 76},
)


TOTALS = ("81.00", "78.00")


CERTIFICATE = re.compile(rf"卓越智能工厂〔{YEAR}〕\d{{3}}号")


MINISTRIES = 6


SHANGHAI = ZoneInfo("Asia/Shanghai")


# The opening of the parallel-recommend script (imports, users, campaign, submitted_application);
# our own ending builds the XPCC leader, the application, the batch and the experts.
_OPENING_END = "ids, quota = [], None"


assert _OPENING_END in SCENARIO, "test_parallel_recommend.SCENARIO changed: its opening cannot be reused"


NATIONAL = SCENARIO[: SCENARIO.index(_OPENING_END)] + r'''
from smartfactory.evaluation.models import Evaluation, EvaluationState
from smartfactory.evaluation.expert_profiles import save_expert_profile
from smartfactory.evaluation.site_visits import site_checklist
from smartfactory.organisations.enums import AuthorityKind, Department
from smartfactory.organisations.models import Authority
from smartfactory.organisations.services import create_authority_user, create_expert_user
from smartfactory.recommendations import services as recommendations
from smartfactory.recommendations.models import Batch, StampedScan

ministry = users["demo-ministry"]


def new_password():
    return f"E2e-{secrets.token_urlsafe(16)}"


# the XPCC's leader (the demo has no XPCC account); `leader` and `province` are rebound, so that
# submitted_application's 先进级 certifier is the XPCC, as for every XPCC factory
province = Authority.objects.get(kind=AuthorityKind.XPCC, department=Department.INDUSTRY)
leader = create_authority_user(province, actor=ministry, username=f"e2e-nat-xpcc-{tag}", password=new_password(),
                               role=Role.AUTHORITY_LEADER, display_name="兵团（e2e）")

username, name = f"e2e-nat-{tag}", f"石河子{tag}智能装备有限公司"
factory_name = f"石河子{tag}智能工厂"
reg, app, password = submitted_application(
    username=username, display_name="国家评审测试", name=name, factory_name=factory_name,
    address="新疆石河子市国家评审路1号", certificate_no=f"兵先进〔{P['year'] - 1}〕N{tag}号",
)
app = TierApplication.objects.get(pk=app.pk)
assert reg.enterprise.is_xpcc and app.state == State.IN_REVIEW and app.current_authority_id == province.id, (
    reg.enterprise.is_xpcc, app.state, app.chain)
app = transition(app, Action.RECOMMEND, actor=leader, reason="同意推荐（e2e 国家评审）")
app = TierApplication.objects.get(pk=app.pk)
assert app.state == State.RECOMMENDED and app.quota_id and app.quota.recommender == "xpcc", (app.state, app.quota)
batch = recommendations.batch_for(app.quota)
assert batch.status == Batch.Status.OPEN, f"the XPCC 卓越级 batch is already {batch.status}"
others = TierApplication.objects.filter(quota=app.quota).exclude(pk=app.pk).count()
assert others == 0, f"{others} other applications draw on the XPCC 卓越级 quota"
assert recommendations.co_departments(app.quota) == []  # XPCC recommends alone: no co-department concurs
batch = recommendations.finalise(batch, actor=leader)
for kind in (StampedScan.Kind.SUMMARY_TABLE, StampedScan.Kind.LETTER):
    recommendations.attach_scan(batch, kind=kind, upload=SimpleUploadedFile(f"{kind}-stamped.pdf", pdf), actor=leader)
batch = recommendations.submit_to_ministry(batch, actor=leader)
evaluation = Evaluation.objects.get(application=app)
assert evaluation.state == EvaluationState.AWAITING_CHECK, evaluation.state


def expert(stem, display, *, province_code, industries, scenarios):
    password = new_password()
    user = create_expert_user(actor=ministry, username=f"e2e-nat-{stem}-{tag}", password=password,
                              display_name=display)
    profile = save_expert_profile(user, actor=ministry, name=display, organisation=f"{display}所在研究院（e2e）",
                                  province_code=province_code, industries=industries, scenarios=scenarios)
    return {"username": user.username, "password": password, "name": profile.name, "id": profile.pk}


scorers = [expert(stem, f"{label}专家{tag}", province_code="110000", industries=["35"], scenarios=sorted(built))
           for stem, label in (("x1", "评审甲"), ("x2", "评审乙"))]
visitor = expert("site", f"核查丙专家{tag}", province_code="440000", industries=[], scenarios=[])
print(P["marker"] + json.dumps({
    "application": str(app.pk), "evaluation": str(evaluation.pk), "name": name, "factory": factory_name,
    "factory_id": str(app.factory_id), "uscc": reg.enterprise.uscc, "username": username, "password": password,
    "experts": scorers, "visitor": visitor, "checklist": len(site_checklist(evaluation)),
}, ensure_ascii=False))
'''


# The period of the notice is moved into the past: as if it had been published a day earlier (the
# browser cannot wait out even a one-day period). Parameters in E2E_NATIONAL_PARAMS.
SHIFT = r'''
import json, os
from datetime import timedelta

from django.utils import timezone

from smartfactory.evaluation.models import Publicity

P = json.loads(os.environ["E2E_NATIONAL_PARAMS"])
publicity = Publicity.objects.get(pk=P["publicity"])
assert publicity.status == Publicity.Status.OPEN, publicity.status
length = publicity.ends_at - publicity.starts_at
ends_at = timezone.now() - timedelta(minutes=1)
Publicity.objects.filter(pk=publicity.pk).update(starts_at=ends_at - length, ends_at=ends_at)
print(P["marker"] + json.dumps({"ends_at": ends_at.isoformat()}))
'''


# The day of the visit: its outcome is recorded on the confirmed date at the earliest (R19) and the
# browser cannot wait two weeks, so the agreed visit is moved to today (Beijing time) through the ORM.
VISIT_DAY = r'''
import json, os

from django.utils import timezone

from smartfactory.evaluation.models import SiteVisit

P = json.loads(os.environ["E2E_NATIONAL_PARAMS"])
visit = SiteVisit.objects.get(evaluation_id=P["evaluation"])
assert visit.agreed_at is not None and not visit.outcome, visit
SiteVisit.objects.filter(pk=visit.pk).update(scheduled_for=timezone.localdate())
print(P["marker"] + json.dumps({"scheduled_for": timezone.localdate().isoformat()}))
'''


def _shell(live_url: str, database_url: str | None, script: str, variable: str, params: dict, marker: str) -> dict:
    env = _server_env(live_url, database_url)
    env[variable] = json.dumps({**params, "marker": marker}, ensure_ascii=False)
    done = subprocess.run(
        [str(_venv_bin() / "python"), "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=SETUP_TIMEOUT, check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(marker)]
    assert done.returncode == 0 and lines, (
        f"manage.py shell failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    )
    return json.loads(lines[-1][len(marker):])


def _build(live_url: str, database_url: str | None) -> dict:
    return _shell(live_url, database_url, NATIONAL, "E2E_RECOMMEND_PARAMS", {
        "tag": uuid.uuid4().hex[:6], "county": COUNTY, "year": YEAR, "book": BOOK, "kinds": list(REQUIRED_KINDS),
        "pdf": base64.b64encode(blank_pdf()).decode(), "built": sorted(BUILT), "with_ai": sorted(WITH_AI),
    }, MARKER)


# --------------------------------------------------------------------------- browser steps
def _no_error(page) -> None:
    expect(page.locator(".messages .msg-error")).to_have_count(0)


def _submit(page, button) -> None:
    """Press a form's button, wait for the page that follows, and check it shows no error."""
    with page.expect_navigation():
        button.click()
    _no_error(page)


def _submit_expecting_error(page, button, text: str) -> None:
    """Press a button the page must refuse: the page that follows shows an error saying ``text``."""
    with page.expect_navigation():
        button.click()
    expect(page.locator(".messages .msg-error")).to_contain_text(text)


def record_site_visit(page, keys: list[str], note: str) -> None:
    """On the evaluation page, the team expert records 符合 for every checklist item, then 核查通过."""
    for key in keys:
        row = page.get_by_test_id("checklist").locator(f"tbody tr[data-item='{key}']")
        finding = row.locator("form", has=page.locator("select[name=result]"))
        finding.locator("select[name=result]").select_option(value="met")
        finding.locator("input[name=note]").fill(f"现场核实一致（{key}）")
        _submit(page, finding.get_by_role("button", name="记录"))
        expect(page.get_by_test_id("checklist").locator(f"tbody tr[data-item='{key}']")).to_contain_text("符合")
    outcome = page.get_by_test_id("outcome-form")
    outcome.locator("select[name=outcome]").select_option(value="pass")
    outcome.locator("input[name=note]").fill(note)
    _submit(page, outcome.get_by_role("button", name="记录核查结论"))
    expect(page.get_by_test_id("visit-outcome")).to_have_text("核查通过")
    expect(page.get_by_test_id("outcome-form")).to_have_count(0)


def publish_for_one(page, evaluation_id: str) -> str:
    """On the panel page, publishes a one-day 公示 for this evaluation only; returns the publicity id."""
    form = page.get_by_test_id("publicity-form")
    chosen = form.locator("input[type=checkbox][name=evaluation]")
    expect(form.locator(f"input[name=evaluation][value='{evaluation_id}']")).to_be_checked()
    for i in range(chosen.count()):
        if chosen.nth(i).get_attribute("value") != evaluation_id:
            chosen.nth(i).uncheck()
    form.locator("input[name=days]").fill("1")
    _submit(page, form.get_by_role("button", name="发布公示"))
    page.wait_for_url(re.compile(rf"/console/publicity/{UUID}/$"))
    expect(page.get_by_test_id("publicity-status")).to_contain_text("公示中")
    return re.search(UUID, page.url).group(0)


def concur_and_decide(page, year: int, letter: str) -> str:
    """On a finalised 公示, registers the six ministries' concurrence and decides; returns the
    decision number."""
    expect(page.get_by_test_id("concurrences").locator("tr")).to_have_count(MINISTRIES)
    for n in range(MINISTRIES):
        form = page.get_by_test_id("concurrences").locator("form").first
        form.locator("input[name=document]").fill(f"{letter}〔{year}〕{n + 1}号")
        _submit(page, form.get_by_role("button", name="登记会签"))
    expect(page.get_by_test_id("concurrences").locator("tr", has_text="已会签")).to_have_count(MINISTRIES)
    decision = f"工信部联通装〔{year}〕{uuid.uuid4().int % 900 + 100}号"
    decide = page.get_by_test_id("decide-form")
    decide.locator("input[name=decision_number]").fill(decision)
    _submit(page, decide.get_by_role("button", name="六部门审定并公布"))
    expect(page.get_by_test_id("publicity-status")).to_contain_text("已审定")
    expect(page.get_by_test_id("publicity-status")).to_contain_text(decision)
    return decision


def _open_evaluation(page, evaluation_id: str) -> None:
    page.goto(f"/console/evaluation/{evaluation_id}/")
    expect(page.get_by_test_id("state")).to_be_visible()
