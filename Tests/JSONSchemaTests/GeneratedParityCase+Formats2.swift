// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let formats2: [ParityCase] = [
        ParityCase(
            name: ##"hostname empty"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""""##,
            formats: true,
            failures: [
                Expected(##"'' is not a 'hostname'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'' is not a 'hostname'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"hostname dot"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##"".""##,
            formats: true,
            failures: [
                Expected(##"'.' is not a 'hostname'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'.' is not a 'hostname'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"hostname empty label"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""a..b""##,
            formats: true,
            failures: [
                Expected(##"'a..b' is not a 'hostname'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'a..b' is not a 'hostname'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"hostname numeric"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""1.2.3.4""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"hostname too long"##,
            schema: ##"{"format": "hostname"}"##,
            instance: joined(
                ##""aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaa"##,
                ##"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"##,
                ##"aaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.""##
            ),
            formats: true,
            failures: [
                Expected(
                    joined(
                        ##"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaa"##,
                        ##"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"##,
                        ##"aaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.' is not a 'h"##,
                        ##"ostname'"##
                    ),
                    ##"$"##,
                    [##"format"##]
                )
            ],
            best: Expected(
                joined(
                    ##"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaa"##,
                    ##"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"##,
                    ##"aaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.' is not a 'h"##,
                    ##"ostname'"##
                ),
                ##"$"##,
                [##"format"##]
            )
        ),
        ParityCase(
            name: ##"hostname non-ascii"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""\u00e9.com""##,
            formats: true,
            failures: [
                Expected(##"'é.com' is not a 'hostname'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'é.com' is not a 'hostname'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6 unspecified"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""::""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ipv6 triple colon"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##"":::""##,
            formats: true,
            failures: [
                Expected(##"':::' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"':::' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6 long hextet"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""12345::1""##,
            formats: true,
            failures: [
                Expected(##"'12345::1' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'12345::1' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6 bad ipv4 tail"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""::ffff:01.2.3.4""##,
            formats: true,
            failures: [
                Expected(##"'::ffff:01.2.3.4' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'::ffff:01.2.3.4' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6 ipv4 tail too many"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""1:2:3:4:5:6:7:1.2.3.4""##,
            formats: true,
            failures: [
                Expected(##"'1:2:3:4:5:6:7:1.2.3.4' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'1:2:3:4:5:6:7:1.2.3.4' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv4 spaces"##,
            schema: ##"{"format": "ipv4"}"##,
            instance: ##"" 1.1.1.1""##,
            formats: true,
            failures: [
                Expected(##"' 1.1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"' 1.1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv4 non-ascii digit"##,
            schema: ##"{"format": "ipv4"}"##,
            instance: ##""1.1.1.\u0661""##,
            formats: true,
            failures: [
                Expected(##"'1.1.1.١' is not a 'ipv4'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'1.1.1.١' is not a 'ipv4'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri empty authority"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uri mailto"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""mailto:user@example.com""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uri space"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://a b.com/""##,
            formats: true,
            failures: [
                Expected(##"'http://a b.com/' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'http://a b.com/' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri non-ascii"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://\u4f8b\u5b50.com/""##,
            formats: true,
            failures: [
                Expected(##"'http://例子.com/' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'http://例子.com/' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri bad port"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://example.com:80a/""##,
            formats: true,
            failures: [
                Expected(##"'http://example.com:80a/' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'http://example.com:80a/' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri two at"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://a@b@c/""##,
            formats: true,
            failures: [
                Expected(##"'http://a@b@c/' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'http://a@b@c/' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri scheme digit first"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""1http://a""##,
            formats: true,
            failures: [
                Expected(##"'1http://a' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'1http://a' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri query chars"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://a/?x=[1]""##,
            formats: true,
            failures: [
                Expected(##"'http://a/?x=[1]' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'http://a/?x=[1]' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri fragment slash"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""x:/a#b/c?d""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uri ipvfuture"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://[v1.fe]/""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"date non-ascii digits"##,
            schema: ##"{"format": "date"}"##,
            instance: ##""\uff12020-01-01""##,
            formats: true,
            failures: [
                Expected(##"'２020-01-01' is not a 'date'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'２020-01-01' is not a 'date'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"date year zero"##,
            schema: ##"{"format": "date"}"##,
            instance: ##""0000-01-01""##,
            formats: true,
            failures: [
                Expected(##"'0000-01-01' is not a 'date'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'0000-01-01' is not a 'date'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"date-time offset max"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2020-12-31T23:59:59.5-23:59""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"date-time feb 30"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2021-02-30T00:00:00Z""##,
            formats: true,
            failures: [
                Expected(##"'2021-02-30T00:00:00Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'2021-02-30T00:00:00Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"time bad offset"##,
            schema: ##"{"format": "time"}"##,
            instance: ##""10:00:00+25:00""##,
            formats: true,
            failures: [
                Expected(##"'10:00:00+25:00' is not a 'time'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'10:00:00+25:00' is not a 'time'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"time fraction"##,
            schema: ##"{"format": "time"}"##,
            instance: ##""23:59:59.999999Z""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uuid braces"##,
            schema: ##"{"format": "uuid"}"##,
            instance: ##""{12345678-1234-5678-1234-567812345678}""##,
            formats: true,
            failures: [
                Expected(##"'{12345678-1234-5678-1234-567812345678}' is not a 'uuid'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'{12345678-1234-5678-1234-567812345678}' is not a 'uuid'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uuid urn"##,
            schema: ##"{"format": "uuid"}"##,
            instance: ##""urn:uuid:12345678-1234-5678-1234-567812345678""##,
            formats: true,
            failures: [
                Expected(##"'urn:uuid:12345678-1234-5678-1234-567812345678' is not a 'uuid'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'urn:uuid:12345678-1234-5678-1234-567812345678' is not a 'uuid'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uuid uppercase"##,
            schema: ##"{"format": "uuid"}"##,
            instance: ##""ABCDEF01-1234-5678-1234-567812345678""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"idn-email"##,
            schema: ##"{"format": "idn-email"}"##,
            instance: ##""x""##,
            formats: true,
            failures: [
                Expected(##"'x' is not a 'idn-email'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'x' is not a 'idn-email'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"draft7 formats"##,
            schema: joined(
                ##"{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"d": {"format": "dat"##,
                ##"e"}, "e": {"format": "email"}, "t": {"format": "time"}}}"##
            ),
            instance: ##"{"d": "2020-13-01", "e": "nope", "t": "25:00:00Z"}"##,
            formats: true,
            failures: [
                Expected(##"'2020-13-01' is not a 'date'"##, ##"$.d"##, [##"properties"##, ##"d"##, ##"format"##]),
                Expected(##"'nope' is not a 'email'"##, ##"$.e"##, [##"properties"##, ##"e"##, ##"format"##]),
                Expected(##"'25:00:00Z' is not a 'time'"##, ##"$.t"##, [##"properties"##, ##"t"##, ##"format"##]),
            ],
            best: Expected(##"'25:00:00Z' is not a 'time'"##, ##"$.t"##, [##"properties"##, ##"t"##, ##"format"##])
        ),
    ]
}
