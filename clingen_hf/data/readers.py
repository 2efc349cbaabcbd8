"""Readers of the real benchmark formats and of Hub datasets, giving this project's rows.

Rows per task head; labels are label NAMES of the task (`task.labels`):

- token:  {"tokens": [str, ...], "ner_tags": ["O", "B-Disease", ...]}
- single: {"text": str, "label": str}  (relation text carries the task's entity markers)
- multi:  {"text": str, "labels": [str, ...]}  (may be empty)
- pair:   {"text": str, "text_pair": str, "label": str}

File formats (`read_file` picks the reader from the task and the file name):

- CoNLL (`read_conll`): `.tsv` / `.conll` / `.iob` / `.iob2` / `.txt` of a token task,
  `token<TAB>tag` per line, a blank line between sentences (NCBI-disease, BC5CDR, ...).
- delimited (`read_delimited`): `.tsv` (no quoting) or `.csv`, with a header naming the
  columns (ChemProt `sentence<TAB>label`; HoC `pmid, sent_idx, top_level_labels,
  raw_label, sentence`; HealthVer `id,evidence,claim,label,...`) or without one: two
  columns are `sentence, label` (GAD), four are `dr_id, question_1, question_2, label` (MQP),
  three are `text, text_pair, label`.
- PubTator (`read_pubtator_cdr`, `*.PubTator.txt`): CDR documents become sentence-level
  chemical-disease candidate pairs, the pair's mentions replaced by the task's markers,
  labelled `induce` when the pair is a CID relation of the document, else `not_induce`.
- MEDIQA-RQE XML (`read_rqe_xml`): `<pair value="true|false"><chq>..</chq><faq>..</faq>`.
- JSON lines (`read_jsonl`), `.json`, `.parquet` (`read_table`): records with the columns below.

Hub datasets (`rows_from_hub`) and records of any file are mapped by column aliases, the
first alias present wins:

- token: tokens <- tokens | words; ner_tags <- ner_tags | tags | ner_labels | labels
- single: text <- text | sentence | abstract; label <- label | labels (a one-element list,
  as in the bigbio text schema) | relation | class
- multi: text as single; labels <- labels | top_level_labels | label (a list, or a
  `|`-joined string; empty = none)
- pair: text <- text | text_1 | premise | sentence1 | question1 | question_1 | claim | chq;
  text_pair <- text_pair | text_2 | hypothesis | sentence2 | question2 | question_2 |
  evidence | main_text | faq; label <- label | labels | gold_label
  (bigbio pairs `text_1`/`text_2`/`label`, bigbio te `premise`/`hypothesis`/`label`,
  GLUE-style `sentence1`/`sentence2`, `question1`/`question2`, `claim`/`evidence`|`main_text`)

ClassLabel ids become their names; a row whose ClassLabel id is -1 (unlabelled) is skipped.
The bigbio kb (entity/passage) schema is not supported: give token tasks `tokens` + `ner_tags`.

Labels (`normalise_label`): a task label, matched case-insensitively; a dataset's own coding
(`TASK_LABEL_ALIASES`: GAD / MQP / CDR / RQE 1|0 and true|false, ChemProt `CPR:n` / `False`,
HealthVer `Supports` / `Refutes` / `Neutral`, PubHealth true / false / mixture / unproven);
a common alias (`LABEL_ALIASES`: entailment -> entail, contradiction -> contradict,
supports -> support, ...); any other integer is an index into `task.labels`. Unknown labels
raise one `LabelError` listing all of them, each with where it first occurs.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import datasets

from clingen_hf.core.tasks import TaskSpec

GAD_LABELS = {"1": "Has_relation", "0": "No_relation"}
CHEMPROT_LABELS = {"CPR:3": "Upregulator", "CPR:4": "Downregulator", "CPR:5": "Agonist", "CPR:6": "Antagonist",
                   "CPR:9": "Product_of", "False": "NOT"}
CDR_LABELS = {"CID": "induce", "1": "induce", "0": "not_induce"}
RQE_LABELS = {"true": "Entail", "false": "Not_entail"}
HEALTHVER_LABELS = {"Supports": "Support", "Refutes": "Refute", "Neutral": "Unproven"}
PUBHEALTH_LABELS = {"true": "Support", "false": "Refute", "mixture": "Mixture", "unproven": "Unproven"}
MQP_LABELS = {"1": "equivalent", "0": "not_equivalent"}

TASK_LABEL_ALIASES = {
    "gad": {**GAD_LABELS, "true": "Has_relation", "false": "No_relation"},
    "cdr": {**CDR_LABELS, "true": "induce", "false": "not_induce"},
    "chemprot": CHEMPROT_LABELS,
    "mediqa-rqe": {**RQE_LABELS, "1": "Entail", "0": "Not_entail"},
    "healthver": HEALTHVER_LABELS,
    "pubhealth": PUBHEALTH_LABELS,
    "mqp": {**MQP_LABELS, "true": "equivalent", "false": "not_equivalent"},
}
LABEL_ALIASES = {
    "entailment": "entail", "entails": "entail", "entailed": "entail",
    "not_entailment": "not_entail", "not entailment": "not_entail", "not_entailed": "not_entail",
    "contradiction": "contradict", "contradicts": "contradict",
    "supports": "support", "supported": "support", "refutes": "refute", "refuted": "refute",
    "neutral": "unproven", "not enough info": "unproven", "nei": "unproven",
}

GAD_COLUMNS = ("sentence", "label")
MQP_COLUMNS = ("dr_id", "question_1", "question_2", "label")
PAIR_COLUMNS = ("text", "text_pair", "label")
HEADERLESS_COLUMNS = {("single", 2): GAD_COLUMNS, ("pair", 3): PAIR_COLUMNS, ("pair", 4): MQP_COLUMNS}

TEXT_ALIASES = ("text", "sentence", "abstract")
COLUMN_ALIASES = {
    "token": {"tokens": ("tokens", "words"), "ner_tags": ("ner_tags", "tags", "ner_labels", "labels")},
    "single": {"text": TEXT_ALIASES, "label": ("label", "labels", "relation", "class")},
    "multi": {"text": TEXT_ALIASES, "labels": ("labels", "top_level_labels", "label")},
    "pair": {
        "text": ("text", "text_1", "premise", "sentence1", "question1", "question_1", "claim", "chq"),
        "text_pair": ("text_pair", "text_2", "hypothesis", "sentence2", "question2", "question_2", "evidence",
                      "main_text", "faq"),
        "label": ("label", "labels", "gold_label"),
    },
}

SPLIT_WORDS = {"train": "train", "training": "train", "trainingset": "train", "dev": "dev", "devel": "dev",
               "development": "dev", "developmentset": "dev", "validation": "dev", "valid": "dev",
               "test": "test", "testset": "test"}
SPLITS = ("train", "dev", "test")
CONLL_SUFFIXES = (".tsv", ".conll", ".iob", ".iob2", ".txt")
TABLE_BUILDERS = {".json": "json", ".parquet": "parquet"}
READABLE_SUFFIXES = (*CONLL_SUFFIXES, ".csv", ".jsonl", ".xml", *TABLE_BUILDERS)


MAX_LABELS_SHOWN = 50  # a LabelError lists this many unknown labels, then counts the rest


class DataError(ValueError):
    """Input that cannot be read; the message names the file (and line) and what is wrong."""


class LabelError(DataError):
    """Labels that are not the task's: the message lists every unknown label, where it first
    occurs, and the task's labels."""

    def __init__(self, unknown: dict[str, str], task: TaskSpec, source: str = ""):
        self.labels = list(unknown)
        shown = [f"{label} ({where})" if where else label for label, where in unknown.items()]
        more = len(shown) - MAX_LABELS_SHOWN
        found = ", ".join(shown[:MAX_LABELS_SHOWN]) + (f" and {more} more" if more > 0 else "")
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}label(s) {found} are not labels of {task.name}; its labels are: "
                         f"{', '.join(task.labels)}. Is this data for another task?")


# --- labels -----------------------------------------------------------------------------


def normalise_label(value, task: TaskSpec) -> str:
    """The task's label name for `value` (see the module docstring); LabelError if none."""
    name = _label_name(value, task)
    if name is None:
        raise LabelError({repr(value): ""}, task)
    return name


def _label_name(value, task: TaskSpec) -> str | None:
    key = str(value).lower() if isinstance(value, bool) else str(value).strip()
    if key in task.labels:
        return key
    name = _alias_table(task.name, task.labels).get(key.lower())
    if name is None and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(task.labels):
        return task.labels[value]
    return name


@lru_cache(maxsize=64)
def _alias_table(task_name: str, labels: tuple[str, ...]) -> dict[str, str]:
    """Lower-case spelling -> label: the labels themselves, then the dataset's, then common aliases."""
    by_lower = {label.lower(): label for label in labels}
    table = dict(by_lower)
    for alias, target in TASK_LABEL_ALIASES.get(task_name, {}).items():
        if target in labels:
            table.setdefault(alias.lower(), target)
    for alias, target in LABEL_ALIASES.items():
        if target in by_lower:
            table.setdefault(alias, by_lower[target])
    return table


def _with_label_names(located_rows: Iterable[tuple[str, dict]], task: TaskSpec, source: str) -> list[dict]:
    """Rows with their labels replaced by names; one LabelError listing every unknown label."""
    unknown: dict[str, str] = {}

    def named(value, where: str) -> str | None:
        name = _label_name(value, task)
        if name is None:
            unknown.setdefault(repr(value), where)
        return name

    rows = []
    for where, row in located_rows:
        value = row[task.label_column]
        row[task.label_column] = [named(v, where) for v in value] if isinstance(value, list) else named(value, where)
        rows.append(row)
    if unknown:
        raise LabelError(unknown, task, source)
    return rows


# --- records with column aliases ----------------------------------------------------------


def _columns_of(names: Iterable[str], task: TaskSpec, where: str) -> dict[str, str]:
    """Our column -> the source's column, by the aliases of the task's head."""
    present = {name.strip().lower(): name for name in names if isinstance(name, str)}
    columns, missing = {}, []
    for ours, aliases in COLUMN_ALIASES[task.head].items():
        theirs = next((present[alias] for alias in aliases if alias in present), None)
        if theirs is None:
            missing.append(f"{ours!r} (any of {', '.join(aliases)})")
        columns[ours] = theirs
    if missing:
        raise DataError(f"{where}: no column for {'; '.join(missing)} of a {task.head} task ({task.name}); "
                        f"found columns: {', '.join(present.values()) or 'none'}")
    return columns


def _row_from_record(record: dict, task: TaskSpec, where: str, columns: dict[str, str] | None = None) -> dict:
    columns = columns or _columns_of(record, task, where)
    row = {ours: record[theirs] for ours, theirs in columns.items()}
    if task.head == "token":
        return _token_row(row, where)
    if task.head == "multi":
        row["labels"] = _label_list(row["labels"])
    else:
        row["label"] = _single_label(row["label"], task, where)
    for column in ("text", "text_pair"):
        if column in row and not isinstance(row[column], str):
            raise DataError(f"{where}: {column!r} must be a string, got {type(row[column]).__name__}")
    return row


def _token_row(row: dict, where: str) -> dict:
    tokens, tags = row["tokens"], row["ner_tags"]
    if not isinstance(tokens, list) or not isinstance(tags, list):
        raise DataError(f"{where}: 'tokens' and 'ner_tags' must be lists")
    if len(tokens) != len(tags):
        raise DataError(f"{where}: {len(tokens)} tokens but {len(tags)} tags")
    return {"tokens": [str(token) for token in tokens], "ner_tags": tags}


def _label_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    return list(value)


def _single_label(value, task: TaskSpec, where: str):
    if isinstance(value, list):
        if len(value) != 1:
            raise DataError(f"{where}: {len(value)} labels {value}, but {task.name} takes exactly one per row")
        return value[0]
    return value


# --- file readers -------------------------------------------------------------------------


@contextmanager
def _text_file(path: Path) -> Iterator:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield handle
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None


def read_conll(path: Path, task: TaskSpec) -> list[dict]:
    """CoNLL `token<TAB>tag` lines, a blank line (or -DOCSTART-) between sentences."""
    return _with_label_names(_conll_sentences(Path(path)), task, str(path))


def _conll_sentences(path: Path) -> Iterator[tuple[str, dict]]:
    """(where the sentence starts, row) per sentence."""
    tokens: list[str] = []
    tags: list[str] = []
    start = 0
    with _text_file(path) as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if tokens:
                    yield f"{path}:{start}", {"tokens": tokens, "ner_tags": tags}
                tokens, tags = [], []
                continue
            parts = line.split("\t")
            if len(parts) < 2:
                raise DataError(f"{path}:{number}: expected 'token<TAB>tag', got {line[:60]!r}")
            start = start if tokens else number
            tokens.append(parts[0])
            tags.append(parts[-1].strip())
    if tokens:
        yield f"{path}:{start}", {"tokens": tokens, "ner_tags": tags}


def read_jsonl(path: Path, task: TaskSpec) -> list[dict]:
    """One JSON object per line with the columns of the module docstring."""
    return _with_label_names(_jsonl_records(Path(path), task), task, str(path))


def _jsonl_records(path: Path, task: TaskSpec) -> Iterator[tuple[str, dict]]:
    with _text_file(path) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{where}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise DataError(f"{where}: expected a JSON object, got {type(record).__name__}")
            yield where, _row_from_record(record, task, where)


def read_delimited(path: Path, task: TaskSpec) -> list[dict]:
    """A `.tsv` (unquoted) or `.csv` table, with a header or in a known headerless layout."""
    return _with_label_names(_delimited_records(Path(path), task), task, str(path))


def _delimited_records(path: Path, task: TaskSpec) -> Iterator[tuple[str, dict]]:
    tsv = path.suffix.lower() == ".tsv"
    options = {"delimiter": "\t", "quoting": csv.QUOTE_NONE} if tsv else {}
    with _text_file(path) as handle:
        reader = csv.reader(handle, **options)
        try:
            first = next(reader, None)
            if first is None:
                return
            header = first if _is_header(first, task) else _headerless_columns(first, task, path)
            columns = _columns_of(header, task, f"{path}:1")
            records = reader if header is first else _prepended(first, reader)
            for fields in records:
                where = f"{path}:{reader.line_num}"
                if not any(field.strip() for field in fields):
                    continue
                if len(fields) != len(header):
                    raise DataError(f"{where}: expected {len(header)} fields ({', '.join(header)}), got {len(fields)}")
                yield where, _row_from_record(dict(zip(header, fields)), task, where, columns)
        except csv.Error as error:
            raise DataError(f"{path}:{reader.line_num}: malformed {'TSV' if tsv else 'CSV'} ({error})") from None


def _prepended(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def _is_header(fields: list[str], task: TaskSpec) -> bool:
    aliases = {alias for names in COLUMN_ALIASES[task.head].values() for alias in names}
    return any(field.strip().lower() in aliases for field in fields)


def _headerless_columns(fields: list[str], task: TaskSpec, path: Path) -> tuple[str, ...]:
    layout = HEADERLESS_COLUMNS.get((task.head, len(fields)))
    if layout is None:
        wanted = ", ".join(COLUMN_ALIASES[task.head])
        raise DataError(f"{path}:1: no header and {len(fields)} columns; add a header naming the columns ({wanted})")
    return layout


def read_table(path: Path, task: TaskSpec) -> list[dict]:
    """A `.json` (records or JSON lines) or `.parquet` file, through `datasets` (ClassLabel kept)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        dataset = load_local_dataset(TABLE_BUILDERS[path.suffix.lower()], data_files=str(path), split="train")
    except (ValueError, OSError, datasets.exceptions.DatasetsError) as error:
        cause = error.__cause__ or error
        raise DataError(f"{path}: cannot read it ({type(cause).__name__}: {cause})") from None
    return rows_from_hub(dataset, task, str(path))


def load_local_dataset(*args, **kwargs) -> datasets.Dataset:
    """`load_dataset` for local files through a fresh cache, held in memory: `datasets` keys
    its cache of a local folder on the README metadata, not on the files, and can return an
    older copy's rows or features."""
    with tempfile.TemporaryDirectory(prefix="clingen-load-") as cache_dir:
        return datasets.load_dataset(*args, cache_dir=cache_dir, keep_in_memory=True, **kwargs)


def read_rqe_xml(path: Path, task: TaskSpec) -> list[dict]:
    """MEDIQA-RQE: text = <chq>, text_pair = <faq>, label from the pair's `value` (stripped)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise DataError(f"{path}:{error.position[0]}: not well-formed XML ({error})") from None
    return _with_label_names(_rqe_pairs(root, path), task, str(path))


def _rqe_pairs(root: ElementTree.Element, path: Path) -> Iterator[tuple[str, dict]]:
    for index, pair in enumerate(root.iter("pair"), start=1):
        where = f"{path} pair {pair.get('pid', f'#{index}')}"
        question, answer, value = pair.findtext("chq"), pair.findtext("faq"), pair.get("value")
        if question is None or answer is None or value is None:
            raise DataError(f"{where}: a <pair> needs a value attribute, a <chq> and a <faq>")
        yield where, {"text": question.strip(), "text_pair": answer.strip(), "label": value.strip()}


# --- PubTator (CDR) -----------------------------------------------------------------------

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
    return _with_label_names(located, task, str(path))


def _pubtator_documents(path: Path) -> Iterator[PubTatorDocument]:
    document = None
    with _text_file(path) as lines:
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


# --- dispatch -----------------------------------------------------------------------------


def read_file(path: Path, task: TaskSpec) -> list[dict]:
    """Rows of one file in any supported format, the reader chosen by the task and the name."""
    path = Path(path)
    return _reader_for(path, task)(path, task)


def _reader_for(path: Path, task: TaskSpec):
    suffix = path.suffix.lower()
    if "pubtator" in path.name.lower():
        return read_pubtator_cdr
    if task.head == "token" and suffix in CONLL_SUFFIXES:
        return read_conll
    if task.head != "token" and suffix in (".tsv", ".csv"):
        return read_delimited
    readers = {".jsonl": read_jsonl, ".xml": read_rqe_xml, **dict.fromkeys(TABLE_BUILDERS, read_table)}
    if suffix not in readers:
        raise DataError(f"{path}: cannot read a {suffix or 'suffix-less'} file for {task.name} "
                        f"(a {task.head} task); see clingen_hf/data/readers.py for the formats")
    return readers[suffix]


def canonical_split(name: str) -> str | None:
    """train / dev / test for a split or file name word (validation -> dev, TrainingSet -> train)."""
    return SPLIT_WORDS.get(name.lower())


def split_of(file_name: str) -> str | None:
    """The split a file's name says: its first word that names one (`hoc_sentences_train.tsv`,
    `RQE_Train_8588_AMIA2016.xml`, `CDR_DevelopmentSet.PubTator.txt`, `devel.tsv`)."""
    return next(filter(None, (canonical_split(word) for word in re.split(r"[_\-.\s]", file_name))), None)


def split_files(directory: Path) -> dict[str, Path]:
    """split -> file, for the readable files of `directory` whose names say a split."""
    found: dict[str, Path] = {}
    for file in sorted(Path(directory).iterdir()):
        split = split_of(file.name)
        if split is None or not file.is_file() or file.suffix.lower() not in READABLE_SUFFIXES:
            continue
        if split in found:
            raise DataError(f"{directory}: two {split} files, {found[split].name} and {file.name}; keep one")
        found[split] = file
    return {split: found[split] for split in SPLITS if split in found}


def read_split_folder(directory: Path, task: TaskSpec) -> dict[str, list[dict]]:
    """Every split file of a folder (see `split_files`), read with the reader for the task."""
    return {split: read_file(file, task) for split, file in split_files(Path(directory)).items()}


# --- Hub datasets -------------------------------------------------------------------------


def rows_from_hub(dataset: datasets.Dataset, task: TaskSpec, source: str = "dataset") -> list[dict]:
    """Rows of a `datasets.Dataset` in a usual Hub schema (see the module docstring)."""
    columns = _columns_of(dataset.column_names, task, source)
    label_names = _class_names(dataset.features[columns[task.label_column]])
    located = []
    for index, record in enumerate(dataset):
        where = f"{source}[{index}]"
        if label_names:
            record = {**record, columns[task.label_column]: _ids_to_names(record[columns[task.label_column]], label_names)}
            if record[columns[task.label_column]] is None:
                continue
        located.append((where, _row_from_record(record, task, where, columns)))
    return _with_label_names(located, task, source)


def _class_names(feature) -> list[str] | None:
    inner = getattr(feature, "feature", feature)
    return list(inner.names) if isinstance(inner, datasets.ClassLabel) else None


def _ids_to_names(value, names: list[str]):
    """ClassLabel ids -> names; None for an unlabelled row (id -1)."""
    if isinstance(value, list):
        return [names[v] if isinstance(v, int) and 0 <= v < len(names) else v for v in value]
    if value is None or value == -1:
        return None
    return names[value] if isinstance(value, int) and 0 <= value < len(names) else value
