"""A real browser for the integration tests: Debian's Chromium, driven by Selenium and chromedriver,
opening pages served from their own origin (so requests to spore are cross-origin)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port


class PageServer:
    """Serves one HTML page from its own origin, so the browser's requests to spore are cross-origin."""

    def __init__(self, html):
        page = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def run_in_chromium(url, timeout=60):
    """Opens `url` in headless Chromium (Debian's package, driven by Selenium and chromedriver) and
    returns the JSON the page puts in `window.result`."""
    # Imported here so that only the browser tests need Selenium; a missing install fails them
    # (scripts/install-deps --test installs it), it never skips them.
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return window.result !== undefined"))
        return json.loads(driver.execute_script("return JSON.stringify(window.result)"))
    finally:
        driver.quit()




def screenshot_in_chromium(url, path, width=390, height=844, cookies=None):
    """Loads `url` in headless Chromium at a phone's size (390×844 by default), saves a PNG
    screenshot at `path` and returns what the page looks like to a reader: its title, whether it
    scrolls sideways, the text of its headings and how many images failed to load."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        driver.set_window_size(width, height)
        if cookies:
            # A cookie needs a page of its origin first.
            driver.get(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/health/live")
            for name, value in cookies.items():
                driver.add_cookie({"name": name, "value": value})
        driver.get(url)
        facts = driver.execute_script(
            """return {
                title: document.title,
                overflows: document.documentElement.scrollWidth > window.innerWidth + 1,
                headings: Array.from(document.querySelectorAll('h1, h2')).map(h => h.textContent.trim()),
                brokenImages: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length,
                links: Array.from(document.querySelectorAll('a')).map(a => a.href),
                scripts: document.scripts.length,
            }"""
        )
        driver.save_screenshot(str(path))
        return facts
    finally:
        driver.quit()
