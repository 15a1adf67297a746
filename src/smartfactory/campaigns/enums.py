from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Deadlines of one campaign, in the order they fall. Each review stage is the deadline by which
    that level must have finished its review and forwarded upward."""

    ENTERPRISE_SUBMISSION = "enterprise_submission", _("企业线上申报")
    COUNTY_REVIEW = "county_review", _("区县审核推荐")
    CITY_REVIEW = "city_review", _("市（州）审核推荐")
    PROVINCE_REVIEW = "province_review", _("省级审核推荐")
    RECOMMENDER_ONLINE_REVIEW = "recommender_online_review", _("推荐单位线上审核")
    PAPER_DELIVERY = "paper_delivery", _("纸质材料报送")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


# The application states (``applications.enums.State``) in which a recommendation draws on its quota
# and stays in its batch after the national decision: recommended, then awarded, cultivating or not
# selected. Kept with the quota because campaigns comes before applications in the app order.
QUOTA_STATES = ("recommended", "awarded", "cultivating", "not_selected")
