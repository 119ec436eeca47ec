"""The ``caseapi`` command: serve, index, check, import, new, preview, openapi."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from caseapi import __version__
from caseapi.catalog.reader import SqliteCatalogReader
from caseapi.content.loader import load_folder
from caseapi.content.scaffold import NewFile, ScaffoldError, create_file
from caseapi.indexing.build import build_index, ensure_index
from caseapi.legacy.importer import ImportOutcome, import_pages
from caseapi.models import AMSTERDAM, ContentProblem
from caseapi.preview import DEFAULT_MINUTES, MAX_MINUTES, preview_link
from caseapi.settings import Settings

console = Console(stderr=True)


def _settings(arguments: argparse.Namespace) -> Settings:
    return Settings.from_env(content_dir=arguments.content, index_dir=arguments.index)


def _add_folder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", type=Path, help="content folder (default: $CASEAPI_CONTENT_DIR or ./content)"
    )
    parser.add_argument(
        "--index", type=Path, help="index folder (default: $CASEAPI_INDEX_DIR or ./index)"
    )


def command_index(arguments: argparse.Namespace) -> int:
    """Rebuild the catalog from the content folder, with a progress bar."""
    settings = _settings(arguments)
    columns = (
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("index", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = asyncio.run(build_index(settings, on_progress=advance))
    console.print(
        f"generation {report.generation}: {report.documents} documents, "
        f"{report.errors} errors, {report.warnings} warnings in {report.seconds:.2f} s"
    )
    if report.errors:
        console.print("run [bold]caseapi check[/bold] to see the problems")
    return 0


def command_check(arguments: argparse.Namespace) -> int:
    """Validate the content folder; exit status 1 when any file has errors."""
    settings = _settings(arguments)
    if not settings.content_dir.is_dir():
        console.print(f"[red]no content folder at {settings.content_dir}[/red]")
        return 2
    folder = load_folder(settings.content_dir, settings.max_file_bytes)
    _print_problems(folder.problems)
    errors = sum(problem.severity == "error" for problem in folder.problems)
    count = len(folder.assets)
    files = f"; {count} {'file' if count == 1 else 'files'} beside them" if count else ""
    console.print(
        f"{len(folder.documents)} documents ok, {errors} errors, "
        f"{len(folder.problems) - errors} warnings{files}"
    )
    return 1 if errors else 0


def _print_problems(problems: Sequence[ContentProblem]) -> None:
    if not problems:
        return
    table = Table("file", "line", "severity", "problem", show_lines=False)
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        table.add_row(
            problem.path,
            str(problem.line or ""),
            f"[{colour}]{problem.severity}[/{colour}]",
            problem.message,
        )
    Console(width=200).print(table)


def command_import(arguments: argparse.Namespace) -> int:
    """Turn old-website pages into content files; exit status 1 when any page was not."""
    settings = _settings(arguments)
    outcomes = import_pages(
        arguments.paths,
        settings.content_dir,
        collection=arguments.collection,
        dry_run=arguments.dry_run,
        force=arguments.force,
        old_url_prefix=arguments.old_url_prefix,
        old_url_extension=arguments.old_url_extension,
    )
    if arguments.dry_run:
        for outcome in outcomes:
            if outcome.page is not None:
                console.rule(f"{outcome.target} ({outcome.status})")
                sys.stdout.write(outcome.page.render())
    _print_import_report(outcomes, dry_run=arguments.dry_run)
    refused = ("skipped", "would skip", "failed")
    return 1 if any(outcome.status in refused for outcome in outcomes) else 0


def _print_import_report(outcomes: Sequence[ImportOutcome], *, dry_run: bool) -> None:
    # Text() everywhere: legacy text and messages like 'clients: [Onbekend]' are not markup.
    # Unwrapped rows in logs and pipes, so that each finding stays on one greppable line.
    report = Console(stderr=True, width=None if console.is_terminal else 1000)
    pages = Table("page", "result", "file", "to check", title="caseapi import")
    findings = Table("page", "line", "kind", "what", title="findings")
    for outcome in outcomes:
        page_findings = outcome.page.findings if outcome.page is not None else []
        kinds = [finding.kind for finding in page_findings]
        counted = ", ".join(f"{kinds.count(kind)} {kind}" for kind in dict.fromkeys(kinds))
        colour = "red" if outcome.status in ("failed", "skipped", "would skip") else "green"
        pages.add_row(
            Text(outcome.source),
            Text(outcome.status, style=colour),
            Text(outcome.target or ""),
            Text(outcome.message or counted),
        )
        for finding in page_findings:
            findings.add_row(
                Text(Path(outcome.source).name),
                str(finding.line or ""),
                Text(finding.kind, style="yellow" if finding.kind != "dropped" else ""),
                Text(finding.message),
            )
    report.print(pages)
    if findings.row_count:
        report.print(findings)
    written = sum(
        outcome.status in ("imported", "overwritten", "would import", "would overwrite")
        for outcome in outcomes
    )
    skipped = sum(outcome.status in ("skipped", "would skip") for outcome in outcomes)
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    flagged = sum(outcome.flagged for outcome in outcomes)
    verb = "would be imported" if dry_run else "imported"
    report.print(
        Text(f"{written} {verb}, {skipped} skipped, {failed} failed, {flagged} flagged to check")
        + Text("; dry run: nothing was written" if dry_run else "")
    )


def command_serve(arguments: argparse.Namespace) -> int:
    """Serve the API with uvicorn; the index is brought up to date first."""
    from caseapi.server import serve

    # Unless told otherwise, the API's own links (files, pages, feeds) point where it listens.
    listening = "127.0.0.1" if arguments.host in ("0.0.0.0", "::", "") else arguments.host
    listening = f"[{listening}]" if ":" in listening else listening
    api_url = None if os.environ.get("CASEAPI_API_URL") else f"http://{listening}:{arguments.port}"
    settings = Settings.from_env(
        content_dir=arguments.content,
        index_dir=arguments.index,
        watch=not arguments.no_watch,
        api_url=api_url,
    )
    report = asyncio.run(ensure_index(settings))
    if report is not None:
        console.print(f"index brought up to date: generation {report.generation}")
    serve(
        settings,
        host=arguments.host,
        port=arguments.port,
        workers=arguments.workers,
        access_log=arguments.access_log,
    )
    return 0


def command_new(arguments: argparse.Namespace) -> int:
    """Start a new assignment or post: a draft file with the front matter it needs."""
    settings = _settings(arguments)
    request = NewFile(
        collection=arguments.collection,
        title=arguments.title,
        slug=arguments.slug,
        tags=tuple(arguments.tag),
        author=arguments.author,
        clients=tuple(arguments.client),
        summary=arguments.summary,
        publish=not arguments.draft,
    )
    try:
        target = create_file(settings.content_dir, request)
    except ScaffoldError as error:
        console.print(f"[red]{error}[/red]")
        return 1
    sys.stdout.write(f"{target}\n")
    if arguments.draft:
        console.print("a draft: remove 'draft: true' when it is ready to be published")
    return 0


def command_preview(arguments: argparse.Namespace) -> int:
    """Print a signed link that shows one draft or scheduled document until it expires."""
    settings = _settings(arguments)
    if settings.preview_secret is None:
        console.print("[red]previews are off: set CASEAPI_PREVIEW_SECRET (the signing key)[/red]")
        return 2
    if not 1 <= arguments.minutes <= MAX_MINUTES:
        console.print(f"[red]--minutes must be from 1 to {MAX_MINUTES}[/red]")
        return 2

    async def find() -> bool:
        # The editor may have saved the draft a moment ago: bring the index up to date first.
        await ensure_index(settings)
        catalog = await SqliteCatalogReader.open(settings.catalog_path)
        try:
            return await catalog.find_document(arguments.collection, arguments.slug) is not None
        finally:
            await catalog.close()

    if not asyncio.run(find()):
        console.print(
            f"[red]there is no document {arguments.collection}/{arguments.slug}[/red] "
            "(run [bold]caseapi check[/bold] if its file has errors)"
        )
        return 1
    link = preview_link(
        settings.preview_secret,
        settings.base_url,
        settings.api_url,
        arguments.collection,
        arguments.slug,
        arguments.minutes,
        dt.datetime.now(dt.UTC),
    )
    sys.stdout.write(f"{link.url}\n")
    console.print(
        f"valid until {link.expires.astimezone(AMSTERDAM):%Y-%m-%d %H:%M}; API: {link.api_url}"
    )
    return 0


def command_openapi(arguments: argparse.Namespace) -> int:
    """Print the OpenAPI document generated from the app (committed as openapi/openapi.json)."""
    sys.stdout.write(openapi_json() + "\n")
    return 0


def openapi_json() -> str:
    """The app's OpenAPI document as stable, indented JSON."""
    from caseapi.api.app import create_app

    app = create_app(Settings(), build_index=False)
    # msgspec encodes the Structs Litestar leaves in schema examples; json re-indents.
    schema = json.loads(msgspec.json.encode(app.openapi_schema.to_schema()))
    return json.dumps(schema, indent=2, ensure_ascii=False)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="caseapi", description=__doc__)
    parser.add_argument("--version", action="version", version=f"caseapi {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API")
    _add_folder_options(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    serve.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="one JSON line per request on standard output (default: on)",
    )
    serve.add_argument(
        "--no-watch",
        action="store_true",
        help="do not watch the content folder (changes then need 'caseapi index')",
    )
    serve.set_defaults(handler=command_serve)

    index = commands.add_parser("index", help="rebuild the index from the content folder")
    _add_folder_options(index)
    index.set_defaults(handler=command_index)

    check = commands.add_parser("check", help="validate the content folder")
    _add_folder_options(check)
    check.set_defaults(handler=command_check)

    legacy = commands.add_parser("import", help="turn pages of the old website into content files")
    _add_folder_options(legacy)
    legacy.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="page or folder")
    legacy.add_argument(
        "--collection",
        choices=("assignments", "posts"),
        default="assignments",
        help="where labelled pages go (a page without labels always becomes a post)",
    )
    legacy.add_argument(
        "--dry-run", action="store_true", help="print the files instead of writing them"
    )
    legacy.add_argument("--force", action="store_true", help="overwrite existing files")
    legacy.add_argument(
        "--old-url-prefix",
        metavar="PREFIX",
        help="where the pages lived on the old site (/wat-doen-we/ or a URL): each page's old "
        "address, PREFIX + its file name, redirects to its new page",
    )
    legacy.add_argument(
        "--old-url-extension",
        default=".html",
        metavar="EXT",
        help="the old addresses' ending in place of the file's own (default: .html)",
    )
    legacy.set_defaults(handler=command_import)

    new = commands.add_parser("new", help="start a new assignment or post (a draft file)")
    _add_folder_options(new)
    new.add_argument("collection", choices=("assignments", "posts"))
    new.add_argument("title", help="the title; the file name (slug) is made from it")
    new.add_argument("--slug", help="the file name without .md (default: from the title)")
    new.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    new.add_argument("--author", help="a post's author")
    new.add_argument("--client", action="append", default=[], help="a client (repeatable)")
    new.add_argument("--summary", help="one paragraph")
    new.add_argument(
        "--draft",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start as a draft, never served until 'draft: true' is removed (default: on)",
    )
    new.set_defaults(handler=command_new)

    preview = commands.add_parser(
        "preview", help="print a signed link to a draft or scheduled document"
    )
    _add_folder_options(preview)
    preview.add_argument("collection", choices=("assignments", "posts"))
    preview.add_argument("slug", help="the document's slug")
    preview.add_argument(
        "--minutes",
        type=int,
        default=DEFAULT_MINUTES,
        help=f"how long the link works (default: {DEFAULT_MINUTES})",
    )
    preview.set_defaults(handler=command_preview)

    openapi = commands.add_parser("openapi", help="print the OpenAPI document")
    openapi.set_defaults(handler=command_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``caseapi`` console script."""
    arguments = build_parser().parse_args(argv)
    try:
        result: int = arguments.handler(arguments)
    except BrokenPipeError:
        # Output piped into `head` and the like, which stopped reading: not an error to
        # report with a traceback. Point stdout at nothing so closing it cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
