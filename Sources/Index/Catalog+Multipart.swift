import BlobStore

/// A part named in a CompleteMultipartUpload request.
public struct CompletionPart: Sendable, Equatable {
    public let partNumber: Int
    /// The ETag as the client sent it, with or without quotes.
    public let etag: String
    public let checksum: ChecksumValue?

    public init(partNumber: Int, etag: String, checksum: ChecksumValue?) {
        self.partNumber = partNumber
        self.etag = etag
        self.checksum = checksum
    }
}

/// What completing an upload produced.
public struct CompletionResult: Sendable {
    public let completed: CompletedUpload
    /// True when the upload had already been completed and this is the remembered answer.
    public let isReplay: Bool
}

/// One page of ListMultipartUploads.
public struct UploadPage: Sendable {
    public var uploads: [MultipartUpload] = []
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    public var nextKeyMarker: String?
    public var nextUploadIDMarker: String?
}

extension UploadStore {
    /// Starts an upload and returns it with its id.
    public func createUpload(bucket name: String, key: ObjectKey, _ template: MultipartUpload, nowMilliseconds: Int64) async throws -> MultipartUpload
    {
        let databases = self.databases
        return try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            var upload = template
            upload.key = key.value
            upload.uploadID = UploadID(sequence: try self.allocateID(transaction))
            upload.initiatedMilliseconds = nowMilliseconds
            try self.catalog.uploadTree.put(
                transaction, root: bucket.id, key: Catalog.uploadTreeKey(key.value, upload.uploadID), payload: upload.encoded()
            ) {
                try self.allocateID(transaction)
            }
            try transaction.put(databases.uploadIDs, upload.uploadID.bytes, KeyBytes.uint64(bucket.id) + key.bytes)
            try transaction.put(databases.uploadTimes, KeyBytes.uint64(UInt64(bitPattern: nowMilliseconds)) + upload.uploadID.bytes, [])
            return upload
        }
    }

    /// Where an upload in progress is, from its id alone (for APIs that hand out only the id).
    public func uploadLocation(_ uploadID: UploadID) throws -> (bucket: String, key: String, upload: MultipartUpload)? {
        try read { transaction in
            guard let location = try transaction.get(databases.uploadIDs, uploadID.bytes), location.count >= 8,
                let bucket = try catalog.bucket(transaction, id: KeyBytes.readUInt64(Array(location.prefix(8))))
            else { return nil }
            let key = String(decoding: location.dropFirst(8), as: UTF8.self)
            guard let payload = try catalog.uploadTree.get(transaction, root: bucket.id, key: Catalog.uploadTreeKey(key, uploadID)) else {
                return nil
            }
            return (bucket.name, key, try MultipartUpload(decoding: payload))
        }
    }

    /// The upload, if it is in progress for that bucket and key.
    public func upload(bucket name: String, key: ObjectKey, uploadID: UploadID) throws -> (BucketRecord, MultipartUpload) {
        try read { transaction in
            let bucket = try catalog.requireBucket(transaction, named: name)
            return (bucket, try catalog.requireUpload(transaction, bucketID: bucket.id, key: key.value, uploadID: uploadID))
        }
    }

    /// Records a part, replacing an earlier part with the same number. The part's blobs must be
    /// placed; `md5` is the MD5 of a freshly ingested single blob.
    public func putPart(bucket name: String, key: ObjectKey, uploadID: UploadID, part: UploadPart, md5: [UInt8]?, isCopy: Bool = false) async throws {
        let databases = self.databases
        try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            _ = try self.catalog.requireUpload(transaction, bucketID: bucket.id, key: key.value, uploadID: uploadID)
            let partKey = Catalog.partKey(uploadID, part.partNumber)
            if let previous = try transaction.get(databases.parts, partKey) {
                try self.catalog.references.release(
                    transaction, try UploadPart(decoding: previous).chunks, nowMilliseconds: part.lastModifiedMilliseconds)
            }
            if isCopy {
                try self.catalog.references.retainExisting(transaction, part.chunks)
            } else {
                try self.catalog.references.retain(transaction, part.chunks, md5: md5)
            }
            try transaction.put(databases.parts, partKey, part.encoded())
        }
    }

    /// Parts of an upload after `marker`, in part-number order, at most `limit` (plus whether more exist).
    public func parts(bucket name: String, key: ObjectKey, uploadID: UploadID, after marker: Int, limit: Int) throws -> (
        MultipartUpload, [UploadPart], Bool
    ) {
        try read { transaction in
            let bucket = try catalog.requireBucket(transaction, named: name)
            let upload = try catalog.requireUpload(transaction, bucketID: bucket.id, key: key.value, uploadID: uploadID)
            let (parts, more) = try self.catalog.parts(transaction, uploadID: uploadID, after: marker, limit: limit)
            return (upload, parts, more)
        }
    }

    /// Completes an upload: checks the parts against the request, stores the object version made of
    /// the parts' blobs (no byte is copied), and forgets the upload. Completing again within a day
    /// answers with the same outcome.
    public func completeUpload(
        bucket name: String, key: ObjectKey, uploadID: UploadID, parts requested: [CompletionPart], partByteCountMin: Int64,
        expectedChecksum: ChecksumValue?, preconditions: WritePreconditions, nowMilliseconds: Int64
    ) async throws -> CompletionResult {
        let databases = self.databases
        return try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            guard let payload = try self.catalog.uploadTree.get(transaction, root: bucket.id, key: Catalog.uploadTreeKey(key.value, uploadID)) else {
                if let bytes = try transaction.get(databases.completedUploads, uploadID.bytes) {
                    let completed = try CompletedUpload(decoding: bytes)
                    if completed.bucketID == bucket.id, completed.key == key.value { return CompletionResult(completed: completed, isReplay: true) }
                }
                throw IndexError.noSuchUpload(uploadID.description)
            }
            let upload = try MultipartUpload(decoding: payload)
            let (stored, _) = try self.catalog.parts(transaction, uploadID: uploadID, after: 0, limit: Int.max)
            let chosen = try Catalog.choose(requested, from: stored, upload: upload, partByteCountMin: partByteCountMin)
            let digests = Catalog.combinedDigests(chosen, upload: upload)
            if let expected = expectedChecksum, expected != digests.checksum {
                throw IndexError.checksumMismatch("the \(expected.algorithm) of the whole object does not match")
            }
            var version = ObjectVersion(
                byteCount: chosen.reduce(0) { $0 + $1.byteCount }, etag: digests.etag, lastModifiedMilliseconds: nowMilliseconds,
                headers: upload.headers, userMetadata: upload.userMetadata, checksums: digests.checksum.map { [$0] } ?? [],
                checksumType: upload.checksumType, body: .chunks(chosen.flatMap(\.chunks)), partByteCounts: chosen.map(\.byteCount),
                partChecksums: chosen.compactMap(\.checksum), tags: upload.tags, owner: upload.owner, storageClass: upload.storageClass
            )
            if let ttl = upload.ttlSeconds { version.expiresAtMilliseconds = nowMilliseconds + ttl * 1000 }
            version.acl = upload.acl
            version.retention = upload.retention
            version.legalHold = upload.legalHold
            version.encryption = upload.encryption
            version.crc32 = Catalog.combinedCRC32(chosen)
            version = try self.catalog.putObject(
                transaction, bucket: name, key: key, version: version, preconditions: preconditions, nowMilliseconds: nowMilliseconds)
            // The version now holds its own catalog.references; the parts' go, used or not.
            try self.catalog.removeUpload(transaction, bucketID: bucket.id, upload: upload, nowMilliseconds: nowMilliseconds)
            let completed = CompletedUpload(
                bucketID: bucket.id, key: key.value, etag: digests.etag, checksum: digests.checksum, checksumType: upload.checksumType,
                partCount: chosen.count, versionSequence: version.sequence, versionIsNull: version.isNullVersion,
                completedMilliseconds: nowMilliseconds
            )
            try transaction.put(databases.completedUploads, uploadID.bytes, completed.encoded())
            return CompletionResult(completed: completed, isReplay: false)
        }
    }

    /// Aborts an upload and releases its parts.
    public func abortUpload(bucket name: String, key: ObjectKey, uploadID: UploadID, nowMilliseconds: Int64) async throws {
        try await writer.write { transaction in
            let bucket = try self.catalog.requireBucket(transaction, named: name)
            let upload = try self.catalog.requireUpload(transaction, bucketID: bucket.id, key: key.value, uploadID: uploadID)
            try self.catalog.removeUpload(transaction, bucketID: bucket.id, upload: upload, nowMilliseconds: nowMilliseconds)
        }
    }

    /// Aborts uploads started before `cutoff` (at most `limit` per call) and forgets completed-upload
    /// outcomes older than a day. Returns how many uploads were aborted.
    public func abortUploads(initiatedBefore cutoff: Int64, limit: Int, nowMilliseconds: Int64) async throws -> Int {
        let databases = self.databases
        return try await writer.write { transaction in
            var stale = [[UInt8]]()
            try transaction.withCursor(databases.uploadTimes) { cursor in
                var entry = try cursor.first()
                while let current = entry, stale.count < limit, KeyBytes.readUInt64(current.key) < UInt64(bitPattern: cutoff) {
                    stale.append(Array(current.key.dropFirst(8)))
                    entry = try cursor.next()
                }
            }
            for idBytes in stale {
                guard let location = try transaction.get(databases.uploadIDs, idBytes) else { continue }
                let bucketID = KeyBytes.readUInt64(location)
                let key = String(decoding: location.dropFirst(8), as: UTF8.self)
                guard
                    let payload = try self.catalog.uploadTree.get(
                        transaction, root: bucketID, key: Catalog.uploadTreeKey(key, UploadID(bytes: idBytes)))
                else { continue }
                try self.catalog.removeUpload(
                    transaction, bucketID: bucketID, upload: try MultipartUpload(decoding: payload), nowMilliseconds: nowMilliseconds)
            }
            var forgotten = [[UInt8]]()
            try transaction.withCursor(databases.completedUploads) { cursor in
                var entry = try cursor.first()
                while let current = entry, forgotten.count < limit {
                    if try CompletedUpload(decoding: current.value).completedMilliseconds < nowMilliseconds
                        - Catalog.completedUploadRetentionMilliseconds
                    {
                        forgotten.append(current.key)
                    }
                    entry = try cursor.next()
                }
            }
            for key in forgotten { try transaction.delete(databases.completedUploads, key) }
            return stale.count
        }
    }

    /// Lists uploads in progress, ordered by key and then by creation.
    public func listUploads(
        bucket name: String, prefix: [UInt8], delimiter: [UInt8]?, keyMarker: String?, uploadIDMarker: UploadID?, limit: Int
    ) throws -> (BucketRecord, UploadPage) {
        try read { transaction in
            let bucket = try catalog.requireBucket(transaction, named: name)
            var page = UploadPage()
            var start = prefix
            var after: [UInt8]?
            if let keyMarker, !keyMarker.isEmpty {
                // With an upload-id marker, list that key's later uploads; without, skip the key.
                after = uploadIDMarker.map { Catalog.uploadTreeKey(keyMarker, $0) } ?? (Array(keyMarker.utf8) + [0xFE])
                if !after!.lexicographicallyPrecedes(start) { start = after! }
            }
            guard limit > 0 else { return (bucket, page) }
            try catalog.uploadTree.scan(transaction, root: bucket.id, from: start) { treeKey, payload in
                guard treeKey.starts(with: prefix) else { return .stop }
                if let after, !after.lexicographicallyPrecedes(treeKey) { return .next }
                let keyBytes = Array(treeKey.dropLast(UploadID.byteCount + 1))
                if let delimiter, let end = Catalog.delimiterEnd(in: keyBytes, after: prefix.count, delimiter) {
                    let commonPrefix = Array(keyBytes[..<end])
                    if page.uploads.count + page.commonPrefixes.count == limit {
                        page.isTruncated = true
                        return .stop
                    }
                    page.commonPrefixes.append(String(decoding: commonPrefix, as: UTF8.self))
                    page.nextKeyMarker = String(decoding: commonPrefix, as: UTF8.self)
                    page.nextUploadIDMarker = nil
                    return .seek(KeyTreeSeek.past(commonPrefix))
                }
                if page.uploads.count + page.commonPrefixes.count == limit {
                    page.isTruncated = true
                    return .stop
                }
                let upload = try MultipartUpload(decoding: Array(payload))
                page.uploads.append(upload)
                page.nextKeyMarker = upload.key
                page.nextUploadIDMarker = upload.uploadID.description
                return .next
            }
            return (bucket, page)
        }
    }
}

extension Catalog {
    /// How long a completed upload's outcome is remembered for repeated completions.
    public static let completedUploadRetentionMilliseconds: Int64 = 24 * 3600 * 1000
    /// Separates the key from the upload id in the upload tree; sorts before every other byte, so
    /// uploads list in key order and a key's uploads in creation order.
    static let uploadKeySeparator: UInt8 = 0x00

    static func uploadTreeKey(_ key: String, _ uploadID: UploadID) -> [UInt8] {
        Array(key.utf8) + [uploadKeySeparator] + uploadID.bytes
    }

    func requireUpload(_ transaction: borrowing LMDBTransaction, bucketID: UInt64, key: String, uploadID: UploadID) throws -> MultipartUpload {
        guard let payload = try uploadTree.get(transaction, root: bucketID, key: Self.uploadTreeKey(key, uploadID)) else {
            throw IndexError.noSuchUpload(uploadID.description)
        }
        return try MultipartUpload(decoding: payload)
    }

    static func partKey(_ uploadID: UploadID, _ partNumber: Int) -> [UInt8] {
        uploadID.bytes + [
            UInt8(truncatingIfNeeded: partNumber >> 24), UInt8(truncatingIfNeeded: partNumber >> 16),
            UInt8(truncatingIfNeeded: partNumber >> 8), UInt8(truncatingIfNeeded: partNumber),
        ]
    }

    func parts(_ transaction: borrowing LMDBTransaction, uploadID: UploadID, after marker: Int, limit: Int) throws -> ([UploadPart], Bool) {
        try transaction.withCursor(databases.parts) { cursor in
            var parts = [UploadPart]()
            var entry = try cursor.seek(atOrAfter: Self.partKey(uploadID, marker + 1))
            while let current = entry, current.key.starts(with: uploadID.bytes) {
                if parts.count == limit { return (parts, true) }
                parts.append(try UploadPart(decoding: current.value))
                entry = try cursor.next()
            }
            return (parts, false)
        }
    }

    /// Matches the requested parts with the uploaded ones, as S3 does.
    static func choose(_ requested: [CompletionPart], from stored: [UploadPart], upload: MultipartUpload, partByteCountMin: Int64) throws
        -> [UploadPart]
    {
        var byNumber = [Int: UploadPart]()
        for part in stored { byNumber[part.partNumber] = part }
        // A part number listed twice in a row (a re-sent part): the later entry counts.
        var deduplicated = [CompletionPart]()
        for request in requested {
            if deduplicated.last?.partNumber == request.partNumber { deduplicated.removeLast() }
            deduplicated.append(request)
        }
        var chosen = [UploadPart]()
        var previous = 0
        for request in deduplicated {
            guard request.partNumber > previous else { throw IndexError.invalidPartOrder }
            previous = request.partNumber
            guard let part = byNumber[request.partNumber] else { throw IndexError.invalidPart("part \(request.partNumber) was not uploaded") }
            var etag = request.etag.trimmingCharacters(" ")
            if etag.count >= 2, etag.hasPrefix("\""), etag.hasSuffix("\"") { etag = String(etag.dropFirst().dropLast()) }
            guard etag == part.etag else { throw IndexError.invalidPart("part \(request.partNumber) has another ETag") }
            if upload.checksumAlgorithm != nil, let given = request.checksum, given != part.checksum {
                throw IndexError.checksumMismatch("the checksum of part \(request.partNumber) does not match")
            }
            chosen.append(part)
        }
        for part in chosen.dropLast() where part.byteCount < partByteCountMin {
            throw IndexError.partTooSmall(partNumber: part.partNumber)
        }
        return chosen
    }

    /// The multipart ETag (`md5-of-part-md5s-N`) and the object checksum (composite or full).
    /// The CRC-32 of the whole object from its parts' (nil when a part's is unknown).
    static func combinedCRC32(_ parts: [UploadPart]) -> UInt32? {
        var total: UInt32 = 0
        for (index, part) in parts.enumerated() {
            guard let crc = part.crc32 else { return nil }
            total = index == 0 ? crc : CRC32.combine(total, crc, secondLength: UInt64(part.byteCount))
        }
        return total
    }

    static func combinedDigests(_ parts: [UploadPart], upload: MultipartUpload) -> (etag: String, checksum: ChecksumValue?) {
        var md5s = [UInt8]()
        for part in parts { md5s += hexBytes(part.etag) }
        let etag = Hex.encode(ContentHasher.digests(of: md5s).md5) + "-\(parts.count)"
        guard let algorithm = upload.checksumAlgorithm else { return (etag, nil) }
        let checksums = parts.compactMap(\.checksum)
        guard checksums.count == parts.count else { return (etag, nil) }
        if upload.checksumType == .fullObject, algorithm.isCombinable, var combined = checksums.first {
            for (part, checksum) in zip(parts.dropFirst(), checksums.dropFirst()) {
                combined = ChecksumCombiner.combine(combined, checksum, secondLength: UInt64(part.byteCount)) ?? combined
            }
            return (etag, combined)
        }
        let concatenated = checksums.flatMap(\.bytes)
        return (etag, ContentHasher.digests(of: concatenated, checksums: [algorithm]).checksum(algorithm))
    }

    func removeUpload(_ transaction: borrowing LMDBTransaction, bucketID: UInt64, upload: MultipartUpload, nowMilliseconds: Int64) throws {
        let (parts, _) = try parts(transaction, uploadID: upload.uploadID, after: 0, limit: Int.max)
        for part in parts {
            try references.release(transaction, part.chunks, nowMilliseconds: nowMilliseconds)
            try transaction.delete(databases.parts, Self.partKey(upload.uploadID, part.partNumber))
        }
        try uploadTree.delete(transaction, root: bucketID, key: Self.uploadTreeKey(upload.key, upload.uploadID))
        try transaction.delete(databases.uploadIDs, upload.uploadID.bytes)
        try transaction.delete(databases.uploadTimes, KeyBytes.uint64(UInt64(bitPattern: upload.initiatedMilliseconds)) + upload.uploadID.bytes)
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    var bytes = [UInt8]()
    let utf8 = Array(text.utf8)
    var index = 0
    func value(_ byte: UInt8) -> UInt8 { Hex.digitValue(byte) ?? 0 }
    while index + 1 < utf8.count {
        bytes.append(value(utf8[index]) << 4 | value(utf8[index + 1]))
        index += 2
    }
    return bytes
}

extension String {
    /// Drops `character` from both ends.
    func trimmingCharacters(_ character: Character) -> String {
        guard let first = firstIndex(where: { $0 != character }), let last = lastIndex(where: { $0 != character }) else { return "" }
        return String(self[first...last])
    }
}
