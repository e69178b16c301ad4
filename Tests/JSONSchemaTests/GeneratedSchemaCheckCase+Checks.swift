// Generated from Python jsonschema 4.26.0 by a script kept outside the repository; the expectations are its output.

extension ParityCase {
    static let checks: [SchemaCheckCase] = [
        SchemaCheckCase(
            name: ##"bad type"##,
            schema: ##"{"type": 5}"##,
            message: ##"5 is not valid under any of the given schemas"##,
            path: [##"type"##]
        ),
        SchemaCheckCase(
            name: ##"unknown type name"##,
            schema: ##"{"type": "foo"}"##,
            message: ##"'foo' is not valid under any of the given schemas"##,
            path: [##"type"##]
        ),
        SchemaCheckCase(
            name: ##"duplicate type names"##,
            schema: ##"{"type": ["string", "string"]}"##,
            message: ##"['string', 'string'] is not valid under any of the given schemas"##,
            path: [##"type"##]
        ),
        SchemaCheckCase(
            name: ##"required not array"##,
            schema: ##"{"required": "x"}"##,
            message: ##"'x' is not of type 'array'"##,
            path: [##"required"##]
        ),
        SchemaCheckCase(
            name: ##"required items not strings"##,
            schema: ##"{"required": ["a", 1]}"##,
            message: ##"1 is not of type 'string'"##,
            path: [##"required"##, ##"1"##]
        ),
        SchemaCheckCase(
            name: ##"properties not object"##,
            schema: ##"{"properties": []}"##,
            message: ##"[] is not of type 'object'"##,
            path: [##"properties"##]
        ),
        SchemaCheckCase(
            name: ##"property schema not object"##,
            schema: ##"{"properties": {"a": 5}}"##,
            message: ##"5 is not of type 'object', 'boolean'"##,
            path: [##"properties"##, ##"a"##]
        ),
        SchemaCheckCase(
            name: ##"negative minLength"##,
            schema: ##"{"minLength": -1}"##,
            message: ##"-1 is less than the minimum of 0"##,
            path: [##"minLength"##]
        ),
        SchemaCheckCase(
            name: ##"fractional minLength"##,
            schema: ##"{"minLength": 1.5}"##,
            message: ##"1.5 is not of type 'integer'"##,
            path: [##"minLength"##]
        ),
        SchemaCheckCase(
            name: ##"maxItems string"##,
            schema: ##"{"maxItems": "3"}"##,
            message: ##"'3' is not of type 'integer'"##,
            path: [##"maxItems"##]
        ),
        SchemaCheckCase(
            name: ##"bad pattern"##,
            schema: ##"{"pattern": "("}"##,
            message: ##"'(' is not a 'regex'"##,
            path: [##"pattern"##]
        ),
        SchemaCheckCase(
            name: ##"bad patternProperties"##,
            schema: ##"{"patternProperties": {"(": {}}}"##,
            message: ##"'(' is not a 'regex'"##,
            path: [##"patternProperties"##]
        ),
        SchemaCheckCase(
            name: ##"enum not array"##,
            schema: ##"{"enum": 1}"##,
            message: ##"1 is not of type 'array'"##,
            path: [##"enum"##]
        ),
        SchemaCheckCase(
            name: ##"multipleOf zero"##,
            schema: ##"{"multipleOf": 0}"##,
            message: ##"0 is less than or equal to the minimum of 0"##,
            path: [##"multipleOf"##]
        ),
        SchemaCheckCase(
            name: ##"minimum string"##,
            schema: ##"{"minimum": "1"}"##,
            message: ##"'1' is not of type 'number'"##,
            path: [##"minimum"##]
        ),
        SchemaCheckCase(
            name: ##"items array in 2020"##,
            schema: ##"{"items": [{}]}"##,
            message: ##"[{}] is not of type 'object', 'boolean'"##,
            path: [##"items"##]
        ),
        SchemaCheckCase(
            name: ##"items array in draft7"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "items": [{}]}"##,
            message: nil, path: []
        ),
        SchemaCheckCase(
            name: ##"schema not string"##,
            schema: ##"{"$schema": 5}"##,
            message: ##"5 is not of type 'string'"##,
            path: [##"$schema"##]
        ),
        SchemaCheckCase(
            name: ##"nested bad type"##,
            schema: ##"{"properties": {"a": {"items": {"type": 5}}}}"##,
            message: ##"{'type': 5} is not valid under any of the given schemas"##,
            path: [##"properties"##, ##"a"##, ##"items"##]
        ),
        SchemaCheckCase(
            name: ##"allOf empty"##,
            schema: ##"{"allOf": []}"##,
            message: ##"[] should be non-empty"##,
            path: [##"allOf"##]
        ),
        SchemaCheckCase(
            name: ##"anyOf not array"##,
            schema: ##"{"anyOf": {}}"##,
            message: ##"{} is not of type 'array'"##,
            path: [##"anyOf"##]
        ),
        SchemaCheckCase(
            name: ##"schema is a number"##,
            schema: ##"5"##,
            message: ##"5 is not of type 'object', 'boolean'"##,
            path: []
        ),
        SchemaCheckCase(
            name: ##"uniqueItems not boolean"##,
            schema: ##"{"uniqueItems": 1}"##,
            message: ##"1 is not of type 'boolean'"##,
            path: [##"uniqueItems"##]
        ),
        SchemaCheckCase(
            name: ##"format not string"##,
            schema: ##"{"format": 1}"##,
            message: ##"1 is not of type 'string'"##,
            path: [##"format"##]
        ),
        SchemaCheckCase(
            name: ##"prefixItems not array"##,
            schema: ##"{"prefixItems": {}}"##,
            message: ##"{} is not of type 'array'"##,
            path: [##"prefixItems"##]
        ),
        SchemaCheckCase(
            name: ##"dependentRequired bad"##,
            schema: ##"{"dependentRequired": {"a": "b"}}"##,
            message: ##"'b' is not of type 'array'"##,
            path: [##"dependentRequired"##, ##"a"##]
        ),
        SchemaCheckCase(
            name: ##"draft7 ignores prefixItems"##,
            schema: ##"{"$schema": "http://json-schema.org/draft-07/schema#", "prefixItems": 5}"##,
            message: nil, path: []
        ),
        SchemaCheckCase(
            name: ##"additionalItems bad in 2020"##,
            schema: ##"{"additionalItems": 5}"##,
            message: ##"5 is not of type 'object', 'boolean'"##,
            path: [##"additionalItems"##]
        ),
        SchemaCheckCase(
            name: ##"valid schema"##,
            schema: ##"{"type": "object", "properties": {"a": {"type": ["string", "null"]}}, "required": ["a"]}"##,
            message: nil, path: []
        ),
        SchemaCheckCase(
            name: ##"dollar id fragment in 2020"##,
            schema: ##"{"$id": "#foo"}"##,
            message: ##"'#foo' does not match '^[^#]*#?$'"##,
            path: [##"$id"##]
        ),
        SchemaCheckCase(
            name: ##"definitions bad member"##,
            schema: ##"{"definitions": {"a": 5}}"##,
            message: ##"5 is not of type 'object', 'boolean'"##,
            path: [##"definitions"##, ##"a"##]
        ),
    ]
}
