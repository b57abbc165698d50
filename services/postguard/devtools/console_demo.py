"""``make console``: try the reviewer console locally — the all-in-one server with the sample posts held.

Creates a throwaway data directory (``build/console-demo``) with one reviewer account whose password is
printed, starts ``postguard serve all-in-one``'s server on localhost with development settings (a random
session key, plain-HTTP cookies, no platform tokens: never for real posts), screens the bundled sample
posts through it so the held ones are waiting in the queue with deadlines, and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher

from postguard.allinone.server import build, wait_for_signal
from postguard.allinone.settings import AllInOneSettings
from postguard.console.settings import ConsoleSettings
from postguard.console.users import Role, User, write_users
from postguard.domain.types import Post
from postguard.domain.validation import post_from_mapping

REVIEWER = "reviewer"


def sample_posts(path: Path, now: datetime) -> list[Post]:
    """The sample posts, every other one scheduled to publish within the next hours (so deadlines vary)."""
    posts = []
    for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        raw = json.loads(line)
        raw.setdefault("author_id", f"staff-{index % 4 + 1}")
        if index % 2:
            raw["scheduled_publish_at"] = (now + timedelta(hours=1 + index)).strftime("%Y-%m-%dT%H:%M:%SZ")
        posts.append(post_from_mapping(raw))
    return posts


def main(argv: list[str] | None = None) -> int:
    """Start the demo server and serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("build/console-demo"))
    parser.add_argument("--posts", type=Path, default=Path("samples/posts.jsonl"))
    parser.add_argument("--http-port", type=int, default=8080)
    parser.add_argument("--grpc-port", type=int, default=50051)
    parser.add_argument("--rules-only", action="store_true", help="skip the trained models (starts faster)")
    args = parser.parse_args(argv)

    args.data_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    institutions = frozenset({"demo-hospital", "riverside-clinic"})
    write_users(
        args.data_dir / "users.yaml",
        [User(REVIEWER, PasswordHasher().hash(password), institutions, Role.ADMIN)],
    )
    settings = AllInOneSettings(
        data_dir=args.data_dir,
        bind_address="127.0.0.1",
        http_port=args.http_port,
        grpc_port=args.grpc_port,
        metrics_port=0,
        auth_mode="none",
        use_models=not args.rules_only,
    )
    print("loading the pipeline ...", file=sys.stderr)
    server = build(settings, console_settings=ConsoleSettings(dev_insecure=True, cookie_secure=False)).start()
    try:
        posts = sample_posts(args.posts, datetime.now(UTC))
        for post in posts:  # through the Screening servicer's own book, as a platform's Submit would
            server.book.claim(post.institution_id, post.post_id, post.text_sha256)
            server.publisher.publish(post, timeout=30)
        for post in posts:
            server.book.wait(post.institution_id, post.post_id, post.text_sha256, timeout=120)
        held = len(server.desk.queue(None))
        print(
            f"\nPostGuard review console: http://127.0.0.1:{server.http_port}/\n"
            f"  user {REVIEWER!r}, password {password!r} (admin of {', '.join(sorted(institutions))})\n"
            f"  {len(posts)} sample posts screened, {held} held in the queue; "
            f"gRPC on 127.0.0.1:{server.grpc_port}\n"
            "  development settings only (random session key, no platform tokens). Ctrl-C stops it.",
            file=sys.stderr,
        )
        wait_for_signal()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
