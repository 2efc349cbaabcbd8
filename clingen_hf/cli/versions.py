"""`clingen versions REPO_ID`: the versions of a published dataset.

Examples:
    clingen versions clingen/ncbi-synthetic
    clingen versions mirror/clingen/ncbi-synthetic
"""

from __future__ import annotations

from pathlib import Path


def add_parser(commands) -> None:
    v = commands.add_parser("versions", help="list the versions of a published dataset",
                            description="Tags of a Hub dataset repo (or versions under a --to-dir target) with their "
                            "dates, commits (a --to-dir target: data sha256), configs and row counts.")
    v.add_argument("repo_id", help="a Hub repo id, or the folder TO_DIR/REPO_ID of an offline target")
    v.set_defaults(handler=run)


def run(args) -> int:
    from clingen_hf.hub.publish import list_local_versions, list_versions

    versions = list_local_versions(args.repo_id) if Path(args.repo_id).is_dir() else list_versions(args.repo_id)
    if not versions:
        print(f"{args.repo_id}: no versions yet")
        return 0
    print(f"{'version':12} {'date':26} {'identity':26} configs (train rows)")
    for version in versions:
        configs = ", ".join(f"{name} ({rows})" for name, rows in version.rows.items())
        print(f"{version.tag:12} {version.date:26} {version.identity:26} {configs}")
    return 0
