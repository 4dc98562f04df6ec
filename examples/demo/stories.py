"""The demo's cases. They are started oldest first (so references go up with time, and Pat Smith's
pothole, the oldest, is CF-000001, the case the README shows). Between them every role has work on its first page: closed cases resolved at
first contact or by a team, cases waiting in team inboxes (claimed and not), questions handed back
to the Customer Hub, cases at risk of their SLA and past it, notes and repeat contacts, over every
channel. ``working_days_ago`` is measured against the SLA policies in ``slas.py``."""
from __future__ import annotations

from engine.types import Channel, ContactKind

from .player import Story
from .staff import MEMBER_SERVICES, WASTE_LEAD, WASTE_OFFICER

PHONE, WEB, DESK, EMAIL, COUNCILLOR = (Channel.PHONE, Channel.WEB, Channel.FACE_TO_FACE, Channel.EMAIL,
                                       Channel.COUNCILLOR)
CHASING, ADDING = ContactKind.CHASING, ContactKind.ADDING_INFORMATION

STORIES = [
    # CF-000001, the README's: the works order is with the asset system, due back within 35 days.
    Story("pat", "pothole_report", "test_case_category_2_repaired", PHONE, 16, steps=2,
          notes=(("highways.officer@example.gov.uk", "Category 2 (low): permanent repair, no temporary fill."),)),
    # The re-collection was not done in 2 working days: the map's timer gave Waste Services a chase
    # task, itself past its 1-day promise; the resident has chased too.
    Story("pat", "missed_bin_collection", "test_case_recollected", PHONE, 4, steps=1,
          notes=((WASTE_LEAD, "Crew B's round was short-staffed on the day; added to tomorrow's list."),),
          contacts=((PHONE, CHASING, "Bin still not emptied; it is starting to smell."),)),
    Story("pat", "stage1_complaint", "test_case_resolved_in_call", PHONE, 10),
    Story("margaret", "missed_bin_collection", "test_case_resolved_first_contact", PHONE, 6),
    Story("david", "missed_bin_collection", "test_case_not_presented_on_return", PHONE, 9),
    # A complaint waiting in Waste Services' queue, 6 of its 7 working days gone: at risk. Task 18 in
    # the README: no timer can fire, and so add a task, before it is created.
    Story("aisha", "stage1_complaint", "test_case_waste_upheld", EMAIL, 6, steps=2,
          notes=((WASTE_OFFICER, "Spoke to the crew supervisor; tracker shows the lorry skipped the close."),)),
    # A councillor's enquiry with Highways, 12 working days old against a 10-day promise: breached.
    Story("helen", "member_enquiry", "test_case_highways_response", COUNCILLOR, 12, steps=1, by=MEMBER_SERVICES,
          contacts=((EMAIL, CHASING, "Cllr Ward asks when she can expect a reply for her resident."),)),
    Story("tom", "pothole_report", "test_case_category_1_repaired", WEB, 1, steps=1),
    # Street Scene need more from the resident: the map's own "more information" step, at the hub,
    # where the advisor has taken it to call her back.
    Story("sian", "fly_tipping_report", "test_case_hand_back_for_more_information", WEB, 2, steps=2, claim=True),
    # Waste Services hand a re-collection back to the hub with a question (the hand-back use case).
    # Reported this morning: the map's 2-day timer (calendar days) must not have fired, or on a Sunday
    # or Monday the question would be gone with the re-collection task it was asked on.
    Story("sian", "missed_bin_collection", "test_case_recollected", PHONE, 0, steps=1,
          question="The crew could not find the bins at 58 Chapel Street. Where does the resident keep them?"),
    Story("grace", "council_tax_change_of_address", "test_case_new_bill_issued", EMAIL, 15),
    # Revenues ask the hub for evidence.
    Story("mohammed", "single_person_discount", "test_case_disregard_awarded", DESK, 3, steps=1,
          question="Can the customer bring in the college's letter confirming their son is in full-time "
                   "education? We need it to award the disregard."),
    Story("eleanor", "blue_badge_application", "test_case_assessed_and_approved", DESK, 5, steps=1),
    Story("kwame", "housing_repair_request", "test_case_routine_completed", PHONE, 6, steps=2, claim=True,
          notes=(("repairs.officer@example.gov.uk", "Tenant works nights: appointment after 1pm only."),)),
    Story("joan", "housing_repair_request", "test_case_tenant_responsibility", DESK, 2),
    Story("liam", "abandoned_vehicle", "test_case_abandoned_and_removed", PHONE, 3, steps=1,
          contacts=((PHONE, ADDING, "The car now has a flat tyre and the window is smashed."),)),
    # Re-collection claimed by the officer this morning, well within its promise: on track.
    Story("ruth", "missed_bin_collection", "test_case_disputed_then_recollected", EMAIL, 0, steps=2, claim=True),
    Story("margaret", "pothole_report", "test_case_signposted_national_highways", WEB, 4),
    # Waste Services' team lead drafts councillors' answers himself.
    Story("helen", "member_enquiry", "test_case_waste_response", COUNCILLOR, 2, steps=1, by=MEMBER_SERVICES,
          claimed_by=WASTE_LEAD),
    Story("david", "council_tax_change_of_address", "test_case_hand_back_for_more_information", PHONE, 4, steps=2),
    Story("grace", "blue_badge_application", "test_case_lives_elsewhere_signposted", WEB, 7),
    Story("aisha", "missed_bin_collection", "test_case_recollected", WEB, 1, steps=1),
    Story("helen", "member_enquiry", "test_case_answered_by_member_services", COUNCILLOR, 9, by=MEMBER_SERVICES),
    Story("kwame", "fly_tipping_report", "test_case_cleared_no_evidence", PHONE, 1),
    Story("joan", "single_person_discount", "test_case_only_adult_awarded_at_first_contact", PHONE, 11),
    Story("liam", "stage1_complaint", "test_case_highways_not_upheld", WEB, 5, steps=2),
]
