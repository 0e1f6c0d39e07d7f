/// Fills a canned reply's placeholders: {客户} the customer, {工单号} the complaint number, {承诺时间} the promised
/// time, {处理人} the handler.
public enum CannedReplyText {
    public static func fill(_ template: String, customer: String, number: String, promisedTime: String,
                            handler: String) -> String {
        template
            .replacing("{客户}", with: customer)
            .replacing("{工单号}", with: number)
            .replacing("{承诺时间}", with: promisedTime)
            .replacing("{处理人}", with: handler)
    }
}
