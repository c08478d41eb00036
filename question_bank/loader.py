"""Read the bank's YAML files, keeping line numbers so that every problem names file and line."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from question_bank.schema import TOPICS, Issue, QuestionSpec
from question_bank.validate import BANK_ID, validate

QUESTIONS_DIR = Path(__file__).resolve().parent / "questions"


class _Mapping(dict):
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with mappings that carry line numbers and report duplicate keys."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []

    def construct_object(self, node, deep=False):
        # A value PyYAML resolves but Python cannot hold (the date 0000-01-01, an integer of
        # 5,000 digits) raises ValueError or OverflowError, not a YAMLError: give it a line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {str(node.value)[:40]!r} ({error})",
                node.start_mark) from error


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            loader.duplicate_keys.append((key_node.start_mark.line + 1, str(key)))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class LoadResult:
    """The specs that passed validation, and every problem found while reading."""

    specs: list[QuestionSpec] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def _error(kind: str, message: str, file: str, line: int | None = None, **extra) -> Issue:
    return Issue("error", kind, message, file=file, line=line, **extra)


def load_text(text: str, name: str, topic: str | None = None) -> LoadResult:
    """Parse one file's text; ``name`` is used in messages, ``topic`` is the expected topic."""
    result = LoadResult()
    loader = None
    try:
        loader = _LineLoader(text)  # the reader refuses NUL and other control characters here
        document = loader.get_single_data()
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        result.issues.append(_error(
            "malformed_yaml", f"malformed YAML: the character U+{error.character:04X} is not "
            "allowed (control characters cannot be in the bank files)", name, line))
        return result
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        result.issues.append(_error("malformed_yaml", f"malformed YAML: {problem}", name,
                                    mark.line + 1 if mark else None))
        return result
    finally:
        if loader is not None:
            loader.dispose()
    for line, key in loader.duplicate_keys:
        result.issues.append(_error("duplicate_key", f"the key {key!r} appears twice", name, line,
                                    column=key))
    if not isinstance(document, _Mapping):
        result.issues.append(_error("bad_file", "the file must be a mapping with topic and "
                                    "questions", name, 1))
        return result
    file_topic = document.get("topic")
    if file_topic not in TOPICS:
        result.issues.append(_error("unknown_topic", f"unknown topic {file_topic!r} "
                                    f"(use {', '.join(TOPICS)})", name,
                                    document.line_of("topic"), column="topic"))
        return result
    if topic is not None and file_topic != topic:
        result.issues.append(_error("topic_file", f"topic {file_topic!r} does not match the file "
                                    f"name ({topic})", name, document.line_of("topic"),
                                    column="topic"))
    for key in document:
        if key not in ("topic", "questions"):
            result.issues.append(_error("unknown_field", f"unknown field {key!r}", name,
                                        document.line_of(key), column=str(key)))
    questions = document.get("questions")
    if not isinstance(questions, list):
        result.issues.append(_error("bad_file", "questions must be a list", name,
                                    document.line_of("questions"), column="questions"))
        return result
    for index, raw in enumerate(questions):
        if not isinstance(raw, _Mapping):
            result.issues.append(_error("bad_file", f"question {index + 1} is not a mapping",
                                        name, document.line_of("questions")))
            continue
        spec, faults = validate(raw, file_topic, id_pattern=BANK_ID)
        code = raw.get("id") if isinstance(raw.get("id"), str) else None
        for fault in faults:
            result.issues.append(Issue(
                "error", fault.kind, fault.message, file=name, line=raw.line_of(fault.field),
                column=fault.field, question=code, params=fault.params))
        if spec is not None:
            result.specs.append(replace(spec, file=name, line=raw.line))
    return result


def load_file(path: Path, root: Path | None = None) -> LoadResult:
    """Load one ``<topic>.yaml`` file."""
    name = str(path.relative_to(root)) if root else path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        result = LoadResult()
        result.issues.append(_error("bad_encoding", "the file is not UTF-8 text", name))
        return result
    except OSError as error:
        result = LoadResult()
        result.issues.append(_error("unreadable", f"cannot read the file: {error.strerror}",
                                    name))
        return result
    result = load_text(text, name, topic=path.stem)
    result.files.append(path)
    return result


def load_bank(directory: Path = QUESTIONS_DIR) -> LoadResult:
    """Load every ``*.yaml`` file in ``directory`` (sorted by name)."""
    total = LoadResult()
    root = directory.parent.parent if directory == QUESTIONS_DIR else directory
    for path in sorted(directory.glob("*.yaml")):
        result = load_file(path, root)
        total.specs.extend(result.specs)
        total.issues.extend(result.issues)
        total.files.extend(result.files)
    if not total.files:
        total.issues.append(_error("no_files", f"no question files in {directory}",
                                   str(directory)))
    return total
