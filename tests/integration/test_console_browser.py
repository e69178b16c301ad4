"""The web console in a real browser (Debian's headless Chromium, driven by Selenium): sign in with
the root credentials, create a bucket, upload a 50 MiB file while its progress bar moves to 100 %,
upload a folder and a dropped file, search, preview JSON, Markdown and an image, share a file and
fetch the link from a fresh browser without cookies, delete a folder and a selection, visit every
page and sign out. Each page is screenshotted into tests/integration/output/console/ and checked
not to be blank; any JavaScript error in the browser's console fails the test.

Also: sorting, a Markdown preview that drops a javascript: link, versions, users and a read-only key
whose secret is shown once, an import from a fake Hugging Face hub, the artifact gallery drilled
from a workspace into a collection and its model's files, the object list at a phone's size."""

import base64
import hashlib
import json
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
import requests

from conftest import QUICK, ROOT_PASSWORD, ROOT_USER, make_client
from fakehub import FakeHub

OUTPUT = Path(__file__).resolve().parent / "output" / "console"
BUCKET = "console-test"
# 50 MiB, as the issue asks (8 MiB with SPORE_TEST_QUICK=1).
BIG_SIZE = (8 if QUICK else 50) * 1024 * 1024


def chromium(width=1280, height=900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def png(width, height):
    """A small valid PNG with a colour gradient, made without any imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"".join(bytes([x * 255 // width, y * 255 // height, 160]) for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png_byte_values(path):
    """How many distinct byte values the screenshot's (filtered) pixel data has: a blank page has
    very few, a page with text, borders and colours has many."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    position, idat = 8, b""
    while position < len(data):
        (length,), kind = struct.unpack(">I", data[position:position + 4]), data[position + 4:position + 8]
        if kind == b"IDAT":
            idat += data[position + 8:position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(idat)))


class Console:
    """The browser, the console's address and the checks every step shares."""

    def __init__(self, driver, base):
        self.d = driver
        self.base = base
        self.logs = []
        self.shots = []

    def wait(self, condition, timeout=15, message=""):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
        # Lists re-render (after uploads, deletes): an element read mid-render is simply read again.
        return WebDriverWait(self.d, timeout, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: condition(), message)

    def keys(self, selector="#object-rows tr"):
        """The data-key of each matching row, read in one go."""
        return self.d.execute_script("return Array.from(document.querySelectorAll(arguments[0]), (e) => e.dataset.key)", selector)

    def css(self, selector):
        from selenium.webdriver.common.by import By
        return self.d.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector):
        from selenium.webdriver.common.by import By
        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def present(self, selector, timeout=15):
        self.wait(lambda: self.all(selector), timeout, f"{selector} never appeared")
        return self.css(selector)

    def gone(self, selector, timeout=15):
        self.wait(lambda: not self.all(selector), timeout, f"{selector} never went away")

    def visible(self, selector, timeout=15):
        self.wait(lambda: any(e.is_displayed() for e in self.all(selector)), timeout, f"{selector} never became visible")
        return next(e for e in self.all(selector) if e.is_displayed())

    def go(self, hash_route, ready):
        self.d.execute_script("location.hash = arguments[0]", hash_route)
        return self.present(ready)

    def errors_shown(self):
        return [e.text for e in self.all("[data-testid=toast-error]")]

    def shot(self, name):
        """Screenshots the page and checks it is not blank."""
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / f"{len(self.shots) + 1:02d}-{name}.png"
        time.sleep(0.2)  # let transitions (progress widths, dialogs) settle
        assert self.d.save_screenshot(str(path)), f"no screenshot {path}"
        assert path.stat().st_size > 8000, f"{path} is suspiciously small"
        assert png_byte_values(path) > 24, f"{path} looks blank"
        self.shots.append(path)
        self.collect_logs()
        return path

    def collect_logs(self):
        self.logs.extend(self.d.get_log("browser"))

    def escape(self):
        from selenium.webdriver.common.keys import Keys
        self.d.switch_to.active_element.send_keys(Keys.ESCAPE)

    def fetch(self, url):
        """Fetches `url` from the page (with its cookies) and answers status, SHA-256 and size."""
        return self.d.execute_async_script(
            """const [url, done] = arguments;
               fetch(url, {credentials: 'same-origin', cache: 'no-store'}).then(async (r) => {
                 const bytes = await r.arrayBuffer();
                 const digest = await crypto.subtle.digest('SHA-256', bytes);
                 done({status: r.status, size: bytes.byteLength,
                       sha256: Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, '0')).join('')});
               }, (e) => done({status: 0, error: String(e)}));""", url)


def javascript_errors(logs):
    """SEVERE entries that are JavaScript errors, or failed requests other than the expected 401
    of the session probe on the sign-in page."""
    bad = []
    for entry in logs:
        if entry["level"] != "SEVERE":
            continue
        message = entry["message"]
        if entry.get("source") == "network" and "/api/auth/session" in message and "401" in message:
            continue
        bad.append(entry)
    return bad


WS = "ws-user-user-1"


def publish_artifacts(spore):
    """A collection with one model (two files) in user-1's workspace, made through the Hypha API."""
    token = spore.cli("token", "create", "--user", "user-1").stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}

    def call(function, **kwargs):
        response = requests.post(f"{spore.http}/public/services/artifact-manager/{function}", json=kwargs, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    call("create", alias=f"{WS}/zoo", type="collection", manifest={"name": "Model Zoo", "description": "Models on the LAN"})
    call("create", alias=f"{WS}/unet", stage=True, parent_id=f"{WS}/zoo", manifest={"name": "U-Net", "description": "Segmentation"})
    for path, data in {"weights.bin": b"w" * 4096, "docs/README.md": b"# U-Net"}.items():
        assert requests.put(call("put_file", artifact_id=f"{WS}/unet", file_path=path), data=data).status_code == 200
    call("commit", artifact_id=f"{WS}/unet")


def b64url(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


HUB_FILES = {"config.json": b'{"model_type": "tiny"}', "model.safetensors": bytes(range(256)) * 8192, "nested/vocab.txt": b"a\nb\n"}


@pytest.fixture
def hub():
    """A fake Hugging Face hub with one small model (test machines have no internet)."""
    with FakeHub("acme/tiny", HUB_FILES) as fake:
        yield fake


@pytest.fixture
def files(tmp_path):
    """A 50 MiB file, a folder with JSON, Markdown and an image, and a folder to delete."""
    root = tmp_path / "files"
    (root / "docs" / "images").mkdir(parents=True)
    (root / "trash" / "deep").mkdir(parents=True)
    big = root / "big.bin"
    with open(big, "wb") as out:
        block = os.urandom(1024 * 1024)
        for index in range(BIG_SIZE // len(block)):
            out.write(hashlib.sha256(bytes([index])).digest() + block[32:])
    config = {"model": "unet", "layers": [64, 128, 256], "dropout": 0.1, "pretrained": True, "note": "<script>alert(1)</script>"}
    (root / "docs" / "config.json").write_text(json.dumps(config))
    (root / "docs" / "readme.md").write_text(
        "# Read me\n\nSome *emphasis*, **bold** and `code`.\n\n- one\n- two\n\n"
        "[safe](https://example.org) and [unsafe](javascript:alert(1))\n\n```python\ndef f(x):\n    return x  # comment\n```\n")
    (root / "docs" / "images" / "cat.png").write_bytes(png(48, 32))
    (root / "trash" / "a.txt").write_text("a")
    (root / "trash" / "deep" / "b.txt").write_text("b")
    return root


def test_console_end_to_end(fresh_spore, files, hub):
    from selenium.webdriver.common.keys import Keys

    started = time.time()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob("*.png"):
        old.unlink()
    spore = fresh_spore(extra_env={"HF_ENDPOINT": hub.url})
    s3 = spore.client()
    publish_artifacts(spore)
    driver = chromium()
    ui = Console(driver, spore.http)
    try:
        # ---- sign in -------------------------------------------------------------------------
        driver.get(spore.http + "/")
        assert driver.current_url.startswith(spore.http + "/console/")
        ui.present("#login-access-key")
        ui.shot("sign-in")
        ui.css("#login-access-key").send_keys(ROOT_USER)
        ui.css("#login-secret-key").send_keys("wrong secret" + Keys.ENTER)
        assert "failed" in ui.visible("#login-error").text.lower()
        ui.css("#login-secret-key").clear()
        ui.css("#login-secret-key").send_keys(ROOT_PASSWORD + Keys.ENTER)
        ui.present("#bucket-name")
        assert ui.css("#current-user").text.startswith(ROOT_USER)
        assert ui.all("#nav-users"), "root sees the users page"
        ui.logs.extend(l for l in driver.get_log("browser") if not ("/api/auth/login" in l["message"] and "401" in l["message"]))

        # ---- create a bucket ----------------------------------------------------------------
        ui.css("#bucket-name").send_keys(BUCKET)
        ui.css("#bucket-versioning").click()
        ui.css("#bucket-name").send_keys(Keys.ENTER)
        ui.present(f"tr[data-bucket='{BUCKET}']")
        assert s3.get_bucket_versioning(Bucket=BUCKET).get("Status") == "Enabled"
        ui.shot("buckets")
        ui.css(f"tr[data-bucket='{BUCKET}'] a").click()
        ui.present("#browser")
        assert ui.css("#breadcrumbs").text.replace("\n", "").startswith("Buckets")

        # ---- upload 50 MiB and watch its progress bar ---------------------------------------
        # The page records every value the bar takes (a MutationObserver misses none); the test
        # also samples it from outside while the upload runs.
        driver.execute_script("""
            window.progressSeen = [];
            new MutationObserver((records) => {
              for (const r of records) {
                const row = r.target.closest('[data-upload-key]');
                if (row && row.dataset.uploadKey === 'big.bin' && r.target.getAttribute('role') === 'progressbar')
                  window.progressSeen.push(Number(r.target.getAttribute('aria-valuenow')));
              }
            }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['aria-valuenow']});""")
        upload_started = time.time()
        ui.css("#upload-input").send_keys(str(files / "big.bin"))
        bar = ui.present("[data-upload-key='big.bin'] [role=progressbar]")
        sampled, overall_sampled, shot_taken = [], [], False
        while True:
            state = driver.execute_script(
                "const r = document.querySelector(\"[data-upload-key='big.bin']\");"
                "return [r.dataset.state, Number(r.querySelector('[role=progressbar]').getAttribute('aria-valuenow')),"
                " Number(document.querySelector('#upload-overall').getAttribute('aria-valuenow'))]")
            sampled.append(state[1])
            overall_sampled.append(state[2])
            if state[0] in ("done", "failed", "cancelled"):
                break
            if not shot_taken and 0 < state[1] < 100:
                ui.shot("uploading")
                shot_taken = True
            assert time.time() - upload_started < 120, f"the upload did not finish: {sampled[-5:]}"
            time.sleep(0.03)
        upload_seconds = time.time() - upload_started
        assert state[0] == "done", f"upload ended {state[0]}: {ui.errors_shown()}"
        seen = driver.execute_script("return window.progressSeen")
        values = sorted(set(seen + sampled))
        assert bar.get_attribute("aria-valuenow") == "100"
        assert ui.css("#upload-overall").get_attribute("aria-valuenow") == "100"
        assert [v for v in values if 0 < v < 100], f"the bar jumped straight to 100: {values}"
        assert seen == sorted(seen), f"the bar went backwards: {seen}"
        assert seen[-1] == 100
        stored = s3.get_object(Bucket=BUCKET, Key="big.bin")["Body"].read()
        assert len(stored) == BIG_SIZE and stored == (files / "big.bin").read_bytes()
        print(f"{BIG_SIZE >> 20} MiB upload: {upload_seconds:.2f} s, bar values seen {values}")

        # ---- upload folders, and a file dropped on the page ---------------------------------
        ui.css("#upload-folder-input").send_keys(str(files / "docs"))
        ui.css("#upload-folder-input").send_keys(str(files / "trash"))
        driver.execute_script("""
            const data = new DataTransfer();
            data.items.add(new File(['dropped on the page'], 'dropped.txt', {type: 'text/plain'}));
            const zone = document.getElementById('browser');
            for (const type of ['dragenter', 'dragover', 'drop'])
              zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));""")
        ui.wait(lambda: len(ui.all("[data-upload-key][data-state=done]")) == 7, 30,
                f"uploads did not finish: {[(e.get_attribute('data-upload-key'), e.get_attribute('data-state')) for e in ui.all('[data-upload-key]')]}")
        for key in ("docs/config.json", "docs/readme.md", "docs/images/cat.png", "trash/a.txt", "trash/deep/b.txt", "dropped.txt"):
            s3.head_object(Bucket=BUCKET, Key=key)
        for row in ("big.bin", "docs/", "trash/", "dropped.txt"):
            ui.present(f"#object-rows tr[data-key='{row}']")
        ui.shot("objects")

        # ---- sorting -------------------------------------------------------------------------
        ui.css("button.sort[data-sort=size]").click()
        ui.wait(lambda: ui.css("th.col-size").get_attribute("aria-sort") == "ascending")
        ui.css("button.sort[data-sort=size]").click()
        ui.wait(lambda: ui.keys("#object-rows tr[data-kind=file]")[0] == "big.bin")

        # ---- search as you type ------------------------------------------------------------
        ui.css("#search").send_keys("bi")
        ui.wait(lambda: ui.keys() == ["big.bin"], 10, "search for bi")
        ui.wait(lambda: ui.css("#object-rows tr[data-key='big.bin'] mark").text == "bi", 5, "bi is not highlighted")
        ui.css("#search").send_keys(Keys.CONTROL + "a", Keys.BACKSPACE)
        ui.css("#search").send_keys("conf")  # nothing at the top starts with it: broadened to contains
        ui.wait(lambda: ui.keys() == ["docs/config.json"], 10, "search for conf")
        ui.wait(lambda: ui.css("#object-rows tr[data-key='docs/config.json'] mark").text.lower() == "conf", 5, "conf is not highlighted")
        ui.shot("search")
        ui.css("#search").send_keys(Keys.CONTROL + "a", Keys.BACKSPACE)
        ui.present("#object-rows tr[data-key='trash/']")

        # ---- previews ----------------------------------------------------------------------
        ui.css("#object-rows tr[data-key='docs/'] a").click()
        ui.present("#object-rows tr[data-key='docs/config.json']")
        assert "docs" in ui.css("#breadcrumbs").text
        ui.css("#object-rows tr[data-key='docs/config.json'] .file-link").click()
        ui.present("#preview-content[data-kind=json] [data-testid=preview-code]")
        code = ui.css("#preview-content [data-testid=preview-code]")
        assert '"layers": [' in code.text and "<script>alert(1)</script>" in code.text
        assert "application/json" in ui.css("#preview-meta").text
        assert ui.all("#preview-content .tok-key") and ui.all("#preview-content .tok-number")
        assert not driver.execute_script("return document.querySelector('#preview-content script')")
        ui.shot("preview-json")
        ui.escape()
        ui.gone("dialog[open]")

        ui.css("#object-rows tr[data-key='docs/readme.md'] .file-link").click()
        ui.present("#preview-content [data-testid=preview-markdown] h1")
        markdown = ui.css("#preview-content [data-testid=preview-markdown]")
        assert markdown.find_element("css selector", "h1").text == "Read me"
        links = [a.get_attribute("href") for a in markdown.find_elements("css selector", "a")]
        assert links == ["https://example.org/"], links
        ui.escape()
        ui.gone("dialog[open]")

        ui.css("#object-rows tr[data-key='docs/images/'] a").click()
        ui.present("#object-rows tr[data-key='docs/images/cat.png']").find_element("css selector", ".file-link").click()
        image = ui.present("#preview-image")
        ui.wait(lambda: driver.execute_script("const i = document.querySelector('#preview-image'); return i.complete && i.naturalWidth"), 10)
        assert image.get_attribute("src").startswith("data:image/png;base64,")
        assert driver.execute_script("return document.querySelector('#preview-image').naturalWidth") == 48
        ui.shot("preview-image")

        # ---- versions of the image (the bucket keeps them) ----------------------------------
        ui.css("#preview-versions").click()
        ui.present("#version-rows tr")
        ui.escape()
        ui.wait(lambda: len(ui.all("dialog[open]")) == 1)
        ui.escape()
        ui.gone("dialog[open]")

        # ---- share a file, open the link in a fresh browser ---------------------------------
        ui.css("#breadcrumbs a[href*='#/b/']").click()  # back to the bucket
        ui.present("#object-rows tr[data-key='docs/']").find_element("css selector", "a").click()
        ui.present("#object-rows tr[data-key='docs/config.json'] [data-testid=share]").click()
        ui.present("#share-max").send_keys("3")
        ui.css("#share-create").click()
        ui.wait(lambda: ui.css("#share-url").get_attribute("value"), 10, "no share link")
        share_url = ui.css("#share-url").get_attribute("value")
        assert "/share/" in share_url
        ui.shot("share")
        ui.css("#share-url").send_keys(Keys.ESCAPE)
        ui.gone("dialog[open]")

        expected = (files / "docs" / "config.json").read_bytes()
        stranger = chromium()
        try:
            stranger.delete_all_cookies()
            stranger.get(spore.http + "/console/")
            other = Console(stranger, spore.http)
            other.present("#login-access-key")  # no session there
            fetched = other.fetch(share_url)
            assert fetched["status"] == 200, fetched
            assert fetched["size"] == len(expected) and fetched["sha256"] == hashlib.sha256(expected).hexdigest()
            assert other.fetch(f"/api/objects/download/{BUCKET}/{b64url('docs/config.json')}")["status"] == 401
            other.collect_logs()
            unexpected = [l for l in javascript_errors(other.logs)
                          if not ("/api/objects/download/" in l["message"] and "401" in l["message"])]
            assert not unexpected, unexpected
        finally:
            stranger.quit()

        ui.go("#/shares", "#share-rows tr")
        token = share_url.rsplit("/", 1)[1]
        row = ui.present(f"#share-rows tr[data-token='{token}']")
        assert "docs/config.json" in row.text and "1 / 3" in row.text
        ui.shot("shares")

        # ---- delete a folder, then a selection ----------------------------------------------
        ui.go(f"#/b/{BUCKET}/", "#object-rows tr[data-key='trash/']")
        ui.css("#object-rows tr[data-key='trash/'] [data-testid=delete]").click()
        assert "every file inside" in ui.present("#confirm-ok").find_element("xpath", "ancestor::dialog").text
        ui.css("#confirm-ok").click()
        ui.gone("#object-rows tr[data-key='trash/']")
        assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="trash/")

        ui.css("#object-rows tr[data-key='dropped.txt'] .row-check").click()
        assert ui.css("#delete-selected").is_enabled()
        ui.css("#delete-selected").click()
        ui.present("#confirm-ok").click()
        ui.gone("#object-rows tr[data-key='dropped.txt']")
        assert ui.keys() == ["docs/", "big.bin"]

        # ---- the object list on a phone --------------------------------------------------
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        try:
            time.sleep(0.2)
            assert driver.execute_script("return document.documentElement.scrollWidth <= innerWidth + 1"), "scrolls sideways on a phone"
            ui.shot("objects-phone")
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        # ---- the other pages ---------------------------------------------------------------
        ui.go("#/status", "#stat-objects")
        ui.wait(lambda: ui.css("#stat-objects").text not in ("…", ""), 10)
        ui.wait(lambda: "requests/s" in ui.css("#rate-text").text, 10, "no request rate drawn")
        ui.shot("status")

        ui.go("#/users", "#user-form")
        ui.present("#user-table[data-loaded]")
        ui.css("#user-name").send_keys("carol" + Keys.ENTER)
        ui.present("#user-rows tr[data-user=carol]")
        assert ui.css("#key-user").get_attribute("value") == "carol"  # the new user is proposed
        ui.css("#key-bucket").send_keys(BUCKET)
        ui.css("#key-readonly").click()
        ui.css("#key-create").click()
        secret = ui.present("#key-secret").get_attribute("value")
        access_key = ui.css("#key-new-access").get_attribute("value")
        assert len(secret) >= 20 and access_key
        carol = make_client(spore.endpoint, access_key, secret)
        assert carol.get_object(Bucket=BUCKET, Key="docs/config.json")["Body"].read() == expected
        ui.shot("new-key")
        ui.escape()
        row = ui.present(f"#key-rows tr[data-access-key='{access_key}']")
        assert "carol" in row.text and "read only" in row.text
        ui.shot("users")
        button = row.find_element("css selector", "[data-testid=key-delete]")
        # The uploads panel floats over the bottom of the page: bring the button to the middle.
        ui.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        ui.present("#confirm-ok").click()
        ui.gone(f"#key-rows tr[data-access-key='{access_key}']")

        ui.go("#/imports", "#import-form")
        ui.present(f"#import-bucket option[value='{BUCKET}']")
        ui.css("#import-repo").send_keys("acme/tiny")
        ui.css("#import-prefix").send_keys("hub/tiny/" + Keys.ENTER)
        job = ui.present("#import-jobs article[data-state=completed]", 30)
        assert job.find_element("css selector", "[role=progressbar]").get_attribute("aria-valuenow") == "100"
        assert "3 of 3 files" in job.text
        job.find_element("css selector", "summary").click()
        ui.wait(lambda: len(ui.all("#import-jobs .job-files li[data-state=completed]")) == 3, 10, "no file list")
        for path, data in HUB_FILES.items():
            assert s3.get_object(Bucket=BUCKET, Key=f"hub/tiny/{path}")["Body"].read() == data
        ui.shot("imports")

        ui.go("#/artifacts", "#workspace-open")
        ui.css("#workspace-name").send_keys(WS + Keys.ENTER)  # root does not list personal workspaces
        ui.present(f"#artifact-rows tr[data-artifact='{WS}/zoo'] a").click()
        ui.present("#artifact-info")
        assert "Model Zoo" in ui.css("#artifact-info").text
        ui.present(f"#artifact-rows tr[data-artifact='{WS}/unet'] a").click()
        ui.present("#artifact-files tr[data-path='weights.bin']")
        assert "U-Net" in ui.css("#artifact-info").text and "v0" in ui.css("#artifact-info").text
        ui.css("#artifact-files tr[data-path='weights.bin'] [data-testid=artifact-file-link]").click()
        file_url = ui.present("#artifact-files tr[data-path='weights.bin'] a[download]").get_attribute("href")
        assert requests.get(file_url).content == b"w" * 4096
        ui.shot("artifacts")

        assert not ui.errors_shown(), ui.errors_shown()

        # ---- sign out ----------------------------------------------------------------------
        ui.css("#signout").click()
        ui.present("#login-access-key")
        assert ui.fetch("/api/auth/session")["status"] == 401
        ui.shot("signed-out")
    finally:
        try:
            ui.collect_logs()
        finally:
            driver.quit()

    errors = javascript_errors(ui.logs)
    assert not errors, "the browser console has errors:\n" + "\n".join(e["message"] for e in errors)
    print(f"console test: {time.time() - started:.1f} s, screenshots in {OUTPUT}")
