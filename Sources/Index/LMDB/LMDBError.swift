import CLMDB

/// A failed LMDB call, with the code LMDB returned.
public struct LMDBError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: Int32
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The map is full: the writer grows it and retries the batch.
    public var isMapFull: Bool { code == MDB_MAP_FULL }

    public var description: String {
        "\(operation): \(String(cString: mdb_strerror(code))) (\(code))"
    }

    @inline(__always)
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
        if code != MDB_SUCCESS { throw LMDBError(code: code, operation: operation()) }
    }
}
