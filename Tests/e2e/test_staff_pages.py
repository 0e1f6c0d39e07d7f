"""An agent logs in, finds a complaint by waybill, opens it, replies and moves it; an outlet user is kept out of
another outlet's complaint; text a customer typed is shown as text."""
import datetime
import json
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import PASSWORD, click_and_wait, reveal, shot, submit_and_wait


def api(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def make_png():
    """An 8×8 orange PNG written to a temporary file; returns its path."""
    import struct
    import tempfile
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xc2\x41\x0c" * 8 for _ in range(8))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    f = tempfile.NamedTemporaryFile(suffix=".png", delete=False)
    f.write(png)
    f.close()
    return f.name


def token(base, user):
    return api(base, "POST", "/api/v1/auth/token", body={"username": user, "password": PASSWORD})["token"]


def log_in(browser, base, user):
    browser.get(base + "/login")
    browser.find_element(By.ID, "username").send_keys(user)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def test_agent_finds_replies_and_moves_a_complaint(server, browser):
    agent = token(server, "agent")
    created = api(server, "POST", "/api/v1/complaints", agent, {
        "channel": "phone", "customer": {"name": "陈静", "phone": "13900001111"},
        "waybillNumbers": ["E2E20261124"], "description": "<img src=x onerror=alert(1)> 快递员没有送货上门",
    })
    number = created["number"]

    log_in(browser, server, "agent")
    assert "/complaints" in browser.current_url
    shot(browser, "queue")
    search = browser.find_element(By.NAME, "q")
    search.send_keys("E2E20261124")
    submit_and_wait(browser, search)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    assert len(rows) == 1 and number in rows[0].text

    click_and_wait(browser, rows[0].find_element(By.LINK_TEXT, number))
    assert browser.find_element(By.TAG_NAME, "h1").text == number
    description = browser.find_element(By.CSS_SELECTOR, ".description").text
    assert "<img src=x onerror=alert(1)>" in description, "the markup shows as text"
    assert not browser.find_elements(By.CSS_SELECTOR, ".description img")
    shot(browser, "complaint")

    browser.find_element(By.ID, "body").send_keys("您好，我们今天18:00前给您回复。")
    assert browser.find_element(By.ID, "mode-reply").is_selected(), "a reply to the customer unless chosen otherwise"
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/notes'] button"))
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.transition input[value=triaged] ~ button"))

    # Evidence: a photo uploaded shows in place.
    reveal(browser, browser.find_element(By.ID, "file")).send_keys(make_png())
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button"))
    image = browser.find_element(By.CSS_SELECTOR, "img.thumb")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) == 8
    assert "已分派" in browser.find_element(By.CSS_SELECTOR, ".complaint-head").text
    timeline = browser.find_element(By.CSS_SELECTOR, ".timeline").text
    assert "今天18:00前给您回复" in timeline

    after = api(server, "GET", f"/api/v1/complaints/{number}", agent)
    assert after["status"] == "triaged"
    assert after["firstReplyAt"]


def test_outlet_user_cannot_open_another_outlets_complaint(server, browser):
    supervisor = token(server, "supervisor")
    created = api(server, "POST", "/api/v1/complaints", supervisor, {
        "channel": "web", "customer": {"name": "何先生", "phone": "13500002222"},
        "waybillNumbers": ["E2E20261125"], "description": "包裹延误三天",
    })
    api(server, "PATCH", f"/api/v1/complaints/{created['number']}", supervisor, {"outlet": "GZ-TH"})

    log_in(browser, server, "outlet-pd")
    browser.get(server + "/complaints/" + created["number"])
    assert "无权查看" in browser.find_element(By.TAG_NAME, "h1").text
    assert "包裹延误三天" not in browser.page_source


def test_phone_intake_shows_history_and_records(server, browser):
    agent = token(server, "agent")
    earlier = api(server, "POST", "/api/v1/complaints", agent, {
        "channel": "phone", "customer": {"name": "林平", "phone": "13600003333"},
        "waybillNumbers": ["E2E20261126"], "description": "上次的包裹破损了",
    })["number"]

    log_in(browser, server, "agent")
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "来电登记"))
    browser.find_element(By.ID, "phone").send_keys("13600003333")
    history = browser.find_element(By.ID, "customer-complaints")
    WebDriverWait(browser, 10).until(lambda d: earlier in history.text)
    browser.find_element(By.ID, "waybill").send_keys("E2E20261126")
    warning = browser.find_element(By.ID, "open-warning")
    WebDriverWait(browser, 10).until(lambda d: warning.is_displayed() and earlier in warning.text)
    browser.find_element(By.ID, "name").send_keys("林平")
    browser.find_element(By.ID, "description").send_keys("又一次：快递员没有送货上门，放在驿站了")
    # Choosing a sub-category chooses its category.
    Select(browser.find_element(By.ID, "subcategory")).select_by_value("station_without_consent")
    assert Select(browser.find_element(By.ID, "category")).first_selected_option.get_attribute("value") \
        == "delivery_service"
    shot(browser, "new-complaint")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#intake button[type=submit]"))

    number = browser.find_element(By.TAG_NAME, "h1").text
    assert number.startswith("KS") and number != earlier
    head = browser.find_element(By.CSS_SELECTOR, ".complaint-head").text
    assert "P1" in head and "重复投诉" in head and "紧急" in head, \
        "a second complaint whose customer says 又一次 is an urgent repeat, its flags by name"
    assert "投递服务 · 未经同意放驿站/快递柜" in browser.find_element(By.TAG_NAME, "main").text


def test_promise_and_an_old_complaint_breached_by_the_running_server(server, browser):
    """An imported complaint received 50 hours ago breaches at once: the server's own scheduler fires it, the
    supervisor's bell counts it, and the agent's promise shows among the complaint's deadlines."""
    agent = token(server, "agent")
    received = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=50)).isoformat()
    created = api(server, "POST", "/api/v1/complaints", agent, {
        "channel": "phone", "customer": {"name": "钱多", "phone": "13600003333"},
        "waybillNumbers": ["E2E20261125"], "description": "两天前投诉快件延误，至今无人联系", "receivedAt": received,
    })
    number = created["number"]

    log_in(browser, server, "agent")
    browser.get(server + "/complaints/" + number)
    clocks = browser.find_element(By.CSS_SELECTOR, ".clock-list").text
    assert "处理完成" in clocks and "超时" in clocks
    form = reveal(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/promise']"))
    form.find_element(By.NAME, "note").send_keys("网点主管今天回电")
    submit_and_wait(browser, form)
    assert "承诺回复" in browser.find_element(By.CSS_SELECTOR, ".clock-list").text
    assert "网点主管今天回电" in browser.find_element(By.CSS_SELECTOR, ".timeline").text

    # The serving process's scheduler (every 300 ms here) fires the breaches and escalates once.
    sup = token(server, "supervisor")
    deadline = time.time() + 30
    while time.time() < deadline:
        detail = api(server, "GET", "/api/v1/complaints/" + number, sup)
        if any(e["kind"] == "clock_breached" for e in detail["timeline"]):
            break
        time.sleep(0.3)
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("clock_breached") == 2 and kinds.count("escalated") == 1
    browser.delete_all_cookies()
    log_in(browser, server, "supervisor")
    bell = browser.find_element(By.CSS_SELECTOR, "a.bell .count")
    assert int(bell.text) >= 4
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "a.bell"))
    assert number in browser.find_element(By.CSS_SELECTOR, ".notices").text
    shot(browser, "notifications")
