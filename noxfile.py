"""Developer and CI sessions. `nox -l` lists them; plain `nox` runs the whole test suite.

Every default session installs exactly the versions in ``uv.lock`` (``uv sync --locked``), so a new
release of a dependency cannot change what the suite runs against; ``nox -s latest`` is the one session
that takes the newest releases, to show an upstream change on demand.
"""

from __future__ import annotations

import os

import nox
import nox.virtualenv

nox.options.default_venv_backend = "uv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lock", "lint", "typecheck", "tests", "contract", "mutants", "fuzz"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
RELOCK = (
    "uv.lock is out of step with pyproject.toml: run `uv lock` (keeps every other pin) and commit uv.lock;"
    " `uv lock --upgrade` takes the newest releases instead"
)


def _sync(session: nox.Session, *groups: str, project: bool = True) -> None:
    """Install the project (and ``groups``) into the session's virtualenv at the locked versions."""
    args = ["uv", "sync", "--locked", "--no-default-groups", *(f"--group={group}" for group in groups)]
    if not project:
        args.append("--no-install-project")
    session.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location}, silent=True)


@nox.session(python=False)
def lock(session: nox.Session) -> None:
    """uv.lock matches pyproject.toml (fails with how to re-lock when a range changed)."""
    try:
        # nox's own uv (installed beside nox), which need not be on PATH.
        session.run(nox.virtualenv.UV, "lock", "--check", external=True, silent=True)
    except nox.command.CommandFailed:
        session.error(RELOCK)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    _sync(session, "lint", project=False)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """Mypy (strict) over the three packages."""
    _sync(session, "typecheck")
    session.run("mypy")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Unit and integration tests of both packages (SQLite, plus PostgreSQL when reachable)."""
    _sync(session, "test")
    session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python="3.11")
def contract(session: nox.Session) -> None:
    """Property-based contract suite; `-- --cata-url URL --mock-url URL --api-key KEY` for live servers."""
    _sync(session, "test")
    session.env["HYPOTHESIS_PROFILE"] = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    session.run(
        "pytest",
        "contract_tests",
        "-q",
        "-p",
        "no:cacheprovider",
        "--junitxml=reports/contract-junit.xml",
        *session.posargs,
    )


@nox.session(python="3.11")
def mutants(session: nox.Session) -> None:
    """The contract suite against deliberately broken builds: each property must catch its break."""
    _sync(session, "test")
    session.run("python", "-m", "contract_tests.mutants", *session.posargs)


@nox.session(python="3.11", default=False)
def mutation(session: nox.Session) -> None:
    """mutmut over the engine's modules with the contract suite as the judge; prints the score and survivors.

    Slow (tens of minutes on two cores), so outside the default run. ``-- --max-children N`` sets the
    parallelism; results stay in ``mutants/`` and a second run only re-tests what changed.
    """
    _sync(session, "mutation")
    session.env["HYPOTHESIS_PROFILE"] = "mutation"
    session.run("mutmut", "run", *(session.posargs or ["--max-children", "2"]))
    session.run("python", "-m", "contract_tests.mutation_report")


@nox.session(python="3.11")
def fuzz(session: nox.Session) -> None:
    """schemathesis over /schema/openapi.json: every operation, every check, stateful links (bounded)."""
    _sync(session, "fuzz")
    session.run("python", "tests/fuzz/run_fuzz.py", *session.posargs)


@nox.session(python="3.11", default=False)
def latest(session: nox.Session) -> None:
    """The tests and the contract suite against the newest release of every dependency (not the lock)."""
    session.install("--upgrade", "--resolution=highest", "-e", ".")
    session.install("--upgrade", "--resolution=highest", *nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("uv", "pip", "list", "--format=freeze", silent=False)
    # Two runs, as in the default sessions: the contract suite's conftest quiets loggers the tests read.
    session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs)
    session.env["HYPOTHESIS_PROFILE"] = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    session.run("pytest", "contract_tests", "-q", "-p", "no:cacheprovider", *session.posargs)
