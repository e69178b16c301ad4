import Testing

@testable import Index

/// The small text helpers every request goes through (header values, ETags).
@Suite struct TextHelperTests {
    @Test func trimmingSpacesDropsSpacesAndTabsAtBothEndsOnly() {
        let cases: [(Substring, String)] = [
            ("", ""), ("   ", ""), ("\t \t", ""), ("a", "a"), ("  a b  ", "a b"), ("\tSignature=ab\t ", "Signature=ab"),
            (" ä\u{301} ", "ä\u{301}"), ("x\n", "x\n"), ("\u{A0}x", "\u{A0}x"),
        ]
        for (input, expected) in cases {
            #expect(input.trimmingSpaces() == expected)
        }
        let line = "Credential=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders=host"
        let middle = line[line.firstIndex(of: ",")!...].dropFirst()
        #expect(middle.trimmingSpaces() == "SignedHeaders=host")
    }

    @Test func trimmingCharactersDropsOneCharacterAtBothEnds() {
        #expect("  \"abc\" ".trimmingCharacters(" ") == "\"abc\"")
        #expect("   ".trimmingCharacters(" ") == "")
        #expect("abc".trimmingCharacters(" ") == "abc")
    }
}

@Suite struct SplittingTests {
    @Test func splittingOnASCIIMatchesSplitForASCIIText() {
        let samples: [Substring] = ["", "&", "&&", "a", "a&b", "&a&&b&", "x=1&y=&z", "ä&ö&&"]
        for sample in samples {
            for omitting in [true, false] {
                let expected = sample.split(separator: "&", omittingEmptySubsequences: omitting)
                #expect(sample.splitting(onASCII: UInt8(ascii: "&"), omittingEmptySubsequences: omitting) == expected)
            }
        }
    }

    @Test func splittingOnASCIISplitsBytesNotGraphemes() {
        // A combining mark after the separator makes one Character of both; a query is split on bytes.
        let text: Substring = "a=1&\u{301}b=2"
        #expect(text.splitting(onASCII: UInt8(ascii: "&")) == ["a=1", "\u{301}b=2"])
    }

    @Test func uploadIDsParseOnlyAsSporeWritesThem() {
        let id = UploadID(sequence: 42)
        #expect(UploadID(parsing: id.description) == id)
        #expect(UploadID(parsing: "0123456789ABCDEF0123456789abcdef") == nil)
        #expect(UploadID(parsing: String(id.description.dropLast())) == nil)
        #expect(UploadID(parsing: String(id.description.dropLast()) + "g") == nil)
        #expect(UploadID(parsing: "") == nil)
    }
}
