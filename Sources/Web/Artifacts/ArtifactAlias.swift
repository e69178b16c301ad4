import Foundation
import SporeJSON

/// Aliases: validation, the `{uuid}`/`{timestamp}`/`{user_id}`/id-part patterns, and the
/// readable four-word ids (adjective-noun-verb-adverb) Hypha gives artifacts created without one.
enum ArtifactAlias {
    static let reserved: Set<String> = ["-", "~", "_"]
    /// Attempts at a unique readable id before giving up.
    static let generationAttemptMax = 100

    /// Hypha's checks on a given alias (before its patterns are expanded).
    static func validate(_ alias: String) throws {
        if reserved.contains(alias) {
            throw ArtifactError.value("Alias '\(alias)' is reserved and cannot be used. Please choose a different alias.")
        }
        if ArtifactService.isUUID(alias) { throw ArtifactError.value("Alias should be a human readable string, it cannot be a UUID.") }
        let length = alias.count
        guard length <= ArtifactStoreLimits.aliasLengthMax else {
            throw ArtifactError.value(
                "Alias is too long (\(length) characters); the maximum is \(ArtifactStoreLimits.aliasLengthMax). Please choose a shorter alias."
            )
        }
        // An alias is one segment of `ws/alias` ids and of URL paths.
        guard !alias.isEmpty, !alias.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "/" || $0 == "\\" || $0.value == 0x7F }) else {
            throw ArtifactError.value("Alias '\(alias)' contains characters that are not allowed (/, \\ or control characters).")
        }
    }

    /// Expands `{uuid}`, `{timestamp}` (seconds), `{user_id}` and keys of the parent's `id_parts`
    /// (a value, or a random choice from a list); other placeholders become a uuid4, as in Hypha.
    static func expand(_ pattern: String, userID: String, nowSeconds: Int64, idParts: JSONObject?, makeUUID7: () -> String) -> String {
        guard pattern.contains("{") else { return pattern }
        var result = ""
        var index = pattern.startIndex
        while index < pattern.endIndex {
            guard pattern[index] == "{", let close = pattern[index...].firstIndex(of: "}") else {
                result.append(pattern[index])
                index = pattern.index(after: index)
                continue
            }
            let name = String(pattern[pattern.index(after: index)..<close])
            switch name {
            case "uuid": result += makeUUID7()
            case "timestamp": result += String(nowSeconds)
            case "user_id": result += userID
            default:
                if let part = idParts?[name] {
                    if let choices = part.arrayValue, let choice = choices.randomElement() {
                        result += choice.stringValue ?? choice.jsonText
                    } else {
                        result += part.stringValue ?? part.jsonText
                    }
                } else {
                    result += UUID().uuidString.lowercased()
                }
            }
            index = pattern.index(after: close)
        }
        return result
    }

    static func readable() -> String {
        [adjectives.randomElement()!, nouns.randomElement()!, verbs.randomElement()!, adverbs.randomElement()!].joined(separator: "-")
    }

    static let adjectives = [
        "agile", "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "curious", "daring", "deep", "eager", "early",
        "fair", "fancy", "fast", "fierce", "gentle", "giant", "golden", "grand", "happy", "hidden", "humble", "icy", "jolly", "keen",
        "kind", "lively", "lucky", "mellow", "merry", "mighty", "misty", "noble", "odd", "patient", "plain", "proud", "quick", "quiet",
        "rapid", "rare", "rosy", "shiny", "silent", "silver", "smart", "snowy", "solid", "spry", "steady", "sunny", "swift", "tall",
        "tidy", "vivid", "warm", "wise", "witty", "young", "zesty",
    ]
    static let nouns = [
        "badger", "bear", "beaver", "bison", "cat", "cheetah", "crane", "deer", "dolphin", "eagle", "falcon", "ferret", "finch", "fox",
        "gecko", "goose", "hare", "hawk", "heron", "ibis", "jaguar", "koala", "lemur", "lion", "lynx", "marmot", "meerkat", "mole",
        "moose", "newt", "otter", "owl", "panda", "parrot", "pelican", "penguin", "puffin", "quail", "rabbit", "raven", "robin", "seal",
        "shark", "sloth", "sparrow", "squid", "stork", "swan", "tiger", "toucan", "turtle", "viper", "walrus", "whale", "wolf", "wombat",
        "yak", "zebra",
    ]
    static let verbs = [
        "acts", "bakes", "bends", "blinks", "builds", "calls", "carries", "chases", "climbs", "counts", "dances", "digs", "dives",
        "draws", "dreams", "drifts", "drinks", "eats", "falls", "flies", "floats", "folds", "grows", "hides", "hops", "hums", "jumps",
        "kicks", "knits", "laughs", "leaps", "lifts", "listens", "marches", "naps", "paints", "plays", "reads", "rests", "rides",
        "rolls", "runs", "sails", "sings", "skips", "sleeps", "slides", "smiles", "spins", "swims", "talks", "thinks", "trots",
        "waits", "walks", "waves", "writes",
    ]
    static let adverbs = [
        "boldly", "brightly", "briskly", "calmly", "carefully", "cheerfully", "closely", "deftly", "eagerly", "easily", "evenly",
        "fairly", "firmly", "freely", "gently", "gladly", "gracefully", "happily", "honestly", "kindly", "lightly", "loudly", "madly",
        "merrily", "neatly", "nicely", "openly", "patiently", "politely", "promptly", "proudly", "quickly", "quietly", "rapidly",
        "rarely", "readily", "safely", "sharply", "shyly", "slowly", "smoothly", "softly", "solemnly", "steadily", "swiftly",
        "tenderly", "truly", "vastly", "warmly", "wildly", "wisely",
    ]
}

/// The limits of the artifact manager (units last), beside the ones of `Objects.Limits` they add to.
public enum ArtifactStoreLimits {
    /// Longest alias (Hypha's `MAX_ARTIFACT_ALIAS_LENGTH`).
    public static let aliasLengthMax = 64
    /// Largest manifest, config or secrets document, as JSON text.
    public static let documentByteCountMax = 1 << 20
    /// Files one put_file or get_file call may name.
    public static let batchFileCountMax = 1000
    /// Longest file path inside an artifact.
    public static let pathByteCountMax = 900
    /// Files an artifact version may hold.
    public static let versionFileCountMax = 1_000_000
    /// `read_file` reads this much unless told (Hypha: 64 KiB).
    public static let readFileByteCountDefault = 64 << 10
    /// The most one `read_file` may read (Hypha: 10 MiB).
    public static let readFileByteCountMax = 10 << 20
    /// The most one `write_file` may write.
    public static let writeFileByteCountMax = 10 << 20
    /// Most files a `list_files` page holds (Hypha: 10000).
    public static let listFilesCountMax = 10_000
    /// Deepest nesting of collections a recursive delete walks.
    public static let collectionDepthMax = 32
    /// Files deleted per index commit when an artifact or version releases its files.
    public static let fileDeleteBatchCountMax = 1000
    /// Versions one artifact may have.
    public static let versionCountMax = 10_000
}
