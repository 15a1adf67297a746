from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from smartfactory.audit.services import record_event

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("平台"), {"fields": ("display_name",)}))
    list_display = ["username", "display_name", "email", "is_active", "last_login"]

    def save_model(self, request, obj, form, change):
        """Account changes made in the admin are audited like any other (never the password)."""
        fields = sorted(set(form.changed_data) - {"password", "password1", "password2"})
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_event(
                "user.admin_change" if change else "user.admin_create", actor=request.user, obj=obj,
                after={f: str(getattr(obj, f, "")) for f in fields if f not in ("groups", "user_permissions")},
            )

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, never deleted (their audit trail stays attributable)
