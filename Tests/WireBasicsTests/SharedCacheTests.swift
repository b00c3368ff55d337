import Testing
import WireBasics

@Suite struct SharedCacheTests {
    @Test func storesAndEmptiesWhenFull() {
        let cache = SharedCache<String, Int>(capacity: 2)
        #expect(cache.lookup("a") == nil)
        cache.store("a", 1)
        cache.store("b", 2)
        #expect(cache.lookup("a") == 1)
        #expect(cache.lookup("b") == 2)
        // Full: the next store starts over, so memory never grows past the capacity.
        cache.store("c", 3)
        #expect(cache.lookup("a") == nil)
        #expect(cache.lookup("b") == nil)
        #expect(cache.lookup("c") == 3)
    }

    @Test func sharedByThreads() async {
        let cache = SharedCache<Int, Int>(capacity: 64)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<2_000 {
                        let key = (i + worker) % 100
                        if let value = cache.lookup(key) {
                            #expect(value == key * 2)
                        } else {
                            cache.store(key, key * 2)
                        }
                    }
                }
            }
        }
    }
}
