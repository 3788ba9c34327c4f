"""The table page in a real browser: headless Chromium driving a real uvicorn server.

Needs Debian's ``chromium`` and ``chromium-driver`` packages (``.ci/run`` installs
them). Without them the test is skipped with a reason saying how to install them.
"""
from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Chromium: apt-get install chromium chromium-driver (as .ci/run does)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("browser")
    path = directory / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript("""
        create table makers (id integer primary key, name text);
        create table products (id integer primary key, name text, price real, maker_id integer
            references makers(id));
    """)
    conn.executemany("insert into makers values (?, ?)", [(1, "Acme"), (2, "Globex")])
    conn.executemany("insert into products values (?, ?, ?, ?)",
                     [(i, f"product {i:03d}", round(i * 1.5, 2), 1 + i % 2) for i in range(1, 251)])
    conn.commit()
    conn.close()
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "datasette"), "serve", str(path), "-p", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("server did not start: " + process.stdout.read().decode())
    yield base
    process.terminate()
    process.wait(10)
    process.stdout.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-sync",
                     "--disable-component-update", "--disable-dev-shm-usage",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for_url(browser, fragment: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda driver: fragment in driver.current_url)


def body_rows(browser) -> list[list[str]]:
    rows = browser.find_elements("css selector", "table.rows-and-columns tbody tr")
    return [[cell.text for cell in row.find_elements("css selector", "td")] for row in rows]


def test_browse_filter_sort_paginate_and_open_a_row(server, browser):
    from selenium.webdriver.support.ui import Select

    browser.get(server + "/shop/products")
    assert "250 rows" in browser.find_element("tag name", "h3").text
    assert len(body_rows(browser)) == 100

    # Filter through the form: price > 300
    form = browser.find_element("css selector", "form.filters")
    Select(form.find_element("name", "_filter_column")).select_by_visible_text("price")
    Select(form.find_element("name", "_filter_op")).select_by_value("gt")
    form.find_element("name", "_filter_value").send_keys("300")
    form.find_element("css selector", "input[type=submit]").click()
    wait_for_url(browser, "price__gt=300")
    assert "50 rows where price > 300" in browser.find_element("tag name", "h3").text
    prices = [float(row[2]) for row in body_rows(browser)]
    assert len(prices) == 50 and min(prices) > 300

    # Sort by clicking the "name" column header: descending once sorted ascending
    browser.find_element("css selector", "th.col-name a").click()
    wait_for_url(browser, "_sort=name")
    browser.find_element("css selector", "th.col-name a").click()
    wait_for_url(browser, "_sort_desc=name")
    names = [row[1] for row in body_rows(browser)]
    assert names == sorted(names, reverse=True) and names[0] == "product 250"

    # Paginate the unfiltered table
    browser.get(server + "/shop/products?_size=100")
    browser.find_element("link text", "Next page").click()
    wait_for_url(browser, "_next=100")
    assert body_rows(browser)[0][0] == "101"

    # Open a row page from the primary key link; its foreign key shows the label
    browser.find_element("css selector", "table.rows-and-columns tbody tr td a").click()
    wait_for_url(browser, "/shop/products/101")
    assert "product 101" in browser.find_element("tag name", "body").text
    assert "Globex" in browser.find_element("tag name", "body").text
