import Access
import HTTPSupport
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Objects

/// Builds the HTTP application that serves the S3 API on its own address.
public enum S3Listener {
    /// Plain HTTP/1.1 with the `100-continue` handler; the composition root wraps it in TLS.
    public static var plainServer: HTTPServerBuilder { .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])) }

    public static func makeApplication(
        service: S3Service, host: String, port: Int, logger: Logger, server: HTTPServerBuilder = plainServer,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            responder: ObservedResponder(S3Responder(service: service), observer: RequestObserver(face: "s3", logger: logger)),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
