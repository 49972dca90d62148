"""Browser journeys against a real server started the way `make run` starts it (daphne, demo data).

Playwright drives Debian's chromium (never `playwright install`). The server is a separate process,
so these tests use no pytest-django database: they see the application only through the browser.
Every page runs under the application's real Content-Security-Policy, and a test fails on any violation.
With DATABASE_URL/REDIS_URL in the environment the same journeys run against the scale-out mode.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop in this thread

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason="Debian chromium is not installed (apt-get install -y chromium)")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True, text=True, timeout=300)


def _serve(work: Path, *, seed: bool, admin_password: str = "", embedded: bool = False):
    """Migrate, optionally seed, collect static and start daphne on a free port: like `make run` (seed) or a new
    installation (migrate, and the platform's administrator created by Django's own command)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_SETTINGS")
           and not (embedded and k in ("DATABASE_URL", "REDIS_URL"))}
    env.update({
        "APP_ENV": "demo",
        "DJANGO_SETTINGS_MODULE": "exam_platform.settings",
        "LOCAL_SECRETS_FILE": str(work / "secrets.env"),
        "STATIC_ROOT": str(work / "static"),
        "PRIVATE_UPLOAD_ROOT": str(work / "uploads"),
        "EXAM_SAVE_GRACE_SECONDS": "2",  # the browser journeys wait for a deadline; keep the grace short
    })
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(work / "db.sqlite3")
    _manage(env, "migrate", "--noinput", "-v0")
    if seed:
        _manage(env, "seed_demo")
    if admin_password:
        _manage({**env, "DJANGO_SUPERUSER_USERNAME": "quantri", "DJANGO_SUPERUSER_PASSWORD": admin_password,
                 "DJANGO_SUPERUSER_EMAIL": "quantri@example.gov.vn"}, "createsuperuser", "--noinput")
    _manage(env, "collectstatic", "--noinput", "-v0")
    port = _free_port()
    log = open(work / "daphne.log", "w")  # noqa: SIM115 - closed at teardown
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "exam_platform.asgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/livez", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError((work / "daphne.log").read_text()) from None
            time.sleep(0.2)
    return server, log, base, env


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """A demo server on a free port: migrated, seeded, static collected, like `make run`."""
    work = tmp_path_factory.mktemp("live")
    server, log, base, env = _serve(work, seed=True)
    password = dict(line.split("=", 1) for line in (work / "secrets.env").read_text().splitlines())["DEMO_PASSWORD"]
    yield {"url": base, "password": password, "work": work, "env": env}
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def empty_app(tmp_path_factory):
    """A new installation: migrated, no demo data; only the administrator's account exists (created at install
    with Django's createsuperuser). Everything else is done through the pages."""
    work = tmp_path_factory.mktemp("empty")
    password = "Quan-tri-" + os.urandom(6).hex()
    server, log, base, env = _serve(work, seed=False, admin_password=password, embedded=True)
    yield {"url": base, "admin_password": password, "work": work, "env": env}
    server.terminate()
    server.wait(timeout=10)
    log.close()


# Runs in every page before its own scripts (Playwright's init scripts are not subject to the page's policy): each
# violation is kept in the page and reported at once to the test, so one on a page the test has since left counts too.
CSP_LISTENER = """
(() => {
  const kept = window.__cspViolations = [];
  const delivered = window.__cspDelivered = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    const element = e.target instanceof Element ? " in " + e.target.outerHTML.slice(0, 160) : "";
    const report = e.documentURI + ": " + e.effectiveDirective + " refused " + (e.blockedURI || "?") + " at "
      + (e.sourceFile || "?") + ":" + e.lineNumber + (e.sample ? " (" + e.sample + ")" : "") + element;
    kept.push(report);
    // The binding answers once the test has the report: collect() waits for every answer.
    if (window.__reportCspViolation) delivered.push(window.__reportCspViolation(report));
  }, true);
})();
"""


class CspWatch:
    """Collects the Content-Security-Policy violations of every page opened in the contexts it watches."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.contexts: list = []
        self.confirmations: list[str] = []  # what each "are you sure?" said (every one is accepted)
        self.inaccessible: list[str] = []  # axe-core's serious and critical findings on every page loaded
        self.checked: set[str] = set()

    def watch(self, context) -> None:
        context.expose_binding("__reportCspViolation", lambda source, report: self._record(report))
        context.add_init_script(CSP_LISTENER)
        # Chromium also says so on the console ("Refused to …", or "… violates the following Content Security Policy
        # directive …"): that catches a violation the page's event could not report.
        context.on("console", self._console)
        # An irreversible step asks first (form[data-confirm]): the journeys answer yes and keep what was asked.
        context.on("page", self._page)
        for page in context.pages:
            self._page(page)
        self.contexts.append(context)

    def _page(self, page) -> None:
        page.on("dialog", self._dialog)
        page.on("load", self._axe)

    def _axe(self, page) -> None:
        """Every page a journey loads is checked once per address (its path and query) with axe-core."""
        address = page.url.split("#")[0]
        if address in self.checked or not address.startswith("http"):
            return
        self.checked.add(address)
        with contextlib.suppress(PlaywrightError):  # the page moved on while it was checked: its next load is
            for problem in accessibility_problems(page):
                if problem not in self.inaccessible:
                    self.inaccessible.append(problem)

    def _dialog(self, dialog) -> None:
        self.confirmations.append(dialog.message)
        dialog.accept()

    def _record(self, report: str) -> None:
        if report not in self.violations:
            self.violations.append(report)

    def _console(self, message) -> None:
        if message.text.startswith("Refused to") or "Content Security Policy" in message.text:
            self._record(f"{message.location.get('url', '?')}: {message.text}")

    def collect(self) -> list[str]:
        """Read what the open pages kept (this also delivers reports still in flight), and return every violation."""
        for context in self.contexts:
            for page in context.pages:
                with contextlib.suppress(PlaywrightError):  # a page navigating right now has reported already
                    for report in page.evaluate(
                            "Promise.all(window.__cspDelivered || []).then(() => window.__cspViolations || [])"):
                        self._record(report)
        return self.violations

    def forget(self) -> None:
        """Drop what was seen so far (a test that causes violations on purpose)."""
        self.collect()
        for context in self.contexts:
            for page in context.pages:
                page.evaluate("window.__cspViolations.length = 0")
        self.violations.clear()
        self.inaccessible.clear()  # its broken markup (an image with no text) is the same page's, on purpose


@pytest.fixture(autouse=True)
def csp_violations(browser, context, monkeypatch):
    """Every page a test opens (the `page` fixture, browser.new_page(), browser.new_context()) runs under the
    application's real policy and reports violations; the test fails at teardown when any was seen.

    It takes pytest-playwright's `context` (the `page` fixture's) first, so it ends before that context closes.
    """
    watch = CspWatch()
    watch.watch(context)
    new_context = browser.new_context
    own_contexts = []

    def watched_context(*args, **kwargs):
        created = new_context(*args, **kwargs)
        watch.watch(created)
        return created

    def watched_page(*args, **kwargs):
        # browser.new_page() makes a context of its own for the page: the same, watched; closed at teardown.
        created = watched_context(*args, **kwargs)
        own_contexts.append(created)
        return created.new_page()

    monkeypatch.setattr(browser, "new_context", watched_context)
    monkeypatch.setattr(browser, "new_page", watched_page)
    yield watch
    violations = watch.collect()
    for created in own_contexts:
        created.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)
    if watch.inaccessible:
        pytest.fail("Accessibility (axe-core, serious or critical), pages loaded by the journey:\n"
                    + "\n".join(watch.inaccessible), pytrace=False)


AXE = Axe()
BLOCKING_IMPACTS = ("serious", "critical")


def accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line each."""
    response = AXE.run(page).response
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — "
            + ", ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                        for node in v["nodes"][:5])
            for v in response["violations"] if v["impact"] in BLOCKING_IMPACTS]


@pytest.fixture
def shot():
    """Each step a journey records is saved as a picture and checked for accessibility with axe-core: a serious or
    critical violation fails the journey on the page where it was seen."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        problems = accessibility_problems(page)
        if problems:
            pytest.fail(f"Accessibility ({name}):\n" + "\n".join(problems), pytrace=False)

    return take


def django_shell(live_app, code: str) -> str:
    """Run code against the live server's database (to move time through data, or to check what was stored)."""
    result = subprocess.run([sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code], cwd=ROOT,
                            env=live_app["env"], check=True, capture_output=True, text=True, timeout=120)
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""
