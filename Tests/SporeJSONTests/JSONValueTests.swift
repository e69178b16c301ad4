import SporeJSON
import Testing

@Test func roundTrip() throws {
    let v = try JSONValue(parsing: #"{"b":1,"a":[1.5,"x\/y\u00e9\ud83d\ude00",null,true,{"z":-0.0}],"c":1e-05}"#)
    #expect(v.jsonText == #"{"b":1,"a":[1.5,"x/yé😀",null,true,{"z":-0.0}],"c":1e-05}"#)
    #expect(v.value(atPath: "a.1") == "x/yé😀")
    #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(repeating: "[", count: 200)) }
}

/// Found by the fuzzer: `1e999` parsed to infinity, which JSON cannot write back (it became null).
@Test func numbersBeyondDoubleAreRefused() throws {
    #expect(throws: JSONParseError.self) { try JSONValue(parsing: "1e999") }
    #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[-1e400]") }
    #expect(try JSONValue(parsing: "1e308") == .double(1e308))
}

@Test func integersAndFloatsStayApart() throws {
    #expect(try JSONValue(parsing: "1") == .int(1))
    #expect(try JSONValue(parsing: "1.0") == .double(1))
    #expect(JSONValue.double(0.5).jsonText == "0.5")
    #expect(JSONValue.double(2).jsonText == "2.0")
    #expect(try JSONValue(parsing: "92233720368547758070") == .double(92233720368547758070))
}

@Test func stringsEscapeOnlyWhatJSONNeeds() {
    #expect(JSONValue.string("a/b\"c\\d\n\u{1}é").jsonText == #""a/b\"c\\d\n\u0001é""#)
}

@Test func objectsKeepInsertionOrderAndCompareWithout() throws {
    let first = try JSONValue(parsing: #"{"b":1,"a":2}"#)
    let second = try JSONValue(parsing: #"{"a":2,"b":1}"#)
    #expect(first == second)
    #expect(first.jsonText == #"{"b":1,"a":2}"#)
    #expect(second.jsonText == #"{"a":2,"b":1}"#)
}

@Test func malformedDocumentsAreRefused() {
    for text in ["", "{", "[1,]", "{\"a\" 1}", "\"\\ud800\"", "tru", "01", "1.", "\"\u{1}\"", "[1] x"] {
        #expect(throws: JSONParseError.self, "\(text)") { try JSONValue(parsing: text) }
    }
}
