"""The worker of vertente C (``spec_integracao``): an HTTP client for each connector, a mock of
the remote API on the loopback and contract tests between the two.

What it generates, under ``<pacote>/integracao/``:

- ``contrato.py`` — the contract's data, taken from the spec: base URL, authentication, and for
  each endpoint the method, the path, the parameters with their rules, the JSON Schema of the
  payload and that of the response (``forma`` → JSON Schema: every declared field is required; the
  payload accepts no extra fields, the response does — a tolerant reader), and the declared errors;
- ``cliente.py`` + ``<conector>.py`` — the client (stdlib ``urllib``): validates the parameters
  and the payload before calling (``ErroValidacao``, no request), authenticates with the
  credential read from the environment under the name the spec gives, uses the cache (GET, when
  the connector has ``cache``), translates the declared errors (``ErroRemoto`` with the spec's
  message), a timeout (``ErroTempoEsgotado``), the service being down (``ErroIndisponivel``) and a
  response outside the contract (``ErroContrato``);
- ``mock.py`` — ``MockRemoto``: the remote API on ``http.server`` at 127.0.0.1 (port 0, in a
  thread), which checks route, credential and payload against the contract, records each request
  and answers what the test programs (or an example following the response's schema); it can
  take longer than the timeout and go down;

and ``tests/test_integracao_<conector>.py``: per endpoint, request and response validated against
the JSON Schemas, a response outside the contract refused, each declared error and an undeclared
one, invalid parameters refused without a request; per connector, timeout, down, credential and
cache; and one test per case of the budget (id = the case's name).

How a case becomes a test (``CasoDeTeste.dado``):

- ``endpoint`` (reserved) picks the endpoint; without it, the only endpoint whose parameters and
  payload fields cover the case's keys; ``payload`` (reserved) is the whole body;
- the keys listed in the connector's ``cenarios`` describe the world, not the request: the
  remote's behaviour (``normal``, ``lenta`` — answers after the timeout —, ``fora_do_ar`` or an
  HTTP status) and the cache's state (``vazio``/``preenchido``);
- the others are the endpoint's parameters or the payload's fields; missing ones get the
  parameter's ``exemplo`` (or a value of its type) and the example of the payload's shape.

The expected result comes from the spec, computed here: parameters breaking the rules → a
validation error with the spec's message, no request; a filled cache on a GET → the cached value,
no request; a slow remote → timeout; down → unavailable; a normal remote → what the spec's
explicit cases say of that same request (``espera`` with response fields, or ``erro`` with the
message of a declared error), else the schema's example response.
"""

from fabrica.desenvolvimento.workers.integracao.worker import WorkerIntegracao

__all__ = ["WorkerIntegracao"]
