"""Pictures of executions: execution graphs (model.py), extracted from operational witnesses
(trace.py, build.py) and axiomatic candidates (explain.py, source.py), with each model's axioms
(views.py); `api.py` is what the CLI and the TUI call."""
