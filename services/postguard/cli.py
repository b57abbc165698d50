"""The ``postguard`` command: ``screen`` posts (embedded or ``--via`` a stack), ``eval``, ``serve``.

Exit status: 0 success, 1 when any input line could not be screened, 2 for usage errors, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

EXIT_OK, EXIT_LINE_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
PROGRESS_MIN_LINES = 200


def _usage_error(message: str) -> int:
    print(f"postguard: error: {message}", file=sys.stderr)
    return EXIT_USAGE


class ModelsError(Exception):
    """The models the run asks for cannot be used (a usage error: exit 2); the message names the path."""


MODELS_FIX = (
    "point --models-dir (or POSTGUARD_MODELS_DIR) at a directory holding ner/ and textcat/, or screen "
    "with rules only: --no-models (or POSTGUARD_USE_MODELS=false)"
)


def _use_models(args: argparse.Namespace) -> bool:
    """Models unless the operator chose rules only: ``--no-models`` or ``POSTGUARD_USE_MODELS=false``."""
    if args.no_models:
        return False
    raw = os.environ.get("POSTGUARD_USE_MODELS", "").strip()
    if not raw:
        return True
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(bool).validate_python(raw)  # as the services parse it: true/1/yes/on...
    except ValidationError:
        raise ModelsError("POSTGUARD_USE_MODELS must be true or false") from None


def _build_pipeline(args: argparse.Namespace) -> Any:
    """The embedded pipeline; ``ModelsError`` when the required models cannot be loaded."""
    from postguard.domain.models import ModelLoadError
    from postguard.embedded.runner import build_pipeline

    use_models = _use_models(args)
    models_dir = args.models_dir or os.environ.get("POSTGUARD_MODELS_DIR") or None
    try:
        return build_pipeline(
            args.policy_dir,
            use_models=use_models,
            models_dir=Path(models_dir) if models_dir else None,
            redacted_dir=getattr(args, "redacted_dir", None),
        )
    except ModelLoadError as exc:
        raise ModelsError(f"models unavailable: {exc}; {MODELS_FIX}") from None


def to_jsonl(record: dict[str, Any]) -> str:
    """One JSONL line; U+2028/U+2029 escaped so line-splitting readers cannot break it."""
    text = json.dumps(record, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


def split_jsonl(data: bytes) -> list[bytes]:
    """Split JSONL on newlines only (U+2028 is legal inside JSON strings); drop CRs and a BOM."""
    lines = [line[:-1] if line.endswith(b"\r") else line for line in data.split(b"\n")]
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _read_lines(args: argparse.Namespace) -> list[bytes]:
    if args.text is not None:
        post = {
            "post_id": args.post_id,
            "institution_id": args.institution,
            "platform": args.platform,
            "text": args.text,
        }
        if args.consent_reference:
            post["consent_reference"] = args.consent_reference
        return [json.dumps(post).encode("utf-8", "surrogatepass")]
    if args.input in (None, "-"):
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogatepass")
        return split_jsonl(data)
    return split_jsonl(Path(args.input).read_bytes())


def _screen(args: argparse.Namespace) -> int:
    from postguard.domain.policy import PolicyError
    from postguard.embedded import table
    from postguard.embedded.runner import numbered_lines, pipeline_batch, screen_lines

    if args.text is not None and args.input not in (None, "-"):
        return _usage_error("use either --text or --input, not both")
    if args.batch_size < 1:
        return _usage_error("--batch-size must be at least 1")
    if args.workers is not None and args.workers < 1:
        return _usage_error("--workers must be at least 1")
    if args.workers is not None and args.via:
        return _usage_error("--workers only applies to embedded screening, not with --via")
    if args.redacted_dir is not None and args.via:
        return _usage_error("--redacted-dir only applies to embedded screening, not with --via")
    try:
        lines = _read_lines(args)
    except (OSError, UnicodeDecodeError) as exc:
        return _usage_error(
            f"cannot read input: {type(exc).__name__}: {getattr(exc, 'strerror', '') or 'bad encoding'}"
        )

    registry = pipeline = None
    if args.via:
        from postguard.remote import parse_target, remote_batch

        try:
            parse_target(args.via)
            security = _client_security(args)
            security.with_url(args.via).credentials()  # files and options checked now: exit 2 when wrong
        except (OSError, ValueError) as exc:
            return _usage_error(str(exc))
        screen_batch = remote_batch(args.via, security)
    elif _remote_options(args):
        return _usage_error(f"{', '.join(_remote_options(args))} only apply with --via")
    else:
        try:
            pipeline = _build_pipeline(args)
        except PolicyError as exc:
            return _usage_error(f"invalid policy: {exc}")
        except ModelsError as exc:
            return _usage_error(str(exc))
        registry = pipeline.policies
        screen_batch = pipeline_batch(pipeline)

    # attachment paths in the input are read relative to the input file (stdin: the working directory)
    base_dir = Path(args.input).resolve().parent if args.input not in (None, "-") else Path.cwd()
    count = sum(1 for line in lines if line.strip())
    show_progress = args.progress or (count > PROGRESS_MIN_LINES and sys.stderr.isatty())
    failed = 0
    with ExitStack() as stack:
        out: IO[str] = sys.stdout
        if args.output not in (None, "-"):
            try:
                out = stack.enter_context(open(args.output, "w", encoding="utf-8"))
            except OSError as exc:
                return _usage_error(f"cannot write {args.output}: {exc.strerror}")
        bar = None
        if show_progress and count:
            from tqdm import tqdm

            bar = stack.enter_context(tqdm(total=count, file=sys.stderr, unit="post", desc="screening"))
        workers = _worker_count(args.workers, count, args.batch_size) if pipeline is not None else 1
        if workers > 1:
            from postguard.embedded.parallel import screen_parallel

            def flush() -> None:  # before each fork: a child must not inherit unwritten output
                for stream in (out, sys.stdout, sys.stderr):
                    stream.flush()

            outcomes = screen_parallel(
                numbered_lines(lines),
                pipeline,
                workers=workers,
                batch_size=args.batch_size,
                on_line=bar.update if bar else None,
                warn=(lambda m: bar.write(f"postguard: {m}", file=sys.stderr)) if bar else None,
                before_fork=flush,
                base_dir=base_dir,
            )
        else:
            outcomes = screen_lines(
                lines,
                screen_batch,
                registry,
                batch_size=args.batch_size,
                on_line=bar.update if bar else None,
                base_dir=base_dir,
            )
        seen = []
        if args.format == "table":
            print(table.header(), file=out)
        for outcome in outcomes:
            failed += not outcome.ok
            if args.format == "table":
                seen.append(outcome)
                print(table.row(outcome), file=out)
            else:
                out.write(to_jsonl(outcome.to_record()))
        if args.format == "table":
            print(table.summary(seen), file=out)
    if failed:
        print(f"postguard: {failed} line(s) could not be screened (see the error records)", file=sys.stderr)
    return EXIT_LINE_ERRORS if failed else EXIT_OK


def _worker_count(requested: int | None, posts: int, batch_size: int) -> int:
    """Worker processes for ``posts`` lines: ``requested`` (default: the CPUs available), at most one per
    batch, so input smaller than one batch is screened in-process without starting any."""
    from postguard.embedded.parallel import available_cores

    batches = -(-posts // batch_size)
    return max(min(requested or available_cores(), batches), 1)


_REMOTE_OPTIONS = ("tls_ca", "tls_cert", "tls_key", "tls_server_name", "token", "token_file")


def _remote_options(args: argparse.Namespace) -> list[str]:
    return [f"--{name.replace('_', '-')}" for name in _REMOTE_OPTIONS if getattr(args, name, None)]


def _client_security(args: argparse.Namespace) -> Any:
    """The ``--tls-*`` / ``--token`` options as a ``ClientSecurity``; ValueError when inconsistent."""
    from postguard.remote import ClientSecurity

    if args.token and args.token_file:
        raise ValueError("use either --token or --token-file, not both")
    token = args.token
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read --token-file {args.token_file}: {type(exc).__name__}") from None
        if not token:
            raise ValueError(f"--token-file {args.token_file} is empty")
    return ClientSecurity(
        ca_file=args.tls_ca,
        cert_file=args.tls_cert,
        key_file=args.tls_key,
        server_name=args.tls_server_name,
        token=token or None,
    )


def _eval(args: argparse.Namespace) -> int:
    from postguard.domain.evaluation import format_report
    from postguard.domain.policy import PolicyError
    from postguard.embedded.evaluate import load_gold, run_evaluation

    try:
        loaded = load_gold(Path(args.gold).read_text(encoding="utf-8-sig").split("\n"))
    except (OSError, UnicodeDecodeError) as exc:
        return _usage_error(f"cannot read {args.gold}: {type(exc).__name__}")
    for line, message in loaded.errors:
        print(f"{args.gold}:{line}: {message}", file=sys.stderr)
    if not loaded.posts:
        return _usage_error(f"{args.gold} has no usable gold posts")
    try:
        pipeline = _build_pipeline(args)
    except PolicyError as exc:
        return _usage_error(f"invalid policy: {exc}")
    except ModelsError as exc:
        return _usage_error(str(exc))
    unknown = sorted(
        {g.post.institution_id for g in loaded.posts if not pipeline.policies.knows(g.post.institution_id)}
    )
    if unknown:
        return _usage_error(f"no policy for institution(s) {', '.join(unknown)}")
    report, rate = run_evaluation(pipeline, loaded.posts)
    print(format_report(report))
    models = "on" if pipeline.identifiers.ner_model is not None else "off"
    print(f"\nscreened {report.posts} posts at {rate:,.0f} posts/s (models: {models})")
    if args.json:
        data = report.to_dict() | {"posts_per_second": round(rate, 1), "gold": str(args.gold)}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return EXIT_LINE_ERRORS if loaded.errors else EXIT_OK


def _add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy-dir", type=Path, default=None, help="directory of policy *.yaml (default: shipped)"
    )
    parser.add_argument(
        "--no-models",
        action="store_true",
        help="rules only: do not load the trained models (also POSTGUARD_USE_MODELS=false); otherwise the "
        "models are required and a missing or corrupt one is an error (exit 2)",
    )
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="directory holding the trained models ner/ and textcat/ (default: $POSTGUARD_MODELS_DIR, "
        "else the shipped ones)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``postguard`` argument parser; ``serve``, ``console``, ``feedback``, ``archive`` add their own."""
    parser = argparse.ArgumentParser(prog="postguard", description="Screen outgoing social-media posts.")
    commands = "{screen,eval,serve,console,feedback,archive}"
    sub = parser.add_subparsers(dest="command", required=True, metavar=commands)

    screen = sub.add_parser(
        "screen",
        help="screen posts (JSONL in, one decision per line out)",
        description="Screen posts: one JSON object per line with post_id, institution_id, platform, text.",
    )
    src = screen.add_argument_group("input")
    src.add_argument(
        "--input", "-i", default=None, metavar="FILE", help="JSONL posts, '-' for stdin (default)"
    )
    src.add_argument("--text", "-t", default=None, help="screen this one post text instead of a file")
    src.add_argument(
        "--institution", default="demo-hospital", help="institution of --text (default demo-hospital)"
    )
    src.add_argument("--platform", default="x", help="platform of --text (default x)")
    src.add_argument("--post-id", default="cli-1", help="post_id of --text")
    src.add_argument("--consent-reference", default="", help="consent reference of --text")
    screen.add_argument("--output", "-o", default=None, metavar="FILE", help="write here instead of stdout")
    screen.add_argument(
        "--redacted-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="write the redacted copy of each flagged image here (<sha256>.png|jpg, as the decision's "
        "redacted_attachments name them)",
    )
    screen.add_argument("--format", choices=("jsonl", "table"), default="jsonl", help="output format")
    screen.add_argument("--progress", action="store_true", help="always show the progress bar on stderr")
    screen.add_argument("--batch-size", type=int, default=64, help="posts screened together (default 64)")
    screen.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes screening batches in parallel, output kept in input order (default: the "
        "CPUs available; 1 = in this process; input of one batch or less is always screened in-process)",
    )
    remote = screen.add_argument_group("remote (--via)")
    remote.add_argument(
        "--via",
        default=None,
        metavar="grpc[s]://HOST:PORT",
        help="screen through a running stack (grpcs:// = TLS)",
    )
    remote.add_argument(
        "--tls-ca",
        type=Path,
        default=None,
        metavar="FILE",
        help="CA bundle that signs the server (implies TLS)",
    )
    remote.add_argument(
        "--tls-cert", type=Path, default=None, metavar="FILE", help="client certificate for mutual TLS (PEM)"
    )
    remote.add_argument("--tls-key", type=Path, default=None, metavar="FILE", help="its private key (PEM)")
    remote.add_argument(
        "--tls-server-name", default=None, metavar="NAME", help="name to expect in the server certificate"
    )
    remote.add_argument(
        "--token", default=None, help="bearer token sent as 'authorization: Bearer ...' (TLS only)"
    )
    remote.add_argument(
        "--token-file", default=None, metavar="FILE", help="read the bearer token from FILE (not in ps)"
    )
    _add_pipeline_options(screen)
    screen.set_defaults(handler=_screen)

    ev = sub.add_parser("eval", help="precision / recall per label on a labelled JSONL set")
    ev.add_argument("gold", metavar="GOLD.jsonl", help="labelled posts (see data/gold/README.md)")
    ev.add_argument("--json", default=None, metavar="FILE", help="also write the metrics as JSON")
    _add_pipeline_options(ev)
    ev.set_defaults(handler=_eval)

    from postguard import serve
    from postguard.console import cli as console_cli
    from postguard.review import archive_cli, feedback_cli

    serve.register(sub)
    console_cli.register(sub)
    feedback_cli.register(sub)
    archive_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``postguard`` console script; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        result = args.handler(args)
    except BrokenPipeError:  # e.g. `postguard screen ... | head`: stop quietly, output is incomplete
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_LINE_ERRORS
    except KeyboardInterrupt:  # Ctrl-C: workers are stopped by now; output so far is complete lines only
        print("postguard: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
