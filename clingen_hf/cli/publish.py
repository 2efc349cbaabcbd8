"""`clingen publish DIR --repo-id ID --version vX.Y.Z`: a generated dataset as a new Hub version.

Examples:
    clingen publish out/ncbi-synthetic --repo-id clingen/ncbi-synthetic --version v1.0.0
    clingen publish out/ncbi-synthetic --repo-id clingen/ncbi-synthetic --version v1.0.0 --to-dir mirror
"""

from __future__ import annotations

from pathlib import Path


def add_parser(commands) -> None:
    p = commands.add_parser(
        "publish",
        help="publish a generated dataset directory to the Hub as a new version",
        description="Upload DIR (a `clingen generate` output) to a Hub dataset repo in one commit and tag it VERSION. "
        "Versions are immutable: an existing tag is refused; data identical to the latest version makes no commit. "
        "The token comes from HF_TOKEN or `hf auth login`; HF_ENDPOINT selects a self-hosted Hub.",
    )
    p.add_argument("directory", type=Path, help="dataset directory written by `clingen generate --output`")
    p.add_argument("--repo-id", required=True, help="e.g. clingen/ncbi-synthetic")
    p.add_argument("--version", required=True, help="version tag, vMAJOR.MINOR.PATCH")
    p.add_argument("--private", action="store_true", help="create the repo as private")
    p.add_argument("--to-dir", type=Path, help="publish offline, without a token, to TO_DIR/REPO_ID/VERSION/ instead of the Hub")
    p.set_defaults(handler=run)


def run(args) -> int:
    from clingen_hf.hub.publish import publish_dataset, publish_to_directory

    if args.to_dir:
        result = publish_to_directory(args.directory, args.to_dir, args.repo_id, args.version)
    else:
        result = publish_dataset(args.directory, args.repo_id, args.version, private=args.private)
    if result.unchanged_since:
        print(f"{args.repo_id}: the data equals version {result.unchanged_since}; nothing published")
        return 0
    print(f"{args.repo_id}: published {args.version} ({result.identity})")
    if args.to_dir:
        print(f"  load it: datasets.load_dataset({str(args.to_dir / args.repo_id / args.version)!r})")
    else:
        print(f"  load it: datasets.load_dataset({args.repo_id!r}, revision={args.version!r})")
    return 0
