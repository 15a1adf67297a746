"""Read-only admin of the e-mail outbox, for operations: what is pending, sent or given up, and why."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutboxEmail


class DeliveryFilter(admin.SimpleListFilter):
    title = _("发送情况")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("pending", _("待发送")), ("sent", _("已发送")), ("failed", _("发送失败"))]

    def queryset(self, request, queryset):
        match self.value():
            case "pending":
                return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
            case "sent":
                return queryset.filter(sent_at__isnull=False)
            case "failed":
                return queryset.filter(failed_at__isnull=False)
        return queryset


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """Nobody adds, edits or deletes an outbox row here: notify() writes them, the sender updates them."""

    list_display = ["pk", "created_at", "address", "kind", "subject", "attempts", "next_attempt_at", "sent_at",
                    "failed_at", "last_error"]
    list_filter = [DeliveryFilter, "kind"]
    search_fields = ["address", "subject", "user__username"]
    list_select_related = ["user"]
    list_per_page = 100
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
