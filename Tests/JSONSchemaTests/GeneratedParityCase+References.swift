// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let references: [ParityCase] = [
        ParityCase(
            name: ##"ref definitions"##,
            schema: joined(
                ##"{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"name": {"type": "s"##,
                ##"tring"}}, "properties": {"n": {"$ref": "#/definitions/name"}}}"##
            ),
            instance: ##"{"n": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
        ),
        ParityCase(
            name: ##"ref defs"##,
            schema: ##"{"$defs": {"name": {"type": "string"}}, "properties": {"n": {"$ref": "#/$defs/name"}}}"##,
            instance: ##"{"n": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
        ),
        ParityCase(
            name: ##"ref escapes"##,
            schema: joined(
                ##"{"$defs": {"a/b": {"type": "string"}, "c~d": {"type": "integer"}, "e f": {"type": "null"}}"##,
                ##", "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"}, "z": {"$ref"##,
                ##"": "#/$defs/e%20f"}}}"##
            ),
            instance: ##"{"x": 1, "y": "s", "z": 0}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.x"##, [##"properties"##, ##"x"##, ##"type"##]),
                Expected(##"'s' is not of type 'integer'"##, ##"$.y"##, [##"properties"##, ##"y"##, ##"type"##]),
                Expected(##"0 is not of type 'null'"##, ##"$.z"##, [##"properties"##, ##"z"##, ##"type"##]),
            ],
            best: Expected(##"0 is not of type 'null'"##, ##"$.z"##, [##"properties"##, ##"z"##, ##"type"##])
        ),
        ParityCase(
            name: ##"ref into array"##,
            schema: ##"{"allOf": [{"type": "string"}], "properties": {"a": {"$ref": "#/allOf/0"}}}"##,
            instance: ##""s""##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"ref into array fails"##,
            schema: ##"{"anyOf": [{"type": "string"}, true], "properties": {"a": {"$ref": "#/anyOf/0"}}}"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.a"##, [##"properties"##, ##"a"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.a"##, [##"properties"##, ##"a"##, ##"type"##])
        ),
        ParityCase(
            name: ##"ref to properties member"##,
            schema: ##"{"properties": {"a": {"type": "integer"}, "b": {"$ref": "#/properties/a"}}}"##,
            instance: ##"{"b": "x"}"##,
            failures: [
                Expected(##"'x' is not of type 'integer'"##, ##"$.b"##, [##"properties"##, ##"b"##, ##"type"##])
            ],
            best: Expected(##"'x' is not of type 'integer'"##, ##"$.b"##, [##"properties"##, ##"b"##, ##"type"##])
        ),
        ParityCase(
            name: ##"ref tree"##,
            schema: joined(
                ##"{"$defs": {"node": {"type": "object", "properties": {"name": {"type": "string"}, "children"##,
                ##"": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["name"]}}, "$ref": "##,
                ##""#/$defs/node"}"##
            ),
            instance: joined(
                ##"{"name": "root", "children": [{"name": "a", "children": []}, {"name": "b", "children": [{""##,
                ##"name": 5}, {"children": []}]}]}"##
            ),
            failures: [
                Expected(
                    ##"5 is not of type 'string'"##,
                    ##"$.children[1].children[0].name"##,
                    [
                        ##"properties"##, ##"children"##, ##"items"##, ##"properties"##, ##"children"##, ##"items"##, ##"properties"##, ##"name"##,
                        ##"type"##,
                    ]
                ),
                Expected(
                    ##"'name' is a required property"##,
                    ##"$.children[1].children[1]"##,
                    [##"properties"##, ##"children"##, ##"items"##, ##"properties"##, ##"children"##, ##"items"##, ##"required"##]
                ),
            ],
            best: Expected(
                ##"'name' is a required property"##,
                ##"$.children[1].children[1]"##,
                [##"properties"##, ##"children"##, ##"items"##, ##"properties"##, ##"children"##, ##"items"##, ##"required"##]
            )
        ),
        ParityCase(
            name: ##"ref root recursion"##,
            schema: ##"{"type": "object", "additionalProperties": {"$ref": "#"}}"##,
            instance: ##"{"a": {"b": {"c": 1}}}"##,
            failures: [
                Expected(
                    ##"1 is not of type 'object'"##,
                    ##"$.a.b.c"##,
                    [##"additionalProperties"##, ##"additionalProperties"##, ##"additionalProperties"##, ##"type"##]
                )
            ],
            best: Expected(
                ##"1 is not of type 'object'"##,
                ##"$.a.b.c"##,
                [##"additionalProperties"##, ##"additionalProperties"##, ##"additionalProperties"##, ##"type"##]
            )
        ),
        ParityCase(
            name: ##"anchor"##,
            schema: ##"{"$defs": {"a": {"$anchor": "name", "type": "string"}}, "properties": {"n": {"$ref": "#name"}}}"##,
            instance: ##"{"n": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
        ),
        ParityCase(
            name: ##"id relative"##,
            schema: joined(
                ##"{"$id": "https://example.com/root.json", "$defs": {"a": {"$id": "item.json", "type": "stri"##,
                ##"ng"}}, "properties": {"n": {"$ref": "item.json"}}}"##
            ),
            instance: ##"{"n": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
        ),
        ParityCase(
            name: ##"id absolute ref with pointer"##,
            schema: joined(
                ##"{"$id": "https://example.com/root.json", "$defs": {"a": {"type": "string"}}, "properties":"##,
                ##" {"n": {"$ref": "https://example.com/root.json#/$defs/a"}}}"##
            ),
            instance: ##"{"n": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
        ),
        ParityCase(
            name: ##"draft7 id anchor"##,
            schema: joined(
                ##"{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"a": {"$id": "#name"##,
                ##"", "type": "string"}}, "properties": {"n": {"$ref": "#name"}}}"##
            ),
            instance: ##"{"n": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.n"##, [##"properties"##, ##"n"##, ##"type"##])
        ),
        ParityCase(
            name: ##"nested id pointer"##,
            schema: joined(
                ##"{"$id": "https://example.com/root.json", "$defs": {"inner": {"$id": "inner.json", "$defs":"##,
                ##" {"x": {"type": "integer"}}, "properties": {"v": {"$ref": "#/$defs/x"}}}}, "$ref": "inner."##,
                ##"json"}"##
            ),
            instance: ##"{"v": "s"}"##,
            failures: [
                Expected(##"'s' is not of type 'integer'"##, ##"$.v"##, [##"properties"##, ##"v"##, ##"type"##])
            ],
            best: Expected(##"'s' is not of type 'integer'"##, ##"$.v"##, [##"properties"##, ##"v"##, ##"type"##])
        ),
        ParityCase(
            name: ##"draft7 ref sibling id ignored"##,
            schema: joined(
                ##"{"$schema": "http://json-schema.org/draft-07/schema#", "$id": "http://example.com/a.json","##,
                ##" "definitions": {"x": {"type": "string"}}, "properties": {"p": {"$ref": "#/definitions/x"}"##,
                ##"}}"##
            ),
            instance: ##"{"p": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"type"##])
        ),
        ParityCase(
            name: ##"ref percent encoded tilde"##,
            schema: ##"{"$defs": {"a%b": {"type": "string"}}, "properties": {"p": {"$ref": "#/$defs/a%25b"}}}"##,
            instance: ##"{"p": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"type"##])
        ),
        ParityCase(
            name: ##"ref to root from deep"##,
            schema: ##"{"properties": {"next": {"$ref": "#"}, "v": {"type": "integer"}}}"##,
            instance: ##"{"next": {"next": {"v": "x"}}}"##,
            failures: [
                Expected(
                    ##"'x' is not of type 'integer'"##,
                    ##"$.next.next.v"##,
                    [##"properties"##, ##"next"##, ##"properties"##, ##"next"##, ##"properties"##, ##"v"##, ##"type"##]
                )
            ],
            best: Expected(
                ##"'x' is not of type 'integer'"##,
                ##"$.next.next.v"##,
                [##"properties"##, ##"next"##, ##"properties"##, ##"next"##, ##"properties"##, ##"v"##, ##"type"##]
            )
        ),
        ParityCase(
            name: ##"dynamicRef static"##,
            schema: ##"{"$defs": {"s": {"$dynamicAnchor": "node", "type": "string"}}, "properties": {"p": {"$dynamicRef": "#node"}}}"##,
            instance: ##"{"p": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"$dynamicRef"##, ##"type"##])
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.p"##, [##"properties"##, ##"p"##, ##"$dynamicRef"##, ##"type"##])
        ),
    ]
}
