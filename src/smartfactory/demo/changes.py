"""Demo change requests of registration facts: one confirmed rename of a published 领航级 cultivation
object's enterprise (the public lists show the name at publication with 现名称 beside it) and one
request waiting for 武侯区 on an enterprise whose 卓越级 application is in its queue."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from smartfactory.accounts.models import User
from smartfactory.organisations.changes import decide_enterprise_change, request_enterprise_change
from smartfactory.organisations.models import EnterpriseChange, Membership

from .common import blank_pdf

# (enterprise admin, new name, reason, confirming user or None to leave it pending, the confirmation's note)
PLAN = [
    ("demo-leading-zj-1", "萧然光电科技股份有限公司", "2026年1月完成股份制改造并办理名称变更登记（演示）",
     "demo-city-zj", "已核对变更后的营业执照"),
    ("demo-applicant-sc-1", "武侯电子科技股份有限公司", "2026年完成股份制改造，名称变更登记已核准（演示）", None, ""),
]


@transaction.atomic
def build_enterprise_changes() -> None:
    for admin_name, new_name, reason, confirmer, note in PLAN:
        admin = User.objects.filter(username=admin_name).first()
        membership = Membership.objects.filter(user=admin, enterprise__isnull=False).select_related("enterprise").first()
        if membership is None or EnterpriseChange.objects.filter(enterprise=membership.enterprise).exists():
            continue
        proof = SimpleUploadedFile("核准变更登记通知书.pdf", blank_pdf(), content_type="application/pdf")
        change = request_enterprise_change(membership.enterprise, actor=admin, changes={"name": new_name},
                                           reason=reason, upload=proof)
        if confirmer:
            decide_enterprise_change(change, actor=User.objects.get(username=confirmer), confirm=True, reason=note)
