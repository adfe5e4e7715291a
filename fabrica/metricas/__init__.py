"""The factory's metrics (docs/arquitetura.md, "Metrics") and DORA's four keys, computed from
recorded facts.

``selectors`` computes every number in the database (aggregates and window functions over the
rows that record what happened: items, events, budgets, releases, deployments), in a constant
number of queries whatever the size of the history; ``faixas`` holds the performance bands;
``views`` and ``api`` show them to the PO and admins; ``operacao`` serves ``/metrics`` and
``/saude/`` to operators and load balancers.
"""
