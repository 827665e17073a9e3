"""Analysis: what the inputs say. Statistics, maturity scoring, the KPI engine, trends,
governance, funding and flow value, investment priorities and capacity. Imports only from inputs.
"""
