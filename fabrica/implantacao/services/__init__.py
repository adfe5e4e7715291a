"""Deployment (docs/implantacao.md): an approved release goes to an environment through its
target, the PO validates it, it is promoted to the next environment or rolled back.

Guarantees:
- Deployments to one environment never interleave. The environment's row is locked
  (``select_for_update``) to check and take it; a deployment holds it while its record is
  ``EmAndamento`` (at most one per environment: a database constraint), and the next one waits for
  it, then is refused with a sentence if it waited too long (its item is retried by the backlog).
  The slow work itself runs outside any transaction.
- An ``implantar`` item makes one record, finished once: a rescued item (its worker was killed)
  resumes its own record, and a record is finished in the same transaction that concludes (or
  fails) its item and produces ``validar_implantacao``.
- What served before a failed deployment still serves (each target's promise).
- Every decision (validate, refuse, promote, roll back) is made once, by whom the environment
  allows, and recorded with who, when and why.

One module per job: ``regras`` (what a deploy must meet), ``execucao`` (the ``implantar``
handler: lock, target, retention), ``decisoes`` (the PO's decisions and rollbacks), ``falhas`` (a failed deployment's decision), ``ambientes``
(editing an environment); the lookups are in ``fabrica.implantacao.selectors``. This package is
the door the views, the API, the admin and the tasks call.
"""

from fabrica.implantacao.services.ambientes import (
    CAMPOS_DO_AMBIENTE,
    CAMPOS_EDITAVEIS_DO_AMBIENTE,
    ambiente_salvar,
    erros_do_ambiente,
)
from fabrica.implantacao.services.decisoes import (
    implantacao_dispensar_promocao,
    implantacao_promover,
    implantacao_validar,
    reversao_solicitar,
)
from fabrica.implantacao.services.execucao import (
    AmbienteOcupado,
    implantacoes_abandonadas_encerrar,
    processar_implantar,
    retencao_de,
)
from fabrica.implantacao.services.falhas import (
    LINHAS_DA_FALHA,
    Falha,
    erro_da_falha,
    falha_registrar,
    falha_travar,
    falhas_da_release_superar,
    implantacao_repetir,
    trecho_da_falha,
)
from fabrica.implantacao.services.regras import (
    aprovador_do_ambiente,
    exigir_ambiente_padrao,
    exigir_aprovador,
    exigir_pode_implantar,
    item_implantar_preparar,
)

__all__ = [
    "CAMPOS_DO_AMBIENTE",
    "CAMPOS_EDITAVEIS_DO_AMBIENTE",
    "LINHAS_DA_FALHA",
    "AmbienteOcupado",
    "Falha",
    "erro_da_falha",
    "falha_registrar",
    "falha_travar",
    "falhas_da_release_superar",
    "implantacao_repetir",
    "trecho_da_falha",
    "ambiente_salvar",
    "aprovador_do_ambiente",
    "implantacoes_abandonadas_encerrar",
    "erros_do_ambiente",
    "exigir_ambiente_padrao",
    "exigir_aprovador",
    "exigir_pode_implantar",
    "implantacao_dispensar_promocao",
    "implantacao_promover",
    "implantacao_validar",
    "item_implantar_preparar",
    "processar_implantar",
    "retencao_de",
    "reversao_solicitar",
]
