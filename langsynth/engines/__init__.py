"""Execution engines: where a run's units of work are executed.

``langsynth.engines.ray`` runs components in Ray actors, one pool per model endpoint.
Nothing here imports Ray at import time; Ray is the optional extra ``langsynth[ray]``.
"""
