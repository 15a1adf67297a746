from django.contrib import admin

from smartfactory.regions.admin import ReadOnlyAdmin

from .models import Campaign, DeadlineExtension, DeadlineOverride, StageDeadline


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


class DeadlineExtensionInline(ReadOnlyInline):
    model = DeadlineExtension


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    """Read-only: deadlines change through the campaign page (audited), never here."""

    list_display = ["year", "name", "framework_version", "status"]
    inlines = [StageDeadlineInline, DeadlineOverrideInline, DeadlineExtensionInline]
