import Foundation

/// 训练语料 — one labelled example: what a customer wrote, its category, sub-category and whether it is urgent.
public struct TriageExample: Sendable, Equatable {
    public var category: ComplaintCategory
    public var subcategory: String?
    public var urgent: Bool
    public var context: TriageContext
    public var text: String

    public init(category: ComplaintCategory, subcategory: String?, urgent: Bool, context: TriageContext = TriageContext(),
                text: String) {
        self.category = category
        self.subcategory = subcategory
        self.urgent = urgent
        self.context = context
        self.text = text
    }

    /// Reads the corpus: one example a line, tab-separated `category  sub-category  urgent(0/1)  context  text`;
    /// `-` for no sub-category or context; `#` starts a comment line. Throws naming the first bad line.
    public static func corpus(_ file: String) throws -> [TriageExample] {
        var out: [TriageExample] = []
        for (n, line) in file.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let cols = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard cols.count == 5, let category = ComplaintCategory(rawValue: cols[0]), cols[2] == "0" || cols[2] == "1",
                  !cols[4].trimmingCharacters(in: .whitespaces).isEmpty
            else { throw KesuError(.invalidInput, "Corpus line \(n + 1) is not: category, sub-category, 0/1, context, text.") }
            out.append(TriageExample(
                category: category, subcategory: cols[1] == "-" ? nil : cols[1], urgent: cols[2] == "1",
                context: cols[3] == "-" ? TriageContext() : TriageContext(corpusField: cols[3]), text: cols[4]))
        }
        return out
    }
}

/// 训练 — fits the model to examples: multinomial logistic regression by AdaGrad, examples shuffled from a fixed
/// seed, so the same corpus gives the same weights byte for byte.
public enum TriageTrainer {
    public struct Settings: Sendable {
        public var epochs = 30
        public var learningRate = 0.05
        public var l2 = 1e-4
        public var seed: UInt64 = 16
        /// Chosen with `kesu triage eval`: at 0.35 about 19 in 20 held-out texts get a category, 0.5 leaves one in five.
        public var threshold = 0.35
        public init() {}
    }

    public static func train(_ examples: [TriageExample], settings: Settings = Settings()) -> TriageModel {
        let featureSets = examples.map { TriageFeatures.of($0.text, context: $0.context) }
        let categories = ComplaintCategory.allCases.map(\.rawValue)
        let category = fit(featureSets, labels: examples.map { categories.firstIndex(of: $0.category.rawValue) ?? 0 },
                           classes: categories, settings: settings)
        var parent: [String: String] = [:]
        for e in examples { if let s = e.subcategory { parent[s] = e.category.rawValue } }
        let codes = parent.keys.sorted()
        let labelled = examples.indices.filter { examples[$0].subcategory != nil }
        let sub = fit(labelled.map { featureSets[$0] },
                      labels: labelled.map { codes.firstIndex(of: examples[$0].subcategory ?? "") ?? 0 },
                      classes: codes, settings: settings)
        return TriageModel(category: category, subcategory: sub, parent: parent, threshold: settings.threshold)
    }

    static func fit(_ featureSets: [[String]], labels: [Int], classes: [String], settings: Settings) -> TriageModel.Head {
        var index: [String: Int] = [:]
        var names: [String] = []
        let encoded = featureSets.map { set in
            set.map { f -> Int in
                if let i = index[f] { return i }
                index[f] = names.count
                names.append(f)
                return names.count - 1
            }
        }
        let k = classes.count
        var w = [Double](repeating: 0, count: names.count * k)
        var g2 = [Double](repeating: 1e-8, count: names.count * k)
        var order = Array(encoded.indices)
        var rng = SplitMix64(seed: settings.seed)
        for _ in 0..<settings.epochs {
            order.shuffle(using: &rng)
            for i in order {
                let x = encoded[i]
                var scores = [Double](repeating: 0, count: k)
                for f in x { for c in 0..<k { scores[c] += w[f * k + c] } }
                let p = TriageModel.softmax(scores)
                for f in x {
                    for c in 0..<k {
                        let j = f * k + c
                        let grad = p[c] - (c == labels[i] ? 1 : 0) + settings.l2 * w[j]
                        g2[j] += grad * grad
                        w[j] -= settings.learningRate * grad / g2[j].squareRoot()
                    }
                }
            }
        }
        var weights: [String: [Float]] = [:]
        for (f, name) in names.enumerated() {
            let row = (0..<k).map { Float((w[f * k + $0] * 10_000).rounded() / 10_000) }
            if row.contains(where: { abs($0) >= 0.001 }) { weights[name] = row }
        }
        return TriageModel.Head(classes: classes, weights: weights)
    }
}

/// 评估 — how a model does on examples it was not trained on.
public struct TriageEvaluation: Sendable {
    public let classes: [ComplaintCategory]
    /// confusion[truth][predicted], in `classes` order.
    public private(set) var confusion: [[Int]]
    /// Examples the model was confident about (at or above its threshold), and how many of those it got right.
    public private(set) var confident = 0, confidentRight = 0
    public private(set) var subTotal = 0, subRight = 0

    public init(model: TriageModel, examples: [TriageExample]) {
        classes = ComplaintCategory.allCases
        confusion = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
        for e in examples {
            let s = model.classify(e.text, context: e.context)
            guard let top = s.ranked.first, let t = classes.firstIndex(of: e.category),
                  let p = classes.firstIndex(of: top.category) else { continue }
            confusion[t][p] += 1
            if s.category != nil {
                confident += 1
                if top.category == e.category { confidentRight += 1 }
            }
            if let truth = e.subcategory, top.category == e.category {
                subTotal += 1
                if s.subcategory == truth { subRight += 1 }
            }
        }
    }

    public var total: Int { confusion.joined().reduce(0, +) }
    public var accuracy: Double { ratio(classes.indices.reduce(0) { $0 + confusion[$1][$1] }, total) }
    public func precision(_ c: Int) -> Double { ratio(confusion[c][c], confusion.reduce(0) { $0 + $1[c] }) }
    public func recall(_ c: Int) -> Double { ratio(confusion[c][c], confusion[c].reduce(0, +)) }

    /// Deterministic split: every fifth example of each category (by its position) is held out.
    public static func split(_ examples: [TriageExample]) -> (train: [TriageExample], heldOut: [TriageExample]) {
        var seen: [ComplaintCategory: Int] = [:]
        var train: [TriageExample] = [], held: [TriageExample] = []
        for e in examples {
            let n = seen[e.category, default: 0]
            seen[e.category] = n + 1
            if n % 5 == 4 { held.append(e) } else { train.append(e) }
        }
        return (train, held)
    }

    func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}
