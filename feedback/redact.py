"""Personal data out of what visitors type, before anything is stored.

The site promises never to keep anyone's e-mail address, password or verification code, and
people do type them into a search box. What looks like one is replaced by a placeholder:

- e-mail addresses;
- phone numbers (10 or more digits with the usual separators, or starting with +);
- any run of 4 or more digits (verification codes, order, card and postal numbers);
- a word shaped like a password or code: 6 or more ASCII characters mixing letters with
  digits or symbols (`Passw0rd!`, `hunter22`, `AB12CD`; not `prime-video`).

Text is folded with NFKC first, so full-width characters cannot slip through. What is left
when only placeholders remain is treated as empty: `redact()` returns "".
"""

from __future__ import annotations

import re
import unicodedata

EMAIL = "[メールアドレス]"
PHONE = "[電話番号]"
NUMBER = "[数字]"
SECRET = "[コード]"
PLACEHOLDERS = (EMAIL, PHONE, NUMBER, SECRET)

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d\-‐ ()]{8,}\d(?!\w)")
_DIGITS = re.compile(r"\d{4,}")
_TOKEN = re.compile(r"[!-~]{6,}")  # a run of printable ASCII without spaces
_LETTER = re.compile(r"[A-Za-z]")
_OTHER = re.compile(r"[^A-Za-z\-_.']")  # a digit or a symbol other than - _ . '


def _secret(match: re.Match[str]) -> str:
    token = match.group(0)
    if any(p in token for p in PLACEHOLDERS):
        return token
    if _LETTER.search(token) and _OTHER.search(token):
        return SECRET
    return token


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return PHONE if digits >= 10 or match.group(0).startswith("+") else match.group(0)


def redact(text: str) -> str:
    """`text` without personal data, or "" when nothing else is left."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = _EMAIL.sub(EMAIL, folded)
    folded = _PHONE.sub(_phone, folded)
    folded = _DIGITS.sub(NUMBER, folded)
    folded = _TOKEN.sub(_secret, folded)
    folded = " ".join(folded.split())
    rest = folded
    for placeholder in PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    return folded if rest.strip() else ""
