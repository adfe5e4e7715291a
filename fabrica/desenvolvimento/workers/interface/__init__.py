"""The worker of vertente I (``spec_interface``): server-rendered screens in Django.

What it generates, under ``<pacote>/interface/`` (a Django app any project includes):

- ``forms.py`` — one ``Form`` per screen, one Django field per field of the spec, with its
  validations (required, type, options, ``restricoes``) and this factory's pt-BR messages;
- ``views.py``/``urls.py`` — one view per screen (``GET`` shows, ``POST`` validates and runs the
  chosen action); ``templates/<pacote>/interface/<tela>.html`` — each screen's Django template;
- ``acoes.py`` — the backend the actions call (the spec's ``endpoint`` + ``metodo``): HTTP by
  default, replaceable in the settings;
- ``suporte_testes.py`` — a minimal Django (``settings.configure``, no database) and an HTML
  reader, so the tests run without any project's settings.

Tests, planned in ``tests/test_interface_<tela>.py``: the screen renders the spec's fields,
labels and actions; submitting it empty shows each required field's error; valid data are
accepted and reach the action's endpoint; CSRF is required; and one test per case of the budget
(id = the case's name). Each case's expected result comes from the spec itself, computed here
(``erros_do_campo``), independent of the Django the test exercises.

How a case becomes a test (``CasoDeTeste.dado``):

- reserved keys: ``tela`` (the screen's id; without it, the only screen that has all the case's
  fields), ``acao`` (the name of the submitted action; without it, the first action with an
  ``endpoint`` that is not ``GET``, then any with an ``endpoint``, then the first that only
  validates) and the parameters of the screen's URL (``{id}`` of the actions' endpoints);
- the other keys are fields: the value is what the user types (``null`` = left empty; in an
  ``arquivo``, the name of the uploaded file; in a ``booleano``, ticked or not). Required fields
  the case does not give get the field's ``exemplo`` (or a valid value of its type);
- ``espera`` (explicit cases): ``erro: {campo, mensagem}`` (or a list of them), ``erros:
  {campo: mensagem | [mensagens]}``, ``tela: <id>`` (accepted and taken to that screen) and
  ``valido: true|false``. Without ``espera`` (rows of the array), exactly what the fields' rules
  say is expected. A key of ``espera`` the interface has no way to observe makes the case
  ``NaoTestavel``, with the reason — never a test that pretends to check it.
"""

from fabrica.desenvolvimento.workers.interface.worker import WorkerInterface

__all__ = ["WorkerInterface"]
