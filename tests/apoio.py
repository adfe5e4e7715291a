"""Helpers shared by the test modules (fixtures live in the conftest files)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from backlog import services as backlog
from backlog.models import Item
from fabrica import contratos
from fabrica.consumidor import processar_proximo
from fabrica.models import Orcamento, Release, Spec

RAIZ_DO_PROJETO = Path(__file__).resolve().parents[1]
EXEMPLOS = RAIZ_DO_PROJETO / "examples" / "specs-repo" / "specs"


def orcar(spec_ref: str, produtor: str = "teste") -> Orcamento:
    """Produces an ``orcar_spec`` and runs the consumer inline, as a cluster worker would."""
    item = backlog.produzir(tipo="orcar_spec", produtor=produtor, contexto={"spec_ref": spec_ref})
    assert processar_proximo(["orcar_spec"]) == item.pk
    return Orcamento.objects.get(item_orcar=item)


def nova_versao(spec_ref: str, marca: str = "") -> Spec:
    """Imports a new version of a sample spec (its text with one more comment line), as a new
    commit of the spec repository would; it supersedes the open budget of the older version."""
    from fabrica.specs.services import spec_importar

    atual = Spec.objects.filter(spec_id=spec_ref).order_by("-id").first()
    texto = (atual.texto if atual else (EXEMPLOS / f"{spec_ref}.yaml").read_text(encoding="utf-8")) + (
        f"\n# versão nova {marca or Spec.objects.filter(spec_id=spec_ref).count() + 1}\n"
    )
    spec, criada = spec_importar(texto=texto, origem="git", commit="d0d0" * 10, caminho=f"specs/{spec_ref}.yaml")
    assert criada
    return spec


def copia_de(spec_ref: str, novo_id: str) -> Spec:
    """Imports a sample spec under another id: another spec with the same needs and numbers."""
    from fabrica.specs.services import spec_importar

    texto = (EXEMPLOS / f"{spec_ref}.yaml").read_text(encoding="utf-8")
    texto = re.sub(r"^id: .*$", f"id: {novo_id}", texto, count=1, flags=re.M)
    return spec_importar(texto=texto, origem="api")[0]


def orcar_copias(spec_ref: str, n: int, prefixo: str = "") -> list[Orcamento]:
    """``n`` open budgets of ``n`` copies of a sample spec (one budget per spec version)."""
    prefixo = prefixo or f"{spec_ref}_c"
    return [orcar(copia_de(spec_ref, f"{prefixo}{i}").spec_id) for i in range(n)]


def assert_forma_de_erro(resposta, status_http: int) -> dict:
    """Every 4xx: ``{"erro": "<sentence>", "campos": {"<path>": ["..."]}}``, as JSON."""
    assert resposta.status_code == status_http, resposta.content
    assert resposta["Content-Type"].startswith("application/json")
    corpo = json.loads(resposta.content)
    assert set(corpo) == {"erro", "campos"}
    assert isinstance(corpo["erro"], str) and len(corpo["erro"]) > 10
    assert isinstance(corpo["campos"], dict)
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in corpo["campos"].values())
    return corpo


def desenvolver(orcamento: Orcamento, por) -> Release:
    """Approves a budget as the PO and runs the ``desenvolvimento`` it produces inline."""
    from fabrica.decisoes.services import orcamento_aprovar

    orcamento_aprovar(orcamento_id=orcamento.pk, por=por)
    item = Item.objects.get(tipo="desenvolvimento", spec_ref=orcamento.spec_ref, status="Pendente")
    return construir(item)


TIPOS_INTERNOS = [str(t) for t in contratos.TIPOS_INTERNOS]


def construir(item: Item) -> Release:
    """Runs a ``desenvolvimento``/``corrigir_bug`` item inline as a node would: the item, then its
    internal items (one per vertente, then the assembly), until its release exists."""
    assert processar_proximo([item.tipo]) == item.pk
    for _ in range(20):
        if processar_proximo(TIPOS_INTERNOS) is None:
            break
    return Release.objects.get(item_origem=item)


def conceder(usuario, tipo: str, operacoes: str) -> None:
    """Grants ``usuario`` (not a role) the operations of ``tipo`` — P produce, C consume, F
    conclude — as an admin would in the access rules; the rule is created if the type had none."""
    from backlog import acesso
    from backlog.models import Concessao, RegraAcesso

    regra, _ = RegraAcesso.objects.get_or_create(tipo=tipo)
    Concessao.objects.update_or_create(
        regra=regra,
        usuario=usuario,
        defaults={"produzir": "P" in operacoes, "consumir": "C" in operacoes, "concluir": "F" in operacoes},
    )
    acesso.esquecer()
