"""The campaign set-up pages (R24): nothing needs a database shell. MIIT opens and edits a year and
extends for one province; a province's leader sets its channel rule and review chains; anyone
else gets 404."""

from __future__ import annotations

import pytest

from smartfactory.audit.models import AuditEvent
from smartfactory.campaigns.models import Campaign, ChannelRule, DeadlineExtension, ReviewChain

pytestmark = pytest.mark.django_db


def test_ministry_opens_and_edits_a_campaign_on_the_pages(programme, client_for):
    staff = client_for(programme["staff"])
    assert "设立年度行动" in staff.get("/console/campaigns/").content.decode()
    form = {"year": "2051", "name": "2051年度行动", "notice_number": "", "framework_version": "2025",
            "tiers_open": ["advanced", "excellent"], "status": "planned"}
    response = staff.post("/console/campaigns/new/", form)
    assert response.status_code == 302 and response["Location"] == "/console/campaigns/2051/"
    again = staff.post("/console/campaigns/new/", form).content.decode()
    assert "每个年度只能设立一个年度行动" in again
    assert Campaign.objects.filter(year=2051).count() == 1
    staff.post("/console/campaigns/2051/edit/", {**form, "status": "open", "tiers_open": ["advanced"]})
    campaign = Campaign.objects.get(year=2051)
    assert (campaign.status, campaign.tiers_open) == ("open", ["advanced"])
    back = staff.post("/console/campaigns/2051/edit/", {**form, "status": "planned"}).content.decode()
    assert "不能从" in back
    for page in ("/console/campaigns/new/", "/console/campaigns/2051/edit/", "/console/campaigns/2051/extensions/"):
        assert client_for(programme["sc_leader"]).get(page).status_code == 404


def test_ministry_extends_for_one_province_on_the_page(programme, client_for):
    staff = client_for(programme["staff"])
    url = "/console/campaigns/2044/extensions/"
    assert "四川省" in staff.get(url).content.decode()
    body = {"authority": str(programme["sichuan"].id), "stage": "enterprise_submission", "tier": "",
            "deadline": "2044-07-25T23:59", "reason": "工信厅函〔2044〕9号"}
    assert staff.post(url, {**body, "deadline": "2044-07-30T23:59"}).status_code == 200  # past the province's review
    assert not DeadlineExtension.objects.exists()
    assert staff.post(url, body).status_code == 302
    page = staff.get(url).content.decode()
    assert "工信厅函〔2044〕9号" in page and "2044-07-25 23:59:00" in page


def test_province_leader_sets_channel_rule_and_chain_on_the_page(programme, client_for):
    leader = client_for(programme["sc_leader"])
    assert "本省设置" in leader.get("/console/campaigns/2044/").content.decode()
    url = "/console/campaigns/2044/province/"
    page = leader.get(url).content.decode()
    assert "推荐渠道规则" in page and "审核链" in page
    leader.post(url, {"action": "channel", "authority": str(programme["sichuan"].id),
                      "channel-registered_in_province_only": "on", "channel-basis": "川经信智能函〔2044〕319号"})
    assert ChannelRule.objects.get().registered_in_province_only is True
    leader.post(url, {"action": "chain-advanced", "authority": str(programme["sichuan"].id),
                      "chain-advanced-levels": ["city", "province"]})
    assert ReviewChain.objects.get(tier="advanced").levels == ["city", "province"]
    refused = leader.post(url, {"action": "chain-excellent", "authority": str(programme["sichuan"].id),
                                "chain-excellent-levels": ["county", "city"]})
    assert "须以省级结束" in refused.content.decode()
    assert AuditEvent.objects.filter(action__in=["campaign.channel_rule_set", "campaign.review_chain_set"]).count() == 2
    for outsider in ("staff", "sc_reviewer", "ndrc_leader", "cd_leader"):
        assert client_for(programme[outsider]).get(url).status_code == 404
    zhejiang = client_for(programme["zj_leader"])
    own = zhejiang.get(url).content.decode()
    assert "浙江省" in own and "川经信智能函〔2044〕319号" not in own  # its own province, not Sichuan's
    assert zhejiang.get(url, {"authority": str(programme["sichuan"].id)}).status_code == 404
    assert zhejiang.post(url, {"action": "channel", "authority": str(programme["sichuan"].id),
                               "channel-basis": "x"}).status_code == 404
