"""Browser tests: Debian's chromium (headless) driven by selenium against the real Kesu server on SQLite.

The server is the debug build (`swift build` first, as scripts/test does), started with `serve --demo` on a
fresh data folder and its own port; screenshots of the main pages go to Tests/e2e/screenshots/.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.path.join(ROOT, "Tests", "e2e", "screenshots")
PASSWORD = "kesu-demo-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server(extra_env=None):
    """Starts `kesu serve --demo` on a fresh data folder and its own port; yields its address, then stops it."""
    binary = os.environ.get("KESU_BIN", os.path.join(ROOT, ".build", "debug", "kesu"))
    data = tempfile.mkdtemp(prefix="kesu-e2e-")
    port = free_port()
    env = dict(os.environ, KESU_DATA_DIR=data, KESU_PORT=str(port), KESU_BCRYPT_COST="6", LOG_LEVEL="warning",
               KESU_SCHEDULER_INTERVAL_MS="300", **(extra_env or {}))
    env.pop("DATABASE_URL", None)
    log = open(os.path.join(data, "server.log"), "w")
    proc = subprocess.Popen([binary, "serve", "--demo"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("Kesu did not start: " + open(os.path.join(data, "server.log")).read()[-2000:])
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    yield from run_server()


class MovableClock:
    """The clock of a server of its own: `advance(days=…)` moves what the server calls now forward, through the file
    it reads its offset from (KESU_CLOCK_OFFSET_FILE)."""

    def __init__(self, path):
        self.path, self.offset = path, 0.0
        self.write()

    def write(self):
        with open(self.path, "w") as f:
            f.write(str(self.offset))

    def advance(self, days=0, hours=0):
        self.offset += days * 86400 + hours * 3600
        self.write()
        time.sleep(0.5)


@pytest.fixture(scope="module")
def clocked():
    """A server whose clock the test moves: (address, clock)."""
    folder = tempfile.mkdtemp(prefix="kesu-clock-")
    clock = MovableClock(os.path.join(folder, "offset"))
    for base in run_server({"KESU_CLOCK_OFFSET_FILE": clock.path}):
        yield base, clock
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(arg)
    binary = shutil.which("chromium")
    if binary:
        options.binary_location = binary
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(3)
    yield driver
    driver.quit()


def page_left(old):
    """A wait condition: the old page's root element is gone. Chromium answers a query on a node of a page being
    replaced either "stale" or, mid-navigation, with an inspector error; both mean the page went."""
    from selenium.common.exceptions import WebDriverException

    def check(_):
        try:
            old.is_enabled()
            return False
        except WebDriverException:
            return True
    return check


def click_and_wait(driver, element, timeout=10):
    """Clicks something that loads a new page and waits until the old page is gone."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, timeout).until(page_left(old))


def submit_and_wait(driver, field, timeout=10):
    """Submits the form of a field and waits for the next page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    old = driver.find_element(By.TAG_NAME, "html")
    field.submit()
    WebDriverWait(driver, timeout).until(page_left(old))


def shot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def reveal(driver, element):
    """Opens the folded parts of the page (`<details>`) around an element and scrolls it into view."""
    driver.execute_script(
        "for (var d = arguments[0].closest('details'); d; d = d.parentElement && d.parentElement.closest('details'))"
        " { d.open = true; } arguments[0].scrollIntoView({block: 'center'});", element)
    return element


def phone(driver, width=360, height=740):
    """Makes the browser a phone of `width` CSS pixels (a headless window cannot be made that narrow)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})


def desktop(driver):
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
