"""The application shell's menu: a sidebar grouped by task (待办 · 申报与审核 · 推荐 · 国家评审 · 培育 ·
监督 · 设置; 统计 comes with the dashboards), each link shown only to the roles that can use it.

Visibility is decided from the signed-in user's memberships, which the page has loaded already
(``organisations.rules.active_memberships``, cached on the user): the menu costs no query. Each
predicate is the one the page itself uses to answer 404, so a shown link never leads nowhere
(``tests/console/test_menu.py`` walks every link of every role and expects 200)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smartfactory.organisations.enums import Role
from smartfactory.organisations.rules import (
    active_memberships,
    is_lead_ministry_staff,
    is_ministry_staff,
    is_platform_admin,
    works_on_cultivation,
    works_on_evaluations,
    works_on_paper,
    works_on_recommendations,
)

ENTERPRISE_ROLES = (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER)
OFFICIAL_ROLES = (Role.AUTHORITY_REVIEWER, Role.AUTHORITY_LEADER, Role.MINISTRY_STAFF)


def _roles(user) -> set[str]:
    return {m.role for m in active_memberships(user)}


def everyone(user) -> bool:
    return True


def enterprise(user) -> bool:
    return bool(_roles(user) & set(ENTERPRISE_ROLES))


def official(user) -> bool:
    """Reviewers, leaders and ministry staff of an authority, and platform admins."""
    return is_platform_admin(user) or any(m.authority_id and m.role in OFFICIAL_ROLES for m in active_memberships(user))


def official_not_admin(user) -> bool:
    return any(m.authority_id and m.role in OFFICIAL_ROLES for m in active_memberships(user))


def manages_accounts(user) -> bool:
    """Leaders and ministry staff manage the accounts of their authority and those below it."""
    return is_platform_admin(user) or bool(_roles(user) & {Role.AUTHORITY_LEADER, Role.MINISTRY_STAFF})


def expert(user) -> bool:
    return Role.EXPERT in _roles(user)


def evaluations_desk(user) -> bool:
    """The evaluation inbox; an expert has their own desk instead."""
    return works_on_evaluations(user) and not (expert(user) and not is_lead_ministry_staff(user))


def miit(user) -> bool:
    return is_lead_ministry_staff(user)


def ministry_or_admin(user) -> bool:
    return is_platform_admin(user) or is_ministry_staff(user)


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    visible: Callable[[object], bool]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


SECTIONS: list[tuple[str, list[Link]]] = [
    (_("待办"), [
        Link(_("我的待办"), "todo", everyone),
        Link(_("通知"), "notifications:inbox", everyone),
    ]),
    (_("申报与审核"), [
        Link(_("我的企业与申报"), "portal:home", enterprise),
        Link(_("层级申报审核"), "console:applications", official),
        Link(_("基础级声明"), "console:declarations", official),
        Link(_("先进级认定名单"), "console:certified", official),
        Link(_("先进级名单报送"), "console:advanced_lists", official_not_admin),
        Link(_("企业"), "console:enterprises", official),
        Link(_("企业信息变更"), "console:enterprise_changes", official),
        Link(_("纸质材料"), "console:paper", works_on_paper),
    ]),
    (_("推荐"), [
        Link(_("推荐与排序"), "console:recommendations", works_on_recommendations),
    ]),
    (_("国家评审"), [
        Link(_("国家评审"), "console:evaluations", evaluations_desk),
        Link(_("我的评审任务"), "console:expert_desk", expert),
        Link(_("专家库"), "console:expert_pool", miit),
        Link(_("案例库管理"), "publicsite:manage_cases", miit),
    ]),
    (_("培育"), [
        Link(_("领航级培育"), "cultivation_list", works_on_cultivation),
    ]),
    (_("监督"), [
        Link(_("监督事项"), "supervision_console:cases", official),
        Link(_("年度复核"), "supervision_console:rechecks", official),
        Link(_("监督与复核"), "supervision_portal:home", enterprise),
    ]),
    (_("设置"), [
        Link(_("年度行动"), "console:campaigns", official),
        Link(_("账号管理"), "console:users", manages_accounts),
        Link(_("通知设置"), "notifications:preferences", everyone),
        Link(_("系统管理"), "admin:index", is_platform_admin),
    ]),
]


def menu_for(user, path: str = "") -> list[dict]:
    """The sections this user sees, each with its links; ``current`` marks the link whose page
    (or a page below it) is shown."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = [(title, [link for link in items if link.visible(user)]) for title, items in SECTIONS]
    urls = [link.url for _title, items in links for link in items]
    best = max((u for u in urls if path.startswith(u)), key=len, default=None)
    return [{"title": title, "links": [{"label": link.label, "url": link.url, "current": link.url == best}
                                       for link in items]}
            for title, items in links if items]


def trail(menu: list[dict], path: str) -> list[dict]:
    """Breadcrumbs from the menu: 首页 › the section › the current link (a link itself when the page
    is below it, e.g. one application of the review queue)."""
    for section in menu:
        for link in section["links"]:
            if link["current"]:
                crumbs = [{"label": _("首页"), "url": reverse("home")}]
                if str(section["title"]) != str(link["label"]):  # 国家评审 › 国家评审 says it once
                    crumbs.append({"label": section["title"], "url": ""})
                return [*crumbs, {"label": link["label"], "url": link["url"] if path != link["url"] else ""}]
    return []


def menu(request) -> dict:
    """Context processor: ``menu`` for the shell's sidebar, ``menu_trail`` for the breadcrumbs and
    ``page_title`` (the current link's label) for the window title of pages that set none."""
    user = getattr(request, "user", None)
    if user is None:
        return {"menu": [], "menu_trail": [], "page_title": ""}
    sections = menu_for(user, request.path)
    crumbs = trail(sections, request.path)
    return {"menu": sections, "menu_trail": crumbs, "page_title": crumbs[-1]["label"] if crumbs else ""}
