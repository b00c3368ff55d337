import TLSWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A hello's inputs to a profile, serialised into a caller's buffer: a version, the suites (the
/// ClientHello's list after its length; the ServerHello's one suite), the extension types in
/// order after their count, each followed by its body (after its length) when the profile
/// decodes that type, and for ClientHellos the key share groups after their count. The layout is unambiguous, so equal keys mean equal inputs and equal profiles,
/// whatever the bodies hold (malformed ones decode to the same empty lists again).
struct HelloKey {
    /// Keys past this size are not cached: hostile hellos must not fill memory through the
    /// cache, and real stacks stay far below it (Chrome's hello gives about 150 bytes).
    static let limit = 1024

    private let out: UnsafeMutableRawBufferPointer
    private var count = 0
    private var overflowed = false

    init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

    /// The key; nil when it would not fit in the buffer (such hellos are not cached).
    var bytes: UnsafeRawBufferPointer? {
        overflowed ? nil : UnsafeRawBufferPointer(rebasing: out[..<count])
    }

    mutating func put(_ value: UInt16) {
        guard out.count &- count >= 2 else {
            overflowed = true
            return
        }
        out[count] = UInt8(truncatingIfNeeded: value >> 8)
        out[count &+ 1] = UInt8(truncatingIfNeeded: value)
        count &+= 2
    }

    /// A length, then the bytes.
    mutating func put(bytes: ArraySlice<UInt8>) {
        guard bytes.count <= Self.limit else {
            overflowed = true
            return
        }
        put(UInt16(truncatingIfNeeded: bytes.count))
        guard out.count &- count >= bytes.count else {
            overflowed = true
            return
        }
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(rebasing: out[count...]).copyMemory(from: source)
        }
        count &+= bytes.count
    }

    /// Room for a count written once known (`setCount`); returns where it goes.
    mutating func putCountPlaceholder() -> Int {
        let at = count
        put(0)
        return at
    }

    mutating func setCount(_ value: UInt16, at position: Int) {
        guard !overflowed, position &+ 2 <= count else { return }
        out[position] = UInt8(truncatingIfNeeded: value >> 8)
        out[position &+ 1] = UInt8(truncatingIfNeeded: value)
    }

    /// The groups of a client key_share as `ClientHello.keyShareGroups` reads them, after their
    /// count; a count of 0 when the extension is absent or malformed (both report no groups).
    mutating func putClientKeyShareGroups(_ ext: TLSExtension?) {
        let countAt = putCountPlaceholder()
        guard let ext, !overflowed else { return }
        var groups: UInt16 = 0
        do {
            try ExtensionDecoders.forEachClientKeyShareGroup(ext) { group in
                put(group)
                groups &+= 1
            }
        } catch {
            count = countAt &+ 2
            return
        }
        setCount(groups, at: countAt)
    }
}

/// Hello profiles by `HelloKey`, shared by the analysis threads (so behind a lock). A fixed
/// table of `slotCount` entries, each key in the slot its hash picks, the latest one winning:
/// the cache never holds more than `slotCount` keys, and a capture of endlessly varied (or
/// deliberately colliding) hellos only loses the reuse. A hit compares the whole key, so a
/// profile is only ever reused for identical inputs. The hash is a fast unkeyed one: nothing
/// chains on it, so collisions cost a miss, never a longer search.
final class HelloProfileCache<Profile: AnyObject & Sendable>: @unchecked Sendable {
    static var slotCount: Int { 1024 }

    /// Allocated, so its address is stable (a stored mutex's address is not guaranteed).
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    // Behind `let` pointers: a class's stored `var` costs a dynamic exclusivity check per access.
    private let hashes: UnsafeMutablePointer<UInt64>
    private let keys: UnsafeMutablePointer<[UInt8]>
    private let profiles: UnsafeMutablePointer<Profile?>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
        hashes = .allocate(capacity: Self.slotCount)
        hashes.initialize(repeating: 0, count: Self.slotCount)
        keys = .allocate(capacity: Self.slotCount)
        keys.initialize(repeating: [], count: Self.slotCount)
        profiles = .allocate(capacity: Self.slotCount)
        profiles.initialize(repeating: nil, count: Self.slotCount)
    }

    deinit {
        profiles.deinitialize(count: Self.slotCount)
        profiles.deallocate()
        keys.deinitialize(count: Self.slotCount)
        keys.deallocate()
        hashes.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// The profile stored for `key`, or `make()`'s, which is stored (made outside the lock: it
    /// is the slow part).
    func profile(for key: UnsafeRawBufferPointer, make: () -> Profile) -> Profile {
        let hash = Self.hash(key)
        let slot = Int(truncatingIfNeeded: hash % UInt64(Self.slotCount))
        pthread_mutex_lock(lock)
        if hashes[slot] == hash, let profile = profiles[slot], Self.equal(keys[slot], key) {
            pthread_mutex_unlock(lock)
            return profile
        }
        pthread_mutex_unlock(lock)
        let profile = make()
        let stored = [UInt8](key)
        pthread_mutex_lock(lock)
        hashes[slot] = hash
        keys[slot] = stored
        profiles[slot] = profile
        pthread_mutex_unlock(lock)
        return profile
    }

    private static func equal(_ stored: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == key.count else { return false }
        return stored.withUnsafeBytes { stored in
            guard let a = stored.baseAddress, let b = key.baseAddress else { return stored.isEmpty }
            return memcmp(a, b, key.count) == 0
        }
    }

    /// Eight bytes per step, multiplied and folded (the keys are a few hundred bytes at most).
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: bytes.count) &* multiplier
        var i = 0
        while bytes.count &- i >= 8 {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* multiplier
            h ^= h >> 29
            i &+= 8
        }
        var tail: UInt64 = 0
        while i < bytes.count {
            tail = tail << 8 | UInt64(bytes[i])
            i &+= 1
        }
        h = (h ^ tail) &* multiplier
        return h ^ h >> 32
    }
}
