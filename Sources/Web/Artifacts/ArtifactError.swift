/// A failure of an artifact function, as the Python exception Hypha's artifact manager raises for
/// the same input: the face renders `RemoteException: <Type>: <message>` with the status Hypha
/// derives from that text.
public struct ArtifactError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case keyError = "KeyError"
        case permissionError = "PermissionError"
        case valueError = "ValueError"
        case assertionError = "AssertionError"
        case typeError = "TypeError"
        case fileNotFoundError = "FileNotFoundError"
        case fileExistsError = "FileExistsError"
        case notImplementedError = "NotImplementedError"
        /// FastAPI's `HTTPException` raised inside a function (`read_file` of a missing file).
        case httpException = "fastapi.exceptions.HTTPException"
        /// pydantic's error for a manifest that does not fit the card model (Hypha answers 500).
        case pydanticValidationError = "ValidationError"
    }

    public let kind: Kind
    public let message: String
    /// Whether the detail names the type. Hypha keeps only the last line of a remote error, so a
    /// multi-line message arrives without it (`Historical versions cannot be edited directly.`).
    public var showsType = true

    public init(_ kind: Kind, _ message: String, showsType: Bool = true) {
        self.kind = kind
        self.message = message
        self.showsType = showsType
    }

    public var description: String { showsType ? "\(kind.rawValue): \(message)" : message }

    static func permission(_ message: String) -> ArtifactError { ArtifactError(.permissionError, message) }
    static func value(_ message: String) -> ArtifactError { ArtifactError(.valueError, message) }
    static func assertion(_ message: String) -> ArtifactError { ArtifactError(.assertionError, message) }

    /// `User does not have permission 'op' on the artifact.`
    static func denied(_ op: ArtifactOperation) -> ArtifactError { .permission("User does not have permission '\(op.rawValue)' on the artifact.") }

    static func missing(_ reference: String) -> ArtifactError {
        ArtifactError(
            .keyError,
            "\"Artifact with ID '\(reference)' does not exist. Note: When working with artifacts from other workspaces, use the full ID "
                + "(workspace/alias) returned by create(), not just the alias.\""
        )
    }

    static let notStaged = ArtifactError.assertion("Artifact must be in staging mode.")
}

extension ArtifactQueryError {
    /// The same failure as an artifact function reports it.
    var artifactError: ArtifactError {
        switch kind {
        case .valueError: return .value(message)
        case .assertionError: return .assertion(message)
        case .typeError: return ArtifactError(.typeError, message)
        default: return .value("\(kind.rawValue): \(message)")
        }
    }
}
