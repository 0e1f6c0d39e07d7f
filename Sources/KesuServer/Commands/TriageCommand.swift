import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// `kesu triage train|eval` — rebuilds the category model from the corpus, or says how well it does on the held-out
/// fifth of it. `train --corrections` adds the categories agents chose (read from the database), so the model
/// learns the company's own words; without it neither command touches a database.
struct TriageCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "train or eval")
        var action: String
        @Option(name: "corpus", help: "The corpus (default: Sources/KesuServer/Triage/corpus.tsv, else the shipped one).")
        var corpus: String?
        @Option(name: "out", help: "Where train writes the model (default: beside the corpus, model.tsv).")
        var out: String?
        @Flag(name: "corrections", help: "train: add the agents' corrections from the database.")
        var corrections: Bool
        init() {}
    }

    var help: String { "Trains or evaluates the triage model: kesu triage train|eval [--corpus FILE] [--out FILE] [--corrections]; kesu triage classify TEXT" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let corrections = signature.corrections
            ? try await TriageCorrectionStore.all(on: context.application.db) : []
        let extra = corrections.compactMap { c in
            ComplaintCategory(rawValue: c.chosen).map {
                TriageExample(category: $0, subcategory: c.chosenSubcategory, urgent: false, text: c.description)
            }
        }
        let output = try TriageCLI.run(action: signature.action, corpus: signature.corpus, out: signature.out,
                                       extra: extra, shipped: try? ResourceFolder.locate(context.application.kesu.config))
        context.console.print(output)
    }
}

/// The work of `kesu triage`, which runs without the application unless corrections are asked for.
enum TriageCLI {
    static let sourceCorpus = "Sources/KesuServer/Triage/corpus.tsv"

    /// Runs `kesu triage …` from the command line when it needs no database; nil when it does (or is not triage).
    static func runStandalone(_ arguments: [String], config: AppConfig) -> Int32? {
        guard arguments.dropFirst().first == "triage", !arguments.contains("--corrections") else { return nil }
        let rest = Array(arguments.dropFirst(2))
        func option(_ name: String) -> String? {
            rest.firstIndex(of: "--\(name)").flatMap { rest.indices.contains($0 + 1) ? rest[$0 + 1] : nil }
        }
        do {
            // `classify` takes the words after it that are not options.
            var words: [String] = []
            var i = 1
            while i < rest.count {
                if rest[i].hasPrefix("--") { i += 2 } else { words.append(rest[i]); i += 1 }
            }
            print(try run(action: rest.first ?? "", corpus: option("corpus"), out: option("out"), extra: [],
                          shipped: try? ResourceFolder.locate(config), text: words.joined(separator: " ")))
            return 0
        } catch {
            FileHandle.standardError.write(Data("kesu triage: \(error)\n".utf8))
            return 2
        }
    }

    static func run(action: String, corpus given: String?, out: String?, extra: [TriageExample],
                    shipped: ResourceFolder?, text: String = "") throws -> String {
        let path = given ?? (FileManager.default.fileExists(atPath: sourceCorpus) ? sourceCorpus
            : shipped?.triage.appendingPathComponent("corpus.tsv").path ?? sourceCorpus)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KesuError.invalid("Cannot read the corpus \(path); give one with --corpus.")
        }
        let examples = try TriageExample.corpus(String(decoding: data, as: UTF8.self))
        switch action {
        case "classify":
            let model = given == nil ? (try? shipped?.triageModel()) ?? nil : nil
            return classify(text, model: model ?? TriageTrainer.train(examples + extra))
        case "train":
            let model = TriageTrainer.train(examples + extra)
            let target = out ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("model.tsv").path
            try Data(model.serialised().utf8).write(to: URL(fileURLWithPath: target))
            return "Trained on \(examples.count) corpus examples and \(extra.count) corrections; wrote \(target)."
        case "eval":
            let (train, held) = TriageEvaluation.split(examples)
            return report(TriageEvaluation(model: TriageTrainer.train(train), examples: held), trained: train.count,
                          urgency: urgency(held))
        default:
            throw KesuError.invalid("Unknown action \(action); use train, eval or classify.")
        }
    }

    /// What the model and the urgency rules make of one text, for trying a wording out.
    static func classify(_ text: String, model: TriageModel) -> String {
        let s = model.classify(text)
        let urgency = PriorityRules.assess(requested: nil, channel: .web, description: text, isRepeat: false, itemKinds: [])
        var lines = s.topTwo.map { "\($0.category.rawValue) \(String(format: "%.2f", $0.confidence))" }
        lines.append("category: \(s.category?.rawValue ?? "needs triage") (threshold \(s.threshold))")
        lines.append("subcategory: \(s.subcategory ?? "-") \(String(format: "%.2f", s.subcategoryConfidence))")
        lines.append("priority: \(urgency.priority.rawValue) \(urgency.reasons.joined(separator: "; "))")
        return lines.joined(separator: "\n")
    }

    /// How the urgency rules do on the held-out examples: (caught, missed, raised without need).
    static func urgency(_ examples: [TriageExample]) -> (tp: Int, fn: Int, fp: Int) {
        var r = (tp: 0, fn: 0, fp: 0)
        for e in examples {
            let said = PriorityRules.assess(requested: nil, channel: .web, description: e.text, isRepeat: false,
                                            itemKinds: []).flags.contains("urgent")
            if said, e.urgent { r.tp += 1 } else if e.urgent { r.fn += 1 } else if said { r.fp += 1 }
        }
        return r
    }

    static func report(_ e: TriageEvaluation, trained: Int, urgency u: (tp: Int, fn: Int, fp: Int)) -> String {
        func pct(_ x: Double) -> String { String(format: "%5.1f%%", x * 100) }
        var lines = ["Held-out: \(e.total) examples (every fifth of each category); trained on \(trained).",
                     "Category accuracy \(pct(e.accuracy)); sub-category right when the category is: "
                        + "\(e.subRight)/\(e.subTotal).",
                     "Confident (≥ threshold): \(e.confident)/\(e.total), of which right \(e.confidentRight); "
                        + "the rest go to needs triage.",
                     "Urgency rules: caught \(u.tp) of \(u.tp + u.fn) urgent, raised \(u.fp) not urgent.",
                     "", "category           precision  recall"]
        for (i, c) in e.classes.enumerated() {
            lines.append(c.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0) + "  " + pct(e.precision(i))
                         + "  " + pct(e.recall(i)))
        }
        lines.append("")
        lines.append("confusion (rows truth, columns predicted): " + e.classes.map { String($0.rawValue.prefix(5)) }
            .joined(separator: " "))
        for (i, c) in e.classes.enumerated() {
            lines.append(String(c.rawValue.prefix(5)).padding(toLength: 6, withPad: " ", startingAt: 0)
                         + e.confusion[i].map { String(format: "%5d", $0) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
