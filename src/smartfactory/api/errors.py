"""Every API error is JSON ``{"code", "message"[, "field"]}`` with a Chinese message."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from smartfactory.errors import ProgrammeError


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "facts")]
    return ".".join(parts)


def install(api) -> None:
    @api.exception_handler(ProgrammeError)
    def programme_error(request, exc: ProgrammeError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, {"code": "not_found", "message": _("未找到该对象，或您无权访问。")}, status=404
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, {"code": "unauthenticated", "message": _("请先登录，或在 Authorization 头中提供有效的访问令牌。")},
            status=401,
        )

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        errors = [
            {"field": _field_of(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors
        ]
        first = errors[0]["field"] if errors else ""
        return api.create_response(
            request,
            {"code": "invalid_input", "message": _("提交的数据有误：%(f)s") % {"f": first or _("请求体")},
             "field": first, "errors": errors},
            status=422,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"code": "http_error", "message": str(exc)}, status=exc.status_code)
