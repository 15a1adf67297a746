"""The acceptance page's buttons come from the workflow's ``available``: an action a guard refuses
is shown disabled with the guard's reason (``.why``), and a refused post changes nothing."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from smartfactory.cultivation.models import AcceptanceApplication

pytestmark = pytest.mark.django_db
BJ = timezone.get_default_timezone()
FORM = {"summary": "两年来建成数字孪生工厂，全部培育目标均已达成，详见各项佐证材料。", "value-1": "32", "evidence-1": "检测报告",
        "value-2": "21", "evidence-2": "审计报告"}


def _button(html: str, testid: str) -> str:
    return re.search(rf'<button[^>]*data-testid="{testid}"[^>]*>', html).group(0)


@pytest.mark.rule("P11")
def test_submit_is_disabled_with_the_reason_while_a_report_is_overdue(leading, client_for):
    x = leading
    c = x["cultivation"]
    page = f"/cultivation/{c.pk}/acceptance/"
    owner = client_for(x["enterprise_user"])
    html = owner.get(page).content.decode()
    assert "disabled" not in _button(html, "submit-acceptance") and 'data-testid="why-submit"' not in html
    first = c.reports.get(sequence=1)
    with time_machine.travel(datetime.combine(first.due_on + timedelta(days=1), time(9), tzinfo=BJ), tick=False):
        owner = client_for(x["enterprise_user"])  # a session of that day
        html = owner.get(page).content.decode()
        button = _button(html, "submit-acceptance")
        assert "disabled" in button and 'aria-describedby="why-submit"' in button
        why = re.search(r'<p class="why small" id="why-submit" data-testid="why-submit">([^<]*)</p>', html).group(1)
        assert why == "第1期进展报告逾期未交，请先补报。"
        owner.post(page, {**FORM, "action": "submit"})  # forced: the draft is saved, the submission refused
        assert "第1期进展报告逾期未交" in owner.get(page).content.decode()
    assert AcceptanceApplication.objects.get(cultivation=c).state == "draft"
