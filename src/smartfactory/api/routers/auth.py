from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from smartfactory.api.models import ApiToken
from smartfactory.api.schemas import ErrorOut
from smartfactory.audit.services import record_event

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


@router.post("/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token (same lockout rules as the login page)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return Status(429, {"code": "locked_out", "message": _("登录失败次数过多，账号已暂时锁定，请稍后再试。")})
    if user is None or not user.is_active:
        return Status(401, {"code": "bad_credentials", "message": _("用户名或密码错误。")})
    with transaction.atomic():
        token, raw = ApiToken.issue(user)
        record_event("auth.token_issued", actor=user, obj=user, after={"expires_at": token.expires_at.isoformat()})
    return Status(200, {"token": raw, "expires_at": token.expires_at.isoformat()})
