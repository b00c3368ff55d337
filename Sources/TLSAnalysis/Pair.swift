/// Two small values indexed 0 and 1 (by `Direction.rawValue`, or client 0 / server 1), stored
/// inline: as arrays, each of the analyser's per-side flags was a heap allocation per connection.
/// (The per-direction decoding state stays an array: it is large, and array addressors mutate
/// it in place more cheaply than yielding it from a struct.)
struct Pair<Element> {
    var first: Element
    var second: Element

    init(_ first: Element, _ second: Element) {
        self.first = first
        self.second = second
    }

    subscript(index: Int) -> Element {
        // Both accessors yield the stored value in place: reading one field must not copy the
        // whole element, and mutating through a copy would make its arrays non-unique and
        // force copy-on-write.
        _read {
            precondition(index == 0 || index == 1, "Pair index out of range")
            if index == 0 {
                yield first
            } else {
                yield second
            }
        }
        _modify {
            precondition(index == 0 || index == 1, "Pair index out of range")
            if index == 0 {
                yield &first
            } else {
                yield &second
            }
        }
    }

    mutating func swapAt(_ i: Int, _ j: Int) {
        guard i != j else { return }
        swap(&first, &second)
    }

    func contains(where predicate: (Element) -> Bool) -> Bool { predicate(first) || predicate(second) }
}
