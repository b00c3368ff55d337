import Dispatch
import Foundation
import SwiftASN1
@_spi(DisableValidityCheck) @_spi(FixedExpiryValidationTime) import X509

/// RFC 5280 path validation (swift-certificates' `RFC5280Policy`), declaring as handled the
/// critical extensions this module checks itself — SAN (hostname check) and EKU (usage check) —
/// so that a critical SAN or EKU does not make an otherwise valid chain unbuildable.
struct AuditPathPolicy: VerifierPolicy, Sendable {
    let rfc5280: RFC5280Policy

    /// `validationTime` nil: validity is not checked (the time-independent verification that is cached).
    init(validationTime: Date?) {
        if let validationTime {
            rfc5280 = RFC5280Policy(fixedExpiryValidationTime: validationTime)
        } else {
            rfc5280 = RFC5280Policy.withValidityCheckDisabled()
        }
    }

    var verifyingCriticalExtensions: [ASN1ObjectIdentifier] {
        rfc5280.verifyingCriticalExtensions + [
            .X509ExtensionID.subjectAlternativeName, .X509ExtensionID.extendedKeyUsage,
        ]
    }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        rfc5280.chainMeetsPolicyRequirements(chain: chain)
    }
}

/// What swift-certificates' Verifier concluded about one chain.
struct PathVerdict: Sendable {
    /// The validated path, leaf first, ending in a trust anchor; nil when none was found.
    var path: [Certificate]?
    /// Policy failures of candidate paths that reached an anchor (why they were rejected).
    var policyFailures: [String]
}

enum PathVerifier {
    /// Runs `Verifier.validate` and waits for it. Bounded input: callers pass at most
    /// `CertificateAuditor.maxPathCertificates` intermediates.
    static func verify(
        leaf: Certificate, intermediates: [Certificate], anchors: CertificateStore, validationTime: Date?
    ) -> PathVerdict {
        let policy = AuditPathPolicy(validationTime: validationTime)
        return runBlocking {
            var verifier = Verifier(rootCertificates: anchors) { policy }
            let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
            switch result {
            case .validCertificate(let chain):
                return PathVerdict(path: Array(chain), policyFailures: [])
            case .couldNotValidate(let failures):
                return PathVerdict(
                    path: nil,
                    policyFailures: failures.map { String($0.policyFailureReason.description.prefix(300)) })
            }
        }
    }

    /// The Verifier API is async but, with in-memory certificate stores and synchronous policies,
    /// never waits on anything. Its task runs on a dedicated thread so that a caller blocking here
    /// never starves Swift's cooperative pool (the caller may itself be running on it).
    static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *) {
            Task(executorPreference: VerifierThread.shared) {
                box.set(await body())
            }
        } else {
            Task.detached { box.set(await body()) }
        }
        return box.wait()
    }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: T?

    func set(_ newValue: T) {
        value = newValue
        semaphore.signal()
    }

    func wait() -> T {
        semaphore.wait()
        // The semaphore orders the write in `set` before this read.
        guard let value else { preconditionFailure("ResultBox signalled without a value") }
        return value
    }
}

/// A task executor backed by one long-lived thread (jobs run in FIFO order).
@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, visionOS 2.0, *)
final class VerifierThread: TaskExecutor, @unchecked Sendable {
    static let shared = VerifierThread()

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init() {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "tlsflow.certificate-verifier"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// swift-certificates' RFC 6125 check (`ServerIdentityPolicy`) of the leaf alone. The wrapper
/// declares the leaf's other critical extensions handled: this question is only about names.
struct IdentityOnlyPolicy: VerifierPolicy, Sendable {
    var identity: ServerIdentityPolicy
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier]

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        identity.chainMeetsPolicyRequirements(chain: chain)
    }
}

extension PathVerifier {
    /// Whether the leaf is valid for `hostname` / `ip` per swift-certificates (which, note, falls
    /// back to the CN when the leaf has no SAN at all).
    static func identityMatches(leaf: Certificate, hostname: String?, ip: String?) -> Bool {
        let critical = leaf.extensions.filter(\.critical).map(\.oid)
        let policy = IdentityOnlyPolicy(
            identity: ServerIdentityPolicy(serverHostname: hostname, serverIP: ip),
            verifyingCriticalExtensions: critical)
        return runBlocking {
            // The leaf as its own root: the Verifier then only applies the policy to [leaf].
            var verifier = Verifier(rootCertificates: CertificateStore([leaf])) { policy }
            if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) {
                return true
            }
            return false
        }
    }
}
