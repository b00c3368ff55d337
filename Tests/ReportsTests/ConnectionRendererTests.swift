import Foundation
import TLSFlowModel
import Testing

@testable import Reports

/// A connection rendered apart (on a shard's thread) and put in place with its id must give the
/// bytes the writer gives for the model value: in a document, in JSON Lines, in either
/// timestamp precision, and for several connections in a row (separators).
struct ConnectionRendererTests {
    static func document(
        _ connections: [Connection], rendered: Bool, jsonLines: Bool, nanoseconds: Bool
    ) -> String {
        var text = ""
        var writer = JSONReportWriter(pretty: false, jsonLines: jsonLines) { text += $0 }
        var renderer = ConnectionRenderer(nanoseconds: nanoseconds)
        let capture = Fixtures.capture(nanoseconds: nanoseconds, connections)
        writer.begin(version: "test")
        writer.beginCapture(capture)
        for (index, connection) in connections.enumerated() {
            if rendered {
                // Rendered under another id: the writer's id is the one that counts.
                var provisional = connection
                provisional.id = 1000 + index
                writer.connection(renderer.render(provisional), id: connection.id)
            } else {
                writer.connection(connection)
            }
        }
        writer.endCapture(capture)
        var summary = RunSummary()
        for connection in connections { summary.add(connection) }
        writer.end(summary: summary)
        return text
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func renderedEqualsWritten(jsonLines: Bool, nanoseconds: Bool) {
        let connections =
            Fixtures.all
            + Fixtures.all.map { connection in
                var again = connection
                again.id += 10
                return again
            }
        let written = Self.document(connections, rendered: false, jsonLines: jsonLines, nanoseconds: nanoseconds)
        let rendered = Self.document(connections, rendered: true, jsonLines: jsonLines, nanoseconds: nanoseconds)
        #expect(rendered == written)
        #expect(written.contains("\"id\":14"))
    }

    @Test func onlyCompactWritersTakeRenderedConnections() {
        let sink: (String) -> Void = { _ in }
        #expect(JSONReportWriter(pretty: false, sink: sink).acceptsRenderedConnections)
        #expect(JSONReportWriter(pretty: true, jsonLines: true, sink: sink).acceptsRenderedConnections)
        #expect(!JSONReportWriter(pretty: true, sink: sink).acceptsRenderedConnections)
    }

    /// What the run's totals count of a connection is the same whether it is counted from the
    /// model or from its outcome.
    @Test func outcomeCountsLikeTheConnection() {
        var fromModels = RunSummary()
        var fromOutcomes = RunSummary()
        for connection in Fixtures.all {
            fromModels.add(connection)
            fromOutcomes.add(RunSummary.Outcome(connection))
        }
        #expect(fromModels == fromOutcomes)
        #expect(fromModels.connections == 4)
    }
}
