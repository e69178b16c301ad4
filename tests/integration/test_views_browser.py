"""Artifact views in a real browser (Debian's headless Chromium): a collection's built-in gallery
and a templated site page, at a phone's size, screenshotted. The pages must render without
sideways scrolling, show what the artifacts hold, load the site's own image and run no script."""

import struct
import zlib

import requests

from browser import screenshot_in_chromium

WS = "ws-user-user-1"


def png(width, height, rgb):
    """A small valid PNG of one colour, made without any imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png_colours(path):
    """How many distinct byte values the screenshot's pixel data has (a blank page has very few)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat = 8, b""
    while position < len(data):
        (length,), kind = struct.unpack(">I", data[position:position + 4]), data[position + 4:position + 8]
        if kind == b"IDAT":
            idat += data[position + 8:position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(idat)))


class Artifacts:
    def __init__(self, spore, token):
        self.base = spore.http
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, function, **kwargs):
        response = requests.post(f"{self.base}/public/services/artifact-manager/{function}", json=kwargs, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def publish(self, alias, files, **kwargs):
        artifact_id = f"{WS}/{alias}"
        self.call("create", alias=artifact_id, stage=True, **kwargs)
        for path, data in files.items():
            url = self.call("put_file", artifact_id=artifact_id, file_path=path)
            assert requests.put(url, data=data).status_code == 200
        return self.call("commit", artifact_id=artifact_id)


def test_gallery_and_site_pages_in_chromium(spore, tmp_path):
    token = spore.cli("token", "create", "--user", "user-1").stdout.strip()
    artifacts = Artifacts(spore, token)
    artifacts.call("create", alias=f"{WS}/zoo", type="collection",
                   manifest={"name": "Model Zoo", "description": "Models <b>shared</b> on the LAN"},
                   config={"permissions": {"*": "r"}})
    for index, name in enumerate(["Cell segmentation with a very long name that must wrap on a phone screen",
                                  "Nucleus detector", "<img src=x onerror=alert(1)>"]):
        artifacts.publish(f"zoo-model-{index}", {"weights.bin": b"w" * (1000 * (index + 1)), "README.md": b"# model"},
                          parent_id=f"{WS}/zoo", manifest={"name": name, "description": f"Model number {index} & friends"})

    facts = screenshot_in_chromium(f"{spore.http}/{WS}/view/zoo/", tmp_path / "gallery.png")
    assert facts["title"] == "Model Zoo"
    assert not facts["overflows"], "the gallery scrolls sideways on a phone"
    assert facts["headings"][0] == "Model Zoo"
    assert "Nucleus detector" in facts["headings"] and "<img src=x onerror=alert(1)>" in facts["headings"]
    assert facts["scripts"] == 0 and facts["brokenImages"] == 0  # the child's markup stayed text
    assert f"{spore.http}/{WS}/view/zoo-model-1/" in facts["links"]
    assert png_colours(tmp_path / "gallery.png") > 8

    index = """<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ MANIFEST.name }}</title><link rel="stylesheet" href="style.css"></head>
<body><h1>{{ MANIFEST.name }}</h1><img src="img/logo.png" alt="logo" width="64" height="64">
<h2>{{ MANIFEST.tags | length }} tags</h2><ul>{% for tag in MANIFEST.tags %}<li>{{ tag }}</li>{% endfor %}</ul></body></html>"""
    artifacts.publish("site", {"index.html": index.encode(), "style.css": b"body { background: #fde; font-family: sans-serif; }",
                               "img/logo.png": png(64, 64, (30, 90, 200))},
                      manifest={"name": "Portfolio", "tags": ["a", "b", "c"]},
                      config={"permissions": {"*": "r"}, "view_config": {"templates": ["index.html"]}})
    facts = screenshot_in_chromium(f"{spore.http}/{WS}/view/site/", tmp_path / "site.png")
    assert facts["title"] == "Portfolio"
    assert facts["headings"] == ["Portfolio", "3 tags"]
    assert facts["brokenImages"] == 0, "the site's own image did not load"
    assert not facts["overflows"]
    assert png_colours(tmp_path / "site.png") > 8

    # The built-in page of one child: its files, with download links that work.
    facts = screenshot_in_chromium(f"{spore.http}/{WS}/view/zoo-model-1/", tmp_path / "artifact.png")
    assert facts["title"] == "Nucleus detector" and not facts["overflows"]
    downloads = [link for link in facts["links"] if "/files/" in link]
    assert sorted(link.rsplit("/", 1)[1] for link in downloads) == ["README.md", "weights.bin"]
    assert requests.get(next(link for link in downloads if link.endswith("README.md"))).content == b"# model"
