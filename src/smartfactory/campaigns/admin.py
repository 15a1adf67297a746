from django.contrib import admin

from .models import Campaign, DeadlineOverride, StageDeadline


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StageDeadlineInline(ReadOnlyInline):
    model = StageDeadline


class DeadlineOverrideInline(ReadOnlyInline):
    model = DeadlineOverride


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Read-only: deadlines change through the campaign page (audited), never here."""

    list_display = ["year", "name", "framework_version", "status"]
    inlines = [StageDeadlineInline, DeadlineOverrideInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
