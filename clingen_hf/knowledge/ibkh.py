"""Reading an iBKH release (github.com/wcm-wanglab/iBKH): vocabulary and relation CSVs into
the entity and relation tables of a KnowledgeGraph."""


from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from clingen_hf.core.digests import files_sha256
from clingen_hf.knowledge.entities import KnowledgeGraphError
from clingen_hf.knowledge.names import natural_name

logger = logging.getLogger(__name__)

# iBKH relation-file abbreviations (`D_Di_res.csv`: drug -> disease) -> entity types.
IBKH_ABBREVIATIONS: dict[str, str] = {
    "A": "anatomy",
    "D": "drug",
    "Di": "disease",
    "G": "gene",
    "Pw": "pathway",
    "Pwy": "pathway",
    "SE": "side_effect",
    "Sy": "symptom",
    "DSP": "dsp",
    "SDSI": "sdsi",
    "TC": "tc",
    "M": "molecule",
}
# Relation files without binary relation-type columns: every row is one relation of this name.
_DEFAULT_RELATION = "associated_with"
_IBKH_METADATA_COLUMNS = {"source", "inference_score"}
_IBKH_NAME_COLUMNS = ("name", "symbol")  # gene_vocab.csv names its genes in `symbol`
_SYNONYM_SEPARATORS = re.compile(r"\s*[|;]\s*")


def read_ibkh(directory: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Load an iBKH release: `<type>_vocab.csv` entity files and `X_Y_res.csv` relation
    files, anywhere under `directory` (the release unzips into `entity/` and `relation/`).

    Entity ids are iBKH's `primary` column, names its `name` (`symbol` for genes),
    rewritten by `natural_name`. Each binary relation-type column with value 1 is one
    relation of that column's name; a file without such columns gives one
    "associated_with" relation per row. Weight = 1 + the entity's number of relations
    (a proxy for how much it is studied). Rows naming ids missing from the vocabularies
    are dropped with a warning.
    Returns the entity table, the relation table and the release's content version.
    """
    root = Path(directory)
    if not root.is_dir():
        raise KnowledgeGraphError(
            f"iBKH directory {root} does not exist; download the iBKH entity and relation "
            "CSVs from its authors (github.com/wcm-wanglab/iBKH) and pass the folder holding them"
        )
    vocab_files = sorted(root.rglob("*_vocab.csv"))
    if not vocab_files:
        raise KnowledgeGraphError(
            f"no iBKH vocabulary file (*_vocab.csv, e.g. disease_vocab.csv) under {root}; "
            "unzip the iBKH entity download there"
        )
    entities = _drop_duplicate_entities(
        pd.concat([_read_ibkh_vocab(p) for p in vocab_files], ignore_index=True)
    )
    relation_files = sorted(p for p in root.rglob("*.csv") if not p.name.endswith("_vocab.csv"))
    row_index = {t: pd.Index(group["id"]) for t, group in entities.groupby("type")}
    offsets = {t: group.index.to_numpy() for t, group in entities.groupby("type")}
    frames = [
        frame
        for path in relation_files
        if (frame := _read_ibkh_relations(path, row_index, offsets)) is not None
    ]
    relations = pd.concat(frames, ignore_index=True) if frames else _empty_relations()
    degree = np.bincount(relations["head"], minlength=len(entities)) + np.bincount(
        relations["tail"], minlength=len(entities)
    )
    entities["weight"] = 1.0 + degree
    version = "sha256:" + files_sha256(root, vocab_files + relation_files)[:16]
    return entities, relations, version


def _empty_relations() -> pd.DataFrame:
    return pd.DataFrame(
        {"head": np.array([], dtype=np.int64), "relation": [], "tail": np.array([], dtype=np.int64)}
    )


def _read_ibkh_vocab(path: Path) -> pd.DataFrame:
    entity_type = path.name[: -len("_vocab.csv")].lower()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    name_column = next((c for c in _IBKH_NAME_COLUMNS if c in table.columns), None)
    if "primary" not in table.columns or name_column is None:
        raise KnowledgeGraphError(
            f"{path}: an iBKH vocabulary needs a 'primary' id column and a 'name' (or 'symbol') "
            f"column; found {list(table.columns)}. Check the file is an unmodified iBKH *_vocab.csv"
        )
    table = table[(table["primary"].str.strip() != "") & (table[name_column].str.strip() != "")]
    raw_names = table[name_column].str.strip().tolist()
    synonym_lists = _vocab_synonyms(table)
    names = [natural_name(raw, syns) for raw, syns in zip(raw_names, synonym_lists, strict=True)]
    synonyms = [
        tuple(dict.fromkeys(([raw] if raw != name else []) + syns))
        for raw, name, syns in zip(raw_names, names, synonym_lists, strict=True)
    ]
    return pd.DataFrame(
        {
            "id": table["primary"].str.strip().tolist(),
            "name": names,
            "type": entity_type,
            "synonyms": synonyms,
            "weight": 1.0,
            "xrefs": [()] * len(names),
        }
    )


def _vocab_synonyms(table: pd.DataFrame) -> list[list[str]]:
    if "synonyms" not in table.columns:
        return [[] for _ in range(len(table))]
    return [[s for s in _SYNONYM_SEPARATORS.split(cell.strip()) if s] for cell in table["synonyms"]]


def _drop_duplicate_entities(entities: pd.DataFrame) -> pd.DataFrame:
    duplicated = entities.duplicated(["type", "id"])
    if duplicated.any():
        logger.warning(
            "iBKH: %d duplicate (type, primary) vocabulary rows dropped (first kept)", duplicated.sum()
        )
    return entities[~duplicated].reset_index(drop=True)


def _relation_file_types(path: Path) -> tuple[str, str] | None:
    """("drug", "disease") for D_Di_res.csv; None when the name is not X_Y[_res].csv."""
    parts = path.stem.removesuffix("_res").split("_")
    if len(parts) != 2 or not all(part in IBKH_ABBREVIATIONS for part in parts):
        return None
    return IBKH_ABBREVIATIONS[parts[0]], IBKH_ABBREVIATIONS[parts[1]]


def _read_ibkh_relations(
    path: Path, row_index: dict[str, pd.Index], offsets: dict[str, np.ndarray]
) -> pd.DataFrame | None:
    types = _relation_file_types(path)
    if types is None:
        if path.stem.endswith("_res"):
            raise KnowledgeGraphError(
                f"{path}: relation file names are <head>_<tail>_res.csv with abbreviations "
                f"{', '.join(sorted(IBKH_ABBREVIATIONS))}; rename it or remove it"
            )
        logger.warning("iBKH: %s is neither a vocabulary nor a relation file; skipped", path)
        return None
    missing = [t for t in types if t not in row_index]
    if missing:
        logger.warning("iBKH: %s skipped: no %s vocabulary loaded", path.name, " or ".join(missing))
        return None
    header = pd.read_csv(path, nrows=0).columns
    table = pd.read_csv(path, low_memory=False, dtype={c: str for c in header[:2]})
    if table.shape[1] < 2:
        raise KnowledgeGraphError(
            f"{path}: a relation file needs the head and tail ids as its first two columns "
            f"(e.g. Drug,Disease); found {list(table.columns)}"
        )
    heads = _rows_for(table.iloc[:, 0], types[0], row_index, offsets)
    tails = _rows_for(table.iloc[:, 1], types[1], row_index, offsets)
    known = (heads >= 0) & (tails >= 0)
    if not known.all():
        logger.warning(
            "iBKH: %s: %d of %d rows name ids missing from the vocabularies; dropped",
            path.name,
            (~known).sum(),
            len(table),
        )
    return _explode_relation_columns(table, heads, tails, known)


def _rows_for(
    ids: pd.Series, entity_type: str, row_index: dict[str, pd.Index], offsets: dict[str, np.ndarray]
) -> np.ndarray:
    positions = row_index[entity_type].get_indexer(ids.astype(str).str.strip())
    return np.where(positions >= 0, offsets[entity_type][positions], -1)


def _explode_relation_columns(
    table: pd.DataFrame, heads: np.ndarray, tails: np.ndarray, known: np.ndarray
) -> pd.DataFrame:
    binary = [
        c for c in table.columns[2:] if str(c).lower() not in _IBKH_METADATA_COLUMNS and _is_binary(table[c])
    ]
    if not binary:
        frame = pd.DataFrame({"head": heads[known], "relation": _DEFAULT_RELATION, "tail": tails[known]})
        return frame.drop_duplicates(ignore_index=True)
    frames = []
    for column in binary:
        selected = known & (table[column].to_numpy() == 1)
        frames.append(
            pd.DataFrame({"head": heads[selected], "relation": str(column), "tail": tails[selected]})
        )
    return pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)


def _is_binary(column: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(column):
        return False
    return bool(column.dropna().isin([0, 1]).all())
