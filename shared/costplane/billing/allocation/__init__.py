"""Allocation: shared cost split onto the cost objects that consumed it, to the cent.

rules.py is the rule model (and JSON Schema); select.py finds each rule's bill lines and sums
them per group with pyarrow; engine.py splits those few group totals with exact integer
minor units; lake.py reads a billing period from the FOCUS table and writes `chargeback`.
"""
