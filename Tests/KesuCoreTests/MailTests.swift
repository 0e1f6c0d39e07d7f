import Foundation
import Testing
@testable import KesuCore

/// Reading customers' e-mail as Chinese clients send it (GBK, GB18030, quoted-printable, base64, encoded words,
/// nested multiparts), refusing what breaks the limits, and writing our own without header injection.
struct MailTests {
    static let loop = "kefu@kesu.test"

    func parse(_ text: String) throws -> IncomingMail {
        IncomingMail(try MIMEEntity.parse(Array(text.utf8)), loopTag: Self.loop)
    }

    /// GBK bytes of `text`, base64.
    func gbkBase64(_ text: String) -> String {
        (text.data(using: MailCharset.gb18030) ?? Data()).base64EncodedString()
    }

    @Test func aFoxmailMessageInGBKWithAnAttachment() throws {
        let mail = try parse("""
            From: =?GBK?B?\(gbkBase64("张三"))?= <ZhangSan@QQ.com>\r
            To: kefu@kesu.test\r
            Subject: =?gb2312?B?\(gbkBase64("快递未收到"))?=\r
            Message-ID: <abc123@qq.com>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="----=_NextPart_1"\r
            \r
            ------=_NextPart_1\r
            Content-Type: text/plain; charset="gb2312"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(gbkBase64("运单 YT1234567890123 三天没到，电话 13912345678。\n\n------------------ 原始邮件 ------------------\n发件人: 客服"))\r
            ------=_NextPart_1\r
            Content-Type: image/png; name="=?GBK?B?\(gbkBase64("照片.png"))?="\r
            Content-Disposition: attachment; filename="=?GBK?B?\(gbkBase64("照片.png"))?="\r
            Content-Transfer-Encoding: base64\r
            \r
            iVBORw0KGgoAAAANSUhEUg==\r
            ------=_NextPart_1--\r
            """)
        #expect(mail.from == MailAddress(address: "zhangsan@qq.com", name: "张三"))
        #expect(mail.subject == "快递未收到")
        #expect(mail.messageID == "abc123@qq.com")
        #expect(mail.text == "运单 YT1234567890123 三天没到，电话 13912345678。")
        #expect(mail.attachments.count == 1)
        #expect(mail.attachments.first?.name == "照片.png")
        #expect(mail.attachments.first?.bytes.prefix(4) == [0x89, 0x50, 0x4E, 0x47])
        #expect(MailText.phones(in: mail.text) == ["13912345678"])
        #expect(MailText.waybills(in: mail.text) == ["YT1234567890123"])
        #expect(mail.automatic == nil)
    }

    @Test func quotedPrintableUTF8AndAlternativeParts() throws {
        let mail = try parse("""
            From: "Li, Si" <li@example.com>\r
            Subject: =?UTF-8?Q?=E5=8C=85=E8=A3=B9_=E7=A0=B4=E6=8D=9F?= =?UTF-8?Q?=E4=BA=86?=\r
            In-Reply-To: <kesu.1@kesu.test>\r
            References: <a@x> <kesu.0@kesu.test>\r
            Content-Type: multipart/alternative; boundary=b1\r
            \r
            --b1\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            =E5=A4=96=E7=AE=B1=E7=A0=B4=E4=BA=86=\r
            =E3=80=82\r
            \r
            On Mon, 1 Dec 2026, Kesu wrote:\r
            > earlier\r
            --b1\r
            Content-Type: text/html; charset=utf-8\r
            \r
            <p>外箱破了。</p>\r
            --b1--\r
            """)
        #expect(mail.subject == "包裹 破损了")
        #expect(mail.text == "外箱破了。")
        #expect(mail.answers == ["kesu.1@kesu.test", "kesu.0@kesu.test", "a@x"])
        #expect(mail.attachments.isEmpty)
        #expect(mail.from?.name == "Li, Si")
    }

    @Test func anHTMLOnlyMessageAndGB18030() throws {
        let body = ("<html><style>p{}</style><body><div>您好&nbsp;快递</div><br>谢谢</body></html>".data(using: MailCharset.gb18030) ?? Data())
        var bytes = Array("From: a@b.cn\r\nContent-Type: text/html; charset=GB18030\r\n\r\n".utf8)
        bytes += body
        let mail = IncomingMail(try MIMEEntity.parse(bytes), loopTag: Self.loop)
        #expect(mail.text.contains("您好 快递"))
        #expect(mail.text.contains("谢谢"))
        #expect(!mail.text.contains("p{}"))
    }

    @Test(arguments: [
        ("Auto-Submitted: auto-replied", "auto-submitted"),
        ("Precedence: bulk", "precedence bulk"),
        ("Precedence: junk", "precedence junk"),
        ("X-Loop: kefu@kesu.test", "loop"),
        ("List-Id: <news.example.com>", "mailing list"),
        ("X-Autoreply: yes", "auto-reply"),
        ("Return-Path: <>", "bounce"),
    ])
    func automaticMailIsRecognised(header: String, reason: String) throws {
        let mail = try parse("From: someone@example.com\r\n\(header)\r\nSubject: hi\r\n\r\nout of office\r\n")
        #expect(mail.automatic == reason)
    }

    @Test func aBounceFromTheMailerDaemon() throws {
        let mail = try parse("""
            From: MAILER-DAEMON@mx.example.com\r
            Content-Type: multipart/report; report-type=delivery-status; boundary=r\r
            \r
            --r\r
            Content-Type: text/plain\r
            \r
            Undeliverable\r
            --r--\r
            """)
        #expect(mail.automatic == "delivery report")
    }

    @Test func limitsRefuseRatherThanRunAway() throws {
        var nested = "From: a@b.cn\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
        for level in 1...30 { nested += "--b\(level - 1)\r\nContent-Type: multipart/mixed; boundary=b\(level)\r\n\r\n" }
        #expect(throws: MailRefusal.self) { try MIMEEntity.parse(Array(nested.utf8)) }
        let hugeHeader = "From: a@b.cn\r\nX-Junk: " + String(repeating: "x", count: 10 * 1_048_576) + "\r\n\r\nhi"
        #expect(throws: MailRefusal.self) { try MIMEEntity.parse(Array(hugeHeader.utf8)) }
        var manyParts = "From: a@b.cn\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n"
        for _ in 0..<500 { manyParts += "--z\r\nContent-Type: text/plain\r\n\r\nx\r\n" }
        #expect(throws: MailRefusal.self) { try MIMEEntity.parse(Array(manyParts.utf8)) }
    }

    @Test func brokenMimeIsReadAsWellAsItCanBe() throws {
        // No closing boundary, a header line without a colon, a bad base64 body, a UTF-32 body, a bare LF message.
        let mail = try parse("""
            From: x@y.cn\r
            this line has no colon\r
            Content-Type: multipart/mixed; boundary=q\r
            \r
            --q\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: base64\r
            \r
            5YyF6KO5!!!\r
            """)
        #expect(mail.text == "包裹")
        var utf32 = Array("From: x@y.cn\nContent-Type: text/plain; charset=utf-32be\n\n".utf8)
        utf32 += Array("破损".data(using: .utf32BigEndian) ?? Data())
        #expect(IncomingMail(try MIMEEntity.parse(utf32), loopTag: Self.loop).text == "破损")
        #expect(try parse("").from == nil)
    }

    @Test func rfc2231FileNamesAndUnknownCharsets() throws {
        let entity = try MIMEEntity.parse(Array("""
            Content-Type: application/pdf\r
            Content-Disposition: attachment; filename*0*=UTF-8''%E8%BF%90%E5%8D%95; filename*1*=.pdf\r
            \r
            %PDF\r
            """.utf8))
        #expect(entity.fileName == "运单.pdf")
        #expect(MailCharset.decode(Array("你好".utf8), charset: "x-unknown") == "你好")
    }

    @Test func ourMessagesCannotBeInjectedAndReadBack() throws {
        let mail = OutgoingMail(
            from: try #require(MailAddress(address: "kefu@kesu.test", name: "客服")),
            to: try #require(MailAddress(address: "zhang@qq.com", name: "张三\r\nBcc: evil@x.com")),
            subject: OutgoingMail.taggedSubject("回复\r\nBcc: evil@x.com", number: "KS20261201000001"),
            body: "您好\n.\n第二行", messageID: "kesu.m1@kesu.test", inReplyTo: "abc@qq.com", references: ["abc@qq.com"],
            automatic: true, loopTag: Self.loop, date: Date(timeIntervalSince1970: 1_796_000_000))
        let text = mail.rendered()
        let header = text.components(separatedBy: "\r\n\r\n")[0]
        #expect(!header.contains("Bcc:"))
        #expect(!header.lowercased().contains("\nbcc"))
        #expect(header.contains("Auto-Submitted: auto-replied"))
        #expect(header.contains("In-Reply-To: <abc@qq.com>"))
        let back = IncomingMail(try MIMEEntity.parse(Array(text.utf8)), loopTag: "nobody@x.y")
        #expect(back.subject == "[KS20261201000001] 回复Bcc: evil@x.com")
        #expect(back.text == "您好\n.\n第二行")
        #expect(back.messageID == "kesu.m1@kesu.test")
        #expect(back.automatic == "auto-submitted")
        #expect(MailText.complaintNumbers(inSubject: back.subject).map(\.rawValue) == ["KS20261201000001"])
        #expect(MailAddress(address: "a@b.cn\r\nBcc: c@d.cn") == nil)
    }

    /// Random damage to real messages: the parser returns or refuses, never crashes or hangs (bounded: 3,000 cases).
    @Test func fuzzedMessagesNeverCrash() throws {
        let seeds = [
            "From: a@b.cn\r\nSubject: =?GBK?B?xOO6ww==?=\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C4=E3=BA=C3\r\n--x\r\nContent-Disposition: attachment; filename*=utf-8''a%20b\r\n\r\nAAAA\r\n--x--\r\n",
            "From: \"=?UTF-8?B?5byg?=\" <z@q.com>\r\nIn-Reply-To: <x@y>\r\nContent-Type: text/html\r\n\r\n<p>hi<br></p>",
        ]
        var rng = SplitMix64(seed: 42)
        for n in 0..<3_000 {
            var bytes = Array(seeds[n % seeds.count].utf8)
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(contentsOf: Array("\r\n--x\r\n=?".utf8), at: at)
                default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 20)], at: at)
                }
                if bytes.isEmpty { bytes = [0x0A] }
            }
            if let entity = try? MIMEEntity.parse(bytes) {
                let mail = IncomingMail(entity, loopTag: Self.loop)
                _ = MailText.waybills(in: mail.text + mail.subject)
            }
        }
    }
}
