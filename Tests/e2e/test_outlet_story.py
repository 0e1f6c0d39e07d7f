"""Seed 003's whole story in a browser, on a 360 px phone for the outlet and a desktop for HQ, on a server whose clock
the test moves: a courier registers a problem parcel and follows it up twice; on day 4 customer service sees the
alert; the customer complains; HQ fines the outlet citing the lapse rule; the outlet appeals with a photo of its call
log; the reviewer reduces the fine; the month's statement shows it."""
import json
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import PASSWORD, click_and_wait, desktop, phone, reveal, shot
from test_staff_pages import make_png

WAYBILL = "YT3000000777"


def log_in(browser, base, user):
    browser.delete_all_cookies()
    browser.get(base + "/login")
    browser.find_element(By.ID, "username").send_keys(user)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def api(base, method, path, user, body=None):
    login = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                   data=json.dumps({"username": user, "password": PASSWORD}).encode(),
                                   headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(login) as r:
        token = json.load(r)["token"]
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def follow_up(browser, note):
    form = browser.find_element(By.ID, "follow-up")
    form.find_element(By.NAME, "note").send_keys(note)
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "跟进已记录" in browser.find_element(By.CSS_SELECTOR, ".flash").text


def test_a_lapsed_problem_parcel_becomes_a_fine_the_outlet_appeals_and_the_reviewer_reduces(clocked, browser):
    base, clock = clocked

    # Day 1, on the courier's phone: register the parcel and follow it up.
    phone(browser)
    log_in(browser, base, "courier-pd")
    assert browser.current_url.endswith("/outlet"), "outlet staff land on their home page"
    browser.get(base + "/parcels/new")
    browser.find_element(By.NAME, "waybill").send_keys(WAYBILL)
    Select(browser.find_element(By.NAME, "reasonCode")).select_by_visible_text("电话无人接")
    browser.find_element(By.NAME, "note").send_keys("客户电话无人接")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert WAYBILL in browser.find_element(By.TAG_NAME, "h1").text
    parcel_url = browser.current_url.split("?")[0]
    follow_up(browser, "上午电话未接，已发短信")
    clock.advance(hours=20)
    log_in(browser, base, "courier-pd")
    browser.get(parcel_url)
    follow_up(browser, "下午再次电话，客户说周末在家")
    shot(browser, "phone-parcel-followed-up")

    # Day 4: nobody followed it up since; the lapse alerts customer service.
    clock.advance(days=3)
    desktop(browser)
    log_in(browser, base, "agent")
    for _ in range(40):
        browser.get(base + "/notifications")
        if WAYBILL in browser.page_source:
            break
        time.sleep(0.5)
    assert WAYBILL in browser.page_source and "已超期" in browser.page_source, "customer service sees the alert"
    browser.get(base + "/parcels?state=lapsed")
    assert WAYBILL in browser.find_element(By.CSS_SELECTOR, "main").text

    # The customer complains about the waybill; the complaint links the neglected parcel.
    number = api(base, "POST", "/api/v1/complaints", "agent", {
        "channel": "phone", "customer": {"name": "孙女士", "phone": "13911112222"}, "waybillNumbers": [WAYBILL],
        "description": "快递好几天了还没送到，也没人联系我。"})["number"]

    # HQ quality fines the outlet from the complaint's page, citing the lapse rule.
    log_in(browser, base, "quality")
    browser.get(base + "/complaints/" + number)
    assert "投诉前 24 小时内无跟进" in browser.page_source
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "开具考核"))
    Select(browser.find_element(By.NAME, "unit")).select_by_value("SH-PD")
    Select(browser.find_element(By.NAME, "rule")).select_by_value("lapsed_then_complained")
    browser.find_element(By.NAME, "reason").send_keys("问题件超期未跟进，客户投诉")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert "¥400.00" in heading and "申诉期剩余" in heading, heading
    fine_url = browser.current_url.split("?")[0]

    # The outlet owner, on a phone, sees it on the home page and appeals with a photo of the call log.
    phone(browser)
    log_in(browser, base, "outlet-pd")
    home = browser.find_element(By.CSS_SELECTOR, "main").text
    assert "¥400.00" in home and "申诉期剩余" in home, home
    shot(browser, "phone-outlet-home")
    browser.get(fine_url)
    appeal = browser.find_element(By.ID, "appeal")
    appeal.find_element(By.NAME, "statement").send_keys("业务员两天内两次联系客户，附通话记录截图")
    Select(appeal.find_element(By.NAME, "kind")).select_by_value("call_record")
    appeal.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(make_png())
    click_and_wait(browser, appeal.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "申诉已提交" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert browser.find_elements(By.CSS_SELECTOR, "img.thumb"), "the photo is on the timeline both sides see"
    shot(browser, "phone-fine-appealed")

    # The reviewer (not the issuer), on a desktop, reduces it.
    desktop(browser)
    log_in(browser, base, "quality2")
    browser.get(base + "/fines?state=review")
    assert fine_url.rsplit("/", 1)[1] in browser.page_source, "the appeal waits in the reviewer's list"
    browser.get(fine_url)
    decision = reveal(browser, browser.find_element(By.ID, "decision"))
    decision.find_element(By.CSS_SELECTOR, "input[value=reduce]").click()
    decision.find_element(By.NAME, "amount").send_keys("200")
    decision.find_element(By.NAME, "reason").send_keys("有通话记录，但超过 24 小时未再联系，减半")
    click_and_wait(browser, decision.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "¥200.00" in browser.find_element(By.TAG_NAME, "h1").text

    # The month's statement shows the reduction, on the outlet's phone.
    phone(browser)
    log_in(browser, base, "outlet-pd")
    browser.get(base + "/fines/statement")
    table = browser.find_element(By.CSS_SELECTOR, "table.statement").text
    assert "上海浦东网点" in table and "¥200.00" in table, table
    shot(browser, "phone-statement")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360 + 1, f"the page fits the phone ({width} px)"
