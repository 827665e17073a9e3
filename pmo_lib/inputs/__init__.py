"""Inputs, the bottom layer: what the kit reads and checks.

The table contract, pmo.yaml, the knowledge (maturity model, KPI catalogue, playbook),
workspace loading, scaffolding, the questionnaire and its collection, the engagement
checklist, the sample organisation, the kit's resources, and the errors every layer raises.
Imports nothing from the layers above.
"""
