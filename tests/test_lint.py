"""The etiquette check (rule 6): every rule trips and stays quiet in every language.

Each rule is shown a reviewed golden draft with one mistake put in (it must
report exactly that code) and the same draft with a near miss, a harmless
phrase that looks like the mistake (it must report nothing).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cal_followup import cli
from cal_followup.config import Settings
from cal_followup.ical import calendar_bytes, description_text, reminders_calendar
from cal_followup.lint import (
    CODES,
    check_document,
    check_text,
    detect_language,
    lemmas,
    patterns,
    rules,
)
from cal_followup.model import Draft, Person, Reminder, Stage
from tests import helpers, lint_corpus
from tests.regen_golden import LANGUAGES, golden_drafts

GOLDEN = golden_drafts()
BASE = {language: GOLDEN[f"{language}/thank-you.formal.txt"] for language in LANGUAGES}


def codes(text: str, language: str | None = None) -> set[str]:
    return {finding.code for finding in check_text(text, language).findings}


def _lines(text: str) -> list[str]:
    return text.split("\n")


def add_to_first_paragraph(sentence: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = _lines(text)
        lines[4] = f"{lines[4]} {sentence}"
        return "\n".join(lines)

    return change


def set_line(index: int, value: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = _lines(text)
        lines[index] = value
        return "\n".join(lines)

    return change


def drop_lines(*indexes: int) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = _lines(text.rstrip("\n"))
        return "\n".join(line for i, line in enumerate(lines) if i not in indexes) + "\n"

    return change


def extra_paragraphs(sentence: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = _lines(text)
        return "\n".join([*lines[:6], sentence, "", sentence, "", *lines[6:]])

    return change


def padded(word: str, paragraphs: int, words: int) -> Callable[[str], str]:
    """``words`` more words at the end of each of the first ``paragraphs`` paragraphs."""

    def change(text: str) -> str:
        lines = _lines(text)
        for index in (4, 6, 8)[:paragraphs]:
            lines[index] = f"{lines[index]} " + " ".join([word] * words) + "."
        return "\n".join(lines)

    return change


def _last_line_dropped(text: str) -> str:
    return text.rstrip("\n").rsplit("\n", 1)[0] + "\n"


def _signature_dropped(text: str) -> str:
    return text.rstrip("\n").rsplit("\n", 2)[0] + "\n"


# code -> language -> (mistake, near miss or None for the draft as it is)
CASES: dict[str, dict[str, tuple[Callable[[str], str], Callable[[str], str] | None]]] = {
    "F001": {
        lang: (drop_lines(0, 1), None) for lang in LANGUAGES
    },
    "F002": {
        "en": (set_line(0, "Subject: Following up"), set_line(0, "Subject: Following up – UX")),
        "fi": (set_line(0, "Subject: Kiitos"), set_line(0, "Subject: Kiitos – Data Engineer")),
        "fr": (set_line(0, "Subject: Merci"), set_line(0, "Subject: Merci – Analyste")),
    },
    "F003": {
        "en": (set_line(2, "Hey Peter,"), set_line(2, "Hi Peter,")),
        "fi": (set_line(2, "Moi Anna,"), set_line(2, "Hyvä Anna Virtanen,")),
        "fr": (set_line(2, "Salut Claire,"), set_line(2, "Madame,")),
    },
    "F004": {
        lang: (drop_lines(2, 3), None) for lang in LANGUAGES
    },
    "F005": {
        "en": (add_to_first_paragraph("It was fun 🙂"),
               add_to_first_paragraph("We met at 10:30 (room 8).")),
        "fi": (add_to_first_paragraph("Oli kivaa :)"),
               add_to_first_paragraph("Tapasimme klo 10:30 (huone 8).")),
        "fr": (add_to_first_paragraph("Super moment 👍"),
               add_to_first_paragraph("Nous nous sommes vus à 10:30 (salle 8).")),
    },
    "F006": {
        "en": (add_to_first_paragraph("I'm gonna keep following your work."),
               add_to_first_paragraph("I am going to keep following your work.")),
        "fi": (add_to_first_paragraph("Mä seuraan teidän työtä."),
               add_to_first_paragraph("Minä seuraan työtänne.")),
        "fr": (add_to_first_paragraph("Le boulot a l'air passionnant."),
               add_to_first_paragraph("Le travail a l'air passionnant.")),
    },
    "F007": {
        "en": (add_to_first_paragraph("Please reply ASAP."),
               add_to_first_paragraph("I could start immediately.")),
        "fi": (add_to_first_paragraph("Vastatkaa heti."),
               add_to_first_paragraph("Voin aloittaa pian.")),
        "fr": (add_to_first_paragraph("Merci de me répondre dès que possible."),
               add_to_first_paragraph("Je suis disponible immédiatement.")),
    },
    "F008": {
        "en": (add_to_first_paragraph("It was great! Really great!"),
               add_to_first_paragraph("It was great!")),
        "fi": (add_to_first_paragraph("Oli mahtavaa! Kiitos!"),
               add_to_first_paragraph("Oli mahtavaa!")),
        "fr": (add_to_first_paragraph("C'était super ! Merci !"),
               add_to_first_paragraph("C'était super !")),
    },
    "F009": {
        "en": (add_to_first_paragraph("Could you tell me the salary range?"),
               add_to_first_paragraph("I liked hearing about the benefits of event sourcing.")),
        "fi": (add_to_first_paragraph("Voisitko kertoa palkkahaitarin?"),
               add_to_first_paragraph("Projekti kuulosti palkitsevalta.")),
        "fr": (add_to_first_paragraph("Pourriez-vous préciser le salaire ?"),
               add_to_first_paragraph("L'avantage de cette approche est clair.")),
    },
    "F010": {
        "en": (add_to_first_paragraph("I could call you on Monday to discuss."),
               add_to_first_paragraph("Thank you also for the call last week.")),
        "fi": (add_to_first_paragraph("Voin soittaa maanantaina."),
               add_to_first_paragraph("Kiitos myös viime viikon puhelusta.")),
        "fr": (add_to_first_paragraph("Je peux vous appeler lundi."),
               add_to_first_paragraph("Merci aussi pour l'appel de la semaine dernière.")),
    },
    "F011": {
        "en": (extra_paragraphs("I also enjoyed meeting the team."), None),
        "fi": (extra_paragraphs("Tiimin tapaaminen oli myös mukavaa."), None),
        "fr": (extra_paragraphs("J'ai aussi apprécié de rencontrer l'équipe."), None),
    },
    "F012": {
        "en": (padded("team", 3, 25), padded("team", 3, 5)),
        "fi": (padded("tiimi", 3, 40), padded("tiimi", 3, 10)),
        "fr": (padded("équipe", 3, 25), padded("équipe", 3, 5)),
    },
    "F013": {
        "en": (padded("team", 1, 60), None),
        "fi": (padded("tiimi", 1, 60), None),
        "fr": (padded("équipe", 1, 60), None),
    },
    "F014": {
        lang: (_last_line_dropped, None) for lang in LANGUAGES
    },
    "P001": {
        "en": (set_line(2, "Dear [name],"), None),
        "fi": (set_line(2, "Hei [nimi],"), None),
        "fr": (set_line(2, "Bonjour [prénom],"), None),
    },
}  # fmt: skip


def test_every_code_has_cases_in_every_language() -> None:
    assert set(CASES) == set(CODES)
    assert all(set(by_language) == set(LANGUAGES) for by_language in CASES.values())


@pytest.mark.parametrize(
    ("code", "language"), [(code, language) for code in CASES for language in LANGUAGES]
)
def test_rule_trips(code: str, language: str) -> None:
    mistake, _ = CASES[code][language]
    text = mistake(BASE[language])
    assert check_text(text).language == language
    assert code in codes(text), check_text(text).findings


@pytest.mark.parametrize(
    ("code", "language"), [(code, language) for code in CASES for language in LANGUAGES]
)
def test_rule_stays_quiet(code: str, language: str) -> None:
    _, near_miss = CASES[code][language]
    text = near_miss(BASE[language]) if near_miss else BASE[language]
    assert check_text(text).findings == ()


def test_the_words_of_the_articles_are_caught() -> None:
    typed = (
        "Subject: Interview\n\nHey Peter,\n\nJust checking in!!! Why haven't I heard back? "
        "I need an answer ASAP. Also, what about salary and benefits? I can stop by your "
        "office tomorrow :)\n\nThanks\n"
    )
    assert codes(typed) == {"F002", "F003", "F005", "F007", "F008", "F009", "F010", "F014"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_signature_at_all(language: str) -> None:
    assert "F014" in codes(_signature_dropped(BASE[language]))


@pytest.mark.parametrize(
    ("text", "code"),
    [("Moikka", "fi"), ("Bisous,", "fr"), ("Later,", "en")],
)
def test_casual_sign_off(text: str, code: str) -> None:
    lines = BASE[code].rstrip("\n").split("\n")
    lines[-2] = text
    assert "F003" in codes("\n".join(lines) + "\n", code)


# -- positions and layouts ------------------------------------------------------------------


def test_findings_point_at_the_words() -> None:
    text = BASE["en"].replace("I appreciated", "Please reply ASAP. I appreciated")
    (finding,) = check_text(text).findings
    line = text.split("\n")[finding.line - 1]
    assert finding.code == "F007" and line[finding.column - 1 :].startswith("ASAP")


@pytest.mark.parametrize(
    ("header", "language"),
    [("Subject", "en"), ("Aihe", "fi"), ("Otsikko", "fi"), ("Objet", "fr"), ("Objet ", "fr")],
)
def test_local_subject_headers(header: str, language: str) -> None:
    text = BASE[language].replace("Subject:", f"To: someone@example.com\n{header}:", 1)
    assert check_text(text).findings == ()


def test_a_reminder_description_is_checked_as_a_draft() -> None:
    reminder = _reminder("fi", BASE["fi"])
    text = description_text(reminder)
    assert text.startswith("Avaa luonnos sähköpostiohjelmassa: mailto:")
    assert check_text(text).findings == ()
    assert codes(text.replace("Kiitos, että", "Vastatkaa heti. Kiitos, että")) == {"F007"}


def test_ics_findings_point_into_the_file(tmp_path: Path) -> None:
    bad = BASE["fr"].replace("J'ai beaucoup", "Je peux vous appeler lundi. J'ai beaucoup")
    reminders = [_reminder("en", BASE["en"]), _reminder("fr", bad, "claire@lumiere.example")]
    data = calendar_bytes(reminders_calendar(reminders, _settings(), datetime(2026, 12, 1)))
    text = data.decode("utf-8")
    results = check_document(text)
    assert [r.language for r in results] == ["en", "fr"]
    assert results[0].findings == ()
    (finding,) = results[1].findings
    assert finding.code == "F010"
    raw_lines = text.split("\r\n")
    # The phrase may be folded across lines: unfold from the reported position on.
    rest = raw_lines[finding.line - 1][finding.column - 1 :] + "".join(
        line[1:] for line in raw_lines[finding.line :]
    )
    assert rest.startswith("vous appeler")


def _settings() -> Settings:
    return helpers.settings()


def _reminder(language: str, draft_text: str, email: str = "anna@acme.example") -> Reminder:
    from cal_followup.ical_text import mailto_link

    subject_line, _, body = draft_text.partition("\n\n")
    subject = subject_line.removeprefix("Subject: ")
    return Reminder(
        uid=f"{language}-{email}",
        interview_uid="iv@example.com",
        interview_recurrence_id=None,
        interview_summary="Interview",
        stage=Stage.THANK_YOU,
        due=datetime(2026, 12, 18, 12, tzinfo=ZoneInfo("Europe/Helsinki")),
        recipient=Person("Anna Virtanen", email),
        draft=Draft(subject, body),
        language=language,
        tone="formal",
        summary="Send thank-you note",
        mailto=mailto_link(email, subject, body),
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hei Anna, kiitos tapaamisesta ja mukavasta keskustelusta.", "fi"),
        ("Bonjour Claire, merci pour cet échange et votre temps.", "fr"),
        ("Hi Peter, thank you for your time and the conversation.", "en"),
        ("", "en"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_language_override() -> None:
    # A Finnish word list finds "heti" only when the draft is read as Finnish.
    text = "Subject: Data Engineer\n\nHei Anna,\n\nheti\n\nTerveisin\nSanna\n"
    assert "F007" in codes(text, "fi")
    assert "F007" not in codes(text, "en")


# -- the command ----------------------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(["check", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_clean_draft_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(BASE["fi"], encoding="utf-8")
    assert run([str(path)], capsys) == (0, "", "")


def test_cli_prints_like_a_linter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(CASES["F007"]["fr"][0](BASE["fr"]), encoding="utf-8")
    status, out, _ = run([str(path)], capsys)
    assert status == 1
    lines = out.splitlines()
    assert lines and all(re.fullmatch(rf"{re.escape(str(path))}:\d+:\d+: [FP]\d{{3}} .+", line)
                         for line in lines)  # fmt: skip
    assert any(": F007 " in line and "dès que possible" in line for line in lines)


def test_cli_json_and_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(CASES["F008"]["en"][0](CASES["P001"]["en"][0](BASE["en"])), encoding="utf-8")
    status, out, _ = run(["--json", str(path)], capsys)
    rows = json.loads(out)
    assert status == 1 and {row["code"] for row in rows} == {"F008", "P001"}
    assert set(rows[0]) == {"file", "line", "column", "code", "message", "language", "reminder"}
    status, out, _ = run(["--json", "--allow-placeholders", "--ignore", "F008", str(path)], capsys)
    assert (status, json.loads(out)) == (0, [])


def test_cli_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE["en"].replace("Dear", "Hey")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    status, out, _ = run(["-"], capsys)
    assert status == 1 and out.startswith("<stdin>:3:1: F003 ")


def test_cli_language_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("Subject: Data Engineer\n\nHei Anna,\n\nheti\n\nTerveisin\nSanna\n")
    assert run(["--language", "fi", str(path)], capsys)[0] == 1
    assert run(["--language", "xx", str(path)], capsys)[0] == 2


def test_cli_ics_without_reminders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cal.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    status, out, err = run([str(path)], capsys)
    assert (status, out) == (0, "") and "no cal-followup reminders" in err


def test_cli_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run([str(tmp_path / "missing.txt")], capsys)
    assert status == 2 and "cannot read" in err
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00bad")
    status, _, err = run([str(binary)], capsys)
    assert status == 2 and "not UTF-8" in err


def test_cli_help_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    assert all(code in out for code in CODES)


def test_a_greeting_that_runs_into_the_text_counts_as_a_paragraph() -> None:
    lines = BASE["en"].split("\n")
    lines[2] = "Hi Peter, it was a pleasure to meet you and to hear how the team works."
    text = "\n".join(lines)
    assert codes(text) == {"F011"}  # greeted, but now five paragraphs


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400))
@example("\x00")  # a NUL, which reading a calendar drops
def test_any_text_is_checked_without_error(text: str) -> None:
    lines = re.split(r"\r\n|\n|\r", text)
    for finding in check_text(text).findings:
        assert 1 <= finding.line <= len(lines)
        assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1
    # The same text as a reminder's DESCRIPTION in a calendar.
    calendar = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nX-CAL-FOLLOWUP-STAGE:thank-you\r\nDESCRIPTION:"
        + text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")
        + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (checked,) = check_document(calendar)
    # The calendar holds the text without its "\r"s: "B\rC" there is the word "BC"; and
    # reading a calendar drops NUL bytes (ics.scan), so they are not in it either.
    expected = check_text(text.replace("\r", "").replace("\x00", "")).findings
    assert [f.code for f in checked.findings] == [f.code for f in expected]


# -- paraphrase: the sentences, the labelled corpus, rules as data ------------------

# Sentences that once passed clean, each with what it must now be found for.
PARAPHRASES = [
    ("Would you have ten minutes for a call this week?", "en", "F010"),
    ("I expected to hear back by now.", "en", "F007"),
    ("Does the role include equity?", "en", "F009"),
    ("lmk if u need anything else", "en", "F006"),
    ("Voisimmeko sopia lyhyen puhelun ensi viikolle?", "fi", "F010"),
    ("Haluaisin kuulla tehtävän palkkauksesta.", "fi", "F009"),
    ("Seriez-vous disponible pour un point téléphonique ?", "fr", "F010"),
    ("Je suis actuellement à 52 k€ brut.", "fr", "F009"),
    ("Hätten Sie nächste Woche Zeit für ein kurzes Telefonat?", "de", "F010"),
    ("Vad är lönen för tjänsten?", "sv", "F009"),
]
# Drafts and sentences that were wrongly flagged: past events, role names, ordinary words.
CLEAR = [
    ("Thanks for having me come into the office on Tuesday.", "en"),
    ("I enjoyed talking about the Compensation Analyst role.", "en"),
    ("Voin aloittaa heti.", "fi"),
    ("Je suis disponible immédiatement.", "fr"),
]


@pytest.mark.parametrize(("text", "language", "code"), PARAPHRASES)
def test_paraphrases_are_found(text: str, language: str, code: str) -> None:
    assert code in codes(text, language)


@pytest.mark.parametrize(("text", "language"), CLEAR)
def test_context_keeps_good_sentences_clear(text: str, language: str) -> None:
    assert not codes(text, language) & lint_corpus.CONTENT_CODES


def _with_closing(language: str, closing: list[str]) -> str:
    lines = BASE[language].rstrip("\n").split("\n")
    return "\n".join([*lines[:-2], *closing]) + "\n"


@pytest.mark.parametrize(
    ("language", "closing"),
    [
        ("fr", ["Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.", "",
                "Claire Dubois"]),
        ("fr", ["Veuillez agréer, Madame, l'expression de mes sentiments", "distingués.",
                "Claire Dubois"]),
        ("fr", ["Au plaisir,", "Claire"]),
        ("en", ["Warmly,", "Chris"]),
        ("fi", ["Kiittäen", "Sanna"]),
    ],
)  # fmt: skip
def test_sign_offs_and_closing_formulas(language: str, closing: list[str]) -> None:
    assert codes(_with_closing(language, closing), language) == set()


def test_a_role_from_the_subject_is_no_finding() -> None:
    text = (
        "Subject: Thank you – Compensation Analyst\n\nDear Ms. Lee,\n\n"
        "I enjoyed learning what a Compensation Analyst does on your team.\n\nBest,\nAl\n"
    )
    assert codes(text, "en") == set()
    # The same words are still found where they ask about money.
    assert "F009" in codes(text.replace("I enjoyed", "What is the compensation? I enjoyed"))


TUNED = [e for lang in lint_corpus.LANGUAGES for e in lint_corpus.load(lang, "tuned")]


@pytest.mark.parametrize(
    "entry", TUNED, ids=[f"{e.language}-{e.code or 'good'}-{i}" for i, e in enumerate(TUNED)]
)
def test_tuned_corpus(entry: lint_corpus.Entry) -> None:
    right, found = lint_corpus.verdict(entry)
    assert right, (entry.code, found, entry.text)


@pytest.mark.parametrize("language", lint_corpus.LANGUAGES)
def test_corpus_sizes_and_labels(language: str) -> None:
    # The held-out part is only counted here; its scores are bench/bench_lint.py's.
    for part, bad_min, good_min in (("tuned", 60, 30), ("heldout", 15, 8)):
        entries = lint_corpus.load(language, part)
        bad = [e for e in entries if e.code is not None]
        assert len(bad) >= bad_min and len(entries) - len(bad) >= good_min, part
        assert all(e.code in CODES for e in bad)
        assert len({e.text for e in entries}) == len(entries), "duplicate entries"


def test_every_rule_file_parses_and_uses_known_codes() -> None:
    sets = rules.load_rule_sets()
    assert set(lint_corpus.LANGUAGES) <= set(sets)
    for rule_set in sets.values():
        assert rule_set.get("greetings") and rule_set.get("sign_offs") and rule_set.get("words")
        assert {rule.code for rule in rule_set.rules} <= set(CODES)


NEW_LANGUAGE = """
code = "xx"
words = ["blorp", "zib"]
subject_headers = ["topik"]
greetings = ["salve"]
sign_offs = ["vale"]
[[rules]]
code = "F009"
message = "money {quote}"
match = ["kash*", "re:\\\\bdinero\\\\b"]
unless = ["kashmir"]
"""


def test_a_new_rule_file_adds_a_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "xx.toml").write_text(NEW_LANGUAGE, encoding="utf-8")
    monkeypatch.setattr(rules, "rule_dirs", [*rules.rule_dirs, tmp_path])
    rules.load_rule_sets.cache_clear()
    _lint_caches_clear()
    try:
        text = "Topik: blorp zib\n\nSalve Ana,\n\nzib blorp kashflow zib.\n\nVale\nBo\n"
        checked = check_text(text)
        assert checked.language == "xx"
        assert [f.code for f in checked.findings] == ["F009"]
        assert check_text(text.replace("kashflow", "Kashmir kashflow"), "xx").findings == ()
        assert "F009" in codes(text.replace("kashflow", "dinero"), "xx")
    finally:
        monkeypatch.undo()
        rules.load_rule_sets.cache_clear()
        _lint_caches_clear()


def _lint_caches_clear() -> None:
    from cal_followup import lint

    lint._list_pattern.cache_clear()
    lint._all_headers.cache_clear()


@pytest.mark.parametrize(
    "data",
    [
        {"code": "xx", "rules": [{"code": "F009", "match": ["pay"]}]},
        {"code": "xx", "rules": [{"code": "F009", "message": "m", "match": ["... pay"]}]},
        {"code": "xx", "rules": [{"code": "F009", "message": "m", "match": ["re:(unclosed"]}]},
        {"rules": []},
    ],
)
def test_a_broken_rule_file_is_one_clear_error(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="xx.toml"):
        rules.parse_rule_set(data, "xx.toml")


def test_patterns_match_words_lemmas_and_sentences() -> None:
    en = rules.rule_set("en")
    pattern = patterns.compile_pattern("would|could ... call")
    (sentence,) = en.sentences("Could we maybe have a call?")
    assert patterns.find(pattern, sentence)
    # Lemmas: "calling" is "call"; a sentence ends a pattern.
    assert patterns.find(patterns.compile_pattern("call"), en.sentences("calling")[0])
    first, second = en.sentences("Could we? Call soon.")
    assert not patterns.find(pattern, first) and not patterns.find(pattern, second)
    # French elision: "m'appeler" holds the word "appeler"; a date's full stop goes on.
    (fr,) = rules.rule_set("fr").sentences("Pouvez-vous m'appeler ?")
    assert [t.low for t in fr][-3:] == ["m'", "appeler", "?"]
    assert len(rules.rule_set("fi").sentences("Päätös tehdään 4.1. mennessä.")) == 1


def test_the_lemma_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lemmas.available()
    assert lemmas.lemma("Calls", "en") == "call"
    assert lemmas.lemma("appellerai", "fr") == "appeler"
    assert lemmas.lemma("puhelun", "xx-unknown") == "puhelun"
    assert lemmas.lemma("42", "en") == "42"
    monkeypatch.setattr(lemmas, "_BACKEND", None)
    lemmas.lemma.cache_clear()
    try:
        assert lemmas.lemma("Calls", "en") == "calls"
    finally:
        monkeypatch.undo()
        lemmas.lemma.cache_clear()
