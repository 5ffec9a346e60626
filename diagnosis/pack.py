"""The guided flow for the browser: the flow graph, the learned order of fixes and the flow's
words, as one JSON document (`/diagnose/pack.json`).

The service worker keeps it with the rest of the site and works the flow out from it when the
network is off (`static/js/flow.js` mirrors `ranking` and `flow`), so every step and every
result opens offline, not only those seen before. Keeping every step's page instead cannot
work: the symptom question alone allows 2^24 answer sets (see docs/PERFORMANCE.md for the
sizes).

Every word is the site's own, translated here (the same msgids as the templates), so the
offline flow reads exactly like the online one; `tests/diagnosis/test_pack.py` renders both
and compares them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from . import ranking
from .ranking import Graph, Learned


def _strings() -> dict[str, str]:
    return {
        # the step around every screen (diagnose.html)
        "title": _("Question %(step)s: %(heading)s"),
        "flowTitle": _("Find out why you cannot log in"),
        "announce": _("Question %(step)s (at most %(remaining)s left). %(heading)s"),
        "aboutAnswers": _("About your answers"),
        "answersSoFar": _("Your answers so far"),
        "change": _('Change<span class="visually-hidden"> (%(question)s)</span>'),
        "startOver": _("Start over"),
        "listSep": pgettext("list separator", ", "),
        "quoteSep": pgettext("between quoted answers", "”, “"),
        # a question (_flow_question.html)
        "intro": _(
            "Answer a few questions, and we show you the possible causes and fixes, most likely "
            "first. <strong>We never ask for your e-mail address, password or verification "
            "code.</strong> Do not enter them on this site (enter them only on Amazon's own "
            "screens)."
        ),
        "chooseAnswer": _("Choose an answer, then press “Next”."),
        "chooseAll": _("Choose all that apply."),
        "chooseOne": _("Choose one."),
        "next": _("Next"),
        "previous": _("Back to the previous question"),
        # the result (_flow_result.html)
        "resultHeading": _("Possible causes and fixes"),
        "doNow": _("Do this now: %(cause)s"),
        "because": _("Because you answered “%(answers)s”"),
        "contactSupport": _("Contact official support"),
        "thenSteps": _("Then go through these steps in order:"),
        "moreAbout": _("More about “%(cause)s”"),
        "fallback": _(
            "Your answers did not narrow down the cause. Here are easy fixes for the most common "
            "causes, in order."
        ),
        "afterChecklist": _(
            "If it is not that, or once you have done it, these may also be the cause. Go "
            "through them one at a time."
        ),
        "leadRanked": _(
            "From your answers, these are listed most likely first. Try them one at a time from "
            "the top, and tell us how it went."
        ),
        "doNext": _("What to do next"),
        "tryNextStep": _("What to try next (step %(number)s)"),
        "tryNext": _("What to try next"),
        "possibleCause": _('Possible cause: <a href="%(url)s">%(cause)s</a>'),
        "relatedQuestions": _("Related questions"),
        "whenDone": _("When you have done this, go on to the next step."),
        "didItWork": _("Did this get you logged in?"),
        "doneNext": _("Done (next step)"),
        "itWorked": _("It worked"),
        "itDidNot": _("It did not work (next fix)"),
        "askSupport": _("Ask official support"),
        "rankingTitle": _("Possible causes (most likely first)"),
        "topPriority": _("Top priority"),
        "done": _("Done"),
        "triedNo": _("Tried: did not work"),
        "doingNow": _("Doing now"),
        "tryingNow": _("Trying now"),
        "otherPossibilities": _("Other possibilities"),
        "weakly": _("Your answers point only weakly to these. Read them if nothing above fits."),
        "skipFixes": _("Skip the fixes and see how to contact official support"),
        # resolved (_flow_resolved.html)
        "gladHeading": _("Glad that worked"),
        "gotIn": _("“%(fix)s” got you logged in. Well done."),
        "notAgain": _("So that it does not happen again"),
        "notSolved": _("Not solved after all? Back to the remaining fixes"),
        "backHome": _("Back to home"),
        # escalate (_flow_escalate.html)
        "triedEverything": _(
            "You have tried every fix we can suggest. From here on, please ask Amazon's official "
            "support."
        ),
        "howToAsk": _(
            "Here is how to ask Amazon's official support. %(site_name)s is not Amazon's support "
            "desk, so it cannot do anything with your account."
        ),
        "summaryTitle": _("A summary for your enquiry"),
        "summaryHelp": _(
            "Copy the summary below and paste it into the contact form or the chat: support "
            "will understand your situation at once."
        ),
        "summaryLabel": _("Summary of your situation (service, symptoms, what you tried)"),
        "copied": _("Copied."),
        "copyFailed": _("Could not copy. Select the text and copy it."),
        "copy": _("Copy the summary"),
        "howToContactService": _("How to contact %(service)s support"),
        "howToContact": _("How to contact support"),
        "seeContacts": _('See the <a href="%(contact_url)s">list of support contacts</a>.'),
        "neverTell": _(
            "<strong>Never tell anyone your password or verification codes.</strong> Official "
            "support will not ask for them either."
        ),
        "backToFixes": _("Back to the remaining fixes"),
        # the summary to paste (flow.summary_text)
        "summaryHead": _("[Summary of my login problem]"),
        "summaryService": _("Service: %(service)s"),
        "notSure": _("Not sure"),
        "summaryAnswer": _("%(question)s → %(answers)s"),
        "summaryDid": _("What I did (in order):"),
        "summaryDone": _("%(number)s. %(step)s → done"),
        "summaryNotIn": _("%(number)s. %(step)s → did not get me logged in"),
        "summaryNothing": _("What I tried: nothing yet"),
        "summaryNever": _(
            "* My password and verification codes are not in this summary. Do not give them "
            "when you contact support either."
        ),
        # notes on answers that were not used (ranking.interpret)
        "noteService": _("The service “%(service)s” was not recognised: please choose it again."),
        "noteUnknown": _("The answer “%(answer)s” was not found, so it was ignored."),
        "noteServiceAnswer": _(
            "The answer “%(answer)s” is not taken as the choice of a service, so it was ignored."
        ),
        "noteHiddenOne": ngettext(
            "“%(answers)s” is not used after your other answers, so it was ignored.",
            "“%(answers)s” are not used after your other answers, so they were ignored.",
            1,
        ),
        "noteHiddenMany": ngettext(
            "“%(answers)s” is not used after your other answers, so it was ignored.",
            "“%(answers)s” are not used after your other answers, so they were ignored.",
            2,
        ),
        "noteNotService": _(
            "“%(answer)s” does not apply to the service you chose, so it was ignored."
        ),
        "noteSingle": _("Only one answer is used for “%(question)s” (“%(answer)s” was used)."),
        "noteGone": _("The answer “%(answer)s” is no longer used, so it was ignored."),
    }


def pack(graph: Graph, learned: Learned | None) -> dict[str, Any]:
    """Everything the browser needs to work the flow out (see the module docstring)."""
    most = len(graph.questions) + 1
    return {
        "version": graph.version,
        "paths": {
            "flow": reverse("diagnosis:diagnose"),
            "answer": reverse("feedback:flow_answer"),
            "home": reverse("articles:home"),
            "contact": reverse("articles:contact"),
        },
        "siteName": str(settings.SITE_NAME),
        "rules": {
            "minEvidence": ranking.MIN_EVIDENCE,
            "minShare": ranking.MIN_SHARE,
            "reasonMin": ranking.REASON_MIN,
            "fallbackListed": ranking.FALLBACK_LISTED,
        },
        "questions": [
            {
                "slug": q.slug,
                "kind": q.kind,
                "text": q.text,
                "help": q.help,
                "services": sorted(q.services),
                "after": sorted(q.after),
                "options": [
                    {
                        "slug": o.slug,
                        "label": o.label,
                        "hint": o.hint,
                        "service": o.service,
                        "services": sorted(o.services),
                        "weights": [[w.cause, w.weight, w.decisive] for w in o.weights],
                    }
                    for o in q.options
                ],
            }
            for q in graph.questions
        ],
        "causes": [
            {
                "slug": c.slug,
                "title": c.title,
                "summary": c.summary,
                "urgent": c.urgent,
                "warning": c.warning,
                "url": c.url,
                "services": sorted(c.services),
                "remedies": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "body": r.body_html,
                        "action": r.action,
                        "firstWhen": sorted(r.first_when),
                    }
                    for r in c.remedies
                ],
                "tips": [{"title": t.title, "summary": t.summary, "url": t.url} for t in c.tips],
                "faqs": [{"question": f.question, "url": f.url} for f in c.faqs],
            }
            for c in graph.causes
        ],
        "services": {slug: s.name for slug, s in graph.services.items()},
        # Each channel as the contact pages show it, rendered here once.
        "channels": {
            service: [
                render_to_string("includes/channel.html", {"channel": channel}).strip()
                for channel in channels
            ]
            for service, channels in graph.channels.items()
        },
        "learned": {slug: list(ids) for slug, ids in (learned or {}).items()},
        "strings": _strings(),
        "remaining": [
            ngettext(
                "At most %(remaining)s question left", "At most %(remaining)s questions left", n
            )
            % {"remaining": n}
            for n in range(most + 1)
        ],
    }
