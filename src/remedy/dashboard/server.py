"""Start the dashboard: `streamlit run` on app.py, bound to 127.0.0.1 only."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")
HOST = "127.0.0.1"


def streamlit_command(port: int) -> list[str]:
    """The `streamlit run` command line: loopback only, no browser, no usage statistics,
    no file watcher (the app reads the database, not its own source)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", HOST,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--theme.base", "light",
        "--client.toolbarMode", "viewer",
    ]


def serve(database: Path, port: int) -> None:
    """Replace this process with the Streamlit server (signals reach it directly)."""
    env = dict(os.environ, DUCKDB_PATH=os.path.abspath(database),
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    command = streamlit_command(port)
    os.execve(command[0], command, env)
