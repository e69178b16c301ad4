import Artifacts
import SporeJSON
import Testing

/// A row of the fixture: internal ids grow with `number`, so id order is creation order.
func document(
    _ number: Int, _ alias: String, _ manifest: String, parent: String? = "ws1/coll", type: String? = "generic", createdBy: String? = nil,
    config: String = "{}", createdAt: Int64, lastModified: Int64? = nil, downloads: Double = 0, views: Double = 0, versions: Int = 1,
    staged: Bool = false
) -> ArtifactSearchDocument {
    let digits = String(number)
    return ArtifactSearchDocument(
        internalID: "0190a000-0000-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits, id: "ws1/\(alias)",
        alias: alias, workspace: "ws1", parentID: parent, type: type, createdBy: createdBy,
        manifest: (try? JSONValue(parsing: manifest)) ?? .null, config: (try? JSONValue(parsing: config)) ?? .null, createdAt: createdAt,
        lastModified: lastModified ?? createdAt, downloadCount: downloads, viewCount: views, versionCount: versions, isStaged: staged
    )
}

private func query(
    _ arguments: String, source: ArtifactQuery.Source = .serviceCall, call: ArtifactQuery.Call = .search,
    scope: ArtifactQuery.RecipientScope? = nil
) throws -> ArtifactQuery {
    let object = try #require(try JSONValue(parsing: arguments).objectValue)
    return try ArtifactQuery(arguments: object, source: source, call: call, contextWorkspace: "ws1", recipientScope: scope)
}

private func aliases(_ query: ArtifactQuery, _ documents: [ArtifactSearchDocument] = sqliteFixture) -> [String] {
    query.page(documents).items.map { $0.alias ?? "" }
}

private func failure(_ arguments: String, source: ArtifactQuery.Source = .serviceCall) -> ArtifactQueryError? {
    do {
        _ = try query(arguments, source: source)
        return nil
    } catch let error as ArtifactQueryError {
        return error
    } catch {
        return nil
    }
}

@Test func defaultsAndLimits() throws {
    let plain = try query("{}")
    #expect(plain.limit == ArtifactQuery.limitDefault && plain.offset == 0 && !plain.pagination)
    #expect(plain.mode == .and && plain.stage == .committed && plain.order == .init(field: .id, ascending: true))
    #expect(try query(#"{"limit": 1000}"#).limit == ArtifactQuery.limitMax)
    // Hypha documents 1…1000 but enforces nothing; spore refuses instead of clamping, so no page is silently cut.
    #expect(failure(#"{"limit": 1001}"#)?.description == "ValueError: limit must be between 1 and 1000, got 1001")
    #expect(failure(#"{"limit": 0}"#)?.kind == .valueError)
    #expect(failure(#"{"offset": -1}"#)?.description == "ValueError: offset must be 0 or more, got -1")
    #expect(failure(#"{"limit": "ten"}"#)?.kind == .typeError)
    #expect(try query(#"{"limit": "2", "offset": 1.0}"#).limit == 2)
    #expect(try query(#"{"limit": null}"#).limit == ArtifactQuery.limitDefault)
}

@Test func errorsCarryHyphasText() {
    #expect(failure(#"{"filters": {"stage": false}}"#)?.description == "ValueError: Invalid filter key: stage")
    #expect(failure(#"{"filters": {"type": "x", "bogus": 1, "version": "*"}}"#)?.message == "Invalid filter key: bogus")
    #expect(
        failure(#"{"order_by": "config.a b"}"#)?.message
            == "Invalid order_by field 'config.a b': the JSON key may only contain letters, digits, '_', '.', and '-'.")
    #expect(failure(#"{"keywords": [1]}"#)?.kind == .attributeError)
    #expect(failure(#"{"filters": [1]}"#)?.kind == .attributeError)
    #expect(failure(#"{"order_by": 5}"#)?.kind == .typeError)
}

@Test func modeIsCaseSensitiveAndOrCoversEveryCondition() throws {
    #expect(aliases(try query(#"{"keywords": ["alpha", "beta"], "mode": "OR"}"#)) == ["a", "b"])
    #expect(aliases(try query(#"{"keywords": ["alpha", "beta"], "mode": "or"}"#)) == [])
    #expect(aliases(try query(#"{"keywords": ["zeta"], "filters": {"type": "dataset"}, "mode": "OR"}"#)) == ["a", "f"])
    // The keys of one manifest filter stay AND-ed in OR mode.
    #expect(aliases(try query(#"{"filters": {"manifest": {"name": "Alpha", "score": 7}}, "mode": "OR"}"#)) == [])
    // A stage condition is never part of the OR.
    #expect(aliases(try query(#"{"keywords": ["gamma"], "filters": {"type": "model"}, "mode": "OR"}"#)) == ["b"])
}

@Test func stageArguments() throws {
    #expect(try query(#"{"stage": true}"#).stage == .staged)
    #expect(try query(#"{"stage": "all"}"#).stage == .all)
    #expect(try query(#"{"stage": null}"#).stage == .all)
    #expect(try query(#"{"stage": "true"}"#).stage == .staged)
    #expect(try query(#"{"stage": "false"}"#).stage == .committed)
    #expect(try query(#"{"stage": "yes"}"#).stage == .staged)
    #expect(try query(#"{"stage": 0}"#).stage == .committed)
    #expect(try query(#"{"stage": "true"}"#, source: .httpQuery).stage == .staged)
    #expect(try query(#"{"stage": "all"}"#, source: .httpQuery).stage == .all)
    #expect(try query(#"{"stage": "yes"}"#, source: .httpQuery).stage == .committed)
    // The version filter overrides the stage argument.
    #expect(try query(#"{"filters": {"version": "stage"}}"#).stage == .staged)
    #expect(try query(#"{"stage": "all", "filters": {"version": "latest"}}"#).stage == .committed)
    #expect(
        failure(#"{"stage": "all", "filters": {"version": "stage"}}"#)?.description
            == "AssertionError: Stage parameter cannot be used with version filter.")
    #expect(aliases(try query(#"{"stage": true}"#)) == ["c", "d"])
    #expect(aliases(try query(#"{"stage": "all", "filters": {"parent_id": null}}"#)) == ["coll", "d", "e"])
}

@Test func httpQueryArguments() throws {
    let http = try query(
        #"{"keywords": "alpha,beta", "mode": "OR", "filters": "{\"type\": \"model\"}", "limit": "5", "pagination": "true"}"#,
        source: .httpQuery
    )
    #expect(http.keywords == ["alpha", "beta"] && http.limit == 5 && http.pagination)
    #expect(aliases(http) == ["a", "b"])
    #expect(failure(#"{"filters": "{not json"}"#, source: .httpQuery)?.kind == .jsonDecodeError)
    #expect(failure(#"{"pagination": "maybe"}"#, source: .httpQuery)?.kind == .valueError)
    #expect(try query(#"{"pagination": "maybe"}"#).pagination)
    // A comma-separated string is split for the service call too (Hypha would iterate its characters).
    #expect(try query(#"{"keywords": "a,,b"}"#).keywords == ["a", "", "b"])
    #expect(try query(#"{"keywords": ""}"#).keywords == [])
}

@Test func keywordsSearchTheStoredJSONText() throws {
    // SQLite holds Python's ASCII-escaped text, minified: key names match, spaces after ':' do not, non-ASCII only escaped.
    #expect(aliases(try query(#"{"keywords": ["\"tags\":[\"x\""]}"#)) == ["a", "f", "g"])
    #expect(aliases(try query(#"{"keywords": ["\"tags\": ["]}"#)) == [])
    #expect(aliases(try query(#"{"keywords": ["WÖRLD"]}"#)) == [])
    #expect(aliases(try query(#"{"keywords": ["W\\U00F6RLD"]}"#)) == ["b"])
    // % and _ are literal in keywords.
    #expect(aliases(try query(#"{"keywords": ["d_1 1"]}"#)) == ["b"])
    #expect(aliases(try query(#"{"keywords": ["d_1_1"]}"#)) == [])
}

@Test func orderingFollowsSQLite() throws {
    let ascending = try query(#"{"order_by": "manifest.score", "stage": "all"}"#)
    // Missing/null first, then text by bytes, then numbers (true is 1).
    #expect(aliases(ascending) == ["coll", "d", "e", "5", "b", "f", "g", "c", "a", "h"])
    let descending = try query(#"{"order_by": "manifest.score>", "stage": "all"}"#)
    #expect(aliases(descending) == ["h", "a", "c", "g", "f", "b", "coll", "d", "e", "5"])
    #expect(descending.order == .init(field: .manifest("score"), ascending: false))
    #expect(try query(#"{"order_by": "-download_count"}"#).order.field == .id)
    #expect(try query(#"{"order_by": "view_count<"}"#).order == .init(field: .viewCount, ascending: true))
    // Ties keep creation order in both directions.
    let tied = try query(#"{"order_by": "download_count>"}"#)
    #expect(aliases(tied) == ["a", "g", "h", "f", "d", "5", "coll", "b", "e"])
    #expect(tied.ordered(sqliteFixture).count == sqliteFixture.count)
    #expect(tied.window(Array(sqliteFixture.prefix(3))).count == 3)
    let page = try query(#"{"order_by": "created_at>", "offset": 2, "limit": 3, "pagination": true}"#).page(sqliteFixture)
    #expect(page.items.map(\.alias) == ["g", "f", "e"] && page.total == 9 && page.offset == 2 && page.limit == 3)
}

@Test func listAddsTheRootFilterAndResolvesParents() throws {
    let roots = try query("{}", call: .list)
    #expect(aliases(roots) == ["coll", "d", "e"])
    #expect(roots.parentID == nil)
    // OR mode ORs the added root filter with the keywords: non-root matches come back too.
    #expect(aliases(try query(#"{"keywords": ["zeta"], "mode": "OR"}"#, call: .list)) == ["coll", "d", "e", "f"])
    let children = try query(#"{"parent_id": "coll"}"#, call: .list)
    #expect(children.parentID == "ws1/coll")
    #expect(aliases(children).count == 9)
    #expect(try query(#"{"parent_id": "", "filters": {}}"#, call: .list).parentID == nil)

    let byUUID = try query(#"{"filters": {"parent_id": "0190a000-0000-7000-8000-000000000001"}}"#)
    #expect(byUUID.parentFilterReferences == ["0190a000-0000-7000-8000-000000000001"])
    #expect(aliases(byUUID) == [])
    let resolved = try byUUID.resolvingParentReferences { (reference: String) throws(ArtifactQueryError) -> String in
        guard let parent = sqliteFixture.first(where: { $0.internalID == reference }) else {
            throw ArtifactQueryError(.valueError, "missing")
        }
        return parent.id
    }
    #expect(aliases(resolved) == ["a", "b", "f", "g", "h", "5"])
    #expect(try query(#"{"filters": {"parent_id": "coll"}}"#).parentFilterReferences == ["ws1/coll"])
}

@Test func recipientScopeOfPrivateCollections() throws {
    let config: JSONValue = ["private_children": true, "recipient_field": "recipient"]
    #expect(try ArtifactQuery.RecipientScope.forCollection(parentConfig: config, callerEmail: "x", isWorkspaceAdmin: true) == nil)
    #expect(try ArtifactQuery.RecipientScope.forCollection(parentConfig: [:], callerEmail: "x", isWorkspaceAdmin: false) == nil)
    #expect(throws: ArtifactQueryError.self) {
        try ArtifactQuery.RecipientScope.forCollection(parentConfig: ["private_children": 1], callerEmail: nil, isWorkspaceAdmin: false)
    }
    let scope = try #require(
        try ArtifactQuery.RecipientScope.forCollection(parentConfig: config, callerEmail: "bob@x.org", isWorkspaceAdmin: false)
    )
    #expect(aliases(try query("{}", scope: scope)) == ["g"])
    // The caller's own filter on the field is dropped, and OR mode cannot widen the view.
    #expect(aliases(try query(#"{"filters": {"manifest": {"recipient": "*"}}}"#, scope: scope)) == ["g"])
    #expect(aliases(try query(#"{"keywords": ["alpha"], "mode": "OR"}"#, scope: scope)) == [])
    #expect(aliases(try query("{}", scope: .init(field: "recipient", email: nil))) == [])
}

@Test func manifestFilterOperators() throws {
    #expect(aliases(try query(#"{"filters": {"manifest": {"name": "Alpha"}}}"#)) == ["a"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"name": "*ETA"}}}"#)) == ["b", "f", "g"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"name": {"$like": "_eta"}}}}"#)) == ["b", "f"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"tags": ["y"]}}}"#)) == ["a", "b", "g"])
    // Hypha never matches two or more values on SQLite (its pattern has ", " where the stored text
    // has ","); spore asks for each value, so the artifacts holding both match.
    #expect(aliases(try query(#"{"filters": {"manifest": {"tags": {"$all": ["x", "y"]}}}}"#)) == ["a", "g"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"tags": {"$in": ["z", "b"]}}}}"#)) == ["g", "5"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"$or": [{"name": "Zeta"}, {"score": 5}]}}}"#)) == ["a", "f"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"$and": [{"name": "*a"}, {"score": {"$in": [5]}}]}}}"#)) == ["a"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"nested.n": 3}}}"#)) == ["a"])
    #expect(aliases(try query(#"{"filters": {"manifest": {"score": {"$gt": 100}}}}"#)).count == 9)
    #expect(aliases(try query(#"{"filters": {"config": {"permissions": {"alice": "*"}}}}"#)) == ["a"])
    #expect(aliases(try query(#"{"filters": {"created_at": [200, 600], "download_count": 2}}"#)) == ["f"])
    #expect(aliases(try query(#"{"filters": {"view_count": 5, "created_by": "alice", "workspace": "ws1"}}"#)) == ["a"])
}
