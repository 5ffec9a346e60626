"""Japanese-aware text normalisation shared by the index and the queries.

Both sides go through the same steps, so a query matches however it was typed:
NFKC (全角/半角: ﾊﾟｽﾜｰﾄﾞ → パスワード, ＡＢＣ → abc), lower case, katakana → hiragana
(ろぐいん finds ログイン), small kana → full size, and long vowel marks dropped (サーバ = サーバー).
"""

from __future__ import annotations

import re
import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
# Long vowel marks and the dashes people type for them, dropped on both sides.
_LONG_VOWELS = str.maketrans("", "", "ー〜～")
# One table for all three, applied in a single pass: katakana → hiragana, then small → full size.
_FOLD: dict[int, int | None] = {
    **_LONG_VOWELS,
    **{k: _SMALL_KANA.get(v, v) for k, v in _KATAKANA_TO_HIRAGANA.items()},
    **_SMALL_KANA,
}
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return text.translate(_FOLD)


def words(normalised: str) -> list[str]:
    """Runs of letters and digits: punctuation and spaces separate words."""
    return _WORD.findall(normalised)


def grams(word: str) -> list[str]:
    """Overlapping bigrams of a word, and its last character alone, so that any substring of
    one or more characters is a phrase (or, for one character, a prefix) of these tokens."""
    if len(word) == 1:
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)] + [word[-1]]


def gram_text(text: str) -> str:
    """Normalised text as space-separated bigram tokens (what the SQLite FTS5 index holds)."""
    return " ".join(g for w in words(normalise(text)) for g in grams(w))
