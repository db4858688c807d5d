"""How well and how fast `cal-followup check` does on the labelled corpus.

For each language, recall on the bad entries (the share whose rule code is
reported) and the false-alarm rate on the good ones (see
tests/lint_corpus/__init__.py for the exact semantics), for the tuned part and
for the held-out part, which no rule was ever tuned on. Targets: recall >= 0.9,
false alarms <= 0.05. Then the time per draft against a baseline measured in
the same run: the old way of matching, one big regular expression over word
lists (here: the rule files' plain phrase lists, greetings and sign-offs, run
over the same texts). The first use of a language loads its lemma dictionary;
that one-off cost is printed apart.
Run: python bench/bench_lint.py [-v]  (-v lists every miss and false alarm)
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cal_followup.lint import check_text  # noqa: E402
from cal_followup.lint.rules import load_rule_sets  # noqa: E402
from tests.lint_corpus import LANGUAGES, Entry, load, verdict  # noqa: E402

RECALL_TARGET = 0.9
FALSE_ALARM_TARGET = 0.05


def score(entries: list[Entry], verbose: bool) -> tuple[int, int, int, int]:
    caught = bad = alarms = good = 0
    for entry in entries:
        right, codes = verdict(entry)
        if entry.code is None:
            good += 1
            alarms += not right
        else:
            bad += 1
            caught += right
        if verbose and not right:
            label = f"miss {entry.code}" if entry.code else f"false alarm {','.join(codes)}"
            print(f"  [{entry.language}] {label}: {entry.text[:100]!r}")
    return caught, bad, alarms, good


def _baseline(texts: list[str]) -> float:
    lists = [p for rules in load_rule_sets().values() for p in rules.get("sign_offs")]
    big = re.compile("|".join(re.escape(p) for p in sorted(lists, key=len, reverse=True)), re.I)
    start = time.perf_counter()
    for text in texts:
        big.findall(text)
        re.findall(r"\w+", text)
    return time.perf_counter() - start


def main() -> None:
    verbose = "-v" in sys.argv
    print(f"{'lang':4} {'part':8} {'recall':>13} {'false alarms':>15}  ok")
    all_ok = True
    texts: list[tuple[str, str]] = []
    loads = {}
    for language in LANGUAGES:
        start = time.perf_counter()
        check_text("x", language)
        loads[language] = time.perf_counter() - start
        for part in ("tuned", "heldout"):
            entries = load(language, part)
            texts += [(e.text, language) for e in entries]
            # Misses are listed for the tuned part only: the held-out part must not steer rules.
            caught, bad, alarms, good = score(entries, verbose and part == "tuned")
            recall, rate = caught / max(bad, 1), alarms / max(good, 1)
            ok = recall >= RECALL_TARGET and rate <= FALSE_ALARM_TARGET
            all_ok &= ok
            print(
                f"{language:4} {part:8} {recall:6.2f} {caught:3}/{bad:<3} "
                f"{rate:6.2f} {alarms:3}/{good:<3}  {'yes' if ok else 'NO'}"
            )
    print(
        f"targets: recall >= {RECALL_TARGET}, false alarms <= {FALSE_ALARM_TARGET}:",
        "all met" if all_ok else "NOT all met",
    )
    print(
        "first use (rule files + lemma dictionary), s:",
        ", ".join(f"{k} {v:.2f}" for k, v in loads.items()),
    )
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text, language in texts:
            check_text(text, language)
        best = min(best, time.perf_counter() - start)
    base = min(_baseline([t for t, _ in texts]) for _ in range(3))
    per = best / len(texts) * 1000
    print(
        f"check per text: {per:.2f} ms over {len(texts)} texts; "
        f"baseline (one regex + tokenising) {base / len(texts) * 1000:.3f} ms; "
        f"ratio {best / max(base, 1e-9):.0f}x"
    )


if __name__ == "__main__":
    main()
