import Foundation
import KesuCore
import Testing

let intakeNow = Date(timeIntervalSince1970: 1_795_000_000)

func makeDraft(name: String = "王芳", phone: String = "13812345678", email: String? = nil,
           waybills: [String] = ["YT1234567890"], description: String = "包裹三天没有更新",
           category: ComplaintCategory? = nil, receivedAt: Date? = nil) -> ComplaintDraft {
    ComplaintDraft(channel: .phone, customerName: name, customerPhone: phone, customerEmail: email,
                   waybillNumbers: waybills, description: description, category: category, receivedAt: receivedAt)
}

struct IntakeTests {
    let now = intakeNow

    @Test func validDraftIsCleaned() throws {
        let intake = try makeDraft(name: "  王芳 ", phone: "+86 138-1234-5678", waybills: ["yt1234567890", "YT1234567890"],
                               description: " 快件延误了 ").validate(now: now)
        #expect(intake.customerName == "王芳")
        #expect(intake.phone.digits == "13812345678")
        #expect(intake.waybillNumbers == ["YT1234567890"])
        #expect(intake.description == "快件延误了")
        #expect(intake.receivedAt == now)
        #expect(intake.category == nil, "the service asks the classifier, which needs the shipment")
    }

    /// A field outside the API's schema is invalid input (400); one that fits it but breaks a rule is refused (422).
    @Test("every bad field is named in one error",
          arguments: [
            (makeDraft(name: ""), "customer.name", KesuError.Code.invalidInput),
            (makeDraft(name: "   "), "customer.name", .unprocessable),
            // 26 characters but 52 code points: lengths count as the schema does.
            (makeDraft(name: String(repeating: "e\u{301}", count: 26)), "customer.name", .invalidInput),
            (makeDraft(phone: "12345"), "customer.phone", .invalidInput),
            (makeDraft(email: "not-an-email"), "customer.email", .unprocessable),
            (makeDraft(waybills: ["<script>"]), "waybillNumbers", .invalidInput),
            (makeDraft(description: ""), "description", .invalidInput),
            (makeDraft(description: String(repeating: "长", count: 5_001)), "description", .invalidInput),
            (makeDraft(receivedAt: Date(timeIntervalSince1970: 1_795_000_000 + 3_600)), "receivedAt", .unprocessable),
            (makeDraft(receivedAt: Date(timeIntervalSince1970: 1_795_000_000 - 367 * 86_400)), "receivedAt", .unprocessable),
          ])
    func badField(draft: ComplaintDraft, field: String, code: KesuError.Code) {
        let error = #expect(throws: KesuError.self) { try draft.validate(now: now) }
        #expect(error?.code == code)
        #expect(error?.details.keys.contains(field) == true)
    }

    @Test func allProblemsAtOnce() {
        let error = #expect(throws: KesuError.self) {
            try makeDraft(name: "", phone: "x", description: "").validate(now: now)
        }
        #expect(Set(error?.details.keys.map { $0 } ?? []) == ["customer.name", "customer.phone", "description"])
    }

    @Test("phone numbers", arguments: [
        ("13812345678", "13812345678", "138****5678"),
        ("+8613912345678", "13912345678", "139****5678"),
        ("021-62345678", "02162345678", "021****5678"),
        ("0571 8888 6666", "057188886666", "057****6666"),
    ])
    func phone(raw: String, digits: String, masked: String) throws {
        let phone = try #require(PhoneNumber(raw))
        #expect(phone.digits == digits)
        #expect(phone.masked == masked)
    }

    @Test(arguments: ["", "1234567", "23812345678", "1381234567a", "12812345678", "138123456789"])
    func invalidPhone(raw: String) {
        #expect(PhoneNumber(raw) == nil)
    }
}
