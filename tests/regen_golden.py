"""Write the golden drafts in tests/golden/ from the current templates.

Run from the repository root after changing a template or a language file:

    python -m tests.regen_golden

then read every changed file (``git diff tests/golden``) as the person who will
receive it would, and commit the ones that read well. ``tests/test_drafts.py``
compares the drafts with these files exactly.

One interview per language, with everything known, gives one golden per stage
and tone (``<lang>/<stage>.<tone>.txt``); the same interview with nothing
known but the day gives ``<lang>/bare.<stage>.<tone>.txt`` for the thank-you
and the check-in, to review the placeholders. Three more kinds show the rest
of the wording: ``today.thank-you.<tone>`` (sent the day of the interview),
``vague.check-in.<tone>`` (a decision "next week", kept as said) and
``panel<n>.thank-you.<tone>`` (three panelists of one interview, each with
their own topic and wording).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cal_followup.config import Settings
from cal_followup.drafts import STAGE_FILES, TONES, render_draft
from cal_followup.model import Draft, Interview, Person, Stage, StatedTimeline

GOLDEN = Path(__file__).parent / "golden"
LANGUAGES = ("en", "fi", "fr")
#: Languages with goldens. German and Swedish have no [lint] lists yet, so the
#: checker's own tests (which import LANGUAGES) stay on the first three.
GOLDEN_LANGUAGES = (*LANGUAGES, "de", "sv")
BARE_STAGES = ("thank-you", "check-in")
ZONE = ZoneInfo("Europe/Helsinki")

#: One job seeker and one interview per language: Friday 18 December 2026, a stated
#: decision date of Monday 4 January 2027, a topic and an idea in the notes.
PEOPLE = {
    "en": ("Sam Carter", Person("Peter Gibbons", "peter.gibbons@initech.example"),
           "Initech", "Product Manager", "roadmap planning for the mobile app",
           "a lightweight way to collect feedback from beta users"),
    "fi": ("Sanna Laine", Person("Anna Virtanen", "anna.virtanen@acme.example"),
           "Acme Oy", "Data Engineer", "tapahtumadatan laatu",
           "pieni koontinäyttö myöhässä saapuville tapahtumille"),
    "fr": ("Julien Martin", Person("Claire Dubois", "claire.dubois@lumiere.example"),
           "Banque Lumière", "Analyste de données", "la qualité des données clients",
           "un tableau de bord simple pour suivre les anomalies"),
    "de": ("Jonas Weber", Person("Katrin Hoffmann", "katrin.hoffmann@nordwind.example"),
           "Nordwind Logistik", "Data Engineer", "Datenqualität in Echtzeit-Pipelines",
           "ein schlankes Dashboard für verspätet eintreffende Ereignisse"),
    "sv": ("Elin Lindqvist", Person("Karin Berg", "karin.berg@fjallvind.example"),
           "Fjällvind", "Data Engineer", "datakvalitet i realtidsflöden",
           "en enkel översikt över händelser som kommer in sent"),
}  # fmt: skip


#: A vague timeline in each language, as a user would note it.
VAGUE = {
    "en": "next week",
    "fi": "ensi viikolla",
    "fr": "la semaine prochaine",
    "de": "nächste Woche",
    "sv": "nästa vecka",
}
#: Two more panelists per language, each with a topic of their own.
PANEL = {
    "en": ((Person("Watson, Emily", "emily.watson@initech.example"), "the release process"),
           (Person("Dr. Raj Patel", "raj.patel@initech.example"), "pricing experiments")),
    "fi": ((Person("KORHONEN MATTI", "matti.korhonen@acme.example"), "Kafka-striimien valvonta"),
           (Person("Liisa Nieminen", "liisa@acme.example"), "asiakastyöpajojen fasilitointi")),
    "fr": ((Person("Mme Sophie Laurent", "sophie@lumiere.example"), "tarification dynamique"),
           (Person("LEROY Marc", "marc.leroy@lumiere.example"), "hébergement des données")),
    "de": ((Person("Schneider, Lukas", "lukas.schneider@nordwind.example"), "Lasttests"),
           (Person("Dr. Anna Keller", "anna.keller@nordwind.example"), "Datenschutz im Data Lake")),
    "sv": ((Person("LINDBERG ERIK", "erik.lindberg@fjallvind.example"), "lasttester"),
           (Person("Sara Nyström", "sara@fjallvind.example"), "dataskydd i datasjön")),
}  # fmt: skip


def settings_for(language: str) -> Settings:
    return Settings(timezone="Europe/Helsinki", name=PEOPLE[language][0], language="en")


def interview_for(language: str, tone: str) -> Interview:
    _, person, company, role, topic, idea = PEOPLE[language]
    return Interview(
        uid=f"golden-{language}@example.com",
        summary=f"Interview with {company}",
        start=datetime(2026, 12, 18, 10, 0, tzinfo=ZONE),
        end=datetime(2026, 12, 18, 11, 0, tzinfo=ZONE),
        zone="Europe/Helsinki",
        interviewers=(person,),
        contact=person,
        company=company,
        role=role,
        topics=(topic,),
        idea=idea,
        timeline=StatedTimeline("4.1.2027", deadline=date(2027, 1, 4)),
        language=language,
        tone=tone,
    )


def bare_interview(language: str, tone: str) -> Interview:
    """Nothing known but the day: every other field shows its placeholder."""
    return replace(
        interview_for(language, tone),
        interviewers=(),
        contact=None,
        company=None,
        role=None,
        topics=(),
        idea=None,
        timeline=None,
    )


def panel_interview(language: str, tone: str) -> Interview:
    """The golden interview with three panelists, each owning one topic."""
    base = interview_for(language, tone)
    first = base.interviewers[0]
    people = (first, *(p for p, _ in PANEL[language]))
    owned = ((first.key, base.topics[0]), *((p.key, t) for p, t in PANEL[language]))
    return replace(
        base,
        interviewers=people,
        topics=tuple(t for _, t in owned),
        person_topics=owned,
        idea=None,
    )


def extra_drafts(language: str, tone: str, settings: Settings) -> dict[str, str]:
    """The today, vague-timeline and panel goldens of one language and tone."""
    found: dict[str, str] = {}
    interview = interview_for(language, tone)
    person = interview.interviewers[0]
    day = interview.start.date()
    today = render_draft(interview, Stage.THANK_YOU, False, person, settings, day)
    found[f"{language}/today.thank-you.{tone}.txt"] = draft_text(today)
    vague = replace(
        interview, timeline=StatedTimeline(VAGUE[language], date(2026, 12, 27), kind="next_week")
    )
    check_in = render_draft(vague, Stage.CHECK_IN, False, person, settings, date(2027, 1, 4))
    found[f"{language}/vague.check-in.{tone}.txt"] = draft_text(check_in)
    panel = panel_interview(language, tone)
    for number, member in enumerate(panel.interviewers, 1):
        draft = render_draft(panel, Stage.THANK_YOU, False, member, settings, date(2026, 12, 21))
        found[f"{language}/panel{number}.thank-you.{tone}.txt"] = draft_text(draft)
    return found


def draft_text(draft: Draft) -> str:
    return f"Subject: {draft.subject}\n\n{draft.body}"


def _stage(name: str) -> tuple[Stage, bool]:
    if name == "late-thank-you":
        return Stage.THANK_YOU, True
    return Stage(name), False


def golden_drafts() -> dict[str, str]:
    """Relative path -> expected text, for every golden file."""
    found: dict[str, str] = {}
    for language in GOLDEN_LANGUAGES:
        settings = settings_for(language)
        for tone in TONES:
            for name in STAGE_FILES:
                stage, late = _stage(name)
                interview = interview_for(language, tone)
                draft = render_draft(interview, stage, late, interview.interviewers[0], settings)
                found[f"{language}/{name}.{tone}.txt"] = draft_text(draft)
            for name in BARE_STAGES:
                stage, late = _stage(name)
                bare = bare_interview(language, tone)
                draft = render_draft(bare, stage, late, None, replace(settings, name=None))
                found[f"{language}/bare.{name}.{tone}.txt"] = draft_text(draft)
            found.update(extra_drafts(language, tone, settings))
    return found


def main() -> int:
    expected = golden_drafts()
    changed = 0
    for relative, text in sorted(expected.items()):
        path = GOLDEN / relative
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed += 1
        print(f"wrote {path}")
    stale = {p for p in GOLDEN.glob("*/*.txt")} - {GOLDEN / r for r in expected}
    for path in sorted(stale):
        path.unlink()
        print(f"removed {path}")
    print(f"{changed} written, {len(stale)} removed, {len(expected) - changed} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
