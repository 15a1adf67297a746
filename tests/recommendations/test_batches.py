"""Recommendation batches: priority order, finalising with the co-departments' concurrence,
submission to MIIT before the online-review deadline with stamped scans, reopening by the ministry,
the summary table (data columns, priority order, fonts embedded), the letter, the API and scope."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import Quota
from smartfactory.campaigns.quotas import compute_quotas
from smartfactory.errors import (
    Conflict,
    DeadlinePassed,
    InvalidInput,
    NotEligible,
    NotPermitted,
    TransitionNotAllowed,
)
from smartfactory.organisations.enums import AuthorityLevel, Department, Role
from smartfactory.recommendations import concurrence, exports, services
from smartfactory.recommendations.models import Batch
from tests import factories as f
from tests.factories.applications import (
    BEFORE,
    text_pdf,
)
from tests.factories.recommendations import ONLINE_REVIEW, concur

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")


def _scans(b):
    for kind in ("summary_table", "letter"):
        services.attach_scan(b["batch"], kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", text_pdf("盖章")),
                             actor=b["leader"])


@pytest.mark.rule("P18", "R13")
def test_reorder_finalise_submit_and_only_ministry_reopens(setup, batch):
    b = batch
    order = [str(b["apps"][2].id), str(b["apps"][0].id), str(b["apps"][1].id)]
    services.reorder(b["batch"], ordered_ids=order, actor=b["leader"])
    assert [str(a.id) for a in services.recommended(b["quota"])] == order
    with pytest.raises(NotEligible) as exc:
        services.finalise(b["batch"], actor=b["leader"])
    assert "四川省发展和改革委员会" in exc.value.message
    concur(b)
    services.finalise(b["batch"], actor=b["leader"])
    with pytest.raises(TransitionNotAllowed):
        services.reorder(b["batch"], ordered_ids=order, actor=b["leader"])
    with time_machine.travel(BEFORE, tick=False), pytest.raises(NotEligible):
        services.submit_to_ministry(b["batch"], actor=b["leader"])  # no stamped scans yet
    _scans(b)
    with time_machine.travel(ONLINE_REVIEW + timedelta(seconds=1), tick=False), pytest.raises(DeadlinePassed):
        services.submit_to_ministry(b["batch"], actor=b["leader"])
    with time_machine.travel(ONLINE_REVIEW - timedelta(seconds=1), tick=False):
        services.submit_to_ministry(b["batch"], actor=b["leader"])
    b["batch"].refresh_from_db()
    assert b["batch"].status == Batch.Status.SUBMITTED
    with pytest.raises(NotPermitted):
        services.reopen(b["batch"], actor=b["leader"], reason="想改")
    staff = f.user(role=Role.MINISTRY_STAFF, authority=f.ministry())
    services.reopen(b["batch"], actor=staff, reason="排序有误，请重新排序")
    b["batch"].refresh_from_db()
    assert b["batch"].status == Batch.Status.OPEN
    actions = list(AuditEvent.objects.filter(action__startswith="recommendation.").values_list("action", flat=True))
    assert actions == ["recommendation.reordered", "recommendation.concurrence", "recommendation.finalised",
                       "recommendation.scan_uploaded",
                       "recommendation.scan_uploaded", "recommendation.submitted", "recommendation.reopened"]


def test_reorder_must_name_exactly_the_batch(setup, batch):
    from smartfactory.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.reorder(batch["batch"], ordered_ids=[str(batch["apps"][0].id)], actor=batch["leader"])


def test_summary_table_columns_from_data_in_priority_order(setup, batch, tmp_path):
    b = batch
    order = [str(b["apps"][1].id), str(b["apps"][2].id), str(b["apps"][0].id)]
    services.reorder(b["batch"], ordered_ids=order, actor=b["leader"])
    sheet = load_workbook(io.BytesIO(exports.summary_xlsx(b["batch"]))).active
    rows = list(sheet.iter_rows(values_only=True))
    labels = [c["label"] for c in services.columns_for("excellent", 2042)["columns"]]
    assert list(rows[1][: len(labels)]) == labels
    names = [r[2] for r in rows[2:5]]
    assert names == [b["apps"][i].factory.enterprise.name for i in (1, 2, 0)]
    assert [r[0] for r in rows[2:5]] == [1, 2, 3]
    path = tmp_path / "t.pdf"
    path.write_bytes(exports.summary_pdf(b["batch"]))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)
    from docx import Document

    letter = "\n".join(p.text for p in Document(io.BytesIO(exports.letter_docx(b["batch"]))).paragraphs)
    assert "推荐3个卓越级智能工厂项目" in letter and b["apps"][1].factory.enterprise.name in letter


def test_api_batch_order_and_table(setup, batch, client_for):
    client = client_for(batch["leader"])
    got = client.get("/api/v1/recommendations/2042/excellent").json()
    assert (got["quota"], got["used"]) == (40, 3)
    order = [a["id"] for a in reversed(got["applications"])]
    put = client.put("/api/v1/recommendations/2042/excellent", {"order": order}, content_type="application/json")
    assert [a["id"] for a in put.json()["applications"]] == order
    table = client.get("/api/v1/recommendations/2042/excellent/summary-table.xlsx")
    assert table.status_code == 200 and table.content[:2] == b"PK"
    client.post("/api/v1/recommendations/2042/excellent/concurrences",
                {"authority": str(batch["ndrc"].id), "letter_number": "川发改函〔2042〕1号"}, content_type="application/json")
    done = client.post("/api/v1/recommendations/2042/excellent/finalise", content_type="application/json")
    assert done.json()["status"] == "finalised"


def test_other_province_cannot_see_the_batch(setup, batch, client_for):
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE)
    outsider = f.user("zj-lead", role=Role.AUTHORITY_LEADER, authority=zhejiang)
    assert client_for(outsider).get(f"/console/recommendations/{batch['quota'].pk}/").status_code == 404
    own = client_for(outsider).get("/api/v1/recommendations/2042/excellent").json()  # the caller's own batch
    assert own["recommender"] == "浙江省" and own["applications"] == []
    page = client_for(batch["leader"]).get(f"/console/recommendations/{batch['quota'].pk}/").content.decode()
    assert "3/40" in page


def test_province_sets_a_city_subquota_on_the_batch_page(setup, batch, client_for):
    client = client_for(batch["leader"])
    client.post(f"/console/recommendations/{batch['quota'].pk}/subquota/",
                {"city_code": "510700", "limit": "2", "reason": "绵阳市按规模分配"})
    page = client.get(f"/console/recommendations/{batch['quota'].pk}/").content.decode()
    assert "绵阳市 ≤ 2" in page


def test_batch_list_query_count_does_not_grow_with_quotas(setup, batch, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = f.user(role=Role.MINISTRY_STAFF, authority=f.ministry())
    client = client_for(staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/console/recommendations/")
        assert page.status_code == 200 and "3/40" in page.content.decode()
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        f.soe_group(f"集团{i}")
    compute_quotas(setup["campaign"])  # five more quotas (rows)
    assert count() == before


@pytest.mark.rule("R13")
@pytest.mark.parametrize(("offset", "allowed"), [(-1, True), (0, False), (1, False)])
def test_reorder_and_finalise_close_at_the_online_review_deadline(setup, batch, offset, allowed):
    b = batch
    order = [str(a.id) for a in reversed(b["apps"])]
    with time_machine.travel(ONLINE_REVIEW + timedelta(seconds=offset), tick=False):
        if allowed:
            services.reorder(b["batch"], ordered_ids=order, actor=b["leader"])
            concur(b)
            services.finalise(b["batch"], actor=b["leader"])
        else:
            concur(b)  # everything but the deadline is in place
            with pytest.raises(DeadlinePassed):
                services.reorder(b["batch"], ordered_ids=order, actor=b["leader"])
            with pytest.raises(DeadlinePassed):
                services.finalise(b["batch"], actor=b["leader"])
    b["batch"].refresh_from_db()
    assert (b["batch"].status == Batch.Status.FINALISED) is allowed


@pytest.mark.parametrize(("offset", "submitted"), [(-1, False), (0, True), (1, True)])
def test_finalised_batches_are_submitted_at_the_deadline(setup, batch, offset, submitted):
    b = batch
    concur(b)
    services.finalise(b["batch"], actor=b["leader"])
    _scans(b)
    with time_machine.travel(ONLINE_REVIEW + timedelta(seconds=offset), tick=False):
        result = services.submit_due_batches()
        again = services.submit_due_batches()  # idempotent
    assert [x.pk for x in result["submitted"]] == ([b["batch"].pk] if submitted else [])
    assert again["submitted"] == [] and again["overdue"] == []
    b["batch"].refresh_from_db()
    assert (b["batch"].status == Batch.Status.SUBMITTED) is submitted
    events = AuditEvent.objects.filter(action="recommendation.submitted")
    assert events.count() == int(submitted)
    if submitted:
        assert events.get().actor_id == "" and events.get().after["automatic"] is True


def test_open_or_unscanned_batches_are_overdue_not_submitted(setup, batch):
    from django.core.management import call_command

    out = io.StringIO()
    with time_machine.travel(ONLINE_REVIEW + timedelta(seconds=1), tick=False):
        call_command("close_recommendations", stdout=out)
    assert "逾期未报送" in out.getvalue() and "submitted=0 overdue=1" in out.getvalue()
    batch["batch"].refresh_from_db()
    assert batch["batch"].status == Batch.Status.OPEN
    assert not AuditEvent.objects.filter(action="recommendation.submitted").exists()


def test_drag_and_drop_form_posts_the_whole_order(setup, batch, client_for):
    b = batch
    client = client_for(b["leader"])
    page = client.get(f"/console/recommendations/{b['quota'].pk}/").content.decode()
    assert page.count('draggable="true"') == 3 and 'data-sortable="order-form"' in page
    order = [str(b["apps"][i].id) for i in (2, 0, 1)]
    client.post(f"/console/recommendations/{b['quota'].pk}/order/", {"order": order})
    assert [str(a.id) for a in services.recommended(b["quota"])] == order
    client.post(f"/console/recommendations/{b['quota'].pk}/order/", {"order": order[:2]})  # must name all three
    assert [str(a.id) for a in services.recommended(b["quota"])] == order


def test_no_scan_is_replaced_after_submission(setup, batch):
    b = batch
    concur(b)
    services.finalise(b["batch"], actor=b["leader"])
    _scans(b)
    with time_machine.travel(ONLINE_REVIEW - timedelta(seconds=1), tick=False):
        services.submit_to_ministry(b["batch"], actor=b["leader"])
    with pytest.raises(TransitionNotAllowed):
        services.attach_scan(b["batch"], kind="letter", upload=SimpleUploadedFile("l.pdf", text_pdf("盖章")),
                             actor=b["leader"])


@pytest.mark.rule("P18", "R3")
def test_a_co_department_concurs_by_its_own_account_or_the_leader_records_its_letter(setup, batch, client_for):
    b = batch
    finance = f.authority("510000", level=AuthorityLevel.PROVINCE, department=Department.FINANCE, is_lead=False,
                          name="四川省财政厅")
    ndrc_staff = f.user("sc-ndrc", role=Role.AUTHORITY_REVIEWER, authority=b["ndrc"])
    # the co-department reads the batch (page and API) but neither reorders nor finalises
    page = client_for(ndrc_staff).get(f"/console/recommendations/{b['quota'].pk}/").content.decode()
    assert 'data-testid="give-concurrence"' in page and 'data-testid="finalise"' not in page
    assert 'draggable="true"' not in page
    with pytest.raises(NotPermitted):
        services.reorder(b["batch"], ordered_ids=[str(a.id) for a in b["apps"]], actor=ndrc_staff)
    with pytest.raises(NotPermitted):
        services.finalise(b["batch"], actor=ndrc_staff)
    with pytest.raises(NotPermitted):  # the leader concurs for no one through its own account
        concurrence.give(b["batch"], actor=b["leader"])
    client_for(ndrc_staff).post(f"/console/recommendations/{b['quota'].pk}/concur/", {"opinion": "同意推荐"})
    with pytest.raises(NotEligible) as exc:
        services.finalise(b["batch"], actor=b["leader"])
    assert "四川省财政厅" in exc.value.message and "发展和改革" not in exc.value.message
    with pytest.raises(InvalidInput):  # a letter needs its number
        concurrence.record_letter(b["batch"], actor=b["leader"], authority=finance, letter_number=" ")
    with pytest.raises(NotPermitted):  # only the recommender's leader records a letter
        concurrence.record_letter(b["batch"], actor=ndrc_staff, authority=finance, letter_number="川财函〔2042〕9号")
    with pytest.raises(InvalidInput):  # only a co-department of this recommender
        concurrence.record_letter(b["batch"], actor=b["leader"], authority=f.authority("330000", level=AuthorityLevel.PROVINCE,
                                  department=Department.FINANCE, is_lead=False), letter_number="浙财函〔2042〕1号")
    concurrence.record_letter(b["batch"], actor=b["leader"], authority=finance, letter_number="川财函〔2042〕9号")
    with pytest.raises(Conflict):
        concurrence.record_letter(b["batch"], actor=b["leader"], authority=finance, letter_number="川财函〔2042〕10号")
    rows = {c.authority.name: c for c in concurrence.concurrences_for(b["batch"])}
    assert (rows["四川省发展和改革委员会"].given_by, rows["四川省发展和改革委员会"].letter_number) == (ndrc_staff, "")
    assert (rows["四川省财政厅"].given_by, rows["四川省财政厅"].letter_number) == (b["leader"], "川财函〔2042〕9号")
    events = AuditEvent.objects.filter(action="recommendation.concurrence").order_by("seq")
    assert [e.after["name"] for e in events] == ["四川省发展和改革委员会", "四川省财政厅"]
    assert events[0].after["order"] == concurrence.current_order(b["batch"])
    services.finalise(b["batch"], actor=b["leader"])
    b["batch"].refresh_from_db()
    assert b["batch"].concurrence == sorted([str(b["ndrc"].pk), str(finance.pk)])
    finalised = AuditEvent.objects.get(action="recommendation.finalised")
    assert finalised.after["letters"] == {str(finance.pk): "川财函〔2042〕9号"}
    with pytest.raises(TransitionNotAllowed):  # a finalised batch takes no more concurrence
        concurrence.give(b["batch"], actor=ndrc_staff)


@pytest.mark.rule("P18")
def test_reordering_after_concurrence_asks_for_it_again(setup, batch, client_for):
    b = batch
    concur(b)
    services.reorder(b["batch"], ordered_ids=[str(a.id) for a in reversed(b["apps"])], actor=b["leader"])
    with pytest.raises(NotEligible):
        services.finalise(b["batch"], actor=b["leader"])
    page = client_for(b["leader"]).get(f"/console/recommendations/{b['quota'].pk}/").content.decode()
    assert 'data-testid="stale-concurrence"' in page and "四川省发展和改革委员会" in page
    concur(b, letter="川发改函〔2042〕2号")
    services.finalise(b["batch"], actor=b["leader"])


def test_another_province_co_department_sees_no_batch_and_cannot_concur(setup, batch, client_for):
    b = batch
    zj_ndrc = f.authority("330000", level=AuthorityLevel.PROVINCE, department=Department.DEVELOPMENT_REFORM,
                          is_lead=False, name="浙江省发展和改革委员会")
    outsider = f.user("zj-ndrc", role=Role.AUTHORITY_REVIEWER, authority=zj_ndrc)
    client = client_for(outsider)
    assert client.get(f"/console/recommendations/{b['quota'].pk}/").status_code == 404
    assert client.post(f"/console/recommendations/{b['quota'].pk}/concur/", {}).status_code == 404
    with pytest.raises(NotPermitted):
        concurrence.give(b["batch"], actor=outsider)
    assert not b["batch"].concurrences.exists()


def test_api_concurrence_by_account_and_by_letter(setup, batch, client_for):
    b = batch
    url = "/api/v1/recommendations/2042/excellent"
    ndrc_staff = f.user("sc-ndrc", role=Role.AUTHORITY_REVIEWER, authority=b["ndrc"])
    got = client_for(ndrc_staff).get(url).json()
    assert [(c["name"], c["given"]) for c in got["concurrences"]] == [("四川省发展和改革委员会", False)]
    refused = client_for(b["leader"]).post(f"{url}/finalise", content_type="application/json")
    assert refused.status_code == 409 and "四川省发展和改革委员会" in refused.json()["message"]
    bad = client_for(b["leader"]).post(f"{url}/concurrences", {"authority": str(b["ndrc"].pk)},
                                       content_type="application/json")
    assert bad.status_code == 422  # no letter number
    done = client_for(ndrc_staff).post(f"{url}/concurrences", {"opinion": "同意"}, content_type="application/json")
    assert done.status_code == 201 and done.json()["concurrences"][0]["given"] is True
    assert done.json()["concurrences"][0]["by"] == "sc-ndrc"
    assert client_for(ndrc_staff).post(f"{url}/finalise", content_type="application/json").status_code == 403
    assert client_for(b["leader"]).post(f"{url}/finalise", content_type="application/json").json()["status"] == "finalised"


@pytest.mark.rule("P18")
def test_a_batch_with_nothing_recommended_cannot_be_finalised(setup, batch):
    zhejiang = f.authority("330000", level=AuthorityLevel.PROVINCE, name="浙江省经济和信息化厅")
    leader = f.user("zj-leader", role=Role.AUTHORITY_LEADER, authority=zhejiang)
    quota = Quota.objects.get(campaign=setup["campaign"], tier="excellent", province_code="330000")
    empty = services.batch_for(quota)
    with pytest.raises(NotEligible) as refused:
        services.finalise(empty, actor=leader)
    assert refused.value.message == "尚无已推荐的申报，不能定稿。"
    empty.refresh_from_db()
    assert empty.status == Batch.Status.OPEN


@pytest.mark.rule("P4")
def test_the_ministry_reopens_a_batch_only_with_a_reason(setup, batch):
    b = batch
    concur(b)
    services.finalise(b["batch"], actor=b["leader"])
    staff = f.user("miit-reopen", role=Role.MINISTRY_STAFF, authority=f.ministry())
    with pytest.raises(InvalidInput) as refused:
        services.reopen(b["batch"], actor=staff, reason="  ")
    assert refused.value.field == "reason"
    b["batch"].refresh_from_db()
    assert b["batch"].status == Batch.Status.FINALISED
    services.reopen(b["batch"], actor=staff, reason="排序有误，退回重排")
    b["batch"].refresh_from_db()
    assert b["batch"].status == Batch.Status.OPEN
    told = AuditEvent.objects.get(action="recommendation.reopened")
    assert told.reason == "排序有误，退回重排"
