"""One person, one name: whatever page, API or role they act through, fabrica records a person
as ``prometheus_site.atores.ator_de(user)`` (``usuario:<username>``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backlog.models import Evento, Item
from fabrica.models import Capacidade, Orcamento
from prometheus_site.atores import ator_de

pytestmark = pytest.mark.django_db


def test_cada_pessoa_aparece_com_um_nome_so(elenco, api_como, cliente_como, orcamento_bloqueado):
    admin, po, sistema = elenco["admin"], elenco["po"], elenco["sistema"]
    gaps = {g.recurso: g for g in orcamento_bloqueado.gaps.all()}

    # The admin resolves one gap over the API and the other in the Django admin.
    api = api_como("admin").post(reverse("api-capacidades"), {"tipo": "hardware", "nome": "gpu"}, format="json")
    assert api.status_code == 201, api.json()
    pagina = cliente_como("admin").post(
        reverse("admin:fabrica_capacidade_add"),
        {"tipo": "api_externa", "nome": "whisper_api", "descricao": "", "habilitada": "on"},
    )
    assert pagina.status_code == 302
    assert set(Capacidade.objects.values_list("registrada_por", flat=True)) == {ator_de(admin)}
    for gap in gaps.values():
        item = Item.objects.get(pk=gap.item_id)
        assert item.resultado["resolvido_por"] == ator_de(admin)
        assert Evento.objects.filter(item=item, tipo="resolvido").get().ator == ator_de(admin)

    # The PO approves on the page; a system submits a spec over the API.
    assert (
        cliente_como("po").post(reverse("orcamento-decidir", args=[orcamento_bloqueado.pk, "aprovar"])).status_code
        == 302
    )
    aprovacao = Item.objects.get(pk=orcamento_bloqueado.item_aprovacao_id)
    assert Orcamento.objects.get(pk=orcamento_bloqueado.pk).status == Orcamento.Status.APROVADO
    assert aprovacao.resultado["por"] == ator_de(po) and aprovacao.consumidor == ator_de(po)
    # Besides the broker and the factory's own workers (PROMETHEUS@host:pid), only the PO acted.
    pessoas = {e.ator for e in aprovacao.eventos.all() if not e.ator.startswith(("MS_Backlog", "PROMETHEUS"))}
    assert pessoas == {ator_de(po)}
    enviada = api_como("sistema").post(
        reverse("api-specs"), {"yaml": orcamento_bloqueado.spec.texto.replace("spec_001", "spec_009")}, format="json"
    )
    assert enviada.status_code == 201, enviada.json()
    assert enviada.json()["importado_por"] == ator_de(sistema)

    atores = set(Evento.objects.values_list("ator", flat=True))
    for pessoa in (admin, po):
        assert not {a for a in atores if a.endswith(f":{pessoa.username}") or a == pessoa.username} - {ator_de(pessoa)}
