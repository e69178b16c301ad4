import Testing
import SporeJSON
@Test func roundTrip() throws {
  let v = try JSONValue(parsing: #"{"b":1,"a":[1.5,"x\/y\u00e9\ud83d\ude00",null,true,{"z":-0.0}],"c":1e-05}"#)
  #expect(v.jsonText == #"{"b":1,"a":[1.5,"x/yé😀",null,true,{"z":-0.0}],"c":1e-05}"#)
  #expect(v.value(atPath: "a.1") == "x/yé😀")
  #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(repeating: "[", count: 200)) }
}
