"""Every page has a title, every form field a label, and a keyboard user reaches every action with Tab."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import PASSWORD, click_and_wait

# The visible, enabled controls of a page, each named by a path that is stable between calls.
CONTROLS = """
const seen = [];
for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
  if (el.disabled || el.type === 'hidden') continue;
  // What a closed <details> folds away is reached by opening it (its <summary> is reached).
  const folded = el.closest('details:not([open])');
  if (folded && !(el.tagName === 'SUMMARY' && el.parentElement === folded)) continue;
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (getComputedStyle(el).visibility === 'hidden') continue;
  seen.push(el);
}
return seen;
"""

UNLABELLED = """
const missing = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden' || el.type === 'submit') continue;
  const named = el.labels && el.labels.length > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!named) missing.push(el.outerHTML.slice(0, 120));
}
return missing;
"""


def tab_through(browser, limit=400):
    """Presses Tab from the top of the page until focus comes round again; returns the elements reached."""
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    reached = []
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        el = browser.switch_to.active_element
        if reached and el == reached[0]:
            break
        reached.append(el)
    return reached


def check_page(browser, url):
    browser.get(url)
    assert browser.title.strip(), f"{url} has a title"
    assert browser.execute_script(UNLABELLED) == [], f"every field on {url} has a label"
    controls = browser.execute_script(CONTROLS)
    reached = tab_through(browser, limit=len(controls) + 20)
    ids = {c.id for c in reached}
    # A radio group is one Tab stop (its other choices are reached with the arrow keys).
    groups = {c.get_attribute("name") for c in reached if c.get_attribute("type") == "radio"}
    missed = [c.get_attribute("outerHTML")[:120] for c in controls if c.id not in ids
              and not (c.get_attribute("type") == "radio" and c.get_attribute("name") in groups)]
    assert missed == [], f"Tab reaches every control on {url}"


def test_staff_and_customer_pages_work_from_the_keyboard(server, browser):
    for url in ("/portal", "/portal/new", "/portal/track"):
        check_page(browser, server + url)
    browser.get(server + "/login")
    check_page(browser, server + "/login")
    browser.find_element(By.ID, "username").send_keys("admin")
    browser.find_element(By.ID, "password").send_keys(PASSWORD + Keys.ENTER)
    browser.find_element(By.CSS_SELECTOR, ".worklist")
    check_page(browser, server + "/complaints")
    check_page(browser, server + "/complaints?view=open")
    number = browser.find_element(By.CSS_SELECTOR, "table.queue tbody tr a").text
    for url in (f"/complaints/{number}", "/complaints/new", "/admin", "/admin/units", "/admin/categories",
                "/admin/canned", "/admin/sla", "/admin/calendar", "/admin/compensation", "/admin/root-causes", "/notifications",
                "/rectifications", "/cases",
                "/reports/sla"):
        check_page(browser, server + url)
