"""Read-only admin for the reference data: it is changed only by the load_* commands."""

from django.contrib import admin

from .models import Division, Industry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Division)
class DivisionAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "parent",
        "province_code",
        "city_code",
        "is_separately_planned",
        "is_xpcc",
        "is_development_zone",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["level", "is_separately_planned", "is_xpcc", "is_development_zone"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    list_per_page = 100


@admin.register(Industry)
class IndustryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "section", "is_industrial", "source_version"]
    list_filter = ["level", "section", "is_industrial"]
    search_fields = ["code", "name"]
    list_per_page = 100
