"""The CDR corpus's PubTator files: documents, their mentions and relations, turned into one
marked sentence per chemical-disease candidate pair."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clingen_hf.core.tasks import TaskSpec
from clingen_hf.data.labels import DataError, text_file, with_label_names

PUBTATOR_TEXT_LINE = re.compile(r"^(\d+)\|([ta])\|(.*)$")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])")
CHEMICAL, DISEASE = "Chemical", "Disease"


@dataclass
class Mention:
    start: int
    end: int
    kind: str
    ids: tuple[str, ...]


@dataclass
class PubTatorDocument:
    pmid: str
    line: int
    title: str = ""
    abstract: str = ""
    mentions: list[Mention] = field(default_factory=list)
    relations: set[tuple[str, str]] = field(default_factory=set)

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"


def read_pubtator_cdr(path: Path, task: TaskSpec) -> list[dict]:
    """CDR in PubTator: one row per (chemical id, disease id) pair co-occurring in a sentence."""
    path = Path(path)
    located = (
        (f"{path}:{document.line}", row)
        for document in _pubtator_documents(path)
        for row in _cdr_candidates(document, task.markers)
    )
    return with_label_names(located, task, str(path))


def _pubtator_documents(path: Path) -> Iterator[PubTatorDocument]:
    document = None
    with text_file(path) as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if document is not None:
                    yield document
                document = None
                continue
            document = _add_pubtator_line(document, line, f"{path}:{number}", number)
    if document is not None:
        yield document


def _add_pubtator_line(document: PubTatorDocument | None, line: str, where: str, number: int) -> PubTatorDocument:
    text_line = PUBTATOR_TEXT_LINE.match(line)
    pmid = text_line.group(1) if text_line else line.split("\t", 1)[0]
    if document is None:
        document = PubTatorDocument(pmid, number)
    elif pmid != document.pmid:
        raise DataError(f"{where}: PMID {pmid} inside document {document.pmid} (a blank line must separate documents)")
    if text_line:
        setattr(document, "title" if text_line.group(2) == "t" else "abstract", text_line.group(3))
        return document
    fields = line.split("\t")
    if len(fields) == 4 and fields[1] == "CID":
        document.relations.add((fields[2], fields[3]))
    elif len(fields) in (6, 7):
        document.mentions.append(_mention(fields, document, where))
    else:
        raise DataError(f"{where}: expected a 'PMID|t|' / 'PMID|a|' line, a mention (6 tab-separated fields) "
                        f"or a CID relation, got {line[:80]!r}")
    return document


def _mention(fields: list[str], document: PubTatorDocument, where: str) -> Mention:
    try:
        start, end = int(fields[1]), int(fields[2])
    except ValueError:
        raise DataError(f"{where}: mention offsets {fields[1]!r}, {fields[2]!r} are not numbers") from None
    if document.text[start:end] != fields[3]:
        raise DataError(f"{where}: mention {fields[3]!r} is not the document text at {start}-{end} "
                        f"({document.text[start:end]!r})")
    ids = tuple(part for part in fields[5].split("|") if part and part != "-1")
    return Mention(start, end, fields[4], ids)


def _sentence_spans(document: PubTatorDocument) -> list[tuple[int, int]]:
    """Title, then abstract sentences split after . ! ? unless a mention spans the break."""
    text = document.text
    breaks = [len(document.title)] + [match.start() for match in SENTENCE_BREAK.finditer(text, len(document.title) + 1)]
    breaks = [b for b in breaks if not any(m.start < b < m.end for m in document.mentions)]
    bounds = [0, *breaks, len(text)]
    return [(start, end) for start, end in itertools.pairwise(bounds) if text[start:end].strip()]


def _cdr_candidates(document: PubTatorDocument, markers: tuple[str, ...]) -> Iterator[dict]:
    chemical_marker, disease_marker = markers
    for start, end in _sentence_spans(document):
        inside = [m for m in document.mentions if start <= m.start and m.end <= end]
        for chemical in _ids_of(inside, CHEMICAL):
            for disease in _ids_of(inside, DISEASE):
                targets = {(CHEMICAL, chemical): chemical_marker, (DISEASE, disease): disease_marker}
                text = _masked(document.text, start, end, inside, targets)
                yield {"text": text, "label": "induce" if (chemical, disease) in document.relations else "not_induce"}


def _ids_of(mentions: list[Mention], kind: str) -> list[str]:
    return list(dict.fromkeys(entity for m in mentions if m.kind == kind for entity in m.ids))


def _masked(text: str, start: int, end: int, mentions: list[Mention], targets: dict[tuple[str, str], str]) -> str:
    """The sentence text[start:end] with every mention of a target entity replaced by its marker."""
    pieces, position = [], start
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        marker = next((targets[(mention.kind, i)] for i in mention.ids if (mention.kind, i) in targets), None)
        if marker is None or mention.start < position:
            continue
        pieces += [text[position:mention.start], marker]
        position = mention.end
    pieces.append(text[position:end])
    return "".join(pieces).strip()
