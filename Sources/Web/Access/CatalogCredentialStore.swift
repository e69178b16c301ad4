import HTTPSupport
import Index
import Objects
import Synchronization

/// Credentials from the start (root, `SPORE_USERS`) and from the index (managed users and keys).
/// Index lookups are cached and dropped whenever users or keys change.
public final class CatalogCredentialStore: CredentialStore {
    /// Cached index lookups, misses included, before the cache is cleared.
    static let cacheCountMax = 4096

    private let fixed: StaticCredentialStore
    private let catalog: Catalog
    private let sealer: SecretSealer
    private let clock: any WallClock
    /// A loaded key and when it stops working; nil entries remember misses.
    private struct Entry {
        let credential: Credential
        let expiresAtMilliseconds: Int64?
    }

    private let cache = Mutex<(generation: UInt64, entries: [String: Entry?])>((0, [:]))

    public init(fixed: StaticCredentialStore, catalog: Catalog, sealer: SecretSealer, clock: any WallClock) {
        self.fixed = fixed
        self.catalog = catalog
        self.sealer = sealer
        self.clock = clock
    }

    public func credential(forAccessKey accessKey: String) -> Credential? {
        if let credential = fixed.credential(forAccessKey: accessKey) { return credential }
        let generation = catalog.identity.identityGeneration
        let entry: Entry?
        if let cached = cache.withLock({ state -> Entry?? in
            if state.generation != generation { state = (generation, [:]) }
            return state.entries[accessKey]
        }) {
            entry = cached
        } else {
            entry = load(accessKey)
            cache.withLock { state in
                guard state.generation == generation else { return }
                if state.entries.count >= Self.cacheCountMax { state.entries.removeAll() }
                state.entries[accessKey] = .some(entry)
            }
        }
        // Expiry is checked on every use, not only when the key is loaded.
        guard let entry else { return nil }
        if let expiry = entry.expiresAtMilliseconds, clock.nowMilliseconds() >= expiry { return nil }
        return entry.credential
    }

    public func credential(forUser user: String) -> Credential? { fixed.credential(forUser: user) }

    public func userNames() -> [String] { fixed.userNames() + ((try? catalog.identity.users().map(\.name)) ?? []) }

    private func load(_ accessKey: String) -> Entry? {
        guard let record = try? catalog.identity.accessKey(accessKey), !record.isDisabled, let secret = sealer.open(record.sealedSecret) else {
            return nil
        }
        // Keys belong to managed users (which can be disabled) or to the fixed ones (root and
        // SPORE_USERS), whose scoped keys are how Hypha hands out narrow credentials.
        if fixed.credential(forUser: record.user) == nil {
            guard let user = try? catalog.identity.user(named: record.user), !user.isDisabled else { return nil }
        }
        let credential = Credential(
            accessKey: accessKey, secretKey: secret, user: record.user, isRoot: false, scopes: record.scopes, isReadOnly: record.isReadOnly
        )
        return Entry(credential: credential, expiresAtMilliseconds: record.expiresAtMilliseconds)
    }
}
