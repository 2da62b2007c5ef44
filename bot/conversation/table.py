"""The conversation's rules in one place: commands, buttons, awaited inputs and who answers.

In the spirit of python-telegram-bot's ``ConversationHandler``: its entry points (commands,
buttons, free text read by the NLU), its states (the inputs a question waits for, with their
handler and timeout) and its fallbacks (commands answered in any state) are declared here, so
the rules can be read, tested and fuzzed from this table. The router
(``bot.conversation.router``) only follows it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.conversation import account, awaiting, callbacks
from bot.conversation.awaiting import Awaited
from bot.conversation.resident import (
    aftercare,
    consult,
    emergency,
    fragments,
    onboarding,
    report,
    status,
)
from bot.conversation.staff import (
    cards,
    coordinator,
    corrections,
    desk_link,
    hours,
    lists,
    lookup,
    pickers,
    publish,
    resume,
    verify,
    volunteer,
)
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.core.buttons import CallbackData

Command = Callable[[Turn, str], Awaitable[None]]
Press = Callable[[Turn, Any], Awaitable[None]]

# Answered in any state (each is a fallback in ConversationHandler's terms): a command never
# counts as the answer to a question; whether the question stays open is the command's affair
# (/cancel drops a draft and its questions; /start asks for the community when unknown).
COMMANDS: dict[str, Command] = {
    "/start": onboarding.start,
    "/help": onboarding.help_command,
    "/lang": onboarding.language_command,
    "/my": status.my_tickets,
    "/cancel": report.cancel_command,
    "/report": report.menu_report,
    "/tasks": lookup.tasks_command,
    "/understanding": lists.understanding_command,
    "/duty": lookup.duty_command,
    "/t": lookup.lookup_command,
    "/scorecard": coordinator.scorecard_command,
    "/mydata": account.mydata_command,
    "/forgetme": account.forgetme_command,
    "/invite": account.invite_command,
    "/revoke": account.revoke_command,
    "/desk": desk_link.desk_command,
    "/hours": hours.hours_command,
    "/publish": publish.publish_command,
}

# Every button kind → the handler that gets its unpacked data. A kind missing here is a bug
# (tests/bot/test_table.py); data no kind unpacks is answered "this button is not valid".
PRESSES: dict[type[CallbackData], Press] = {
    # the resident's draft card
    callbacks.Submit: report.on_card_press,
    callbacks.SubmitAndWhistle: report.on_card_press,
    callbacks.ShowCategories: report.on_card_press,
    callbacks.PickCategory: report.on_card_press,
    callbacks.AskPlace: report.on_card_press,
    callbacks.AskTime: report.on_card_press,
    callbacks.AskPhoto: report.on_card_press,
    callbacks.AskPhone: report.on_card_press,
    callbacks.Discard: report.on_card_press,
    # first contact, menus
    callbacks.PickStreet: onboarding.on_street_press,
    callbacks.PickCommunity: onboarding.on_community_press,
    callbacks.PickLanguage: onboarding.on_language_press,
    callbacks.Menu: report.on_menu_press,
    callbacks.DangerYes: emergency.on_danger_press,
    callbacks.DangerNo: emergency.on_danger_press,
    callbacks.QuestionPage: coordinator.on_page_press,
    # the resident's tickets and questions, their data
    callbacks.Timeline: status.on_press,
    callbacks.WithdrawAsk: status.on_withdraw_ask,
    callbacks.WithdrawYes: status.on_withdraw_yes,
    callbacks.WithdrawNo: status.on_withdraw_no,
    callbacks.Hurry: status.on_hurry,
    callbacks.Helped: consult.on_press,
    callbacks.NotHelped: consult.on_press,
    callbacks.DidYouMean: consult.on_pick,
    callbacks.ForgetMe: account.on_forget_press,
    callbacks.KeepMe: account.on_keep_press,
    buttons.FollowTwin: aftercare.on_follow_press,
    buttons.MessageHolder: aftercare.on_message_holder_press,
    buttons.Rate: aftercare.on_rate,
    # a community verifies
    buttons.HandleHere: verify.on_handle_here,
    buttons.Whistle: verify.on_whistle,
    buttons.Reject: verify.on_reject,
    buttons.RejectBecause: verify.on_reject_because,
    buttons.MergeTwin: verify.on_merge_twin,
    buttons.CommunityRate: aftercare.on_community_rate,
    # a responder works
    buttons.Claim: cards.on_claim,
    buttons.Start: cards.on_start,
    buttons.Arrive: volunteer.on_arrive,
    buttons.Note: cards.on_work_prompt,
    buttons.Done: cards.on_work_prompt,
    buttons.HandBack: cards.on_work_prompt,
    buttons.Publish: cards.on_publish,
    buttons.AskAssist: cards.on_ask_assist,
    buttons.AddAssist: cards.on_add_assist,
    buttons.OpenTicket: lookup.on_open_press,
    # the centre sorts
    buttons.ListImmediate: lists.on_list_immediate,
    buttons.ListPhased: lists.on_list_prompt,
    buttons.ListUnderstanding: lists.on_list_prompt,
    buttons.MergeInto: lists.on_list_prompt,
    buttons.SetLead: lists.on_set_lead,
    buttons.PickLead: pickers.on_pick_lead,
    buttons.CloseUnderstanding: lists.on_close_understanding,
    buttons.Resume: resume.on_resume,
    buttons.ResumeLead: resume.on_resume_lead,
    buttons.Reassign: pickers.on_reassign,
    buttons.ReassignTo: pickers.on_reassign_to,
    buttons.AddCoUnit: lists.on_add_co_unit,
    buttons.EscalateNow: lists.on_escalate_now,
    buttons.Recategorize: corrections.on_recategorize,
    buttons.ChangeUrgency: corrections.on_change_urgency,
    buttons.SetUrgency: corrections.on_set_urgency,
    buttons.RecategorizeTo: corrections.on_recategorize_to,
}


# -- states: what a question waits for -----------------------------------------------------------

Answer = Callable[[Turn, Any, str], Awaitable[bool]]


@dataclass(frozen=True)
class Step:
    """One awaited input: the handler of the next text, and how long the question stays open.

    ``answer(turn, what, text)`` returns False when the text is not an answer after all (a
    description, a message that is no community name): the router then reads it as any text.
    A command is never an answer (see COMMANDS). Past the timeout the question is dropped and
    the text read as any other; ``notice`` says so first (staff would otherwise wonder why
    their note was not recorded).
    """

    answer: Answer
    timeout: timedelta
    photo: bool = False  # a photo (its caption the text) answers it too
    notice: bool = False


REPORTING = timedelta(hours=2)  # "where is it?" is answered at once or not at all
WORKING = timedelta(hours=4)  # a responder may press "done" on site and write from the van
ANY_DAY = timedelta(hours=24)  # as long as the conversation's state lives (state_ttl_s)

# A shared location is always read by ``onboarding.location``: it answers Place (the draft's
# place) and Community (the nearest community) as well.
STEPS: dict[type[Awaited], Step] = {
    awaiting.Place: Step(fragments.on_place, REPORTING),
    awaiting.NewPlace: Step(fragments.on_new_place, REPORTING),
    awaiting.Time: Step(fragments.on_time, REPORTING),
    awaiting.Describe: Step(fragments.on_description, REPORTING),
    # The window is config (emergency.followup_minutes, checked by the handler); this is a cap.
    awaiting.EmergencyFollowup: Step(emergency.on_followup, ANY_DAY),
    awaiting.EmergencyPlaceAgain: Step(emergency.on_followup, ANY_DAY),
    awaiting.Community: Step(onboarding.typed_community, ANY_DAY),
    awaiting.RateComment: Step(aftercare.on_rate_comment, ANY_DAY),
    awaiting.MessageToHolder: Step(aftercare.on_message_to_holder, WORKING),
    awaiting.ProgressNote: Step(cards.on_note_text, WORKING, photo=True, notice=True),
    awaiting.DoneNote: Step(cards.on_done_text, WORKING, photo=True, notice=True),
    awaiting.ServiceMinutes: Step(cards.on_minutes_text, WORKING, notice=True),
    awaiting.HandBackReason: Step(cards.on_handback_text, WORKING, notice=True),
    awaiting.ExpectedDate: Step(lists.on_expected_text, WORKING, notice=True),
    awaiting.ResumeDate: Step(resume.on_resume_date, WORKING, notice=True),
    # Short: a picker left open must not read a later question as a unit's name.
    awaiting.UnitSearch: Step(pickers.on_unit_search, timedelta(minutes=30)),
    awaiting.UnderstandingReason: Step(lists.on_understanding_text, WORKING, notice=True),
    awaiting.UnderstandingNote: Step(lists.on_understanding_note, WORKING, notice=True),
    awaiting.MergeTarget: Step(lists.on_merge_text, WORKING, notice=True),
    awaiting.UrgencyReason: Step(corrections.on_urgency_reason, WORKING, notice=True),
}
