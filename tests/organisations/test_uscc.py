from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from smartfactory.demo.identifiers import make_uscc, organisation_code
from smartfactory.organisations.validators import clean_uscc

VALID = "91110000600037341L"
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_valid_uscc_is_compacted():
    assert clean_uscc("9111 0000 6000 3734 1l") == VALID


@pytest.mark.parametrize(("value", "code", "text"), [
    ("91110000600037341M", "uscc_checksum", "统一社会信用代码校验位错误"),
    ("9111000060003734", "uscc_length", "统一社会信用代码应为18位，当前为16位"),
    ("9111000O600037341L", "uscc_format", "统一社会信用代码格式不正确"),
    ("", "required", "统一社会信用代码不能为空"),
])
def test_bad_uscc_gives_chinese_error_naming_the_field(value, code, text):
    with pytest.raises(ValidationError) as exc:
        clean_uscc(value)
    assert exc.value.code == code
    assert text in exc.value.messages[0]


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from(["510107", "330203", "659001"]))
def test_generated_usccs_are_valid(serial, county):
    value = make_uscc(county, serial)
    assert clean_uscc(value) == value
    assert value[2:8] == county
    assert organisation_code(serial) == value[8:17]


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from(ALPHABET))
def test_every_wrong_check_digit_is_detected(serial, replacement):
    value = make_uscc("510107", serial)
    if replacement == value[-1]:
        return
    with pytest.raises(ValidationError):
        clean_uscc(value[:-1] + replacement)
    assert stdnum_uscc.calc_check_digit(value[:17]) == value[-1]
