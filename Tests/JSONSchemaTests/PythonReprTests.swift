import JSONSchema
import SporeJSON
import Testing

/// `pythonRepr` against what Python 3.11's `repr()` prints for the value `json.loads` makes
/// (expectations taken from CPython).
@Suite("Python repr")
struct PythonReprTests {
    @Test(
        arguments: [
            (JSONValue.null, "None"),
            (true, "True"),
            (false, "False"),
            (0, "0"),
            (-42, "-42"),
            (.int(Int64.max), "9223372036854775807"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (100.0, "100.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (2.5e-7, "2.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (123456789.125, "123456789.125"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (.double(.leastNonzeroMagnitude), "5e-324"),
            (.double(.infinity), "inf"),
            (.double(.nan), "nan"),
        ] as [(JSONValue, String)])
    func scalars(_ value: JSONValue, _ expected: String) {
        #expect(pythonRepr(value) == expected)
    }

    @Test(arguments: [
        ("", "''"),
        ("plain", "'plain'"),
        ("it's", "\"it's\""),
        ("say \"hi\"", "'say \"hi\"'"),
        ("both ' and \"", "'both \\' and \"'"),
        ("tab\there", "'tab\\there'"),
        ("new\nline\r", "'new\\nline\\r'"),
        ("back\\slash", "'back\\\\slash'"),
        ("\u{01}\u{7f}\u{9f}", "'\\x01\\x7f\\x9f'"),
        ("nbsp\u{a0}zwsp\u{200b}", "'nbsp\\xa0zwsp\\u200b'"),
        ("line\u{2028}sep", "'line\\u2028sep'"),
        ("café 😀 中", "'café 😀 中'"),
        ("private\u{E000}", "'private\\ue000'"),
        ("e\u{301}", "'e\u{301}'"),
    ])
    func strings(_ text: String, _ expected: String) {
        #expect(pythonRepr(.string(text)) == expected)
    }

    @Test func containers() {
        #expect(pythonRepr([]) == "[]")
        #expect(pythonRepr([:]) == "{}")
        #expect(pythonRepr([1, 2.0, "x", nil, [true]]) == "[1, 2.0, 'x', None, [True]]")
        // Members keep the order they were written in, as a Python dict does.
        #expect(pythonRepr(["b": 1, "a": ["k": "v"], "it's": false]) == "{'b': 1, 'a': {'k': 'v'}, \"it's\": False}")
    }

    @Test func veryDeepValuesAreElided() {
        var deep: JSONValue = 1
        for _ in 0..<300 { deep = [deep] }
        let text = pythonRepr(deep)
        #expect(text.hasPrefix(String(repeating: "[", count: 256) + "..."))
    }
}

/// `pattern` semantics: Python's `re.search` on ICU.
@Suite("Regex patterns")
struct RegexPatternTests {
    private func matches(_ pattern: String, _ text: String) throws -> Bool {
        try JSONSchema(["pattern": .string(pattern)]).isValid(.string(text))
    }

    @Test func searchNotFullMatch() throws {
        #expect(try matches("b", "abc"))
        #expect(try !matches("^b", "abc"))
        #expect(try matches("c$", "abc"))
    }

    @Test func pythonSpellings() throws {
        #expect(try matches("(?P<word>ab)(?P=word)", "xabab"))
        #expect(try !matches("(?P<word>ab)(?P=word)", "abba"))
        #expect(try matches("^a{,2}$", "aa"))
        #expect(try !matches("^a{,2}$", "aaa"))
        #expect(try matches("^x\\Z", "x"))
        #expect(try !matches("^x\\Z", "x\n"))
        #expect(try matches("^x$", "x\n"))
        #expect(try !matches("^x$", "x\r"))
        #expect(try !matches("^.$", "\n"))
        #expect(try matches("^.$", "\r"))
    }

    @Test func bracketsReadLiterallyAsPythonReadsThem() throws {
        #expect(try matches("^[[]+$", "[["))
        #expect(try matches("^[]a]+$", "]a"))
        #expect(try matches("^[a&&b]+$", "&&"))
        #expect(try matches("^[a-]+$", "a-"))
        #expect(try matches("^[^]]$", "x"))
        #expect(try !matches("^[^]]$", "]"))
    }

    @Test func unicodeClassesAndCodePoints() throws {
        #expect(try matches("^\\w+$", "héllo"))
        #expect(try matches("^\\d+$", "١٢٣"))
        #expect(try matches("^.{2}$", "😀😀"))
    }

    @Test func invalidPatternsAreRefusedWithPythonsMessage() throws {
        for pattern in ["(", "[a", "a{2,1}", "\\"] {
            let error = try #require(throws: JSONSchemaError.self) { try JSONSchema(["pattern": .string(pattern)]) }
            #expect(error.message == "\(pythonRepr(.string(pattern))) is not a 'regex'")
            #expect(error.schemaPath == ["pattern"])
        }
    }
}
