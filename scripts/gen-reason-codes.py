#!/usr/bin/env python3
"""Regenerates docs/reason-codes.md from ReasonCode.java (ReasonCodesDocTest keeps the two in step)."""
import pathlib, re
root = pathlib.Path(__file__).resolve().parent.parent
src = (root / "core/src/main/java/dev/custody/decision/ReasonCode.java").read_text()
out = ["# Reason codes", "",
       "Every rule result carries one of these codes. They are stable: tools and people match on the code,",
       "never on the message text. A code is never renamed or reused; new codes are added at the end of their group.",
       "FAIL codes are reported as WARN when the rule's action is warn or audit. Generated from",
       "`core/src/main/java/dev/custody/decision/ReasonCode.java` by `scripts/gen-reason-codes.py`.", "",
       "| code | typical outcome | rule | meaning |", "|---|---|---|---|"]
group = ""
for line in src.splitlines():
    m = re.match(r'\s*// (.+)', line)
    if m:
        group = m.group(1)
    m = re.match(r'\s*([A-Z_]+)\(Outcome\.([A-Z]+), "((?:[^"\\]|\\.)*)"\)', line)
    if m:
        out.append(f"| `{m.group(1)}` | {m.group(2).lower()} | {group} | {m.group(3)} |")
(root / "docs/reason-codes.md").write_text("\n".join(out) + "\n")
