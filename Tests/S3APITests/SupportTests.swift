import BlobStore
import Testing

@testable import HTTPSupport
@testable import Objects
@testable import S3API

@Suite struct XMLReaderTests {
    @Test func parsesS3RequestDocuments() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Object><Key>a &amp; b &lt;c&gt; &#233;&#x1F980;</Key></Object>
              <Object><Key><![CDATA[<raw>]]></Key><VersionId>v1</VersionId></Object>
              <Quiet>true</Quiet>
            </Delete>
            """
        let root = try XMLReader.parse(Array(text.utf8))
        #expect(root.name == "Delete")
        #expect(root.children("Object").map { $0.value("Key") } == ["a & b <c> é🦀", "<raw>"])
        #expect(root.value("Quiet") == "true")
        #expect(root.children("Object")[1].value("VersionId") == "v1")
    }

    @Test(arguments: [
        "", "<a>", "<a></b>", "<a><b></a></b>", "text", "<a/><b/>", "<a x=1></a>",
        "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>", "<a>&unknown;</a>", "<a>&#xFFFFFFFF;</a>",
        // Element names that would serialize to XML no reader accepts (fuzzing found the first two).
        "<a:/>", "<a:?/>", "<?a?><1/>", "<a><-b/></a>", "<a:b:!></a:b:!>",
    ])
    func rejectsMalformedAndDangerousDocuments(_ text: String) {
        #expect(throws: XMLParseError.self) { try XMLReader.parse(Array(text.utf8)) }
    }

    @Test func acceptsNamespacedAndUnusualValidNames() throws {
        let root = try XMLReader.parse(Array("<s3:Tagging xmlns:s3='x'><_a.b-1/><é/></s3:Tagging>".utf8))
        #expect(root.name == "Tagging")
        #expect(root.children.map(\.name) == ["_a.b-1", "é"])
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLParseError.self) { try XMLReader.parse(Array(deep.utf8)) }
    }

    @Test func writerEscapes() {
        #expect(XMLWriter.escape("a<b>&\"'\u{1}") == "a&lt;b&gt;&amp;&quot;&apos;&#x1;")
        #expect(XMLWriter.escape("") == "")
        #expect(XMLWriter.escape("plain/key ä.txt") == "plain/key ä.txt")
        #expect(XMLWriter.escape("&&x\t\u{1F}") == "&amp;&amp;x\t&#x1F;")
    }
}

@Suite struct TimestampTests {
    @Test func formatsAndParsesTheS3Forms() {
        let milliseconds: Int64 = 1_255_369_830_123  // 2009-10-12T17:50:30.123Z
        #expect(Timestamp.iso8601(milliseconds: milliseconds) == "2009-10-12T17:50:30.123Z")
        #expect(Timestamp.httpDate(milliseconds: milliseconds) == "Mon, 12 Oct 2009 17:50:30 GMT")
        #expect(Timestamp.amzDate(milliseconds: milliseconds) == "20091012T175030Z")
        #expect(Timestamp.parseISO8601("2009-10-12T17:50:30.123Z") == milliseconds)
        #expect(Timestamp.parseHTTPDate("Mon, 12 Oct 2009 17:50:30 GMT") == milliseconds - 123)
        #expect(Timestamp.parseHTTPDate("Monday, 12-Oct-09 17:50:30 GMT") == milliseconds - 123)
        #expect(Timestamp.parseHTTPDate("Mon Oct 12 17:50:30 2009") == milliseconds - 123)
        #expect(Timestamp.parseAmzDate("20091012T175030Z") == milliseconds - 123)
        #expect(Timestamp.parseHTTPDate("yesterday") == nil)
        #expect(Timestamp.httpDate(milliseconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(Timestamp.iso8601(milliseconds: 7) == "1970-01-01T00:00:00.007Z")
        #expect(Timestamp.amzDate(milliseconds: 253_402_300_799_000) == "99991231T235959Z")
    }
}

@Suite struct EncodingTests {
    @Test func percentDecodingIsStrict() {
        #expect(PercentEncoding.decodeString("a%20b+c", plusIsSpace: false) == "a b+c")
        #expect(PercentEncoding.decodeString("a%20b+c", plusIsSpace: true) == "a b c")
        #expect(PercentEncoding.decode("%zz", plusIsSpace: false) == nil)
        #expect(PercentEncoding.decode("%2", plusIsSpace: false) == nil)
        #expect(PercentEncoding.decodeString("%FF", plusIsSpace: false) == nil)
    }

    @Test func base64RoundTrips() {
        for length in 0..<20 {
            let bytes = (0..<length).map { UInt8($0 * 13 & 0xFF) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("hello world".utf8)) == "aGVsbG8gd29ybGQ=")
        #expect(Base64.decode("!!!") == nil)
    }

    @Test func rangesFollowRFC7233() throws {
        #expect(try ByteRange.parse("bytes=0-9", size: 100) == ByteRange(first: 0, last: 9))
        #expect(try ByteRange.parse("bytes=90-", size: 100) == ByteRange(first: 90, last: 99))
        #expect(try ByteRange.parse("bytes=-10", size: 100) == ByteRange(first: 90, last: 99))
        #expect(try ByteRange.parse("bytes=-1000", size: 100) == ByteRange(first: 0, last: 99))
        #expect(try ByteRange.parse("bytes=50-1000", size: 100) == ByteRange(first: 50, last: 99))
        #expect(try ByteRange.parse("bytes=5-1", size: 100) == nil)
        #expect(try ByteRange.parse("bytes=0-1,5-6", size: 100) == nil)
        #expect(try ByteRange.parse("items=0-1", size: 100) == nil)
        #expect(throws: ObjectError.unsatisfiableRange(byteCount: 100)) { try ByteRange.parse("bytes=100-", size: 100) }
        #expect(throws: ObjectError.unsatisfiableRange(byteCount: 0)) { try ByteRange.parse("bytes=0-0", size: 0) }
        #expect(try ByteRange.parse("bytes=0--1", size: 100) == nil)
    }
}
