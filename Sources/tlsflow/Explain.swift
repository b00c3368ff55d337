import ArgumentParser
import Diagnosis

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a finding code: what it means, typical causes, how to confirm, how to fix.",
        discussion: "Example: tlsflow explain cert.cn_only   (tlsflow explain --list shows every code)")

    @Flag(name: .long, help: "List every finding code with its title.")
    var list = false

    @Flag(name: .long, help: "Print the whole catalog as Markdown (docs/findings.md is generated from it).")
    var markdown = false

    @Argument(help: "A finding code, e.g. data.one_way.")
    var code: String?

    func run() throws {
        if markdown {
            print(FindingCatalog.markdownDocument, terminator: "")
            return
        }
        if list || code == nil {
            for entry in FindingCatalog.all {
                print("\(entry.code.padding(toLength: 28, withPad: " ", startingAt: 0)) \(entry.title)")
            }
            return
        }
        guard let code, let entry = FindingCatalog.entry(code) else {
            warn("unknown finding code '\(code ?? "")'; `tlsflow explain --list` shows them all")
            throw ExitCode(ExitStatus.unusable)
        }
        print(entry.markdown, terminator: "")
    }
}
