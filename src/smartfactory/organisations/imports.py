"""Bulk import of the enterprise registry (and their factories): validated like a registration,
written in batches. Used by the import command, the demo world and the 500 k benchmark."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smartfactory.audit.services import record_event
from smartfactory.regions.models import Division, Industry

from .enums import AuthorityKind, LegalStatus
from .models import Authority, Enterprise, Factory
from .validators import clean_uscc


@dataclass
class ImportResult:
    created: int = 0
    factories_created: int = 0
    skipped_existing: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, field, message)


def _batches(iterable: Iterable, size: int) -> Iterator[list]:
    it = iter(iterable)
    while batch := list(islice(it, size)):
        yield batch


def import_enterprises(rows: Iterable[dict], *, actor, batch_size: int = 5000) -> ImportResult:
    """Each row: uscc, name, legal_status, parent_uscc?, county, industry, above_designated_size?,
    address?, soe_group? (authority id), factories? [{name, county?, address?, main_products?}].

    Rows failing validation are reported with their row number and field and not written; USCCs
    already registered are skipped (never overwritten). Each batch commits on its own with one
    audit event listing how many were created.
    """
    counties = {
        code: (province, city, xpcc)
        for code, province, city, xpcc in Division.objects.filter(level="county", valid_to__isnull=True).values_list(
            "code", "province_code", "city_code", "is_xpcc"
        )
    }
    industries = set(Industry.objects.filter(level="division", is_industrial=True).values_list("code", flat=True))
    soe_groups = {str(pk) for pk in Authority.objects.filter(kind=AuthorityKind.CENTRAL_SOE).values_list("pk", flat=True)}
    result = ImportResult()
    row_no = 0
    for batch in _batches(rows, batch_size):
        enterprises: list[Enterprise] = []
        factories: list[Factory] = []
        seen: set[str] = set()
        for row in batch:
            row_no += 1
            try:
                uscc = clean_uscc(row.get("uscc", ""))
                parent = clean_uscc(row["parent_uscc"], field_label=_("上级法人统一社会信用代码")) if row.get("parent_uscc") else ""
            except ValidationError as e:
                result.errors.append((row_no, "uscc", " ".join(e.messages)))
                continue
            county = counties.get(str(row.get("county", "")))
            problem = None
            if county is None:
                problem = ("county", _("区县代码无效"))
            elif str(row.get("industry", "")) not in industries:
                problem = ("industry", _("行业大类代码无效"))
            elif row.get("legal_status") not in LegalStatus.values:
                problem = ("legal_status", _("法人类型无效"))
            elif (row["legal_status"] == LegalStatus.BRANCH) != bool(parent):
                problem = ("parent_uscc", _("分支机构须且仅须填写上级法人统一社会信用代码"))
            elif row.get("soe_group") and str(row["soe_group"]) not in soe_groups:
                problem = ("soe_group", _("中央企业集团无效"))
            elif not (row.get("name") or "").strip():
                problem = ("name", _("企业名称不能为空"))
            elif uscc in seen:
                problem = ("uscc", _("文件中重复的统一社会信用代码"))
            if problem:
                result.errors.append((row_no, *problem))
                continue
            seen.add(uscc)
            province, city, xpcc = county
            enterprise = Enterprise(
                uscc=uscc, name=row["name"].strip()[:128], legal_status=row["legal_status"], parent_uscc=parent,
                county_id=row["county"], industry_id=str(row["industry"]),
                above_designated_size=bool(row.get("above_designated_size", True)), address=(row.get("address") or "")[:255],
                soe_group_id=row.get("soe_group") or None, is_xpcc=bool(row.get("is_xpcc", xpcc)),
                province_code=province, city_code=city,
            )
            enterprises.append(enterprise)
            for f in row.get("factories") or []:
                factories.append(Factory(
                    enterprise=enterprise, name=f["name"][:128], county_id=f.get("county") or row["county"],
                    address=(f.get("address") or "")[:255], main_products=(f.get("main_products") or "")[:255],
                ))
        with transaction.atomic():
            existing = set(Enterprise.objects.filter(uscc__in=[e.uscc for e in enterprises]).values_list("uscc", flat=True))
            new = [e for e in enterprises if e.uscc not in existing]
            new_ids = {id(e) for e in new}
            Enterprise.objects.bulk_create(new, batch_size=1000)
            new_factories = [f for f in factories if id(f.enterprise) in new_ids]
            for f in new_factories:
                f.enterprise_id = f.enterprise.pk
            Factory.objects.bulk_create(new_factories, batch_size=1000)
            if new:
                record_event(
                    "enterprise.import", actor=actor, object_type="organisations.enterprise",
                    object_id=f"batch:{new[0].uscc}", after={"created": len(new), "factories": len(new_factories)},
                )
        result.created += len(new)
        result.factories_created += len(new_factories)
        result.skipped_existing += len(existing)
    return result
