import CLMDB

/// A named database inside the environment.
public struct LMDBDatabase: Sendable, Hashable {
    let handle: MDB_dbi
}

/// One LMDB environment (one per data directory).
///
/// Opened with `MDB_NOTLS` so that read transactions are not tied to a thread, and without
/// `MDB_NOSYNC`, so that a committed write transaction is on disk. Write transactions are only
/// ever begun by `IndexWriter` on its own thread.
// @unchecked Sendable: an MDB_env is safe to share between threads; the map-size lock guards
// the one operation that is not (resizing), and write transactions stay on the writer thread.
public final class LMDBEnvironment: @unchecked Sendable {
    /// The largest key LMDB accepts in this build (511 with the default `MDB_MAXKEYSIZE`).
    public let keyByteCountMax: Int
    let handle: OpaquePointer
    let mapLock = ReadWriteLock()
    private(set) var mapByteCount: Int
    private var isClosed = false

    /// Opens or creates the environment in `directory` (which must exist).
    /// Opened with `MDB_RDONLY`: for tools that inspect a store a running daemon holds.
    public let isReadOnly: Bool

    public init(
        directory: String, mapByteCount: Int, databaseCountMax: Int, readerCountMax: Int = 512, synchronous: Bool = true,
        readOnly: Bool = false
    ) throws(LMDBError) {
        isReadOnly = readOnly
        precondition(mapByteCount > 0, "the map size is positive")
        var environment: OpaquePointer?
        try LMDBError.check(mdb_env_create(&environment), "mdb_env_create")
        guard let environment else { throw LMDBError(code: MDB_PANIC, operation: "mdb_env_create") }
        do {
            try LMDBError.check(mdb_env_set_mapsize(environment, mapByteCount), "mdb_env_set_mapsize")
            try LMDBError.check(mdb_env_set_maxdbs(environment, MDB_dbi(databaseCountMax)), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_maxreaders(environment, UInt32(readerCountMax)), "mdb_env_set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            if !synchronous { flags |= UInt32(MDB_NOSYNC) }
            if readOnly { flags |= UInt32(MDB_RDONLY) }
            try LMDBError.check(mdb_env_open(environment, directory, flags, 0o600), "mdb_env_open \(directory)")
        } catch {
            mdb_env_close(environment)
            throw error
        }
        self.handle = environment
        self.mapByteCount = mapByteCount
        self.keyByteCountMax = Int(mdb_env_get_maxkeysize(environment))
    }

    deinit {
        if !isClosed { mdb_env_close(handle) }
    }

    /// Closes the environment. No transaction may be open.
    public func close() {
        mapLock.withWriteLock {
            if !isClosed {
                isClosed = true
                mdb_env_close(handle)
            }
        }
    }

    /// Opens (creating if needed) a named database. Called once per database at start.
    public func openDatabase(named name: String) throws(LMDBError) -> LMDBDatabase {
        var transaction: OpaquePointer?
        try LMDBError.check(mdb_txn_begin(handle, nil, isReadOnly ? UInt32(MDB_RDONLY) : 0, &transaction), "mdb_txn_begin")
        var dbi: MDB_dbi = 0
        let result = mdb_dbi_open(transaction, name, isReadOnly ? 0 : UInt32(MDB_CREATE), &dbi)
        guard result == MDB_SUCCESS else {
            mdb_txn_abort(transaction)
            throw LMDBError(code: result, operation: "mdb_dbi_open \(name)")
        }
        try LMDBError.check(mdb_txn_commit(transaction), "mdb_txn_commit")
        return LMDBDatabase(handle: dbi)
    }

    /// Runs `body` in a short read-only transaction. The transaction must not escape the closure,
    /// and the closure must not suspend: values point into the memory map.
    public func read<Result>(_ body: (borrowing LMDBTransaction) throws -> Result) throws -> Result {
        try mapLock.withReadLock {
            var transaction: OpaquePointer?
            try LMDBError.check(mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &transaction), "mdb_txn_begin(read)")
            guard let transaction else { throw LMDBError(code: MDB_PANIC, operation: "mdb_txn_begin(read)") }
            defer { mdb_txn_abort(transaction) }
            return try body(LMDBTransaction(handle: transaction, isReadOnly: true))
        }
    }

    /// Grows the map. Only the writer thread calls this, between transactions.
    func growMap(to byteCount: Int) throws(LMDBError) {
        precondition(byteCount > mapByteCount, "the map only grows")
        let code = mapLock.withWriteLock { mdb_env_set_mapsize(handle, byteCount) }
        try LMDBError.check(code, "mdb_env_set_mapsize")
        mapByteCount = byteCount
    }

    /// Writes a consistent copy of the environment to `directory` (which must exist and be empty),
    /// compacting free pages. Safe while the daemon runs: it uses a read transaction.
    public func copy(to directory: String) throws(LMDBError) {
        try LMDBError.check(mdb_env_copy2(handle, directory, UInt32(MDB_CP_COMPACT)), "mdb_env_copy2 \(directory)")
    }

    /// Bytes of the data file in use (last page number times page size).
    public func usedByteCount() throws(LMDBError) -> Int {
        var info = MDB_envinfo()
        try LMDBError.check(mdb_env_info(handle, &info), "mdb_env_info")
        var stat = MDB_stat()
        try LMDBError.check(mdb_env_stat(handle, &stat), "mdb_env_stat")
        return (Int(info.me_last_pgno) + 1) * Int(stat.ms_psize)
    }
}
