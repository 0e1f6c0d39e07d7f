"""Triage in the browser: a complaint filed on the portal without a category shows the classifier's two likeliest
categories on the complaint page, and the agent confirms the suggestion with one click; an unsure one waits in the
needs-triage view until the agent picks a category."""
from selenium.webdriver.common.by import By

from conftest import click_and_wait
from test_staff_pages import api, log_in, token
from test_workspace import file_on_portal


def test_the_agent_confirms_the_suggested_category_in_one_click(server, browser):
    number, _ = file_on_portal(browser, server, "13722226666", "E2E20261216",
                               "收到的杯子碎了，外箱压扁了，里面全是碎片")
    browser.delete_all_cookies()
    log_in(browser, server, "agent")
    browser.get(server + "/complaints/" + number)
    bar = browser.find_element(By.ID, "triage")
    buttons = bar.find_elements(By.CSS_SELECTOR, "button[type=submit]")
    assert len(buttons) == 2, "the two likeliest categories"
    confirm = bar.find_element(By.CSS_SELECTOR, "button.primary")
    assert confirm.text.startswith("确认 快件损毁"), confirm.text
    assert "%" in confirm.text, "with its confidence"
    click_and_wait(browser, confirm)
    assert not browser.find_elements(By.ID, "triage"), "settled: the bar is gone"
    assert "确认分类" in browser.find_element(By.CSS_SELECTOR, ".timeline").text
    agent = token(server, "agent")
    complaint = api(server, "GET", f"/api/v1/complaints/{number}", agent)
    assert complaint["category"] == "damage"
    assert "suggested" not in complaint["flags"]


def test_an_unsure_complaint_waits_in_needs_triage_until_a_category_is_picked(server, browser):
    agent = token(server, "agent")
    number = api(server, "POST", "/api/v1/complaints", agent, {
        "channel": "phone", "customer": {"name": "温先生", "phone": "13600007777"}, "waybillNumbers": [],
        "description": "我要投诉",
    })["number"]
    log_in(browser, server, "agent")
    browser.get(server + "/complaints?view=triage")
    assert number in browser.find_element(By.TAG_NAME, "main").text
    browser.get(server + "/complaints/" + number)
    bar = browser.find_element(By.ID, "triage")
    assert "请选择分类" in bar.text
    second = bar.find_elements(By.CSS_SELECTOR, "button[type=submit]")[1]
    chosen = second.get_attribute("data-category")
    click_and_wait(browser, second)
    assert not browser.find_elements(By.ID, "triage")
    assert api(server, "GET", f"/api/v1/complaints/{number}", agent)["category"] == chosen
    browser.get(server + "/complaints?view=triage")
    assert number not in browser.find_element(By.TAG_NAME, "main").text


def test_phone_intake_offers_the_category_while_the_agent_types(server, browser):
    from selenium.webdriver.support.ui import Select, WebDriverWait
    log_in(browser, server, "agent")
    browser.get(server + "/complaints/new")
    browser.find_element(By.ID, "description").send_keys("代收货款一个多月了还没打到我账上")
    box = browser.find_element(By.ID, "triage-suggest")
    WebDriverWait(browser, 10).until(lambda _: box.is_displayed())
    first = box.find_element(By.CSS_SELECTOR, "#triage-options button")
    assert first.get_attribute("data-category") == "cod", first.text
    first.click()
    assert Select(browser.find_element(By.ID, "category")).first_selected_option.get_attribute("value") == "cod"
