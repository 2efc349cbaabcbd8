"""Training configuration: a YAML file in `trainer_configs/`, overridden by `--key value`.

Defaults follow the paper (Sec. 4.3, App. C): AdamW, linear warm-up over the first 5% of
steps then linear decay, lr 2e-5 (base) / 4e-5 (large), 256 tokens, 6 epochs, the checkpoint
best on a validation set as large as the few-shot set, three seeds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROTOCOLS = ("two-stage", "supervised-few", "supervised-full")


SELECTIONS = ("validation", "validation+synthetic", "last")


class TrainConfigError(ValueError):
    """A config that cannot run; the message names the key or file and how to fix it."""


@dataclass
class PeftSettings:
    r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    target_modules: list[str] | None = None  # None: peft's default for the architecture
    save: str = "adapter"  # adapter | merged


@dataclass
class PushSettings:
    repo_id: str
    version: str | None = None
    private: bool = False


@dataclass
class TrainConfig:
    task: str
    model: str
    output_dir: str
    protocol: str = "two-stage"
    synthetic: str | None = None  # "DIR:CONFIG", "REPO_ID:CONFIG" or "REPO_ID@REVISION:CONFIG"
    real: str | None = None  # folder of the real splits or a Hub id
    test: str | None = None  # a test file in the task's format, when `real` has no test split
    eval_splits: list[str] | None = None  # None: every split of dev and test the real data has
    dev_holdout: float | None = None  # real data with one split: hold this share out (seed 0) as the dev split
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    k_shot: int = 5
    # the seed that draws the k-shot set and its validation set; None: the synthetic data's
    # generation seed (so stage I trains on the rows generation showed the LLM), else each
    # training seed
    few_shot_seed: int | None = None
    learning_rate: float = 2e-5
    epochs: float = 6
    stage1_learning_rate: float | None = None  # default: learning_rate
    stage1_epochs: float | None = None  # default: epochs
    # each stage runs at least this many optimizer steps: epochs are scaled up when the stage's
    # data is small (5 few-shot rows or 40 synthetic ones are a step or three per epoch);
    # 0 keeps the paper's fixed epochs
    min_steps: int = 0
    # how stage II picks its checkpoint: "validation" scores each epoch on the few-shot-sized
    # real validation set (the paper); "validation+synthetic" adds a held-out slice of the
    # synthetic rows (`synthetic_holdout` of them) to it, so a handful of real sentences does not
    # decide alone; "last" keeps the final epoch
    selection: str = "validation"
    synthetic_holdout: float = 0.1
    # two-stage runs that would train stage I identically (same model, real data, seed and
    # stage I settings; no LoRA) share it through this folder: methods compared on one task
    # train the few-shot stage once per seed instead of once per method
    stage1_cache_dir: str | None = None
    batch_size: int = 16
    eval_batch_size: int = 64
    max_length: int = 256
    warmup_ratio: float = 0.05
    weight_decay: float = 0.01
    max_synthetic: int | None = None
    group_by_length: bool = True
    bf16: str = "auto"  # auto | true | false
    dataloader_num_workers: int = 0
    peft: PeftSettings | None = None
    push: PushSettings | None = None
    # set by load_config, not by the user: the YAML file this config came from and its content hash
    config_file: str | None = None
    config_sha256: str | None = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise TrainConfigError(f"protocol {self.protocol!r} is not one of {', '.join(PROTOCOLS)}")
        if self.protocol == "two-stage" and not self.synthetic:
            raise TrainConfigError("protocol 'two-stage' needs synthetic data: set 'synthetic: DIR:CONFIG' or --synthetic")
        if not self.real:
            raise TrainConfigError("no real data: set 'real:' (a folder of train/dev files or a Hub id) or --real")
        if not self.seeds:
            raise TrainConfigError("seeds must list at least one seed")
        if self.selection not in SELECTIONS:
            raise TrainConfigError(f"selection {self.selection!r} is not one of {', '.join(SELECTIONS)}")
        if not 0 < self.synthetic_holdout < 1:
            raise TrainConfigError(f"synthetic_holdout must be a share between 0 and 1, got {self.synthetic_holdout}")
        if self.dev_holdout is not None and not 0 < self.dev_holdout < 1:
            raise TrainConfigError(f"dev_holdout must be a share between 0 and 1, got {self.dev_holdout}")

    @property
    def stage1(self) -> tuple[float, float]:
        """Learning rate and epochs of stage I. The stage1_* settings are for the few-shot
        set; supervised-full trains on the whole real split with the main settings."""
        if self.protocol == "supervised-full":
            return (self.learning_rate, self.epochs)
        return (self.stage1_learning_rate or self.learning_rate, self.stage1_epochs or self.epochs)


# TrainingArguments' names for the same settings: a config or `--key value` written the way the
# HF docs say means what they say
HF_NAMES = {"num_train_epochs": "epochs", "per_device_train_batch_size": "batch_size",
            "per_device_eval_batch_size": "eval_batch_size", "seed": "seeds"}


def load_config(path: str | Path | None, overrides: dict[str, object] | None = None) -> TrainConfig:
    raw: dict = {}
    if path is not None:
        raw = _with_own_names(_read_yaml(Path(path)), str(path))
    for key, value in _with_own_names(dict(overrides or {}), "the overrides").items():
        parent, _, child = key.partition(".")
        if child:  # --peft.r 16
            nested = raw.get(parent)
            raw[parent] = {**(nested if isinstance(nested, dict) else {}), child: value}
        else:
            raw[key] = value
    unknown = sorted(set(raw) - set(USER_KEYS))
    if unknown:
        known = ", ".join(USER_KEYS)
        raise TrainConfigError(f"unknown config key(s): {', '.join(unknown)}; known keys: {known}")
    missing = [name for name in ("task", "model", "output_dir") if name not in raw]
    if missing:
        raise TrainConfigError(f"missing required key(s): {', '.join(missing)}")
    if path is not None:
        raw["config_file"], raw["config_sha256"] = Path(path).name, file_digest(Path(path))
    raw["peft"] = _nested(PeftSettings, raw.get("peft"), "peft")
    raw["push"] = _nested(PushSettings, raw.get("push"), "push")
    return TrainConfig(**{key: _coerce(key, value) for key, value in raw.items()})


USER_KEYS = tuple(f.name for f in dataclasses.fields(TrainConfig) if f.name not in ("config_file", "config_sha256"))


def _with_own_names(raw: dict, where: str) -> dict:
    for hf_name, own in HF_NAMES.items():
        if hf_name not in raw:
            continue
        if own in raw:
            raise TrainConfigError(f"{where}: both {hf_name} and {own} are set; they are the same setting, keep one")
        value = raw.pop(hf_name)
        raw[own] = [value] if own == "seeds" and not isinstance(value, list) else value
    return raw


def file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise TrainConfigError(f"config file {path} not found")
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise TrainConfigError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(loaded, dict):
        raise TrainConfigError(f"{path}: expected a mapping of keys to values at the top level")
    return loaded


def _nested(cls, value, key: str):
    if value is None or isinstance(value, cls):
        return value
    if value is True or value == "true":  # `peft: true` or a bare --peft: the defaults
        return cls()
    if not isinstance(value, dict):
        raise TrainConfigError(f"'{key}' must be a mapping of settings")
    unknown = sorted(set(value) - {f.name for f in dataclasses.fields(cls)})
    if unknown:
        raise TrainConfigError(f"unknown key(s) under '{key}': {', '.join(unknown)}")
    hints = typing.get_type_hints(cls)
    try:
        return cls(**{k: _convert(hints[k], v) for k, v in value.items()})
    except (TypeError, ValueError) as error:
        raise TrainConfigError(f"'{key}': {error}") from None


_HINTS = typing.get_type_hints(TrainConfig)


def _coerce(key: str, value):
    """YAML and the command line give strings and scalars; turn them into the field's type."""
    try:
        return _convert(_HINTS[key], value)
    except ValueError:
        raise TrainConfigError(f"{key}: cannot read {value!r} as {_HINTS[key]}") from None


def _convert(hint, value):
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    target = args[0] if args and typing.get_origin(hint) is not list else hint
    if value is None or isinstance(value, (PeftSettings, PushSettings)):
        return value
    if typing.get_origin(target) is list:
        item_type = typing.get_args(target)[0]
        return [item_type(item) for item in (value if isinstance(value, list) else [value])]
    if isinstance(value, list):
        if len(value) != 1:
            raise ValueError(f"one value expected, got {value}")
        value = value[0]
    if target is bool and isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return target(value) if target in (int, float, str) else value


def parse_overrides(tokens: list[str]) -> dict[str, object]:
    """`--key value [value ...]` pairs from the command line; `--flag` alone means true."""
    overrides: dict[str, object] = {}
    key = None
    for token in tokens:
        if token.startswith("--"):
            key = token[2:].replace("-", "_")
            if not key:
                raise TrainConfigError("empty option '--'")
            overrides[key] = []
        elif key is None:
            raise TrainConfigError(f"unexpected argument {token!r}: options are --key value")
        else:
            overrides[key].append(token)
    return {k: (v if len(v) != 1 else v[0]) if v else "true" for k, v in overrides.items()}
