// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let values2: [ParityCase] = [
        ParityCase(
            name: ##"minLength counts code points"##,
            schema: ##"{"minLength": 3}"##,
            instance: ##""\ud83d\ude00\ud83d\ude00""##,
            failures: [
                Expected(##"'😀😀' is too short"##, ##"$"##, [##"minLength"##])
            ],
            best: Expected(##"'😀😀' is too short"##, ##"$"##, [##"minLength"##])
        ),
        ParityCase(
            name: ##"minLength combining marks"##,
            schema: ##"{"maxLength": 1}"##,
            instance: ##""e\u0301""##,
            failures: [
                Expected(##"'é' is too long"##, ##"$"##, [##"maxLength"##])
            ],
            best: Expected(##"'é' is too long"##, ##"$"##, [##"maxLength"##])
        ),
        ParityCase(
            name: ##"maxLength fails"##,
            schema: ##"{"maxLength": 2}"##,
            instance: ##""abc""##,
            failures: [
                Expected(##"'abc' is too long"##, ##"$"##, [##"maxLength"##])
            ],
            best: Expected(##"'abc' is too long"##, ##"$"##, [##"maxLength"##])
        ),
        ParityCase(
            name: ##"maxLength zero"##,
            schema: ##"{"maxLength": 0}"##,
            instance: ##""a""##,
            failures: [
                Expected(##"'a' is expected to be empty"##, ##"$"##, [##"maxLength"##])
            ],
            best: Expected(##"'a' is expected to be empty"##, ##"$"##, [##"maxLength"##])
        ),
        ParityCase(
            name: ##"maxLength float bound"##,
            schema: ##"{"maxLength": 2.0}"##,
            instance: ##""abc""##,
            failures: [
                Expected(##"'abc' is too long"##, ##"$"##, [##"maxLength"##])
            ],
            best: Expected(##"'abc' is too long"##, ##"$"##, [##"maxLength"##])
        ),
        ParityCase(
            name: ##"pattern fails"##,
            schema: ##"{"pattern": "^x"}"##,
            instance: ##""abc""##,
            failures: [
                Expected(##"'abc' does not match '^x'"##, ##"$"##, [##"pattern"##])
            ],
            best: Expected(##"'abc' does not match '^x'"##, ##"$"##, [##"pattern"##])
        ),
        ParityCase(
            name: ##"pattern searches"##,
            schema: ##"{"pattern": "b"}"##,
            instance: ##""abc""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"pattern anchored both"##,
            schema: ##"{"pattern": "^[a-z]+$"}"##,
            instance: ##""abc1""##,
            failures: [
                Expected(##"'abc1' does not match '^[a-z]+$'"##, ##"$"##, [##"pattern"##])
            ],
            best: Expected(##"'abc1' does not match '^[a-z]+$'"##, ##"$"##, [##"pattern"##])
        ),
        ParityCase(
            name: ##"pattern dollar before newline"##,
            schema: ##"{"pattern": "^abc$"}"##,
            instance: ##""abc\n""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"pattern backslash Z"##,
            schema: ##"{"pattern": "^abc\\Z"}"##,
            instance: ##""abc\n""##,
            failures: [
                Expected(##"'abc\n' does not match '^abc\\Z'"##, ##"$"##, [##"pattern"##])
            ],
            best: Expected(##"'abc\n' does not match '^abc\\Z'"##, ##"$"##, [##"pattern"##])
        ),
        ParityCase(
            name: ##"pattern named group"##,
            schema: ##"{"pattern": "(?P<x>a)(?P=x)"}"##,
            instance: ##""ab""##,
            failures: [
                Expected(##"'ab' does not match '(?P<x>a)(?P=x)'"##, ##"$"##, [##"pattern"##])
            ],
            best: Expected(##"'ab' does not match '(?P<x>a)(?P=x)'"##, ##"$"##, [##"pattern"##])
        ),
        ParityCase(
            name: ##"pattern named group passes"##,
            schema: ##"{"pattern": "(?P<x>a)(?P=x)"}"##,
            instance: ##""xaa""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"pattern bracket literal"##,
            schema: ##"{"pattern": "^[[]+$"}"##,
            instance: ##""[[a""##,
            failures: [
                Expected(##"'[[a' does not match '^[[]+$'"##, ##"$"##, [##"pattern"##])
            ],
            best: Expected(##"'[[a' does not match '^[[]+$'"##, ##"$"##, [##"pattern"##])
        ),
        ParityCase(
            name: ##"pattern quantifier upto"##,
            schema: ##"{"pattern": "^a{,2}$"}"##,
            instance: ##""aaa""##,
            failures: [
                Expected(##"'aaa' does not match '^a{,2}$'"##, ##"$"##, [##"pattern"##])
            ],
            best: Expected(##"'aaa' does not match '^a{,2}$'"##, ##"$"##, [##"pattern"##])
        ),
        ParityCase(
            name: ##"pattern unicode"##,
            schema: ##"{"pattern": "^\\w+$"}"##,
            instance: ##""h\u00e9llo w""##,
            failures: [
                Expected(##"'héllo w' does not match '^\\w+$'"##, ##"$"##, [##"pattern"##])
            ],
            best: Expected(##"'héllo w' does not match '^\\w+$'"##, ##"$"##, [##"pattern"##])
        ),
        ParityCase(
            name: ##"pattern ignores numbers"##,
            schema: ##"{"pattern": "^x"}"##,
            instance: ##"12"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"pattern empty matches"##,
            schema: ##"{"pattern": ""}"##,
            instance: ##""abc""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"quote in string repr"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##""it's""##,
            failures: [
                Expected(##""it's" is not of type 'integer'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##""it's" is not of type 'integer'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"both quotes repr"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##""it's \"x\"""##,
            failures: [
                Expected(##"'it\'s "x"' is not of type 'integer'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"'it\'s "x"' is not of type 'integer'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"control characters repr"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##""a\tb\nc\u0001\u007f\u00a0\u200b\\""##,
            failures: [
                Expected(##"'a\tb\nc\x01\x7f\xa0\u200b\\' is not of type 'integer'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"'a\tb\nc\x01\x7f\xa0\u200b\\' is not of type 'integer'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"non-ascii repr"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##""caf\u00e9 \ud83d\ude00 \u4e2d""##,
            failures: [
                Expected(##"'café 😀 中' is not of type 'integer'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"'café 😀 中' is not of type 'integer'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"float repr"##,
            schema: ##"{"type": "string"}"##,
            instance: ##"[1.0, 0.1, 1e-05, 1e+16, 1000000000000000.0, 123456789.125, -0.0, 2.5e-07, 1.7976931348623157e+308]"##,
            failures: [
                Expected(
                    joined(
                        ##"[1.0, 0.1, 1e-05, 1e+16, 1000000000000000.0, 123456789.125, -0.0, 2.5e-07, 1.7976931348623"##,
                        ##"157e+308] is not of type 'string'"##
                    ),
                    ##"$"##,
                    [##"type"##]
                )
            ],
            best: Expected(
                joined(
                    ##"[1.0, 0.1, 1e-05, 1e+16, 1000000000000000.0, 123456789.125, -0.0, 2.5e-07, 1.7976931348623"##,
                    ##"157e+308] is not of type 'string'"##
                ),
                ##"$"##,
                [##"type"##]
            )
        ),
        ParityCase(
            name: ##"nested repr"##,
            schema: ##"{"type": "string"}"##,
            instance: ##"{"a": [null, true, false, {"b": "c"}], "d\"": 1}"##,
            failures: [
                Expected(##"{'a': [None, True, False, {'b': 'c'}], 'd"': 1} is not of type 'string'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"{'a': [None, True, False, {'b': 'c'}], 'd"': 1} is not of type 'string'"##, ##"$"##, [##"type"##])
        ),
    ]
}
