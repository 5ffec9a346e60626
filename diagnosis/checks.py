"""Content checks as Django system checks: `manage.py check` fails on broken flow data.

- a published cause that no option points to (nobody could be led to it);
- a published cause without remedies (the flow would have nothing to offer);
- an option that points to nothing (not neutral, no service, no weight);
- a question whose condition names an option that is not asked before it;
- not exactly one published service question;
- a remedy put first for an answer the flow does not have (`first_when`);
- an urgent cause with a remedy that is a fix to try rather than an action.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError


def register() -> None:
    checks.register(check_flow, "content")


def check_flow(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from articles.models import Cause, Status

    from .models import Question, QuestionKind

    try:
        questions = list(
            Question.objects.published().prefetch_related("after__question", "options__weights")
        )
        causes = list(
            Cause.objects.published().prefetch_related(
                "remedies", "option_weights__option__question"
            )
        )
    except DatabaseError:
        return []  # not migrated yet: nothing to check
    if not questions and not causes:
        return []

    errors: list[checks.CheckMessage] = []
    services = [q for q in questions if q.kind == QuestionKind.SERVICE]
    if len(services) != 1:
        errors.append(
            checks.Error(
                f"公開中の「サービスを選ぶ」質問が {len(services)} 件あります。ちょうど1件にしてください。",
                id="diagnosis.E001",
            )
        )
    for cause in causes:
        pointed = [
            w
            for w in cause.option_weights.all()
            if (w.weight > 0 or w.decisive) and w.option.question.status == Status.PUBLISHED
        ]
        if not pointed:
            errors.append(
                checks.Error(
                    f"原因「{cause}」を指す選択肢がありません。診断でこの原因にたどり着けません。",
                    hint="診断の選択肢の「原因への重み」でこの原因に正の重みを付けてください。",
                    obj=cause,
                    id="diagnosis.E002",
                )
            )
        if not cause.remedies.all():
            errors.append(
                checks.Error(
                    f"原因「{cause}」に対処法がありません。",
                    hint="原因の編集画面で対処法を追加してください。",
                    obj=cause,
                    id="diagnosis.E003",
                )
            )
    option_slugs = {o.slug for q in questions for o in q.options.all()}
    for cause in causes:
        for remedy in cause.remedies.all():
            unknown = sorted(set(remedy.first_when_list) - option_slugs)
            if unknown:
                errors.append(
                    checks.Error(
                        f"原因「{cause}」の対処法「{remedy}」の「先に出す回答」に、診断にない選択肢があります: "
                        + "、".join(unknown),
                        hint="診断の選択肢のスラッグを書くか、空にしてください。",
                        obj=cause,
                        id="diagnosis.E006",
                    )
                )
            if cause.urgent and not remedy.is_action:
                errors.append(
                    checks.Error(
                        f"緊急の原因「{cause}」の対処法「{remedy}」が「試す対処法」になっています。",
                        hint="緊急の原因の手順は、すぐ行うことのチェックリストとして「行うこと」にしてください。",
                        obj=cause,
                        id="diagnosis.E007",
                    )
                )
    order = {q.pk: i for i, q in enumerate(questions)}
    for question in questions:
        for option in question.options.all():
            if not option.neutral and option.service_id is None and not option.weights.all():
                errors.append(
                    checks.Error(
                        f"選択肢「{option}」がどの原因も指していません。",
                        hint="原因への重みを付けるか、「絞り込まない」にしてください。",
                        obj=option,
                        id="diagnosis.E004",
                    )
                )
        for condition in question.after.all():
            asked_before = order.get(condition.question_id, len(questions)) < order[question.pk]
            if not asked_before:
                errors.append(
                    checks.Error(
                        f"質問「{question}」の表示条件「{condition.label}」は、この質問より前に聞かれない選択肢です。",
                        hint="条件には、この質問より前にある公開中の質問の選択肢を選んでください。",
                        obj=question,
                        id="diagnosis.E005",
                    )
                )
    return errors
