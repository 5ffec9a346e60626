"""Where words begin and end in Japanese display text, without a dictionary: where the script
changes (kanji, hiragana, katakana, Latin letters and digits) or at punctuation and spaces.

Used twice:
- a short word (three characters or fewer once normalised) written only in kana or only in
  Latin letters and digits counts as found only where it starts a word: the character before it
  is not of the same script (こない is not found in 出てこない, pin not in shopping; a hiragana
  particle before it is fine: メールがこない). A synonym must also end a word when it is katakana
  or Latin (パス, a synonym of パスワード, is not found in パスキー; apps is still app).
  The word as typed need only start one, so that typing ログ already finds ログイン;
- snippets start and end at such a boundary, preferring 。、 and spaces.

Matching runs on the display text folded one character to one (ア → あ, Ａ → a), so positions
stay those of the display text; the marks normalisation drops (ー, 〜) may come between any two
characters of a word.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .normalise import normalise

SHORT = 3  # normalised characters: a word this short or shorter must start a word
PARTICLES = frozenset("がをにはでともへのや")  # hiragana that may come right before a word
DROPPED = "ー〜～"
OPENERS = frozenset("「『（(【〔“‘")  # never the last character of a snippet


class _OneToOne(dict[int, str]):
    """Each character's normalised form where that is one character, else the character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = normalise(char)
        self[code] = value = folded if len(folded) == 1 else char
        return value


_FOLD_ONE = _OneToOne()  # a str.translate table, filled as characters are met


def fold(text: str) -> str:
    """The text normalised one character to one: positions are those of `text`."""
    return text.translate(_FOLD_ONE)


@lru_cache(maxsize=512)
def needle_pattern(needles: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the (normalised) needles in folded text, longest first, marks allowed between
    characters and after the last."""
    gap = f"[{DROPPED}]*"
    longest_first = sorted(needles, key=len, reverse=True)
    return re.compile("|".join(gap.join(map(re.escape, n)) + gap for n in longest_first))


def char_class(char: str) -> str:
    """h hiragana, k katakana (with ー), c kanji, a letters and digits, p anything else."""
    code = ord(char)
    if 0x3041 <= code <= 0x309F:
        return "h"
    if 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "k"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or char in "々〆":
        return "c"
    return "a" if char.isalnum() else "p"


def needs_boundary(word: str) -> bool:
    """Whether a normalised word is short enough, and in one script, to be matched only where
    it starts a word."""
    if len(word) > SHORT or not word:
        return False
    return all("\u3041" <= c <= "\u309f" for c in word) or (word.isascii() and word.isalnum())


def at_word(text: str, start: int, end: int, whole: bool) -> bool:
    """Whether text[start:end] starts a word (and, if `whole`, ends one too)."""
    kind = char_class(text[start])
    if start > 0:
        before = text[start - 1]
        if char_class(before) == kind and not (kind == "h" and before in PARTICLES):
            return False
    if whole and end < len(text):
        last = char_class(text[end - 1])
        if last in "ka" and char_class(text[end]) == last:
            plural = last == "a" and text[end] in "sS"
            return plural and (end + 1 == len(text) or char_class(text[end + 1]) != "a")
    return True


def found_as_word(word: str, text: str, whole: bool) -> bool:
    """Whether the normalised `word` is in the display `text` where a word starts (see
    `at_word`)."""
    return any(
        at_word(text, m.start(), m.end(), whole)
        for m in needle_pattern((word,)).finditer(fold(text))
    )


# --- Snippet cuts -------------------------------------------------------------------------------

# After one of these a snippet may start or end: the preferred cuts (an opening bracket is not
# one: it belongs to what follows).
_CLAUSE = re.compile(r"[。、！？!?，,．.：:；;」』）)】〕…・]|\s")


def _script_change(text: str, i: int) -> bool:
    """Whether a word may end before text[i]: the script changes, or punctuation is next to it."""
    if text[i - 1] in OPENERS:
        return False
    kinds = char_class(text[i - 1]), char_class(text[i])
    return kinds[0] != kinds[1] or "p" in kinds


def _closest(positions: list[int], target: int) -> int | None:
    return min(positions, key=lambda i: abs(i - target)) if positions else None


def cut_start(text: str, target: int, latest: int, slack: int = 15) -> int:
    """Where a snippet should start: near `target` and no later than `latest` (the first match),
    after punctuation or a space if there is one, else at a change of script, else at the
    match."""
    if target <= 0:
        return 0
    low, high = max(1, target - slack), min(latest, len(text) - 1)
    start = _closest([m.end() for m in _CLAUSE.finditer(text, low - 1, high)], target)
    if start is None:
        changes = [i for i in range(low, high + 1) if _script_change(text, i)]
        start = _closest(changes, target)
    start = latest if start is None else start
    while start < latest and text[start].isspace():
        start += 1
    return start


def cut_end(text: str, target: int, earliest: int, slack: int = 20) -> int:
    """Where a snippet should end: near `target` and no earlier than `earliest` (the end of the
    first match), after the last punctuation or before the last space, else at the last change
    of script, else at the first one after `target`."""
    if target >= len(text):
        return len(text)
    low = max(earliest, target - slack, 1)
    clauses = [m.end() for m in _CLAUSE.finditer(text, low - 1, target)]
    if clauses:
        end = clauses[-1]
    else:
        before = (i for i in range(target, low - 1, -1) if _script_change(text, i))
        after = (
            i for i in range(target + 1, min(target + slack, len(text))) if _script_change(text, i)
        )
        end = next(before, None) or next(after, None) or target
    while end > earliest and text[end - 1].isspace():
        end -= 1
    return end
