"""Every card verb Styra answers. Cards put `{"verb": Verb.X, <ids>}` on their buttons; the
dialogs register a model and a handler per verb. The string values are what Teams sends back,
so they are part of cards already posted: never rename one."""

from enum import StrEnum


class Verb(StrEnum):
    # help and language
    HELP_TOPIC = "help.topic"
    LANGUAGE_SET = "language.set"
    # needs and plans
    NEED_START = "need.start"
    NEED_SUBMIT = "need.submit"
    NEED_JOIN = "need.join"
    NEED_MINE = "need.mine"
    NEED_SHOW = "need.show"
    NEED_MINE_MORE = "need.mine_more"  # the next page of `mina behov`
    NEED_TO_ASSESS_MORE = "need.to_assess_more"  # the next page of `att bedöma`
    NEED_AREA_MORE = "need.area_more"  # the next page of `behov <e-område>`
    NEED_SEARCH_MORE = "need.search_more"  # the next page of `sök <ord>`
    NEED_EDIT = "need.edit"
    NEED_UPDATE = "need.update"
    NEED_WITHDRAW = "need.withdraw"
    NEED_WITHDRAW_CONFIRM = "need.withdraw_confirm"
    NEED_BASIS = "need.basis"
    PLAN_SHOW = "plan.show"
    # assessment and decision bases
    ASSESS_OPEN = "assess.open"
    ASSESS_REVIEW = "assess.review"
    ASSESS_CONFIRM = "assess.confirm"
    BASIS_SUBMIT = "basis.submit"
    BASIS_REVISE = "basis.revise"
    BASIS_VIEW = "basis.view"
    # anchoring with the area owners
    ANCHOR_AGREE = "anchor.agree"
    ANCHOR_COMMENT = "anchor.comment"
    # inline decisions
    DECISION_VIEW = "decision.view"
    DECISION_APPROVE = "decision.approve"
    DECISION_REJECT = "decision.reject"
    DECISION_DEFER = "decision.defer"
    DECISION_SEND_BACK = "decision.send_back"
    DECISION_ESCALATE = "decision.escalate"
    DECISIONS_MORE = "decisions.more"  # the next page of `beslut <e-område>`
    # the annual wheel's reminders
    REMINDER_DONE = "reminder.done"
    REMINDER_START = "reminder.start"
    REMINDER_SNOOZE = "reminder.snooze"
    REMINDER_NA = "reminder.na"
    REMINDER_REFRESH = "reminder.refresh"
    # commissions: the guided form, approval by the managers, follow-up and closing
    COMMISSION_NEW = "commission.new"
    COMMISSION_FROM_NEED = "commission.from_need"
    COMMISSION_IDEA = "commission.idea"
    COMMISSION_PURPOSE = "commission.purpose"
    COMMISSION_ORGANISATION = "commission.organisation"
    COMMISSION_DOCUMENT = "commission.document"
    COMMISSION_STEP = "commission.step"
    COMMISSION_SUBMIT = "commission.submit"
    COMMISSION_DISCARD = "commission.discard"
    COMMISSION_ANSWER = "commission.answer"
    COMMISSION_REFRESH = "commission.refresh"
    COMMISSION_SHOW = "commission.show"
    COMMISSION_REGISTER = "commission.register"
    COMMISSION_CHANGE = "commission.change"
    COMMISSION_CLOSE = "commission.close"
    COMMISSION_REPORT = "commission.report"
    COMMISSION_ACKNOWLEDGE = "commission.acknowledge"
    # status reports
    REPORT_SAVE = "report.save"
    REPORT_SUBMIT = "report.submit"
    REPORT_VIEW = "report.view"
    REPORT_REVIEW = "report.review"
    REPORT_REOPEN = "report.reopen"
    REPORT_DEVIATION_BASIS = "report.deviation_basis"
