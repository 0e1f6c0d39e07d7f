import Foundation
import KesuCore
import Testing

/// The team's corpus, read from the source tree.
let triageCorpus: [TriageExample] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/KesuServer/Triage/corpus.tsv")
    return (try? TriageExample.corpus(String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self))) ?? []
}()

struct ChineseTextTests {
    @Test func foldsWidthCaseAndTraditionalCharacters() {
        #expect(ChineseText.normalise("ＳＦ１２３ 快遞延誤") == "sf123 快递延误")
        #expect(ChineseText.normalise("顯示已簽收，沒收到貨") == "显示已签收,没收到货")
        // The last pair of the table, so a slip anywhere in it shows.
        #expect(ChineseText.normalise("錄") == "录")
    }

    @Test func hanRunsBecomeCharactersAndPairs() {
        #expect(ChineseText.tokens("延误了") == ["延", "延误", "误", "误了", "了"])
    }

    @Test func wordsNumbersAndCodesStayWhole() {
        #expect(ChineseText.tokens("SF1234567890 打12305，价值1500.5元") == [
            "sf1234567890", "打", "12305", "价", "价值", "值", "1500.5", "元",
        ])
        #expect(ChineseText.tokens("Tracking not updated!") == ["tracking", "not", "updated"])
    }

    @Test func featuresCarryLexiconAndContext() {
        let f = TriageFeatures.of("快递延误了", context: TriageContext(tracking: .stuck, itemKind: "fresh_food"))
        #expect(f.contains("b:延误"))
        #expect(f.contains("lex:delay"))
        #expect(f.contains("ctx:track=stuck"))
        #expect(f.contains("ctx:item=fresh_food"))
        #expect(Set(f).count == f.count, "each feature once")
    }
}

struct TriageModelTests {
    @Test func corpusHasSixtyExamplesPerCategory() {
        for category in ComplaintCategory.allCases {
            #expect(triageCorpus.filter { $0.category == category }.count >= 60, "\(category)")
        }
    }

    @Test func badCorpusLineIsNamed() {
        #expect(throws: KesuError.self) { try TriageExample.corpus("delay\t-\t0\t-\tok\nnonsense line\n") }
    }

    @Test func heldOutAccuracy() throws {
        let (train, held) = TriageEvaluation.split(triageCorpus)
        let model = TriageTrainer.train(train)
        let eval = TriageEvaluation(model: model, examples: held)
        #expect(eval.total == held.count)
        #expect(eval.accuracy >= 0.8, "held-out accuracy \(eval.accuracy)")
    }

    @Test func trainingIsReproducibleAndTheFileRoundTrips() throws {
        let few = Array(triageCorpus.prefix(120))
        let a = TriageTrainer.train(few).serialised()
        #expect(a == TriageTrainer.train(few).serialised())
        let read = try TriageModel(file: a)
        #expect(read.serialised() == a)
    }

    @Test func damagedModelFileIsRefused() {
        #expect(throws: KesuError.self) { try TriageModel(file: "kesu-triage-model 1\nhead category a b\nx\t1\n") }
        #expect(throws: KesuError.self) { try TriageModel(file: "something else\n") }
    }

    @Test func unsureTextIsLeftForAPerson() throws {
        let model = TriageTrainer.train(triageCorpus)
        let sure = model.classify("快递三天没更新了，一直卡在中转站不动")
        #expect(sure.category == .delay)
        #expect(sure.topTwo.count == 2)
        #expect(sure.subcategory.map { model.parent[$0] } == "delay")
        let vague = model.classify("你好")
        #expect(vague.category == nil, "confidence \(vague.confidence)")
    }
}

struct ShippedTriageModelTests {
    @Test func shippedModelIsWhatTheCorpusTrains() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/KesuServer/Triage/model.tsv")
        let shipped = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(shipped == TriageTrainer.train(triageCorpus).serialised(), "run `swift run kesu triage train`")
    }
}
