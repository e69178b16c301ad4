import SporeJSON
import Testing

@testable import Templates

/// The engine's own rules, without I/O; byte-for-byte agreement with Python's Jinja2 is checked by
/// tests/integration/test_view_templates.py over a corpus.
@Suite struct TemplateTests {
    func render(_ source: String, _ variables: JSONValue = [:], includes: [String: String] = [:], autoescape: Bool = false) throws -> String {
        var context = TemplateMapping()
        for (key, value) in variables.objectValue?.pairs ?? [] { context[key] = TemplateValue(value) }
        var parsed: [String: Template] = [:]
        for (name, text) in includes { parsed[name] = try Template(source: text, name: name) }
        return try Template(source: source, name: "page.html").render(context, includes: parsed, autoescape: autoescape)
    }

    func failure(_ source: String, _ variables: JSONValue = [:]) -> TemplateError? {
        do {
            _ = try render(source, variables)
            return nil
        } catch let error as TemplateError {
            return error
        } catch {
            return nil
        }
    }

    @Test func errorsNameTheLineAndColumn() throws {
        let error = try #require(failure("line one\n  {{ x | nosuch }}\n"))
        #expect(error.line == 2)
        #expect(error.column == 8)
        #expect(error.description == "page.html:2:8: No filter named 'nosuch'.")
        let unclosed = try #require(failure("{% if a %}\nnever closed\n"))
        #expect(unclosed.message.contains("endif"))
    }

    @Test func undefinedPrintsNothingButCannotBeUsedFurther() throws {
        #expect(try render("[{{ missing }}][{{ d.missing }}]", ["d": [:]]) == "[][]")
        #expect(failure("{{ MANIFEST.name }}")?.message == "'MANIFEST' is undefined")
        #expect(failure("{{ d.a.b }}", ["d": [:]])?.message == "'dict object' has no attribute 'a'")
        #expect(try render("{{ missing | default('x') }}{% for i in missing %}never{% endfor %}") == "x")
    }

    @Test func pythonValueText() throws {
        let text = try render(
            "{{ n }} {{ f }} {{ t }} {{ l }} {{ d }} {{ (1,) }} {{ 7 / 2 }} {{ -7 // 2 }}",
            ["n": nil, "f": 1.0, "t": true, "l": ["it's", 2], "d": ["k": [1.5]]]
        )
        #expect(text == "None 1.0 True [\"it's\", 2] {'k': [1.5]} (1,) 3.5 -4")
    }

    @Test func autoescapeIsForSporesOwnPages() throws {
        let variables: JSONValue = ["name": "<b>&'\""]
        #expect(try render("{{ name }}", variables) == "<b>&'\"")
        #expect(try render("{{ name }}|{{ name | safe }}", variables, autoescape: true) == "&lt;b&gt;&amp;&#39;&#34;|<b>&'\"")
        #expect(try render("{{ name | e | e }}", variables, autoescape: true) == "&lt;b&gt;&amp;&#39;&#34;")
    }

    @Test func loopsAndScopes() throws {
        let source =
            "{% set x = 'outer' %}{% for i in [1, 2, 3] if i != 2 %}{% set x = i %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}{{ x }}"
        #expect(try render(source) == "1/2:1 2/2:3 outer")
    }

    @Test func includesSeeTheContextButNotLoop() throws {
        let text = try render(
            "{% for a in [1] %}{% include 'part' %}{% endfor %}",
            includes: ["part": "{{ a }}{{ loop is defined }}"]
        )
        #expect(text == "1False")
        #expect(failure("{% include 'nowhere' %}")?.message == "TemplateNotFound: nowhere")
    }

    @Test func runawayTemplatesStop() throws {
        let loop = try #require(failure("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"))
        #expect(loop.message.contains("steps"))
        let deep = try #require(
            { () -> TemplateError? in
                do {
                    _ = try render("{% include 'self' %}", includes: ["self": "x{% include 'self' %}"])
                    return nil
                } catch let error as TemplateError { return error } catch { return nil }
            }())
        #expect(deep.message.contains("nest deeper"))
        let huge = String(repeating: "x", count: TemplateLimits.sourceBytesMax + 1)
        #expect(failure(huge)?.message.contains("larger than") == true)
    }

    @Test func bundleLoadsIncludesOnce() async throws {
        let files = ["index.html": "{% include 'a.html' %}{% include 'b.html' ignore missing %}", "a.html": "A{% include 'c.html' %}", "c.html": "C"]
        let fetched = Counter()
        let bundle = try await TemplateBundle(name: "index.html") { name in
            await fetched.add(name)
            return files[name]
        }
        #expect(try bundle.render(TemplateMapping()) == "AC")
        #expect(await fetched.names.sorted() == ["a.html", "b.html", "c.html", "index.html"])
    }
}

actor Counter {
    var names: [String] = []
    func add(_ name: String) { names.append(name) }
}
