import KesuCore
import Testing

struct AnonymiserTests {
    @Test func takesTheCustomerOutOfTheText() {
        let text = "王芳说快递员没打电话，她的电话13812345678，座机021-58881234，邮箱wangfang@example.com。王芳很生气。"
        let out = Anonymiser.anonymise(text, customerName: "王芳")
        #expect(out == "客户说快递员没打电话，她的电话138****5678，座机021****1234，邮箱***@example.com。客户很生气。")
    }

    @Test func leavesWaybillsAndOtherNumbersAlone() {
        let text = "运单YT1234567890，金额1200元，工单KS20261124000001"
        #expect(Anonymiser.anonymise(text, customerName: nil) == text)
    }
}
