#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sequential access to the bytes of a capture. Regular files are memory-mapped, so a frame is a
/// view into the mapping; pipes and standard input go through one growing buffer that is
/// compacted in place, so neither path allocates per frame.
final class ByteSource {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    /// Window of valid bytes is base[start..<end].
    private var start = 0
    private var end = 0
    /// File offset of base[0].
    private var baseOffset = 0
    private let fd: Int32
    private let mappedLength: Int
    private var atEOF: Bool
    private(set) var readError: String?

    /// Opens `path` ("-" is standard input). Throws the user-facing reasons a capture cannot be read.
    init(path: String) throws {
        if path == "-" {
            fd = 0
            mappedLength = 0
            atEOF = false
            capacity = Self.streamChunk
            base = UnsafeMutableRawPointer.allocate(byteCount: Self.streamChunk, alignment: 16)
            return
        }
        let opened = open(path, O_RDONLY)
        if opened < 0 {
            let code = errno
            let reason: String
            switch code {
            case ENOENT: reason = "no such file"
            case EACCES, EPERM: reason = "permission denied"
            case EISDIR: reason = "is a directory, not a capture file"
            default: reason = "cannot open (\(String(cString: strerror(code))))"
            }
            throw CaptureReadError(path: path, reason: reason)
        }
        var info = stat()
        if fstat(opened, &info) != 0 {
            let code = errno
            close(opened)
            throw CaptureReadError(path: path, reason: "cannot inspect file (\(String(cString: strerror(code))))")
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR {
            close(opened)
            throw CaptureReadError(path: path, reason: "is a directory, not a capture file")
        }
        fd = opened
        if kind == S_IFREG {
            let size = Int(info.st_size)
            if size == 0 {
                close(opened)
                throw CaptureReadError(path: path, reason: "is empty (0 bytes), not a capture file")
            }
            let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, opened, 0)
            if let mapping, mapping != MAP_FAILED {
                _ = madvise(mapping, size, MADV_SEQUENTIAL)
                base = mapping
                mappedLength = size
                capacity = size
                end = size
                atEOF = true
                return
            }
        }
        mappedLength = 0
        atEOF = false
        capacity = Self.streamChunk
        base = UnsafeMutableRawPointer.allocate(byteCount: Self.streamChunk, alignment: 16)
    }

    private static let streamChunk = 1 << 20

    deinit {
        if mappedLength > 0 {
            munmap(base, mappedLength)
        } else {
            base.deallocate()
        }
        if fd > 0 { close(fd) }
    }

    /// File offset of the next unconsumed byte.
    var offset: Int { baseOffset &+ start }

    var available: Int { end &- start }

    /// Pointer to the next unconsumed byte; valid until the next `ensure`.
    var current: UnsafeRawPointer { UnsafeRawPointer(base).advanced(by: start) }

    /// Makes at least `count` bytes available. False when the input ends first (or fails).
    @inline(__always)
    func ensure(_ count: Int) -> Bool {
        if end &- start >= count { return true }
        return refill(count)
    }

    @inline(__always)
    func consume(_ count: Int) {
        // The bytes just consumed are still in use (the frame is handed out after this), so the
        // release stops where they begin.
        let inUse = start
        start = min(start &+ count, end)
        if mappedLength > 0, inUse &- released >= Self.releaseChunk { releaseConsumed(before: inUse) }
    }

    /// Bytes of the mapping before this offset have been handed back to the kernel.
    private(set) var released = 0
    private static let releaseChunk = 8 << 20

    /// Drops the consumed part of a mapped file from this process's memory. Pages of a read-only
    /// private mapping that were never written come back from the file if touched again, so
    /// this only bounds resident memory (otherwise it grows with the file) and never changes
    /// what is read.
    private func releaseConsumed(before offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let upTo = (offset / page) * page
        guard page > 0, upTo > released else { return }
        _ = madvise(base.advanced(by: released), upTo &- released, MADV_DONTNEED)
        released = upTo
    }

    private func refill(_ count: Int) -> Bool {
        if atEOF { return false }
        // Compact, then grow if the request cannot fit.
        let remaining = end &- start
        if start > 0 {
            if remaining > 0 { memmove(base, base.advanced(by: start), remaining) }
            baseOffset &+= start
            start = 0
            end = remaining
        }
        if count > capacity {
            let newCapacity = max(count, capacity &* 2)
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            if end > 0 { grown.copyMemory(from: base, byteCount: end) }
            base.deallocate()
            base = grown
            capacity = newCapacity
        }
        while end &- start < count {
            let got = read(fd, base.advanced(by: end), capacity &- end)
            if got > 0 {
                end &+= got
            } else if got == 0 {
                atEOF = true
                return false
            } else if errno == EINTR {
                continue
            } else {
                readError = String(cString: strerror(errno))
                atEOF = true
                return false
            }
        }
        return true
    }
}
