#!/usr/bin/env python3
"""The course's text against the program: every number examples/README.md
quotes as bayes output is what bayes prints.

Usage: check_course_text.py BAYES README

Each lesson ("## N. ... ") runs the commands of its code blocks (lines
`build/bayes ...`, or `$ build/bayes ...` followed by the output it shows).
Then, in that lesson:
  - each model it names says how it was solved under --explain;
  - each shown output line must be printed by its command, as written;
  - in a table whose second column is "prints", each code span of that
    column must appear in the output of the lesson's commands;
  - in the prose, each code span that is a number (`-7.21`, `0.5106`) must
    appear in that output as a whole number, not as a piece of a longer one.
Numbers written without backquotes are derivations by hand (checked by
examples/data/check_examples.py against scipy), not quotes of the program.
"""
import os
import re
import shlex
import subprocess
import sys


def run(bayes, root, command):
    args = shlex.split(command, comments=True)
    assert args[0] == "build/bayes", command
    done = subprocess.run([bayes] + args[1:], cwd=root, capture_output=True, text=True)
    return done.stdout + done.stderr


def lessons(text):
    parts = re.split(r"^(## \d+\..*)$", text, flags=re.M)
    for k in range(1, len(parts), 2):
        yield parts[k], parts[k + 1]


NUMBER = re.compile(r"^[-−]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?$")


def whole_number_in(number, output):
    n = number.replace("−", "-")
    return re.search(r"(?<![\d.])" + re.escape(n) + r"(?![\d])", output) is not None


def check(bayes, readme):
    root = os.path.dirname(os.path.dirname(os.path.abspath(readme)))
    text = open(readme, encoding="utf-8").read()
    failures, checked = [], 0
    for title, body in lessons(text):
        outputs = []
        # Code blocks: commands, and shown output after `$ command`.
        for block in re.findall(r"^```[^\n]*\n(.*?)^```", body, flags=re.M | re.S):
            lines = block.rstrip("\n").split("\n")
            i = 0
            while i < len(lines):
                line = lines[i].strip()
                shown = line.startswith("$ build/bayes")
                if line.startswith("build/bayes") or shown:
                    command = line[2:] if shown else line
                    out = run(bayes, root, command)
                    outputs.append(out)
                    i += 1
                    if shown:
                        while i < len(lines) and not lines[i].startswith("$ "):
                            checked += 1
                            if lines[i].strip() and lines[i].rstrip() not in out.split("\n"):
                                failures.append(f"{title}: `{command}` does not print: {lines[i]}")
                            i += 1
                    continue
                i += 1
        # Every lesson's model explains itself (--explain says how each
        # component was solved, with the numbers put in).
        for model in sorted(set(re.findall(r"examples/\w+\.model", body))):
            checked += 1
            out = run(bayes, root, "build/bayes " + model + " --explain")
            if not re.search(r"^component \d+ ", out, flags=re.M):
                failures.append(f"{title}: `{model} --explain` explains nothing")
        everything = "\n".join(outputs)
        prose = re.sub(r"^```.*?^```", "", body, flags=re.M | re.S)
        # Tables with a "prints" column.
        header = None
        for line in prose.split("\n"):
            if not line.startswith("|"):
                header = None
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
                continue
            if set(line.replace("|", "").strip()) <= set("-: "):
                continue
            if len(header) > 1 and header[1] == "prints" and len(cells) > 1:
                for span in re.findall(r"`([^`]+)`", cells[1]):
                    checked += 1
                    if span not in everything:
                        failures.append(f"{title}: the table says `{span}` is printed; it is not")
        # Numbers in code spans of the prose.
        for span in re.findall(r"`([^`\n]+)`", prose):
            if NUMBER.match(span.strip()):
                checked += 1
                if not whole_number_in(span.strip(), everything):
                    failures.append(f"{title}: `{span}` is not in the output of its commands")
    return failures, checked


def main():
    bayes, readme = sys.argv[1], sys.argv[2]
    failures, checked = check(bayes, readme)
    for f in failures:
        print("FAIL " + f)
    print(f"{checked} quotes of the program checked, {len(failures)} wrong")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
