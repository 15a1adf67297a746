"""Open data: the published list as CSV (UTF-8 with BOM, so Excel shows Chinese; cells a
spreadsheet could run as a formula are neutralised as in the XLSX writer) and as JSON with stable
English keys. Both stream, so a long list never sits in memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy as _

from smartfactory.documents.xlsx import neutralise

from .queries import ListFilters, award_row, province_names, published_awards

BOM = "\ufeff"
CHUNK = 2000
# (open-data key, column label): the keys are the JSON keys and never change; labels head the CSV
AWARD_FIELDS = [
    ("year", _("年度")),
    ("tier", _("层级代码")),
    ("tier_label", _("层级")),
    ("certificate_no", _("证书编号")),
    ("enterprise", _("企业名称")),
    ("uscc", _("统一社会信用代码")),
    ("factory", _("工厂名称")),
    ("province", _("省份")),
    ("province_code", _("省级区划代码")),
    ("region", _("所在地区")),
    ("industry", _("所属行业")),
    ("industry_code", _("行业代码")),
    ("published_on", _("公布日期")),
    ("current_name", _("现名称")),  # added in 2026 (issue 12): the name now, when renamed since publication
]


class _Echo:
    """A file-like object whose write returns the line (csv.writer into a streaming response)."""

    def write(self, value: str) -> str:
        return value


def award_rows(filters: ListFilters) -> Iterator[dict]:
    provinces = province_names()
    for award in published_awards(filters).iterator(chunk_size=CHUNK):
        yield award_row(award, provinces)


def csv_lines(rows: Iterable[dict], fields=AWARD_FIELDS) -> Iterator[str]:
    """The BOM, a header of Chinese labels, then one line per row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([str(label) for _key, label in fields])
    for row in rows:
        yield writer.writerow([neutralise(_cell(row.get(key))) for key, _label in fields])


def _cell(value) -> str:
    return "" if value is None else str(value)


def json_chunks(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array written piece by piece."""
    yield "["
    first = True
    for row in rows:
        yield ("" if first else ",") + json.dumps(row, ensure_ascii=False)
        first = False
    yield "]"
