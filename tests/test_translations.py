"""The English catalogue (src/smartfactory/locale/en/LC_MESSAGES/django.po) is complete and sound.

Chinese is the source language; every msgid must have an English msgstr, none may be fuzzy, and the
placeholders of each translation must be those of its msgid. The .po is parsed here (no gettext tools
needed). The checks that go through Django's translation machinery read the compiled django.mo,
which is not committed: this test does not compile it — `make messages` does, and `make test` runs
it before pytest. A missing or stale .mo fails with an instruction instead.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from smartfactory.campaigns.enums import Stage
from smartfactory.organisations.enums import Role, Tier

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# %(name)s / %(n)d, and bare %s / %d in python-format entries (where %% is a literal per cent sign);
# {{ var }} as written in templates (blocktranslate variables reach the .po as %(var)s).
NAMED = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
TEMPLATE_VAR = re.compile(r"\{\{\s*[\w.]+\s*\}\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # index 0 for a non-plural msgstr
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a PO string: {text!r}"
    return ast.literal_eval(text)  # PO escapes (\" \\ \n \t) are a subset of Python's


def parse_po(path: Path) -> list[Entry]:
    """A small PO reader: entries separated by blank lines, keywords with continuation strings."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def store(key: tuple[str, int | None], text: str) -> None:
        name, index = key
        if name == "msgstr":
            entry.msgstr[index or 0] = entry.msgstr.get(index or 0, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith("|"):
                continue
        elif line.startswith("#"):
            if entry is None:
                entry = Entry(line=number)
                entries.append(entry)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        entry.obsolete = entry.obsolete or obsolete
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation line outside an entry"
            store(target, _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            target = ("msgstr", int(match.group(1)))
        elif keyword in {"msgid", "msgid_plural", "msgctxt", "msgstr"}:
            target = (keyword, None)
            if keyword == "msgid_plural":
                entry.msgid_plural = ""
        else:
            raise AssertionError(f"{path}:{number}: unexpected PO line {raw!r}")
        store(target, _unquote(rest))
    return entries


def placeholders(text: str, *, python_format: bool) -> list[str]:
    found = [re.sub(r"\s+", "", var) for var in TEMPLATE_VAR.findall(text)]
    if python_format:
        text = text.replace("%%", "")
        found += NAMED.findall(text) + POSITIONAL.findall(NAMED.sub("", text))
    else:
        found += NAMED.findall(text)
    return sorted(found)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_FILE.is_file(), f"{PO_FILE} is missing: run makemessages -l en (see its header)"
    entries = parse_po(PO_FILE)
    assert entries and entries[0].msgid == "", "the PO header must come first"
    return entries


@pytest.fixture(scope="module")
def messages(catalogue) -> list[Entry]:
    """The translatable entries: not the header, not obsolete (#~) leftovers."""
    return [e for e in catalogue[1:] if not e.obsolete]


def test_header_declares_english_utf8_and_plurals(catalogue):
    header = catalogue[0].msgstr[0]
    assert "Language: en\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "fuzzy" not in catalogue[0].flags


def test_catalogue_is_not_empty(messages):
    assert len(messages) > 100
    msgids = [(e.msgctxt, e.msgid) for e in messages]
    assert len(msgids) == len(set(msgids)), "duplicate msgids"


def test_no_untranslated_entries(messages):
    untranslated = []
    for entry in messages:
        expected = {0, 1} if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected or not all(entry.msgstr.values()):
            untranslated.append(str(entry))
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_no_fuzzy_entries(messages):
    fuzzy = [str(e) for e in messages if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy (check the translation, then remove the flag):\n" + "\n".join(fuzzy)


def test_placeholders_are_kept(messages):
    wrong = []
    for entry in messages:
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        python_format = "python-format" in entry.flags
        for index, source in enumerate(sources):
            translated = entry.msgstr.get(index, "")
            expected, got = (placeholders(t, python_format=python_format) for t in (source, translated))
            if expected != got:
                wrong.append(f"{entry} → {translated!r}: {expected} ≠ {got}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_python_format_entries_are_flagged(messages):
    """Entries with %(name)s must carry python-format, so msgfmt --check-format checks them too."""
    unflagged = [str(e) for e in messages if re.search(r"%\(\w+\)", e.msgid) and "python-format" not in e.flags]
    assert not unflagged, "\n".join(unflagged)


def test_msgfmt_check_format_is_clean():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed; `make install-dev` installs it")
    result = subprocess.run(
        [msgfmt, "--check-format", "--output-file=/dev/null", str(PO_FILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.fixture
def english():
    """Django's translation of the catalogue; needs the compiled .mo (`make messages`)."""
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run make messages"
    assert MO_FILE.stat().st_mtime >= PO_FILE.stat().st_mtime, f"{MO_FILE} is older than django.po: run make messages"
    with translation.override("en"):
        yield


@pytest.mark.usefixtures("english")
def test_key_terms_translate():
    assert gettext("统一社会信用代码") == "Unified Social Credit Code"
    assert gettext("智能工厂梯度培育平台") == "Smart Factory Tiered Cultivation Platform"
    assert gettext("智能工厂梯度培育行动") == "Smart Factory Tiered Cultivation Campaign"
    assert gettext("规模以上工业企业") == "Industrial enterprise above designated size"
    assert gettext("计划单列市") == "Sub-provincial city with independent planning status"
    assert gettext("工作台") == "Work desk"
    assert gettext("截止时间") == "Deadline"
    assert gettext("主管部门") == "Competent authority"


@pytest.mark.usefixtures("english")
def test_enum_labels_translate():
    assert [str(label) for label in Tier.labels] == ["Basic tier", "Advanced tier", "Excellent tier", "Leading tier"]
    assert str(Role.ENTERPRISE_MEMBER.label) == "Enterprise member"
    assert str(Role.ENTERPRISE_ADMIN.label) == "Enterprise administrator"
    assert str(Role.MINISTRY_STAFF.label) == "Ministry staff"
    assert str(Role.PLATFORM_ADMIN.label) == "Platform administrator"
    assert str(Stage.CITY_REVIEW.label) == "City (prefecture) review and recommendation"


@pytest.mark.usefixtures("english")
def test_formatted_and_plural_messages():
    message = gettext("%(field)s应为18位，当前为%(n)d位。") % {"field": gettext("统一社会信用代码"), "n": 17}
    assert message == "Unified Social Credit Code must be 18 characters long (currently 17)."
    assert ngettext("共 %(n)s 家", "共 %(n)s 家", 1) % {"n": 1} == "1 enterprise in total"
    assert ngettext("共 %(n)s 家", "共 %(n)s 家", 3) % {"n": 3} == "3 enterprises in total"


@pytest.mark.usefixtures("english")
def test_language_names_stay_as_written():
    assert gettext("简体中文") == "简体中文"
    assert gettext("English") == "English"


def test_chinese_stays_the_source():
    with translation.override("zh-hans"):
        assert gettext("统一社会信用代码") == "统一社会信用代码"
        assert str(Tier.BASIC.label) == "基础级"
