import Testing

@testable import TLSWire

struct CertificateMessageTests {
    static let certA: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x01]
    static let certB: [UInt8] = [0x30, 0x03, 0x02, 0x01, 0x02]

    @Test func tls12List() throws {
        let list = u24(Self.certA.count) + Self.certA + u24(Self.certB.count) + Self.certB
        let body = u24(list.count) + list
        let message = try CertificateMessage(parsing: body, tls13: false)
        #expect(message.certificates == [Self.certA, Self.certB])
        #expect(!message.isTLS13)
        #expect(try CertificateMessage(parsing: u24(0), tls13: false).certificates.isEmpty)
    }

    @Test func tls13EntriesWithExtensions() throws {
        let entry = u24(Self.certA.count) + Self.certA + u16(6) + u16(5) + u16(2) + [1, 0]
        let body = [1, 0xaa] + u24(entry.count) + entry
        let message = try CertificateMessage(parsing: body, tls13: true)
        #expect(message.requestContext == [0xaa])
        #expect(message.entries.first?.extensions.first?.type == .statusRequest)
        #expect(message.certificates == [Self.certA])
    }

    @Test func malformedLengths() {
        let inner = u24(10) + Self.certA
        #expect(throws: DecodeError(field: "ASN.1Cert", offset: 3, kind: .lengthOverrun(declared: 10, available: 5))) {
            try CertificateMessage(parsing: u24(inner.count) + inner, tls13: false)
        }
        #expect(
            throws: DecodeError(field: "certificate_list", offset: 0, kind: .lengthOverrun(declared: 100, available: 8))
        ) {
            try CertificateMessage(parsing: u24(100) + u24(5) + Self.certA, tls13: false)
        }
        #expect(throws: DecodeError(field: "ASN.1Cert", offset: 3, kind: .empty)) {
            try CertificateMessage(parsing: u24(3) + u24(0), tls13: false)
        }
        #expect(throws: DecodeError.self) {
            try CertificateMessage(parsing: u24(8) + u24(5) + Self.certA + [0], tls13: false)
        }
        // TLS 1.3 entry whose extension block runs past the list.
        let entry = u24(Self.certA.count) + Self.certA + u16(9)
        #expect(throws: DecodeError.self) {
            try CertificateMessage(parsing: [0] + u24(entry.count) + entry, tls13: true)
        }
    }
}

struct CertificateRequestTests {
    @Test func tls12And10Forms() throws {
        let dn: [UInt8] = [0x30, 0x00]
        let cas = u16(dn.count) + dn
        let body12 = [2, 1, 64] + u16(4) + u16(0x0401) + u16(0x0403) + u16(cas.count) + cas
        let request = try CertificateRequest(parsing: body12, version: .tls12)
        #expect(request.certificateTypes == [1, 64])
        #expect(request.signatureAlgorithmsList == [SignatureScheme(0x0401), SignatureScheme(0x0403)])
        #expect(request.certificateAuthorities == [dn])
        let body10 = [1, 1] + u16(0)
        let request10 = try CertificateRequest(parsing: body10, version: .tls10)
        #expect(request10.signatureAlgorithmsList.isEmpty)
        #expect(throws: DecodeError.self) { try CertificateRequest(parsing: body10, version: .tls12) }
        #expect(throws: DecodeError(field: "certificate_types", offset: 0, kind: .empty)) {
            try CertificateRequest(parsing: [0] + u16(0), version: .tls10)
        }
    }

    @Test func tls13Form() throws {
        let sig = u16(4) + u16(0x0804) + u16(0x0403)
        let dn: [UInt8] = [0x30, 0x00]
        let authorities = u16(dn.count + 2) + u16(dn.count) + dn
        let exts = HelloBuilder.extensionBlock([(0x000d, sig), (0x002f, authorities)])
        let request = try CertificateRequest(parsing: [0] + exts, version: .tls13)
        #expect(request.requestContext.isEmpty)
        #expect(request.signatureAlgorithmsList == [SignatureScheme(0x0804), SignatureScheme(0x0403)])
        #expect(request.certificateAuthorities == [dn])
        #expect(throws: DecodeError.self) { try CertificateRequest(parsing: [0] + exts + [1], version: .tls13) }
    }
}

struct ServerKeyExchangeTests {
    @Test func ecdheNamedCurveWithSignature() throws {
        let point = [UInt8](repeating: 4, count: 32)
        let body = [3] + u16(29) + [UInt8(point.count)] + point + u16(0x0804) + u16(3) + [1, 2, 3]
        let ske = try ServerKeyExchange(parsing: body, keyExchange: .ecdhe, version: .tls12)
        #expect(ske.group == .x25519)
        #expect(ske.signatureScheme == SignatureScheme(0x0804))
        #expect(ske.signature == [1, 2, 3])
        let old = [3] + u16(23) + [1, 4] + u16(2) + [9, 9]
        let ske10 = try ServerKeyExchange(parsing: old, keyExchange: .ecdhe, version: .tls10)
        #expect(ske10.group == .secp256r1)
        #expect(ske10.signatureScheme == nil)
        #expect(ske10.signature == [9, 9])
    }

    @Test func dhePrimeBits() throws {
        let prime = [0xff] + [UInt8](repeating: 0xab, count: 255)
        let body = u16(prime.count) + prime + u16(1) + [2] + u16(1) + [5]
        let ske = try ServerKeyExchange(parsing: body, keyExchange: .dhe, version: .tls12)
        #expect(ske.dhPrimeBits == 2048)
        let padded = [0x00, 0x01] + [UInt8](repeating: 0, count: 127)
        let body2 = u16(padded.count) + padded + u16(1) + [2] + u16(1) + [5]
        #expect(try ServerKeyExchange(parsing: body2, keyExchange: .dhe, version: .tls12).dhPrimeBits == 1017)
        #expect(throws: DecodeError(field: "dh_g", offset: 258, kind: .empty)) {
            try ServerKeyExchange(parsing: u16(prime.count) + prime + u16(0), keyExchange: .dhe, version: .tls12)
        }
    }

    @Test func otherForms() throws {
        let explicit = try ServerKeyExchange(parsing: [1, 0, 0], keyExchange: .ecdhe, version: .tls12)
        #expect(explicit.parameters == .explicitCurve(curveType: 1))
        let psk = try ServerKeyExchange(
            parsing: u16(2) + [0x61, 0x62] + [3] + u16(29) + [1, 4], keyExchange: .ecdhePSK, version: .tls12)
        #expect(psk.pskIdentityHint == [0x61, 0x62])
        #expect(psk.group == .x25519)
        #expect(psk.signature == nil)
        let rsa = try ServerKeyExchange(parsing: [1, 2, 3], keyExchange: .rsa, version: .tls10)
        #expect(rsa.parameters == .opaque([1, 2, 3]))
        #expect(throws: DecodeError.self) {
            try ServerKeyExchange(parsing: [3] + u16(29) + [5, 1], keyExchange: .ecdhe, version: .tls12)
        }
        #expect(throws: DecodeError.self) { try ServerKeyExchange(parsing: [7], keyExchange: .ecdhe, version: .tls12) }
    }
}

struct OtherMessageTests {
    @Test func newSessionTickets() throws {
        let t12 = try NewSessionTicket(parsing: [0, 0, 0x1c, 0x20] + u16(3) + [1, 2, 3], tls13: false)
        #expect(t12.lifetime == 7200)
        #expect(t12.ticket == [1, 2, 3])
        #expect(try NewSessionTicket(parsing: [0, 0, 0, 0] + u16(0), tls13: false).ticket.isEmpty)
        let ext = HelloBuilder.extensionBlock([(0x002a, [0, 0, 0x40, 0])])
        let body13 = [0, 0, 0x0e, 0x10, 1, 2, 3, 4] + [1, 0] + u16(2) + [7, 7] + ext
        let t13 = try NewSessionTicket(parsing: body13, tls13: true)
        #expect(t13.lifetime == 3600)
        #expect(t13.ageAdd == 0x0102_0304)
        #expect(t13.nonce == [0])
        #expect(t13.ticket == [7, 7])
        #expect(t13.maxEarlyDataSize == 16384)
        #expect(throws: DecodeError.self) {
            try NewSessionTicket(parsing: [0, 0, 0, 0, 1, 2, 3, 4, 0] + u16(0) + u16(0), tls13: true)
        }
        #expect(throws: DecodeError.self) { try NewSessionTicket(parsing: [0, 0, 0, 0] + u16(5) + [1], tls13: false) }
    }

    @Test func encryptedExtensions() throws {
        let ee = try EncryptedExtensions(parsing: HelloBuilder.extensionBlock([Ext.alpn("h2"), (0x0000, [])]))
        #expect(try ee.alpnProtocol() == "h2")
        #expect(ee.has(.serverName))
        #expect(try EncryptedExtensions(parsing: u16(0)).extensions.isEmpty)
        #expect(throws: DecodeError.self) { try EncryptedExtensions(parsing: u16(4) + u16(16)) }
    }

    @Test func finishedVerifyKeyUpdate() throws {
        #expect(try Finished(parsing: [UInt8](repeating: 1, count: 12)).verifyData.count == 12)
        #expect(throws: DecodeError(field: "verify_data", offset: 0, kind: .empty)) { try Finished(parsing: []) }
        let cv = try CertificateVerify(parsing: u16(0x0804) + u16(2) + [1, 2])
        #expect(cv.signatureScheme == SignatureScheme(0x0804))
        #expect(cv.signature == [1, 2])
        #expect(try CertificateVerify(parsing: u16(2) + [1, 2], version: .tls10).signatureScheme == nil)
        #expect(throws: DecodeError.self) { try CertificateVerify(parsing: u16(0x0804) + u16(3) + [1, 2]) }
        #expect(try KeyUpdate(parsing: [1]).updateRequested)
        #expect(try !KeyUpdate(parsing: [0]).updateRequested)
        #expect(throws: DecodeError.self) { try KeyUpdate(parsing: [2]) }
        #expect(throws: DecodeError.self) { try KeyUpdate(parsing: [0, 0]) }
    }

    @Test func alertsAndChangeCipherSpec() throws {
        let alert = try Alert(parsing: [2, 40])
        #expect(alert.level == .fatal)
        #expect(alert.alertDescription == .handshakeFailure)
        #expect(alert.description == "fatal handshake_failure")
        #expect(try Alert(parsing: [1, 0]).alertDescription.name == "close_notify")
        #expect(throws: DecodeError(field: "alert description", offset: 1, kind: .truncated(needed: 1, available: 0))) {
            try Alert(parsing: [2])
        }
        #expect(throws: DecodeError(field: "Alert", offset: 2, kind: .trailingBytes(count: 1))) {
            try Alert(parsing: [2, 40, 0])
        }
        #expect(throws: Never.self) { try ChangeCipherSpec(parsing: [1]) }
        #expect(throws: DecodeError.self) { try ChangeCipherSpec(parsing: [2]) }
        #expect(throws: DecodeError.self) { try ChangeCipherSpec(parsing: []) }
    }
}
