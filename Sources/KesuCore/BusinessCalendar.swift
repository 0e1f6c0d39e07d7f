import Foundation

/// A day in the company's calendar, written `2026-10-01`.
public struct LocalDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd`; nil for anything else, including dates that do not exist.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m),
              (1...LocalDay.days(inMonth: m, year: y)).contains(d)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The day after.
    public var next: LocalDay {
        if day < LocalDay.days(inMonth: month, year: year) { return LocalDay(year: year, month: month, day: day + 1) }
        return month < 12 ? LocalDay(year: year, month: month + 1, day: 1) : LocalDay(year: year + 1, month: 1, day: 1)
    }

    public static func < (a: LocalDay, b: LocalDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Working hours on one day, as minutes after midnight: `open` inclusive, `close` exclusive.
public struct WorkingHours: Hashable, Sendable, CustomStringConvertible {
    public let open: Int
    public let close: Int

    public init?(open: Int, close: Int) {
        guard 0 <= open, open < close, close <= 24 * 60 else { return nil }
        self.open = open
        self.close = close
    }

    /// Parses `09:00-18:00`.
    public init?(_ text: String) {
        let ends = text.split(separator: "-")
        func minutes(_ s: Substring) -> Int? {
            let hm = s.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0..<60).contains(m)
            else { return nil }
            return h * 60 + m
        }
        guard ends.count == 2, let o = minutes(ends[0]), let c = minutes(ends[1]) else { return nil }
        self.init(open: o, close: c)
    }

    public var description: String {
        func hm(_ m: Int) -> String { (m / 60 < 10 ? "0" : "") + "\(m / 60):" + (m % 60 < 10 ? "0" : "") + "\(m % 60)" }
        return "\(hm(open))-\(hm(close))"
    }
}

/// 工作日历 — when the company works: hours per weekday, public holidays and make-up working days (调休), in the
/// company's time zone. Business-time arithmetic walks it day by day, so nights, weekends and holiday weeks are
/// skipped exactly.
public struct BusinessCalendar: Sendable {
    public var timeZone: TimeZone
    /// Hours per ISO weekday (1 Monday … 7 Sunday); a missing weekday is a day off.
    public var weekly: [Int: WorkingHours]
    /// Days off although their weekday works (法定节假日).
    public var holidays: Set<LocalDay>
    /// Days that work although their weekday is off (调休上班); they keep Monday's hours unless their weekday has
    /// hours of its own.
    public var workdays: Set<LocalDay>

    /// The longest span the arithmetic walks before giving up on a calendar without working time.
    static let horizonDays = 3_700

    public init(timeZone: TimeZone, weekly: [Int: WorkingHours], holidays: Set<LocalDay> = [],
                workdays: Set<LocalDay> = []) {
        self.timeZone = timeZone
        self.weekly = weekly
        self.holidays = holidays
        self.workdays = workdays
    }

    /// Monday to Friday, 09:00 to 18:00.
    public static func officeHours(timeZone: TimeZone, holidays: Set<LocalDay> = [], workdays: Set<LocalDay> = [])
        -> BusinessCalendar
    {
        let hours = WorkingHours(open: 9 * 60, close: 18 * 60)
        var weekly: [Int: WorkingHours] = [:]
        for day in 1...5 { weekly[day] = hours }
        return BusinessCalendar(timeZone: timeZone, weekly: weekly, holidays: holidays, workdays: workdays)
    }

    private var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    /// The working hours of `day`, or nil when it is a day off.
    public func hours(on day: LocalDay) -> WorkingHours? {
        if holidays.contains(day) { return nil }
        let weekday = isoWeekday(day)
        if let own = weekly[weekday] { return own }
        return workdays.contains(day) ? (weekly[1] ?? weekly.values.first) : nil
    }

    /// 1 Monday … 7 Sunday.
    public func isoWeekday(_ day: LocalDay) -> Int {
        // Sakamoto's method: 0 Sunday … 6 Saturday.
        let t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
        let y = day.month < 3 ? day.year - 1 : day.year
        let w = (y + y / 4 - y / 100 + y / 400 + t[day.month - 1] + day.day) % 7
        return w == 0 ? 7 : w
    }

    /// The company's day that `date` falls on.
    public func day(of date: Date) -> LocalDay {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return LocalDay(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
    }

    /// The instant `minutes` after the start of `day`.
    func instant(_ day: LocalDay, minutes: Int) -> Date {
        let start = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) ?? .distantPast
        return calendar.date(byAdding: .minute, value: minutes, to: start) ?? start
    }

    func next(_ day: LocalDay) -> LocalDay { day.next }

    /// Midnight at the start of `day` in the calendar's time zone.
    public func start(of day: LocalDay) -> Date { instant(day, minutes: 0) }

    /// Whether any day can ever work.
    var hasWorkingTime: Bool { !weekly.isEmpty }

    /// The instant when `seconds` of working time have passed since `start`. Time before opening, after closing
    /// and on days off does not count; an amount that ends exactly at closing time ends then.
    public func add(_ seconds: TimeInterval, to start: Date) -> Date {
        guard seconds > 0 else { return start }
        guard hasWorkingTime else { return start.addingTimeInterval(seconds) }
        var remaining = seconds
        var day = self.day(of: start)
        for _ in 0..<Self.horizonDays {
            if let hours = hours(on: day) {
                let open = max(start, instant(day, minutes: hours.open))
                let close = instant(day, minutes: hours.close)
                if close > open {
                    let available = close.timeIntervalSince(open)
                    if remaining <= available { return open.addingTimeInterval(remaining) }
                    remaining -= available
                }
            }
            day = next(day)
        }
        return start.addingTimeInterval(seconds)
    }

    /// How much working time lies between `from` and `to` (zero when `to` is not later).
    public func workingSeconds(from: Date, to: Date) -> TimeInterval {
        guard to > from else { return 0 }
        guard hasWorkingTime else { return to.timeIntervalSince(from) }
        var total: TimeInterval = 0
        var day = self.day(of: from)
        let last = self.day(of: to)
        for _ in 0..<Self.horizonDays {
            if let hours = hours(on: day) {
                let open = max(from, instant(day, minutes: hours.open))
                let close = min(to, instant(day, minutes: hours.close))
                if close > open { total += close.timeIntervalSince(open) }
            }
            if day >= last { break }
            day = next(day)
        }
        return total
    }
}
