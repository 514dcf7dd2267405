"""The check before anything is sent to a buyer: Ozon forbids taking buyers off the platform
(phone numbers, e-mail, links, outside messengers) and asking them to cancel; a template variable
left unfilled would show the buyer a `{brace}`. One home for chat, auto-replies and review replies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from app.errors import UserError

MAX_CHARS = 1000  # /v1/chat/send/message takes 1..1000 characters

_VARIABLE = re.compile(r"\{[^{}\n]{0,40}\}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
_LINK = re.compile(
    r"(https?://|www\.|\bt\.me/|\b[\w-]+\.(ru|com|cn|net|org|рф|su|me|io|info|shop|store|online|site|ly|cc)\b)",
    re.IGNORECASE | re.UNICODE,
)
# A phone: +7 / 8 / 7 and ten digits, any + and 10..14 digits (a Chinese seller's +86), or a Russian
# mobile 9xx written with separators. Separators: spaces, dashes, dots, brackets.
_SEP = r"[\s\-.()]*"
_PHONE = re.compile(
    rf"(?<![\w-])(\+{_SEP}(\d{_SEP}){{10,14}}|[78]{_SEP}(\d{_SEP}){{10}}|9\d\d[\s\-.)]+\d{{3}}[\s\-.]*\d\d[\s\-.]*\d\d)(?![\w-])"
)
_MESSENGERS = re.compile(
    r"(whats\s*app|ватс\s*ап|вотс\s*ап|вацап|вотсап|telegram|телеграм|телеге|телегу|\btg\b|viber|вайбер|"
    r"wechat|вичат|微信|\bvk\b|вконтакт|instagram|инстаграм|skype|скайп|"
    r"\bтг\b|\bтелег[аеиуоы]\w*|\bтелеграм\w*)",
    re.IGNORECASE | re.UNICODE,
)
# A messenger handle ("пишите @shop_seller"); an e-mail is caught before this rule.
_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z][\w.]{3,}", re.UNICODE)
# Ozon's own site is no link off the platform: "ozon.ru" (any case, a subdomain, a path) passes;
# "ozon.ru.evil.com" does not.
_OZON_HOST = re.compile(
    r"(?<![\w.-])(https?://)?([\w-]+\.)*ozon\.(ru|com|kz|by)(?![\w-]|\.[\w-])(/\S*)?", re.IGNORECASE
)
# Letters written apart to get past a check: "т е л е г р а м", "w.h.a.t.s.a.p.p".
_SPACED = re.compile(r"(?<!\w)(?:\w[\s.\-_*]{1,3}){3,}\w(?!\w)", re.UNICODE)
# Look-alikes: Cyrillic letters that read as Latin in a link ("exаmple.соm"), odd dots ("site。ru").
_LATIN_LOOKS = str.maketrans("аеорсхукмтнвАЕОРСХУКМТНВ", "aeopcxykmtHBAEOPCXYKMTHB")
_DOTS = str.maketrans({"。": ".", "．": ".", "｡": ".", "·": "."})
_ASK_TO_CANCEL = re.compile(r"(?<!не\s)\b(отмените|отменяйте)\b", re.IGNORECASE | re.UNICODE)


class LintError(UserError):
    """The text must not go to a buyer; `code` says why, `found` is the part at fault."""

    def __init__(self, code: str, message: str, found: str = "") -> None:
        super().__init__(code, message, found=found)
        self.found = found


@dataclass(frozen=True, slots=True)
class _Rule:
    code: str
    pattern: re.Pattern[str]
    message: str


RULES = (
    _Rule("chat_unfilled_variable", _VARIABLE, "a template variable was left unfilled"),
    _Rule("chat_email", _EMAIL, "an e-mail address: Ozon forbids taking buyers off the platform"),
    _Rule("chat_link", _LINK, "a link: Ozon forbids taking buyers off the platform"),
    _Rule("chat_phone", _PHONE, "a phone number: Ozon forbids taking buyers off the platform"),
    _Rule("chat_messenger", _MESSENGERS, "an outside messenger: Ozon forbids taking buyers off the platform"),
    _Rule("chat_messenger", _HANDLE, "a messenger name: Ozon forbids taking buyers off the platform"),
    _Rule("chat_asks_to_cancel", _ASK_TO_CANCEL, "it asks the buyer to cancel, which Ozon forbids"),
)


def check(text: str, allowed: Iterable[str] = (), max_chars: int = MAX_CHARS) -> str:
    """The text as it will be sent (trimmed), or LintError. `allowed`: values the text may hold
    as they are (the order's own numbers filled from a template: a tracking number is no phone)."""
    sent = text.strip()
    if not sent:
        raise LintError("chat_empty", "the message is empty")
    if len(sent) > max_chars:
        raise LintError("chat_too_long", f"the message has {len(sent)} characters; at most {max_chars}", str(len(sent)))
    masked = sent
    for value in sorted({v for v in allowed if v.strip()}, key=len, reverse=True):
        masked = masked.replace(value, " ")
    for variant in _variants(masked):
        for rule in RULES:
            match = rule.pattern.search(variant)
            if match:
                found = match.group(0).strip()
                raise LintError(rule.code, f"Not sent: {rule.message} ({found})", found)
    return sent


def _variants(text: str) -> list[str]:
    """The text as written, then as a reader would take it: full-width and odd dots made plain, Ozon's
    own site left out, letters written apart joined, Cyrillic look-alikes read as Latin."""
    plain = _OZON_HOST.sub(" ", unicodedata.normalize("NFKC", text).translate(_DOTS))
    joined = _SPACED.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), plain)
    return [plain, joined, plain.translate(_LATIN_LOOKS)]
