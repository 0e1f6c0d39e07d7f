import Foundation
import KesuCore

/// 界面语言 — the language of the staff pages: Chinese first, English second.
package enum Language: String, CaseIterable, Sendable {
    case zh, en

    /// The words of the pages, by key; every key exists in both languages (a test checks).
    package var strings: [String: String] {
        self == .zh ? Self.chinese : Self.english
    }

    static let chinese: [String: String] = [
        "app": "客诉", "login": "登录", "logout": "退出", "username": "用户名", "password": "密码",
        "wrong_login": "用户名或密码错误。", "too_many": "尝试次数过多，请稍后再试。",
        "control_char": "“%@”含有不可见的控制字符（如 NUL），请删除后再提交。",
        "queue": "工单列表", "mine": "我的", "team": "本单位", "unassigned": "未分派", "all": "全部", "urgent": "紧急",
        "search": "搜索", "search_hint": "工单号、运单号、手机号或描述", "filter": "筛选", "any": "不限",
        "number": "工单号", "customer": "客户", "waybill": "运单号", "category": "类别", "priority": "优先级",
        "status": "状态", "assignee": "处理人", "outlet": "网点", "age": "受理时长", "channel": "渠道",
        "next_page": "下一页", "first_page": "第一页", "none": "无", "no_results": "没有符合条件的工单。",
        "timeline": "处理记录", "internal": "内部备注", "visible": "客户可见", "reply": "回复客户",
        "note": "内部备注", "send": "提交", "actions": "操作", "shipment": "运单", "tracking": "物流轨迹",
        "description": "问题描述", "received_at": "受理时间", "history": "历史投诉", "repeat": "重复投诉",
        "escalation": "升级级别", "move_to": "转为", "forbidden": "无权查看", "forbidden_text": "这张工单属于其他单位。",
        "not_found": "未找到", "error": "出错了", "unavailable": "暂时无法服务",
        "unavailable_text": "数据库暂时无法连接，本次操作没有保存任何内容。请稍后重试。", "back": "返回列表", "language": "English", "phone": "电话",
        "fee": "资费", "insured": "保价", "item_kind": "物品", "assign_to_me": "分派给我", "flags": "标记",
        "new_complaint": "来电登记", "name": "姓名", "email": "邮箱", "record": "登记", "earlier": "该客户的历史投诉",
        "open_on_waybill": "该运单已有未结工单，可直接在原工单中补充：", "auto": "自动判断",
        "portal_file": "我要投诉", "portal_track": "查询进度", "portal_filed": "投诉已受理",
        "portal_no_match": "没有找到与该工单号和手机号相符的投诉，请核对后再试。", "you": "您", "service": "客服",
        "not_sure": "不确定", "portal_next": "我们会在24小时内联系您，48小时内给出处理结果。请保存下面的专属链接，随时查看进度。",
        "portal_link": "您的专属查询链接", "portal_message": "补充说明", "portal_intro": "快递服务有问题？告诉我们，我们来处理。",
        "submit": "提交投诉", "evidence": "证据附件", "upload": "上传", "file": "文件（照片、视频、PDF，最大20MB）",
        "canned": "话术", "choose": "选择…", "save": "保存", "bulk": "批量操作", "selected": "选中的工单",
        "select": "选择", "change": "修改", "admin": "管理", "users": "用户与角色", "units": "组织架构",
        "role": "角色", "unit": "所属单位", "active": "启用", "new_user": "新增用户", "new_unit": "新增单位",
        "code": "编码", "kind": "类型", "parent": "上级单位", "title": "标题", "body_text": "内容",
        "new_reply": "新增话术", "placeholders": "可用占位符：{客户} {工单号} {承诺时间} {处理人}；内容留空并保存即删除。",
        "new_password": "新密码（留空不改）", "photos": "照片（最多3张，每张不超过20MB）",
        "subcategory": "二级分类", "categories": "投诉分类", "new_subcategory": "新增二级分类",
        "name_zh": "中文名称", "name_en": "英文名称", "offered": "可选",
        "categories_note": "一级分类与国家邮政局申诉通告的分类一致，不可修改；二级分类可增改，停用后已有工单保留。",
        "clocks": "时限", "notifications": "通知", "mark_all_read": "全部标为已读", "no_notifications": "暂无通知。",
        "promise": "承诺联系客户", "promise_at": "承诺时间", "promise_note": "承诺内容（客户可见）",
        "to_regulator": "回复邮政管理局（转办申诉）", "reports": "时效报表", "from": "开始日期", "to": "结束日期（不含）",
        "download_csv": "下载 CSV", "per_outlet": "按网点", "first_reply": "首次响应", "resolution": "处理完成",
        "met_share": "达标率", "median": "中位数", "p90": "90分位", "breaches": "超时", "regulator_overdue": "邮管局逾期",
        "complaints_n": "投诉量", "sla": "时限规则", "calendar": "工作日历", "new_policy": "新增规则",
        "warn_percent": "预警点(%)", "first_reply_min": "首次响应(分钟)", "resolution_min": "处理时限(分钟)",
        "regulator_days": "邮管局时限(天)", "business_time": "按工作时间计", "pause_statuses": "暂停计时的状态",
        "warn_actions": "预警动作", "breach_actions": "超时动作", "delete": "删除", "weekly_hours": "每周工作时间",
        "special_days": "节假日与调休", "holiday": "放假", "workday": "调休上班", "normal": "恢复平常",
        "day": "日期", "state": "状态", "due_at": "到期", "no_clocks": "没有计时中的时限。", "goal": "目标：48小时处理完成率 ≥ 95%",
        "policies_note": "规则按 类别×优先级×渠道 匹配，最具体的一条生效（空表示不限）。修改只影响之后开始的时限，已在计时的工单保持原规则。",
        "compensation_rules": "赔偿规则", "version": "版本", "effective_from": "生效时间", "fee_multiple": "未保价赔偿上限（资费倍数）",
        "coupon_cap": "优惠券上限（元）", "added_by": "添加人", "in_force": "现行", "new_version": "新增版本",
        "compensation_note": "每个版本只适用于生效时间之后受理的投诉；已受理的投诉按受理时的版本计算。保价件丢失按保价金额（不超过实际损失）、损毁按比例赔偿；未保价件按实际损失赔偿，以资费的倍数为上限；延误免收资费（不含保价费）。",
        "survey_question": "您对这次投诉的处理满意吗？", "survey_comment": "还想告诉我们的（选填）",
        "follow_up": "回访", "record_follow_up": "记录回访", "outcome": "结果",
        "inquiries": "调查任务", "ask_unit": "请单位调查", "question": "问题", "answer_by": "答复期限", "ask": "发起调查",
        "answer": "答复", "send_answer": "提交答复", "answer_files": "附件（照片、通话记录等，最多5个）", "asked_by": "发起人",
        "inquiry_open": "待答复", "inquiry_answered": "已答复", "inquiry_cancelled": "已撤回", "no_inquiries": "还没有调查任务。",
        "waiting_inquiries": "待本单位答复的调查", "root_cause": "根本原因", "systemic": "系统性", "resolution_summary": "处理结果",
        "responsible_party": "责任方", "rectification": "整改", "rectification_action": "整改措施",
        "rectification_unit": "整改单位", "rectification_due": "整改期限",
        "rectification_hint": "选择系统性根因时会生成整改任务；留空则由责任单位在30天内整改。",
        "rectifications": "整改跟踪", "rect_open": "整改中", "rect_done": "待验证", "rect_verified": "已验证",
        "report_done": "报告完成", "verify": "验证通过", "send_back": "退回", "what_done": "完成情况",
        "no_rectifications": "没有待办的整改。", "show_verified": "包括已验证", "typical_cases": "典型案例",
        "typical_case": "典型案例", "lesson": "经验教训", "mark_typical": "列为典型案例", "unmark_typical": "移出典型案例",
        "no_typical_cases": "这个类别还没有典型案例。", "all_categories": "全部类别", "root_causes": "根因清单",
        "add_root_cause": "新增根因", "overdue": "已逾期", "return_reason": "退回原因",
        "execution": "方案执行", "owner": "负责人", "task_done": "已完成", "mark_done": "标记完成",
        "our_proposal": "我们的处理方案", "offer_next": "接受后我们会立即安排执行，并告诉您办理人和完成时间；如不满意，请告诉我们原因，我们会给出其他方案。",
        "accept": "接受", "reject": "不接受", "reject_why": "不接受的原因",
        "proposals": "处理方案", "new_proposal": "新增方案", "your_limit": "您的审批权限", "unlimited": "不限",
        "proposal_pending_approval": "待审批", "proposal_ready": "可提供", "proposal_offered": "已提供给客户",
        "proposal_accepted": "客户已接受", "proposal_rejected": "客户已拒绝", "proposal_withdrawn": "已撤回",
        "approve": "批准", "offer": "提供给客户", "accept_phone": "客户电话接受", "reject_phone": "客户电话拒绝",
        "reject_reason": "拒绝理由", "approved_by": "批准人", "proposed_by": "提出人", "no_proposals": "尚无方案。",
        "responsibility": "责任认定", "not_decided": "尚未认定。", "party": "责任方", "person": "责任人",
        "reason": "认定理由", "evidence_refs": "证据（每行一项）",
        "compensation": "赔偿建议", "incident": "情形", "claimed_loss": "客户主张损失（元）", "damage_percent": "损毁比例(%)",
        "suggest": "计算", "amount": "金额", "rule_version": "规则版本",
        "hours_note": "格式 09:00-18:00，留空表示休息。节假日与调休按年维护，已预置国务院办公厅公布的安排。",
    ]

    static let english: [String: String] = [
        "app": "Kesu", "login": "Log in", "logout": "Log out", "username": "Username", "password": "Password",
        "wrong_login": "Wrong username or password.", "too_many": "Too many attempts; try again later.",
        "control_char": "“%@” contains an invisible control character (such as NUL); remove it and send again.",
        "queue": "Complaints", "mine": "Mine", "team": "My unit", "unassigned": "Unassigned", "all": "All",
        "urgent": "Urgent", "search": "Search", "search_hint": "Complaint no., waybill, phone or words",
        "filter": "Filter", "any": "Any", "number": "Number", "customer": "Customer", "waybill": "Waybill",
        "category": "Category", "priority": "Priority", "status": "Status", "assignee": "Assignee", "outlet": "Outlet",
        "age": "Age", "channel": "Channel", "next_page": "Next page", "first_page": "First page", "none": "None",
        "no_results": "No complaints match.", "timeline": "Timeline", "internal": "Internal note",
        "visible": "Customer sees", "reply": "Reply to customer", "note": "Internal note", "send": "Send",
        "actions": "Actions", "shipment": "Shipment", "tracking": "Tracking", "description": "What happened",
        "received_at": "Received", "history": "Earlier complaints", "repeat": "Repeat", "escalation": "Escalation",
        "move_to": "Move to", "forbidden": "Not allowed", "forbidden_text": "This complaint belongs to another unit.",
        "not_found": "Not found", "error": "Something went wrong", "unavailable": "Temporarily unavailable",
        "unavailable_text": "The database cannot be reached just now, so nothing was saved. Please try again shortly.", "back": "Back to the list", "language": "中文",
        "phone": "Phone", "fee": "Fee", "insured": "Insured", "item_kind": "Item", "assign_to_me": "Assign to me",
        "flags": "Flags", "new_complaint": "New complaint", "name": "Name", "email": "Email", "record": "Record",
        "earlier": "This customer's earlier complaints",
        "open_on_waybill": "An open complaint exists for this waybill; you can add to it instead:",
        "auto": "Decide automatically",
        "portal_file": "File a complaint", "portal_track": "Follow a complaint", "portal_filed": "Complaint received",
        "portal_no_match": "No complaint matches that number and phone; please check them and try again.",
        "you": "You", "service": "Customer service", "not_sure": "Not sure",
        "portal_next": "We will contact you within 24 hours and resolve it within 48 hours. Keep the private link below to follow it.",
        "portal_link": "Your private link", "portal_message": "Add a message",
        "portal_intro": "A problem with a delivery? Tell us and we will handle it.", "submit": "Send complaint",
        "evidence": "Evidence", "upload": "Upload", "file": "File (photo, video, PDF; at most 20 MB)",
        "canned": "Canned replies", "choose": "Choose…", "save": "Save", "bulk": "Bulk action",
        "selected": "Chosen complaints", "select": "Select", "change": "Change", "admin": "Admin",
        "users": "Users and roles", "units": "Organisation", "role": "Role", "unit": "Unit", "active": "Active",
        "new_user": "New user", "new_unit": "New unit", "code": "Code", "kind": "Kind", "parent": "Parent",
        "title": "Title", "body_text": "Text", "new_reply": "New canned reply",
        "placeholders": "Placeholders: {客户} customer, {工单号} number, {承诺时间} promised time, {处理人} handler; save an empty text to delete.",
        "new_password": "New password (blank: unchanged)", "photos": "Photos (up to 3, 20 MB each)",
        "subcategory": "Sub-category", "categories": "Categories", "new_subcategory": "New sub-category",
        "name_zh": "Chinese name", "name_en": "English name", "offered": "Offered",
        "categories_note": "Top-level categories follow the State Post Bureau's appeal bulletin and cannot change; sub-categories can be added and renamed, and retired ones stay on the complaints that have them.",
        "clocks": "Deadlines", "notifications": "Notifications", "mark_all_read": "Mark all read",
        "no_notifications": "No notifications.", "promise": "Promise to contact the customer", "promise_at": "Promised by",
        "promise_note": "What was promised (customer sees)", "to_regulator": "Reply to the postal regulator (forwarded appeal)",
        "reports": "SLA report", "from": "From", "to": "To (exclusive)", "download_csv": "Download CSV",
        "per_outlet": "Per outlet", "first_reply": "First reply", "resolution": "Resolution", "met_share": "Met",
        "median": "Median", "p90": "p90", "breaches": "Breaches", "regulator_overdue": "Regulator overdue",
        "complaints_n": "Complaints", "sla": "SLA policies", "calendar": "Business calendar", "new_policy": "New policy",
        "warn_percent": "Warn at (%)", "first_reply_min": "First reply (min)", "resolution_min": "Resolution (min)",
        "regulator_days": "Regulator (days)", "business_time": "Business time", "pause_statuses": "Paused in",
        "warn_actions": "On warning", "breach_actions": "On breach", "delete": "Delete", "weekly_hours": "Working hours",
        "special_days": "Holidays and make-up days", "holiday": "Holiday", "workday": "Make-up working day",
        "normal": "Back to normal", "day": "Day", "state": "State", "due_at": "Due", "no_clocks": "No running deadlines.",
        "goal": "Goal: at least 95% resolved within 48 hours",
        "policies_note": "A complaint gets the most specific policy matching its category × priority × channel (blank: any). Changes apply to clocks started afterwards; running clocks keep theirs.",
        "compensation_rules": "Compensation rules", "version": "Version", "effective_from": "Effective from",
        "fee_multiple": "Uninsured cap (× fee)", "coupon_cap": "Coupon cap (yuan)", "added_by": "Added by",
        "in_force": "in force", "new_version": "New version",
        "compensation_note": "Each version applies to complaints received from its effective time; complaints already received keep the version they were received under. Insured items: the insured value for a loss (not above the actual loss), a share of it for damage; uninsured items: the actual loss up to a multiple of the fee; delay: the service fee is waived (insurance charges excluded).",
        "survey_question": "Are you satisfied with how we handled your complaint?",
        "survey_comment": "Anything else you want to tell us (optional)", "follow_up": "Follow-up",
        "record_follow_up": "Record follow-up", "outcome": "Outcome",
        "inquiries": "Investigations", "ask_unit": "Ask a unit", "question": "Question", "answer_by": "Answer by", "ask": "Ask",
        "answer": "Answer", "send_answer": "Send answer", "answer_files": "Files (photos, call records…, at most 5)", "asked_by": "Asked by",
        "inquiry_open": "waiting", "inquiry_answered": "answered", "inquiry_cancelled": "withdrawn", "no_inquiries": "No investigations yet.",
        "waiting_inquiries": "Questions for your unit", "root_cause": "Root cause", "systemic": "systemic",
        "resolution_summary": "Resolution", "responsible_party": "Responsible party", "rectification": "Rectification",
        "rectification_action": "Action", "rectification_unit": "Unit that rectifies", "rectification_due": "Due",
        "rectification_hint": "A systemic root cause opens a rectification; left empty, the responsible unit rectifies within 30 days.",
        "rectifications": "Rectifications", "rect_open": "open", "rect_done": "to verify", "rect_verified": "verified",
        "report_done": "Report done", "verify": "Verify", "send_back": "Send back", "what_done": "What was done",
        "no_rectifications": "No rectifications waiting.", "show_verified": "include verified", "typical_cases": "Typical cases",
        "typical_case": "Typical case", "lesson": "Lesson", "mark_typical": "Keep as typical case", "unmark_typical": "Remove",
        "no_typical_cases": "No typical cases in this category yet.", "all_categories": "All categories",
        "root_causes": "Root causes", "add_root_cause": "Add root cause", "overdue": "overdue", "return_reason": "Why",
        "execution": "Execution", "owner": "Owner", "task_done": "Done", "mark_done": "Mark done",
        "our_proposal": "Our proposal", "offer_next": "Once you accept we carry it out at once and tell you who handles it and by when; if it does not suit you, tell us why and we will offer another.",
        "accept": "Accept", "reject": "Decline", "reject_why": "Why not",
        "proposals": "Proposals", "new_proposal": "New proposal", "your_limit": "Your authority", "unlimited": "unlimited",
        "proposal_pending_approval": "Waiting for approval", "proposal_ready": "Ready to offer",
        "proposal_offered": "Offered to the customer", "proposal_accepted": "Accepted", "proposal_rejected": "Rejected",
        "proposal_withdrawn": "Withdrawn", "approve": "Approve", "offer": "Offer to the customer",
        "accept_phone": "Customer accepted (phone)", "reject_phone": "Customer rejected (phone)",
        "reject_reason": "Reason for rejecting", "approved_by": "Approved by", "proposed_by": "Proposed by",
        "no_proposals": "No proposals yet.",
        "responsibility": "Responsibility", "not_decided": "Not decided yet.", "party": "Responsible party",
        "person": "Person", "reason": "Reason", "evidence_refs": "Evidence (one per line)",
        "compensation": "Compensation", "incident": "Incident", "claimed_loss": "Claimed loss (yuan)",
        "damage_percent": "Damaged (%)", "suggest": "Compute", "amount": "Amount", "rule_version": "Rules version",
        "hours_note": "Write 09:00-18:00; blank is a day off. Holidays and make-up days are kept per year; the State Council's schedule is preloaded.",
    ]

    /// How staff see a status, category or priority in this language.
    package func name(of status: ComplaintStatus) -> String {
        self == .zh ? status.chineseName : status.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    package func name(of kind: ClockKind) -> String {
        if self == .zh { return kind.chineseName }
        switch kind {
        case .firstReply: return "first reply"
        case .resolution: return "resolution"
        case .statutory: return "statutory 7 days"
        case .regulator: return "regulator"
        case .promise: return "promise"
        case .inquiry: return "investigation"
        case .task: return "execution step"
        case .followUp: return "follow-up"
        }
    }

    package func name(of state: ComplaintClock.State) -> String {
        guard self == .zh else { return state.rawValue }
        switch state {
        case .running: return "计时中"
        case .warning: return "预警"
        case .paused: return "暂停"
        case .breached: return "超时"
        case .met: return "已达成"
        }
    }

    package func name(of action: EscalationAction) -> String {
        guard self == .zh else { return action.rawValue }
        switch action {
        case .notify: return "通知"
        case .reassign: return "转交主管"
        case .escalate: return "升级"
        }
    }

    package func name(of category: ComplaintCategory) -> String {
        self == .zh ? category.chineseName : category.rawValue.replacingOccurrences(of: "_", with: " ")
    }
}
