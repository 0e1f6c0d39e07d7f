import Foundation
import KesuCore

/// Kesu's configuration, read once from the environment at start-up. Each property's key is its variable.
package struct AppConfig: Sendable {
    /// `KESU_DATA_DIR` — where the SQLite file lives (default `./kesu-data`).
    package var dataDirectory: String
    /// `DATABASE_URL` — PostgreSQL when set (`postgres://user:pass@host:port/db`); SQLite otherwise.
    package var databaseURL: String?
    /// `KESU_HOST`, `KESU_PORT` — where the server listens (default 127.0.0.1:8080).
    package var host: String
    package var port: Int
    /// `KESU_ADMIN_PASSWORD` — the first admin's password on an empty database (random when unset).
    package var adminPassword: String?
    /// `KESU_TIMEZONE` — the company's time zone (default Asia/Shanghai).
    package var timeZone: TimeZone
    /// `KESU_BCRYPT_COST` — bcrypt work factor for passwords (default 12; 4–31).
    package var bcryptCost: Int
    /// `KESU_TOKEN_TTL_HOURS` — how long an API token lives (default 12).
    package var tokenLifetime: TimeInterval
    /// `KESU_MAX_BODY_BYTES` — the largest request body accepted (default 1 MiB).
    package var maxBodyBytes: Int
    /// `KESU_SCHEDULER_INTERVAL_MS` — how often `serve` looks for clocks falling due (default 5000; 0 turns the
    /// scheduler off in this process).
    package var schedulerInterval: Int = 5_000
    /// `KESU_JOB_POLL_MS` — how often `serve` looks for background jobs due (notifications; default 250; 0 turns the
    /// work queue off in this process).
    package var jobPollInterval: Int = 250
    /// `KESU_SCHEDULER_BATCH` — how many due clocks one scheduler transaction claims (default 200).
    package var schedulerBatch: Int = 200
    /// `KESU_TEMPLATE_RELOAD=1` — read the page templates from disk on every page (for editing them); by default
    /// they are parsed once and kept.
    package var reloadTemplates = false
    /// `KESU_TRUSTED_PROXIES` — comma-separated addresses of the load balancers in front of Kesu; from them, the
    /// client's address is read from `X-Forwarded-For` (for throttling logins and portal look-ups per source).
    package var trustedProxies: Set<String> = []
    /// `KESU_RESOURCES_DIR` — a folder holding `Views/` and `Public/` to use instead of the ones bundled beside the
    /// binary (for editing templates in the checkout: `KESU_RESOURCES_DIR=Sources/KesuServer KESU_TEMPLATE_RELOAD=1`).
    package var resourcesDirectory: String?
    /// `KESU_PUBLIC_URL` — where customers reach Kesu, for the private links in notices (default
    /// `http://KESU_HOST:KESU_PORT`).
    package var publicURL: String = "http://127.0.0.1:8080"
    /// `KESU_MAIL_FROM` — the address customers write to and replies come from (default `kefu@kesu.invalid`).
    package var mailFrom: String = "kefu@kesu.invalid"
    /// `KESU_SMTP_URL` — the relay outbound e-mail goes to: `smtp://[user:password@]host[:port]` (STARTTLS when the
    /// relay offers it, AUTH when a user is given) or `smtps://…` (TLS from the start). When unset, `KESU_SENDMAIL`.
    package var smtpURL: URL?
    /// `KESU_SMTP_CA_FILE` — PEM certificates the relay's TLS certificate must chain to, instead of the system's.
    package var smtpCAFile: String?
    /// `KESU_SENDMAIL` — a sendmail-compatible program run as `sendmail -t -i` (default `/usr/sbin/sendmail` when it
    /// exists).
    package var sendmailPath: String?
    /// `KESU_SMS_URL`, `KESU_SMS_KEY_ID`, `KESU_SMS_SECRET`, `KESU_SMS_SIGN` (the sign name, 签名) and
    /// `KESU_SMS_TEMPLATES` (`received:SMS_1001,closed:SMS_1002`) — the SMS gateway; customers who did not write by
    /// e-mail are told by SMS when it is set.
    package var sms: SMSSettings?
    /// `KESU_PLATFORM_SECRETS` — the e-commerce platforms that push complaints to `/api/v1/intake/{source}`, each
    /// with the secret it signs with: `taobao:secret1,jd:secret2`.
    package var platformSecrets: [String: String] = [:]
    /// `KESU_REGULATOR_EMAIL` — where replies to the regulator about forwarded appeals (申诉转办) are e-mailed; without
    /// it they are kept in the outbox as given up, for an admin to see.
    package var regulatorEmail: String?
    /// `KESU_WECHAT_TOKEN`, `KESU_WECHAT_APPID`, `KESU_WECHAT_AES_KEY` — the official account's server settings:
    /// its callback at `/wechat/callback`, in safe mode when the EncodingAESKey is given. With `KESU_WECHAT_SECRET`
    /// (the AppSecret) Kesu also answers followers through WeChat's API (`KESU_WECHAT_API`, WeChat's own by default),
    /// with template messages `KESU_WECHAT_TEMPLATES=received:TEMPLATE_ID,…` outside the 48-hour window.
    package var wechat: WeChatSettings?
    /// `KESU_OUTBOX_POLL_MS` — how often `serve` sends the customer messages due (default 1000; 0: not here).
    package var outboxPollInterval: Int = 1_000
    /// `KESU_MAIL_RATE_PER_HOUR` — e-mails taken in from one sender an hour; past it they are dropped as a loop
    /// (default 30).
    package var mailRatePerHour: Int = 30

    /// The SQLite file used when no `DATABASE_URL` is set.
    package var sqlitePath: String { (dataDirectory as NSString).appendingPathComponent("kesu.sqlite") }
    package var usesPostgres: Bool { databaseURL != nil }

    /// Reads the configuration; throws one error naming every missing or malformed variable.
    package static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws
        -> AppConfig
    {
        var problems: [String] = []
        func int(_ key: String, default value: Int, _ range: ClosedRange<Int>) -> Int {
            guard let raw = env[key], !raw.isEmpty else { return value }
            guard let n = Int(raw), range.contains(n) else {
                problems.append("\(key)=\(raw) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
                return value
            }
            return n
        }
        let dbURL = env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let dbURL, !(dbURL.hasPrefix("postgres://") || dbURL.hasPrefix("postgresql://")) {
            problems.append("DATABASE_URL must start with postgres:// or postgresql://")
        }
        let zoneName = env["KESU_TIMEZONE"].flatMap { $0.isEmpty ? nil : $0 } ?? "Asia/Shanghai"
        let zone = TimeZone(identifier: zoneName)
        if zone == nil { problems.append("KESU_TIMEZONE=\(zoneName) is not a time zone") }
        let password = env["KESU_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if let password, password.count < 8 { problems.append("KESU_ADMIN_PASSWORD must be at least 8 characters") }
        let from = env["KESU_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? "kefu@kesu.invalid"
        if MailAddress(address: from) == nil { problems.append("KESU_MAIL_FROM=\(from) is not an e-mail address") }
        let smtp = env["KESU_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let smtpURL = smtp.flatMap(URL.init(string:))
        if let smtp, smtpURL?.host == nil || !["smtp", "smtps"].contains(smtpURL?.scheme ?? "") {
            problems.append("KESU_SMTP_URL must look like smtp://user:password@host:587 (given: \(SMTPSettings.redacted(smtp)))")
        }
        let smtpCA = env["KESU_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let smtpCA, !FileManager.default.isReadableFile(atPath: smtpCA) {
            problems.append("KESU_SMTP_CA_FILE=\(smtpCA) is not a readable file")
        }
        var config = AppConfig(
            dataDirectory: env["KESU_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./kesu-data",
            databaseURL: dbURL,
            host: env["KESU_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: int("KESU_PORT", default: 8080, 1...65535),
            adminPassword: password,
            timeZone: zone ?? .gmt,
            bcryptCost: int("KESU_BCRYPT_COST", default: 12, 4...31),
            tokenLifetime: TimeInterval(int("KESU_TOKEN_TTL_HOURS", default: 12, 1...8760) * 3600),
            maxBodyBytes: int("KESU_MAX_BODY_BYTES", default: 1 << 20, 1024...(64 << 20)),
            schedulerInterval: int("KESU_SCHEDULER_INTERVAL_MS", default: 5_000, 0...3_600_000),
            jobPollInterval: int("KESU_JOB_POLL_MS", default: 250, 0...3_600_000),
            schedulerBatch: int("KESU_SCHEDULER_BATCH", default: 200, 1...5_000),
            reloadTemplates: env["KESU_TEMPLATE_RELOAD"] == "1",
            trustedProxies: Set((env["KESU_TRUSTED_PROXIES"] ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }),
            resourcesDirectory: env["KESU_RESOURCES_DIR"].flatMap { $0.isEmpty ? nil : $0 })
        config.publicURL = env["KESU_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://\(config.host):\(config.port)"
        config.mailFrom = from
        config.smtpURL = smtpURL
        config.smtpCAFile = smtpCA
        config.sendmailPath = env["KESU_SENDMAIL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (FileManager.default.isExecutableFile(atPath: "/usr/sbin/sendmail") ? "/usr/sbin/sendmail" : nil)
        if let raw = env["KESU_SMS_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let keyID = env["KESU_SMS_KEY_ID"] ?? "", secret = env["KESU_SMS_SECRET"] ?? "", sign = env["KESU_SMS_SIGN"] ?? ""
            if let url = URL(string: raw), url.host != nil, !keyID.isEmpty, !secret.isEmpty, !sign.isEmpty {
                config.sms = SMSSettings(url: url, keyID: keyID, secret: secret, signName: sign,
                                         templates: Self.pairs(env["KESU_SMS_TEMPLATES"] ?? ""))
            } else {
                problems.append("KESU_SMS_URL needs an http(s) address and KESU_SMS_KEY_ID, KESU_SMS_SECRET and KESU_SMS_SIGN")
            }
        }
        for pair in (env["KESU_PLATFORM_SECRETS"] ?? "").split(separator: ",") {
            let kv = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[1].isEmpty, kv[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                problems.append("KESU_PLATFORM_SECRETS must read source:secret,source:secret (letters, digits and - in a source)")
                continue
            }
            config.platformSecrets[kv[0]] = kv[1]
        }
        if let token = env["KESU_WECHAT_TOKEN"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let key = env["KESU_WECHAT_AES_KEY"].flatMap { $0.isEmpty ? nil : $0 }
            if let key, key.count != 43 { problems.append("KESU_WECHAT_AES_KEY must be the 43-character EncodingAESKey") }
            let api = URL(string: env["KESU_WECHAT_API"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.weixin.qq.com")
            if api?.host == nil { problems.append("KESU_WECHAT_API is not an http(s) address") }
            config.wechat = WeChatSettings(token: token, appID: env["KESU_WECHAT_APPID"] ?? "", encodingAESKey: key,
                                           secret: env["KESU_WECHAT_SECRET"].flatMap { $0.isEmpty ? nil : $0 },
                                           apiURL: api ?? URL(fileURLWithPath: "/"),
                                           templates: Self.pairs(env["KESU_WECHAT_TEMPLATES"] ?? ""))
        }
        config.regulatorEmail = env["KESU_REGULATOR_EMAIL"].flatMap { $0.isEmpty ? nil : $0 }
        if let address = config.regulatorEmail, MailAddress(address: address) == nil {
            problems.append("KESU_REGULATOR_EMAIL is not an e-mail address")
        }
        config.outboxPollInterval = int("KESU_OUTBOX_POLL_MS", default: 1_000, 0...3_600_000)
        config.mailRatePerHour = int("KESU_MAIL_RATE_PER_HOUR", default: 30, 1...100_000)
        guard problems.isEmpty else {
            throw KesuError(.invalidInput, "Kesu cannot start: " + problems.joined(separator: "; "),
                            details: ["configuration": problems])
        }
        return config
    }

    /// `name:value,name:value` read as a map (template codes by notice).
    static func pairs(_ raw: String) -> [String: String] {
        raw.split(separator: ",").reduce(into: [String: String]()) { map, pair in
            let kv = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2 { map[kv[0]] = kv[1] }
        }
    }
}
