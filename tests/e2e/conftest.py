"""Browser end-to-end tests: a real gunicorn server on its own database, driven by the system Chromium.

The server is a separate process (not pytest-django's live_server): the audit table refuses
DELETE/TRUNCATE, so Django's flush between tests cannot work. The session builds a database of its
own — a temporary SQLite file, or a fresh PostgreSQL database when DATABASE_URL points at one —
migrates it, loads the reference data and the demo world, and serves it with gunicorn. Tests talk
to it only through the browser and the HTTP API.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from smartfactory.demo.identifiers import make_uscc

ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = ROOT / "test-results"
VENDOR_HTMX = ROOT / "src" / "smartfactory" / "static" / "vendor" / "htmx.min.js"
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
DEMO_ENTERPRISE_USCC = make_uscc("510107", 1)
DEMO_ENTERPRISE_NAME = "蜀都智能装备制造有限公司"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
STARTUP_TIMEOUT = 30.0  # seconds for gunicorn to answer /accounts/login/
DEFAULT_TIMEOUT_MS = 10_000  # Playwright actions and expectations


def _venv_bin() -> Path:
    venv = ROOT / ".venv" / "bin"
    return venv if (venv / "python").exists() else Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail(f"e2e setup: {what} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}",
                    pytrace=False)


# --------------------------------------------------------------------------- the database
@pytest.fixture(scope="session")
def e2e_database_url() -> Iterator[str | None]:
    """None for SQLite (the file lives in the server's var dir), else the URL of a fresh PostgreSQL
    database created for this session and dropped (WITH (FORCE)) at its end."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    parsed = urlparse(url)
    name = f"smartfactory_e2e_{os.getpid()}"
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- the server
@pytest.fixture(scope="session")
def live_url(e2e_database_url: str | None) -> Iterator[str]:
    """Base URL (no trailing slash) of a gunicorn server on a freshly seeded demo world: two worker
    processes of eight threads each, so that parallel tests really run up to 16 requests at once."""
    if not VENDOR_HTMX.exists():
        pytest.fail(f"e2e: vendored static files are missing ({VENDOR_HTMX.relative_to(ROOT)}); run `make static` first.",
                    pytrace=False)
    venv = _venv_bin()
    with tempfile.TemporaryDirectory(prefix="smartfactory-e2e-") as var_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "MEDIA_ROOT"}}
        env.update({
            "SMARTFACTORY_VAR_DIR": var_dir, "SMARTFACTORY_TESTING": "1", "SMARTFACTORY_DEMO": "1",
            "SMARTFACTORY_HTTPS": "0", "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "smartfactory.settings",
        })
        if e2e_database_url:
            env["DATABASE_URL"] = e2e_database_url
        else:
            env.pop("DATABASE_URL", None)
        python = str(venv / "python")
        _run([python, "manage.py", "migrate", "--noinput"], env, "manage.py migrate")
        _run([python, "manage.py", "load_reference"], env, "manage.py load_reference")
        _run([python, "manage.py", "seed_demo"], env, "manage.py seed_demo")

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = Path(var_dir) / "gunicorn.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [str(venv / "gunicorn"), "smartfactory.wsgi:application", "--pythonpath", "src",
                 "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "8", "--graceful-timeout", "5"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_up(server, f"{base}/accounts/login/", log_path)
                yield base
            finally:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=5)


def _wait_until_up(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"e2e: gunicorn exited with {server.returncode}:\n{log_path.read_text()[-3000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except urllib.error.HTTPError as error:
            error.close()
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"e2e: {url} did not answer 200 within {STARTUP_TIMEOUT:.0f} s:\n{log_path.read_text()[-3000:]}",
                pytrace=False)


# --------------------------------------------------------------------------- the API
@dataclass
class ApiClient:
    """Minimal JSON client for /api/v1 (stateless: no cookies, bearer tokens only)."""

    base: str

    def call(self, method: str, path: str, *, token: str | None = None, body: dict | None = None) -> tuple[int, object]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(  # noqa: S310 - our own local server
            f"{self.base}/api/v1{path}", data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=15) as response:  # noqa: S310 - our own local server
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _json(error.read())

    def token(self, username: str, password: str) -> str:
        status, body = self.call("POST", "/auth/token", body={"username": username, "password": password})
        assert status == 200, f"token for {username}: {status} {body}"
        return body["token"]

    def get(self, path: str, token: str, **params: str) -> tuple[int, object]:
        query = f"?{urlencode(params)}" if params else ""
        return self.call("GET", f"{quote(path)}{query}", token=token)


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw.decode() or "null")
    except ValueError:
        return raw.decode(errors="replace")


@pytest.fixture(scope="session")
def api(live_url: str) -> ApiClient:
    return ApiClient(live_url)


# --------------------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("e2e: the system Chromium (Debian package `chromium`) is not installed; run `make system-deps`.",
                    pytrace=False)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser, live_url, request) -> Iterator[Callable[[], object]]:
    """Factory of pages, each in its own browser context (its own cookies, so its own login). A
    confirmation the page asks is accepted and its text kept in ``page.confirmed``. On failure every page of the test is saved as a screenshot under test-results/."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.confirmed = []  # the confirmations the page asked (data-confirm): each is read and accepted

        def accept(dialog):
            page.confirmed.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        return page

    yield make
    call_report = getattr(request.node, "rep_call", None)
    if call_report is not None and call_report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(RESULTS_DIR / f"{stem}-{i}-{j}.png"), full_page=True)
                except Exception as error:  # a failed screenshot must not hide the test's failure
                    print(f"screenshot failed: {error}", file=sys.stderr)  # noqa: T201
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# --------------------------------------------------------------------------- helpers for tests
def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def fresh_uscc(county: str = "510107") -> str:
    """A valid USCC nobody has used: demo data uses serials below 1 000 000."""
    return make_uscc(county, 10_000_000 + uuid.uuid4().int % 89_000_000)


def wrong_check_digit(uscc: str) -> str:
    """The same code with a different (still well-formed) check character."""
    replacement = "0" if uscc[-1] != "0" else "1"
    return uscc[:-1] + replacement


def login(page, username: str, password: str = DEMO_PASSWORD):
    """Sign in through the login form; returns the response to the POST."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_response(lambda r: "/accounts/login/" in r.url and r.request.method == "POST") as info:
        page.get_by_role("button", name="登录", exact=True).click()
    return info.value


def login_ok(page, username: str, password: str = DEMO_PASSWORD, *, lands_on: str) -> None:
    """Sign in and wait for the landing page (a path such as "/portal/")."""
    login(page, username, password)
    page.wait_for_url(f"**{lands_on}")


def logout(page) -> None:
    page.get_by_role("button", name="退出", exact=True).click()
    page.wait_for_url("**/accounts/login/")


HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


def _select_when_settled(page, selector: str, label: str) -> None:
    """Select an option once htmx has finished swapping that list in (a selection made while htmx is
    still settling the swapped options can be lost), and confirm it stuck."""
    page.locator(f"{selector} option", has_text=label).first.wait_for(state="attached")
    page.wait_for_function(HTMX_IDLE)
    page.locator(selector).select_option(label=label)
    expect(page.locator(f"{selector} option:checked")).to_have_text(label)


def choose_location(page, province: str = "四川省", city: str = "成都市", county: str = "武侯区") -> None:
    """Province → city → county, waiting for each list htmx loads from /portal/regions/options/."""
    page.locator("#id_province").select_option(label=province)
    _select_when_settled(page, "#id_city", city)
    _select_when_settled(page, "#id_county", county)
    page.wait_for_function(HTMX_IDLE)
    expect(page.locator("#id_county option:checked")).to_have_text(county)


def fill_account(page, *, username: str, password: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_display_name").fill("测试联系人")
    page.locator("#id_email").fill(f"{username}@example.com")
    page.locator("#id_password").fill(password)
    page.locator("#id_password2").fill(password)


def submit_registration(page):
    with page.expect_response(lambda r: "/portal/register/" in r.url and r.request.method == "POST") as info:
        page.get_by_role("button", name="注册", exact=True).click()
    return info.value


def register_enterprise(page, *, username: str, password: str, uscc: str, name: str) -> None:
    """Register a new enterprise in 武侯区 through the form; ends on /portal/ signed in as its admin."""
    page.goto("/portal/register/")
    page.locator("#id_uscc").fill(uscc)
    page.locator("#id_name").fill(name)
    choose_location(page)
    page.locator("#id_industry").select_option(value="35")
    page.locator("#id_address").fill("四川省成都市武侯区测试路1号")
    fill_account(page, username=username, password=password)
    submit_registration(page)
    page.wait_for_url("**/portal/")
