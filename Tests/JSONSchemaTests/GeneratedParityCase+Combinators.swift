// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let combinators: [ParityCase] = [
        ParityCase(
            name: ##"allOf"##,
            schema: ##"{"allOf": [{"type": "string"}, {"minLength": 3}]}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is not of type 'string'"##, ##"$"##, [##"allOf"##, ##"0"##, ##"type"##])
            ],
            best: Expected(##"5 is not of type 'string'"##, ##"$"##, [##"allOf"##, ##"0"##, ##"type"##])
        ),
        ParityCase(
            name: ##"allOf two fail"##,
            schema: ##"{"allOf": [{"minLength": 3}, {"pattern": "^x"}]}"##,
            instance: ##""ab""##,
            failures: [
                Expected(##"'ab' is too short"##, ##"$"##, [##"allOf"##, ##"0"##, ##"minLength"##]),
                Expected(##"'ab' does not match '^x'"##, ##"$"##, [##"allOf"##, ##"1"##, ##"pattern"##]),
            ],
            best: Expected(##"'ab' is too short"##, ##"$"##, [##"allOf"##, ##"0"##, ##"minLength"##])
        ),
        ParityCase(
            name: ##"anyOf fails"##,
            schema: ##"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"{'a': 1} is not valid under any of the given schemas"##, ##"$"##, [##"anyOf"##])
            ],
            best: Expected(##"{'a': 1} is not valid under any of the given schemas"##, ##"$"##, [##"anyOf"##])
        ),
        ParityCase(
            name: ##"anyOf passes"##,
            schema: ##"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"##,
            instance: ##"3"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"anyOf best descends"##,
            schema: ##"{"anyOf": [{"type": "string"}, {"properties": {"a": {"type": "integer"}}}]}"##,
            instance: ##"{"a": "x"}"##,
            failures: [
                Expected(##"{'a': 'x'} is not valid under any of the given schemas"##, ##"$"##, [##"anyOf"##])
            ],
            best: Expected(##"'x' is not of type 'integer'"##, ##"$.a"##, [##"anyOf"##, ##"1"##, ##"properties"##, ##"a"##, ##"type"##])
        ),
        ParityCase(
            name: ##"anyOf best deep"##,
            schema: ##"{"properties": {"v": {"anyOf": [{"type": "string", "minLength": 5}, {"type": "integer"}]}}}"##,
            instance: ##"{"v": "abc"}"##,
            failures: [
                Expected(##"'abc' is not valid under any of the given schemas"##, ##"$.v"##, [##"properties"##, ##"v"##, ##"anyOf"##])
            ],
            best: Expected(##"'abc' is too short"##, ##"$.v"##, [##"properties"##, ##"v"##, ##"anyOf"##, ##"0"##, ##"minLength"##])
        ),
        ParityCase(
            name: ##"oneOf none"##,
            schema: ##"{"oneOf": [{"type": "string"}, {"type": "integer"}]}"##,
            instance: ##"null"##,
            failures: [
                Expected(##"None is not valid under any of the given schemas"##, ##"$"##, [##"oneOf"##])
            ],
            best: Expected(##"None is not valid under any of the given schemas"##, ##"$"##, [##"oneOf"##])
        ),
        ParityCase(
            name: ##"oneOf many"##,
            schema: ##"{"oneOf": [{"type": "integer"}, {"minimum": 0}, {"maximum": 10}]}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is valid under each of {'minimum': 0}, {'maximum': 10}, {'type': 'integer'}"##, ##"$"##, [##"oneOf"##])
            ],
            best: Expected(##"5 is valid under each of {'minimum': 0}, {'maximum': 10}, {'type': 'integer'}"##, ##"$"##, [##"oneOf"##])
        ),
        ParityCase(
            name: ##"oneOf one"##,
            schema: ##"{"oneOf": [{"type": "integer"}, {"type": "string"}]}"##,
            instance: ##"5"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"oneOf with booleans"##,
            schema: ##"{"oneOf": [true, {"type": "integer"}]}"##,
            instance: ##"1"##,
            failures: [
                Expected(##"1 is valid under each of {'type': 'integer'}, True"##, ##"$"##, [##"oneOf"##])
            ],
            best: Expected(##"1 is valid under each of {'type': 'integer'}, True"##, ##"$"##, [##"oneOf"##])
        ),
        ParityCase(
            name: ##"not"##,
            schema: ##"{"not": {"type": "string"}}"##,
            instance: ##""x""##,
            failures: [
                Expected(##"'x' should not be valid under {'type': 'string'}"##, ##"$"##, [##"not"##])
            ],
            best: Expected(##"'x' should not be valid under {'type': 'string'}"##, ##"$"##, [##"not"##])
        ),
        ParityCase(
            name: ##"not true"##,
            schema: ##"{"not": true}"##,
            instance: ##"1"##,
            failures: [
                Expected(##"1 should not be valid under True"##, ##"$"##, [##"not"##])
            ],
            best: Expected(##"1 should not be valid under True"##, ##"$"##, [##"not"##])
        ),
        ParityCase(
            name: ##"not passes"##,
            schema: ##"{"not": {"type": "string"}}"##,
            instance: ##"1"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"if then"##,
            schema: ##"{"if": {"type": "integer"}, "then": {"minimum": 3}, "else": {"type": "string"}}"##,
            instance: ##"1"##,
            failures: [
                Expected(##"1 is less than the minimum of 3"##, ##"$"##, [##"then"##, ##"minimum"##])
            ],
            best: Expected(##"1 is less than the minimum of 3"##, ##"$"##, [##"then"##, ##"minimum"##])
        ),
        ParityCase(
            name: ##"if else"##,
            schema: ##"{"if": {"type": "integer"}, "then": {"minimum": 3}, "else": {"type": "string"}}"##,
            instance: ##"1.5"##,
            failures: [
                Expected(##"1.5 is not of type 'string'"##, ##"$"##, [##"else"##, ##"type"##])
            ],
            best: Expected(##"1.5 is not of type 'string'"##, ##"$"##, [##"else"##, ##"type"##])
        ),
        ParityCase(
            name: ##"if without then"##,
            schema: ##"{"if": {"type": "integer"}, "else": {"type": "string"}}"##,
            instance: ##"1"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"then without if"##,
            schema: ##"{"then": false}"##,
            instance: ##"1"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"false schema"##,
            schema: ##"false"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"False schema does not allow {'a': 1}"##, ##"$"##, [])
            ],
            best: Expected(##"False schema does not allow {'a': 1}"##, ##"$"##, [])
        ),
        ParityCase(
            name: ##"true schema"##,
            schema: ##"true"##,
            instance: ##"{"a": 1}"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"false property"##,
            schema: ##"{"properties": {"a": false}}"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"False schema does not allow 1"##, ##"$"##, [##"properties"##])
            ],
            best: Expected(##"False schema does not allow 1"##, ##"$"##, [##"properties"##])
        ),
        ParityCase(
            name: ##"best match prefers shallow"##,
            schema: ##"{"properties": {"a": {"type": "string"}}, "required": ["b"]}"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.a"##, [##"properties"##, ##"a"##, ##"type"##]),
                Expected(##"'b' is a required property"##, ##"$"##, [##"required"##]),
            ],
            best: Expected(##"'b' is a required property"##, ##"$"##, [##"required"##])
        ),
        ParityCase(
            name: ##"best match weak anyOf"##,
            schema: ##"{"anyOf": [{"minimum": 10}], "type": "string"}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is not valid under any of the given schemas"##, ##"$"##, [##"anyOf"##]),
                Expected(##"5 is not of type 'string'"##, ##"$"##, [##"type"##]),
            ],
            best: Expected(##"5 is not of type 'string'"##, ##"$"##, [##"type"##])
        ),
        ParityCase(
            name: ##"best match type heuristic"##,
            schema: ##"{"anyOf": [{"type": "string", "minLength": 4}, {"type": "array"}]}"##,
            instance: ##""abc""##,
            failures: [
                Expected(##"'abc' is not valid under any of the given schemas"##, ##"$"##, [##"anyOf"##])
            ],
            best: Expected(##"'abc' is too short"##, ##"$"##, [##"anyOf"##, ##"0"##, ##"minLength"##])
        ),
        ParityCase(
            name: ##"best match tie keeps parent"##,
            schema: ##"{"anyOf": [{"type": "string"}, {"type": "array"}]}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is not valid under any of the given schemas"##, ##"$"##, [##"anyOf"##])
            ],
            best: Expected(##"5 is not valid under any of the given schemas"##, ##"$"##, [##"anyOf"##])
        ),
        ParityCase(
            name: ##"best match sibling order"##,
            schema: ##"{"properties": {"b": {"type": "string"}, "a": {"type": "string"}}}"##,
            instance: ##"{"a": 1, "b": 2}"##,
            failures: [
                Expected(##"2 is not of type 'string'"##, ##"$.b"##, [##"properties"##, ##"b"##, ##"type"##]),
                Expected(##"1 is not of type 'string'"##, ##"$.a"##, [##"properties"##, ##"a"##, ##"type"##]),
            ],
            best: Expected(##"2 is not of type 'string'"##, ##"$.b"##, [##"properties"##, ##"b"##, ##"type"##])
        ),
        ParityCase(
            name: ##"best match oneOf context"##,
            schema: joined(
                ##"{"oneOf": [{"properties": {"kind": {"const": "a"}}, "required": ["kind"]}, {"properties": "##,
                ##"{"kind": {"const": "b"}, "n": {"type": "integer"}}, "required": ["kind"]}]}"##
            ),
            instance: ##"{"kind": "b", "n": "x"}"##,
            failures: [
                Expected(##"{'kind': 'b', 'n': 'x'} is not valid under any of the given schemas"##, ##"$"##, [##"oneOf"##])
            ],
            best: Expected(##"'a' was expected"##, ##"$.kind"##, [##"oneOf"##, ##"0"##, ##"properties"##, ##"kind"##, ##"const"##])
        ),
        ParityCase(
            name: ##"ref siblings ignored draft7"##,
            schema: joined(
                ##"{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"s": {"type": "stri"##,
                ##"ng"}}, "$ref": "#/definitions/s", "minLength": 5}"##
            ),
            instance: ##""ab""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ref siblings apply 2020"##,
            schema: ##"{"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s", "minLength": 5}"##,
            instance: ##""ab""##,
            failures: [
                Expected(##"'ab' is too short"##, ##"$"##, [##"minLength"##])
            ],
            best: Expected(##"'ab' is too short"##, ##"$"##, [##"minLength"##])
        ),
        ParityCase(
            name: ##"anyOf nested properties best"##,
            schema: joined(
                ##"{"properties": {"a": {"anyOf": [{"properties": {"b": {"type": "string"}}}, {"properties": "##,
                ##"{"b": {"type": "integer", "minimum": 10}}}]}}}"##
            ),
            instance: ##"{"a": {"b": 5}}"##,
            failures: [
                Expected(##"{'b': 5} is not valid under any of the given schemas"##, ##"$.a"##, [##"properties"##, ##"a"##, ##"anyOf"##])
            ],
            best: Expected(
                ##"5 is less than the minimum of 10"##,
                ##"$.a.b"##,
                [##"properties"##, ##"a"##, ##"anyOf"##, ##"1"##, ##"properties"##, ##"b"##, ##"minimum"##]
            )
        ),
        ParityCase(
            name: ##"oneOf tie keeps parent"##,
            schema: ##"{"oneOf": [{"type": "string"}, {"type": "boolean"}]}"##,
            instance: ##"5"##,
            failures: [
                Expected(##"5 is not valid under any of the given schemas"##, ##"$"##, [##"oneOf"##])
            ],
            best: Expected(##"5 is not valid under any of the given schemas"##, ##"$"##, [##"oneOf"##])
        ),
        ParityCase(
            name: ##"oneOf deeper context"##,
            schema: ##"{"oneOf": [{"required": ["x"]}, {"properties": {"y": {"type": "string"}}}]}"##,
            instance: ##"{"y": 1}"##,
            failures: [
                Expected(##"{'y': 1} is not valid under any of the given schemas"##, ##"$"##, [##"oneOf"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.y"##, [##"oneOf"##, ##"1"##, ##"properties"##, ##"y"##, ##"type"##])
        ),
        ParityCase(
            name: ##"manifest with many errors"##,
            schema: joined(
                ##"{"type": "object", "required": ["name", "version"], "properties": {"name": {"type": "strin"##,
                ##"g", "minLength": 2}, "version": {"pattern": "^\\d+\\.\\d+$"}, "authors": {"type": "array","##,
                ##" "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"##,
                ##""}, "email": {"type": "string"}}}}, "tags": {"type": "array", "uniqueItems": true, "items""##,
                ##": {"enum": ["a", "b", "c"]}}}, "additionalProperties": false}"##
            ),
            instance: ##"{"name": "x", "authors": [{"name": "A"}, {"email": 5}], "tags": ["a", "a", "d"], "extra": true}"##,
            failures: [
                Expected(##"'version' is a required property"##, ##"$"##, [##"required"##]),
                Expected(##"'x' is too short"##, ##"$.name"##, [##"properties"##, ##"name"##, ##"minLength"##]),
                Expected(##"'name' is a required property"##, ##"$.authors[1]"##, [##"properties"##, ##"authors"##, ##"items"##, ##"required"##]),
                Expected(
                    ##"5 is not of type 'string'"##,
                    ##"$.authors[1].email"##,
                    [##"properties"##, ##"authors"##, ##"items"##, ##"properties"##, ##"email"##, ##"type"##]
                ),
                Expected(##"['a', 'a', 'd'] has non-unique elements"##, ##"$.tags"##, [##"properties"##, ##"tags"##, ##"uniqueItems"##]),
                Expected(##"'d' is not one of ['a', 'b', 'c']"##, ##"$.tags[2]"##, [##"properties"##, ##"tags"##, ##"items"##, ##"enum"##]),
                Expected(##"Additional properties are not allowed ('extra' was unexpected)"##, ##"$"##, [##"additionalProperties"##]),
            ],
            best: Expected(##"'version' is a required property"##, ##"$"##, [##"required"##])
        ),
        ParityCase(
            name: ##"allOf with refs best"##,
            schema: ##"{"$defs": {"pos": {"minimum": 0}}, "allOf": [{"$ref": "#/$defs/pos"}, {"multipleOf": 2}]}"##,
            instance: ##"-3"##,
            failures: [
                Expected(##"-3 is less than the minimum of 0"##, ##"$"##, [##"allOf"##, ##"0"##, ##"minimum"##]),
                Expected(##"-3 is not a multiple of 2"##, ##"$"##, [##"allOf"##, ##"1"##, ##"multipleOf"##]),
            ],
            best: Expected(##"-3 is less than the minimum of 0"##, ##"$"##, [##"allOf"##, ##"0"##, ##"minimum"##])
        ),
        ParityCase(
            name: ##"not with object repr"##,
            schema: ##"{"not": {"properties": {"a": {"const": [1, 2.5, null]}}, "required": ["a"]}}"##,
            instance: ##"{"a": [1, 2.5, null]}"##,
            failures: [
                Expected(
                    joined(
                        ##"{'a': [1, 2.5, None]} should not be valid under {'properties': {'a': {'const': [1, 2.5, No"##,
                        ##"ne]}}, 'required': ['a']}"##
                    ),
                    ##"$"##,
                    [##"not"##]
                )
            ],
            best: Expected(
                ##"{'a': [1, 2.5, None]} should not be valid under {'properties': {'a': {'const': [1, 2.5, None]}}, 'required': ['a']}"##,
                ##"$"##,
                [##"not"##]
            )
        ),
        ParityCase(
            name: ##"if then else nested path"##,
            schema: ##"{"properties": {"p": {"if": {"type": "string"}, "then": {"maxLength": 1}, "else": {"minimum": 5}}}}"##,
            instance: ##"{"p": 1}"##,
            failures: [
                Expected(##"1 is less than the minimum of 5"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"else"##, ##"minimum"##])
            ],
            best: Expected(##"1 is less than the minimum of 5"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"else"##, ##"minimum"##])
        ),
        ParityCase(
            name: ##"propertyNames ref"##,
            schema: ##"{"$defs": {"short": {"maxLength": 2}}, "propertyNames": {"$ref": "#/$defs/short"}}"##,
            instance: ##"{"abc": 1, "ab": 2}"##,
            failures: [
                Expected(##"'abc' is too long"##, ##"$"##, [##"propertyNames"##, ##"maxLength"##])
            ],
            best: Expected(##"'abc' is too long"##, ##"$"##, [##"propertyNames"##, ##"maxLength"##])
        ),
        ParityCase(
            name: ##"enum list of dicts repr"##,
            schema: ##"{"enum": [{"a": 1}, [1, "x"], null, true, 1.5]}"##,
            instance: ##""z""##,
            failures: [
                Expected(##"'z' is not one of [{'a': 1}, [1, 'x'], None, True, 1.5]"##, ##"$"##, [##"enum"##])
            ],
            best: Expected(##"'z' is not one of [{'a': 1}, [1, 'x'], None, True, 1.5]"##, ##"$"##, [##"enum"##])
        ),
        ParityCase(
            name: ##"required unicode"##,
            schema: ##"{"required": ["na\u00efve", "it's"]}"##,
            instance: ##"{}"##,
            failures: [
                Expected(##"'naïve' is a required property"##, ##"$"##, [##"required"##]),
                Expected(##""it's" is a required property"##, ##"$"##, [##"required"##]),
            ],
            best: Expected(##"'naïve' is a required property"##, ##"$"##, [##"required"##])
        ),
        ParityCase(
            name: ##"integer huge float"##,
            schema: ##"{"type": "integer"}"##,
            instance: ##"1e+300"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"type list all"##,
            schema: ##"{"type": ["array", "object"]}"##,
            instance: ##""s""##,
            failures: [
                Expected(##"'s' is not of type 'array', 'object'"##, ##"$"##, [##"type"##])
            ],
            best: Expected(##"'s' is not of type 'array', 'object'"##, ##"$"##, [##"type"##])
        ),
    ]
}
