import Foundation
import Testing

@testable import TLSWire

/// Decodes the later plaintext handshake messages of every public capture with the version
/// and key exchange that its ServerHello negotiated, and checks the number of certificates
/// against tshark's tls.handshake.certificate_length values in the oracle TSV.
struct PublicCaptureMessagesTests {
    struct Result {
        var certificates = 0
        var keyExchanges = 0
        var tickets = 0
        var requests = 0
        var errors: [String] = []
    }

    static func decode(_ capture: String) throws -> Result {
        let streams = try Captures.streams(capture)
        var serverHellos: [Captures.Flow: ServerHello] = [:]
        for (flow, bytes) in streams {
            if let hello = Captures.serverHellos(bytes).first { serverHellos[flow] = hello }
        }
        var result = Result()
        for (flow, bytes) in streams {
            // The ServerHello of this connection is in this flow or the reverse one.
            guard let hello = serverHellos[flow] ?? serverHellos[flow.reversed] else { continue }
            let version = hello.negotiatedVersion
            let tls13 = version.isTLS13Variant
            for message in Captures.handshakeMessages(bytes) {
                do {
                    switch message.type {
                    case .certificate:
                        result.certificates += try CertificateMessage(parsing: message.body, tls13: tls13).entries.count
                    case .serverKeyExchange:
                        let ske = try ServerKeyExchange(
                            parsing: message.body, keyExchange: hello.cipherSuite.keyExchange, version: version)
                        if ske.group != nil || ske.dhPrimeBits != nil { result.keyExchanges += 1 }
                    case .newSessionTicket:
                        _ = try NewSessionTicket(parsing: message.body, tls13: tls13)
                        result.tickets += 1
                    case .certificateRequest:
                        _ = try CertificateRequest(parsing: message.body, version: version)
                        result.requests += 1
                    case .certificateVerify:
                        _ = try CertificateVerify(parsing: message.body, version: version)
                    case .serverHelloDone:
                        if !message.body.isEmpty { result.errors.append("\(flow) ServerHelloDone not empty") }
                    default: break
                    }
                } catch {
                    result.errors.append("\(capture) \(flow) \(message.type.displayName): \(error)")
                }
            }
        }
        return result
    }

    static let fragmentedHandshake = "zeek/tls-fragmented-handshake.pcap"

    static func oracleCertificateCount(_ capture: String) throws -> Int {
        let text = try String(contentsOf: Captures.url(capture + ".tshark.tsv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false),
            let column = header.firstIndex(where: { $0 == "tls.handshake.certificate_length" })
        else { return 0 }
        return lines.dropFirst().reduce(0) { total, line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard column < fields.count else { return total }
            return total + fields[column].split(separator: ",").count
        }
    }

    @Test func laterMessagesDecodeAndCertificatesMatchTshark() throws {
        var certificates = 0
        var oracleCertificates = 0
        var keyExchanges = 0
        var tickets = 0
        var requests = 0
        var errors: [String] = []
        var mismatched: [String] = []
        for capture in PublicCaptureSweepTests.captures() {
            let result = try Self.decode(capture)
            errors += result.errors
            let rows = try Self.oracleCertificateCount(capture)
            // Certificates inside SSLv2 SERVER-HELLOs are not handshake messages.
            let sslv2 = ["zeek/ssl-v2.pcap", "ndpi/google_ssl.pcap", "zeek/ssl.v3.pcap", "arkime/pppoe.pcap"]
            if !PublicCaptureSweepTests.knownDifferences.contains(capture) && !sslv2.contains(capture)
                && capture != Self.fragmentedHandshake
            {
                certificates += result.certificates
                oracleCertificates += max(rows, 0)
                if result.certificates != max(rows, 0) {
                    mismatched.append("\(capture): ours \(result.certificates), tshark \(rows)")
                }
            }
            keyExchanges += result.keyExchanges
            tickets += result.tickets
            requests += result.requests
        }
        print(
            "Messages: \(certificates)/\(oracleCertificates) certificates as tshark; \(keyExchanges) ECDHE/DHE key exchanges, \(tickets) tickets, \(requests) certificate requests decoded"
        )
        for m in mismatched { print("  certificates differ: \(m)") }
        // tshark flags this one too: "Vector length 3820 is too large, truncating it to 253".
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("zeek/tls1.2-protocol-violation.pcap") == true)
        #expect(
            errors.first?.contains("certificate_list at offset 0 declares length 3820 but only 253 bytes follow")
                == true)
        // tshark 4.0 does not reassemble this Certificate from its many small records; we do.
        #expect(try Self.decode(Self.fragmentedHandshake).certificates == 1)
        #expect(keyExchanges > 10)
        #expect(tickets > 5)
        #expect(requests > 0)
        #expect(certificates > 100)
        #expect(mismatched == [])
    }
}
