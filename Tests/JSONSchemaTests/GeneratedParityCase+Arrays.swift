// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let arrays: [ParityCase] = [
        ParityCase(
            name: ##"items schema 2020"##,
            schema: ##"{"items": {"type": "integer"}}"##,
            instance: ##"[1, "a", 2, null]"##,
            failures: [
                Expected(##"'a' is not of type 'integer'"##, ##"$[1]"##, [##"items"##, ##"type"##]),
                Expected(##"None is not of type 'integer'"##, ##"$[3]"##, [##"items"##, ##"type"##]),
            ],
            best: Expected(##"None is not of type 'integer'"##, ##"$[3]"##, [##"items"##, ##"type"##])
        ),
        ParityCase(
            name: ##"items schema draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": {"type": "integer"}}"##,
            instance: ##"[1, "a"]"##,
            failures: [
                Expected(##"'a' is not of type 'integer'"##, ##"$[1]"##, [##"items"##, ##"type"##])
            ],
            best: Expected(##"'a' is not of type 'integer'"##, ##"$[1]"##, [##"items"##, ##"type"##])
        ),
        ParityCase(
            name: ##"items tuple draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": [{"type": "integer"}, {"type": "string"}]}"##,
            instance: ##"["a", 1, null]"##,
            failures: [
                Expected(##"'a' is not of type 'integer'"##, ##"$[0]"##, [##"items"##, ##"0"##, ##"type"##]),
                Expected(##"1 is not of type 'string'"##, ##"$[1]"##, [##"items"##, ##"1"##, ##"type"##]),
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$[1]"##, [##"items"##, ##"1"##, ##"type"##])
        ),
        ParityCase(
            name: ##"additionalItems false draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}], "additionalItems": false}"##,
            instance: ##"[1, 2, 3]"##,
            failures: [
                Expected(##"Additional items are not allowed (2, 3 were unexpected)"##, ##"$"##, [##"additionalItems"##])
            ],
            best: Expected(##"Additional items are not allowed (2, 3 were unexpected)"##, ##"$"##, [##"additionalItems"##])
        ),
        ParityCase(
            name: ##"additionalItems false one draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}, {}], "additionalItems": false}"##,
            instance: ##"[1, 2, "x"]"##,
            failures: [
                Expected(##"Additional items are not allowed ('x' was unexpected)"##, ##"$"##, [##"additionalItems"##])
            ],
            best: Expected(##"Additional items are not allowed ('x' was unexpected)"##, ##"$"##, [##"additionalItems"##])
        ),
        ParityCase(
            name: ##"additionalItems schema draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}], "additionalItems": {"type": "string"}}"##,
            instance: ##"[1, 2, "x"]"##,
            failures: [
                Expected(##"2 is not of type 'string'"##, ##"$[1]"##, [##"additionalItems"##, ##"type"##])
            ],
            best: Expected(##"2 is not of type 'string'"##, ##"$[1]"##, [##"additionalItems"##, ##"type"##])
        ),
        ParityCase(
            name: ##"additionalItems ignored without tuple"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": {}, "additionalItems": false}"##,
            instance: ##"[1, 2]"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"items false draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": false}"##,
            instance: ##"[1]"##,
            failures: [
                Expected(##"False schema does not allow 1"##, ##"$"##, [##"items"##])
            ],
            best: Expected(##"False schema does not allow 1"##, ##"$"##, [##"items"##])
        ),
        ParityCase(
            name: ##"prefixItems"##,
            schema: ##"{"prefixItems": [{"type": "integer"}, {"type": "string"}]}"##,
            instance: ##"["a", 1, null]"##,
            failures: [
                Expected(##"'a' is not of type 'integer'"##, ##"$[0]"##, [##"prefixItems"##, ##"0"##, ##"type"##]),
                Expected(##"1 is not of type 'string'"##, ##"$[1]"##, [##"prefixItems"##, ##"1"##, ##"type"##]),
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$[1]"##, [##"prefixItems"##, ##"1"##, ##"type"##])
        ),
        ParityCase(
            name: ##"prefixItems with items false"##,
            schema: ##"{"prefixItems": [{}], "items": false}"##,
            instance: ##"[1, 2, 3]"##,
            failures: [
                Expected(##"Expected at most 1 item but found 2 extra: [2, 3]"##, ##"$"##, [##"items"##])
            ],
            best: Expected(##"Expected at most 1 item but found 2 extra: [2, 3]"##, ##"$"##, [##"items"##])
        ),
        ParityCase(
            name: ##"prefixItems with items false one extra"##,
            schema: ##"{"prefixItems": [{}, {}], "items": false}"##,
            instance: ##"[1, 2, {"a": 1}]"##,
            failures: [
                Expected(##"Expected at most 2 items but found 1 extra: {'a': 1}"##, ##"$"##, [##"items"##])
            ],
            best: Expected(##"Expected at most 2 items but found 1 extra: {'a': 1}"##, ##"$"##, [##"items"##])
        ),
        ParityCase(
            name: ##"items false empty prefix"##,
            schema: ##"{"items": false}"##,
            instance: ##"["x"]"##,
            failures: [
                Expected(##"Expected at most 0 items but found 1 extra: 'x'"##, ##"$"##, [##"items"##])
            ],
            best: Expected(##"Expected at most 0 items but found 1 extra: 'x'"##, ##"$"##, [##"items"##])
        ),
        ParityCase(
            name: ##"prefixItems with items schema"##,
            schema: ##"{"prefixItems": [{"type": "integer"}], "items": {"type": "string"}}"##,
            instance: ##"[1, "a", 2]"##,
            failures: [
                Expected(##"2 is not of type 'string'"##, ##"$[2]"##, [##"items"##, ##"type"##])
            ],
            best: Expected(##"2 is not of type 'string'"##, ##"$[2]"##, [##"items"##, ##"type"##])
        ),
        ParityCase(
            name: ##"contains draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "contains": {"type": "string"}}"##,
            instance: ##"[1, 2]"##,
            failures: [
                Expected(##"None of [1, 2] are valid under the given schema"##, ##"$"##, [##"contains"##])
            ],
            best: Expected(##"None of [1, 2] are valid under the given schema"##, ##"$"##, [##"contains"##])
        ),
        ParityCase(
            name: ##"contains 2020"##,
            schema: ##"{"contains": {"type": "string"}}"##,
            instance: ##"[1, 2]"##,
            failures: [
                Expected(##"[1, 2] does not contain items matching the given schema"##, ##"$"##, [##"contains"##])
            ],
            best: Expected(##"[1, 2] does not contain items matching the given schema"##, ##"$"##, [##"contains"##])
        ),
        ParityCase(
            name: ##"contains passes"##,
            schema: ##"{"contains": {"type": "string"}}"##,
            instance: ##"[1, "a"]"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"minContains"##,
            schema: ##"{"contains": {"type": "string"}, "minContains": 2}"##,
            instance: ##"["a", 1]"##,
            failures: [
                Expected(##"Too few items match the given schema (expected at least 2 but only 1 matched)"##, ##"$"##, [##"contains"##])
            ],
            best: Expected(##"Too few items match the given schema (expected at least 2 but only 1 matched)"##, ##"$"##, [##"contains"##])
        ),
        ParityCase(
            name: ##"maxContains"##,
            schema: ##"{"contains": {"type": "string"}, "maxContains": 1}"##,
            instance: ##"["a", "b", "c"]"##,
            failures: [
                Expected(##"Too many items match the given schema (expected at most 1)"##, ##"$"##, [##"contains"##])
            ],
            best: Expected(##"Too many items match the given schema (expected at most 1)"##, ##"$"##, [##"contains"##])
        ),
        ParityCase(
            name: ##"maxContains float"##,
            schema: ##"{"contains": {"type": "string"}, "maxContains": 1.0}"##,
            instance: ##"["a", "b"]"##,
            failures: [
                Expected(##"Too many items match the given schema (expected at most 1.0)"##, ##"$"##, [##"contains"##])
            ],
            best: Expected(##"Too many items match the given schema (expected at most 1.0)"##, ##"$"##, [##"contains"##])
        ),
        ParityCase(
            name: ##"minContains zero"##,
            schema: ##"{"contains": {"type": "string"}, "minContains": 0}"##,
            instance: ##"[1]"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"minItems"##,
            schema: ##"{"minItems": 2}"##,
            instance: ##"[1]"##,
            failures: [
                Expected(##"[1] is too short"##, ##"$"##, [##"minItems"##])
            ],
            best: Expected(##"[1] is too short"##, ##"$"##, [##"minItems"##])
        ),
        ParityCase(
            name: ##"minItems one"##,
            schema: ##"{"minItems": 1}"##,
            instance: ##"[]"##,
            failures: [
                Expected(##"[] should be non-empty"##, ##"$"##, [##"minItems"##])
            ],
            best: Expected(##"[] should be non-empty"##, ##"$"##, [##"minItems"##])
        ),
        ParityCase(
            name: ##"maxItems"##,
            schema: ##"{"maxItems": 1}"##,
            instance: ##"[1, 2]"##,
            failures: [
                Expected(##"[1, 2] is too long"##, ##"$"##, [##"maxItems"##])
            ],
            best: Expected(##"[1, 2] is too long"##, ##"$"##, [##"maxItems"##])
        ),
        ParityCase(
            name: ##"maxItems zero"##,
            schema: ##"{"maxItems": 0}"##,
            instance: ##"[1]"##,
            failures: [
                Expected(##"[1] is expected to be empty"##, ##"$"##, [##"maxItems"##])
            ],
            best: Expected(##"[1] is expected to be empty"##, ##"$"##, [##"maxItems"##])
        ),
        ParityCase(
            name: ##"uniqueItems"##,
            schema: ##"{"uniqueItems": true}"##,
            instance: ##"[1, 1]"##,
            failures: [
                Expected(##"[1, 1] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
            ],
            best: Expected(##"[1, 1] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
        ),
        ParityCase(
            name: ##"uniqueItems int float"##,
            schema: ##"{"uniqueItems": true}"##,
            instance: ##"[1, 1.0]"##,
            failures: [
                Expected(##"[1, 1.0] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
            ],
            best: Expected(##"[1, 1.0] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
        ),
        ParityCase(
            name: ##"uniqueItems bool int"##,
            schema: ##"{"uniqueItems": true}"##,
            instance: ##"[1, true, 0, false]"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uniqueItems objects"##,
            schema: ##"{"uniqueItems": true}"##,
            instance: ##"[{"a": 1, "b": 2}, {"b": 2, "a": 1}]"##,
            failures: [
                Expected(##"[{'a': 1, 'b': 2}, {'b': 2, 'a': 1}] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
            ],
            best: Expected(##"[{'a': 1, 'b': 2}, {'b': 2, 'a': 1}] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
        ),
        ParityCase(
            name: ##"uniqueItems nested arrays"##,
            schema: ##"{"uniqueItems": true}"##,
            instance: ##"[[1, [2]], [1, [2.0]]]"##,
            failures: [
                Expected(##"[[1, [2]], [1, [2.0]]] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
            ],
            best: Expected(##"[[1, [2]], [1, [2.0]]] has non-unique elements"##, ##"$"##, [##"uniqueItems"##])
        ),
        ParityCase(
            name: ##"uniqueItems distinct"##,
            schema: ##"{"uniqueItems": true}"##,
            instance: ##"[[1], [true], "1", 1, null, {}]"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"uniqueItems false"##,
            schema: ##"{"uniqueItems": false}"##,
            instance: ##"[1, 1]"##,
            failures: [],
            best: nil
        ),
    ]
}
