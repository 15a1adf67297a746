"""Reads for a user: assessments and declarations in the user's jurisdiction (through the factory)."""

from __future__ import annotations

from django.db.models import QuerySet

from smartfactory.organisations.queries import jurisdiction_for

from .models import BasicDeclaration, SelfAssessment


def assessments_for_user(user) -> QuerySet[SelfAssessment]:
    j = jurisdiction_for(user)
    return SelfAssessment.objects.filter(j.enterprise_q("factory__enterprise__")).select_related(
        "factory", "factory__enterprise", "campaign"
    )


def declarations_for_user(user) -> QuerySet[BasicDeclaration]:
    j = jurisdiction_for(user)
    return BasicDeclaration.objects.filter(j.enterprise_q("factory__enterprise__")).select_related(
        "factory", "factory__enterprise", "factory__enterprise__county", "factory__enterprise__industry", "campaign"
    )
