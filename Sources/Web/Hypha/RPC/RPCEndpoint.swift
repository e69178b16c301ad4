import Foundation
import HTTPSupport
import HummingbirdWebSocket
import HyphaRPC
import Logging
import NIOCore
import NIOWebSocket
import SporeJSON
import Synchronization

/// hypha-rpc over WebSocket at `/ws`: the unmodified `hypha-rpc` client connects, gets the
/// workspace manager and the `s3-storage` and `artifact-manager` services, and calls them. Spore
/// plays router, workspace manager and service provider in one process; every service call goes
/// through `HyphaFace.invoke`, the path HTTP service calls take, so both transports give the same
/// answers and errors. The protocol, as the real server and client speak it, is described in the
/// project's `hypha-rpc-protocol.md`; section numbers below refer to it.
public struct RPCEndpoint: Sendable {
    let face: HyphaFace

    /// The workspace manager's address (`*/manager-…`, §1) and the public services' host.
    static let managerID = "manager-spore"
    static let managerTarget = "*/manager-spore"
    static let providerTarget = "public/spore"
    static let path = "/ws"
    /// How long a reconnection token lives (Hypha: 2 days), never beyond the token it came from.
    static let reconnectionLifetimeSeconds: Int64 = 172_800

    public init(face: HyphaFace) { self.face = face }

    /// Whether an upgrade request is for this endpoint. Hypha's legacy query-string login is
    /// refused after the upgrade (as the real server does), never with a 403 (§2.1).
    public static func accepts(path: String?) -> Bool {
        guard let path else { return false }
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        return route == Self.path || route == Self.path + "/"
    }

    public func handle(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        let connection = RPCConnection(face: face, outbound: outbound, logger: logger)
        await connection.run(inbound)
    }
}

/// Who is on the other end of one connection, fixed by the handshake.
struct RPCPeer: Sendable {
    let caller: HyphaCaller
    let userID: String
    let workspace: String
    let clientID: String
    let user: JSONValue
    /// `W/C`: where every answer goes.
    var address: String { "\(workspace)/\(clientID)" }
}

/// One WebSocket connection: the handshake, then binary RPC frames until it closes.
final class RPCConnection: Sendable {
    let face: HyphaFace
    let outbound: WebSocketOutboundWriter
    let logger: Logger
    private let lastFrameSeconds = Atomic<Int64>(0)
    private let established = Atomic<Bool>(false)

    init(face: HyphaFace, outbound: WebSocketOutboundWriter, logger: Logger) {
        self.face = face
        self.outbound = outbound
        self.logger = logger
    }

    /// Wall-clock seconds (the daemon's clock) for tokens.
    var nowSeconds: Int64 { face.nowMilliseconds / 1000 }
    /// Monotonic seconds since the connection opened, for its timeouts: a moved wall clock
    /// (tests, NTP) must not close live connections.
    private let opened = ContinuousClock.now
    private var elapsedSeconds: Int64 { opened.duration(to: ContinuousClock.now).components.seconds }

    func run(_ inbound: WebSocketInboundStream) async {
        lastFrameSeconds.store(elapsedSeconds, ordering: .relaxed)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchdog() }
            var peer: RPCPeer?
            var assembly = RPCAssembly()
            var inFlight = 0
            do {
                frames: for try await message in inbound.messages(maxSize: RPCLimits.frameBytesMax) {
                    lastFrameSeconds.store(elapsedSeconds, ordering: .relaxed)
                    guard let current = peer else {
                        peer = await handshake(message)
                        if peer == nil { break }
                        established.store(true, ordering: .relaxed)
                        continue
                    }
                    switch message {
                    case .text(let text):
                        await answerText(text, peer: current)
                    case .binary(let buffer):
                        let frame: RPCFrame
                        do {
                            frame = try RPCFrame(decoding: Array(buffer.readableBytesView))
                        } catch {
                            // A client that sends what is not an RPC frame is told why, then closed.
                            logger.debug("hypha-rpc: undecodable frame: \(error)")
                            await close(code: .unacceptableData, reason: "Invalid RPC frame: \(error)")
                            break frames
                        }
                        guard let work = try await prepare(frame, peer: current, assembly: &assembly) else { continue }
                        if inFlight >= RPCLimits.inFlightCallsMax {
                            await group.next()
                            inFlight -= 1
                        }
                        inFlight += 1
                        group.addTask { await work() }
                    }
                }
            } catch {
                logger.debug("hypha-rpc: connection ended: \(error)")
            }
            group.cancelAll()
        }
    }

    /// Closes a connection that never says who it is (5 s) or goes quiet (600 s), as Hypha does.
    private func watchdog() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { return }
            let quiet = elapsedSeconds - lastFrameSeconds.load(ordering: .relaxed)
            if !established.load(ordering: .relaxed), quiet >= Int64(RPCLimits.handshakeSeconds) {
                await close(code: .policyViolation, reason: "Authentication payload timeout")
                return
            }
            if quiet >= Int64(RPCLimits.idleSeconds) {
                await close(code: .goingAway, reason: "Idle timeout")
                return
            }
        }
    }

    private func close(code: WebSocketErrorCode, reason: String, sendError: Bool = true) async {
        if sendError { try? await outbound.write(.text(JSONValue.object(["type": "error", "message": .string(reason)]).jsonText)) }
        try? await outbound.close(code, reason: reason)
    }

    // MARK: Handshake (§2.2–2.4)

    private func handshake(_ message: WebSocketMessage) async -> RPCPeer? {
        guard case .text(let text) = message, let first = try? JSONValue(parsing: text), first.objectValue != nil else {
            await close(code: .unacceptableData, reason: "The first message must be the authentication payload (JSON)")
            return nil
        }
        do {
            let peer = try authenticate(first)
            try await face.ensureBucket()
            try await outbound.write(.text(connectionInfo(peer).jsonText))
            return peer
        } catch let failure as RPCHandshakeFailure {
            await close(code: .policyViolation, reason: failure.reason)
        } catch {
            await close(code: .goingAway, reason: "Failed to establish the connection: \(error)")
        }
        return nil
    }

    struct RPCHandshakeFailure: Error {
        let reason: String
    }

    private func authenticate(_ first: JSONValue) throws -> RPCPeer {
        let secret = face.configuration.jwtSecret
        let requestedWorkspace = first["workspace"]?.stringValue
        var clientID = first["client_id"]?.stringValue ?? ""
        if clientID.isEmpty || clientID.utf8.count > 128 || clientID.contains("/") {
            clientID = RandomText.make(length: 22, alphabet: RandomText.secretAlphabet)
        }
        func decode(_ text: String) throws -> HyphaToken {
            do {
                return try HyphaToken.decode(text, secret: secret, nowSeconds: nowSeconds)
            } catch .expired {
                throw RPCHandshakeFailure(reason: "Authentication error: The token has expired.")
            } catch .badSignature {
                throw RPCHandshakeFailure(reason: "Authentication error: Signature verification failed.")
            } catch .malformed(let reason) {
                throw RPCHandshakeFailure(reason: "Authentication error: \(reason)")
            }
        }
        let token: HyphaToken?
        var anonymousID: String?
        var workspace: String
        if let text = first["reconnection_token"]?.stringValue, !text.isEmpty {
            let restored = try decode(text)
            guard let current = restored.currentWorkspace else {
                throw RPCHandshakeFailure(reason: "Authentication error: Invalid reconnection token")
            }
            if restored.roles == [Self.anonymousRole] {
                token = nil
                anonymousID = restored.userID
            } else {
                token = restored
            }
            workspace = current
        } else if let text = first["token"]?.stringValue, !text.isEmpty {
            let decoded = try decode(text)
            guard !decoded.isSpecialized else {
                throw RPCHandshakeFailure(reason: "Authentication error: A token limited to its scopes cannot connect.")
            }
            token = decoded
            workspace = decoded.currentWorkspace ?? HyphaToken.personalWorkspace(of: decoded.userID)
        } else {
            token = nil
            let id = "anonymouz-" + RandomText.make(length: 16, alphabet: RandomText.tokenAlphabet)
            anonymousID = id
            workspace = HyphaToken.personalWorkspace(of: id)
        }
        if let requestedWorkspace, requestedWorkspace != workspace {
            guard let token, token.workspaces[requestedWorkspace] != nil || token.workspaces["*"] != nil else {
                throw RPCHandshakeFailure(reason: "Permission denied: you cannot connect to workspace \(requestedWorkspace)")
            }
            workspace = requestedWorkspace
        }
        let caller = HyphaCaller(token: token)
        let userID = token?.userID ?? anonymousID ?? ArtifactActorNames.anonymous
        var scopeWorkspaces = JSONObject()
        for (name, permission) in token?.workspaces ?? [:] { scopeWorkspaces[name] = .string(permission.scopeCode) }
        if token == nil { scopeWorkspaces[workspace] = "r" }
        let user: JSONValue = [
            "id": .string(userID), "roles": .array((token?.roles ?? [Self.anonymousRole]).map(JSONValue.string)),
            "is_anonymous": .bool(token == nil), "email": token?.email.map(JSONValue.string) ?? .null, "parent": .null,
            "expires_at": token.map { .double(Double($0.expiresAtSeconds)) } ?? .null, "current_workspace": .string(workspace),
            "scope": [
                "current_workspace": .string(workspace), "workspaces": .object(scopeWorkspaces), "client_id": .string(clientID), "extra_scopes": [],
            ],
        ]
        return RPCPeer(caller: caller, userID: userID, workspace: workspace, clientID: clientID, user: user)
    }

    static let anonymousRole = "anonymous"

    /// A token the client sends back on reconnect (§2.7): the same user, permissions and
    /// workspace, never outliving the token it came from. An anonymous user's has no permission
    /// at all (its subject is not the user, so it is not even its own workspace's admin).
    private func reconnectionToken(_ peer: RPCPeer) -> String {
        let now = nowSeconds
        if var token = peer.caller.token {
            token.currentWorkspace = peer.workspace
            token.issuedAtSeconds = now
            token.expiresAtSeconds = min(token.expiresAtSeconds, now + RPCEndpoint.reconnectionLifetimeSeconds)
            return token.encoded(secret: face.configuration.jwtSecret)
        }
        let token = HyphaToken(
            userID: peer.userID, subject: "reconnect", roles: [Self.anonymousRole], workspaces: [:], currentWorkspace: peer.workspace,
            issuedAtSeconds: now, expiresAtSeconds: now + RPCEndpoint.reconnectionLifetimeSeconds
        )
        return token.encoded(secret: face.configuration.jwtSecret)
    }

    private func connectionInfo(_ peer: RPCPeer) -> JSONValue {
        let base = face.configuration.httpBaseURL
        return [
            "type": "connection_info", "hypha_version": .string(RPCServiceMaps.hyphaVersion), "public_base_url": .string(base),
            "local_base_url": .string(base), "manager_id": .string(RPCEndpoint.managerID), "workspace": .string(peer.workspace),
            "client_id": .string(peer.clientID), "user": peer.user, "reconnection_token": .string(reconnectionToken(peer)),
            "reconnection_token_life_time": .double(Double(RPCEndpoint.reconnectionLifetimeSeconds)),
        ]
    }

    /// `ping` → `pong`, `refresh_token` → a new reconnection token; anything else is ignored (§2.5).
    private func answerText(_ text: String, peer: RPCPeer) async {
        guard text.count <= RPCLimits.textFrameCharactersMax, let message = try? JSONValue(parsing: text) else { return }
        switch message["type"]?.stringValue {
        case "ping": try? await outbound.write(.text(#"{"type":"pong"}"#))
        case "refresh_token":
            let answer: JSONValue = ["type": "reconnection_token", "reconnection_token": .string(reconnectionToken(peer))]
            try? await outbound.write(.text(answer.jsonText))
        default: break
        }
    }

    // MARK: Calls (§4)

    /// What to do with one frame: message-cache steps are applied here, in frame order; a call
    /// becomes work to run beside the others. Frames that are not calls are dropped.
    private func prepare(_ frame: RPCFrame, peer: RPCPeer, assembly: inout RPCAssembly) async throws -> (@Sendable () async -> Void)? {
        guard frame.type == "method", let to = frame.to, let method = frame.method else { return nil }
        let target = to.contains("/") ? to : "\(peer.workspace)/\(to)"
        let cachePrefix = "services.built-in.message_cache."
        if method.hasPrefix(cachePrefix), target == RPCEndpoint.managerTarget || target == RPCEndpoint.providerTarget {
            let step = String(method.dropFirst(cachePrefix.count))
            let (positional, _) = frame.arguments
            let key = positional.first?.stringValue ?? ""
            var assembled: [UInt8]?
            do {
                switch step {
                case "create": try assembly.create(key)
                case "set":
                    guard positional.count >= 3, case .binary(let chunk) = positional[2], let index = positional[1].doubleValue else {
                        throw MessagePackError("message_cache.set(key, index, chunk)")
                    }
                    try assembly.set(key, index: Int(index), chunk)
                case "append":
                    guard positional.count >= 2, case .binary(let chunk) = positional[1] else {
                        throw MessagePackError("message_cache.append(key, chunk)")
                    }
                    try assembly.append(key, chunk)
                case "process": assembled = try assembly.take(key)
                case "remove": assembly.remove(key)
                default: throw MessagePackError("Method not found: message_cache.\(step)")
                }
                await answer(frame, from: target, peer: peer, value: .nil_)
            } catch {
                await answer(frame, from: target, peer: peer, error: RPCFailure(type: "Exception", message: "\(error)"))
                return nil
            }
            guard let assembled else { return nil }
            let inner: RPCFrame
            do {
                inner = try RPCFrame(decoding: assembled)
            } catch {
                logger.debug("hypha-rpc: undecodable chunked message: \(error)")
                return nil
            }
            return try await prepare(inner, peer: peer, assembly: &assembly)
        }
        return { [self] in await self.execute(frame, target: target, method: method, peer: peer) }
    }

    private func execute(_ frame: RPCFrame, target: String, method: String, peer: RPCPeer) async {
        let heartbeat: Task<Void, Never>? =
            frame.expectsAnswer
            ? Task { [self] in
                // The client's timer (`method_timeout`, 30 s) restarts on each heartbeat (§4.7).
                let interval = min(max(frame.heartbeatSeconds ?? 15, 1), 60)
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(interval))
                    if Task.isCancelled { return }
                    guard let session = frame.session else { return }
                    let beat = RPCFrame.call(from: target, to: peer.address, method: session + ".heartbeat", parent: session, args: nil)
                    try? await outbound.write(.binary(ByteBuffer(bytes: beat)))
                }
            } : nil
        defer { heartbeat?.cancel() }
        do {
            let value = try await RPCDispatch(face: face, peer: peer).call(target: target, method: method, arguments: frame.arguments)
            await answer(frame, from: target, peer: peer, value: value)
        } catch let failure as RPCFailure {
            await answer(frame, from: target, peer: peer, error: failure)
        } catch var failure as PythonException {
            failure.prefix = ""
            await answer(frame, from: target, peer: peer, error: RPCFailure(type: failure.kind.rawValue, message: failure.message))
        } catch let error as HyphaError {
            await answer(frame, from: target, peer: peer, error: RPCFailure(type: "Exception", message: error.detail))
        } catch {
            await answer(frame, from: target, peer: peer, error: RPCFailure(type: "Exception", message: "\(error)"))
        }
    }

    /// Resolves the call's promise; a reply larger than a frame should be goes through the
    /// client's `message_cache` (§4.8). `from` must be the address the client called (§4.4).
    private func answer(_ frame: RPCFrame, from: String, peer: RPCPeer, value: MessagePackValue) async {
        guard frame.expectsAnswer, let session = frame.session else { return }
        let bytes = RPCFrame.call(from: from, to: peer.address, method: session + ".resolve", parent: session, args: [value])
        await send(bytes, from: from, peer: peer)
    }

    private func answer(_ frame: RPCFrame, from: String, peer: RPCPeer, error: RPCFailure) async {
        guard frame.expectsAnswer, let session = frame.session else { return }
        let text = "\(error.type): \(error.message)"
        let value: MessagePackValue = .map([
            (.string("_rtype"), .string("error")), (.string("_rvalue"), .string(text)), (.string("_rtrace"), .string(text)),
        ])
        let bytes = RPCFrame.call(from: from, to: peer.address, method: session + ".reject", parent: session, args: [value])
        await send(bytes, from: from, peer: peer)
    }

    private func send(_ bytes: [UInt8], from: String, peer: RPCPeer) async {
        do {
            if bytes.count <= RPCLimits.chunkThresholdBytes {
                try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                return
            }
            let key = RandomText.make(length: 22, alphabet: RandomText.secretAlphabet)
            for chunk in RPCFrame.chunked(bytes, key: key, from: from, to: peer.address, workspace: peer.workspace, user: MessagePackValue(peer.user))
            {
                try await outbound.write(.binary(ByteBuffer(bytes: chunk)))
            }
        } catch {
            logger.debug("hypha-rpc: could not answer: \(error)")
        }
    }
}

/// An error as the client raises it: `RemoteException("RemoteError:<Type>: <message>")` (§4.6).
struct RPCFailure: Error {
    let type: String
    let message: String
}

enum ArtifactActorNames {
    static let anonymous = "anonymouz-http"
}
