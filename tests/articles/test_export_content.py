"""`export_content`: the database's published content written back to fixtures/ in the form
`load_content` reads; right after a load it changes no file, and a load of it gives the same
records."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import content, export
from articles.content import snapshot_of_record
from articles.models import FAQ, Cause, PreventionTip, Status
from diagnosis.models import Option, OptionCause

pytestmark = pytest.mark.usefixtures("content")

FILES = [kind.file for kind in content.KINDS]


def run(*args: str) -> str:
    out = StringIO()
    call_command("export_content", *args, stdout=out)
    return out.getvalue()


def shipped(name: str) -> str:
    return (content.FIXTURES_DIR / name).read_text(encoding="utf-8")


def snapshots() -> dict[str, dict[str, Any]]:
    return {
        f"{kind.file}:{obj.slug}": snapshot_of_record(kind, obj)
        for kind in content.KINDS
        for obj in kind.model.objects.all()
    }


def literal_block(markdown: str, indent: int) -> str:
    """A text as the files write it: a `|` block, blank lines left unindented."""
    return "".join((" " * indent + line if line else "") + "\n" for line in markdown.split("\n"))


@pytest.fixture
def fixtures_copy(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(content.FIXTURES_DIR, target)
    return target


def test_an_export_after_a_load_is_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    out = run("--output", str(tmp_path))
    assert f"書き出し完了: {len(FILES)} ファイル（変更 {len(FILES)}）" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / name).read_text(encoding="utf-8") == shipped(name), name
    # Written once more, nothing changes.
    assert f"書き出し完了: {len(FILES)} ファイル（変更 0）" in run("--output", str(tmp_path))


def test_check_passes_right_after_a_load_and_writes_nothing() -> None:
    before = {name: shipped(name) for name in FILES}
    assert f"一致しています: {len(FILES)} ファイル（変更 0）" in run("--check")
    assert {name: shipped(name) for name in FILES} == before


def test_loading_an_export_into_an_empty_database_gives_every_record_back(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Staff edits of every shape, so that more than the shipped files goes round.
    remedy = Cause.objects.get(code="C3").remedies.order_by("order")[1]
    remedy.body = "スタッフが書いた手順。\n\n1. これを試します。\n2. 次にこれ。"
    remedy.first_when = "password-rejected code-rejected"
    remedy.save()
    option = Option.objects.get(slug="phone-lost")
    OptionCause.objects.create(option=option, cause=Cause.objects.get(code="C1"), weight=-2)
    faq = FAQ.objects.order_by("order").last()
    faq.checked_on = None
    faq.featured = True
    faq.save()
    faq.causes.add(Cause.objects.get(code="C5"))
    before = snapshots()

    run("--output", str(tmp_path))
    request.getfixturevalue("empty")
    assert snapshots() == {}
    content.load(tmp_path)

    assert snapshots() == before


def test_a_staff_edit_shows_in_its_file_and_nothing_else_changes(tmp_path: Path) -> None:
    remedy = Cause.objects.get(code="C2").remedies.order_by("order", "pk").first()
    old = remedy.body
    remedy.body = (
        "スタッフが書き直した手順。\n\n- 画面の案内に従います。\n- それでも届かなければ再送します。"
    )
    remedy.save()

    run("--output", str(tmp_path))

    for name in FILES:
        if name != "causes.yaml":
            assert (tmp_path / name).read_text(encoding="utf-8") == shipped(name), name
    old_block, new_block = literal_block(old, 8), literal_block(remedy.body, 8)
    assert shipped("causes.yaml").count(old_block) == 1
    expected = shipped("causes.yaml").replace(old_block, new_block)
    assert (tmp_path / "causes.yaml").read_text(encoding="utf-8") == expected


def test_check_lists_the_changed_files_and_writes_nothing(fixtures_copy: Path) -> None:
    tip = PreventionTip.objects.order_by("order").first()
    tip.summary = "スタッフが直した要約"
    tip.save()

    with pytest.raises(CommandError) as error:
        run("--output", str(fixtures_copy), "--check")

    message = str(error.value)
    assert "何も書き込んでいません" in message
    assert "tips.yaml" in message
    assert not any(name in message for name in FILES if name != "tips.yaml")
    for name in FILES:
        assert (fixtures_copy / name).read_text(encoding="utf-8") == shipped(name), name
    # Without --check the same difference is written.
    assert f"書き出し完了: {len(FILES)} ファイル（変更 1）" in run("--output", str(fixtures_copy))
    assert "スタッフが直した要約" in (fixtures_copy / "tips.yaml").read_text(encoding="utf-8")


def test_a_draft_is_not_exported(tmp_path: Path) -> None:
    faq = FAQ.objects.order_by("order")[2]
    faq.status = Status.DRAFT
    faq.save()

    run("--output", str(tmp_path))

    written = yaml.safe_load((tmp_path / "faqs.yaml").read_text(encoding="utf-8"))
    assert faq.slug not in [entry["slug"] for entry in written]
    assert len(written) == FAQ.objects.published().count()
    for name in FILES:
        if name != "faqs.yaml":
            assert (tmp_path / name).read_text(encoding="utf-8") == shipped(name), name


def test_what_points_to_a_draft_no_longer_does_so_the_export_loads_into_an_empty_database(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    cause = Cause.objects.get(slug="passkey-trouble")
    cause.status = Status.DRAFT
    cause.save()
    pointing = FAQ.objects.filter(causes=cause).first()

    out = run("--output", str(tmp_path))

    assert f"faqs.yaml: {pointing.slug} の causes → passkey-trouble" in out
    assert "flow.yaml: symptom の passkey-fails の weights → passkey-trouble" in out
    for name in FILES:
        assert "passkey-trouble" not in (tmp_path / name).read_text(encoding="utf-8"), name
    request.getfixturevalue("empty")
    content.load(tmp_path)
    assert not Cause.objects.filter(slug="passkey-trouble").exists()
    assert FAQ.objects.filter(slug=pointing.slug).exists()


def test_a_record_staff_deleted_is_simply_absent(tmp_path: Path) -> None:
    tip = PreventionTip.objects.order_by("order").last()
    tip.delete()
    run("--output", str(tmp_path))
    written = yaml.safe_load((tmp_path / "tips.yaml").read_text(encoding="utf-8"))
    assert tip.slug not in [entry["slug"] for entry in written]


def test_the_comment_block_of_the_file_written_over_is_kept(tmp_path: Path) -> None:
    (tmp_path / "flow.yaml").write_text("# スタッフのメモ\n\n- slug: old\n", encoding="utf-8")
    run("--output", str(tmp_path))
    written = (tmp_path / "flow.yaml").read_text(encoding="utf-8")
    assert written.startswith("# スタッフのメモ\n\n- slug: service\n")
    # A file with no copy in the folder keeps the shipped file's comment block.
    assert (tmp_path / "synonyms.yaml").read_text(encoding="utf-8") == shipped("synonyms.yaml")


def test_the_canonical_form() -> None:
    terms = ["ログイン", "サインイン"]
    long = "とても長い一行の日本語の文章です。" * 20
    text = export.dump(
        [
            {"slug": "a", "terms": terms, "note": "", "body": "一行目\n\n二行目", "summary": long},
            {"slug": "b", "terms": terms, "steps": [{"title": "手順", "first_when": []}]},
        ],
        spaced=True,
    )
    assert text == (
        "- slug: a\n"
        "  terms: [ログイン, サインイン]\n"  # flow style, the same list twice without an alias
        '  note: ""\n'
        "  body: |\n"
        "    一行目\n"
        "\n"
        "    二行目\n"
        f"  summary: {long}\n"  # never folded
        "\n"
        "- slug: b\n"
        "  terms: [ログイン, サインイン]\n"
        "  steps:\n"
        "    - title: 手順\n"
        "      first_when: []\n"
    )
