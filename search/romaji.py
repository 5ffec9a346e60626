"""Romaji typed with the input method off (pasuwaado, roguin, nidankai ninshou) read as hiragana.

A compact table of Hepburn and kunrei spellings (shi/si, chi/ti, tsu/tu, fu/hu, ji/zi, sha/sya…),
a doubled consonant as っ (kitte, matcha), n as ん before a consonant, an apostrophe or the end,
and both nn + vowel (Hepburn: konnichiha) and nn alone (the input method's ん: onnna). A word
converts only if every letter is read; English words (Chrome, Gmail, app) do not, and are left
as they are. The Python packages that convert romaji were tried first: the maintained one
(jaconv) reads konnichiha as こんいちは and chrome as っっろめ, the others are unmaintained.

Long vowels: katakana spells them with ー, which normalisation drops (パスワード → ぱすわど), so
`readings` gives a second reading with a doubled vowel or ou as ー (pasuwaado → ぱすわーど) next
to the literal one (ninshou → にんしょう, as the kana reading of 認証 is typed).
"""

from __future__ import annotations

import re

_ROWS = {
    "": "あいうえお",
    "k": "かきくけこ",
    "g": "がぎぐげご",
    "s": "さしすせそ",
    "z": "ざじずぜぞ",
    "t": "たちつてと",
    "d": "だぢづでど",
    "n": "なにぬねの",
    "h": "はひふへほ",
    "b": "ばびぶべぼ",
    "p": "ぱぴぷぺぽ",
    "m": "まみむめも",
    "r": "らりるれろ",
}
_SMALL = {"a": "ゃ", "u": "ゅ", "o": "ょ"}

_TABLE: dict[str, str] = {
    c + v: kana for c, row in _ROWS.items() for v, kana in zip("aiueo", row, strict=True)
}
_TABLE |= {"ya": "や", "yu": "ゆ", "yo": "よ", "wa": "わ", "wo": "を", "wi": "うぃ", "we": "うぇ"}
_TABLE |= {"shi": "し", "chi": "ち", "tsu": "つ", "fu": "ふ", "ji": "じ", "vu": "ゔ"}
_TABLE |= {"fa": "ふぁ", "fi": "ふぃ", "fe": "ふぇ", "fo": "ふぉ", "je": "じぇ", "she": "しぇ"}
_TABLE |= {"che": "ちぇ", "thi": "てぃ", "dhi": "でぃ", "tyu": "ちゅ"}
for _c in "kgnhbpmr":  # kya → きゃ, the kunrei sya, tya, zya and the Hepburn sha, cha, ja
    _TABLE |= {f"{_c}y{v}": _TABLE[_c + "i"] + small for v, small in _SMALL.items()}
for _spelling, _i in (
    ("sy", "し"),
    ("sh", "し"),
    ("ty", "ち"),
    ("ch", "ち"),
    ("zy", "じ"),
    ("j", "じ"),
):
    _TABLE |= {_spelling + v: _i + small for v, small in _SMALL.items()}

_VOWELS = "aiueo"
_MACRONS = str.maketrans(
    {"ā": "a-", "ī": "i-", "ū": "u-", "ē": "e-", "ō": "o-", "â": "a-", "ô": "o-"}
)
# A doubled vowel, and ou, as katakana writes them: one vowel and a long vowel mark.
_LONG = re.compile(r"(?<=([aiueo]))\1|(?<=o)u")
ROMAJI = re.compile(r"[a-zāīūēōâô]+(?:['-]+[a-zāīūēōâô]*)*")


def to_hiragana(word: str) -> str | None:
    """The hiragana for a romaji word (lower case; - is ー, ' separates), or None when some
    letters are no romaji."""
    word = word.translate(_MACRONS)
    out: list[str] = []
    i = 0
    while i < len(word):
        char, following = word[i], word[i + 1 : i + 2]
        if char == "-":
            out.append("ー")
            i += 1
        elif char == "'":
            i += 1
        elif char == "n" and following not in (*_VOWELS, "y"):
            # ん: n before a consonant, ' or the end. nn + vowel is ん + な行 (konnichiha);
            # nn otherwise the input method's ん (onnna: ん + な).
            after = word[i + 2 : i + 3]
            i += 2 if following == "n" and not (after and after in _VOWELS + "y") else 1
            out.append("ん")
        elif char not in _VOWELS and (following == char or word[i : i + 3] == "tch"):
            out.append("っ")  # kitte, matcha
            i += 1
        else:
            for size in (3, 2, 1):
                kana = _TABLE.get(word[i : i + size])
                if kana:
                    out.append(kana)
                    i += size
                    break
            else:
                return None
    return "".join(out)


def readings(word: str) -> tuple[str, ...]:
    """The readings of a romaji word: long vowels as ー first, then as typed; () when it is no
    romaji. pasuwaado → (ぱすわーど, ぱすわあど); ninshou → (にんしょー, にんしょう)."""
    if not ROMAJI.fullmatch(word):
        return ()
    found = (to_hiragana(_LONG.sub("-", word)), to_hiragana(word))
    return tuple(dict.fromkeys(k for k in found if k))
