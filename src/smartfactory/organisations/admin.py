"""Admin for platform admins. Domain rows change only through services (audited), so the admin is
read-only for them; authorities are the exception and are saved through ``save_authority``."""

from django.contrib import admin

from smartfactory.regions.admin import ReadOnlyAdmin

from . import services
from .models import Authority, Enterprise, EnterpriseChange, Factory, Membership, TierAward
from .rules import is_platform_admin


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "department", "is_lead", "division", "parent"]
    list_filter = ["kind", "level", "department"]
    search_fields = ["name", "short_name", "division__code", "division__name"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["division"]
    fields = list(services.AUTHORITY_FIELDS)

    def save_model(self, request, obj, form, change):
        services.save_authority(obj, actor=request.user)

    def has_add_permission(self, request):
        return is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_platform_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "county", "industry", "soe_group", "is_xpcc"]
    list_filter = ["is_xpcc", "legal_status", "above_designated_size"]
    search_fields = ["name", "uscc"]
    list_select_related = ["county", "industry", "soe_group"]


@admin.register(Factory)
class FactoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "enterprise", "county"]
    search_fields = ["name", "enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "county"]


@admin.register(TierAward)
class TierAwardAdmin(ReadOnlyAdmin):
    list_display = ["factory", "year", "tier", "authority", "certificate_no", "status"]
    list_filter = ["tier", "year", "status"]
    search_fields = ["factory__name", "certificate_no"]
    list_select_related = ["factory", "authority"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "enterprise", "authority", "status", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__username", "enterprise__name", "authority__name"]
    list_select_related = ["user", "enterprise", "authority"]


@admin.register(EnterpriseChange)
class EnterpriseChangeAdmin(ReadOnlyAdmin):
    """Read-only: requests are filed and decided only through ``changes.py`` (audited)."""

    list_display = ["enterprise", "status", "authority", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["enterprise__name", "enterprise__uscc"]
    list_select_related = ["enterprise", "authority"]
