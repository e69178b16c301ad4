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


