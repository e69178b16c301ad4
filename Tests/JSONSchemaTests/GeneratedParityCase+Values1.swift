// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let values1: [ParityCase] = [
        ParityCase(
            name: ##"type string fails"##,
            schema: ##"{"type": "string"}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is not of type 'string'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"5 is not of type 'string'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"type string passes"##,
            schema: ##"{"type": "string"}"##,
            instance: ##""x""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"type list fails"##,
            schema: ##"{"type": ["string", "null"]}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is not of type 'string', 'null'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"5 is not of type 'string', 'null'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"type list passes null"##,
            schema: ##"{"type": ["string", "null"]}"##,
            instance: ##"null"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"integer accepts 1.0"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##"1.0"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"integer refuses 1.5"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##"1.5"##,
            failures: [
                Expected(##"1.5 is not of type 'integer'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"1.5 is not of type 'integer'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"integer refuses true"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##"true"##,
            failures: [
                Expected(##"True is not of type 'integer'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"True is not of type 'integer'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"number refuses false"##,
            schema: ##"{"type": "number"}"##,
            instance: ##"false"##,
            failures: [
                Expected(##"False is not of type 'number'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"False is not of type 'number'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"number accepts int"##,
            schema: ##"{"type": "number"}"##,
            instance: ##"3"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"boolean refuses 0"##,
            schema: ##"{"type": "boolean"}"##,
            instance: ##"0"##,
            failures: [
                Expected(##"0 is not of type 'boolean'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"0 is not of type 'boolean'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"object refuses array"##,
            schema: ##"{"type": "object"}"##,
            instance: ##"[1, {"a": null}]"##,
            failures: [
                Expected(##"[1, {'a': None}] is not of type 'object'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"[1, {'a': None}] is not of type 'object'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"array refuses object"##,
            schema: ##"{"type": "array"}"##,
            instance: ##"{"a": [true, 2.5]}"##,
            failures: [
                Expected(##"{'a': [True, 2.5]} is not of type 'array'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"{'a': [True, 2.5]} is not of type 'array'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"null refuses empty string"##,
            schema: ##"{"type": "null"}"##,
            instance: ##""""##,
            failures: [
                Expected(##"'' is not of type 'null'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"'' is not of type 'null'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"type draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "integer"}"##,
            instance: ##""7""##,
            failures: [
                Expected(##"'7' is not of type 'integer'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"'7' is not of type 'integer'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"enum fails"##,
            schema: ##"{"enum": ["a", "b"]}"##,
            instance: ##""x""##,
            failures: [
                Expected(##"'x' is not one of ['a', 'b']"##, ##"$"##, [##"enum"##])
            ],
            best: Expected(##"'x' is not one of ['a', 'b']"##, ##"$"##, [##"enum"##])
        ),
        ParityCase(
            name: ##"enum passes"##,
            schema: ##"{"enum": ["a", "b"]}"##,
            instance: ##""b""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"enum int equals float"##,
            schema: ##"{"enum": [1, 2]}"##,
            instance: ##"1.0"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"enum true is not 1"##,
            schema: ##"{"enum": [1, 2]}"##,
            instance: ##"true"##,
            failures: [
                Expected(##"True is not one of [1, 2]"##, ##"$"##, [##"enum"##])
            ],
            best: Expected(##"True is not one of [1, 2]"##, ##"$"##, [##"enum"##])
        ),
        ParityCase(
            name: ##"enum 1 is not true"##,
            schema: ##"{"enum": [true, null]}"##,
            instance: ##"1"##,
            failures: [
                Expected(##"1 is not one of [True, None]"##, ##"$"##, [##"enum"##])
            ],
            best: Expected(##"1 is not one of [True, None]"##, ##"$"##, [##"enum"##])
        ),
        ParityCase(
            name: ##"enum objects ignore order"##,
            schema: ##"{"enum": [{"a": 1, "b": [1, 2]}]}"##,
            instance: ##"{"b": [1.0, 2], "a": 1}"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"enum nested mismatch"##,
            schema: ##"{"enum": [[1, {"x": "y"}], null]}"##,
            instance: ##"[1, {"x": "z"}]"##,
            failures: [
                Expected(##"[1, {'x': 'z'}] is not one of [[1, {'x': 'y'}], None]"##, ##"$"##, [##"enum"##])
            ],
            best: Expected(##"[1, {'x': 'z'}] is not one of [[1, {'x': 'y'}], None]"##, ##"$"##, [##"enum"##])
        ),
        ParityCase(
            name: ##"const fails"##,
            schema: ##"{"const": "a"}"##,
            instance: ##""b""##,
            failures: [
                Expected(##"'a' was expected"##, ##"$"##, [##"const"##])
            ],
            best: Expected(##"'a' was expected"##, ##"$"##, [##"const"##])
        ),
        ParityCase(
            name: ##"const passes float"##,
            schema: ##"{"const": 2}"##,
            instance: ##"2.0"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"const object"##,
            schema: ##"{"const": {"k": [null, false]}}"##,
            instance: ##"{"k": [null, 0]}"##,
            failures: [
                Expected(##"{'k': [None, False]} was expected"##, ##"$"##, [##"const"##])
            ],
            best: Expected(##"{'k': [None, False]} was expected"##, ##"$"##, [##"const"##])
        ),
        ParityCase(
            name: ##"const null"##,
            schema: ##"{"const": null}"##,
            instance: ##"0"##,
            failures: [
                Expected(##"None was expected"##, ##"$"##, [##"const"##])
            ],
            best: Expected(##"None was expected"##, ##"$"##, [##"const"##])
        ),
        ParityCase(
            name: ##"minimum fails"##,
            schema: ##"{"minimum": 5}"##,
            instance: ##"3"##,
            failures: [
                Expected(##"3 is less than the minimum of 5"##, ##"$"##, [##"minimum"##])
            ],
            best: Expected(##"3 is less than the minimum of 5"##, ##"$"##, [##"minimum"##])
        ),
        ParityCase(
            name: ##"minimum float"##,
            schema: ##"{"minimum": 5.5}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is less than the minimum of 5.5"##, ##"$"##, [##"minimum"##])
            ],
            best: Expected(##"5 is less than the minimum of 5.5"##, ##"$"##, [##"minimum"##])
        ),
        ParityCase(
            name: ##"minimum passes equal"##,
            schema: ##"{"minimum": 5}"##,
            instance: ##"5"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"maximum fails"##,
            schema: ##"{"maximum": 1}"##,
            instance: ##"3"##,
            failures: [
                Expected(##"3 is greater than the maximum of 1"##, ##"$"##, [##"maximum"##])
            ],
            best: Expected(##"3 is greater than the maximum of 1"##, ##"$"##, [##"maximum"##])
        ),
        ParityCase(
            name: ##"maximum float instance"##,
            schema: ##"{"maximum": 1}"##,
            instance: ##"1.25"##,
            failures: [
                Expected(##"1.25 is greater than the maximum of 1"##, ##"$"##, [##"maximum"##])
            ],
            best: Expected(##"1.25 is greater than the maximum of 1"##, ##"$"##, [##"maximum"##])
        ),
        ParityCase(
            name: ##"exclusiveMinimum fails"##,
            schema: ##"{"exclusiveMinimum": 3}"##,
            instance: ##"3"##,
            failures: [
                Expected(##"3 is less than or equal to the minimum of 3"##, ##"$"##, [##"exclusiveMinimum"##])
            ],
            best: Expected(##"3 is less than or equal to the minimum of 3"##, ##"$"##, [##"exclusiveMinimum"##])
        ),
        ParityCase(
            name: ##"exclusiveMaximum fails"##,
            schema: ##"{"exclusiveMaximum": 3.0}"##,
            instance: ##"3"##,
            failures: [
                Expected(##"3 is greater than or equal to the maximum of 3.0"##, ##"$"##, [##"exclusiveMaximum"##])
            ],
            best: Expected(##"3 is greater than or equal to the maximum of 3.0"##, ##"$"##, [##"exclusiveMaximum"##])
        ),
        ParityCase(
            name: ##"exclusiveMaximum passes"##,
            schema: ##"{"exclusiveMaximum": 3}"##,
            instance: ##"2.999"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"bounds ignore strings"##,
            schema: ##"{"minimum": 5, "maximum": 1}"##,
            instance: ##""text""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"bounds ignore booleans"##,
            schema: ##"{"minimum": 5}"##,
            instance: ##"true"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"big int against float"##,
            schema: ##"{"maximum": 9007199254740992.0}"##,
            instance: ##"9007199254740993"##,
            failures: [
                Expected(##"9007199254740993 is greater than the maximum of 9007199254740992.0"##, ##"$"##, [##"maximum"##])
            ],
            best: Expected(##"9007199254740993 is greater than the maximum of 9007199254740992.0"##, ##"$"##, [##"maximum"##])
        ),
        ParityCase(
            name: ##"multipleOf int fails"##,
            schema: ##"{"multipleOf": 3}"##,
            instance: ##"7"##,
            failures: [
                Expected(##"7 is not a multiple of 3"##, ##"$"##, [##"multipleOf"##])
            ],
            best: Expected(##"7 is not a multiple of 3"##, ##"$"##, [##"multipleOf"##])
        ),
        ParityCase(
            name: ##"multipleOf int passes"##,
            schema: ##"{"multipleOf": 3}"##,
            instance: ##"-9"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"multipleOf float divisor"##,
            schema: ##"{"multipleOf": 0.5}"##,
            instance: ##"2.5"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"multipleOf float quirk"##,
            schema: ##"{"multipleOf": 0.1}"##,
            instance: ##"0.3"##,
            failures: [
                Expected(##"0.3 is not a multiple of 0.1"##, ##"$"##, [##"multipleOf"##])
            ],
            best: Expected(##"0.3 is not a multiple of 0.1"##, ##"$"##, [##"multipleOf"##])
        ),
        ParityCase(
            name: ##"multipleOf float fails"##,
            schema: ##"{"multipleOf": 1.5}"##,
            instance: ##"4"##,
            failures: [
                Expected(##"4 is not a multiple of 1.5"##, ##"$"##, [##"multipleOf"##])
            ],
            best: Expected(##"4 is not a multiple of 1.5"##, ##"$"##, [##"multipleOf"##])
        ),
        ParityCase(
            name: ##"multipleOf int divisor float instance"##,
            schema: ##"{"multipleOf": 2}"##,
            instance: ##"4.5"##,
            failures: [
                Expected(##"4.5 is not a multiple of 2"##, ##"$"##, [##"multipleOf"##])
            ],
            best: Expected(##"4.5 is not a multiple of 2"##, ##"$"##, [##"multipleOf"##])
        ),
        ParityCase(
            name: ##"multipleOf overflow fallback"##,
            schema: ##"{"multipleOf": 0.5}"##,
            instance: ##"1e+308"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"multipleOf overflow fallback fails"##,
            schema: ##"{"multipleOf": 0.3}"##,
            instance: ##"1e+308"##,
            failures: [
                Expected(##"1e+308 is not a multiple of 0.3"##, ##"$"##, [##"multipleOf"##])
            ],
            best: Expected(##"1e+308 is not a multiple of 0.3"##, ##"$"##, [##"multipleOf"##])
        ),
        ParityCase(
            name: ##"minLength fails"##,
            schema: ##"{"minLength": 3}"##,
            instance: ##""ab""##,
            failures: [
                Expected(##"'ab' is too short"##, ##"$"##, [##"minLength"##])
            ],
            best: Expected(##"'ab' is too short"##, ##"$"##, [##"minLength"##])
        ),
        ParityCase(
            name: ##"minLength one"##,
            schema: ##"{"minLength": 1}"##,
            instance: ##""""##,
            failures: [
                Expected(##"'' should be non-empty"##, ##"$"##, [##"minLength"##])
            ],
            best: Expected(##"'' should be non-empty"##, ##"$"##, [##"minLength"##])
        ),
    ]
}
