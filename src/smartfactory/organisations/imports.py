"""Bulk import of the enterprise registry (and their factories): validated like a registration,
written in batches. Used by the import command, the demo world and the 500 k benchmark."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc as stdnum_uscc

from smartfactory.audit.services import record_event
from smartfactory.regions.models import Division, Industry

from .enums import AuthorityKind, LegalStatus
from .models import Authority, Enterprise, Factory
from .validators import clean_uscc, uscc_region_mismatch


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


def _uscc(value, **kwargs) -> str:
    """stdnum alone for a valid code; clean_uscc (translated, field-naming message) only to explain a bad one."""
    try:
        return stdnum_uscc.validate((value or "").strip())
    except stdnum_exceptions.ValidationError:
        return clean_uscc(value, **kwargs)  # raises


_ENTERPRISE_COLUMNS = (
    "id", "uscc", "name", "legal_status", "parent_uscc", "county_id", "industry_id", "above_designated_size",
    "address", "soe_group_id", "is_xpcc", "province_code", "city_code", "created_at",
)
_FACTORY_COLUMNS = ("id", "enterprise_id", "name", "county_id", "address", "main_products", "created_at")


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain tuples straight to the database (COPY on PostgreSQL, executemany elsewhere): like bulk_create
    (no save(), no signals, constraints checked by the database) without building a model instance and
    compiling SQL parameters per row."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table, cols = qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", rows)  # noqa: S608 (names from _meta)


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
    db_uuid = (lambda u: u) if connection.features.has_native_uuid_field else (lambda u: u.hex)
    result = ImportResult()
    row_no = 0
    for batch in _batches(rows, batch_size):
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        enterprises: list[tuple] = []
        factories: list[tuple[str, tuple]] = []  # (enterprise uscc, row)
        seen: set[str] = set()
        for row in batch:
            row_no += 1
            try:
                uscc = _uscc(row.get("uscc", ""))
                parent = _uscc(row["parent_uscc"], field_label=_("上级法人统一社会信用代码")) if row.get("parent_uscc") else ""
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
            elif reason := uscc_region_mismatch(uscc, county[0]):
                problem = ("county", reason)
            elif not (row.get("name") or "").strip():
                problem = ("name", _("企业名称不能为空"))
            elif uscc in seen:
                problem = ("uscc", _("文件中重复的统一社会信用代码"))
            if problem:
                result.errors.append((row_no, *problem))
                continue
            seen.add(uscc)
            province, city, xpcc = county
            enterprise_id = db_uuid(uuid.uuid4())
            soe_group = db_uuid(uuid.UUID(str(row["soe_group"]))) if row.get("soe_group") else None
            enterprises.append((
                enterprise_id, uscc, row["name"].strip()[:128], row["legal_status"], parent, str(row["county"]),
                str(row["industry"]), bool(row.get("above_designated_size", True)), (row.get("address") or "")[:255],
                soe_group, bool(row.get("is_xpcc", xpcc)), province, city, now,
            ))
            for f in row.get("factories") or []:
                factories.append((uscc, (
                    db_uuid(uuid.uuid4()), enterprise_id, f["name"][:128], str(f.get("county") or row["county"]),
                    (f.get("address") or "")[:255], (f.get("main_products") or "")[:255], now,
                )))
        with transaction.atomic():
            existing = set(Enterprise.objects.filter(uscc__in=[e[1] for e in enterprises]).values_list("uscc", flat=True))
            new = [e for e in enterprises if e[1] not in existing]
            new_factories = [f for u, f in factories if u not in existing]
            _insert(Enterprise, _ENTERPRISE_COLUMNS, new)
            _insert(Factory, _FACTORY_COLUMNS, new_factories)
            if new:
                record_event(
                    "enterprise.import", actor=actor, object_type="organisations.enterprise",
                    object_id=f"batch:{new[0][1]}", after={"created": len(new), "factories": len(new_factories)},
                )
        result.created += len(new)
        result.factories_created += len(new_factories)
        result.skipped_existing += len(existing)
    return result
