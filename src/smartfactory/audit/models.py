"""The append-only audit log.

Every state change in the platform writes one ``AuditEvent`` in the same transaction as the change
(see ``services.record_event``). Rows are hash-chained (SM3 over the previous hash and the row's
canonical content) and database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL);
the triggers stop application mistakes, the chain makes tampering by anyone else visible
(``manage.py verify_audit``).

Note for migrations: on SQLite, altering this table rebuilds it and drops its triggers; a migration
that alters it must re-create them (see 0002_append_only_triggers).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("序号"), unique=True)
    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.CharField(_("操作人ID"), max_length=64, blank=True, db_index=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=80, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    ip = models.CharField(_("来源IP"), max_length=45, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
