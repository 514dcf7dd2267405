"""JSON from the Ozon API → domain dataclasses, one module per area (`fields` holds the reader they
share). Use it as `from sync import schemas; schemas.posting(...)`.

Lenient where Ozon is inconsistent (ids as numbers or strings, times with or without fractions,
money as decimal strings or {amount, currency}, v3 `result` wrappers or flat v4 bodies, enums in
any case), strict where it matters: a missing required field raises ProtocolError naming it.
"""

from sync.schemas.carriages import act_list, act_postings, act_status, carriage_info
from sync.schemas.chats import chat, message
from sync.schemas.exemplars import exemplar_info
from sync.schemas.feedback import question, review
from sync.schemas.fields import Fields, format_time, parse_time, unwrap
from sync.schemas.labels import label_task_state, label_tasks
from sync.schemas.postings import posting, posting_page, requirements
from sync.schemas.products import product
from sync.schemas.returns import fbs_return, rfbs_return, rfbs_return_details

__all__ = [
    "Fields",
    "act_list",
    "act_postings",
    "act_status",
    "carriage_info",
    "chat",
    "exemplar_info",
    "fbs_return",
    "format_time",
    "label_task_state",
    "label_tasks",
    "message",
    "parse_time",
    "posting",
    "posting_page",
    "product",
    "question",
    "requirements",
    "review",
    "rfbs_return",
    "rfbs_return_details",
    "unwrap",
]
