#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Values already worked out, by their inputs, shared by the analysis threads (so behind a
/// lock) and emptied when full: a capture of endlessly varied inputs only loses the reuse, never
/// memory. Used for fingerprints and hello profiles, which a client or server stack repeats on
/// every connection.
///
/// Inlinable so that each user's dictionary code is specialised for its key: called
/// generically from another module, the lookups cost more than the work they saved.
public final class SharedCache<Key: Hashable, Value>: @unchecked Sendable {
    /// Allocated, so its address is stable (a stored mutex's address is not guaranteed).
    @usableFromInline let lock: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline var values: [Key: Value] = [:]
    @usableFromInline let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    @inlinable
    public func lookup(_ key: Key) -> Value? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return values[key]
    }

    @inlinable
    public func store(_ key: Key, _ value: Value) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if values.count >= capacity { values.removeAll(keepingCapacity: true) }
        values[key] = value
    }
}
