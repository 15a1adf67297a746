"""Certificate numbers of the 先进级 certified by a province or a central-SOE group:
``<prefix><tier>〔<year>〕NNNN号``, numbered on from the tier history — every award that authority's
prefix carries in that year, imported history included — never from this campaign's applications
alone (which once gave two factories 川先进〔2025〕0001号). The database keeps each non-empty number
unique (``organisations.TierAward``), and ``organisations.services.certificate_no_unused`` refuses a
taken one before any award is written, with a message instead of an integrity error."""

from __future__ import annotations

import re

from smartfactory.organisations.enums import Tier
from smartfactory.organisations.models import Authority, TierAward


def next_certificate_no(authority: Authority, *, tier: str, year: int) -> str:
    """The next free number for ``authority``'s prefix in ``year``. The caller holds the authority's
    row lock, which serialises numbering."""
    prefix = f"{authority.short_name or authority.name[:2]}{Tier(tier).label[:2]}〔{year}〕"
    pattern = re.compile(re.escape(prefix) + r"(\d+)号$")
    taken = TierAward.objects.filter(certificate_no__startswith=prefix).values_list("certificate_no", flat=True)
    serials = [int(m.group(1)) for m in map(pattern.match, taken) if m]
    return f"{prefix}{max(serials, default=0) + 1:04d}号"

