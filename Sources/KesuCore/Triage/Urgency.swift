import Foundation

/// Why a complaint's priority was raised automatically; every reason is recorded on the timeline.
public struct PriorityAssessment: Sendable, Equatable {
    public var priority: Priority
    public var reasons: [String]
    /// Flags the assessment set: `urgent` with every raise, and what raised it — `regulator`, `regulator_risk`,
    /// `media_risk`, `legal_risk`, `perishable`, `time_critical`, `repeat`, `high_value`, `safety`.
    public var flags: Set<String>
}

/// 紧急判定 — the explicit rules that make a complaint urgent (P1, flag `urgent`) from what the customer wrote, and raise
/// it to P2 from what the data says. Each rule that fires names itself and the words that made it fire, so an agent
/// sees why; none is learnt, so each can be checked and argued with.
public enum PriorityRules {
    /// A rule over the folded text: its flag, what it says, and the words that trigger it.
    struct WordRule: Sendable {
        let flag: String
        let reason: String
        let words: [String]
        /// Phrases in which a word means something else (验身份证 is not a document in the parcel); they are taken
        /// out of the text before the words are looked for.
        var except: [String] = []
    }

    static let wordRules: [WordRule] = [
        WordRule(flag: "regulator_risk", reason: "customer threatens to go to the regulator", words: [
            "12305", "邮政管理局", "邮管局", "邮政局", "国家邮政", "邮管部门", "消协", "消费者协会", "12345", "12315",
            "市长热线", "市民热线", "政务热线", "便民热线", "市场监管", "工商局", "315", "监管部门", "向有关部门", "到有关部门",
            "找有关部门", "向上级部门", "投诉到国家",
        ]),
        WordRule(flag: "media_risk", reason: "customer threatens to go to the media", words: [
            "曝光", "媒体", "记者", "电视台", "报社", "新闻", "微博", "抖音", "小红书", "快手", "头条", "热搜", "发到网上",
            "发网上", "网上发", "黑猫投诉", "发朋友圈", "让大家看看",
        ], except: ["告诉记者", "向记者", "对记者", "记者了解", "记者从", "记者注意到", "据记者", "记者采访", "记者联系",
                    "记者看到", "记者在", "本报记者", "新闻网", "新闻客户端"]),
        WordRule(flag: "legal_risk", reason: "customer threatens legal action or the police", words: [
            "起诉", "律师", "法院", "打官司", "诉讼", "法律途径", "法律手段", "追究法律", "报警", "报案", "派出所", "110",
            "仲裁",
        ]),
        WordRule(flag: "perishable", reason: "perishable, live or medicine item", words: [
            "药", "胰岛素", "疫苗", "处方", "救命", "病人", "生鲜", "海鲜", "水果", "蔬菜", "活体", "活的", "宠物", "猫咪",
            "小狗", "冷链", "冷冻", "冷藏", "冰袋", "冻品", "鲜肉", "冻肉", "牛肉", "猪肉", "羊肉", "活鱼", "鲜鱼", "鱼虾",
            "螃蟹", "大闸蟹", "龙虾", "榴莲", "荔枝", "樱桃", "车厘子", "草莓", "芒果", "葡萄", "桃子", "鲜花",
            "母乳", "变质", "发霉", "发臭", "臭了", "化了", "馊了", "腐烂", "烂掉", "坏掉了", "全死了", "都死了", "死掉了",
        ]),
        WordRule(flag: "time_critical", reason: "needed urgently: documents or a deadline", words: [
            "急用", "急需", "等着用", "救急", "证件", "护照", "身份证", "户口本", "录取通知书", "通知书", "签证", "合同",
            "标书", "骨灰", "明天要用", "今天要用",
        ], except: ["看身份证", "验身份证", "查身份证", "出示身份证", "核对身份证", "身份证号", "合同里", "合同上", "合同约定",
                    "合同没", "合同中"]),
        WordRule(flag: "repeat", reason: "customer says this is not the first time", words: [
            "第二次", "第三次", "第四次", "第五次", "第几次", "多次", "屡次", "好几次电话", "找了好几次", "几次了", "再次", "又一次", "三番五次",
            "一次又一次", "不止一次", "反复", "之前投诉", "上次投诉", "已经投诉", "投诉过", "投诉了好", "催了好",
            "催了几", "催了多", "还是没有", "还是没", "一直联系不", "一直打", "又是", "又被", "又丢", "又坏", "又破", "又延", "又出现", "又来",
        ]),
        WordRule(flag: "safety", reason: "parcel opened, privacy leaked or someone threatened", words: [
            "被拆", "被人拆", "拆开了", "私自拆", "拆封", "被打开", "被人打开", "拆包", "个人信息泄露", "信息泄露", "泄露", "隐私",
            "骚扰", "诈骗", "骗子", "冒充", "恐吓", "威胁我", "打人", "动手", "受伤", "着火", "起火", "爆炸",
        ]),
    ]

    /// Items worth a lot, which make a loss or damage urgent even when no amount is named.
    static let valuableWords = [
        "iphone", "苹果手机", "华为手机", "手机丢", "手机坏", "手机碎", "手机屏", "笔记本电脑", "电脑", "相机", "单反",
        "黄金", "金项链", "金手镯", "金条", "首饰", "钻戒", "项链", "手表", "名表", "奢侈品", "名牌包", "茅台", "玉镯",
        "和田玉", "翡翠", "古董", "字画",
    ]
    /// A claimed amount at or above this many yuan is a high-value case.
    public static let highValueYuan = 1000.0

    static let perishableKinds: Set<String> = ["fresh_food", "medicine", "live_animal", "生鲜", "药品"]

    /// Assesses a complaint; `requested` is what the caller asked for (default P3), never lowered.
    public static func assess(requested: Priority?, channel: Channel, description: String, isRepeat: Bool,
                              itemKinds: [String]) -> PriorityAssessment {
        var priority = requested ?? .p3
        var reasons: [String] = []
        var flags: Set<String> = []
        func raise(_ flag: String, _ reason: String, to level: Priority = .p1) {
            reasons.append(reason)
            flags.insert(flag)
            if level == .p1 { flags.insert("urgent") }
            if level > priority { priority = level }
        }
        if channel == .regulator { raise("regulator", "forwarded by the regulator (申诉转办)") }
        let text = ChineseText.normalise(description)
        let numbers = Set(ChineseText.pieces(text).compactMap { if case .number(let n) = $0 { n } else { nil } })
        for rule in wordRules {
            let seen = rule.except.reduce(text) { $0.replacingOccurrences(of: $1, with: "·") }
            let hit = rule.words.first { word in
                // A number such as 12305 counts only standing alone, not inside a waybill or phone number.
                word.allSatisfy(\.isNumber) ? numbers.contains(word) : seen.contains(word)
            }
            if let hit { raise(rule.flag, "\(rule.reason) (\(hit))") }
        }
        // What the data says without the customer saying it raises one step less: the item kind on the waybill, or an
        // earlier complaint (often the same problem asked after again).
        if let kind = itemKinds.first(where: perishableKinds.contains), !flags.contains("perishable") {
            raise("perishable", "perishable, live or medicine item (\(kind))", to: .p2)
        }
        if isRepeat, !flags.contains("repeat") {
            raise("repeat", "repeat complaint (same waybill, or same customer within 30 days)", to: .p2)
        }
        if let amount = ClaimedAmount.largest(in: text), amount >= highValueYuan {
            raise("high_value", "claimed amount ¥\(ClaimedAmount.format(amount))")
        } else if let item = valuableWords.first(where: text.contains) {
            raise("high_value", "valuable item (\(item))")
        }
        return PriorityAssessment(priority: priority, reasons: reasons, flags: flags)
    }
}
