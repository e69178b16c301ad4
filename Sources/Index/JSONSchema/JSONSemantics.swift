import SporeJSON

/// The value semantics jsonschema applies on top of Python's: equality where `1 == 1.0` but
/// `True != 1`, exact comparison between ints and floats, and the type names of JSON Schema.
enum JSONSemantics {
    /// jsonschema's `_utils.equal`: numbers compare by value across int and float, booleans
    /// only equal booleans, arrays element-wise and objects member-wise regardless of order.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let left), .bool(let right)): return left == right
        case (.string(let left), .string(let right)):
            // Python compares code points; Swift's String == would equate canonically equivalent texts.
            return left.unicodeScalars.elementsEqual(right.unicodeScalars)
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { equal($0, $1) }
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            return left.pairs.allSatisfy { member in right[member.key].map { equal(member.value, $0) } ?? false }
        default:
            guard let order = compare(lhs, rhs) else { return false }
            return order == 0
        }
    }

    /// jsonschema's `uniq`: whether no two elements are `equal`. Elements are bucketed by a hash
    /// that agrees with `equal`, so a hostile array costs about linear time, not quadratic.
    static func allUnique(_ items: [JSONValue]) -> Bool {
        var buckets: [Int: [Int]] = [:]
        for (index, item) in items.enumerated() {
            var hasher = Hasher()
            hashForEquality(item, into: &hasher, depth: 0)
            let key = hasher.finalize()
            if let earlier = buckets[key], earlier.contains(where: { equal(items[$0], item) }) { return false }
            buckets[key, default: []].append(index)
        }
        return true
    }

    /// A hash consistent with `equal`: numbers hash by their value as a double (so 1 and 1.0
    /// collide), objects ignore member order. Deep levels stop contributing, which only costs
    /// collisions, never wrong answers.
    private static func hashForEquality(_ value: JSONValue, into hasher: inout Hasher, depth: Int) {
        guard depth < 32 else { return }
        switch value {
        case .null: hasher.combine(0)
        case .bool(let flag):
            hasher.combine(1)
            hasher.combine(flag)
        case .int(let number):
            hasher.combine(2)
            hasher.combine(Double(number))
        case .double(let number):
            hasher.combine(2)
            hasher.combine(number)
        case .string(let text):
            hasher.combine(3)
            hasher.combine(Array(text.unicodeScalars.map(\.value)))
        case .array(let items):
            hasher.combine(4)
            hasher.combine(items.count)
            for item in items { hashForEquality(item, into: &hasher, depth: depth + 1) }
        case .object(let object):
            hasher.combine(5)
            hasher.combine(object.count)
            var members = 0
            for (key, member) in object {
                var inner = Hasher()
                inner.combine(key)
                hashForEquality(member, into: &inner, depth: depth + 1)
                members ^= inner.finalize()
            }
            hasher.combine(members)
        }
    }

    /// Compares two numbers exactly, as Python compares an int with a float (no rounding of
    /// large ints to doubles): -1, 0 or 1; nil when either is not a number or is NaN.
    static func compare(_ lhs: JSONValue, _ rhs: JSONValue) -> Int? {
        switch (lhs, rhs) {
        case (.int(let left), .int(let right)): return left < right ? -1 : (left == right ? 0 : 1)
        case (.double(let left), .double(let right)):
            if left.isNaN || right.isNaN { return nil }
            return left < right ? -1 : (left == right ? 0 : 1)
        case (.int(let left), .double(let right)): return compare(left, right)
        case (.double(let left), .int(let right)): return compare(right, left).map { -$0 }
        default: return nil
        }
    }

    private static func compare(_ integer: Int64, _ real: Double) -> Int? {
        if real.isNaN { return nil }
        // 2^63 is exactly representable; every Int64 is below it and at or above -2^63.
        if real >= 9_223_372_036_854_775_808.0 { return -1 }
        if real < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = real.rounded(.down)
        let truncated = Int64(whole)
        if integer != truncated { return integer < truncated ? -1 : 1 }
        return real > whole ? -1 : 0
    }

    /// JSON Schema's type names as jsonschema's draft 6+ type checker applies them: `integer`
    /// includes floats without a fractional part, `number` excludes booleans.
    static func isType(_ value: JSONValue, _ name: String) -> Bool {
        switch name {
        case "array": return value.arrayValue != nil
        case "boolean": return value.boolValue != nil
        case "null": return value.isNull
        case "number": return value.isNumber
        case "object": return value.objectValue != nil
        case "string": return value.stringValue != nil
        case "integer":
            switch value {
            case .int: return true
            case .double(let number): return number.isFinite && number.rounded(.towardZero) == number
            default: return false
            }
        default: return false
        }
    }

    /// `len(text)` in Python: code points, not grapheme clusters.
    static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// jsonschema's `multipleOf`: a float divisor divides through floating point (falling back
    /// to exact rational arithmetic when the quotient overflows); an int divisor uses `%`.
    static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        switch (value, divisor) {
        case (.int(let number), .int(let step)):
            guard step != 0 else { return false }
            // Int64.min % -1 traps in Swift; Python answers 0.
            if step == -1 { return true }
            return number % step == 0
        case (_, .int(let step)):
            guard let number = value.doubleValue, number.isFinite else { return false }
            return (number.truncatingRemainder(dividingBy: Double(step))) == 0
        case (_, .double(let step)):
            guard let number = value.doubleValue, step != 0 else { return false }
            let quotient = number / step
            if quotient.isNaN { return false }
            if quotient.isInfinite { return exactlyDivides(number, step) }
            return quotient.rounded(.towardZero) == quotient
        default:
            return false
        }
    }

    /// Whether `number / step` is an integer in exact arithmetic: with both written as an odd
    /// integer times a power of two, the odd parts must divide and the power must not go negative.
    private static func exactlyDivides(_ number: Double, _ step: Double) -> Bool {
        guard number.isFinite, step.isFinite, step != 0 else { return false }
        if number == 0 { return true }
        let (numberOdd, numberPower) = oddPart(number)
        let (stepOdd, stepPower) = oddPart(step)
        return numberOdd % stepOdd == 0 && numberPower >= stepPower
    }

    private static func oddPart(_ value: Double) -> (odd: UInt64, power: Int) {
        let magnitude = value.magnitude
        var significand = magnitude.significandBitPattern
        // Subnormals have no implicit bit and the fixed exponent of the smallest normal.
        var power = (magnitude.isNormal ? Int(magnitude.exponent) : Int(Double.leastNormalMagnitude.exponent)) - Double.significandBitCount
        if magnitude.isNormal { significand |= UInt64(1) << UInt64(Double.significandBitCount) }
        guard significand != 0 else { return (1, 0) }
        let shift = significand.trailingZeroBitCount
        significand >>= UInt64(shift)
        power += shift
        return (significand, power)
    }
}
