import Foundation
import HTTPSupport
import HummingbirdWebSocket
import HyphaRPC
import Index
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

    /// Whether an upgrade request is for this endpoint. It is never refused with a 403 (the
    /// client would fall back to Hypha's legacy query-string login, §2.1); a query string is
    /// ignored and the login happens in the first message.
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
///
/// The reader never waits for a call: calls run as their own tasks, at most
/// `RPCLimits.inFlightCallsMax` at a time and `RPCLimits.callsQueuedMax` queued, so pings keep
/// being answered. Every write has a deadline; a client that stops reading, goes quiet or never
/// logs in is closed by the watchdog, which also ends the reader.
final class RPCConnection: Sendable {
    let face: HyphaFace
    let outbound: WebSocketOutboundWriter
    let logger: Logger
    private let lastFrameSeconds = Atomic<Int64>(0)
    private let established = Atomic<Bool>(false)
    /// Set when a write missed its deadline or failed: the watchdog closes the connection.
    private let broken = Atomic<Bool>(false)
    private let calls = RPCCallGate(running: RPCLimits.inFlightCallsMax, queued: RPCLimits.callsQueuedMax)

    /// Open connections of the whole daemon, and the bytes their half-sent messages hold.
    static let connections = Atomic<Int>(0)
    static let assemblyBudget = RPCByteBudget(limit: RPCLimits.assemblyBytesTotalMax)
    static let callBudget = RPCByteBudget(limit: RPCLimits.callBytesTotalMax)
    static let tryAgainLater = WebSocketErrorCode(codeNumber: 1013)

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
        guard Self.connections.add(1, ordering: .relaxed).newValue <= RPCLimits.connectionsMax else {
            Self.connections.subtract(1, ordering: .relaxed)
            await close(code: Self.tryAgainLater, reason: "Too many connections; try again later")
            return
        }
        defer { Self.connections.subtract(1, ordering: .relaxed) }
        lastFrameSeconds.store(elapsedSeconds, ordering: .relaxed)
        // Whichever ends first ends the connection: the reader (the client closed) or the
        // watchdog (a timeout, a stalled client), which cancels the reader.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchdog() }
            group.addTask { await self.read(inbound) }
            await group.next()
            group.cancelAll()
        }
    }

    private func read(_ inbound: WebSocketInboundStream) async {
        var peer: RPCPeer?
        var assembly = RPCAssembly(budget: Self.assemblyBudget)
        defer { assembly.removeAll() }
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
                    guard let frame = await decode(Array(buffer.readableBytesView)) else { break frames }
                    switch await prepare(frame, peer: current, assembly: &assembly) {
                    case .ignore: continue
                    case .close: break frames
                    case .run(let work):
                        // Calls waiting or running hold their frames: bounded daemon-wide.
                        let size = buffer.readableBytes
                        guard Self.callBudget.reserve(size) else {
                            await answer(
                                frame, from: frame.to ?? "", peer: current,
                                error: RPCFailure(type: "Exception", message: "The server is busy; try again"))
                            continue
                        }
                        guard calls.enqueue() else {
                            Self.callBudget.release(size)
                            await answer(
                                frame, from: frame.to ?? "", peer: current,
                                error: RPCFailure(type: "Exception", message: "Too many calls in flight on this connection; try again"))
                            continue
                        }
                        // Not a child of the reader: a call the client started finishes (and its
                        // effects are whole) even when the connection ends meanwhile.
                        let gate = calls
                        Task {
                            await gate.acquire()
                            await work()
                            gate.release()
                            Self.callBudget.release(size)
                        }
                    }
                }
            }
        } catch {
            logger.debug("hypha-rpc: connection ended: \(error)")
        }
    }

    /// A binary frame, or nil after closing the connection with the reason it is not one.
    private func decode(_ bytes: [UInt8]) async -> RPCFrame? {
        do {
            return try RPCFrame(decoding: bytes)
        } catch {
            logger.debug("hypha-rpc: undecodable frame: \(error)")
            await close(code: .unacceptableData, reason: "Invalid RPC frame: \(error)")
            return nil
        }
    }

    /// Closes a connection that never says who it is (5 s), goes quiet (600 s) or stops taking
    /// what is written to it.
    private func watchdog() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { return }
            let quiet = elapsedSeconds - lastFrameSeconds.load(ordering: .relaxed)
            if broken.load(ordering: .relaxed) {
                await close(code: .goingAway, reason: "The connection stopped taking data", sendError: false)
                return
            }
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

    /// Writes one frame within `RPCLimits.writeSeconds`; false (and the connection marked
    /// broken) when it could not.
    @discardableResult
    private func write(_ frame: WebSocketOutboundWriter.OutboundFrame) async -> Bool {
        let outbound = self.outbound
        let written = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await outbound.write(frame)) != nil }
            group.addTask {
                try? await Task.sleep(for: .seconds(RPCLimits.writeSeconds))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !written { broken.store(true, ordering: .relaxed) }
        return written
    }

    private func close(code: WebSocketErrorCode, reason: String, sendError: Bool = true) async {
        if sendError { await write(.text(JSONValue.object(["type": "error", "message": .string(reason)]).jsonText)) }
        // A close frame's reason must fit a control frame.
        var trimmed = reason
        while trimmed.utf8.count > RPCLimits.closeReasonBytesMax { trimmed.removeLast() }
        let short = trimmed
        let outbound = self.outbound
        _ = await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await outbound.close(code, reason: short) }
            group.addTask { try? await Task.sleep(for: .seconds(RPCLimits.writeSeconds)) }
            await group.next()
            group.cancelAll()
        }
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
            guard await write(.text(connectionInfo(peer).jsonText)) else { return nil }
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

    static let anonymousRole = "anonymous"
    static let clientIDBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    /// The one extra scope of a reconnection token: `rpc-reconnect:{client id}:{kind}`. Having an
    /// extra scope makes it a specialized token, so it opens nothing on the HTTP API, and only
    /// tokens with it are taken as `reconnection_token`.
    static let reconnectScopePrefix = "rpc-reconnect:"

    private func authenticate(_ first: JSONValue) throws -> RPCPeer {
        let secret = face.configuration.jwtSecret
        for field in ["token", "reconnection_token", "workspace", "client_id"] {
            if let value = first[field], !value.isNull, value.stringValue == nil {
                throw RPCHandshakeFailure(reason: "Authentication error: \(field) must be a string")
            }
        }
        let requestedWorkspace = first["workspace"]?.stringValue
        var clientID = first["client_id"]?.stringValue ?? ""
        if clientID.isEmpty { clientID = RandomText.make(length: 22, alphabet: RandomText.secretAlphabet) }
        // Client ids go into addresses and into the reconnection token: letters, digits, `-`, `_`
        // only (hypha-rpc makes 22-character shortuuids), never a separator of either.
        guard clientID.utf8.count <= 64, clientID.utf8.allSatisfy({ Self.clientIDBytes.contains($0) }) else {
            throw RPCHandshakeFailure(reason: "Authentication error: client_id may hold only letters, digits, '-' and '_' (at most 64)")
        }
        if let requested = first["workspace"]?.stringValue,
            !WorkspaceRecord.isValidName(requested) || requested.contains(where: { $0 == " " || $0 == "#" || $0 == ":" })
        {
            throw RPCHandshakeFailure(reason: "Authentication error: invalid workspace name")
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
        var token: HyphaToken?
        var anonymousID: String?
        var workspace: String
        if let text = first["reconnection_token"]?.stringValue, !text.isEmpty {
            var restored = try decode(text)
            // Only a reconnection token this endpoint made, for this client id, resumes a session.
            guard restored.extraScopes.count == 1, let scope = restored.extraScopes.first, scope.hasPrefix(Self.reconnectScopePrefix),
                let current = restored.currentWorkspace
            else { throw RPCHandshakeFailure(reason: "Authentication error: Invalid reconnection token") }
            let parts = scope.dropFirst(Self.reconnectScopePrefix.count).split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == clientID else { throw RPCHandshakeFailure(reason: "Authentication error: Client id mismatch") }
            restored.extraScopes = []
            // Revocation names the token the session started with.
            restored.id = parts[2]
            if parts[1] == Self.anonymousRole {
                anonymousID = restored.userID
            } else {
                token = restored
            }
            if let token, face.isRevoked(token) { throw RPCHandshakeFailure(reason: "Authentication error: The token has been revoked.") }
            workspace = current
        } else if let text = first["token"]?.stringValue, !text.isEmpty {
            let decoded = try decode(text)
            guard !face.isRevoked(decoded) else { throw RPCHandshakeFailure(reason: "Authentication error: The token has been revoked.") }
            guard !decoded.isSpecialized else {
                throw RPCHandshakeFailure(reason: "Authentication error: A token limited to its scopes cannot connect.")
            }
            token = decoded
            workspace = decoded.currentWorkspace ?? HyphaToken.personalWorkspace(of: decoded.userID)
        } else {
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
        // Calls run in the connection's workspace, as Hypha's context.ws, also after a reconnect.
        token?.currentWorkspace = workspace
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

    /// A token the client sends back on reconnect (§2.7): the same user, permissions and
    /// workspace, never outliving the token it came from, bound to the client id, and good for
    /// nothing else (its `rpc-reconnect:` scope makes it a specialized token).
    private func reconnectionToken(_ peer: RPCPeer) -> String {
        let now = nowSeconds
        if var token = peer.caller.token {
            // Issued when the original was, so that revoking the user's tokens revokes this too.
            token.currentWorkspace = peer.workspace
            token.expiresAtSeconds = min(token.expiresAtSeconds, now + RPCEndpoint.reconnectionLifetimeSeconds)
            token.extraScopes = [Self.reconnectScopePrefix + peer.clientID + ":user:" + token.id]
            return token.encoded(secret: face.configuration.jwtSecret)
        }
        var token = HyphaToken(
            userID: peer.userID, subject: "reconnect", roles: [Self.anonymousRole], workspaces: [:], currentWorkspace: peer.workspace,
            issuedAtSeconds: now, expiresAtSeconds: now + RPCEndpoint.reconnectionLifetimeSeconds
        )
        token.extraScopes = [Self.reconnectScopePrefix + peer.clientID + ":" + Self.anonymousRole + ":-"]
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
        case "ping": await write(.text(#"{"type":"pong"}"#))
        case "refresh_token":
            let answer: JSONValue = ["type": "reconnection_token", "reconnection_token": .string(reconnectionToken(peer))]
            await write(.text(answer.jsonText))
        default: break
        }
    }

    // MARK: Calls (§4)

    enum Prepared {
        case ignore
        case close
        case run(@Sendable () async -> Void)
    }

    /// What to do with one frame: message-cache steps are applied here, in frame order; a call
    /// becomes work to run beside the others. Frames that are not calls are dropped.
    private func prepare(_ frame: RPCFrame, peer: RPCPeer, assembly: inout RPCAssembly) async -> Prepared {
        guard frame.type == "method", let to = frame.to, let method = frame.method else { return .ignore }
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
                    guard positional.count >= 3, case .binary(let chunk) = positional[2], case .int(let index) = positional[1],
                        let position = Int(exactly: index)
                    else { throw MessagePackError("message_cache.set(key, index, chunk) takes a string, an integer and bytes") }
                    try assembly.set(key, index: position, chunk)
                case "append":
                    guard positional.count >= 2, case .binary(let chunk) = positional[1] else {
                        throw MessagePackError("message_cache.append(key, chunk) takes a string and bytes")
                    }
                    try assembly.append(key, chunk)
                case "process": assembled = try assembly.take(key)
                case "remove": assembly.remove(key)
                default: throw MessagePackError("Method not found: message_cache.\(step)")
                }
                await answer(frame, from: target, peer: peer, value: .nil_)
            } catch {
                await answer(frame, from: target, peer: peer, error: RPCFailure(type: "Exception", message: "\(error)"))
                return .ignore
            }
            guard let assembled else { return .ignore }
            guard let inner = await decode(assembled) else { return .close }
            return await prepare(inner, peer: peer, assembly: &assembly)
        }
        return .run { [self] in await self.execute(frame, target: target, method: method, peer: peer) }
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
                    await write(.binary(ByteBuffer(bytes: beat)))
                }
            } : nil
        defer { heartbeat?.cancel() }
        do {
            let value = try await RPCDispatch(face: face, peer: peer).call(target: target, method: method, arguments: frame.arguments)
            await answer(frame, from: target, peer: peer, value: value)
        } catch let failure as RPCFailure {
            await answer(frame, from: target, peer: peer, error: failure)
        } catch let failure as PythonException {
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
        if bytes.count <= RPCLimits.chunkThresholdBytes {
            await write(.binary(ByteBuffer(bytes: bytes)))
            return
        }
        let key = RandomText.make(length: 22, alphabet: RandomText.secretAlphabet)
        for chunk in RPCFrame.chunked(bytes, key: key, from: from, to: peer.address, workspace: peer.workspace, user: MessagePackValue(peer.user)) {
            guard await write(.binary(ByteBuffer(bytes: chunk))) else { return }
        }
    }
}

/// How many calls of one connection run (`running`) and wait (`queued`): a slot is taken
/// before a call is started, so the reader can refuse at once instead of waiting.
final class RPCCallGate: Sendable {
    private struct State {
        var running = 0
        var admitted = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let runningMax: Int
    private let admittedMax: Int

    init(running: Int, queued: Int) {
        runningMax = running
        admittedMax = running + queued
    }

    /// Admits one more call, or false when too many are running and waiting.
    func enqueue() -> Bool {
        state.withLock { state in
            guard state.admitted < admittedMax else { return false }
            state.admitted += 1
            return true
        }
    }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.running < runningMax {
                    state.running += 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.admitted -= 1
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
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
