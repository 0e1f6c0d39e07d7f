"""A customer on a phone files a complaint on the public form, then follows it by the private link and by
complaint number and phone."""
from selenium.webdriver.common.by import By

from conftest import click_and_wait, shot
from test_staff_pages import make_png


def test_customer_files_and_follows_a_complaint(server, browser):
    browser.set_window_size(360, 800)
    browser.get(server + "/portal/new")
    browser.find_element(By.ID, "name").send_keys("赵女士")
    browser.find_element(By.ID, "phone").send_keys("13811112222")
    browser.find_element(By.ID, "waybill").send_keys("E2E20261127")
    browser.find_element(By.ID, "description").send_keys("外箱破损，里面的杯子碎了两个")
    browser.find_element(By.ID, "photos").send_keys(make_png())
    shot(browser, "public-form")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "#file button[type=submit]"))

    number = browser.find_element(By.ID, "number").text
    assert number.startswith("KS")
    link = browser.find_element(By.ID, "private-link").get_attribute("href")
    browser.get(link)
    assert browser.find_element(By.TAG_NAME, "h1").text == number
    assert "已受理" in browser.find_element(By.ID, "status").text
    photo = browser.find_element(By.CSS_SELECTOR, "img.thumb")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", photo) == 8
    browser.find_element(By.ID, "body").send_keys("请尽快联系我")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/messages'] button"))
    assert "请尽快联系我" in browser.find_element(By.CSS_SELECTOR, ".timeline").text
    shot(browser, "status")

    browser.get(server + "/portal")
    browser.find_element(By.ID, "number").send_keys(number)
    browser.find_element(By.ID, "phone").send_keys("13811112222")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == number
    assert "/t/" in browser.current_url
