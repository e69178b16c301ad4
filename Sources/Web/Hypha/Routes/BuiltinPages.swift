import Templates

/// Spore's own view pages: a collection's gallery and an artifact's page. Rendered with
/// autoescape on, so nothing from a manifest (a child's name, a description) can inject markup.
/// No script, no external stylesheet or font: the pages work offline and on a phone.
enum BuiltinPages {
    static let collection = parse(collectionSource, name: "builtin:collection/index.html")
    static let artifact = parse(artifactSource, name: "builtin:artifact/index.html")

    private static func parse(_ source: String, name: String) -> Template {
        do {
            return try Template(source: source, name: name)
        } catch {
            // A constant of this file: the tests render both pages.
            preconditionFailure("built-in page \(name) does not parse: \(error)")
        }
    }

    static let style = """
        <style>
        :root { color-scheme: light dark; --fg: #1d2330; --muted: #5d6675; --line: #d9dde4; --card: #f6f7f9; --accent: #2457c5; }
        @media (prefers-color-scheme: dark) { :root { --fg: #e6e9ee; --muted: #a0a8b5; --line: #394150; --card: #1e232c; --accent: #7aa2ff; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
        main { max-width: 960px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
        a { color: var(--accent); }
        .crumb, .meta, .stats { color: var(--muted); font-size: 0.9rem; }
        h1 { margin: 0.2rem 0 0.5rem; font-size: 1.8rem; overflow-wrap: anywhere; }
        .grid { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem; overflow-wrap: anywhere; }
        .card h2 { font-size: 1.1rem; margin: 0 0 0.4rem; }
        table { width: 100%; border-collapse: collapse; font-size: 0.95rem; }
        th, td { text-align: left; padding: 0.45rem 0.4rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
        td.size { text-align: right; white-space: nowrap; }
        .button { display: inline-block; padding: 0.45rem 0.9rem; border-radius: 8px; background: var(--accent); color: #fff; text-decoration: none; }
        section { margin-top: 2rem; }
        </style>
        """

    /// What both pages start and end with: the document, its head and the main element.
    static let pageStart = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{ MANIFEST.name | default(artifact.alias) }}</title>
        \(style)
        </head>
        <body>
        <main>
        """
    static let pageEnd = """
        </main>
        </body>
        </html>
        """

    static let collectionSource = """
        \(pageStart)
        <header>
        <p class="crumb">{{ workspace }} · collection</p>
        <h1>{{ MANIFEST.name | default(artifact.alias) }}</h1>
        {% if MANIFEST.description %}<p>{{ MANIFEST.description }}</p>{% endif %}
        <p class="stats">{{ children | length }} item{{ "s" if children | length != 1 }} · {{ VIEW_COUNT | int }} view{{ "s" if VIEW_COUNT | int != 1 }} · {{ DOWNLOAD_COUNT | int }} download{{ "s" if DOWNLOAD_COUNT | int != 1 }}</p>
        </header>
        <ul class="grid">
        {% for child in children %}
        <li class="card">
        <h2><a href="{{ child.url }}">{{ child.name }}</a></h2>
        {% if child.description %}<p>{{ child.description | truncate(240) }}</p>{% endif %}
        <p class="meta">{% if child.type %}{{ child.type }} · {% endif %}{{ child.files }} file{{ "s" if child.files != 1 }} · {{ child.views | int }} view{{ "s" if child.views | int != 1 }} · {{ child.downloads | int }} download{{ "s" if child.downloads | int != 1 }}</p>
        <p><a href="{{ child.zip_url }}">Download all as zip</a></p>
        </li>
        {% else %}
        <li class="card">Nothing here yet, or nothing you may see.</li>
        {% endfor %}
        </ul>
        \(pageEnd)
        """

    static let artifactSource = """
        \(pageStart)
        <header>
        <p class="crumb">{{ workspace }} · {{ artifact.type | default("artifact", true) }}</p>
        <h1>{{ MANIFEST.name | default(artifact.alias) }}</h1>
        {% if MANIFEST.description %}<p>{{ MANIFEST.description }}</p>{% endif %}
        <p class="stats">{{ artifact.file_count | default(0) }} file{{ "s" if artifact.file_count != 1 }} · {{ VIEW_COUNT | int }} view{{ "s" if VIEW_COUNT | int != 1 }} · {{ DOWNLOAD_COUNT | int }} download{{ "s" if DOWNLOAD_COUNT | int != 1 }}{% if created %} · created {{ created }}{% endif %}{% if modified %} · updated {{ modified }}{% endif %}</p>
        <p><a class="button" href="{{ zip_url }}">Download all as zip</a></p>
        </header>
        {% if manifest_rows %}
        <section>
        <h2>About</h2>
        <table>
        {% for key, value in manifest_rows %}<tr><th>{{ key }}</th><td>{{ value }}</td></tr>
        {% endfor %}
        </table>
        </section>
        {% endif %}
        <section>
        <h2>Files</h2>
        <table>
        <thead><tr><th>Name</th><th>Size</th></tr></thead>
        <tbody>
        {% for file in files %}
        <tr><td>{% if file.directory %}{{ file.name }}/{% else %}<a href="{{ file.url }}">{{ file.name }}</a>{% endif %}</td><td class="size">{% if not file.directory %}{{ file.size | filesizeformat }}{% endif %}</td></tr>
        {% else %}
        <tr><td colspan="2">No files.</td></tr>
        {% endfor %}
        </tbody>
        </table>
        </section>
        {% if versions %}
        <section>
        <h2>Versions</h2>
        <table>
        {% for version in versions %}<tr><th>{{ version.version }}</th><td>{{ version.comment | default("", true) }}</td><td class="meta">{{ version.created }}</td></tr>
        {% endfor %}
        </table>
        </section>
        {% endif %}
        \(pageEnd)
        """
}
