"""Analysis: what the inputs say. Statistics, maturity scoring, the KPI engine, trends,
governance, funding and flow value. Imports only from inputs.
"""
