import ArgumentParser
import Foundation
import TLSFlowKit
import TLSFlowModel

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare each capture's findings with its NAME.expect.json sidecar; exit 1 on any drift.",
        discussion: """
            Keeps golden captures honest in CI: every capture that has a sidecar is analysed and each
            listed connection's status and error/warning finding codes are compared. Captures without a
            sidecar are skipped (use --update to create them, review the files, commit them).
            Example: tlsflow check Captures/
            """)

    @OptionGroup var analysis: AnalysisFlags

    @Flag(name: .long, help: "Write the current results into the sidecars instead of comparing.")
    var update = false

    @Argument(help: "Capture files or directories.")
    var inputs: [String]

    func run() throws {
        let expansion = InputFiles.expand(inputs)
        for problem in expansion.problems { warn(problem) }
        let session = try makeSession(analysis.analysisOptions)
        var checked = 0
        var drifted = 0
        var skipped = 0
        for file in expansion.files {
            let sidecar = CaptureExpectation.existingSidecar(for: file)
            if sidecar == nil && !update {
                skipped += 1
                continue
            }
            var results: [Connection] = []
            do {
                _ = try session.analyze(path: file) { results.append($0) }
            } catch {
                warn("\(error)")
                drifted += 1
                continue
            }
            if update {
                let path = sidecar ?? CaptureExpectation.sidecarPath(for: file)
                try CaptureExpectation(results: results).json().write(toFile: path, atomically: true, encoding: .utf8)
                print("updated \(path)")
                continue
            }
            guard let sidecar else { continue }
            checked += 1
            let expectation: CaptureExpectation
            do {
                expectation = try CaptureExpectation(json: Data(contentsOf: URL(fileURLWithPath: sidecar)))
            } catch {
                print("✗ \(file): cannot read \(sidecar): \(error)")
                drifted += 1
                continue
            }
            let differences = expectation.differences(from: results)
            if differences.isEmpty {
                print("✓ \(file)")
            } else {
                drifted += 1
                print("✗ \(file)")
                for line in differences { print("    \(line)") }
            }
        }
        if update { return }
        print(
            "\(checked) checked, \(checked - drifted) as expected, \(drifted) drifted, \(skipped) without expectations")
        if checked == 0 && drifted == 0 {
            warn("no capture had an .expect.json sidecar")
            throw ExitCode(ExitStatus.unusable)
        }
        if drifted > 0 { throw ExitCode(ExitStatus.findings) }
    }
}
