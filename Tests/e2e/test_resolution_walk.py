"""One complaint from the customer's first words to closing: investigation answered by the outlet, responsibility,
two proposals (the first above the agent's limit, approved by the supervisor), the customer declining the first
and accepting the second on their private page, execution, an unsatisfied follow-up that reopens it, a satisfied
one, and closing with a root cause from the list."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import click_and_wait, reveal, shot
from test_staff_pages import api, log_in, make_png, token


def as_user(browser, server, user, number):
    browser.delete_all_cookies()
    log_in(browser, server, user)
    browser.get(f"{server}/complaints/{number}")


def move(browser, status):
    button = browser.find_element(By.CSS_SELECTOR, f"form.transition input[value={status}] ~ button")
    click_and_wait(browser, reveal(browser, button))


def status_of(server, number):
    return api(server, "GET", f"/api/v1/complaints/{number}", token(server, "agent"))["status"]


def test_a_complaint_walks_from_filing_to_closing(server, browser):
    # The customer files on the public form and keeps the private link.
    browser.get(server + "/portal/new")
    browser.find_element(By.ID, "name").send_keys("钱先生")
    browser.find_element(By.ID, "phone").send_keys("13822223333")
    browser.find_element(By.ID, "waybill").send_keys("E2E20261130")
    browser.find_element(By.ID, "description").send_keys("包裹外箱破损，里面的茶具碎了，快递员放在门口就走了")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#file button[type=submit]"))
    number = browser.find_element(By.ID, "number").text
    link = browser.find_element(By.ID, "private-link").get_attribute("href")

    # The agent takes it, starts investigating and asks the Pudong outlet.
    as_user(browser, server, "agent", number)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/take'] button"))
    move(browser, "triaged")
    move(browser, "investigating")
    ask = browser.find_element(By.CSS_SELECTOR, "form[action$='/inquiries']")
    Select(ask.find_element(By.NAME, "unit")).select_by_value("SH-PD")
    ask.find_element(By.NAME, "question").send_keys("请提供包裹到站时的外包装照片")
    click_and_wait(browser, ask.find_element(By.CSS_SELECTOR, "button"))
    assert "请提供包裹到站时的外包装照片" in browser.find_element(By.ID, "inquiries").text

    # The outlet sees the question in its queue, opens the complaint and answers with a photo.
    browser.delete_all_cookies()
    log_in(browser, server, "outlet-pd")
    waiting = browser.find_element(By.CSS_SELECTOR, ".inquiries-waiting")
    assert "请提供包裹到站时的外包装照片" in waiting.text
    click_and_wait(browser, waiting.find_element(By.LINK_TEXT, number))
    answer = browser.find_element(By.CSS_SELECTOR, "form.answer-form")
    answer.find_element(By.NAME, "answer").send_keys("到站时外箱已有压痕，照片见附件")
    answer.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(make_png())
    click_and_wait(browser, answer.find_element(By.CSS_SELECTOR, "button"))
    assert "到站时外箱已有压痕" in browser.find_element(By.ID, "inquiries").text
    assert browser.find_elements(By.CSS_SELECTOR, "img.thumb"), "the photo joined the evidence"
    shot(browser, "inquiry-answered")

    # The agent finds the outlet responsible and drafts two proposals, the first above the ¥100 limit.
    as_user(browser, server, "agent", number)
    finding = browser.find_element(By.CSS_SELECTOR, "form[action$='/responsibility']")
    Select(finding.find_element(By.NAME, "party")).select_by_value("outlet")
    Select(finding.find_element(By.NAME, "unit")).select_by_value("SH-PD")
    finding.find_element(By.NAME, "reason").send_keys("到站已有压痕，网点未拍照登记即派送")
    click_and_wait(browser, finding.find_element(By.CSS_SELECTOR, "button"))
    move(browser, "proposing")
    for kind, amount, text in (("compensation", "300", "按实际损失赔偿茶具"), ("coupon", "20", "赠送20元优惠券并致歉")):
        form = browser.find_element(By.CSS_SELECTOR, "form[action$='/proposals']")
        Select(form.find_element(By.NAME, "kind")).select_by_value(kind)
        form.find_element(By.NAME, "amount").send_keys(amount)
        form.find_element(By.NAME, "description").send_keys(text)
        click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button"))
    proposals = browser.find_elements(By.CSS_SELECTOR, "li.proposal")
    assert "pending_approval" in proposals[0].get_attribute("class")
    assert not proposals[0].find_elements(By.CSS_SELECTOR, "form[action$='/offer']"), "not offered before approval"

    # The supervisor approves the first and offers it.
    as_user(browser, server, "supervisor", number)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/approve'] button"))
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/offer'] button"))
    assert status_of(server, number) == "awaiting_customer"

    # The customer declines it on the private page.
    browser.delete_all_cookies()
    browser.get(link)
    assert "300" in browser.find_element(By.TAG_NAME, "main").text
    assert "请提供包裹到站时的外包装照片" not in browser.page_source, "investigations stay internal"
    reject = browser.find_element(By.CSS_SELECTOR, "form[action$='/reject']")
    reject.find_element(By.NAME, "reason").send_keys("希望先拿到优惠券尽快了结")
    click_and_wait(browser, reject.find_element(By.CSS_SELECTOR, "button"))
    assert status_of(server, number) == "proposing"

    # The agent offers the second; the customer accepts it.
    as_user(browser, server, "agent", number)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/offer'] button"))
    browser.delete_all_cookies()
    browser.get(link)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/accept'] button"))
    assert status_of(server, number) == "executing"

    # Execution: every task done moves it to follow-up; the customer is unhappy, which reopens it.
    as_user(browser, server, "agent", number)
    while browser.find_elements(By.CSS_SELECTOR, "form[action*='/tasks/'] button"):
        click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action*='/tasks/'] button"))
    assert status_of(server, number) == "follow_up"
    browser.delete_all_cookies()
    browser.get(link)
    browser.find_element(By.CSS_SELECTOR, "form.survey input[value=unsatisfied]").click()
    browser.find_element(By.CSS_SELECTOR, "form.survey [name=comment]").send_keys("优惠券还没收到")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.survey button"))
    assert status_of(server, number) == "reopened"

    # Worked again; this time the customer is satisfied.
    as_user(browser, server, "agent", number)
    for status in ("triaged", "executing", "follow_up"):
        move(browser, status)
    browser.delete_all_cookies()
    browser.get(link)
    browser.find_element(By.CSS_SELECTOR, "form.survey input[value=satisfied]").click()
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.survey button"))
    assert not browser.find_elements(By.CSS_SELECTOR, "form.survey"), "asked once"

    # Closed with a summary, the responsible party and a root cause from the list.
    as_user(browser, server, "agent", number)
    close = browser.find_element(By.XPATH, "//form[contains(@class, 'transition')][input[@value='closed']]")
    close.find_element(By.NAME, "resolutionSummary").send_keys("赔付优惠券并致歉，客户满意")
    Select(close.find_element(By.NAME, "responsibleParty")).select_by_value("outlet")
    Select(close.find_element(By.NAME, "rootCause")).select_by_visible_text("包装不规范")
    click_and_wait(browser, close.find_element(By.CSS_SELECTOR, "button"))
    shot(browser, "closed-walk")

    final = api(server, "GET", f"/api/v1/complaints/{number}", token(server, "agent"))
    assert final["status"] == "closed"
    assert final["rootCause"] == "包装不规范"
    kinds = [e["kind"] for e in final["timeline"]]
    for kind in ("inquiry_sent", "inquiry_answered", "responsibility_set", "proposal_approved", "proposal_rejected",
                 "proposal_accepted", "task_done", "follow_up"):
        assert kind in kinds, kind
    assert all(e.get("actorName") or e.get("actor") for e in final["timeline"] if not e["kind"].startswith("clock"))
    # The customer's page shows what was meant for them and nothing internal.
    browser.delete_all_cookies()
    browser.get(link)
    text = browser.find_element(By.TAG_NAME, "main").text
    current = browser.find_element(By.CSS_SELECTOR, ".steps li[aria-current=step]").text
    assert current == "已完结", "the last step of the customer's bar"
    assert "到站时外箱已有压痕" not in text, "the outlet's answer is internal"
    assert "请提供包裹到站时的外包装照片" not in text, "so is the question"
    assert "原因：到站已有压痕" in text, "the reason is told to the customer (seed 001)"
