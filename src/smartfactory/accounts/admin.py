from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("平台", {"fields": ("display_name",)}))
    list_display = ["username", "display_name", "email", "is_active", "last_login"]
