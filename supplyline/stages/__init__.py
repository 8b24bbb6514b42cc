"""The stages of a run, in order. Each module has one public function that takes the stage's
inputs and returns its outputs (frozen dataclasses or frames); ``flows/`` wires them together.

scan -> plan -> ingest -> extract -> normalise -> validate -> load -> build -> check -> publish
-> report -> alert. A rebuild is the same stages fed from the raw layer: ``plan_raw`` and ``read_raw``
take the place of scan, plan and ingest.
"""
