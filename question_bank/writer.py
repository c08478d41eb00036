"""Write questions back into the bank's YAML files (the format of FORMAT.md), changing as
little of a file as possible.

Rule: a question already in a file keeps its place, its formatting and every key this module
does not write (comments inside it included); only the fields whose value changed are
rewritten, a field that now has no value (``benchmark``, a true/false question's ``options``)
is removed, and a new one is put in the order of FORMAT.md. A question in no file is appended
to its topic's file. :func:`replace_questions` reads the result back and refuses to return text
that does not load to exactly the specs it was given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml

from question_bank.loader import load_text
from question_bank.schema import GROUPS, LETTERS, QuestionSpec

# The fields written, in the order of FORMAT.md.
FIELD_ORDER = ("id", "version", "type", "stem", "options", "answer", "explanation",
               "authority", "groups", "dimension", "benchmark", "difficulty", "status", "survey")
QUESTION_INDENT = "  - "
KEY_INDENT = "    "


def scalar(value: str) -> str:
    """A string as a YAML scalar: plain where YAML reads it back as the same string, else
    double-quoted (JSON's escaping is valid YAML)."""
    plain = value.strip() == value and "\n" not in value and value != ""
    if plain:
        try:
            plain = yaml.safe_load(f"k: {value}") == {"k": value} and " #" not in value
        except yaml.YAMLError:
            plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def _answer(spec: QuestionSpec) -> str:
    if spec.type == "true_false":
        return "true" if list(spec.answer) == [0] else "false"
    letters = [LETTERS[i] for i in spec.answer]
    if spec.type == "single":
        return letters[0]
    return f"[{', '.join(letters)}]"


def field_lines(spec: QuestionSpec, name: str) -> list[str]:
    """The lines of one field of ``spec`` (without the question's leading ``- ``), or ``[]``
    when the field has no value (benchmark unset, options of a true/false question)."""
    value = getattr(spec, name)
    if name == "options":
        if spec.type == "true_false":
            return []
        return [f"{KEY_INDENT}options:"] + [f"{KEY_INDENT}  - {scalar(o)}" for o in value]
    if name == "answer":
        text = _answer(spec)
    elif name == "groups":
        text = f"[{', '.join(sorted(value, key=GROUPS.index))}]"
    elif name == "benchmark":
        if value is None:
            return []
        text = str(value)
    elif name == "survey":
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = scalar(value)
    else:
        text = str(value)
    return [f"{KEY_INDENT}{name}: {text}"]


def question_lines(spec: QuestionSpec) -> list[str]:
    """A whole question in the bank's layout."""
    lines = [line for name in FIELD_ORDER for line in field_lines(spec, name)]
    lines[0] = QUESTION_INDENT + lines[0][len(KEY_INDENT):]
    return lines


@dataclass
class _Block:
    """One question's lines in a file, split into its keys' segments."""

    start: int  # index of the "  - id:" line
    end: int  # index past its last line
    segments: list[tuple[str | None, list[str]]]  # (key, lines); key None: comment or blank


def _blocks(lines: list[str]) -> dict[str, _Block]:
    starts = [i for i, line in enumerate(lines) if line.startswith(QUESTION_INDENT)]
    blocks = {}
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # blank lines between questions belong to neither
        segments: list[tuple[str | None, list[str]]] = []
        for index in range(start, end):
            line = lines[index]
            body = line[len(QUESTION_INDENT):] if index == start else line
            is_key = index == start or (body.startswith(KEY_INDENT) and
                                        not body.startswith(KEY_INDENT + " ") and
                                        ":" in body and not body.strip().startswith("#"))
            if is_key:
                key = body.strip().split(":", 1)[0]
                segments.append((key, [line]))
            elif segments:
                segments[-1][1].append(line)
        code = segments[0][1][0].split(":", 1)[1].strip().strip("'\"")
        blocks[code] = _Block(start, end, segments)
    return blocks


def _merge(block: _Block, old: QuestionSpec, new: QuestionSpec) -> list[str]:
    segments = list(block.segments)
    keys = [key for key, _ in segments]
    for name in FIELD_ORDER:
        # Compared as written, since how a value is written depends on the type (an answer).
        if name == "id" or field_lines(old, name) == field_lines(new, name) and name in keys:
            continue
        replacement = field_lines(new, name)
        if name in keys:
            index = keys.index(name)
            if replacement:
                segments[index] = (name, replacement)
            else:
                del segments[index]
                del keys[index]
        elif replacement:
            later = [keys.index(n) for n in FIELD_ORDER[FIELD_ORDER.index(name) + 1:]
                     if n in keys]
            index = min(later) if later else len(segments)
            segments.insert(index, (name, replacement))
            keys.insert(index, name)
    lines = [line for _, part in segments for line in part]
    if not lines[0].startswith(QUESTION_INDENT):  # the id line is always kept first
        lines[0] = QUESTION_INDENT + lines[0][len(KEY_INDENT):]
    return lines


class WriteError(ValueError):
    """The rewritten file would not load back to the questions given (nothing is written)."""


def replace_questions(text: str, name: str, topic: str,
                      specs: list[QuestionSpec]) -> str:
    """``text`` (the file ``name`` of ``topic``) with ``specs`` written into it: each replaces
    the question with its id, or is appended (see the module's rule).

    Raises :class:`WriteError` when the result does not load back to exactly ``specs`` (their
    content, status, survey flag and version) with the file's other questions unchanged.
    """
    before = load_text(text, name, topic=topic)
    if before.errors:
        raise WriteError(f"{name} has errors; fix the file first")
    in_file = {spec.id: spec for spec in before.specs}
    lines = text.split("\n")
    trailing_newline = text.endswith("\n")
    if trailing_newline:
        lines = lines[:-1]
    blocks = _blocks(lines)
    # Replace from the end, so earlier blocks keep their line numbers.
    for spec in sorted((s for s in specs if s.id in in_file),
                       key=lambda s: blocks[s.id].start, reverse=True):
        block = blocks[spec.id]
        lines[block.start:block.end] = _merge(block, in_file[spec.id], spec)
    for spec in specs:
        if spec.id not in in_file:
            lines.extend(question_lines(spec))
    result = "\n".join(lines) + ("\n" if trailing_newline or not lines else "")
    after = load_text(result, name, topic=topic)
    if after.errors:
        raise WriteError(f"{name} would not load: {after.errors[0]}")
    wanted = {spec.id: spec for spec in specs}
    read = {spec.id: spec for spec in after.specs}
    expected = {**in_file, **wanted}
    if set(read) != set(expected) or any(
            _identity(read[code]) != _identity(spec) for code, spec in expected.items()):
        raise WriteError(f"{name} would not read back as written")
    return result


def _identity(spec: QuestionSpec) -> tuple:
    return (spec.content_hash, spec.status, spec.survey, spec.version)
