"""The bodies of the agent's steps, one module per step of the graph (:mod:`burr_codeagent.graph` declares them).

Each module holds what its Burr action does: it reads the state, talks to the backend or the checker through
:class:`~burr_codeagent.steps.services.Services`, and returns ``(result, new_state)``, Burr's shape for a step.
A step that has a sync and an async form shares everything but the call that blocks.
"""
