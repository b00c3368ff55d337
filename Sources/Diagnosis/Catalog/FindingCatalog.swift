/// What a finding code means, why it happens, how to confirm it and how to fix it: the text of
/// `tlsflow explain CODE` and of docs/findings.md.
public struct CatalogEntry: Sendable, Equatable {
    public var code: String
    public var title: String
    public var meaning: String
    public var typicalCauses: [String]
    public var howToConfirm: [String]
    public var fix: String

    public init(
        code: String, title: String, meaning: String, typicalCauses: [String], howToConfirm: [String], fix: String
    ) {
        self.code = code
        self.title = title
        self.meaning = meaning
        self.typicalCauses = typicalCauses
        self.howToConfirm = howToConfirm
        self.fix = fix
    }

    public var markdown: String {
        var out = "## `\(code)` — \(title)\n\n"
        out += "**Meaning.** \(meaning)\n\n"
        out += "**Typical causes.**\n\n"
        out += typicalCauses.map { "- \($0)\n" }.joined()
        out += "\n**How to confirm.**\n\n"
        out += howToConfirm.map { "- \($0)\n" }.joined()
        out += "\n**Fix.** \(fix)\n"
        return out
    }
}

public enum FindingCatalog {
    public static let all: [CatalogEntry] = connectionEntries + certificateEntries

    public static func entry(_ code: String) -> CatalogEntry? { all.first { $0.code == code } }

    /// Entries whose code contains `text` (case-insensitive), for `tlsflow explain handshake` or a
    /// mistyped code: "handshake" lists every handshake.* entry.
    public static func entries(matching text: String) -> [CatalogEntry] {
        let needle = text.lowercased()
        guard !needle.isEmpty else { return all }
        return all.filter { $0.code.lowercased().contains(needle) }
    }

    /// The whole catalog as Markdown: the content of docs/findings.md.
    public static var markdownDocument: String {
        var out = "# tlsflow findings\n\n"
        out += "<!-- Generated from Sources/Diagnosis/Catalog by the DiagnosisTests docs test; do not edit by hand.\n"
        out += "     Regenerate: TLSFLOW_WRITE_DOCS=1 swift test --filter DiagnosisTests -->\n\n"
        out += "Every finding tlsflow reports has a stable code. `tlsflow explain CODE` prints the same entry.\n"
        out +=
            "Severity: `error` = the connection failed because of it; `warning` = it worked but will break for some\n"
        out += "clients or later; `info` = context, or what merely followed the headline finding.\n\n"
        out += "| code | title |\n|---|---|\n"
        out += all.map { "| [`\($0.code)`](#\(anchor($0))) | \($0.title) |\n" }.joined()
        out += "\n"
        out += all.map(\.markdown).joined(separator: "\n")
        return out
    }

    /// GitHub's heading anchor for "## `code` — title".
    static func anchor(_ entry: CatalogEntry) -> String {
        let heading = "\(entry.code) — \(entry.title)".lowercased()
        var out = ""
        for character in heading {
            if character.isLetter || character.isNumber || character == "-" || character == "_" {
                out.append(character)
            } else if character == " " {
                out.append("-")
            }
        }
        return out
    }
}
