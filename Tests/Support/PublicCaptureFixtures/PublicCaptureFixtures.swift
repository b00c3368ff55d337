import Foundation

// Where the tests find the public captures: shared by the test targets that read them.

/// Repository root, located from this source file (Tests/Support/PublicCaptureFixtures/).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The public captures copied into the repository (Tests/PublicCaptures, with their attribution),
/// and ja4/, which may not be copied and is read from the shared directory beside the clone.
public let publicCaptures = repositoryRoot.appendingPathComponent("Tests/PublicCaptures")
public let ja4Captures = repositoryRoot.deletingLastPathComponent().appendingPathComponent(
    "shared/captures/public/ja4")

/// The ja4 captures are present beside the clone (they are in CI); a clone elsewhere runs every
/// other check and skips those that need them.
public let ja4Present = FileManager.default.fileExists(atPath: ja4Captures.path)

/// Captures in the public set: 66 copied into the repository, 6 more in ja4/.
public let expectedPublicCaptureCount = 66 + (ja4Present ? 6 : 0)

/// `names` without the ja4/ ones when those are absent.
public func availablePublicCaptures(_ names: [String]) -> [String] {
    ja4Present ? names : names.filter { !$0.hasPrefix("ja4/") }
}

/// A public capture (or oracle file) by its name relative to the public root ("zeek/x.pcap").
public func publicCapture(_ name: String) -> URL {
    name.hasPrefix("ja4/")
        ? ja4Captures.appendingPathComponent(String(name.dropFirst(4))) : publicCaptures.appendingPathComponent(name)
}

/// Every file under both roots.
public func publicCaptureWalk() -> [URL] {
    var files: [URL] = []
    for root in [publicCaptures, ja4Captures] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
        for case let url as URL in walker { files.append(url) }
    }
    return files
}
