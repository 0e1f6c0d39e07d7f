/// 法定节假日与调休 — the public holidays and make-up working days Kesu ships with; admins edit them as data.
///
/// 2026 follows the State Council's notice of 4 November 2025 (国办发明电〔2025〕). The 2027 arrangement had not
/// been announced when this was written, so 2027 holds only the statutory days themselves (全国年节及纪念日放假办法:
/// 元旦 1, 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3) and no make-up days; replace it when the notice is out.
public enum ChineseHolidays {
    public struct Year: Sendable {
        public let year: Int
        public let holidays: [(day: LocalDay, name: String)]
        public let workdays: [(day: LocalDay, name: String)]
        /// Whether the State Council's arrangement is still to come (statutory days only).
        public let provisional: Bool
    }

    static func days(_ year: Int, _ month: Int, _ from: Int, _ to: Int, _ name: String) -> [(day: LocalDay, name: String)] {
        (from...to).map { (LocalDay(year: year, month: month, day: $0), name) }
    }

    public static let y2026 = Year(
        year: 2026,
        holidays: days(2026, 1, 1, 3, "元旦") + days(2026, 2, 15, 23, "春节") + days(2026, 4, 4, 6, "清明节")
            + days(2026, 5, 1, 5, "劳动节") + days(2026, 6, 19, 21, "端午节") + days(2026, 9, 25, 27, "中秋节")
            + days(2026, 10, 1, 7, "国庆节"),
        workdays: [(LocalDay(year: 2026, month: 1, day: 4), "元旦调休"),
                   (LocalDay(year: 2026, month: 2, day: 14), "春节调休"),
                   (LocalDay(year: 2026, month: 2, day: 28), "春节调休"),
                   (LocalDay(year: 2026, month: 5, day: 9), "劳动节调休"),
                   (LocalDay(year: 2026, month: 9, day: 20), "国庆节调休"),
                   (LocalDay(year: 2026, month: 10, day: 10), "国庆节调休")],
        provisional: false)

    public static let y2027 = Year(
        year: 2027,
        holidays: days(2027, 1, 1, 1, "元旦") + days(2027, 2, 5, 8, "春节") + days(2027, 4, 5, 5, "清明节")
            + days(2027, 5, 1, 2, "劳动节") + days(2027, 6, 9, 9, "端午节") + days(2027, 9, 15, 15, "中秋节")
            + days(2027, 10, 1, 3, "国庆节"),
        workdays: [],
        provisional: true)

    public static let shipped = [y2026, y2027]
}
