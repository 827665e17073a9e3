"""Reporting: how results are shown. Theme, charts, tables, narrative, the exception
register, the dashboard, rendering to HTML and PDF, the result files and the cycle index.
The only layer that imports matplotlib, seaborn or IPython; imports analysis and inputs.
"""
