"""``python -m burr_codeagent``: the ``codeagent`` command line."""

from .cli import main

main()
