"""The one place where command-line flags and environment variables become settings.

Every command resolves ``--config`` and ``--db`` the same way, here, once; nothing else in
warwatch reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEFAULT_DB_URL = "sqlite:///warwatch.db"
CONFIG_ENV = "WARWATCH_CONFIG"
DB_ENV = "WARWATCH_DB_URL"


def shipped_sources_path() -> Path:
    """The sources file that ships inside the package (used when no other is given)."""
    return Path(str(resources.files("warwatch") / "sources.yaml"))


@dataclass(frozen=True)
class Settings:
    """Where the sources file and the database are, as resolved for one command."""

    config_path: Path
    db_url: str

    @staticmethod
    def secret(name: str, environ: Mapping[str, str] | None = None) -> str | None:
        """A secret (an API key) from the environment variable a source names: secrets
        never go in the sources file."""
        value = (os.environ if environ is None else environ).get(name, "").strip()
        return value or None

    @classmethod
    def resolve(
        cls,
        config: str | os.PathLike[str] | None = None,
        db: str | None = None,
        environ: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Settings:
        """Flags win, then ``WARWATCH_CONFIG`` / ``WARWATCH_DB_URL``, then the defaults.

        The default sources file is ``./sources.yaml`` when it exists, else the shipped one;
        the default database is ``sqlite:///warwatch.db`` in the working directory.
        """
        env = os.environ if environ is None else environ
        here = Path.cwd() if cwd is None else cwd
        if config is not None:
            config_path = Path(config)
        elif env.get(CONFIG_ENV):
            config_path = Path(env[CONFIG_ENV])
        elif (here / "sources.yaml").is_file():
            config_path = here / "sources.yaml"
        else:
            config_path = shipped_sources_path()
        db_url = db or env.get(DB_ENV) or DEFAULT_DB_URL
        return cls(config_path=config_path, db_url=db_url)
