import BlobStore
import Testing

@Suite struct HexTests {
    @Test func encodeWritesTwoLowercaseDigitsPerByte() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.encode(Array(0...255)).count == 512)
    }

    @Test func decodeReadsEitherCaseAndRefusesTheRest() {
        #expect(Hex.decode("000fA5ff") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func digitValueKnowsExactlyTheHexDigits() {
        for byte in UInt8.min...UInt8.max {
            let expected = Array("0123456789abcdef".utf8).firstIndex(of: byte) ?? Array("0123456789ABCDEF".utf8).firstIndex(of: byte)
            #expect(Hex.digitValue(byte) == expected.map(UInt8.init))
        }
    }
}
