"""Worker da vertente C (``spec_integracao``): cliente HTTP de cada conector, um mock da API
remota no loopback e testes de contrato entre os dois.

O que ele gera, sob ``<pacote>/integracao/``:

- ``contrato.py`` — os dados do contrato, tirados da spec: URL base, autenticação, e de cada
  endpoint o método, o caminho, os parâmetros com suas regras, o JSON Schema do payload e o da
  resposta (``forma`` → JSON Schema: todo campo declarado é obrigatório; o payload não aceita
  campos a mais, a resposta aceita — leitor tolerante), e os erros declarados;
- ``cliente.py`` + ``<conector>.py`` — o cliente (stdlib ``urllib``): valida os parâmetros e o
  payload antes de chamar (``ErroValidacao``, sem requisição), autentica com a credencial lida do
  ambiente pelo nome que a spec dá, usa o cache (GET, quando o conector tem ``cache``), traduz
  os erros declarados (``ErroRemoto`` com a mensagem da spec), o tempo esgotado
  (``ErroTempoEsgotado``), o serviço fora do ar (``ErroIndisponivel``) e a resposta fora do
  contrato (``ErroContrato``);
- ``mock.py`` — ``MockRemoto``: a API remota em ``http.server`` no 127.0.0.1 (porta 0, numa
  thread), que confere rota, credencial e payload contra o contrato, grava cada requisição e
  responde o que o teste programar (ou um exemplo que segue o schema da resposta); sabe
  demorar além do timeout e sair do ar;

e ``tests/test_integracao_<conector>.py``: por endpoint, requisição e resposta validadas contra
os JSON Schemas, resposta fora do contrato recusada, cada erro declarado e um não declarado,
parâmetros inválidos recusados sem requisição; por conector, tempo esgotado, fora do ar,
credencial e cache; e um teste por caso do orçamento (id = nome do caso).

Como um caso vira teste (``CasoDeTeste.dado``):

- ``endpoint`` (reservada) escolhe o endpoint; sem ela, o único endpoint cujos parâmetros e
  campos do payload cobrem as chaves do caso; ``payload`` (reservada) é o corpo inteiro;
- as chaves listadas em ``cenarios`` do conector descrevem o mundo, não a requisição: o
  comportamento do remoto (``normal``, ``lenta`` — responde depois do timeout —, ``fora_do_ar``
  ou um status HTTP) e o estado do cache (``vazio``/``preenchido``);
- as demais são parâmetros do endpoint ou campos do payload; os que faltam recebem o
  ``exemplo`` do parâmetro (ou um valor do tipo) e o exemplo da forma do payload.

O resultado esperado vem da spec, calculado aqui: parâmetros que quebram as regras → erro de
validação com a mensagem da spec, sem requisição; cache preenchido num GET → o valor do cache,
sem requisição; remoto lento → tempo esgotado; fora do ar → indisponível; remoto normal → o que
os casos explícitos da spec dizem daquela mesma requisição (``espera`` com campos da resposta,
ou ``erro`` com a mensagem de um erro declarado), senão a resposta de exemplo do schema.
"""

from fabrica.desenvolvimento.workers.integracao.worker import WorkerIntegracao

__all__ = ["WorkerIntegracao"]
