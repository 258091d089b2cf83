"""Developer and CI sessions. `nox -l` lists them; plain `nox` runs the whole test suite."""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "contract", "mutants", "fuzz"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _install(session: nox.Session, *groups: str) -> None:
    session.install("-e", ".")
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """Mypy (strict) over the three packages."""
    _install(session, "typecheck")
    session.run("mypy")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Unit and integration tests of both packages (SQLite, plus PostgreSQL when reachable)."""
    _install(session, "test")
    session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python="3.11")
def contract(session: nox.Session) -> None:
    """Property-based contract suite; `-- --cata-url URL --mock-url URL --api-key KEY` for live servers."""
    _install(session, "test")
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
    _install(session, "test")
    session.run("python", "-m", "contract_tests.mutants", *session.posargs)


@nox.session(python="3.11")
def fuzz(session: nox.Session) -> None:
    """schemathesis over /schema/openapi.json: every operation, every check, stateful links (bounded)."""
    _install(session, "fuzz")
    session.run("python", "tests/fuzz/run_fuzz.py", *session.posargs)
