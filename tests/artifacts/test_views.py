"""Static sites from artifacts (`/{ws}/view/{alias}/…`), following the seed's portfolio example:
stored files, Jinja2 templates, custom headers, versions and staging, permissions, view counts,
and (spore only) the seed's own template names, includes, sub-directory indexes and built-in
pages for artifacts without a site."""

import json

import pytest
import requests

from conftest import SERVER_KIND, collection, upload

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40

VIEW_CONFIG = {
    "root_directory": "/",
    "templates": ["index.html", "about.html"],
    "template_engine": "jinja2",
    "use_builtin_template": False,
    "headers": {"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=3600"},
}

# Written against the names the running Hypha passes (both servers render it).
INDEX = """<!DOCTYPE html>
<html><head><title>{{ artifact.manifest.name }}</title><link rel="stylesheet" href="style.css"></head>
<body><h1>{{ artifact.manifest.name }}</h1><p>{{ artifact.manifest.description }}</p>
<ul>{% for tag in artifact.manifest.tags %}<li>{{ loop.index }}. {{ tag | upper }}</li>{% endfor %}</ul>
<p>workspace={{ workspace }} user={{ user.id }} anonymous={{ user.is_anonymous }}</p>
<p>{{ view_base_url.endswith("/view/" ~ artifact.alias) }} {{ artifact_base_url.endswith("/artifacts/" ~ artifact.alias) }}</p>
</body></html>
"""
ABOUT = "{% set n = artifact.manifest.tags | length %}About {{ artifact.manifest.name | e }}: {{ n }} tag{{ 's' if n != 1 }}\n"
STATIC = "<!DOCTYPE html><html><body><h1>This is a static page {{ not rendered }}</h1></body></html>"
CSS = "body { font-family: Arial, sans-serif; }\n"
JS = "console.log('Site loaded successfully!');\n"


def site(user, alias, view_config=None, files=None, manifest=None, permissions=None, commit=True):
    artifact_id = user.aid(alias)
    config = {"view_config": VIEW_CONFIG if view_config is None else view_config}
    if permissions is not None:
        config["permissions"] = permissions
    user.ok("create", alias=artifact_id, stage=True, config=config,
            manifest=manifest or {"name": "My Portfolio", "description": "A personal portfolio website", "tags": ["art", "code"]})
    for path, data in (files or {}).items():
        upload(user, artifact_id, path, data if isinstance(data, bytes) else data.encode())
    if commit:
        user.ok("commit", artifact_id=artifact_id)
    return artifact_id


def portfolio(user, alias, **kwargs):
    files = {"index.html": INDEX, "about.html": ABOUT, "static.html": STATIC, "style.css": CSS, "script.js": JS, "img/logo.png": PNG}
    files.update(kwargs.pop("files", {}))
    return site(user, alias, files=files, **kwargs)


def expected_index(user, anonymous=False, alias="portfolio"):
    return (f"""<!DOCTYPE html>
<html><head><title>My Portfolio</title><link rel="stylesheet" href="style.css"></head>
<body><h1>My Portfolio</h1><p>A personal portfolio website</p>
<ul><li>1. ART</li><li>2. CODE</li></ul>
<p>workspace={user.ws} user={user.id if not anonymous else 'anonymouz-http'} anonymous={anonymous}</p>
<p>True True</p>
</body></html>""")


def views(user, artifact_id):
    return user.ok("read", artifact_id=artifact_id, silent=True)["view_count"]


def test_portfolio_site_from_the_seed(alice):
    portfolio(alice, "portfolio")
    base = f"/{alice.ws}/view/portfolio"
    page = alice.http("GET", base + "/")
    assert page.status_code == 200, page.text
    assert page.text == expected_index(alice)
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["access-control-allow-origin"] == "*"
    assert page.headers["cache-control"] == "max-age=3600"
    # Without the trailing slash and with the name spelled out: the same page.
    assert alice.http("GET", base).text == page.text
    assert alice.http("GET", base + "/index.html").text == page.text
    about = alice.http("GET", base + "/about.html")
    assert about.status_code == 200 and about.text == "About My Portfolio: 2 tags"
    static = alice.http("GET", base + "/static.html")
    assert static.status_code == 200 and static.text == STATIC  # not a template: served as stored
    assert static.headers["cache-control"] == "max-age=3600"
    css = alice.http("GET", base + "/style.css")
    assert css.status_code == 200 and css.text == CSS and css.headers["content-type"].startswith("text/css")
    js = alice.http("GET", base + "/script.js")
    assert js.status_code == 200 and js.text == JS and "javascript" in js.headers["content-type"]
    logo = alice.http("GET", base + "/img/logo.png")
    assert logo.status_code == 200 and logo.content == PNG and logo.headers["content-type"] == "image/png"


def test_missing_file_and_artifact(alice):
    portfolio(alice, "portfolio-404")
    missing = alice.http("GET", f"/{alice.ws}/view/portfolio-404/nope.html")
    assert missing.status_code == 404 and missing.text.startswith("File not found, details: ")
    assert "NoSuchKey" in missing.text
    alice.ok("edit", artifact_id=alice.aid("portfolio-404"), config={"view_config": dict(VIEW_CONFIG, templates=["index.html", "gone.html"])})
    template = alice.http("GET", f"/{alice.ws}/view/portfolio-404/gone.html")
    assert template.status_code == 404 and template.json() == {"detail": "File not found: gone.html"}
    absent = alice.http("GET", f"/{alice.ws}/view/no-such-site/")
    assert absent.status_code == 404 and "detail" in absent.json()


def test_disabled_view(alice):
    site(alice, "disabled-site", view_config="disabled", files={"index.html": "x"})
    response = alice.http("GET", f"/{alice.ws}/view/disabled-site/")
    assert response.status_code == 404 and response.json() == {"detail": "View access is disabled for this artifact"}


def test_versions_and_stage(alice):
    artifact_id = site(alice, "versioned-site", view_config={"templates": ["index.html"]},
                       files={"index.html": "one {{ artifact.versions | length }}", "plain.txt": "first"})
    base = f"/{alice.ws}/view/versioned-site"
    assert alice.http("GET", base + "/").text == "one 1"
    alice.ok("edit", artifact_id=artifact_id, stage=True, version="new")
    upload(alice, artifact_id, "index.html", b"two {{ artifact.versions | length }}")
    upload(alice, artifact_id, "plain.txt", b"second")
    # The committed site is unchanged while the next version is staged.
    assert alice.http("GET", base + "/").text == "one 1"
    assert alice.http("GET", base + "/plain.txt").text == "first"
    staged = alice.http("GET", base + "/?stage=true")
    assert staged.status_code == 200 and staged.text.startswith("two")
    assert alice.http("GET", base + "/plain.txt?stage=true").text == "second"
    alice.ok("commit", artifact_id=artifact_id)
    assert alice.http("GET", base + "/").text == "two 2"
    assert alice.http("GET", base + "/plain.txt").text == "second"
    assert alice.http("GET", base + "/?version=v0").text.startswith("one")
    assert alice.http("GET", base + "/plain.txt?version=v0").text == "first"


def test_every_request_counts_a_view(alice):
    artifact_id = portfolio(alice, "counted-site")
    before = views(alice, artifact_id)
    for path in ("/", "/style.css", "/about.html"):
        assert alice.http("GET", f"/{alice.ws}/view/counted-site{path}").status_code == 200
    assert views(alice, artifact_id) == before + 3


def test_private_site_needs_a_token(alice, anonymous, bob):
    portfolio(alice, "private-site")
    base = f"/{alice.ws}/view/private-site/"
    assert anonymous.http("GET", base).status_code == 403
    assert bob.http("GET", base).status_code == 403
    with_query = requests.get(f"{alice.server.url}{base}?token={alice.token}")
    assert with_query.status_code == 200 and with_query.text == expected_index(alice)
    assert alice.http("GET", base).status_code == 200


def test_public_site_is_served_to_anyone(alice, anonymous):
    portfolio(alice, "public-site", permissions={"*": "r"})
    page = anonymous.http("GET", f"/{alice.ws}/view/public-site/")
    assert page.status_code == 200, page.text
    assert page.text == expected_index(alice, anonymous=True)
    assert anonymous.http("GET", f"/{alice.ws}/view/public-site/style.css").text == CSS


def test_root_directory(alice):
    # Hypha fails a root_directory with a leading slash ("Illegal file path"); spore accepts both.
    site(alice, "rooted-site", view_config={"root_directory": "site", "templates": ["index.html"]},
         files={"site/index.html": "root {{ artifact.alias }}", "site/a.txt": "A", "outside.txt": "no"})
    base = f"/{alice.ws}/view/rooted-site"
    assert alice.http("GET", base + "/").text == "root rooted-site"
    assert alice.http("GET", base + "/a.txt").text == "A"
    assert alice.http("GET", base + "/outside.txt").status_code == 404


def test_template_that_does_not_render(alice):
    site(alice, "broken-site", view_config={"templates": ["index.html"]}, files={"index.html": "{% for x in %}"})
    response = alice.http("GET", f"/{alice.ws}/view/broken-site/")
    assert response.status_code == 500
    assert response.json()["detail"].startswith("Template rendering failed")


# ---- spore only ------------------------------------------------------------------------------------

SEED_INDEX = """<!DOCTYPE html>
<html>
<head>
    <title>{{ MANIFEST.name }}</title>
</head>
<body>
    <ul>
        <li><strong>Base URL:</strong> {{ BASE_URL }}</li>
        <li><strong>Workspace:</strong> {{ WORKSPACE }}</li>
        <li><strong>View Count:</strong> {{ VIEW_COUNT }}</li>
    </ul>
    {% if USER %}
        <p>Welcome, {{ USER.id }}!</p>
    {% else %}
        <p>Welcome, Anonymous user!</p>
    {% endif %}
    <pre>{{ CONFIG | tojson(indent=2) }}</pre>
</body>
</html>"""


@pytest.mark.quirk
def test_the_seed_template_names_render(alice, anonymous):
    """Hypha 0.21.137 fails the seed's own example with `'MANIFEST' is undefined`."""
    artifact_id = site(alice, "seed-site", view_config={"templates": ["index.html"]}, files={"index.html": SEED_INDEX},
                       permissions={"*": "r"})
    alice.ok("edit", artifact_id=artifact_id, secrets={"API_KEY": "do-not-show"})
    page = alice.http("GET", f"/{alice.ws}/view/seed-site/")
    assert page.status_code == 200, page.text
    assert "<title>My Portfolio</title>" in page.text
    assert f"<strong>Base URL:</strong> /{alice.ws}/view/seed-site/" in page.text
    assert f"<strong>Workspace:</strong> {alice.ws}" in page.text
    assert f"Welcome, {alice.id}!" in page.text
    assert "do-not-show" not in page.text and "API_KEY" not in page.text
    config = json.loads(page.text.split("<pre>")[1].split("</pre>")[0])
    assert config["view_config"]["templates"] == ["index.html"]
    assert "Welcome, Anonymous user!" in anonymous.http("GET", f"/{alice.ws}/view/seed-site/").text


@pytest.mark.quirk
def test_includes_sub_directory_indexes_and_safety_headers(alice):
    site(alice, "include-site", view_config={"templates": ["index.html", "docs/index.html"],
                                             "headers": {"X-Frame-Options": "DENY", "Content-Length": "1", "Content-Type": "text/plain"}},
         files={"index.html": '{% include "partials/nav.html" %}|home', "partials/nav.html": "<nav>{{ artifact.alias }}</nav>",
                "docs/index.html": '{% include "partials/nav.html" %}|docs', "docs/guide.txt": "guide"})
    base = f"/{alice.ws}/view/include-site"
    home = alice.http("GET", base + "/")
    assert home.text == "<nav>include-site</nav>|home"
    assert home.headers["x-frame-options"] == "DENY"
    assert home.headers["x-content-type-options"] == "nosniff"
    # view_config.headers cannot change framing or the type.
    assert home.headers["content-length"] == str(len(home.content))
    assert home.headers["content-type"].startswith("text/html")
    assert alice.http("GET", base + "/docs/").text == "<nav>include-site</nav>|docs"
    assert alice.http("GET", base + "/docs/guide.txt").headers["x-content-type-options"] == "nosniff"
    # A path cannot leave the artifact.
    assert alice.http("GET", base + "/../other/").status_code in (400, 404)
    assert alice.http("GET", base + "/docs/%2e%2e/%2e%2e/x").status_code in (400, 404)


@pytest.mark.quirk
def test_conditional_get_and_ranges(alice):
    portfolio(alice, "conditional-site")
    base = f"/{alice.ws}/view/conditional-site"
    css = alice.http("GET", base + "/style.css")
    assert css.headers.get("etag") and css.headers.get("last-modified")
    assert alice.http("GET", base + "/style.css", headers={"If-None-Match": css.headers["etag"]}).status_code == 304
    part = alice.http("GET", base + "/style.css", headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == CSS.encode()[:4]
    page = alice.http("GET", base + "/")
    assert page.headers.get("etag")
    assert alice.http("GET", base + "/", headers={"If-None-Match": page.headers["etag"]}).status_code == 304


@pytest.mark.quirk
def test_builtin_gallery_of_a_collection(alice, anonymous):
    """A collection without a site has a gallery of its committed children (as `list` shows them
    to the caller), with everything from their manifests escaped."""
    collection(alice, "gallery", permissions={"*": "r"})
    parent = alice.aid("gallery")
    for alias, name, commit in (("g-public", "<script>alert(1)</script>", True), ("g-staged", "hidden child", False)):
        alice.ok("create", alias=alice.aid(alias), parent_id=parent, manifest={"name": name, "description": "a & b"}, stage=True)
        upload(alice, alice.aid(alias), "data.csv", b"1,2\n")
        if commit:
            alice.ok("commit", artifact_id=alice.aid(alias))
    page = anonymous.http("GET", f"/{alice.ws}/view/gallery/")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>" not in page.text
    assert "a &amp; b" in page.text
    assert "hidden child" not in page.text
    assert "/view/g-public/" in page.text and "create-zip-file" in page.text
    # A private collection's gallery is refused without a token.
    collection(alice, "private-gallery")
    assert anonymous.http("GET", f"/{alice.ws}/view/private-gallery/").status_code == 403
    assert alice.http("GET", f"/{alice.ws}/view/private-gallery/").status_code == 200


@pytest.mark.quirk
def test_builtin_page_of_an_artifact(alice):
    """Hypha answers 400 for a generic artifact without a view config; spore shows its page."""
    artifact_id = alice.aid("plain-artifact")
    alice.ok("create", alias=artifact_id, manifest={"name": "Plain", "description": "no site", "license": "CC-BY-4.0"}, stage=True)
    upload(alice, artifact_id, "data/table.csv", b"x" * 2048)
    upload(alice, artifact_id, "README.md", b"# hi")
    alice.ok("commit", artifact_id=artifact_id, comment="first <release>")
    page = alice.http("GET", f"/{alice.ws}/view/plain-artifact/")
    assert page.status_code == 200, page.text
    assert "<h1>Plain</h1>" in page.text and "CC-BY-4.0" in page.text
    assert "README.md" in page.text and "data/" in page.text and "create-zip-file" in page.text
    assert "first &lt;release&gt;" in page.text
    assert alice.http("GET", f"/{alice.ws}/view/plain-artifact/README.md").text == "# hi"


@pytest.mark.quirk
def test_rendered_pages_are_cached_per_token_not_per_user(alice):
    """Two tokens of one user see different `user.scope`; each gets its own page."""
    site(alice, "scope-site", view_config={"templates": ["index.html"]}, files={"index.html": "{{ user.scope.workspaces }}|{{ user.expires_at }}"})
    url = f"{alice.server.url}/{alice.ws}/view/scope-site/"
    admin = requests.get(url, headers={"Authorization": f"Bearer {alice.token}"})
    reader = alice.server.token(alice.id, permission="read", expires_in=600)
    narrow = requests.get(url, headers={"Authorization": f"Bearer {reader}"})
    assert admin.status_code == narrow.status_code == 200
    assert "'a'" in admin.text and "'r'" in narrow.text and admin.text != narrow.text
    # `?token=` wins over the Authorization header on view routes, as in Hypha.
    assert "'r'" in requests.get(f"{url}?token={reader}", headers={"Authorization": f"Bearer {alice.token}"}).text


@pytest.mark.quirk
def test_hostile_templates_fail_without_hurting_the_server(alice):
    files = {
        "overflow.html": "{{ (-9223372036854775807-1) // -1 }}",
        "deep.html": "{{ " + "(" * 1000 + "1" + ")" * 1000 + " }}",
        "spin.html": "{% for i in range(300) %}{% if range(100000)|sum %}{% endif %}{% endfor %}",
        "cookie.txt": "x",
    }
    site(alice, "hostile-site", view_config={"templates": ["overflow.html", "deep.html", "spin.html"],
                                             "headers": {"Set-Cookie": "access_token=garbage", "Access-Control-Allow-Credentials": "true"}},
         files=files)
    base = f"/{alice.ws}/view/hostile-site"
    for name in ("overflow.html", "deep.html", "spin.html"):
        response = alice.http("GET", f"{base}/{name}")
        assert response.status_code == 500 and response.json()["detail"].startswith("Template rendering failed"), name
        assert response.headers["x-content-type-options"] == "nosniff"
    plain = alice.http("GET", f"{base}/cookie.txt")
    assert plain.status_code == 200 and "set-cookie" not in plain.headers and "access-control-allow-credentials" not in plain.headers
    missing = alice.http("GET", f"{base}/nope.txt")
    assert missing.status_code == 404 and missing.headers["x-content-type-options"] == "nosniff"
    assert alice.http("GET", f"/{alice.ws}/artifacts/hostile-site").status_code == 200  # still serving
