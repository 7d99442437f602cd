"""Where developers already work: the MCP server, the pre-commit hook's helpers and the GitHub Action's script.

Each integration drives the same checker as ``codeagent check``, with the same verdict and exit codes
(see ``docs/cli.md``). Modules that need an optional extra (``mcp``) import it lazily.
"""
