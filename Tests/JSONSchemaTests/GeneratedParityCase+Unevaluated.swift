// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let unevaluated: [ParityCase] = [
        ParityCase(
            name: ##"unevaluatedProperties false"##,
            schema: ##"{"properties": {"a": {}}, "unevaluatedProperties": false}"##,
            instance: ##"{"a": 1, "c": 2, "b": 3}"##,
            failures: [
                Expected(##"Unevaluated properties are not allowed ('b', 'c' were unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
            ],
            best: Expected(##"Unevaluated properties are not allowed ('b', 'c' were unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
        ),
        ParityCase(
            name: ##"unevaluatedProperties through allOf"##,
            schema: ##"{"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": false}"##,
            instance: ##"{"a": 1, "b": 2}"##,
            failures: [
                Expected(##"Unevaluated properties are not allowed ('b' was unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
            ],
            best: Expected(##"Unevaluated properties are not allowed ('b' was unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
        ),
        ParityCase(
            name: ##"unevaluatedProperties schema"##,
            schema: ##"{"properties": {"a": {}}, "unevaluatedProperties": {"type": "string"}}"##,
            instance: ##"{"a": 1, "b": 2, "c": "s"}"##,
            failures: [
                Expected(
                    ##"Unevaluated properties are not valid under the given schema ('b' was unevaluated and invalid)"##,
                    ##"$"##,
                    [##"unevaluatedProperties"##]
                )
            ],
            best: Expected(
                ##"Unevaluated properties are not valid under the given schema ('b' was unevaluated and invalid)"##,
                ##"$"##,
                [##"unevaluatedProperties"##]
            )
        ),
        ParityCase(
            name: ##"unevaluatedProperties if then"##,
            schema: ##"{"if": {"properties": {"k": {"const": 1}}}, "then": {"properties": {"x": {}}}, "unevaluatedProperties": false}"##,
            instance: ##"{"k": 1, "x": 2, "y": 3}"##,
            failures: [
                Expected(##"Unevaluated properties are not allowed ('y' was unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
            ],
            best: Expected(##"Unevaluated properties are not allowed ('y' was unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
        ),
        ParityCase(
            name: ##"unevaluatedProperties ref"##,
            schema: ##"{"$defs": {"base": {"properties": {"a": {}}}}, "$ref": "#/$defs/base", "unevaluatedProperties": false}"##,
            instance: ##"{"a": 1, "b": 2}"##,
            failures: [
                Expected(##"Unevaluated properties are not allowed ('b' was unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
            ],
            best: Expected(##"Unevaluated properties are not allowed ('b' was unexpected)"##, ##"$"##, [##"unevaluatedProperties"##])
        ),
        ParityCase(
            name: ##"unevaluatedItems"##,
            schema: ##"{"prefixItems": [{}], "unevaluatedItems": false}"##,
            instance: ##"[1, 2, 3]"##,
            failures: [
                Expected(##"Unevaluated items are not allowed (2, 3 were unexpected)"##, ##"$"##, [##"unevaluatedItems"##])
            ],
            best: Expected(##"Unevaluated items are not allowed (2, 3 were unexpected)"##, ##"$"##, [##"unevaluatedItems"##])
        ),
        ParityCase(
            name: ##"unevaluatedItems contains"##,
            schema: ##"{"contains": {"type": "string"}, "unevaluatedItems": false}"##,
            instance: ##"["a", 1]"##,
            failures: [
                Expected(##"Unevaluated items are not allowed (1 was unexpected)"##, ##"$"##, [##"unevaluatedItems"##])
            ],
            best: Expected(##"Unevaluated items are not allowed (1 was unexpected)"##, ##"$"##, [##"unevaluatedItems"##])
        ),
        ParityCase(
            name: ##"unevaluatedItems with items"##,
            schema: ##"{"items": {"type": "integer"}, "unevaluatedItems": false}"##,
            instance: ##"[1, 2]"##,
            failures: [],
            best: nil
        ),
    ]
}
