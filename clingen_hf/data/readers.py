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
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import datasets

from clingen_hf.core.tasks import TaskSpec
from clingen_hf.data.labels import (  # noqa: F401 (DataError, LabelError, normalise_label: this module's API too)
    COLUMN_ALIASES,
    DataError,
    LabelError,
    columns_of,
    normalise_label,
    row_from_record,
    text_file,
    with_label_names,
)
from clingen_hf.data.pubtator import read_pubtator_cdr

GAD_COLUMNS = ("sentence", "label")
MQP_COLUMNS = ("dr_id", "question_1", "question_2", "label")
PAIR_COLUMNS = ("text", "text_pair", "label")
HEADERLESS_COLUMNS = {("single", 2): GAD_COLUMNS, ("pair", 3): PAIR_COLUMNS, ("pair", 4): MQP_COLUMNS}


SPLIT_WORDS = {"train": "train", "training": "train", "trainingset": "train", "dev": "dev", "devel": "dev",
               "development": "dev", "developmentset": "dev", "validation": "dev", "valid": "dev",
               "test": "test", "testset": "test"}
SPLITS = ("train", "dev", "test")
CONLL_SUFFIXES = (".tsv", ".conll", ".iob", ".iob2", ".txt")
TABLE_BUILDERS = {".json": "json", ".parquet": "parquet"}
READABLE_SUFFIXES = (*CONLL_SUFFIXES, ".csv", ".jsonl", ".xml", *TABLE_BUILDERS)


# --- file readers -------------------------------------------------------------------------


def read_conll(path: Path, task: TaskSpec) -> list[dict]:
    """CoNLL `token<TAB>tag` lines, a blank line (or -DOCSTART-) between sentences."""
    return with_label_names(_conll_sentences(Path(path)), task, str(path))


def _conll_sentences(path: Path) -> Iterator[tuple[str, dict]]:
    """(where the sentence starts, row) per sentence."""
    tokens: list[str] = []
    tags: list[str] = []
    start = 0
    with text_file(path) as lines:
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
    return with_label_names(_jsonl_records(Path(path), task), task, str(path))


def _jsonl_records(path: Path, task: TaskSpec) -> Iterator[tuple[str, dict]]:
    with text_file(path) as lines:
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
            yield where, row_from_record(record, task, where)


def read_delimited(path: Path, task: TaskSpec) -> list[dict]:
    """A `.tsv` (unquoted) or `.csv` table, with a header or in a known headerless layout."""
    return with_label_names(_delimited_records(Path(path), task), task, str(path))


def _delimited_records(path: Path, task: TaskSpec) -> Iterator[tuple[str, dict]]:
    tsv = path.suffix.lower() == ".tsv"
    options = {"delimiter": "\t", "quoting": csv.QUOTE_NONE} if tsv else {}
    with text_file(path) as handle:
        reader = csv.reader(handle, **options)
        try:
            first = next(reader, None)
            if first is None:
                return
            header = first if _is_header(first, task) else _headerless_columns(first, task, path)
            columns = columns_of(header, task, f"{path}:1")
            records = reader if header is first else _prepended(first, reader)
            for fields in records:
                where = f"{path}:{reader.line_num}"
                if not any(field.strip() for field in fields):
                    continue
                if len(fields) != len(header):
                    raise DataError(f"{where}: expected {len(header)} fields ({', '.join(header)}), got {len(fields)}")
                yield where, row_from_record(dict(zip(header, fields)), task, where, columns)
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
    return with_label_names(_rqe_pairs(root, path), task, str(path))


def _rqe_pairs(root: ElementTree.Element, path: Path) -> Iterator[tuple[str, dict]]:
    for index, pair in enumerate(root.iter("pair"), start=1):
        where = f"{path} pair {pair.get('pid', f'#{index}')}"
        question, answer, value = pair.findtext("chq"), pair.findtext("faq"), pair.get("value")
        if question is None or answer is None or value is None:
            raise DataError(f"{where}: a <pair> needs a value attribute, a <chq> and a <faq>")
        yield where, {"text": question.strip(), "text_pair": answer.strip(), "label": value.strip()}


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
    columns = columns_of(dataset.column_names, task, source)
    label_names = _class_names(dataset.features[columns[task.label_column]])
    located = []
    for index, record in enumerate(dataset):
        where = f"{source}[{index}]"
        if label_names:
            record = {**record, columns[task.label_column]: _ids_to_names(record[columns[task.label_column]], label_names)}
            if record[columns[task.label_column]] is None:
                continue
        located.append((where, row_from_record(record, task, where, columns)))
    return with_label_names(located, task, source)


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
