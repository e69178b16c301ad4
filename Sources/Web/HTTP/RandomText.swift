/// Random identifiers and secrets from the system's CSPRNG.
public enum RandomText {
    public static let accessKeyAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    public static let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    public static let tokenAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    public static func make(length: Int, alphabet: [Character]) -> String {
        precondition(!alphabet.isEmpty, "an alphabet has letters")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
