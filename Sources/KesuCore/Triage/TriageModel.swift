import Foundation

/// 智能分类 — a linear model over a complaint's features that names its category and sub-category, each with a
/// confidence. Its weights come from `kesu triage train` and ship as a text file; reading one is all it needs, so it
/// runs anywhere, offline, in microseconds.
public struct TriageModel: Sendable {
    /// One softmax layer: a weight per (feature, class).
    public struct Head: Sendable {
        public let classes: [String]
        let weights: [String: [Float]]

        init(classes: [String], weights: [String: [Float]]) {
            self.classes = classes
            self.weights = weights
        }

        /// Each class's probability for these features, in `classes` order.
        func probabilities(_ features: [String]) -> [Double] {
            var scores = [Double](repeating: 0, count: classes.count)
            for f in features {
                guard let w = weights[f] else { continue }
                for k in scores.indices { scores[k] += Double(w[k]) }
            }
            return TriageModel.softmax(scores)
        }
    }

    public let category: Head
    public let subcategory: Head
    /// Each sub-category's category.
    public let parent: [String: String]
    /// Below this confidence the complaint waits in "needs triage" instead of being guessed.
    public var threshold: Double

    public init(category: Head, subcategory: Head, parent: [String: String], threshold: Double = 0.5) {
        self.category = category
        self.subcategory = subcategory
        self.parent = parent
        self.threshold = threshold
    }

    /// The model's answer for `text`.
    public func classify(_ text: String, context: TriageContext = TriageContext()) -> TriageSuggestion {
        let features = TriageFeatures.of(text, context: context)
        let p = category.probabilities(features)
        let ranked = zip(category.classes, p).compactMap { name, prob in
            ComplaintCategory(rawValue: name).map { TriageSuggestion.Ranked(category: $0, confidence: prob) }
        }.sorted { $0.confidence > $1.confidence }
        var suggestion = TriageSuggestion(ranked: ranked, threshold: threshold)
        if let top = ranked.first {
            let q = subcategory.probabilities(features)
            let inside = zip(subcategory.classes, q).filter { parent[$0.0] == top.category.rawValue }
            let total = inside.reduce(0) { $0 + $1.1 }
            if let best = inside.max(by: { $0.1 < $1.1 }), total > 0 {
                suggestion.subcategory = best.0
                suggestion.subcategoryConfidence = best.1 / total
            }
        }
        return suggestion
    }

    static func softmax(_ scores: [Double]) -> [Double] {
        guard let top = scores.max() else { return [] }
        let e = scores.map { exp($0 - top) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
}

/// What triage proposes for one complaint.
public struct TriageSuggestion: Sendable, Equatable {
    public struct Ranked: Sendable, Equatable {
        public var category: ComplaintCategory
        public var confidence: Double
    }

    /// Every category, most likely first.
    public var ranked: [Ranked]
    public var threshold: Double
    public var subcategory: String?
    /// The sub-category's probability among its category's sub-categories.
    public var subcategoryConfidence: Double = 0

    /// The category to record, or nil when the model is not sure enough and a person should decide.
    public var category: ComplaintCategory? {
        guard let top = ranked.first, top.confidence >= threshold else { return nil }
        return top.category
    }
    public var confidence: Double { ranked.first?.confidence ?? 0 }
    /// The two likeliest, for the agent to confirm one in a click.
    public var topTwo: [Ranked] { Array(ranked.prefix(2)) }
}

extension TriageModel {
    static let header = "kesu-triage-model 1"

    /// The model in its file form: a header, each head's classes and weights, each sub-category's parent.
    public func serialised() -> String {
        var lines = [Self.header, "threshold \(threshold)"]
        for (name, head) in [("category", category), ("subcategory", subcategory)] {
            lines.append("head \(name) " + head.classes.joined(separator: " "))
            for f in head.weights.keys.sorted() {
                guard let w = head.weights[f] else { continue }
                lines.append(f + "\t" + w.map { String(format: "%.4f", $0) }.joined(separator: " "))
            }
        }
        for code in parent.keys.sorted() { lines.append("parent \(code) \(parent[code] ?? "")") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a model file; throws naming the line that is wrong.
    public init(file text: String) throws {
        var heads: [String: Head] = [:]
        var parent: [String: String] = [:]
        var threshold = 0.5
        var current: (name: String, classes: [String])?
        var weights: [String: [Float]] = [:]
        func close() {
            if let current { heads[current.name] = Head(classes: current.classes, weights: weights) }
            weights = [:]
        }
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let bad = KesuError(.invalidInput, "The triage model is damaged at line \(n + 1).")
            if n == 0 {
                guard line == Self.header else { throw bad }
            } else if line.hasPrefix("threshold ") {
                guard let t = Double(line.dropFirst(10)) else { throw bad }
                threshold = t
            } else if line.hasPrefix("head ") {
                close()
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count >= 3 else { throw bad }
                current = (parts[1], Array(parts[2...]))
            } else if line.hasPrefix("parent ") {
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count == 3 else { throw bad }
                parent[parts[1]] = parts[2]
            } else {
                let cols = line.split(separator: "\t")
                guard let current, cols.count == 2 else { throw bad }
                let w = cols[1].split(separator: " ").compactMap { Float($0) }
                guard w.count == current.classes.count else { throw bad }
                weights[String(cols[0])] = w
            }
        }
        close()
        guard let category = heads["category"], let subcategory = heads["subcategory"]
        else { throw KesuError(.invalidInput, "The triage model has no category or sub-category head.") }
        self.init(category: category, subcategory: subcategory, parent: parent, threshold: threshold)
    }
}
