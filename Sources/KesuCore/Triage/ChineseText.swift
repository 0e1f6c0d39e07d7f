import Foundation

/// 文本归一 and 切分 — the one place Kesu turns what a customer wrote into the pieces triage and search look at.
///
/// Chinese has no spaces, so a run of Han characters becomes its single characters and its character pairs (pairs
/// carry most of the meaning: 延误, 破损, 驿站). Everything else becomes whole words and numbers; a waybill or phone
/// number stays one piece. Full-width letters and digits are folded to ASCII, letters to lower case, and the
/// traditional characters complaints use to simplified ones, so 遞件延誤 and 递件延误 are the same text.
public enum ChineseText {
    /// `text` folded: full-width ASCII to half-width, upper to lower case, traditional to simplified characters.
    public static func normalise(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            var s = scalar
            if (0xFF01...0xFF5E).contains(s.value), let half = Unicode.Scalar(s.value - 0xFEE0) { s = half }
            if s.value == 0x3000 { s = " " }
            if let simple = simplified[s] { s = simple }
            if ("A"..."Z").contains(s), let lower = Unicode.Scalar(s.value + 32) { s = lower }
            out.append(s)
        }
        return String(out)
    }

    /// Whether `scalar` is a CJK ideograph (the unified block and extension A).
    public static func isHan(_ scalar: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(scalar.value) || (0x3400...0x4DBF).contains(scalar.value)
    }

    /// A piece of text as triage and search see it.
    public enum Piece: Equatable, Sendable {
        /// One run of Han characters, e.g. 快递员不送上门.
        case han([Character])
        /// A word of letters or letters and digits, lower-cased (e.g. `sf1234567890`, `ems`).
        case word(String)
        /// A run of digits (with a decimal point inside), e.g. 12305, 1500, 3.5.
        case number(String)
    }

    /// The runs of `text` (already normalised), in order; punctuation and spaces separate them.
    public static func pieces(_ text: String) -> [Piece] {
        var result: [Piece] = []
        var han: [Character] = []
        var word = ""
        func flush() {
            if !han.isEmpty { result.append(.han(han)); han = [] }
            if !word.isEmpty {
                result.append(word.allSatisfy({ $0.isNumber || $0 == "." }) ? .number(word) : .word(word))
                word = ""
            }
        }
        for ch in text {
            guard let scalar = ch.unicodeScalars.first else { continue }
            if isHan(scalar) {
                if !word.isEmpty { let h = han; han = []; flush(); han = h }
                han.append(ch)
            } else if ch.isASCII, ch.isLetter || ch.isNumber || (ch == "." && word.last?.isNumber == true) {
                if !han.isEmpty { let w = word; word = ""; flush(); word = w }
                word.append(ch)
            } else {
                flush()
            }
        }
        flush()
        return result.map {
            if case .number(let n) = $0, n.hasSuffix(".") { return .number(String(n.dropLast())) }
            return $0
        }
    }

    /// The search and feature tokens of `text`: each Han character, each pair of neighbours, each word and number.
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        for piece in pieces(normalise(text)) {
            switch piece {
            case .han(let chars):
                for (i, c) in chars.enumerated() {
                    out.append(String(c))
                    if i + 1 < chars.count { out.append(String(c) + String(chars[i + 1])) }
                }
            case .word(let w): out.append(w)
            case .number(let n): out.append(n)
            }
        }
        return out
    }

    /// Traditional characters seen in complaints, and their simplified forms (pairs: traditional, simplified).
    static let pairs = """
        遞递貨货壞坏丟丢錢钱費费員员號号訊讯態态遲迟誤误達达還还沒没開开這这裡里個个們们說说給给電电話话簽签點点門门櫃柜驛驿麼么時时\
        間间東东運运單单賠赔償偿郵邮遺遗損损爛烂護护無无過过區区務务處处聯联繫系係系罵骂買买賣卖應应該该關关機机腦脑藥药鮮鲜變变\
        題题幫帮轉转滯滞記记體体聞闻訴诉報报紙纸裝装壓压擠挤濕湿灑洒隻只嗎吗讓让請请謝谢樣样經经業业領领竊窃錯错寫写詢询難难絕绝\
        約约預预價价貴贵額额亂乱稱称結结賬账帳账戶户餘余層层樓楼鄰邻碼码數数條条軟软線线網网發发頭头後后來来從从會会對对為为讀读\
        認认識识證证據据視视頻频圖图實实際际總总長长訂订購购貼贴標标種种類类鐘钟錶表飾饰銀银鑽钻遠远邊边專专輛辆車车場场幾几嚴严\
        盡尽將将罰罚舉举維维權权億亿萬万塊块陸陆齊齐雙双聽听氣气憤愤髒脏臟脏飯饭魚鱼蝦虾雞鸡鴨鸭熱热凍冻黴霉醫医療疗針针劑剂\
        寶宝寧宁愛爱爾尔兒儿親亲戲戏歡欢鬧闹麻麻煩烦搞搞丟丢雖虽啟启聲声響响頁页碎碎殼壳擺摆鎖锁輸输銷销複复雜杂質质問问閉闭閱阅\
        攬揽歸归導导師师學学區区縣县鄉乡鎮镇憑凭辦办戰战優优惡恶劣劣廢废產产點点驗验險险灣湾爭争氣气騙骗詐诈資资訊讯義义勁劲離离\
        紅红綠绿藍蓝態态寄寄樂乐園园莊庄廳厅穩稳盤盘辭辞擔担擋挡據据滿满漲涨減减夠够糧粮鞋鞋襪袜褲裤衛卫環环導导盜盗搶抢顯显錄录
        """
    static let simplified: [Unicode.Scalar: Unicode.Scalar] = {
        var map: [Unicode.Scalar: Unicode.Scalar] = [:]
        let scalars = Array(pairs.unicodeScalars.filter { isHan($0) })
        var i = 0
        while i + 1 < scalars.count {
            if scalars[i] != scalars[i + 1] { map[scalars[i]] = scalars[i + 1] }
            i += 2
        }
        return map
    }()
}
