"""Whom each application transition concerns and what they are told (the ``notify`` column of the
workflow table): the enterprise on every decision about its application, the next level when an
application arrives, the returning level when it comes back. Each notice links to the object and
says what to do and by when."""

from __future__ import annotations

from django.utils.translation import gettext as _

from smartfactory.campaigns.services import deadline_for, format_deadline
from smartfactory.notifications.services import authority_users, enterprise_users
from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Authority
from smartfactory.workflow import Notice

from .deadlines import level_stages, resubmission_deadline


def _portal(app) -> str:
    return f"/portal/applications/{app.pk}/"


def _console(app) -> str:
    return f"/console/applications/{app.pk}/"


def _what(app) -> str:
    return _("%(f)s的%(y)s年度%(t)s申报") % {"f": app.factory.name, "y": app.campaign.year, "t": Tier(app.tier).label}


def _level_deadline(app) -> str:
    """The current level's review deadline in words (the earliest that binds it), or empty."""
    found = [deadline_for(app.campaign, stage, tier=app.tier, **whose) for stage, whose in level_stages(app)]
    found = [d for d in found if d is not None]
    return _("请于%(d)s前完成审核。") % {"d": format_deadline(min(found))} if found else _("请及时审核。")


def _enterprise(app, kind: str, title: str, body: str) -> Notice:
    return Notice(enterprise_users(app.factory.enterprise), kind=kind, title=title, body=body, link=_portal(app))


def _arrived(app, kind: str, title: str) -> Notice:
    authority = app.current_authority
    return Notice(authority_users(authority) if authority else [], kind=kind, title=title,
                  body=_level_deadline(app), link=_console(app))


def on_submit(ctx) -> list[Notice]:
    app = ctx.app
    return [_arrived(app, "application.arrived", _("新的申报待审核：%(w)s") % {"w": _what(app)})]


def on_resubmit(ctx) -> list[Notice]:
    app = ctx.app
    return [_arrived(app, "application.resubmitted", _("退回的申报已重新提交：%(w)s") % {"w": _what(app)})]


def on_withdraw(ctx) -> list[Notice]:
    app = ctx.app
    authority = app.current_authority
    return [Notice(authority_users(authority) if authority else [], kind="application.withdrawn",
                   title=_("企业已撤回申报：%(w)s") % {"w": _what(app)}, body=_("无需再审核。"), link=_console(app))]


def on_approve(ctx) -> list[Notice]:
    app = ctx.app
    previous = Authority.objects.get(pk=app.chain[app.current_step - 1]["authority"]).name
    forwarded = _enterprise(app, "application.approved", _("申报已通过%(a)s审核：%(w)s") % {"a": previous, "w": _what(app)},
                            _("已报送%(n)s审核，无需操作。") % {"n": app.current_authority})
    return [forwarded, _arrived(app, "application.arrived", _("新的申报待审核：%(w)s") % {"w": _what(app)})]


def on_return(ctx) -> list[Notice]:
    app = ctx.app
    deadline = resubmission_deadline(app)
    by_when = (_("请按意见修改后于%(d)s前重新提交。") % {"d": format_deadline(deadline)} if deadline
               else _("请按意见修改后重新提交。"))
    return [_enterprise(app, "application.returned", _("申报被%(a)s退回：%(w)s") % {"a": app.current_authority, "w": _what(app)},
                        _("退回理由：%(r)s。%(b)s") % {"r": ctx.reason, "b": by_when})]


def on_reject(ctx) -> list[Notice]:
    app = ctx.app
    return [_enterprise(app, "application.rejected", _("申报未获%(a)s通过：%(w)s") % {"a": app.current_authority, "w": _what(app)},
                        _("理由：%(r)s") % {"r": ctx.reason})]


def on_recommend(ctx) -> list[Notice]:
    app = ctx.app
    return [_enterprise(app, "application.recommended", _("申报已获推荐：%(w)s") % {"w": _what(app)},
                        _("%(a)s已在推荐名额内推荐（推荐顺序第%(p)s位），等待报送工业和信息化部评审。")
                        % {"a": app.current_authority, "p": app.priority})]


def on_certify(ctx) -> list[Notice]:
    app = ctx.app
    return [_enterprise(app, "application.certified", _("已认定为先进级智能工厂：%(f)s") % {"f": app.factory.name},
                        _("认定单位：%(a)s；证书编号：%(c)s") % {"a": app.current_authority, "c": app.certificate_no})]


def on_national_decline(ctx) -> list[Notice]:
    app = ctx.app
    return [_enterprise(app, "application.declined", _("国家评审未通过：%(w)s") % {"w": _what(app)},
                        _("理由：%(r)s") % {"r": ctx.reason} if ctx.reason else "")]
