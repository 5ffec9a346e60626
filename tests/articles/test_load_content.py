"""`load_content`: idempotent, keeps what staff changed, refuses a broken fixture whole."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import content
from articles.content import snapshot_of_record
from articles.models import FAQ, Cause, PreventionTip, Remedy, Service, SupportChannel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty")]

MODELS = (Service, Cause, Remedy, FAQ, PreventionTip, SupportChannel)


def dump_database() -> dict[str, list[tuple]]:
    """Everything a visitor could see, to compare two loads."""
    state: dict[str, list[tuple]] = {}
    for model in MODELS:
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if f.name not in {"id", "created_at", "updated_at"}
        ]
        state[model.__name__] = sorted(model.objects.values_list(*fields))
    for kind in content.KINDS:
        for obj in kind.model.objects.all():
            state[f"{kind.file}:{obj.slug}"] = [
                tuple(sorted(snapshot_of_record(kind, obj).items(), key=str))
            ]
    return state


@pytest.fixture
def fixtures_copy(tmp_path: Path) -> Path:
    target = tmp_path / "fixtures"
    shutil.copytree(content.FIXTURES_DIR, target)
    return target


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_content", *args, stdout=out)
    return out.getvalue()


def test_loads_into_an_empty_database_and_twice_gives_the_same_database() -> None:
    first = run()
    assert "新規" in first
    state = dump_database()
    assert Cause.objects.count() == len(
        yaml.safe_load((content.FIXTURES_DIR / "causes.yaml").read_text())
    )
    second = run()
    assert "新規 0 件、更新 0 件" in second
    assert dump_database() == state


def test_keeps_what_staff_edited_and_says_so(fixtures_copy: Path) -> None:
    run("--dir", str(fixtures_copy))
    cause = Cause.objects.get(code="C1")
    cause.title = "スタッフが直した見出し"
    cause.save()
    remedy_cause = Cause.objects.get(code="C2")
    step = remedy_cause.remedies.first()
    step.body = "スタッフが書き直した手順"
    step.save()

    # The shipped text changes too: the staff version must still win.
    data = yaml.safe_load((fixtures_copy / "causes.yaml").read_text(encoding="utf-8"))
    data[0]["title"] = "新しい出荷版の見出し"
    (fixtures_copy / "causes.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )

    out = run("--dir", str(fixtures_copy))
    assert f"causes.yaml: {cause.slug}" in out and "スタッフが編集済み" in out
    assert f"causes.yaml: {remedy_cause.slug}" in out
    assert Cause.objects.get(code="C1").title == "スタッフが直した見出し"
    assert Cause.objects.get(code="C2").remedies.first().body == "スタッフが書き直した手順"

    run("--dir", str(fixtures_copy), "--force")
    assert Cause.objects.get(code="C1").title == "新しい出荷版の見出し"
    assert Cause.objects.get(code="C2").remedies.first().body != "スタッフが書き直した手順"


def test_admin_style_line_endings_are_not_mistaken_for_an_edit() -> None:
    run()
    faq = FAQ.objects.first()
    faq.answer = faq.answer.replace("\n", "\r\n") + "\r\n"  # what a browser textarea sends
    faq.save()
    assert "スタッフの編集を保持 0 件" in run()


def test_updates_unedited_records_when_the_shipped_text_changes(fixtures_copy: Path) -> None:
    run("--dir", str(fixtures_copy))
    data = yaml.safe_load((fixtures_copy / "tips.yaml").read_text(encoding="utf-8"))
    data[0]["summary"] = "新しい要約"
    (fixtures_copy / "tips.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    assert "更新 1 件" in run("--dir", str(fixtures_copy))
    assert PreventionTip.objects.get(slug=data[0]["slug"]).summary == "新しい要約"


@pytest.mark.parametrize(
    "file,index,change,expected",
    [
        ("causes.yaml", 2, {"services": ["no-such-service"]}, "causes.yaml: 3 件目"),
        ("faqs.yaml", 0, {"question": None}, "'question'"),
        ("tips.yaml", 1, {"colour": "red"}, "'colour'"),
        ("causes.yaml", 0, {"status": "live"}, "'status'"),
        ("support.yaml", 0, {"url": "javascript:alert(1)"}, "'url'"),
        ("causes.yaml", 1, {"slug": "wrong-email-or-password"}, "重複"),
    ],
)
def test_a_broken_fixture_is_refused_and_nothing_is_loaded(
    fixtures_copy: Path, file: str, index: int, change: dict, expected: str
) -> None:
    run("--dir", str(fixtures_copy))
    before = dump_database()
    # Also change a valid record, to prove nothing is half-loaded.
    tips = yaml.safe_load((fixtures_copy / "tips.yaml").read_text(encoding="utf-8"))
    tips[-1]["title"] = "半端に入ってはいけない変更"
    (fixtures_copy / "tips.yaml").write_text(
        yaml.safe_dump(tips, allow_unicode=True), encoding="utf-8"
    )
    data = yaml.safe_load((fixtures_copy / file).read_text(encoding="utf-8"))
    data[index].update(change)
    (fixtures_copy / file).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run("--dir", str(fixtures_copy))
    message = str(error.value)
    assert "データベースは変更していません" in message
    assert file in message and expected in message
    assert dump_database() == before


def test_unreadable_yaml_is_refused_with_the_file_named(fixtures_copy: Path) -> None:
    (fixtures_copy / "faqs.yaml").write_text("- slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"faqs\.yaml: YAML として読めません"):
        run("--dir", str(fixtures_copy))
    assert FAQ.objects.count() == 0
