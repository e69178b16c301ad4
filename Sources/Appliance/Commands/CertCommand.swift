import ArgumentParser
import Crypto
import Foundation
import SwiftASN1
import X509

/// `spore cert self-signed`: a certificate for a LAN box, so spore can serve HTTPS with no proxy.
struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert", abstract: "Make TLS certificates for spore's listeners.", subcommands: [SelfSigned.self]
    )

    struct SelfSigned: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "self-signed",
            abstract: "Make a small certificate authority and a server certificate signed by it for the given host names and IP addresses.",
            discussion:
                "Writes ca.pem (trust this one in clients), ca-key.pem, tls.pem (the server certificate followed by ca.pem) and tls-key.pem into --out. localhost and 127.0.0.1 are always included, so the CLI on the box can reach its daemon."
        )

        @Option(name: .customLong("host"), help: "A host name or IP address clients use (repeat it).") var hosts: [String] = []
        @Option(help: "Directory to write the files into (default: the data directory's tls/).") var out: String?
        @Option(help: "Days the server certificate is valid (default 397, what browsers accept).") var days = 397
        @Option(name: .customLong("data-dir"), help: "Data directory (default ./spore-data).") var dataDir: String?
        @Flag(help: "Replace files that exist.") var force = false

        static let caLifetimeDays = 3650

        func validate() throws {
            guard (1...825).contains(days) else { throw ValidationError("--days must be from 1 to 825") }
        }

        func run() async throws {
            let directory = out ?? ((dataDir ?? ProcessInfo.processInfo.environment["SPORE_DATA_DIR"] ?? "./spore-data") + "/tls")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let paths = ["ca.pem", "ca-key.pem", "tls.pem", "tls-key.pem"].map { directory + "/" + $0 }
            if !force, let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                throw ValidationError("\(existing) exists; pass --force to replace it")
            }
            var names = ["localhost", "127.0.0.1"]
            for host in hosts where !names.contains(host) { names.append(host) }
            let (caPEM, caKeyPEM, leafPEM, leafKeyPEM) = try Self.make(names: names, days: days, now: Date())
            try Self.write(caPEM, to: paths[0], mode: 0o644)
            try Self.write(caKeyPEM, to: paths[1], mode: 0o600)
            try Self.write(leafPEM + caPEM, to: paths[2], mode: 0o644)
            try Self.write(leafKeyPEM, to: paths[3], mode: 0o600)
            let ca = paths[0]
            Console.line("wrote \(paths[2]) and \(paths[3]) for \(names.joined(separator: ", ")), signed by \(ca)")
            Console.line("serve HTTPS:   spore serve --tls-cert \(paths[2]) --tls-key \(paths[3])   (SIGHUP reloads them)")
            Console.line("trust it on each client (ca.pem is public; keep ca-key.pem private):")
            Console.line("  aws:     aws --endpoint-url https://HOST:9000 --ca-bundle \(ca) s3 ls")
            Console.line("  boto3:   boto3.client('s3', endpoint_url='https://HOST:9000', verify='\(ca)')")
            Console.line("  rclone:  rclone --ca-cert \(ca) …      curl: curl --cacert \(ca) https://HOST:9527/")
            Console.line("  Debian:  sudo cp \(ca) /usr/local/share/ca-certificates/spore.crt && sudo update-ca-certificates")
            Console.line("  browsers: import \(ca) as a certificate authority (Settings › Privacy › Certificates)")
        }

        static func write(_ text: String, to path: String, mode: Int) throws {
            // Created with its mode and contents at once: a key is never briefly readable by others.
            try? FileManager.default.removeItem(atPath: path)
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
                throw ValidationError("cannot write \(path)")
            }
        }

        /// A CA (ten years) and a server certificate (`days`) with every name as a subject
        /// alternative name: IP addresses as iPAddress entries, the rest as dNSName.
        static func make(names: [String], days: Int, now: Date) throws -> (ca: String, caKey: String, leaf: String, leafKey: String) {
            let alternativeNames = try names.map { name -> GeneralName in
                if let address = Self.ipAddressBytes(name) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))) }
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "*" }) else {
                    throw ValidationError("\(name) is neither a host name nor an IP address")
                }
                return .dnsName(name)
            }
            // The CA may only vouch for these host names (a critical NameConstraints): if its key
            // ever leaks, it cannot impersonate any other named site to clients that trust it.
            // (BoringSSL, which the CLI and many clients use, refuses certificates under iPAddress
            // constraints, so addresses stay unconstrained.)
            let dnsNames = names.filter { Self.ipAddressBytes($0) == nil }
            let caKey = P256.Signing.PrivateKey()
            let caName = try DistinguishedName {
                OrganizationName("spore")
                CommonName("spore local CA \(names.count > 2 ? names[2] : "localhost")")
            }
            let caCertificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(caLifetimeDays) * 86_400),
                issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    Critical(NameConstraints(permittedDNSDomains: dnsNames))
                    SubjectKeyIdentifier(hash: .init(caKey.publicKey))
                },
                issuerPrivateKey: .init(caKey))
            let leafKey = P256.Signing.PrivateKey()
            let leaf = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
                issuer: caName, subject: try DistinguishedName { CommonName(dnsNames.last ?? "localhost") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(alternativeNames)
                    AuthorityKeyIdentifier(keyIdentifier: try caCertificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                },
                issuerPrivateKey: .init(caKey))
            return (
                try caCertificate.serializeAsPEM().pemString + "\n", caKey.pemRepresentation + "\n", try leaf.serializeAsPEM().pemString + "\n",
                leafKey.pemRepresentation + "\n"
            )
        }

        /// The bytes of an IPv4 or IPv6 address, nil for a host name.
        static func ipAddressBytes(_ text: String) -> [UInt8]? {
            var v4 = in_addr()
            if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
            var v6 = in6_addr()
            if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: v6) { Array($0) } }
            return nil
        }
    }
}
