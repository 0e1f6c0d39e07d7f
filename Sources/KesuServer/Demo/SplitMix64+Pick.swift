import KesuCore

extension SplitMix64 {
    /// One element of a non-empty list of demo words.
    mutating func pick<T>(_ list: [T]) -> T {
        list[Int.random(in: 0..<list.count, using: &self)]
    }
}
