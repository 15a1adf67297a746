"""Valid, deterministic 统一社会信用代码 for demo and test data (GB 32100-2015 with a GB 11714
organisation code inside), so demo enterprises pass the same validation as real ones."""

from __future__ import annotations

from stdnum.cn import uscc as stdnum_uscc

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code(serial: int) -> str:
    """A GB 11714 organisation code (8 characters + check character) from a number."""
    body = f"{serial % 100_000_000:08d}"
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_uscc(division_code: str, serial: int, *, kind: str = "91") -> str:
    """kind 91 = enterprise registered with market regulation; the division is the registering county."""
    first17 = f"{kind}{division_code}{organisation_code(serial)}"
    return first17 + stdnum_uscc.calc_check_digit(first17)
