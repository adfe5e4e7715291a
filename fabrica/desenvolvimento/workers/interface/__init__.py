"""Worker da vertente I (``spec_interface``): telas server-rendered em Django.

O que ele gera, sob ``<pacote>/interface/`` (um app Django que qualquer projeto inclui):

- ``forms.py`` — um ``Form`` por tela, um campo Django por campo da spec, com as validações
  dela (obrigatório, tipo, opções, ``restricoes``) e as mensagens em pt-BR desta fábrica;
- ``views.py``/``urls.py`` — uma view por tela (``GET`` mostra, ``POST`` valida e executa a ação
  escolhida); ``templates/<pacote>/interface/<tela>.html`` — o template Django de cada tela;
- ``acoes.py`` — o backend que as ações chamam (``endpoint`` + ``metodo`` da spec): HTTP por
  padrão, trocável nas settings;
- ``suporte_testes.py`` — um Django mínimo (``settings.configure``, sem banco) e um leitor de
  HTML, para os testes rodarem sem as settings de projeto nenhum.

Testes, planos em ``tests/test_interface_<tela>.py``: a tela renderiza os campos, rótulos e
ações da spec; enviar vazia mostra o erro de cada obrigatório; dados válidos são aceitos e
chegam ao endpoint da ação; CSRF é exigido; e um teste por caso do orçamento (id = o nome do
caso). O resultado esperado de cada caso vem da própria spec, calculado aqui (``erros_do_campo``),
independente do Django que o teste exercita.

Como um caso vira teste (``CasoDeTeste.dado``):

- chaves reservadas: ``tela`` (id da tela; sem ela, a única tela que tem todos os campos do
  caso), ``acao`` (nome da ação enviada; sem ela, a primeira ação com ``endpoint`` que não é
  ``GET``, depois qualquer uma com ``endpoint``, depois a primeira que só valida) e os
  parâmetros da URL da tela (``{id}`` dos endpoints das ações);
- as demais chaves são campos: o valor é o que o usuário digita (``null`` = deixou vazio; num
  ``arquivo``, o nome do arquivo enviado; num ``booleano``, marcado ou não). Campos obrigatórios
  que o caso não dá recebem o ``exemplo`` do campo (ou um valor válido do tipo);
- ``espera`` (casos explícitos): ``erro: {campo, mensagem}`` (ou uma lista deles), ``erros:
  {campo: mensagem | [mensagens]}``, ``tela: <id>`` (aceito e levado àquela tela) e ``valido:
  true|false``. Sem ``espera`` (linhas do arranjo), espera-se exatamente o que as regras dos
  campos dizem. Uma chave de ``espera`` que a interface não tem como observar torna o caso
  ``NaoTestavel``, com o motivo — nunca um teste que finge verificá-la.
"""

from fabrica.desenvolvimento.workers.interface.worker import WorkerInterface

__all__ = ["WorkerInterface"]
