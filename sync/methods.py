"""Every Ozon Seller API method Packdesk calls, in one place, and the ones Ozon has switched off.

The client refuses to send a request to a path that is not listed in ``CALLED`` (a typo or a method
copied from an old example never reaches Ozon), and a test checks that nothing in ``CALLED`` is in
``RETIRED``. The emulator answers a retired method the way Ozon answers an unknown one: 404, code 5.

Source: ``docs/ozon-contract.md`` (the live contract on 2026-12-01), checked against Ozon's published specification.
"""

from __future__ import annotations

# -- postings ------------------------------------------------------------------------------------
UNFULFILLED_LIST = "/v4/posting/fbs/unfulfilled/list"
POSTING_LIST = "/v4/posting/fbs/list"
POSTING_GET = "/v3/posting/fbs/get"
POSTING_BY_BARCODE = "/v2/posting/fbs/get-by-barcode"
SHIP = "/v4/posting/fbs/ship"
CANCEL_REASONS = "/v2/posting/fbs/cancel-reason/list"
CANCEL = "/v2/posting/fbs/cancel"
# -- marking codes, customs numbers, boxes (before the ship call) -------------------------------
EXEMPLAR_CREATE_OR_GET = "/v6/fbs/posting/product/exemplar/create-or-get"
EXEMPLAR_SET = "/v6/fbs/posting/product/exemplar/set"
EXEMPLAR_STATUS = "/v5/fbs/posting/product/exemplar/status"
MULTIBOX_QTY_SET = "/v3/posting/multiboxqty/set"
# -- labels: a task per batch, then a file from Ozon's CDN ----------------------------------------
LABEL_TASK_CREATE = "/v3/posting/fbs/package-label/create"
LABEL_TASK_GET = "/v2/posting/fbs/package-label/get"
# -- handover ------------------------------------------------------------------------------------
CARRIAGE_CREATE = "/v1/carriage/create"
CARRIAGE_APPROVE = "/v1/carriage/approve"
CARRIAGE_GET = "/v1/carriage/get"
CARRIAGE_SET_POSTINGS = "/v1/carriage/set-postings"
ACT_LIST = "/v2/posting/fbs/act/list"
ACT_CHECK_STATUS = "/v2/posting/fbs/act/check-status"
ACT_PDF = "/v2/posting/fbs/act/get-pdf"
ACT_POSTINGS = "/v2/posting/fbs/act/get-postings"
# -- rFBS delivery -------------------------------------------------------------------------------
TRACKING_NUMBER_SET = "/v2/fbs/posting/tracking-number/set"
RFBS_DELIVERING = "/v2/fbs/posting/delivering"
RFBS_LAST_MILE = "/v2/fbs/posting/last-mile"
RFBS_DELIVERED = "/v2/fbs/posting/delivered"
# -- products ------------------------------------------------------------------------------------
PRODUCT_INFO_LIST = "/v3/product/info/list"
# -- chats ---------------------------------------------------------------------------------------
CHAT_LIST = "/v3/chat/list"
CHAT_HISTORY = "/v3/chat/history"
CHAT_READ = "/v2/chat/read"
CHAT_SEND_MESSAGE = "/v1/chat/send/message"
CHAT_SEND_FILE = "/v1/chat/send/file"
CHAT_START = "/v1/chat/start"
# -- returns -------------------------------------------------------------------------------------
RETURNS_LIST = "/v1/returns/list"
RFBS_RETURNS_LIST = "/v2/returns/rfbs/list"
RFBS_RETURN_GET = "/v2/returns/rfbs/get"
RFBS_RETURN_ACTION = "/v1/returns/rfbs/action/set"
# -- reviews and questions -----------------------------------------------------------------------
REVIEW_LIST = "/v2/review/list"
REVIEW_CHANGE_STATUS = "/v2/review/change-status"  # v1 change-status is deprecated (2026)
REVIEW_COMMENT_CREATE = "/v1/review/comment/create"
REVIEW_COMMENT_LIST = "/v1/review/comment/list"
QUESTION_LIST = "/v1/question/list"
QUESTION_ANSWER_CREATE = "/v1/question/answer/create"
QUESTION_ANSWER_LIST = "/v1/question/answer/list"
# -- account -------------------------------------------------------------------------------------
ROLES = "/v1/roles"

CALLED: frozenset[str] = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)

# Reads that change nothing on Ozon: safe to send again when the answer is lost (`sync.http`).
# create-or-get makes the exemplar records once and returns the same ones after.
READS: frozenset[str] = frozenset(
    {
        UNFULFILLED_LIST,
        POSTING_LIST,
        POSTING_GET,
        POSTING_BY_BARCODE,
        CANCEL_REASONS,
        EXEMPLAR_CREATE_OR_GET,
        EXEMPLAR_STATUS,
        LABEL_TASK_GET,
        CARRIAGE_GET,
        ACT_LIST,
        ACT_CHECK_STATUS,
        ACT_POSTINGS,
        PRODUCT_INFO_LIST,
        CHAT_LIST,
        CHAT_HISTORY,
        CHAT_START,  # gives the posting's existing chat when there is one
        RETURNS_LIST,
        RFBS_RETURNS_LIST,
        RFBS_RETURN_GET,
        REVIEW_LIST,
        REVIEW_COMMENT_LIST,
        QUESTION_LIST,
        QUESTION_ANSWER_LIST,
        ROLES,
    }
)

# Switched off by Ozon (path → since when; "never existed" for methods no specification has).
RETIRED: dict[str, str] = {
    "/v2/posting/fbs/package-label": "2026-11-02",
    "/v1/posting/fbs/package-label/create": "2026-11-02",
    "/v2/posting/fbs/package-label/create": "2026-11-02",
    "/v1/posting/fbs/package-label/get": "2026-11-02",
    "/v3/posting/fbs/list": "2026-08-31",
    "/v3/posting/fbs/unfulfilled/list": "2026-08-31",
    "/v2/posting/fbs/act/create": "2026-09-07",
    "/v2/returns/rfbs/verify": "2026-08-11",
    "/v2/returns/rfbs/reject": "2026-08-11",
    "/v2/returns/rfbs/compensate": "2026-08-11",
    "/v2/returns/rfbs/receive-return": "2026-08-11",
    "/v2/returns/rfbs/return-money": "2026-08-11",
    "/v1/posting/fbs/approve": "never existed",
}
