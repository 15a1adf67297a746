"""The programme's exception hierarchy. Services raise these; pages turn them into a message and
the API into JSON ``{"code", "message"}`` with the status below. Messages tell the user what to do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ProgrammeError(Exception):
    code = "programme_error"
    status = 400
    default_message = _("操作未能完成。")

    def __init__(self, message: str | None = None, *, field: str | None = None, **details):
        self.message = str(message or self.default_message)
        self.field = field
        self.details = details
        super().__init__(self.message)

    def as_html(self) -> str:
        """For a page: the message, and its reasons (``reasons=[...]``) as a list, one per line."""
        from django.utils.html import format_html, format_html_join

        reasons = [str(r) for r in self.details.get("reasons") or []]
        if len(reasons) < 2:
            return self.message
        return format_html('{}<ul class="reasons">{}</ul>', _("不符合以下条件："),
                           format_html_join("", "<li>{}</li>", ((r,) for r in reasons)))

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = {k: str(v) for k, v in self.details.items()}
        return body


class InvalidInput(ProgrammeError):
    code = "invalid_input"
    status = 422
    default_message = _("提交的内容有误，请按提示修改后重试。")


class NotPermitted(ProgrammeError):
    code = "not_permitted"
    status = 403
    default_message = _("您没有执行此操作的权限。")


class Conflict(ProgrammeError):
    code = "conflict"
    status = 409
    default_message = _("该内容已被他人修改，请刷新后再试。")


class DeadlinePassed(ProgrammeError):
    code = "deadline_passed"
    status = 409
    default_message = _("已超过截止时间，无法提交。")


class QuotaExceeded(ProgrammeError):
    code = "quota_exceeded"
    status = 409
    default_message = _("已达到推荐名额上限。")


class NotEligible(ProgrammeError):
    code = "not_eligible"
    status = 409
    default_message = _("不符合申报条件。")


class TransitionNotAllowed(ProgrammeError):
    code = "transition_not_allowed"
    status = 409
    default_message = _("当前状态下不能执行此操作。")
