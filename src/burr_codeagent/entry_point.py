"""The ``codeagent`` script's entry point: automatic garbage collection is held off before the command line loads.

Importing the command line (typer, click, the commands' modules, pydantic) builds only what lives as long as the
process, so the collector's young passes over it find nothing (~25 of them). :func:`burr_codeagent.cli.main` keeps
the collector off until the command's own work starts; this module covers the imports before it too.
"""

from __future__ import annotations

import gc

__all__ = ["main"]


def main() -> None:
    """Run the ``codeagent`` command line."""
    collector_was_on = gc.isenabled()
    gc.disable()
    from .cli import main as run_command_line

    run_command_line(collector_was_on=collector_was_on)
