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


HOSTILE = {
    # Numbers that do not fit in 64 bits, or floats that are not integers.
    "truncate-huge-float": "{{ 'abc'|truncate(1e300) }}",
    "round-huge-precision": "{{ 1|round(1e300) }}",
    "int-of-huge-float": "{{ 1e300|int }}{{ '1e300'|int }}",
    "format-huge": "{{ '%d'|format(1e300) }}{{ '%.2000000000f'|format(1.0) }}",
    "filesize-negative-huge": "{{ -1e300|filesizeformat }}",
    "negate-min": "{{ -(-9223372036854775807 - 1) }}",
    "floordiv-min": "{{ (-9223372036854775807-1) // -1 }}{{ (-9223372036854775807-1) % -1 }}",
    "range-overflow": "{{ range(9223372036854775800, 9223372036854775807, 5)|list }}",
    "slice-overflow": "{{ 'abc'[1::9223372036854775807] }}",
    "truncate-max": "{{ 'abc'|truncate(9223372036854775807) }}",
    "abs-min": "{{ (-9223372036854775807-1)|abs }}{{ (-9223372036854775807-1) is divisibleby(-1) }}",
    "tojson-indent": "{{ [[1]]|tojson(9223372036854775807) }}{{ [1]|tojson(-1) }}{{ 'a\\nb'|indent(-1) }}",
    "big-powers": "{{ 10**20 }}{{ 2**64 }}",
    # Nesting.
    "parentheses": "{{ " + "(" * 1000 + "1" + ")" * 1000 + " }}",
    "long-chain": "{{ 1" + "+1" * 1000 + " }}",
    "nots": "{{ " + "not " * 20000 + "1 }}",
    "filters": "{{ 1" + "|e" * 20000 + " }}",
    "nested-ifs": "{% if true %}" * 5000 + "x" + "{% endif %}" * 5000,
    "nested-values": "{% set x = 1 %}" + "{% set x = [x] %}" * 5000 + "{{ x == x }}{{ x|tojson }}{{ x }}",
    # Memory.
    "big-string": "{{ ('x' * 1000000000)|length }}{{ 'xx' * 4611686018427387904 }}",
    "big-list": "{{ [1] * 1000000000 }}",
    "big-indent": "{{ 'x'|indent(1000000000, true) }}",
    "doubling": "{% set s = 'x' * 1000 %}" + "{% set s = s ~ s %}" * 40 + "{{ s|length }}",
    # CPU.
    "loops": "{% for i in range(300) %}{% if range(100000)|sum %}{% endif %}{% endfor %}",
    # Found by a second review.
    "modulo-min": "{{ (-9223372036854775807 - 1) % 3 }}|{{ 9223372036854775807 % -2 }}",
    "round-min": "{{ 5|round(-9223372036854775807 - 1) }}{{ 5.0|round(-9223372036854775807 - 1) }}{{ 5.0|round(9223372036854775807) }}",
    "deep-sets": "{% set x = 1 %}" + "{% set x = [[[[[[[[[[x]]]]]]]]]] %}" * 3000 + "{{ x|length }}",
    "shared-doubling": "{% set x0 = [1] %}" + "".join(f"{{% set x{i + 1} = [x{i}, x{i}] %}}" for i in range(40)) + "{{ x40 }}",
    "join-huge": "{% set s = 'x' * 1000000 %}{{ ([s] * 300000)|join }}",
    "replace-huge": "{{ 'abc'.replace('', 'y' * 8000000) }}{{ 'abc'|replace('', 'y' * 8000000) }}",
    "method-join-huge": "{% set s = 'x' * 1000000 %}{{ ''.join([s] * 300) }}",
    "set-blocks": "{% set s = 'x' * 8000000 %}" + "".join(f"{{% set a{i} %}}.{{{{ s }}}}{{% endset %}}" for i in range(1000)),
    "membership": "{% set big = range(100000)|list %}{% for i in range(1000) %}{{ 99999 in big }}{% endfor %}",
    "string-index": "{% set s = 'x' * 8000000 %}{% for i in range(1000) %}{{ s[7999999] }}{% endfor %}",
    "unique": "{{ range(100000)|unique|list|length }}",
    "many-includes": "".join(f'{{% include "n{i}" ignore missing %}}' for i in range(200)),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_templates_fail_cleanly(tmp_path, name):
    """Templates that would crash, exhaust memory or spin: spore answers an error (or a page, where
    the result is small) in bounded time and never dies from a signal."""
    (tmp_path / "page.html").write_text(HOSTILE[name])
    started = __import__("time").monotonic()
    result = spore_render(tmp_path, "page.html", {})
    elapsed = __import__("time").monotonic() - started
    assert result.returncode in (0, 1), (result.returncode, result.stderr.decode()[-500:])
    assert elapsed < 20, elapsed
    assert len(result.stdout) <= 8 << 20


def test_include_fan_out_is_bounded(tmp_path):
    """Nine templates, each including the next six times: 10 million renders without a loop."""
    for level in range(9):
        body = "x" if level == 8 else f'{{% include "t{level + 1}.html" %}}' * 6
        (tmp_path / f"t{level}.html").write_text(body)
    started = __import__("time").monotonic()
    result = spore_render(tmp_path, "t0.html", {})
    assert result.returncode == 1 and b"steps" in result.stderr
    assert __import__("time").monotonic() - started < 20
