import CLMDB

/// A transaction, valid only inside the closure it was handed to. Byte values read from it are
/// copies, so they stay valid after the transaction ends.
public struct LMDBTransaction: ~Copyable {
    let handle: OpaquePointer
    public let isReadOnly: Bool

    init(handle: OpaquePointer, isReadOnly: Bool) {
        self.handle = handle
        self.isReadOnly = isReadOnly
    }

    /// The value stored under `key`, or nil.
    public func get(_ database: LMDBDatabase, _ key: [UInt8]) throws(LMDBError) -> [UInt8]? {
        try withValue(database, key) { $0.map { Array($0) } }
    }

    /// Hands the value under `key` (pointing into the map) to `body`, or nil if there is none.
    public func withValue<Result>(
        _ database: LMDBDatabase, _ key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) throws(LMDBError) -> Result {
        var data = MDB_val()
        let code = key.withUnsafeBytes { keyBytes -> Int32 in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_get(handle, database.handle, &keyValue, &data)
        }
        if code == MDB_NOTFOUND {
            return try rethrowing { try body(nil) }
        }
        try LMDBError.check(code, "mdb_get")
        return try rethrowing { try body(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)) }
    }

    public func put(_ database: LMDBDatabase, _ key: [UInt8], _ value: [UInt8]) throws(LMDBError) {
        precondition(!isReadOnly, "put in a read transaction")
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var dataValue = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_put(handle, database.handle, &keyValue, &dataValue, 0)
            }
        }
        try LMDBError.check(code, "mdb_put")
    }

    /// Deletes `key`; returns whether it existed.
    @discardableResult
    public func delete(_ database: LMDBDatabase, _ key: [UInt8]) throws(LMDBError) -> Bool {
        precondition(!isReadOnly, "delete in a read transaction")
        let code = key.withUnsafeBytes { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_del(handle, database.handle, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try LMDBError.check(code, "mdb_del")
        return true
    }

    /// Runs `body` with a cursor on `database`; the cursor closes when `body` returns.
    public func withCursor<Result>(_ database: LMDBDatabase, _ body: (inout LMDBCursor) throws -> Result) throws -> Result {
        var cursorHandle: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, database.handle, &cursorHandle), "mdb_cursor_open")
        guard let cursorHandle else { throw LMDBError(code: MDB_PANIC, operation: "mdb_cursor_open") }
        defer { mdb_cursor_close(cursorHandle) }
        var cursor = LMDBCursor(handle: cursorHandle)
        return try body(&cursor)
    }

    /// Runs `body` in a nested transaction: its changes join this transaction if it returns, and are
    /// rolled back alone if it throws. Write transactions only.
    public func nested<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        precondition(!isReadOnly, "only write transactions nest")
        var child: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(mdb_txn_env(handle), handle, 0, &child), "mdb_txn_begin(nested)")
        guard let child else { throw LMDBError(code: MDB_PANIC, operation: "mdb_txn_begin(nested)") }
        let result: Result
        do {
            result = try body(LMDBTransaction(handle: child, isReadOnly: false))
        } catch {
            mdb_txn_abort(child)
            throw error
        }
        try LMDBError.check(mdb_txn_commit(child), "mdb_txn_commit(nested)")
        return result
    }

    /// Number of entries in `database`.
    public func count(_ database: LMDBDatabase) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, database.handle, &stat), "mdb_stat")
        return Int(stat.ms_entries)
    }

    private func rethrowing<Result>(_ body: () throws -> Result) throws(LMDBError) -> Result {
        do {
            return try body()
        } catch let error as LMDBError {
            throw error
        } catch {
            // Closures given to withValue only decode bytes; a decoding failure is corruption.
            throw LMDBError(code: MDB_CORRUPTED, operation: "decode: \(error)")
        }
    }
}

/// A positioned cursor. Every move returns the entry it lands on (copied), or nil past the end.
public struct LMDBCursor {
    public typealias Entry = (key: [UInt8], value: [UInt8])
    let handle: OpaquePointer

    /// First entry with a key greater than or equal to `key`.
    public mutating func seek(atOrAfter key: [UInt8]) throws(LMDBError) -> Entry? {
        var keyValue = MDB_val()
        var data = MDB_val()
        let code = key.withUnsafeBytes { keyBytes -> Int32 in
            keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_cursor_get(handle, &keyValue, &data, MDB_SET_RANGE)
        }
        return try entry(code, keyValue, data)
    }

    public mutating func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    public mutating func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    public mutating func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    public mutating func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }

    /// Deletes the entry the cursor is on.
    public mutating func deleteCurrent() throws(LMDBError) {
        try LMDBError.check(mdb_cursor_del(handle, 0), "mdb_cursor_del")
    }

    private mutating func move(_ operation: MDB_cursor_op) throws(LMDBError) -> Entry? {
        var keyValue = MDB_val()
        var data = MDB_val()
        let code = mdb_cursor_get(handle, &keyValue, &data, operation)
        return try entry(code, keyValue, data)
    }

    private func entry(_ code: Int32, _ key: MDB_val, _ data: MDB_val) throws(LMDBError) -> Entry? {
        if code == MDB_NOTFOUND { return nil }
        try LMDBError.check(code, "mdb_cursor_get")
        let keyBytes = Array(UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size))
        let valueBytes = Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
        return (keyBytes, valueBytes)
    }
}
