"""An admin rolls an environment back on demand with a reason (recorded and evented); a rescued
item resumes its own record and finishes once; a record whose item will never resume is closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backlog import services as backlog
from backlog.models import Evento, Item, Status
from fabrica import contratos
from fabrica.consumidor import processar_proximo
from fabrica.erros import DadosInvalidos
from fabrica.implantacao import selectors
from fabrica.implantacao import services as servicos
from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.services import execucao
from tests.fabrica.implantacao.conftest import atual, implantar, processar, produzir_implantar

pytestmark = pytest.mark.django_db


@pytest.fixture
def tres(fazer_release, ambientes):
    releases = [fazer_release(n) for n in (1, 2, 3)]
    for release in releases:
        implantar(release)
    return releases


def test_admin_reverte_para_release_guardada_com_motivo(tres, ambientes, elenco):
    homologacao = ambientes["homologacao"]
    assert selectors.releases_para_reverter(homologacao, "spec_teste") == [tres[1], tres[0]]

    item = servicos.reversao_solicitar(
        ambiente_id=homologacao.pk,
        spec_ref="spec_teste",
        release_id=tres[0].pk,
        por=elenco["admin"],
        motivo="v3 e v2 vazam memória",
    )
    reversao = processar(item)

    assert reversao.tipo == Implantacao.Tipo.REVERSAO and reversao.status == Implantacao.Status.CONCLUIDA
    assert reversao.release == tres[0] and reversao.release_anterior == tres[2]
    assert reversao.motivo == "v3 e v2 vazam memória" and reversao.solicitado_por == "usuario:admin"
    assert reversao.aprovado_por == elenco["admin"]
    assert atual(homologacao) == "spec_teste-v1"
    eventos = list(Evento.objects.filter(item_id=item.pk).values_list("tipo", "ator"))
    assert eventos[0] == ("produzido", "usuario:admin")
    assert eventos[-1][0] == "concluido"
    assert item.prioridade == contratos.PRIORIDADE_REVERSAO


def test_reversao_recusada_com_o_campo(tres, ambientes, elenco):
    amb = ambientes["homologacao"].pk

    def pedir(**campos):
        dados = {
            "ambiente_id": amb,
            "spec_ref": "spec_teste",
            "release_id": tres[0].pk,
            "por": elenco["admin"],
            "motivo": "x",
        }
        with pytest.raises(DadosInvalidos) as recusa:
            servicos.reversao_solicitar(**{**dados, **campos})
        return recusa.value

    assert "motivo" in pedir(motivo=" ").campos
    assert "spec_ref" in pedir(spec_ref="outra_spec").campos
    assert "já é a que serve" in pedir(release_id=tres[2].pk).mensagem
    assert "release" in pedir(release_id=999999).campos
    ambientes["homologacao"].retencao = 2
    ambientes["homologacao"].save()
    implantar(tres[2])  # retention now keeps only v3 and v2
    assert "não está guardada" in pedir(release_id=tres[0].pk).mensagem
    assert not Item.objects.filter(tipo="implantar", contexto__has_key="reversao").exists()


def test_item_resgatado_retoma_o_proprio_registro_e_termina_uma_vez(fazer_release, ambientes):
    v1 = fazer_release(1)
    item = produzir_implantar(v1)
    # A first worker claims it, takes the environment, and dies before finishing.
    reservado = backlog.consumir(tipos=["implantar"], consumidor="worker-morto")
    pedido = execucao._pedido(reservado)
    registro = execucao._registro_aberto(reservado, pedido)
    from fabrica.implantacao.diario import Diario

    execucao._tomar_ambiente(registro.pk, Diario(registro.pk))
    Item.objects.filter(pk=item.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))
    assert backlog.resgatar_expirados() == 1

    assert processar_proximo(["implantar"]) == item.pk

    (impl,) = Implantacao.objects.filter(item=item)
    assert impl.pk == registro.pk and impl.status == Implantacao.Status.CONCLUIDA
    assert "Retomando a implantação interrompida" in impl.log
    assert Item.objects.filter(tipo="validar_implantacao").count() == 1
    item.refresh_from_db()
    assert item.status == Status.CONCLUIDO and item.tentativas == 2
    assert atual(ambientes["homologacao"]) == "spec_teste-v1"


def test_registro_abandonado_e_encerrado_e_libera_o_ambiente(fazer_release, ambientes):
    item = produzir_implantar(fazer_release(1))
    reservado = backlog.consumir(tipos=["implantar"], consumidor="worker-morto")
    registro = execucao._registro_aberto(reservado, execucao._pedido(reservado))
    from fabrica.implantacao.diario import Diario

    execucao._tomar_ambiente(registro.pk, Diario(registro.pk))
    backlog.falhar(item_id=item.pk, lease_token=reservado.lease_token, erro="desisti", definitivo=True)

    # Another deployment takes the environment over instead of waiting forever.
    outra = implantar(fazer_release(2))
    assert outra.status == Implantacao.Status.CONCLUIDA
    registro.refresh_from_db()
    assert registro.status == Implantacao.Status.FALHOU and "Abandonada" in registro.erro

    terceiro = produzir_implantar(fazer_release(3))
    reservado = backlog.consumir(tipos=["implantar"], consumidor="worker-morto")
    aberto = execucao._registro_aberto(reservado, execucao._pedido(reservado))
    backlog.cancelar(item_id=terceiro.pk, ator="admin", motivo="não vai mais")
    assert servicos.implantacoes_abandonadas_encerrar() == 1
    aberto.refresh_from_db()
    assert aberto.status == Implantacao.Status.FALHOU


def test_ambiente_ocupado_espera_e_depois_recusa_com_frase(fazer_release, ambientes, settings):
    settings.PROMETHEUS_IMPLANTACAO_ESPERA = 0
    primeiro = produzir_implantar(fazer_release(1))
    reservado = backlog.consumir(tipos=["implantar"], consumidor="worker-lento")
    registro = execucao._registro_aberto(reservado, execucao._pedido(reservado))
    from fabrica.implantacao.diario import Diario

    execucao._tomar_ambiente(registro.pk, Diario(registro.pk))
    segundo = produzir_implantar(fazer_release(2))

    assert processar_proximo(["implantar"]) == segundo.pk

    segundo.refresh_from_db()
    assert segundo.status == Status.PENDENTE  # retried by the backlog after its backoff
    assert f"O ambiente homologacao está ocupado com a implantação #{registro.pk} (spec_teste-v1)" in segundo.erro
    espera = Implantacao.objects.get(item=segundo)
    assert espera.status == Implantacao.Status.AGUARDANDO
    assert f"Aguardando a implantação #{registro.pk}" in espera.log
    assert primeiro.pk != segundo.pk
