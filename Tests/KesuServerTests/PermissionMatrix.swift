import KesuCore
import Vapor

/// The expected answers of the permission matrix: every API operation and every page, who may use it, and whether
/// the subject's unit matters. Written out by hand from docs/roles.md — not derived from the grant table — so a
/// change to either shows up as a mismatch. A route missing here fails the test.
enum PermissionMatrix {
    /// Who may use a route.
    enum Rule {
        /// Anyone, logged in or not (login, the portal's front pages, health).
        case open
        /// A customer through their private link: it works with their own link and on their own complaint's things.
        case customer
        /// The listed roles; `scoped`: only on a subject within their unit.
        case roles(Set<Role>, scoped: Bool)
        /// A platform's webhook: only its signature lets a request in, never a login. The matrix's server knows no
        /// platform, so every caller is refused (the signatures are PlatformIntakeTests').
        case signed
    }

    enum Body {
        case none
        case json(String)
        case form(String)
        /// A multipart form with one small PNG in `file`, and these fields.
        case file([String: String])
    }

    struct Entry {
        let method: HTTPMethod
        /// As Vapor registers it: `/api/v1/complaints/:number`.
        let route: String
        /// The request: `{n}` the complaint's number, `{p}` its proposal, `{task}`, `{inq}` its inquiry, `{rect}` its
        /// rectification, `{closed}` a closed complaint (`{typical}` one marked typical), `{file}` an attachment, `{tok}` its private link, `{unit}` its outlet, `{victim}` a user of
        /// that outlet, `{policy}` a fresh SLA policy, `{dead}` a fresh dead job, `{deadMessage}` a fresh dead outbound message, `{view}` a fresh saved view of the admin's, `{parcel}` a fresh problem parcel of its outlet, `{u}` a fresh unique suffix.
        let path: String
        let rule: Rule
        var body: Body = .none
        /// The request spends the caller's credentials (logging out).
        var spendsCredentials = false
    }

    static let everyone = Set(Role.allCases)
    static let workers: Set<Role> = [.agent, .supervisor, .outlet, .claims, .quality, .admin]
    static let recorders: Set<Role> = [.agent, .supervisor, .quality, .admin, .system]
    static let leads: Set<Role> = [.supervisor, .quality, .admin]
    static let admins: Set<Role> = [.admin]
    /// Who registers problem parcels (couriers and outlets, the operations system), and who follows them up.
    static let parcelRegistrars: Set<Role> = [.outlet, .system, .admin]
    static let parcelWorkers: Set<Role> = [.agent, .supervisor, .outlet, .quality, .admin]
    /// Who sees fines, issues them (HQ or the region above the outlet), and appeals them (the fined outlet). Reviewers
    /// are HQ's quality officers: the matrix's users sit at the region, so none of them may decide an appeal.
    static let fineViewers: Set<Role> = [.supervisor, .outlet, .claims, .quality, .admin]
    static let fineIssuers: Set<Role> = [.quality, .admin]
    static let appellants: Set<Role> = [.outlet, .admin]
    /// Who reviews customers for the blacklist, and who may ask for a listing to be lifted.
    static let reviewers: Set<Role> = [.quality, .admin]
    static let liftAskers: Set<Role> = [.agent, .supervisor, .outlet, .claims, .quality, .admin]
    static let fineEvidence = #"[{"kind":"photo","fileName":"p.png","content":"iVBORw0KGgoHBwcH"}]"#

    static let view = Rule.roles(everyone, scoped: true)
    static let work = Rule.roles(workers, scoped: true)
    static let anyStaff = Rule.roles(everyone, scoped: false)
    static let adminOnly = Rule.roles(admins, scoped: false)

    static func e(_ method: HTTPMethod, _ route: String, _ rule: Rule, _ body: Body = .none, path: String? = nil,
                  spends: Bool = false) -> Entry
    {
        Entry(method: method, route: route, path: path ?? route
            .replacingOccurrences(of: ":number", with: "{n}").replacingOccurrences(of: ":token", with: "{tok}"),
              rule: rule, body: body, spendsCredentials: spends)
    }

    static let policyJSON = #"{"category":"damage","firstReplyMinutes":60,"resolutionMinutes":1440}"#

    static let api: [Entry] = [
        e(.POST, "/api/v1/auth/token", .open, .json(#"{"username":"agent","password":"{pw}"}"#)),
        e(.DELETE, "/api/v1/auth/token", anyStaff, spends: true),
        e(.GET, "/api/v1/me", anyStaff),
        e(.POST, "/api/v1/complaints", .roles(recorders, scoped: false), .json(
            #"{"channel":"phone","customer":{"name":"钱先生","phone":"13912340000"},"waybillNumbers":[],"description":"包裹破损，外箱压扁。"}"#)),
        e(.GET, "/api/v1/complaints", anyStaff),
        e(.GET, "/api/v1/complaints/:number", view),
        e(.PATCH, "/api/v1/complaints/:number", work, .json(#"{"priority":"P2"}"#)),
        e(.POST, "/api/v1/complaints/:number/transitions", work, .json(#"{"to":"on_hold","note":"等客户材料"}"#)),
        e(.POST, "/api/v1/complaints/:number/notes", work, .json(#"{"body":"已核实","customerVisible":false}"#)),
        e(.PUT, "/api/v1/shipments/:waybill", .roles([.system, .admin], scoped: false),
          .json(#"{"serviceFeeFen":1200,"itemKind":"documents","trackingEvents":[]}"#), path: "/api/v1/shipments/YT9990001"),
        e(.GET, "/api/v1/shipments/:waybill", anyStaff, path: "/api/v1/shipments/YT9990000"),
        e(.GET, "/api/v1/categories", anyStaff),
        e(.GET, "/api/v1/org-units", anyStaff),
        e(.POST, "/api/v1/org-units", .roles(admins, scoped: true),
          .json(#"{"code":"C-{u}","name":"快递员 {u}","kind":"courier","parent":"{unit}"}"#)),
        e(.GET, "/api/v1/users", .roles(leads, scoped: false)),
        e(.POST, "/api/v1/users", .roles(admins, scoped: true), .json(
            #"{"username":"new-{u}","displayName":"新人","password":"password123","role":"agent","unit":"{unit}"}"#)),
        e(.PATCH, "/api/v1/users/:username", .roles(admins, scoped: true), .json(#"{"displayName":"改名 {u}"}"#),
          path: "/api/v1/users/{victim}"),
        e(.POST, "/api/v1/users/:username/revoke-tokens", .roles(admins, scoped: true),
          path: "/api/v1/users/{victim}/revoke-tokens"),
        e(.POST, "/api/v1/complaints/:number/promises", work, .json(#"{"dueAt":"{future}","note":"明天回电"}"#)),
        e(.GET, "/api/v1/notifications", anyStaff),
        e(.POST, "/api/v1/notifications/read", anyStaff, .json(#"{"ids":[]}"#)),
        e(.GET, "/api/v1/sla-policies", anyStaff),
        e(.POST, "/api/v1/sla-policies", adminOnly, .json(policyJSON)),
        e(.PUT, "/api/v1/sla-policies/:id", adminOnly, .json(policyJSON), path: "/api/v1/sla-policies/{policy}"),
        e(.DELETE, "/api/v1/sla-policies/:id", adminOnly, path: "/api/v1/sla-policies/{policy}"),
        e(.GET, "/api/v1/calendar", anyStaff),
        e(.PUT, "/api/v1/calendar/hours", adminOnly, .json(#"[{"weekday":1,"hours":"09:00-18:00"}]"#)),
        e(.PUT, "/api/v1/calendar/days/:day", adminOnly, .json(#"{"kind":"normal"}"#), path: "/api/v1/calendar/days/2027-03-03"),
        e(.GET, "/api/v1/reports/sla", .roles(leads, scoped: false), path: "/api/v1/reports/sla?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z"),
        e(.PUT, "/api/v1/complaints/:number/responsibility", work,
          .json(#"{"party":"outlet","unit":"{unit}","reason":"派送员未按址投递"}"#)),
        e(.GET, "/api/v1/complaints/:number/proposals", view),
        e(.POST, "/api/v1/complaints/:number/proposals", work,
          .json(#"{"kind":"coupon","amountFen":500,"description":"致歉券"}"#)),
        e(.POST, "/api/v1/complaints/:number/proposals/:id/approve", work, path: "/api/v1/complaints/{n}/proposals/{p}/approve"),
        e(.POST, "/api/v1/complaints/:number/proposals/:id/offer", work, path: "/api/v1/complaints/{n}/proposals/{p}/offer"),
        e(.POST, "/api/v1/complaints/:number/proposals/:id/decision", work, .json(#"{"accepted":true}"#),
          path: "/api/v1/complaints/{n}/proposals/{p}/decision"),
        e(.GET, "/api/v1/authority-limits", anyStaff),
        e(.PUT, "/api/v1/authority-limits/:role", adminOnly, .json(#"{"limitFen":10000}"#), path: "/api/v1/authority-limits/agent"),
        e(.GET, "/api/v1/complaints/:number/tasks", view),
        e(.POST, "/api/v1/complaints/:number/tasks/:id/done", work, .json(#"{"note":"已办"}"#),
          path: "/api/v1/complaints/{n}/tasks/{task}/done"),
        e(.GET, "/api/v1/complaints/:number/follow-ups", view),
        e(.POST, "/api/v1/complaints/:number/follow-ups", work, .json(#"{"outcome":"satisfied"}"#)),
        e(.GET, "/api/v1/compensation-rules", anyStaff),
        e(.POST, "/api/v1/compensation-rules", adminOnly,
          .json(#"{"effectiveFrom":"{future}","uninsuredFeeMultiple":3,"couponCapFen":2000}"#)),
        e(.GET, "/api/v1/complaints/:number/compensation-suggestion", view,
          path: "/api/v1/complaints/{n}/compensation-suggestion?incident=delay"),
        e(.GET, "/api/v1/complaints/:number/inquiries", view),
        e(.POST, "/api/v1/complaints/:number/inquiries", work, .json(#"{"unit":"{unit}","question":"请核实签收"}"#)),
        e(.POST, "/api/v1/complaints/:number/inquiries/:id/answer", work, .json(#"{"answer":"已核实"}"#),
          path: "/api/v1/complaints/{n}/inquiries/{inq}/answer"),
        e(.GET, "/api/v1/inquiries", anyStaff),
        e(.GET, "/api/v1/root-causes", anyStaff),
        e(.POST, "/api/v1/root-causes", .roles([.quality, .admin], scoped: false),
          .json(#"{"name":"新原因 {u}","systemic":false}"#)),
        e(.GET, "/api/v1/rectifications", anyStaff),
        e(.POST, "/api/v1/rectifications/:id/done", work, .json(#"{"note":"已整改"}"#), path: "/api/v1/rectifications/{rect}/done"),
        e(.POST, "/api/v1/rectifications/:id/verify", .roles(leads, scoped: true), .json(#"{"accepted":false,"note":"再查"}"#),
          path: "/api/v1/rectifications/{rect}/verify"),
        e(.PUT, "/api/v1/complaints/:number/typical-case", .roles(leads, scoped: true), .json(#"{"lesson":"先电联"}"#),
          path: "/api/v1/complaints/{closed}/typical-case"),
        e(.DELETE, "/api/v1/complaints/:number/typical-case", .roles(leads, scoped: true),
          path: "/api/v1/complaints/{typical}/typical-case"),
        e(.GET, "/api/v1/typical-cases", anyStaff),
        e(.GET, "/api/v1/problem-parcels", anyStaff),
        e(.POST, "/api/v1/problem-parcels", .roles(parcelRegistrars, scoped: true),
          .json(#"{"waybill":"PP{u}0000","reasonCode":"refused","outlet":"{unit}"}"#)),
        e(.GET, "/api/v1/problem-parcels/:id", view, path: "/api/v1/problem-parcels/{parcel}"),
        e(.POST, "/api/v1/problem-parcels/:id/follow-ups", .roles(parcelWorkers, scoped: true),
          .json(#"{"method":"phone","note":"已联系客户"}"#), path: "/api/v1/problem-parcels/{parcel}/follow-ups"),
        e(.POST, "/api/v1/problem-parcels/:id/settle", .roles(parcelWorkers, scoped: true),
          .json(#"{"outcome":"delivered"}"#), path: "/api/v1/problem-parcels/{parcel}/settle"),
        e(.GET, "/api/v1/problem-reasons", anyStaff),
        e(.GET, "/api/v1/fines", .roles(fineViewers, scoped: false)),
        e(.POST, "/api/v1/fines", .roles(fineIssuers, scoped: true),
          .json(#"{"unit":"{unit}","rule":"lost_parcel","complaint":"{n}","reason":"矩阵考核"}"#)),
        e(.GET, "/api/v1/fines/:id", .roles(fineViewers, scoped: true), path: "/api/v1/fines/{fine}"),
        e(.POST, "/api/v1/fines/:id/appeal", .roles(appellants, scoped: true),
          .json(#"{"statement":"矩阵申诉","evidence":"# + fineEvidence + "}"), path: "/api/v1/fines/{fine}/appeal"),
        e(.POST, "/api/v1/fines/:id/second-review", .roles(appellants, scoped: true), .json(#"{"statement":"矩阵复核"}"#),
          path: "/api/v1/fines/{fine}/second-review"),
        e(.POST, "/api/v1/fines/:id/accept", .roles(appellants, scoped: true), path: "/api/v1/fines/{fine}/accept"),
        e(.POST, "/api/v1/fines/:id/decision", .roles([], scoped: true), .json(#"{"decision":"uphold","reason":"矩阵"}"#),
          path: "/api/v1/fines/{appealed}/decision"),
        e(.GET, "/api/v1/fine-rules", .roles(fineViewers, scoped: false)),
        e(.GET, "/api/v1/customers/:id/signals", view, path: "/api/v1/customers/{customer}/signals"),
        e(.POST, "/api/v1/customers/:id/reviews", .roles(reviewers, scoped: true), .json(#"{"reason":"矩阵复核"}"#),
          path: "/api/v1/customers/{freshCustomer}/reviews"),
        e(.GET, "/api/v1/customer-reviews", .roles(reviewers, scoped: false)),
        e(.POST, "/api/v1/customer-reviews/:id/decision", .roles(reviewers, scoped: true),
          .json(#"{"list":false,"reason":"矩阵不予列入"}"#), path: "/api/v1/customer-reviews/{openReview}/decision"),
        e(.POST, "/api/v1/customer-reviews/:id/lift-requests", .roles(liftAskers, scoped: true),
          .json(#"{"reason":"矩阵申请解除"}"#), path: "/api/v1/customer-reviews/{listedReview}/lift-requests"),
        e(.POST, "/api/v1/customer-reviews/:id/lift", .roles(reviewers, scoped: true), .json(#"{"reason":"矩阵解除"}"#),
          path: "/api/v1/customer-reviews/{listedReview}/lift"),
        e(.GET, "/api/v1/fine-statements", .roles(fineViewers, scoped: true), path: "/api/v1/fine-statements?unit={unit}"),
    ]

    static let pages: [Entry] = [
        e(.GET, "/health", .open),
        e(.GET, "/api/openapi.yaml", .open),
        e(.GET, "/login", .open),
        e(.POST, "/login", .open, .form("username=agent&password={pw}")),
        e(.GET, "/lang/:code", .open, path: "/lang/en"),
        e(.POST, "/logout", anyStaff, .form(""), spends: true),
        e(.GET, "/portal", .open),
        e(.GET, "/portal/new", .open),
        e(.POST, "/portal/new", .open, .form("name=%E9%92%B1&phone=13912340001&waybill=&category=&description=%E5%8C%85%E8%A3%B9%E7%A0%B4%E4%BA%86&key={u}")),
        e(.POST, "/portal/track", .open, .form("number=KS20200101000001&phone=13900000000")),
        e(.GET, "/portal/track", .open),
        e(.GET, "/t/:token", .customer),
        e(.POST, "/t/:token/messages", .customer, .form("body=%E8%AF%B7%E5%B0%BD%E5%BF%AB")),
        e(.POST, "/t/:token/proposals/:id/:answer", .customer, .form("reason=%E5%A4%AA%E5%B0%91"),
          path: "/t/{tok}/proposals/{p}/reject"),
        e(.POST, "/t/:token/survey", .customer, .form("outcome=satisfied")),
        e(.POST, "/t/:token/notices", .customer, .form("off=1")),
        e(.POST, "/t/:token/attachments", .customer, .file([:])),
        e(.GET, "/t/:token/attachments/:id", .customer, path: "/t/{tok}/attachments/{file}"),
        e(.GET, "/", anyStaff),
        e(.GET, "/complaints", anyStaff),
        e(.GET, "/complaints/:number", view),
        e(.POST, "/complaints/:number/transition", work, .form("to=on_hold&note=%E7%AD%89")),
        e(.POST, "/complaints/:number/notes", work, .form("body=%E5%B7%B2%E6%A0%B8%E5%AE%9E")),
        e(.POST, "/complaints/:number/take", work, .form("")),
        e(.POST, "/complaints/:number/change", work, .form("priority=P2")),
        e(.POST, "/complaints/bulk", work, .form("numbers[]={n}&action=priority&priority=P3")),
        e(.GET, "/complaints/counts", anyStaff),
        e(.POST, "/complaints/views", anyStaff, .form("name=%E6%88%91%E7%9A%84%E8%A7%86%E5%9B%BE&query=view%3Dopen%26sort%3Dage")),
        e(.POST, "/complaints/views/:id/delete", adminOnly, .form(""), path: "/complaints/views/{view}/delete"),
        e(.GET, "/complaints/new", .roles(recorders, scoped: false)),
        e(.GET, "/complaints/new/lookup", anyStaff, path: "/complaints/new/lookup?phone=13812345678"),
        e(.GET, "/complaints/new/suggest", anyStaff, path: "/complaints/new/suggest?text=%E5%BF%AB%E9%80%92%E5%BB%B6%E8%AF%AF"),
        e(.POST, "/complaints/new", .roles(recorders, scoped: false),
          .form("phone=13912340002&name=%E9%92%B1&email=&waybill=&category=&priority=&channel=phone"
                + "&description=%E5%8C%85%E8%A3%B9%E7%A0%B4%E6%8D%9F%E4%BA%86&key={u}")),
        e(.POST, "/complaints/:number/attachments", work, .file(["visible": "1"])),
        e(.GET, "/attachments/:id", view, path: "/attachments/{file}"),
        e(.GET, "/admin", adminOnly),
        e(.POST, "/admin/users", .roles(admins, scoped: true),
          .form("username=web-{u}&name=%E6%96%B0&password=password123&role=agent&unit={unit}")),
        e(.POST, "/admin/users/:username", .roles(admins, scoped: true), .form("role=outlet"), path: "/admin/users/{victim}"),
        e(.GET, "/admin/units", adminOnly),
        e(.POST, "/admin/units", .roles(admins, scoped: true), .form("code=W-{u}&name=%E5%BF%AB%E9%80%92%E5%91%98&kind=courier&parent={unit}")),
        e(.GET, "/admin/canned", adminOnly),
        e(.POST, "/admin/canned", adminOnly, .form("title=%E8%87%B4%E6%AD%89&body=%E6%8A%B1%E6%AD%89")),
        e(.GET, "/admin/categories", adminOnly),
        e(.POST, "/admin/categories", adminOnly, .form("code=sub{u}&nameZh=%E5%AD%90&nameEn=Sub&category=damage&active=1")),
        e(.GET, "/admin/sla", adminOnly),
        e(.POST, "/admin/sla", adminOnly, .form("id=&category=damage&priority=&channel=&firstReplyHours=1&firstReplyMinutes=0&resolutionHours=24&resolutionMinutes=0&regulatorDays=&warnPercent=80")),
        e(.POST, "/admin/sla/:id/delete", adminOnly, .form(""), path: "/admin/sla/{policy}/delete"),
        e(.GET, "/admin/calendar", adminOnly),
        e(.POST, "/admin/calendar/hours", adminOnly, .form("h1=09:00-18:00")),
        e(.POST, "/admin/calendar/days", adminOnly, .form("day=2027-03-04&kind=normal")),
        e(.GET, "/admin/compensation", .roles(admins, scoped: false)),
        e(.POST, "/admin/compensation", adminOnly, .form("effectiveFrom={futureLocal}&multiple=3&cap=20")),
        e(.GET, "/admin/root-causes", .roles([.quality, .admin], scoped: false)),
        e(.POST, "/admin/root-causes", .roles([.quality, .admin], scoped: false), .form("name=%E5%8E%9F%E5%9B%A0{u}")),
        e(.GET, "/admin/jobs", adminOnly),
        e(.GET, "/admin/outbox", adminOnly),
        e(.GET, "/admin/notices", adminOnly),
        e(.POST, "/admin/notices/:notice/:channel", adminOnly, .form("reset=1"), path: "/admin/notices/closed/email"),
        e(.POST, "/api/v1/intake/:source", .signed, .json(#"{"caseId":"m1"}"#), path: "/api/v1/intake/taobao"),
        e(.GET, "/wechat/callback", .signed, path: "/wechat/callback?signature=x&timestamp=1&nonce=n&echostr=e"),
        e(.POST, "/wechat/callback", .signed, .form("x=1"), path: "/wechat/callback?signature=x&timestamp=1&nonce=n"),
        e(.POST, "/admin/outbox/:id/retry", adminOnly, .form(""), path: "/admin/outbox/{deadMessage}/retry"),
        e(.POST, "/admin/jobs/:id/retry", adminOnly, .form(""), path: "/admin/jobs/{dead}/retry"),
        e(.POST, "/complaints/:number/promise", work, .form("dueAt={futureLocal}&note=%E5%9B%9E%E7%94%B5")),
        e(.GET, "/notifications", anyStaff),
        e(.POST, "/notifications/read", anyStaff, .form("")),
        e(.GET, "/reports/sla", .roles(leads, scoped: false)),
        e(.GET, "/reports/sla.csv", .roles(leads, scoped: false)),
        e(.POST, "/complaints/:number/inquiries", work, .form("unit={unit}&question=%E8%AF%B7%E6%A0%B8%E5%AE%9E")),
        e(.POST, "/complaints/:number/inquiries/:id/answer", work, .file(["answer": "已核实"]),
          path: "/complaints/{n}/inquiries/{inq}/answer"),
        e(.POST, "/complaints/:number/typical-case", .roles(leads, scoped: true), .form("lesson=%E5%85%88%E7%94%B5%E8%81%94"),
          path: "/complaints/{closed}/typical-case"),
        e(.GET, "/rectifications", anyStaff),
        e(.POST, "/rectifications/:id/:action", work, .form("note=%E5%B7%B2%E6%95%B4%E6%94%B9"), path: "/rectifications/{rect}/done"),
        e(.GET, "/cases", anyStaff),
        e(.POST, "/complaints/:number/responsibility", work, .form("party=outlet&unit={unit}&reason=%E6%9C%AA%E6%8C%89%E5%9D%80")),
        e(.POST, "/complaints/:number/proposals", work, .form("kind=coupon&amount=5&description=%E8%87%B4%E6%AD%89")),
        e(.POST, "/complaints/:number/proposals/:id/:action", work, .form(""), path: "/complaints/{n}/proposals/{p}/offer"),
        e(.POST, "/complaints/:number/tasks/:id/done", work, .form("note=%E5%B7%B2%E5%8A%9E"), path: "/complaints/{n}/tasks/{task}/done"),
        e(.POST, "/complaints/:number/follow-ups", work, .form("outcome=satisfied")),
        e(.GET, "/parcels", anyStaff),
        e(.GET, "/parcels/new", .roles(parcelRegistrars, scoped: false)),
        e(.POST, "/parcels", .roles(parcelRegistrars, scoped: true), .form("waybill=PQ{u}0000&reasonCode=refused&outlet={unit}")),
        e(.GET, "/parcels/:id", view, path: "/parcels/{parcel}"),
        e(.POST, "/parcels/:id/follow-ups", .roles(parcelWorkers, scoped: true),
          .form("method=phone&note=%E5%B7%B2%E8%81%94%E7%B3%BB"), path: "/parcels/{parcel}/follow-ups"),
        e(.POST, "/parcels/:id/settle", .roles(parcelWorkers, scoped: true), .form("outcome=returned"),
          path: "/parcels/{parcel}/settle"),
        e(.GET, "/admin/problem-parcels", .roles([.quality, .admin], scoped: false)),
        e(.POST, "/admin/problem-parcels/reasons", .roles([.quality, .admin], scoped: false),
          .form("reasonCode=matrix{u}&nameZh=%E5%8E%9F%E5%9B%A0&nameEn=Reason&active=1")),
        e(.POST, "/admin/problem-parcels/lapse", .roles([.quality, .admin], scoped: false), .form("lapseDays=3")),
        e(.GET, "/outlet", anyStaff),
        e(.GET, "/performance", .roles(fineViewers, scoped: false)),
        e(.GET, "/performance.csv", .roles(fineViewers, scoped: false)),
        e(.GET, "/fines", .roles(fineViewers, scoped: false)),
        e(.GET, "/fines/new", .roles(fineIssuers, scoped: false)),
        e(.POST, "/fines", .roles(fineIssuers, scoped: true),
          .file(["unit": "{unit}", "rule": "lost_parcel", "complaint": "{n}", "reason": "矩阵考核", "kind": "photo"])),
        e(.GET, "/fines/:id", .roles(fineViewers, scoped: true), path: "/fines/{fine}"),
        e(.POST, "/fines/:id/appeal", .roles(appellants, scoped: true), .file(["statement": "矩阵申诉", "kind": "photo"]),
          path: "/fines/{fine}/appeal"),
        e(.POST, "/fines/:id/second-review", .roles(appellants, scoped: true), .file(["statement": "矩阵复核"]),
          path: "/fines/{fine}/second-review"),
        e(.POST, "/fines/:id/accept", .roles(appellants, scoped: true), .form(""), path: "/fines/{fine}/accept"),
        e(.POST, "/fines/:id/decision", .roles([], scoped: true), .form("decision=uphold&reason=%E7%9F%A9%E9%98%B5"),
          path: "/fines/{appealed}/decision"),
        e(.GET, "/fines/:id/evidence/:file", .roles(fineViewers, scoped: true), path: "/fines/{fineFile}"),
        e(.GET, "/fines/statement", .roles(fineViewers, scoped: true), path: "/fines/statement?unit={unit}"),
        e(.GET, "/fines/statement.csv", .roles(fineViewers, scoped: true), path: "/fines/statement.csv?unit={unit}"),
        e(.GET, "/customer-reviews", .roles(reviewers, scoped: false)),
        e(.GET, "/customers/:id/review", view, path: "/customers/{customer}/review"),
        e(.POST, "/customers/:id/review", .roles(reviewers, scoped: true), .form("reason=%E7%9F%A9%E9%98%B5"),
          path: "/customers/{freshCustomer}/review"),
        e(.POST, "/customer-reviews/:id/decision", .roles(reviewers, scoped: true),
          .form("decision=dismiss&reason=%E7%9F%A9%E9%98%B5"), path: "/customer-reviews/{openReview}/decision"),
        e(.POST, "/customer-reviews/:id/lift-requests", .roles(liftAskers, scoped: true),
          .form("reason=%E7%9F%A9%E9%98%B5"), path: "/customer-reviews/{listedReview}/lift-requests"),
        e(.POST, "/customer-reviews/:id/lift", .roles(reviewers, scoped: true), .form("reason=%E7%9F%A9%E9%98%B5"),
          path: "/customer-reviews/{listedReview}/lift"),
        e(.GET, "/admin/fines", .roles(fineIssuers, scoped: false)),
        e(.POST, "/admin/fines/rules", .roles(fineIssuers, scoped: false),
          .form("ruleCode=lost_parcel&nameZh=%E4%B8%A2%E5%A4%B1&nameEn=Lost&kind=fine&amount=500&active=1")),
        e(.POST, "/admin/fines/windows", .roles(fineIssuers, scoped: false),
          .form("appealHours=72&reviewHours=48&secondAskHours=48&overdue=suspend")),
    ]
}
