"""factory_boy factories for the organisations (and accounts) app: authorities, enterprises, their
factories, tier awards, users and their memberships. The helper functions in ``tests.factories``
(``f.authority``, ``f.enterprise``, ``f.factory``, ``f.award``, ``f.user`` …) are thin wrappers over these."""

from __future__ import annotations

import itertools
from datetime import date

import factory as fb
from factory.django import DjangoModelFactory

from smartfactory.accounts.models import User
from smartfactory.demo.identifiers import make_uscc
from smartfactory.organisations.enums import AuthorityKind, AuthorityLevel, Department, LegalStatus
from smartfactory.organisations.models import Authority, Enterprise, Membership, TierAward
from smartfactory.organisations.models import Factory as Plant
from smartfactory.regions.models import Division

PASSWORD = "a-Strong-test-passw0rd"
_serial = itertools.count(500_000)


def next_serial() -> int:
    """A number no other row of this test run carries (names, USCCs)."""
    return next(_serial)


def division(code: str | None) -> Division | None:
    return Division.objects.get(code=code) if code else None


class UserFactory(DjangoModelFactory):
    """A user with the shared test password (``create_user`` hashes it)."""

    class Meta:
        model = User

    username = fb.LazyFunction(lambda: f"user{next_serial()}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class AuthorityFactory(DjangoModelFactory):
    """A government department; named after its division and department unless a name is given."""

    class Meta:
        model = Authority

    class Params:
        division_code = None
        serial = fb.LazyFunction(next_serial)

    kind = AuthorityKind.GOVERNMENT
    level = AuthorityLevel.PROVINCE
    department = Department.INDUSTRY
    is_lead = True
    parent = None
    division = fb.LazyAttribute(lambda o: division(o.division_code))
    name = fb.LazyAttribute(
        lambda o: f"{o.division.name if o.division else ''}{Department(o.department).label}{o.serial}")


class MinistryFactory(AuthorityFactory):
    name = "工业和信息化部"
    kind = AuthorityKind.MINISTRY
    level = AuthorityLevel.NATIONAL


class EnterpriseFactory(DjangoModelFactory):
    """An independent legal person registered in a county (武侯区 unless told), its USCC valid."""

    class Meta:
        model = Enterprise

    class Params:
        county_code = "510107"
        serial = fb.LazyFunction(next_serial)

    county = fb.LazyAttribute(lambda o: division(o.county_code))
    uscc = fb.LazyAttribute(lambda o: make_uscc(o.county.code, o.serial))
    name = fb.LazyAttribute(lambda o: f"测试企业{o.serial}")
    legal_status = LegalStatus.INDEPENDENT
    industry_id = "34"
    soe_group = None
    province_code = fb.LazyAttribute(lambda o: o.county.province_code)
    city_code = fb.LazyAttribute(lambda o: o.county.city_code)
    is_xpcc = fb.LazyAttribute(lambda o: o.county.is_xpcc)


class FactoryFactory(DjangoModelFactory):
    """A factory (the programme's unit of application) of an enterprise, in the enterprise's county."""

    class Meta:
        model = Plant

    enterprise = fb.SubFactory(EnterpriseFactory)
    name = fb.LazyAttribute(lambda o: f"{o.enterprise.name}一号工厂")
    county = fb.LazyAttribute(lambda o: o.enterprise.county)


class TierAwardFactory(DjangoModelFactory):
    """A tier award (not yet on any published list), awarded on 30 June of its year."""

    class Meta:
        model = TierAward

    factory = fb.SubFactory(FactoryFactory)
    tier = "basic"
    year = 2025
    authority = None
    awarded_on = fb.LazyAttribute(lambda o: date(o.year, 6, 30))


class MembershipFactory(DjangoModelFactory):
    """A user's role in an enterprise or an authority (active)."""

    class Meta:
        model = Membership

    user = fb.SubFactory(UserFactory)
    role = "enterprise_admin"
    enterprise = None
    authority = None
