"""Personal data is masked before a query is stored."""

from __future__ import annotations

import re

import pytest

from feedback.redact import redact


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("taro@example.com ログイン", "[メールアドレス] ログイン"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", ""),  # full-width is folded first
        ("123456 届かない", "[数字] 届かない"),
        ("１２３４５６ 届かない", "[数字] 届かない"),
        ("電話 090-1234-5678", "電話 [電話番号]"),
        ("+81 90 1234 5678", ""),
        ("Passw0rd! が違う", "[コード] が違う"),
        ("hunter22", ""),
    ],
)
def test_personal_data_is_masked(typed: str, stored: str) -> None:
    assert redact(typed) == stored


@pytest.mark.parametrize(
    "typed", ["2段階認証", "2SV", "プライム会員", "Amazon Prime Video", "prime-video", "PIN 忘れた"]
)
def test_ordinary_queries_are_kept(typed: str) -> None:
    assert redact(typed) == typed


@pytest.mark.parametrize(
    "typed", ["注文番号 249-1234567-1234567", "カード 4111 1111 1111 1111", "〒100-0001", "PIN1234"]
)
def test_no_run_of_four_digits_survives(typed: str) -> None:
    assert not re.search(r"\d{4}", redact(typed))
