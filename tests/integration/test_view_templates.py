"""Differential test of spore's template engine against Python's Jinja2 (the engine Hypha renders
view templates with): every template of the corpus must render to the same bytes, and every
template Jinja2 refuses must be refused by spore too, with a line and column."""

import json
import subprocess
from pathlib import Path

import jinja2
import pytest

from conftest import BINARY

HERE = Path(__file__).parent / "templates"
CORPUS = HERE / "corpus"
ERRORS = HERE / "errors"
VARIABLES = json.loads((CORPUS / "variables.json").read_text())


def spore_render(root, name, variables=None):
    args = [str(BINARY), "template", "render", name, "--root", str(root)]
    if variables is not None:
        args += ["--variables", "-"]
    return subprocess.run(args, input=json.dumps(variables or {}).encode(), capture_output=True, timeout=60)


def jinja_render(root, name, variables):
    # Hypha renders with jinja2.Template(source): an Environment with every default.
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(root)))
    return environment.get_template(name).render(**variables)


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.html")))
def test_corpus_renders_like_jinja2(name):
    expected = jinja_render(CORPUS, name, VARIABLES)
    result = spore_render(CORPUS, name, VARIABLES)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == expected


@pytest.mark.parametrize("name", sorted(p.name for p in ERRORS.glob("*.html")))
def test_templates_jinja2_refuses_are_refused(name):
    with pytest.raises(Exception):
        jinja_render(ERRORS, name, VARIABLES)
    result = spore_render(ERRORS, name, VARIABLES)
    assert result.returncode != 0, result.stdout.decode()
    message = result.stderr.decode()
    # The error names the template, line and column.
    assert f"{name}:" in message, message


def test_seed_portfolio_template_with_hypha_variable_names(tmp_path):
    """The seed's example page renders with the seed's names; a template written against the
    running server's names (artifact, user, view_base_url …) renders too."""
    (tmp_path / "seed.html").write_text("{{ MANIFEST.name }}|{% if USER %}{{ USER.id }}{% endif %}|{{ CONFIG | tojson(indent=2) }}\n")
    (tmp_path / "hypha.html").write_text("{{ artifact.manifest.name }}|{{ user.id }}|{{ view_base_url }}|{{ metadata.title | default('none') }}\n")
    variables = {
        "MANIFEST": {"name": "P"}, "USER": {"id": "u"}, "CONFIG": {"b": 1, "a": [1]},
        "artifact": {"manifest": {"name": "P"}}, "user": {"id": "u"}, "view_base_url": "http://h/ws/view/p", "metadata": {},
    }
    for name in ("seed.html", "hypha.html"):
        result = spore_render(tmp_path, name, variables)
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout.decode() == jinja_render(tmp_path, name, variables)


def test_include_cannot_leave_the_folder(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "secret.html").write_text("secret")
    (tmp_path / "site" / "page.html").write_text('{% include "../secret.html" %}')
    result = spore_render(tmp_path / "site", "page.html", {})
    assert result.returncode != 0
    assert b"secret" not in result.stdout


def test_runaway_templates_are_bounded(tmp_path):
    (tmp_path / "loop.html").write_text("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}")
    (tmp_path / "self.html").write_text('a{% include "self.html" %}')
    for name in ("loop.html", "self.html"):
        result = spore_render(tmp_path, name, {})
        assert result.returncode != 0
        assert len(result.stdout) == 0
