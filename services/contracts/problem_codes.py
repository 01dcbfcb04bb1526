"""Stable, machine-readable codes of every refusal the API answers (RFC 9457 problem details; docs/errors.md).

A code names *why* a request was refused, so an integrator branches on it rather than on `detail`, whose words may
change. Codes are API contract: add freely, never rename or remove one. `ProblemCode` is the answer's `code`;
`FieldCode` is each entry's `code` in a 422's list of fields that do not fit the schema.

Workflows refuse actions with a code too (`ApplicationError(reason, code)`, see `refusal_code`), so a 409 carries
the workflow's own reason and code through Temporal to the API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# RFC 9457 asks for a URI naming the problem type; a tag URI (RFC 4151) names it without promising a page there.
PROBLEM_TYPE_PREFIX = "tag:hotline,2026:problem:"


class ProblemCode(StrEnum):
    """Why the API refused a request (an answer's `code`); `PROBLEM_TYPES` gives each its status and title."""

    BAD_REQUEST = "bad_request"
    API_KEY_MISSING = "api_key_missing"
    API_KEY_INVALID = "api_key_invalid"
    CLIENT_KIND_NOT_ALLOWED = "client_kind_not_allowed"
    ACTING_AS_ANOTHER = "acting_as_another"
    CHANNEL_NOT_ALLOWED = "channel_not_allowed"
    NOT_INVOLVED = "not_involved"
    NOT_ESCALATED = "not_escalated"
    NOT_OWN_SETTINGS = "not_own_settings"
    CONSOLE_NEEDS_PERSON = "console_needs_person"
    ACTING_KIND_INVALID = "acting_kind_invalid"
    ACTING_PERSON_INVALID = "acting_person_invalid"
    ACTING_SUBJECT_INVALID = "acting_subject_invalid"
    NOT_FOUND = "not_found"
    CASE_NOT_FOUND = "case_not_found"
    JOINT_TASK_NOT_FOUND = "joint_task_not_found"
    UNIT_NOT_FOUND = "unit_not_found"
    CHANNEL_NOT_FOUND = "channel_not_found"
    CATALOG_VERSION_NOT_FOUND = "catalog_version_not_found"
    CATALOG_CHANGE_NOT_FOUND = "catalog_change_not_found"
    NOTIFICATION_NOT_FOUND = "notification_not_found"
    KEY_NOT_FOUND = "key_not_found"
    REPORT_NOT_FOUND = "report_not_found"
    ATTACHMENT_NOT_FOUND = "attachment_not_found"
    ATTACHMENT_LINK_INVALID = "attachment_link_invalid"
    ATTACHMENT_LIMIT_REACHED = "attachment_limit_reached"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_TYPE_NOT_ACCEPTED = "attachment_type_not_accepted"
    ATTACHMENT_UNREADABLE = "attachment_unreadable"
    ATTACHMENT_NOT_ON_CASE = "attachment_not_on_case"
    OBJECT_STORE_UNAVAILABLE = "object_store_unavailable"
    RECTIFICATION_NOT_FOUND = "rectification_not_found"
    CLASS_NOT_FOUND = "class_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    ACTION_REFUSED = "action_refused"
    WORKFLOW_FINISHED = "workflow_finished"
    CASE_NOT_ASSIGNED_YET = "case_not_assigned_yet"
    WRONG_CASE_STATUS = "wrong_case_status"
    NOT_HANDLING_UNIT = "not_handling_unit"
    CALLING_UNIT_CANNOT_ANSWER = "calling_unit_cannot_answer"
    CASE_IN_ARBITRATION = "case_in_arbitration"
    CASE_ARBITRATED = "case_arbitrated"
    TRANSFER_WINDOW_CLOSED = "transfer_window_closed"
    TRANSFER_TO_SELF = "transfer_to_self"
    TRANSFER_BACK = "transfer_back"
    TRANSFER_LIMIT_REACHED = "transfer_limit_reached"
    COORDINATION_CENTRE_ONLY = "coordination_centre_only"
    HANDLING_UNIT_OR_CENTRE_ONLY = "handling_unit_or_centre_only"
    PROGRESS_REPORT_LIMIT_REACHED = "progress_report_limit_reached"
    JOINT_HANDLING_OPEN = "joint_handling_open"
    JOINT_PHASE_LIMIT_REACHED = "joint_phase_limit_reached"
    NO_JOINT_HANDLING = "no_joint_handling"
    NOT_JOINT_LEAD = "not_joint_lead"
    ALREADY_ESCALATED = "already_escalated"
    LEADER_OR_CENTRE_ONLY = "leader_or_centre_only"
    ESCALATE_TO_CITY_LEADER_FIRST = "escalate_to_city_leader_first"
    EXTENSION_PENDING = "extension_pending"
    EXTENSION_TOO_LATE = "extension_too_late"
    EXTENSION_LIMIT_REACHED = "extension_limit_reached"
    NO_EXTENSION_PENDING = "no_extension_pending"
    CASE_NOT_ACCEPTED = "case_not_accepted"
    UNREASONABLE_DEMAND_WINDOW_CLOSED = "unreasonable_demand_window_closed"
    WRONG_JOINT_TASK_STATUS = "wrong_joint_task_status"
    NOT_JOINT_TASK_UNIT = "not_joint_task_unit"
    JOINT_REPORT_LIMIT_REACHED = "joint_report_limit_reached"
    NO_HANDLING_UNIT_NAMED = "no_handling_unit_named"
    CHANGE_ALREADY_DECIDED = "change_already_decided"
    CHANGE_NOT_PENDING = "change_not_pending"
    CLASS_UNDER_RECTIFICATION = "class_under_rectification"
    RECTIFICATION_NOT_OPENED = "rectification_not_opened"
    RECTIFICATION_OPENING = "rectification_opening"
    RECTIFICATION_CLOSED = "rectification_closed"
    NOT_RECTIFICATION_UNIT = "not_rectification_unit"
    BODY_TOO_LARGE = "body_too_large"
    REQUEST_INVALID = "request_invalid"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_CATALOG_ITEM = "unknown_catalog_item"
    NOT_A_TOWNSHIP = "not_a_township"
    COORDINATION_CENTRE_NOT_ALLOWED = "coordination_centre_not_allowed"
    UNIT_NOT_RESPONSIBLE = "unit_not_responsible"
    TOWNSHIP_NEEDED = "township_needed"
    CALLING_UNIT_NAMED = "calling_unit_named"
    HTTPS_REQUIRED = "https_required"
    OUTBOUND_TARGET_REFUSED = "outbound_target_refused"
    SUBJECT_MISMATCH = "subject_mismatch"
    CATALOG_TABLES_INVALID = "catalog_tables_invalid"
    CATALOG_CHANGE_DOES_NOT_FIT = "catalog_change_does_not_fit"
    BOUNDARIES_INVALID = "boundaries_invalid"
    PERIOD_UNKNOWN = "period_unknown"
    RATED_TWICE = "rated_twice"
    RANGE_INVALID = "range_invalid"
    DEADLINE_IN_PAST = "deadline_in_past"
    CURSOR_INVALID = "cursor_invalid"
    RATE_LIMITED = "rate_limited"
    INTERNAL_ERROR = "internal_error"
    ENGINE_UNAVAILABLE = "engine_unavailable"
    MESSAGE_BUS_UNAVAILABLE = "message_bus_unavailable"
    WORKFLOW_ENGINE_UNAVAILABLE = "workflow_engine_unavailable"
    RECORDS_UNAVAILABLE = "records_unavailable"
    TICKET_NOT_RECORDED_YET = "ticket_not_recorded_yet"


class FieldCode(StrEnum):
    """Why one field of a request does not fit the schema (an entry of a 422's `detail` list)."""

    FIELD_MISSING = "field_missing"
    FIELD_NOT_ALLOWED = "field_not_allowed"
    FIELD_WRONG_TYPE = "field_wrong_type"
    FIELD_TOO_SHORT = "field_too_short"
    FIELD_TOO_LONG = "field_too_long"
    FIELD_OUT_OF_RANGE = "field_out_of_range"
    FIELD_PATTERN_MISMATCH = "field_pattern_mismatch"
    FIELD_NOT_ONE_OF = "field_not_one_of"
    BODY_NOT_JSON = "body_not_json"
    FIELD_INVALID = "field_invalid"


@dataclass(frozen=True)
class ProblemType:
    """What a code means to a client: the HTTP status it comes with and a short title (RFC 9457 `title`)."""

    status: int
    title: str


_C = ProblemCode
PROBLEM_TYPES: dict[ProblemCode, ProblemType] = {
    _C.BAD_REQUEST: ProblemType(400, "The request cannot be read"),
    _C.API_KEY_MISSING: ProblemType(401, "No API key"),
    _C.API_KEY_INVALID: ProblemType(401, "API key unknown, revoked or expired"),
    _C.CLIENT_KIND_NOT_ALLOWED: ProblemType(403, "This kind of client may not do this"),
    _C.ACTING_AS_ANOTHER: ProblemType(403, "The body names someone other than the key's holder"),
    _C.CHANNEL_NOT_ALLOWED: ProblemType(403, "Not a channel this client submits on"),
    _C.NOT_INVOLVED: ProblemType(403, "Not the caller's case"),
    _C.NOT_ESCALATED: ProblemType(403, "The case has not been escalated to this leader"),
    _C.NOT_OWN_SETTINGS: ProblemType(403, "Not the caller's own settings"),
    _C.CONSOLE_NEEDS_PERSON: ProblemType(403, "A console key acts only for a signed-in person"),
    _C.ACTING_KIND_INVALID: ProblemType(403, "The console names a kind that is not staff"),
    _C.ACTING_PERSON_INVALID: ProblemType(403, "The console names no valid person"),
    _C.ACTING_SUBJECT_INVALID: ProblemType(403, "The console names a subject that does not fit the kind"),
    _C.NOT_FOUND: ProblemType(404, "Not found"),
    _C.CASE_NOT_FOUND: ProblemType(404, "No such case"),
    _C.ATTACHMENT_NOT_FOUND: ProblemType(404, "No such attachment"),
    _C.ATTACHMENT_LINK_INVALID: ProblemType(403, "The download link is expired or was not made by this system"),
    _C.ATTACHMENT_LIMIT_REACHED: ProblemType(409, "The case has as many attachments as it may have"),
    _C.JOINT_TASK_NOT_FOUND: ProblemType(404, "No such joint task"),
    _C.UNIT_NOT_FOUND: ProblemType(404, "No such unit"),
    _C.CHANNEL_NOT_FOUND: ProblemType(404, "No such channel"),
    _C.CATALOG_VERSION_NOT_FOUND: ProblemType(404, "No such catalog version"),
    _C.CATALOG_CHANGE_NOT_FOUND: ProblemType(404, "No such catalog change"),
    _C.NOTIFICATION_NOT_FOUND: ProblemType(404, "No such notification"),
    _C.KEY_NOT_FOUND: ProblemType(404, "No such API key"),
    _C.REPORT_NOT_FOUND: ProblemType(404, "No such report"),
    _C.RECTIFICATION_NOT_FOUND: ProblemType(404, "No such special rectification"),
    _C.CLASS_NOT_FOUND: ProblemType(404, "No such class of cases"),
    _C.METHOD_NOT_ALLOWED: ProblemType(405, "Method not allowed"),
    _C.ACTION_REFUSED: ProblemType(409, "The action is refused"),
    _C.WORKFLOW_FINISHED: ProblemType(409, "It has finished and takes no more actions"),
    _C.CASE_NOT_ASSIGNED_YET: ProblemType(409, "The case has not reached its unit yet"),
    _C.WRONG_CASE_STATUS: ProblemType(409, "The case's status does not allow this"),
    _C.NOT_HANDLING_UNIT: ProblemType(409, "Only the handling unit may do this"),
    _C.CALLING_UNIT_CANNOT_ANSWER: ProblemType(409, "A call cannot go back to its calling unit"),
    _C.CASE_IN_ARBITRATION: ProblemType(409, "The case is awaiting arbitration"),
    _C.CASE_ARBITRATED: ProblemType(409, "The handling unit was named by arbitration"),
    _C.TRANSFER_WINDOW_CLOSED: ProblemType(409, "The transfer window has closed"),
    _C.TRANSFER_TO_SELF: ProblemType(409, "A case cannot be transferred to the unit holding it"),
    _C.TRANSFER_BACK: ProblemType(409, "That unit already transferred the case away"),
    _C.TRANSFER_LIMIT_REACHED: ProblemType(409, "Transfer limit reached; the case goes to arbitration"),
    _C.COORDINATION_CENTRE_ONLY: ProblemType(409, "Only the coordination centre may do this"),
    _C.HANDLING_UNIT_OR_CENTRE_ONLY: ProblemType(409, "Only the handling unit or the coordination centre may do this"),
    _C.PROGRESS_REPORT_LIMIT_REACHED: ProblemType(409, "Progress report limit reached"),
    _C.JOINT_HANDLING_OPEN: ProblemType(409, "Joint handling is still open"),
    _C.JOINT_PHASE_LIMIT_REACHED: ProblemType(409, "Joint handling phase limit reached"),
    _C.NO_JOINT_HANDLING: ProblemType(409, "No joint handling is under way"),
    _C.NOT_JOINT_LEAD: ProblemType(409, "Only the lead unit may close the joint phase"),
    _C.ALREADY_ESCALATED: ProblemType(409, "The case is already escalated that far"),
    _C.LEADER_OR_CENTRE_ONLY: ProblemType(409, "Only the city leader in charge or the coordination centre may do this"),
    _C.ESCALATE_TO_CITY_LEADER_FIRST: ProblemType(409, "Escalate to the city leader first"),
    _C.EXTENSION_PENDING: ProblemType(409, "An extension request is already waiting"),
    _C.EXTENSION_TOO_LATE: ProblemType(409, "The resolution deadline has passed"),
    _C.EXTENSION_LIMIT_REACHED: ProblemType(409, "Extension limit reached"),
    _C.NO_EXTENSION_PENDING: ProblemType(409, "No extension request is waiting"),
    _C.CASE_NOT_ACCEPTED: ProblemType(409, "The case has not been signed for"),
    _C.UNREASONABLE_DEMAND_WINDOW_CLOSED: ProblemType(409, "The window for judging the demand has closed"),
    _C.WRONG_JOINT_TASK_STATUS: ProblemType(409, "The joint task's status does not allow this"),
    _C.NOT_JOINT_TASK_UNIT: ProblemType(409, "The joint task belongs to another unit"),
    _C.JOINT_REPORT_LIMIT_REACHED: ProblemType(409, "Joint task report limit reached"),
    _C.NO_HANDLING_UNIT_NAMED: ProblemType(409, "The decision names no handling unit"),
    _C.CHANGE_ALREADY_DECIDED: ProblemType(409, "The catalog change has already been decided"),
    _C.CHANGE_NOT_PENDING: ProblemType(409, "The catalog change is not pending"),
    _C.CLASS_UNDER_RECTIFICATION: ProblemType(409, "The class is already under special rectification"),
    _C.RECTIFICATION_NOT_OPENED: ProblemType(409, "The special rectification could not be opened"),
    _C.RECTIFICATION_OPENING: ProblemType(409, "The special rectification is still being opened"),
    _C.RECTIFICATION_CLOSED: ProblemType(409, "The special rectification is closed"),
    _C.NOT_RECTIFICATION_UNIT: ProblemType(409, "Not a unit of this special rectification"),
    _C.BODY_TOO_LARGE: ProblemType(413, "Request body too large"),
    _C.ATTACHMENT_TOO_LARGE: ProblemType(413, "The attachment is too large"),
    _C.ATTACHMENT_TYPE_NOT_ACCEPTED: ProblemType(415, "The file is not of an accepted type"),
    _C.ATTACHMENT_UNREADABLE: ProblemType(422, "The file cannot be read as what it claims to be"),
    _C.ATTACHMENT_NOT_ON_CASE: ProblemType(422, "An attachment named is not on this case"),
    _C.REQUEST_INVALID: ProblemType(422, "The request does not fit the schema"),
    _C.UNKNOWN_UNIT: ProblemType(422, "Unknown unit"),
    _C.UNKNOWN_CATALOG_ITEM: ProblemType(422, "Unknown catalog item"),
    _C.NOT_A_TOWNSHIP: ProblemType(422, "Not a township"),
    _C.COORDINATION_CENTRE_NOT_ALLOWED: ProblemType(422, "The coordination centre cannot be named here"),
    _C.UNIT_NOT_RESPONSIBLE: ProblemType(422, "The catalog does not make that unit responsible"),
    _C.TOWNSHIP_NEEDED: ProblemType(422, "A township is needed"),
    _C.CALLING_UNIT_NAMED: ProblemType(422, "A call cannot go back to its calling unit"),
    _C.HTTPS_REQUIRED: ProblemType(422, "HTTPS is required"),
    _C.OUTBOUND_TARGET_REFUSED: ProblemType(422, "The URL leads into the system's own network"),
    _C.SUBJECT_MISMATCH: ProblemType(422, "The subject does not fit the key's kind"),
    _C.CATALOG_TABLES_INVALID: ProblemType(422, "The catalog tables are invalid"),
    _C.CATALOG_CHANGE_DOES_NOT_FIT: ProblemType(422, "The change does not fit the catalog in force"),
    _C.BOUNDARIES_INVALID: ProblemType(422, "The boundaries file is invalid"),
    _C.PERIOD_UNKNOWN: ProblemType(422, "No such period"),
    _C.RATED_TWICE: ProblemType(422, "The same pair is rated twice"),
    _C.RANGE_INVALID: ProblemType(422, "The range ends before it starts"),
    _C.DEADLINE_IN_PAST: ProblemType(422, "The deadline is not in the future"),
    _C.CURSOR_INVALID: ProblemType(422, "Not a cursor of this list"),
    _C.RATE_LIMITED: ProblemType(429, "Rate limit exceeded"),
    _C.INTERNAL_ERROR: ProblemType(500, "Internal error"),
    _C.ENGINE_UNAVAILABLE: ProblemType(503, "An engine is not answering"),
    _C.MESSAGE_BUS_UNAVAILABLE: ProblemType(503, "The message bus is not answering"),
    _C.WORKFLOW_ENGINE_UNAVAILABLE: ProblemType(503, "The workflow engine is not answering"),
    _C.RECORDS_UNAVAILABLE: ProblemType(503, "The case records are not answering"),
    _C.OBJECT_STORE_UNAVAILABLE: ProblemType(503, "The object store is not answering"),
    _C.TICKET_NOT_RECORDED_YET: ProblemType(503, "The ticket is not in the case records yet"),
}


def problem_type_uri(code: ProblemCode) -> str:
    """The RFC 9457 `type` of a code."""
    return f"{PROBLEM_TYPE_PREFIX}{code.value}"


def codes_with_status(status: int) -> list[ProblemCode]:
    """Every code answered with this HTTP status, in the order they are defined."""
    return [code for code, kind in PROBLEM_TYPES.items() if kind.status == status]


def refusal_code(details: Sequence[object], *, default: ProblemCode = ProblemCode.ACTION_REFUSED) -> ProblemCode:
    """The code a workflow refused with: the first detail of its `ApplicationError` (`default` when there is none,
    as from a workflow that ran before codes existed)."""
    first = details[0] if details else None
    try:
        return ProblemCode(first) if isinstance(first, str) else default
    except ValueError:
        return default
