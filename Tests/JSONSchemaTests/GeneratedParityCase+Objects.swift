// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let objects: [ParityCase] = [
        ParityCase(
            name: ##"required fails"##,
            schema: ##"{"required": ["name", "id"]}"##,
            instance: ##"{"id": 1}"##,
            failures: [
                Expected(##"'name' is a required property"##, ##"$"##, [##"required"##])
            ],
            best: Expected(##"'name' is a required property"##, ##"$"##, [##"required"##])
        ),
        ParityCase(
            name: ##"required two missing"##,
            schema: ##"{"required": ["name", "id"]}"##,
            instance: ##"{}"##,
            failures: [
                Expected(##"'name' is a required property"##, ##"$"##, [##"required"##]),
                Expected(##"'id' is a required property"##, ##"$"##, [##"required"##]),
            ],
            best: Expected(##"'name' is a required property"##, ##"$"##, [##"required"##])
        ),
        ParityCase(
            name: ##"required ignores arrays"##,
            schema: ##"{"required": ["name"]}"##,
            instance: ##"["name"]"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"properties fail"##,
            schema: ##"{"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}"##,
            instance: ##"{"b": "x", "a": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.a"##, [##"properties"##, ##"a"##, ##"type"##]),
                Expected(##"'x' is not of type 'integer'"##, ##"$.b"##, [##"properties"##, ##"b"##, ##"type"##]),
            ],
            best: Expected(##"'x' is not of type 'integer'"##, ##"$.b"##, [##"properties"##, ##"b"##, ##"type"##])
        ),
        ParityCase(
            name: ##"properties nested path"##,
            schema: ##"{"properties": {"authors": {"items": {"properties": {"name": {"type": "string"}}}}}}"##,
            instance: ##"{"authors": [{"name": "a"}, {"name": 5}]}"##,
            failures: [
                Expected(
                    ##"5 is not of type 'string'"##,
                    ##"$.authors[1].name"##,
                    [##"properties"##, ##"authors"##, ##"items"##, ##"properties"##, ##"name"##, ##"type"##]
                )
            ],
            best: Expected(
                ##"5 is not of type 'string'"##,
                ##"$.authors[1].name"##,
                [##"properties"##, ##"authors"##, ##"items"##, ##"properties"##, ##"name"##, ##"type"##]
            )
        ),
        ParityCase(
            name: ##"properties odd names"##,
            schema: ##"{"properties": {"first name": {"type": "string"}, "it's": {"type": "string"}, "0": {"type": "string"}}}"##,
            instance: ##"{"first name": 1, "it's": 2, "0": 3}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$['first name']"##, [##"properties"##, ##"first name"##, ##"type"##]),
                Expected(##"2 is not of type 'string'"##, ##"$['it\'s']"##, [##"properties"##, ##"it's"##, ##"type"##]),
                Expected(##"3 is not of type 'string'"##, ##"$['0']"##, [##"properties"##, ##"0"##, ##"type"##]),
            ],
            best: Expected(##"2 is not of type 'string'"##, ##"$['it\'s']"##, [##"properties"##, ##"it's"##, ##"type"##])
        ),
        ParityCase(
            name: ##"patternProperties"##,
            schema: ##"{"patternProperties": {"^s_": {"type": "string"}, "^i_": {"type": "integer"}}}"##,
            instance: ##"{"s_a": 1, "i_b": "x", "other": 1}"##,
            failures: [
                Expected(##"1 is not of type 'string'"##, ##"$.s_a"##, [##"patternProperties"##, ##"^s_"##, ##"type"##]),
                Expected(##"'x' is not of type 'integer'"##, ##"$.i_b"##, [##"patternProperties"##, ##"^i_"##, ##"type"##]),
            ],
            best: Expected(##"1 is not of type 'string'"##, ##"$.s_a"##, [##"patternProperties"##, ##"^s_"##, ##"type"##])
        ),
        ParityCase(
            name: ##"additionalProperties false"##,
            schema: ##"{"properties": {"a": {}}, "additionalProperties": false}"##,
            instance: ##"{"a": 1, "x": 2}"##,
            failures: [
                Expected(##"Additional properties are not allowed ('x' was unexpected)"##, ##"$"##, [##"additionalProperties"##])
            ],
            best: Expected(##"Additional properties are not allowed ('x' was unexpected)"##, ##"$"##, [##"additionalProperties"##])
        ),
        ParityCase(
            name: ##"additionalProperties false many"##,
            schema: ##"{"properties": {"a": {}}, "additionalProperties": false}"##,
            instance: ##"{"z": 1, "a": 1, "b": 2, "B": 3}"##,
            failures: [
                Expected(##"Additional properties are not allowed ('B', 'b', 'z' were unexpected)"##, ##"$"##, [##"additionalProperties"##])
            ],
            best: Expected(##"Additional properties are not allowed ('B', 'b', 'z' were unexpected)"##, ##"$"##, [##"additionalProperties"##])
        ),
        ParityCase(
            name: ##"additionalProperties schema"##,
            schema: ##"{"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}"##,
            instance: ##"{"a": "s", "x": "y"}"##,
            failures: [
                Expected(##"'y' is not of type 'integer'"##, ##"$.x"##, [##"additionalProperties"##, ##"type"##])
            ],
            best: Expected(##"'y' is not of type 'integer'"##, ##"$.x"##, [##"additionalProperties"##, ##"type"##])
        ),
        ParityCase(
            name: ##"additionalProperties with patterns"##,
            schema: ##"{"patternProperties": {"^a": {}, "^b": {}}, "additionalProperties": false}"##,
            instance: ##"{"apple": 1, "cherry": 2, "date": 3}"##,
            failures: [
                Expected(##"'cherry', 'date' do not match any of the regexes: '^a', '^b'"##, ##"$"##, [##"additionalProperties"##])
            ],
            best: Expected(##"'cherry', 'date' do not match any of the regexes: '^a', '^b'"##, ##"$"##, [##"additionalProperties"##])
        ),
        ParityCase(
            name: ##"additionalProperties with one pattern extra"##,
            schema: ##"{"patternProperties": {"^a": {}}, "additionalProperties": false}"##,
            instance: ##"{"x": 1}"##,
            failures: [
                Expected(##"'x' does not match any of the regexes: '^a'"##, ##"$"##, [##"additionalProperties"##])
            ],
            best: Expected(##"'x' does not match any of the regexes: '^a'"##, ##"$"##, [##"additionalProperties"##])
        ),
        ParityCase(
            name: ##"additionalProperties passes"##,
            schema: ##"{"properties": {"a": {}}, "patternProperties": {"^x": {}}, "additionalProperties": false}"##,
            instance: ##"{"a": 1, "xy": 2}"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"propertyNames"##,
            schema: ##"{"propertyNames": {"pattern": "^[a-z]+$"}}"##,
            instance: ##"{"ok": 1, "Not": 2}"##,
            failures: [
                Expected(##"'Not' does not match '^[a-z]+$'"##, ##"$"##, [##"propertyNames"##, ##"pattern"##])
            ],
            best: Expected(##"'Not' does not match '^[a-z]+$'"##, ##"$"##, [##"propertyNames"##, ##"pattern"##])
        ),
        ParityCase(
            name: ##"propertyNames maxLength"##,
            schema: ##"{"propertyNames": {"maxLength": 3}}"##,
            instance: ##"{"long name": 1}"##,
            failures: [
                Expected(##"'long name' is too long"##, ##"$"##, [##"propertyNames"##, ##"maxLength"##])
            ],
            best: Expected(##"'long name' is too long"##, ##"$"##, [##"propertyNames"##, ##"maxLength"##])
        ),
        ParityCase(
            name: ##"propertyNames false"##,
            schema: ##"{"propertyNames": false}"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"False schema does not allow 'a'"##, ##"$"##, [##"propertyNames"##])
            ],
            best: Expected(##"False schema does not allow 'a'"##, ##"$"##, [##"propertyNames"##])
        ),
        ParityCase(
            name: ##"minProperties"##,
            schema: ##"{"minProperties": 2}"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"{'a': 1} does not have enough properties"##, ##"$"##, [##"minProperties"##])
            ],
            best: Expected(##"{'a': 1} does not have enough properties"##, ##"$"##, [##"minProperties"##])
        ),
        ParityCase(
            name: ##"minProperties one"##,
            schema: ##"{"minProperties": 1}"##,
            instance: ##"{}"##,
            failures: [
                Expected(##"{} should be non-empty"##, ##"$"##, [##"minProperties"##])
            ],
            best: Expected(##"{} should be non-empty"##, ##"$"##, [##"minProperties"##])
        ),
        ParityCase(
            name: ##"maxProperties"##,
            schema: ##"{"maxProperties": 1}"##,
            instance: ##"{"a": 1, "b": 2}"##,
            failures: [
                Expected(##"{'a': 1, 'b': 2} has too many properties"##, ##"$"##, [##"maxProperties"##])
            ],
            best: Expected(##"{'a': 1, 'b': 2} has too many properties"##, ##"$"##, [##"maxProperties"##])
        ),
        ParityCase(
            name: ##"maxProperties zero"##,
            schema: ##"{"maxProperties": 0}"##,
            instance: ##"{"a": 1}"##,
            failures: [
                Expected(##"{'a': 1} is expected to be empty"##, ##"$"##, [##"maxProperties"##])
            ],
            best: Expected(##"{'a': 1} is expected to be empty"##, ##"$"##, [##"maxProperties"##])
        ),
        ParityCase(
            name: ##"dependencies array draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "dependencies": {"card": ["billing", "name"]}}"##,
            instance: ##"{"card": 1, "name": "x"}"##,
            failures: [
                Expected(##"'billing' is a dependency of 'card'"##, ##"$"##, [##"dependencies"##])
            ],
            best: Expected(##"'billing' is a dependency of 'card'"##, ##"$"##, [##"dependencies"##])
        ),
        ParityCase(
            name: ##"dependencies schema draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "dependencies": {"card": {"required": ["billing"]}}}"##,
            instance: ##"{"card": 1}"##,
            failures: [
                Expected(##"'billing' is a required property"##, ##"$"##, [##"dependencies"##, ##"card"##, ##"required"##])
            ],
            best: Expected(##"'billing' is a required property"##, ##"$"##, [##"dependencies"##, ##"card"##, ##"required"##])
        ),
        ParityCase(
            name: ##"dependencies ignored in 2020"##,
            schema: ##"{"dependencies": {"card": ["billing"]}}"##,
            instance: ##"{"card": 1}"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"dependentRequired"##,
            schema: ##"{"dependentRequired": {"card": ["billing"]}}"##,
            instance: ##"{"card": 1}"##,
            failures: [
                Expected(##"'billing' is a dependency of 'card'"##, ##"$"##, [##"dependentRequired"##])
            ],
            best: Expected(##"'billing' is a dependency of 'card'"##, ##"$"##, [##"dependentRequired"##])
        ),
        ParityCase(
            name: ##"dependentSchemas"##,
            schema: ##"{"dependentSchemas": {"card": {"properties": {"card": {"type": "string"}}}}}"##,
            instance: ##"{"card": 1}"##,
            failures: [
                Expected(
                    ##"1 is not of type 'string'"##,
                    ##"$.card"##,
                    [##"dependentSchemas"##, ##"card"##, ##"properties"##, ##"card"##, ##"type"##]
                )
            ],
            best: Expected(
                ##"1 is not of type 'string'"##,
                ##"$.card"##,
                [##"dependentSchemas"##, ##"card"##, ##"properties"##, ##"card"##, ##"type"##]
            )
        ),
        ParityCase(
            name: ##"dependentRequired ignored in draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "dependentRequired": {"card": ["billing"]}}"##,
            instance: ##"{"card": 1}"##,
            failures: [],
            best: nil
        ),
        ParityCase(
            name: ##"hypha collection schema missing"##,
            schema: joined(
                ##"{"type": "object", "properties": {"name": {"type": "string"}, "description": {"type": "str"##,
                ##"ing"}, "record_type": {"type": "string", "enum": ["dataset", "model", "application"]}}, "r"##,
                ##"equired": ["name", "description", "record_type"]}"##
            ),
            instance: ##"{"name": "n", "description": "d"}"##,
            failures: [
                Expected(##"'record_type' is a required property"##, ##"$"##, [##"required"##])
            ],
            best: Expected(##"'record_type' is a required property"##, ##"$"##, [##"required"##])
        ),
        ParityCase(
            name: ##"hypha collection schema enum"##,
            schema: joined(
                ##"{"type": "object", "properties": {"name": {"type": "string"}, "description": {"type": "str"##,
                ##"ing"}, "record_type": {"type": "string", "enum": ["dataset", "model", "application"]}}, "r"##,
                ##"equired": ["name", "description", "record_type"]}"##
            ),
            instance: ##"{"name": "n", "description": "d", "record_type": "other"}"##,
            failures: [
                Expected(
                    ##"'other' is not one of ['dataset', 'model', 'application']"##,
                    ##"$.record_type"##,
                    [##"properties"##, ##"record_type"##, ##"enum"##]
                )
            ],
            best: Expected(
                ##"'other' is not one of ['dataset', 'model', 'application']"##,
                ##"$.record_type"##,
                [##"properties"##, ##"record_type"##, ##"enum"##]
            )
        ),
    ]
}
