// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let formats1: [ParityCase] = [
        ParityCase(
            name: ##"email"##,
            schema: ##"{"format": "email"}"##,
            instance: ##""foo""##,
            formats: true,
            failures: [
                Expected(##"'foo' is not a 'email'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'foo' is not a 'email'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"email passes"##,
            schema: ##"{"format": "email"}"##,
            instance: ##""a@b""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"date"##,
            schema: ##"{"format": "date"}"##,
            instance: ##""2021-02-29""##,
            formats: true,
            failures: [
                Expected(##"'2021-02-29' is not a 'date'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'2021-02-29' is not a 'date'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"date passes leap"##,
            schema: ##"{"format": "date"}"##,
            instance: ##""2020-02-29""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"date shape"##,
            schema: ##"{"format": "date"}"##,
            instance: ##""2020-1-01""##,
            formats: true,
            failures: [
                Expected(##"'2020-1-01' is not a 'date'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'2020-1-01' is not a 'date'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"date-time"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2020-01-01 10:00:00Z""##,
            formats: true,
            failures: [
                Expected(##"'2020-01-01 10:00:00Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'2020-01-01 10:00:00Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"date-time passes"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2020-01-01T10:00:00.123+02:00""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"date-time lowercase"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2020-01-01t10:00:00z""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"date-time no offset"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2020-01-01T10:00:00""##,
            formats: true,
            failures: [
                Expected(##"'2020-01-01T10:00:00' is not a 'date-time'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'2020-01-01T10:00:00' is not a 'date-time'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"date-time bad hour"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2020-01-01T24:00:00Z""##,
            formats: true,
            failures: [
                Expected(##"'2020-01-01T24:00:00Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'2020-01-01T24:00:00Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"date-time leap second"##,
            schema: ##"{"format": "date-time"}"##,
            instance: ##""2020-01-01T23:59:60Z""##,
            formats: true,
            failures: [
                Expected(##"'2020-01-01T23:59:60Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'2020-01-01T23:59:60Z' is not a 'date-time'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"time"##,
            schema: ##"{"format": "time"}"##,
            instance: ##""10:00:00""##,
            formats: true,
            failures: [
                Expected(##"'10:00:00' is not a 'time'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'10:00:00' is not a 'time'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"time passes"##,
            schema: ##"{"format": "time"}"##,
            instance: ##""10:00:00Z""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uuid"##,
            schema: ##"{"format": "uuid"}"##,
            instance: ##""12345678123456781234567812345678""##,
            formats: true,
            failures: [
                Expected(##"'12345678123456781234567812345678' is not a 'uuid'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'12345678123456781234567812345678' is not a 'uuid'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uuid passes"##,
            schema: ##"{"format": "uuid"}"##,
            instance: ##""12345678-1234-5678-1234-567812345678""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uuid bad hex"##,
            schema: ##"{"format": "uuid"}"##,
            instance: ##""1234567g-1234-5678-1234-567812345678""##,
            formats: true,
            failures: [
                Expected(##"'1234567g-1234-5678-1234-567812345678' is not a 'uuid'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'1234567g-1234-5678-1234-567812345678' is not a 'uuid'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv4"##,
            schema: ##"{"format": "ipv4"}"##,
            instance: ##""256.1.1.1""##,
            formats: true,
            failures: [
                Expected(##"'256.1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'256.1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv4 leading zero"##,
            schema: ##"{"format": "ipv4"}"##,
            instance: ##""01.1.1.1""##,
            formats: true,
            failures: [
                Expected(##"'01.1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'01.1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv4 passes"##,
            schema: ##"{"format": "ipv4"}"##,
            instance: ##""192.168.0.1""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ipv4 three parts"##,
            schema: ##"{"format": "ipv4"}"##,
            instance: ##""1.1.1""##,
            formats: true,
            failures: [
                Expected(##"'1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'1.1.1' is not a 'ipv4'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""1::2::3""##,
            formats: true,
            failures: [
                Expected(##"'1::2::3' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'1::2::3' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6 passes"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""fe80::1:2""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ipv6 full"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""1:2:3:4:5:6:7:8""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ipv6 ipv4 tail"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""::ffff:192.168.0.1""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ipv6 too many"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""1:2:3:4:5:6:7:8:9""##,
            formats: true,
            failures: [
                Expected(##"'1:2:3:4:5:6:7:8:9' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'1:2:3:4:5:6:7:8:9' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6 scope"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""fe80::1%eth0""##,
            formats: true,
            failures: [
                Expected(##"'fe80::1%eth0' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'fe80::1%eth0' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"ipv6 trailing double colon"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##""1:2:3:4:5:6:7::""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ipv6 leading colon"##,
            schema: ##"{"format": "ipv6"}"##,
            instance: ##"":1:2:3:4:5:6:7""##,
            formats: true,
            failures: [
                Expected(##"':1:2:3:4:5:6:7' is not a 'ipv6'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"':1:2:3:4:5:6:7' is not a 'ipv6'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"hostname"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""-bad.example""##,
            formats: true,
            failures: [
                Expected(##"'-bad.example' is not a 'hostname'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'-bad.example' is not a 'hostname'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"hostname passes"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""a-b.example.com.""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"hostname underscore"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""a_b.com""##,
            formats: true,
            failures: [
                Expected(##"'a_b.com' is not a 'hostname'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'a_b.com' is not a 'hostname'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"hostname long label"##,
            schema: ##"{"format": "hostname"}"##,
            instance: ##""aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com""##,
            formats: true,
            failures: [
                Expected(
                    ##"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com' is not a 'hostname'"##,
                    ##"$"##,
                    [##"format"##]
                )
            ],
            best: Expected(##"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com' is not a 'hostname'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""not a uri""##,
            formats: true,
            failures: [
                Expected(##"'not a uri' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'not a uri' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri relative"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""/relative/path""##,
            formats: true,
            failures: [
                Expected(##"'/relative/path' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'/relative/path' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri passes"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""https://user@example.com:8080/p/a?q=1#frag""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uri bad escape"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://example.com/%zz""##,
            formats: true,
            failures: [
                Expected(##"'http://example.com/%zz' is not a 'uri'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'http://example.com/%zz' is not a 'uri'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"uri urn"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""urn:isbn:0451450523""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uri ipv6 host"##,
            schema: ##"{"format": "uri"}"##,
            instance: ##""http://[::1]:80/""##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"regex format"##,
            schema: ##"{"format": "regex"}"##,
            instance: ##""(unclosed""##,
            formats: true,
            failures: [
                Expected(##"'(unclosed' is not a 'regex'"##, ##"$"##, [##"format"##])
            ],
            best: Expected(##"'(unclosed' is not a 'regex'"##, ##"$"##, [##"format"##])
        ),
        ParityCase(
            name: ##"format ignores numbers"##,
            schema: ##"{"format": "email"}"##,
            instance: ##"12"##,
            formats: true,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"unknown format passes"##,
            schema: ##"{"format": "color"}"##,
            instance: ##""anything""##,
            formats: true,
            failures: [],
            best: nil
        ),
    ]
}
