"""XLSX tables: typed cells, Chinese header, frozen panes, and no cell ever stored as a formula."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from smartfactory.documents.xlsx import display_width, neutralise, write_table

COLUMNS = [("name", "企业名称"), ("code", "统一社会信用代码"), ("score", "得分"), ("date", "认定日期")]
DANGEROUS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://example.invalid")']


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def ooxml_text(value: str) -> str:
    """Decodes the OOXML ``_xHHHH_`` escape xlsxwriter uses for control characters (a CR here):
    Excel decodes it on reading, openpyxl leaves it as is."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), value)


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_prefixes_formula_starters(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["成都市精密制造有限公司", "a=b", "", " =1", "'quoted", 42, -3.5, None, dt.date(2025, 1, 1)]
)
def test_neutralise_leaves_the_rest(value):
    assert neutralise(value) is value


def test_title_header_rows_and_types():
    content = write_table(
        title="2025年四川省智能工厂（先进级）名单",
        columns=COLUMNS,
        rows=[
            {
                "name": "成都市精密制造有限公司",
                "code": "91510100MA6C000001",
                "score": 86.5,
                "date": dt.date(2025, 6, 30),
            },
            ("绵阳市电子科技有限公司", "91510700MA6C000002", 90, dt.date(2025, 7, 1)),
            {"name": "缺项企业"},  # missing keys are blank
        ],
        sheet_name="先进级",
        notes=["注：名单按得分排序。", "=not a formula"],
    )
    ws = load(content)
    assert ws.title == "先进级"
    assert ws["A1"].value == "2025年四川省智能工厂（先进级）名单"
    assert ws["A1"].font.b
    assert [c.value for c in ws[2]] == ["企业名称", "统一社会信用代码", "得分", "认定日期"]
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"

    assert [c.value for c in ws[3]][:3] == ["成都市精密制造有限公司", "91510100MA6C000001", 86.5]
    assert ws["C3"].data_type == "n"
    assert ws["D3"].value == dt.datetime(2025, 6, 30)  # a real date cell, shown yyyy-mm-dd
    assert ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["C4"].value == 90 and ws["C4"].data_type == "n"
    assert ws["B3"].data_type == "s"  # the credit code stays text, leading zeros and all
    assert [c.value for c in ws[5]] == ["缺项企业", None, None, None]

    assert ws["A7"].value == "注：名单按得分排序。"
    assert ws["A8"].value == "'=not a formula"

    # Chinese columns are sized for double-width characters
    assert ws.column_dimensions["A"].width >= display_width("成都市精密制造有限公司")
    assert ws.column_dimensions["C"].width < ws.column_dimensions["A"].width


def test_formula_like_strings_are_stored_as_neutralised_text():
    rows = [{"name": value, "code": value, "score": -5, "date": None} for value in DANGEROUS]
    content = write_table(title="=TITLE()", columns=COLUMNS, rows=rows)
    ws = load(content)
    for offset, value in enumerate(DANGEROUS):
        cell = ws.cell(row=3 + offset, column=1)
        # xlsxwriter stores the text with its leading quote (no quotePrefix style): openpyxl reads it
        # back as exactly that string, type "s", never "f"
        assert ooxml_text(cell.value) == "'" + value
        assert cell.data_type == "s"
        assert not cell.quotePrefix
        number = ws.cell(row=3 + offset, column=3)
        assert number.value == -5 and number.data_type == "n"
    assert ws["A1"].value == "'=TITLE()"
    xml = sheet_xml(content)
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere in the sheet


def test_typed_values():
    beijing = ZoneInfo("Asia/Shanghai")
    content = write_table(
        title="类型",
        columns=[("v", "值")],
        rows=[
            [Decimal("12.50")],
            [True],
            [dt.datetime(2025, 3, 1, 1, 30, tzinfo=dt.UTC)],
            [dt.datetime(2025, 3, 1, 9, 30, tzinfo=beijing)],
            [""],
            [float("nan")],
            [12345678901234567890],
        ],
    )
    ws = load(content)
    assert ws["A3"].value == 12.5
    assert ws["A4"].value is True
    # aware datetimes are written in the project's time zone (Beijing): 01:30 UTC is 09:30
    assert ws["A5"].value == dt.datetime(2025, 3, 1, 9, 30)
    assert ws["A6"].value == dt.datetime(2025, 3, 1, 9, 30)
    assert ws["A7"].value is None
    assert ws["A8"].value == "nan" and ws["A8"].data_type == "s"
    assert ws["A9"].data_type == "n"


def test_rows_are_streamed_from_a_generator():
    rows = ((i, f"企业{i}") for i in range(5000))
    ws = load(write_table(title="长表", columns=[("n", "序号"), ("name", "企业")], rows=rows))
    assert ws.max_row == 5002  # title, header, 5000 rows
    assert ws["A5002"].value == 4999
    assert ws["B5002"].value == "企业4999"


def test_row_shape_errors():
    with pytest.raises(ValueError, match="3 cells"):
        write_table(title="t", columns=[("a", "甲"), ("b", "乙")], rows=[(1, 2, 3)])
    with pytest.raises(TypeError):
        write_table(title="t", columns=[("a", "甲")], rows=["not a row"])


def test_sheet_name_is_made_valid():
    ws = load(
        write_table(title="t", columns=[("a", "甲")], rows=[], sheet_name="2025/先进级:[名单]*" + "长" * 40)
    )
    assert len(ws.title) <= 31
    assert not set("[]:*?/\\") & set(ws.title)


def test_display_width():
    assert display_width("abc") == 3
    assert display_width("企业名称") == 8
    assert display_width("（先进级）") == 10
