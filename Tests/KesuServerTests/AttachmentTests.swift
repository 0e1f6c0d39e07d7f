import Foundation
import KesuServer
import Vapor
import XCTest

/// Evidence files: stored in the database, typed by content, shown only to those who may see the complaint.
final class AttachmentTests: KesuTestCase, @unchecked Sendable {
    func csrf(_ cookie: String, _ number: String) async throws -> String {
        let page = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie)")])
        return try formToken(in: page.body)
    }

    func testTypedByContentAndServedSafely() async throws {
        let number = try await recordedNumber()
        let cookie = try await session("agent")
        let token = try await csrf(cookie, number)
        let photo = try await upload("/complaints/\(number)/attachments", cookie: cookie, fileName: "../../evil.html",
                                     bytes: Self.png, fields: ["_csrf": token, "visible": "1"])
        XCTAssertEqual(photo.status, .seeOther, photo.body)
        let html = try await upload("/complaints/\(number)/attachments", cookie: cookie, fileName: "photo.jpg",
                                    bytes: Array("<script>alert(1)</script>".utf8), fields: ["_csrf": token])
        XCTAssertEqual(html.status, .seeOther)
        let forged = try await upload("/complaints/\(number)/attachments", cookie: cookie, fileName: "x.png",
                                      bytes: Self.png, fields: [:])
        XCTAssertEqual(forged.status, .forbidden, "uploads need the form token")

        let page = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie)")])
        let links = page.body.components(separatedBy: "href=\"/attachments/").dropFirst()
            .compactMap { $0.split(separator: "\"").first.map(String.init) }
        var ids: [String] = []
        for link in links where !ids.contains(link) { ids.append(link) }
        XCTAssertEqual(ids.count, 2, "\(ids)")
        XCTAssertTrue(page.body.contains("evil.html"), "the name is kept without its path")
        XCTAssertFalse(page.body.contains("../"))

        let image = try await call(.GET, "/attachments/\(ids[0])", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(image.headers.first(name: .contentType), "image/png")
        XCTAssertTrue(image.headers.first(name: "Content-Disposition")?.hasPrefix("inline") == true)
        XCTAssertEqual(image.headers.first(name: "X-Content-Type-Options"), "nosniff")
        let script = try await call(.GET, "/attachments/\(ids[1])", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(script.headers.first(name: .contentType), "application/octet-stream")
        XCTAssertTrue(script.headers.first(name: "Content-Disposition")?.hasPrefix("attachment") == true)

        _ = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor", json: ["outlet": "GZ-TH"])
        let outsider = try await session("outlet-pd")
        let refused = try await call(.GET, "/attachments/\(ids[0])", headers: [("Cookie", "kesu_session=\(outsider)")])
        XCTAssertEqual(refused.status, .forbidden)
        let anonymous = try await call(.GET, "/attachments/\(ids[0])")
        XCTAssertEqual(anonymous.status, .seeOther, "to the login page")

        let tooBig = try await upload("/complaints/\(number)/attachments", cookie: cookie, fileName: "big.png",
                                      bytes: Self.png, fields: ["_csrf": token], padding: 21 * 1024 * 1024)
        XCTAssertEqual(tooBig.status, .payloadTooLarge)
        let stored = try await count("attachments")
        XCTAssertEqual(stored, 2)
    }

    func testCustomerSeesOnlyVisibleFilesAndCanAddPhotos() async throws {
        let number = try await recordedNumber()
        let tracked = try await call(.POST, "/portal/track", raw: "number=\(number)&phone=13812345678",
                                     headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let link = try XCTUnwrap(tracked.headers.first(name: .location))
        let sent = try await upload(link + "/attachments", cookie: nil, fileName: "box.png", bytes: Self.png, fields: [:])
        XCTAssertEqual(sent.status, .seeOther, sent.body)
        let cookie = try await session("agent")
        let token = try await csrf(cookie, number)
        _ = try await upload("/complaints/\(number)/attachments", cookie: cookie, fileName: "internal-scan.png",
                             bytes: Self.png, fields: ["_csrf": token])
        _ = try await upload("/complaints/\(number)/attachments", cookie: cookie, fileName: "label-photo.png",
                             bytes: Self.png, fields: ["_csrf": token, "visible": "1"])
        let status = try await call(.GET, link)
        XCTAssertTrue(status.body.contains("box.png"))
        XCTAssertFalse(status.body.contains("internal-scan.png"), "internal evidence stays internal")
        // The customer's own photo reads as theirs, the one staff showed them as the service's.
        func mark(of name: String) -> String? {
            let items: [String] = status.body.components(separatedBy: "<li>")
            guard let item = items.first(where: { $0.contains(">\(name)</a>") }),
                  let small = item.range(of: "<small>") else { return nil }
            return String(item[small.upperBound...].prefix(while: { $0 != "<" }))
        }
        XCTAssertEqual(mark(of: "box.png"), "您上传的")
        XCTAssertEqual(mark(of: "label-photo.png"), "客服提供")
        let staffView = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let kinds = (staffView.json["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "attachment" }
        XCTAssertEqual(kinds.count, 3)
    }
}
