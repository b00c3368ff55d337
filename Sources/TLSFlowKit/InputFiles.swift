import Foundation

/// Turns command-line inputs into capture files: files as given, directories searched
/// recursively for .pcap/.pcapng/.cap, "-" for standard input.
public enum InputFiles {
    public static let extensions: Set<String> = ["pcap", "pcapng", "cap"]

    public struct Expansion: Sendable {
        public var files: [String] = []
        /// One message per input that could not be used.
        public var problems: [String] = []
    }

    public static func expand(_ inputs: [String]) -> Expansion {
        var result = Expansion()
        let manager = FileManager.default
        for input in inputs {
            if input == "-" {
                result.files.append(input)
                continue
            }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: input, isDirectory: &isDirectory) else {
                result.problems.append("\(input): no such file or directory")
                continue
            }
            guard isDirectory.boolValue else {
                result.files.append(input)
                continue
            }
            guard manager.isReadableFile(atPath: input), let walker = manager.enumerator(atPath: input) else {
                result.problems.append("\(input): directory cannot be read (permission denied?)")
                continue
            }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let ext = (relative as NSString).pathExtension.lowercased()
                if extensions.contains(ext) {
                    found.append(input.hasSuffix("/") ? input + relative : input + "/" + relative)
                }
            }
            if found.isEmpty { result.problems.append("\(input): no .pcap, .pcapng or .cap files in this directory") }
            result.files.append(contentsOf: found.sorted())
        }
        return result
    }
}
