"""What a docstring documents, read from Google, Sphinx (reST field lists) or NumPy sections."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

GOOGLE, SPHINX, NUMPY = "google", "sphinx", "numpy"
CONVENTIONS = (GOOGLE, SPHINX, NUMPY)

_GOOGLE_KINDS = {
    "args": "params",
    "arguments": "params",
    "parameters": "params",
    "params": "params",
    "keyword args": "params",
    "keyword arguments": "params",
    "other parameters": "params",
    "returns": "returns",
    "return": "returns",
    "yields": "returns",
    "yield": "returns",
    "raises": "raises",
    "raise": "raises",
    "exceptions": "raises",
}
_GOOGLE_HEADER = re.compile(r"^(?P<indent>\s*)(?P<title>[A-Za-z][A-Za-z ]*?)\s*:\s*$")
_NUMPY_KINDS = {
    "parameters": "params",
    "other parameters": "params",
    "returns": "returns",
    "yields": "returns",
    "raises": "raises",
}
_NUMPY_TITLES = {
    *_NUMPY_KINDS,
    "attributes",
    "examples",
    "notes",
    "references",
    "see also",
    "warns",
    "warnings",
    "receives",
    "methods",
}
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_SPHINX_FIELD = re.compile(r"^\s*:(?P<kind>\w+)(?P<rest>[^:]*):")
_SPHINX_PARAM = {"param", "parameter", "arg", "argument", "key", "keyword"}
_SPHINX_RETURN = {"return", "returns", "rtype", "yield", "yields", "ytype"}
_SPHINX_RAISE = {"raise", "raises", "except", "exception"}
_GOOGLE_PARAM_ENTRY = re.compile(r"^\*{0,2}(?P<name>[A-Za-z_]\w*)\s*(\([^)]*\))?\s*:")
_NUMPY_PARAM_ENTRY = re.compile(r"^(?P<names>\*{0,2}[A-Za-z_]\w*(\s*,\s*\*{0,2}[A-Za-z_]\w*)*)\s*(:.*)?$")
_EXCEPTION_ENTRY = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)")


@dataclass
class Documented:
    """The parameters, return value and exceptions a docstring documents, and the styles it is written in."""

    styles: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=set)
    param_section: bool = False
    returns: bool = False
    raises: set[str] = field(default_factory=set)
    raises_section: bool = False

    @property
    def has_sections(self) -> bool:
        """The docstring has any recognised parameter, return or raises section."""
        return self.param_section or self.returns or self.raises_section

    def merge(self, other: Documented) -> Documented:
        """The union of two docstrings (a class docstring documenting ``__init__`` plus ``__init__``'s own)."""
        return Documented(
            styles=self.styles | other.styles,
            params=self.params | other.params,
            param_section=self.param_section or other.param_section,
            returns=self.returns or other.returns,
            raises=self.raises | other.raises,
            raises_section=self.raises_section or other.raises_section,
        )


def parse(docstring: str | None) -> Documented:
    """Read every style at once; a docstring mixing styles is documented by the union."""
    doc = Documented()
    if not docstring:
        return doc
    lines = inspect.cleandoc(docstring).splitlines()
    _read_sphinx(lines, doc)
    _read_numpy(lines, doc)
    _read_google(lines, doc)
    return doc


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _entries(block: list[str]) -> list[str]:
    """The entry lines of a section body: the non-blank lines at the body's smallest indentation."""
    filled = [line for line in block if line.strip()]
    if not filled:
        return []
    base = min(_indent(line) for line in filled)
    return [line.strip() for line in filled if _indent(line) == base]


def _record(doc: Documented, kind: str, entries: list[str], style: str, param_entry: re.Pattern[str]) -> None:
    doc.styles.add(style)
    if kind == "params":
        doc.param_section = True
        for entry in entries:
            match = param_entry.match(entry)
            if match:
                names = match.groupdict().get("names") or match.group("name")
                doc.params.update(n.strip().lstrip("*") for n in names.split(","))
    elif kind == "returns":
        doc.returns = doc.returns or bool(entries)
    else:
        doc.raises_section = True
        for entry in entries:
            match = _EXCEPTION_ENTRY.match(entry)
            if match:
                doc.raises.add(match.group("name").rsplit(".", 1)[-1])


def _read_google(lines: list[str], doc: Documented) -> None:
    for i, line in enumerate(lines):
        match = _GOOGLE_HEADER.match(line)
        if not match:
            continue
        kind = _GOOGLE_KINDS.get(match.group("title").strip().lower())
        if kind is None:
            continue
        header_indent = len(match.group("indent"))
        block: list[str] = []
        for following in lines[i + 1 :]:
            if following.strip() and _indent(following) <= header_indent:
                break
            block.append(following)
        if any(b.strip() for b in block):
            _record(doc, kind, _entries(block), GOOGLE, _GOOGLE_PARAM_ENTRY)


def _read_numpy(lines: list[str], doc: Documented) -> None:
    headers = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip().lower() in _NUMPY_TITLES and _UNDERLINE.match(lines[i + 1])
    ]
    for n, start in enumerate(headers):
        end = headers[n + 1] if n + 1 < len(headers) else len(lines)
        kind = _NUMPY_KINDS.get(lines[start].strip().lower())
        if kind is not None:
            _record(doc, kind, _entries(lines[start + 2 : end]), NUMPY, _NUMPY_PARAM_ENTRY)


def _read_sphinx(lines: list[str], doc: Documented) -> None:
    for line in lines:
        match = _SPHINX_FIELD.match(line)
        if not match:
            continue
        kind, words = match.group("kind").lower(), match.group("rest").split()
        if kind in _SPHINX_PARAM and words:
            doc.styles.add(SPHINX)
            doc.param_section = True
            doc.params.add(words[-1].lstrip("*"))
        elif kind in _SPHINX_RETURN:
            doc.styles.add(SPHINX)
            doc.returns = True
        elif kind in _SPHINX_RAISE:
            doc.styles.add(SPHINX)
            doc.raises_section = True
            for name in " ".join(words).replace(",", " ").split():
                doc.raises.add(name.rsplit(".", 1)[-1])
