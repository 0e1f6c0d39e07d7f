import Foundation
import KesuCore
import Testing

/// Each urgency rule, with a text that only it catches: take the rule's words out and its test fails.
struct UrgencyRuleTests {
    func assess(_ text: String) -> PriorityAssessment {
        PriorityRules.assess(requested: nil, channel: .web, description: text, isRepeat: false, itemKinds: [])
    }

    @Test("each rule raises to P1 with its own flag and reason", arguments: [
        ("再不处理我就打12305", "regulator_risk", "12305"),
        ("我要去邮政管理局告你们", "regulator_risk", "邮政管理局"),
        ("我去市长热线反映", "regulator_risk", "市长热线"),
        ("我要发到抖音上让大家评评理", "media_risk", "抖音"),
        ("找记者来看看你们的服务", "media_risk", "记者"),
        ("我会走法律途径解决", "legal_risk", "法律途径"),
        ("寄的胰岛素三天没到", "perishable", "胰岛素"),
        ("海鲜到的时候全臭了", "perishable", "海鲜"),
        ("冷链的件一直没人送", "perishable", "冷链"),
        ("活体宠物快递还在路上", "perishable", "活体"),
        ("里面是护照，下周出国", "time_critical", "护照"),
        ("这是第二次丢件了", "repeat", "第二次"),
        ("我已经投诉过了，还是没有人理", "repeat", "已经投诉"),
        ("包裹被拆开过，东西少了", "safety", "被拆"),
        ("我的个人信息泄露了，天天有人打电话", "safety", "个人信息泄露"),
    ])
    func rule(text: String, flag: String, word: String) {
        let result = assess(text)
        #expect(result.priority == .p1)
        #expect(result.flags.contains(flag), "\(result.flags)")
        #expect(result.flags.contains("urgent"))
        #expect(result.reasons.contains { $0.contains(word) }, "\(result.reasons)")
    }

    @Test("a large amount makes it urgent, a small one does not", arguments: [
        ("手机丢了，价值6000元", true), ("赔我两千块", true), ("损失上万元", true), ("¥1,200 的货没了", true),
        ("3千块的东西摔坏了", true), ("运费多收了12元", false), ("单号SF1234567890，电话13812345678", false),
        ("几百块的东西", false),
    ])
    func amount(text: String, urgent: Bool) {
        let result = assess(text)
        #expect(result.flags.contains("high_value") == urgent, "\(text): \(result.reasons)")
    }

    @Test func claimedAmounts() {
        #expect(ClaimedAmount.largest(in: "价值8000，运费20元") == 8000)
        #expect(ClaimedAmount.largest(in: "两万五千元") == 25000)
        #expect(ClaimedAmount.largest(in: "1.5万元") == 15000)
        #expect(ClaimedAmount.largest(in: "打了3次电话") == nil)
    }

    @Test func valuableItemLostIsUrgent() {
        #expect(assess("寄的iPhone不见了").flags.contains("high_value"))
    }

    @Test func numbersInsideWaybillsAreNotThreats() {
        let result = assess("单号YT1231230512305，电话13812305123，快递慢")
        #expect(result.flags.isEmpty, "\(result.reasons)")
        #expect(result.priority == .p3)
    }

    @Test func ordinaryComplaintsStayUnraised() {
        for text in ["快递员态度很差", "物流三天没更新", "运费多收了十块", "外包装破了，东西没事", "想改一下地址"] {
            #expect(assess(text).flags.isEmpty, "\(text): \(assess(text).reasons)")
        }
    }

    @Test func corpusUrgencyRecallAndPrecision() {
        var tp = 0, fp = 0, fn = 0
        for e in triageCorpus {
            let said = assess(e.text).flags.contains("urgent")
            if said && e.urgent { tp += 1 } else if said { fp += 1 } else if e.urgent { fn += 1 }
        }
        let recall = Double(tp) / Double(max(1, tp + fn)), precision = Double(tp) / Double(max(1, tp + fp))
        #expect(recall >= 0.9, "recall \(recall), precision \(precision)")
        #expect(precision >= 0.7, "recall \(recall), precision \(precision)")
    }
}

struct UrgencyAngerTests {
    /// Angry words are not urgency: 气死了 is not a dead animal, 每次都 is not a second complaint.
    @Test(arguments: ["市民王女士告诉记者，快递三天没更新", "气死了，快递员态度太差", "急死我了，什么时候到", "又慢又贵", "每次都放驿站", "我又没同意放快递柜"])
    func angerAloneIsNotUrgent(text: String) {
        let result = PriorityRules.assess(requested: nil, channel: .web, description: text, isRepeat: false, itemKinds: [])
        #expect(!result.flags.contains("urgent"), "\(result.reasons)")
    }
}
