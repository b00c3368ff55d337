import CertificateAudit
import Diagnosis
import Reports
import TLSFlowModel

/// A finished connection on its way to the output: the model value, or — in a parallel run
/// writing compact JSON — its text rendered by the shard and what the merger needed of it.
enum FinishedConnection {
    case connection(Connection)
    case rendered(RenderedWork)
}

/// A connection a shard rendered, with what the cross-connection steps read from it: the
/// connection itself stays (and is freed) in the shard that built it. A reference, handed
/// back to that shard once written (`ShardChannel.giveBack`), so that everything it holds is
/// freed there too: freeing on the merger's thread memory another thread allocated cost more
/// than rendering.
final class RenderedWork: @unchecked Sendable {
    /// The shard that built it.
    let shard: Int
    var json: RenderedConnection
    var outcome: RunSummary.Outcome
    var observation: PatternAccumulator.Observation
    var sessions: SessionLinker.Digest
    var sighting: InterceptionSighting?
    /// For a connection that offered a session: what the merger writes instead if it links
    /// the connection to the one that issued the session.
    var fallback: LinkFallback?
    /// Provisional id (creation order), set by the merger.
    var sequence = -1
    /// The reported id, set when the connection is numbered.
    var id = 0

    /// The text and digests are right unless session linking names an issuer, which only the
    /// merger can tell; then it writes `fallback` instead.
    init(_ connection: Connection, shard: Int, renderer: inout ConnectionRenderer) {
        self.shard = shard
        json = renderer.render(connection)
        outcome = RunSummary.Outcome(connection)
        observation = PatternAccumulator.Observation(connection)
        sessions = SessionLinker.Digest(connection)
        sighting = InterceptionSighting(connection)
    }
}

/// A rendered connection as it is reported when session linking names its issuer: the same
/// connection, and — when it has a `resumption.aborted` finding, the one finding whose text
/// mentions the issuer — its findings diagnosed with an issuer.
struct LinkFallback {
    var connection: Connection
    var linked: LinkedDiagnosis?
}

struct LinkedDiagnosis {
    /// The issuer the shard diagnoses with; the merger puts in the real one.
    static let placeholderIssuer = -1
    var findings: [Finding]
    var status: ConnectionStatus
}

/// A connection a parallel run rendered as compact JSON (see `AnalysisSession.analyze`), in
/// its place in the output: to be written with `JSONReportWriter.connection(_:id:)`.
public struct PrerenderedConnection: Sendable {
    public let id: Int
    public let json: RenderedConnection
    /// What the run's totals count of it.
    public let outcome: RunSummary.Outcome
}

/// What the interception check reads from a connection (`ConnectionFinisher.observe`).
struct InterceptionSighting {
    var serverName: String
    var issuer: String
    var leafSHA256: String
    var frame: Int

    init?(_ connection: Connection) {
        guard let leaf = connection.serverCertificates.first, let name = connection.clientHello?.sni else {
            return nil
        }
        serverName = name
        issuer = leaf.issuer
        leafSHA256 = leaf.sha256
        frame = leaf.frame
    }

    func observe(into interception: inout InterceptionTracker, id: Int) {
        interception.observe(
            serverName: serverName, issuer: issuer, leafSHA256: leafSHA256, connectionID: id, frame: frame)
    }
}

/// Hands connections out in order of first packet, numbering the reported ones 1, 2, 3…
struct OrderedEmitter {
    /// Finished ahead of an earlier connection still open. Boxed: a connection is a large
    /// value, and the table grows and rehashes while a long-lived connection holds the queue.
    private final class Waiting {
        var finished: FinishedConnection?
        init(_ finished: consuming FinishedConnection?) { self.finished = finished }
    }
    private var finished: [Int: Waiting] = [:]
    private var next = 0
    private var registered = 0
    private var nextID = 1
    /// Provisional id (creation order) to reported id, for cross-connection references: a flat
    /// array indexed by sequence (0: not reported), 8 bytes per connection of the capture.
    private var finalIDs: [Int] = []

    func finalID(forSequence sequence: Int) -> Int? {
        guard sequence >= 0, sequence < finalIDs.count, finalIDs[sequence] > 0 else { return nil }
        return finalIDs[sequence]
    }

    private mutating func assign(sequence: Int) -> Int {
        if sequence >= 0 {
            if sequence >= finalIDs.count {
                finalIDs.append(contentsOf: repeatElement(0, count: sequence + 1 - finalIDs.count))
            }
            finalIDs[sequence] = nextID
        }
        nextID += 1
        return nextID - 1
    }

    private mutating func number(_ finished: consuming FinishedConnection) -> FinishedConnection {
        switch consume finished {
        case .rendered(let work):
            work.id = assign(sequence: work.sequence)
            return .rendered(work)
        case .connection(var connection):
            number(&connection)
            return .connection(connection)
        }
    }

    private mutating func number(_ connection: inout Connection) {
        connection.id = assign(sequence: connection.id)
        if let issuer = connection.resumption.issuedBy {
            connection.resumption.issuedBy = finalID(forSequence: issuer)
            // The findings named the issuer by its provisional id.
            if connection.findings.contains(where: { $0.code == SessionIssuerText.code }) {
                SessionIssuerText.renumber(&connection.findings, from: issuer, to: finalID(forSequence: issuer))
            }
            if let id = finalID(forSequence: issuer),
                let index = connection.notes.firstIndex(where: { $0.message == ConnectionFinisher.resumedNote })
            {
                connection.notes[index].message += "; the full handshake of connection \(id) carried it"
            }
        }
    }

    mutating func register(_ sequence: Int) { registered = max(registered, sequence + 1) }

    mutating func complete(
        _ sequence: Int, _ item: consuming FinishedConnection?, emit: (FinishedConnection) -> Void
    ) {
        if sequence == next {
            // The common case: nothing earlier is waiting, so no detour through the table.
            if let item = consume item { emit(number(item)) }
            next += 1
        } else {
            finished[sequence] = Waiting(consume item)
        }
        while !finished.isEmpty, let entry = finished.removeValue(forKey: next) {
            if let waiting = entry.finished.take() { emit(number(waiting)) }
            next += 1
        }
    }

    mutating func drain(emit: (FinishedConnection) -> Void) {
        while next < registered {
            if let entry = finished.removeValue(forKey: next), let waiting = entry.finished.take() {
                emit(number(waiting))
            }
            next += 1
        }
    }
}
