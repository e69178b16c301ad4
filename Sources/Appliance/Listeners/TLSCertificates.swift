import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization
import UnixSignals

/// One listener's certificate chain and key, read from PEM files and read again on SIGHUP. Every
/// TLS handshake takes the current pair (through `sslContextCallback`), so a renewed certificate
/// serves new connections at once while connections already open keep theirs: nothing is dropped.
final class TLSCertificates: Sendable {
    let certificatePath: String
    let keyPath: String
    private let current: Mutex<(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey)>

    /// The cipher suites for TLS 1.2 (forward-secret AEAD only); TLS 1.3's are always modern.
    static let cipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = Mutex(try Self.load(certificatePath: certificatePath, keyPath: keyPath))
    }

    static func load(certificatePath: String, keyPath: String) throws -> (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw SporeError("cannot read the TLS certificate \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else { throw SporeError("\(certificatePath) holds no PEM certificate") }
        do {
            return (chain, try NIOSSLPrivateKey(file: keyPath, format: .pem))
        } catch {
            throw SporeError("cannot read the TLS key \(keyPath): \(error)")
        }
    }

    /// Reads the files again; on failure the old pair stays in use and the error is thrown.
    func reload() throws {
        let fresh = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
        // A key that does not match its certificate would fail every handshake: check first.
        var probe = TLSConfiguration.makeServerConfiguration(
            certificateChain: fresh.chain.map { .certificate($0) }, privateKey: .privateKey(fresh.key))
        probe.minimumTLSVersion = .tlsv12
        _ = try NIOSSLContext(configuration: probe)
        current.withLock { $0 = fresh }
    }

    /// TLS 1.2 and later, modern ciphers only, the current pair chosen at each handshake.
    func serverConfiguration() -> TLSConfiguration {
        let (chain, key) = current.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuites = Self.cipherSuites
        configuration.applicationProtocols = ["http/1.1"]
        configuration.sslContextCallback = { [self] _, promise in
            let (chain, key) = current.withLock { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = chain.map { .certificate($0) }
            override.privateKey = .privateKey(key)
            promise.succeed(override)
        }
        return configuration
    }
}

/// Reads every listener's certificate again on SIGHUP (`systemctl reload spore`). SIGHUP is trapped
/// even without TLS, so a reload never stops the daemon.
struct TLSReloadService: Service {
    let certificates: [TLSCertificates]
    /// After a successful reload (the daemon refreshes the copy of its chain the CLI trusts).
    var onReload: @Sendable () -> Void = {}
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            if certificates.isEmpty { logger.notice("SIGHUP: no TLS certificate to reload") }
            for store in certificates {
                do {
                    try store.reload()
                    onReload()
                    logger.notice("TLS certificate reloaded", metadata: ["certificate": "\(store.certificatePath)"])
                } catch {
                    logger.error("TLS certificate not reloaded; the previous one stays in use", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
