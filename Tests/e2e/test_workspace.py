"""The workspace as agents and customers use it: the complaint worked from the queue to proposing with the composer
and the next step on the first screen, flash messages, the first action assigning, the customer's step bar, the
work list sorted by deadline with a saved view and select-all, keyboard shortcuts, and every page at 360 px."""
import datetime
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import click_and_wait, desktop, phone, shot
from test_staff_pages import api, log_in, token


def on_first_screen(browser, element):
    """Whether an element is visible without scrolling: inside the viewport of the page as loaded."""
    return browser.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        " return window.scrollY === 0 && r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight;", element)


def file_on_portal(browser, server, phone_number, waybill, description):
    browser.get(server + "/portal/new")
    browser.find_element(By.ID, "name").send_keys("周女士")
    browser.find_element(By.ID, "phone").send_keys(phone_number)
    browser.find_element(By.ID, "waybill").send_keys(waybill)
    browser.find_element(By.ID, "description").send_keys(description)
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#file button[type=submit]"))
    return browser.find_element(By.ID, "number").text, browser.find_element(By.ID, "private-link").get_attribute("href")


def current_step(browser):
    return browser.find_element(By.CSS_SELECTOR, ".steps li[aria-current=step]").text


def test_an_agent_works_a_complaint_from_the_queue_to_proposing(server, browser):
    number, link = file_on_portal(browser, server, "13722224444", "E2E20261201",
                                  "快递三天没有更新物流，客服电话一直打不通")
    assert link.startswith("http") and "/t/" in link, "a full link the customer can tap"
    browser.get(link)
    assert current_step(browser) == "已受理"

    browser.delete_all_cookies()
    log_in(browser, server, "agent")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".side-views a[href='/complaints?view=unassigned']"))
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, number))
    composer = browser.find_element(By.ID, "body")
    assert on_first_screen(browser, composer), "the composer is on the first screen"
    assert on_first_screen(browser, browser.find_element(By.CSS_SELECTOR, "#next .primary-move button"))
    assert "无" in browser.find_element(By.CSS_SELECTOR, ".complaint-head .handler").text

    composer.send_keys("周女士您好，我们已联系网点核实物流，今天18:00前回复您。")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#composer button[type=submit]"))
    assert "回复已发送" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    assert "客服 李娜" in browser.find_element(By.CSS_SELECTOR, ".complaint-head .handler").text, "the reply assigned it"
    assert "首次处理此工单" in browser.find_element(By.CSS_SELECTOR, ".timeline").text

    for status, name, hint in (("triaged", "已分派", "开始调查"), ("investigating", "调查中", "询问相关单位"),
                               ("proposing", "方案待定", "制定赔付")):
        button = browser.find_element(By.CSS_SELECTOR, f"#next form.transition input[value={status}] ~ button")
        assert on_first_screen(browser, button), f"the move to {status} is the next step"
        click_and_wait(browser, button)
        assert f"工单已转为「{name}」" in browser.find_element(By.CSS_SELECTOR, ".flash").text
        assert hint in browser.find_element(By.CSS_SELECTOR, "#next .hint").text
    assert browser.find_element(By.CSS_SELECTOR, "form[action$='/proposals']").is_displayed(), "the step's form is open"
    shot(browser, "workspace-complaint")

    # The customer sees the reply as the service's, their own words as theirs, and the step bar moved on.
    browser.delete_all_cookies()
    browser.get(link)
    assert current_step(browser) == "方案确认"
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "今天18:00前回复您" in text
    assert "快递三天没有更新物流" in browser.find_element(By.ID, "your-description").text
    assert "客服 李娜" in browser.find_element(By.ID, "handler").text
    assert "方案待定" not in text and "调查中" not in text, "no staff statuses on the customer's page"


def test_the_work_list_sorts_by_deadline_saves_a_view_and_assigns_in_bulk(server, browser):
    sup = token(server, "supervisor")
    old = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=60)).isoformat()
    fresh = api(server, "POST", "/api/v1/complaints", sup, {
        "channel": "phone", "customer": {"name": "吴一", "phone": "13755550001"}, "waybillNumbers": ["E2E20261202"],
        "description": "今天的快件还没到", "priority": "P1"})["number"]
    breached = api(server, "POST", "/api/v1/complaints", sup, {
        "channel": "phone", "customer": {"name": "吴二", "phone": "13755550002"}, "waybillNumbers": ["E2E20261203"],
        "description": "投诉两天半了还没人处理", "priority": "P4", "receivedAt": old})["number"]

    log_in(browser, server, "supervisor")
    browser.get(server + "/complaints?view=unassigned&sort=priority")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.queue td.num a")]
    assert rows.index(fresh) < rows.index(breached), "P1 first when sorted by priority"
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, "按时限"))
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "table.queue td.num a")]
    assert rows.index(breached) < rows.index(fresh), "the breached P4 before the fresh P1 when sorted by deadline"
    deadlines = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.queue td.dl")]
    assert all("超时" in d for d in deadlines[:rows.index(breached) + 1]), "breached complaints first"
    assert "超时" not in deadlines[rows.index(fresh)]

    # Saved as a view; the side bar shows it with its count.
    summary = browser.find_element(By.CSS_SELECTOR, ".save-view summary")
    summary.click()
    browser.find_element(By.CSS_SELECTOR, ".save-view input[name=name]").send_keys("待分派按时限")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".save-view button"))
    assert "视图已保存" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    saved = browser.find_element(By.CSS_SELECTOR, ".side-views .saved a.on")
    assert "待分派按时限" in saved.text
    count = saved.find_element(By.CSS_SELECTOR, ".n")
    WebDriverWait(browser, 10).until(lambda d: count.text.strip().isdigit())
    total = len(browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr"))
    assert int(count.text) == total >= 2
    shot(browser, "workspace-queue")

    # Select all, then assign them all to the agent.
    browser.find_element(By.ID, "select-all").click()
    assert all(b.is_selected() for b in browser.find_elements(By.CSS_SELECTOR, "input[name='numbers[]']"))
    Select(browser.find_element(By.CSS_SELECTOR, "#bulk select[name=assignee]")).select_by_value("agent")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#bulk button[value=assign]"))
    assert f"已分派 {total} 件工单" in browser.find_element(By.CSS_SELECTOR, ".flash").text
    for number in (fresh, breached):
        assert api(server, "GET", f"/api/v1/complaints/{number}", sup)["assignee"]["username"] == "agent"
    count = browser.find_element(By.CSS_SELECTOR, ".side-views .saved a.on .n")
    WebDriverWait(browser, 10).until(lambda d: count.text.strip() == "0")


def test_keyboard_shortcuts_open_the_composer_and_walk_the_list(server, browser):
    agent = token(server, "agent")
    for i in range(2):
        n = api(server, "POST", "/api/v1/complaints", agent, {
            "channel": "phone", "customer": {"name": f"郑{i}", "phone": f"1375555001{i}"},
            "waybillNumbers": [f"E2E2026121{i}"], "description": "快递员态度不好"})["number"]
        api(server, "PATCH", f"/api/v1/complaints/{n}", agent, {"assignee": "agent"})
    log_in(browser, server, "agent")
    numbers = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.queue td.num a")]
    click_and_wait(browser, browser.find_element(By.LINK_TEXT, numbers[0]))
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("?")
    assert browser.find_element(By.ID, "shortcuts").is_displayed()
    browser.find_element(By.ID, "shortcuts-close").click()
    body.send_keys("n")
    assert browser.switch_to.active_element == browser.find_element(By.ID, "body"), "n opens the composer"
    assert browser.find_element(By.ID, "mode-note").is_selected()
    assert "note" in browser.find_element(By.ID, "composer").get_attribute("class")
    browser.switch_to.active_element.send_keys("\ue00c")  # Escape leaves the box
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.TAG_NAME, "body").send_keys("j")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "h1").text == numbers[1])
    browser.find_element(By.TAG_NAME, "body").send_keys("r")
    assert browser.find_element(By.ID, "mode-reply").is_selected()
    assert browser.switch_to.active_element == browser.find_element(By.ID, "body")
    del old


def test_no_page_is_wider_than_a_phone(server, browser):
    long_token = "Zx9" * 14 + "Q"  # 43 characters without a break
    agent = token(server, "agent")
    number = api(server, "POST", "/api/v1/complaints", agent, {
        "channel": "phone", "customer": {"name": "长" * 30, "phone": "13755550099"},
        "waybillNumbers": ["YT" + "9" * 30],
        "description": f"token={long_token} 和一串很长的链接https://example.com/{long_token}{long_token}"})["number"]
    api(server, "POST", f"/api/v1/complaints/{number}/notes", agent, {"body": long_token * 2, "customerVisible": True})
    _, link = file_on_portal(browser, server, "13755550098", "YT" + "8" * 30, long_token + "，包裹丢了")
    parcel = api(server, "POST", "/api/v1/problem-parcels", token(server, "outlet-pd"), {
        "waybill": "YT" + "7" * 30, "reasonCode": "address_unknown", "courier": "SH-PD-C01", "note": long_token * 3})["id"]
    api(server, "POST", f"/api/v1/problem-parcels/{parcel}/follow-ups", token(server, "outlet-pd"),
        {"method": "phone", "note": long_token * 2})

    phone(browser)
    try:
        def width(path):
            browser.get(path if path.startswith("http") else server + path)
            time.sleep(0.2)
            return browser.execute_script("return document.documentElement.scrollWidth")
        customer_pages = ["/portal", "/portal/new", link]
        for path in customer_pages:
            assert width(path) <= 360, path
        shot(browser, "phone-customer")
        log_in(browser, server, "admin")
        staff_pages = ["/complaints", "/complaints?view=open", f"/complaints/{number}", "/complaints/new",
                       "/rectifications", "/cases", "/notifications", "/reports/sla", "/admin", "/admin/units",
                       "/admin/canned", "/admin/categories", "/admin/sla", "/admin/calendar", "/admin/compensation",
                       "/admin/root-causes", "/admin/jobs", f"/complaints?q={long_token}", "/parcels",
                       "/parcels?state=settled", "/parcels/new", f"/parcels/{parcel}", "/admin/problem-parcels"]
        for path in staff_pages:
            assert width(path) <= 360, path
        width(f"/complaints/{number}")
        shot(browser, "phone-complaint")
        width("/complaints?view=open")
        cards = browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
        assert cards and cards[0].find_element(By.CSS_SELECTOR, "td.dl").is_displayed(), "cards show the deadline"
        assert not cards[0].find_element(By.CSS_SELECTOR, "td.who").is_displayed()
        shot(browser, "phone-queue")
    finally:
        desktop(browser)
    # Desktop screenshots (README's pictures in docs/ are taken from these).
    browser.get(server + "/complaints?view=open")
    shot(browser, "desktop-queue")
    browser.get(f"{server}/complaints/{number}")
    shot(browser, "desktop-complaint")
    browser.delete_all_cookies()
    browser.get(link)
    shot(browser, "desktop-customer")
