"""The MS_Backlog contract (docs/arquitetura.md, "The backlog contract") through its services, on
both implementations of the hot
path: the SQL statements of ``backlog.sql`` (PostgreSQL) and the portable ORM path (the
``caminho`` fixture runs each test on both)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backlog import services
from backlog import tipos as registro
from backlog.erros import DadosInvalidos, ItemNaoEncontrado, LeaseInvalido, TransicaoInvalida
from backlog.models import Dependencia, Evento, Item, Status
from backlog.services import NovoItem
from tests.factories import DependenciaFactory, ItemComStatusFactory, ItemFactory

pytestmark = pytest.mark.django_db

DOR = {
    "sintoma": "Não há ambiente de homologação",
    "frequencia": "toda release",
    "afetados": ["PROMETHEUS"],
    "impacto": "Releases sem validação",
    "tentativas": ["usar produção"],
    "criterio_sucesso": "Ambiente de homologação disponível",
}


# --- helpers ------------------------------------------------------------------------------------


def produzir(tipo: str = "tarefa_teste", **kwargs) -> Item:
    kwargs.setdefault("produtor", "produtor-teste")
    return services.produzir(tipo=tipo, **kwargs)


def consumir(*tipos: str, consumidor: str = "consumidor-1", **kwargs) -> Item | None:
    return services.consumir(tipos=list(tipos or ["tarefa_teste"]), consumidor=consumidor, **kwargs)


def concluir(item: Item, **kwargs) -> Item:
    return services.concluir(item_id=item.pk, lease_token=item.lease_token, **kwargs)


def falhar(item: Item, erro: str = "deu errado") -> Item:
    return services.falhar(item_id=item.pk, lease_token=item.lease_token, erro=erro)


def atual(item: Item) -> Item:
    return Item.objects.get(pk=item.pk)


def tipos_de_evento(item: Item) -> list[str]:
    return list(Evento.objects.filter(item_id=item.pk).order_by("id").values_list("tipo", flat=True))


def contagens() -> tuple[int, int, int]:
    return Item.objects.count(), Dependencia.objects.count(), Evento.objects.count()


def expirar_lease(item: Item) -> None:
    """The consumer died: its lease ran out (the clock is simulated, never waited for)."""
    Item.objects.filter(pk=item.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))


def vencer_a_espera(item: Item) -> None:
    """The item's wait after a failure or a rescue is over (the clock is simulated). Keeps these
    tests about what they test; that an item with no backoff is claimable at once, also inside
    a transaction, is test_item_devolvido_a_fila_sem_espera_e_consumivel_de_novo_na_mesma_transacao."""
    Item.objects.filter(pk=item.pk).update(disponivel_em=timezone.now() - timedelta(hours=1))


# --- produzir -----------------------------------------------------------------------------------


def test_produzir_sem_dependencias_fica_pendente_com_evento(caminho):
    item = produzir(contexto={"a": 1}, prioridade=3)

    item = atual(item)
    assert item.status == Status.PENDENTE
    assert (item.contexto, item.prioridade, item.produtor) == ({"a": 1}, 3, "produtor-teste")
    assert item.tentativas == 0
    evento = Evento.objects.get(item=item)
    assert (evento.tipo, evento.ator, evento.dados["status"]) == ("produzido", "produtor-teste", "Pendente")


@pytest.mark.parametrize("status_dependencia", Status.values)
def test_produzir_fica_bloqueado_se_alguma_dependencia_nao_esta_concluida(caminho, status_dependencia):
    concluida = ItemComStatusFactory(status=Status.CONCLUIDO)
    outra = ItemComStatusFactory(status=status_dependencia)

    item = produzir(depende_de=[concluida.pk, outra.pk])

    esperado = Status.PENDENTE if status_dependencia == Status.CONCLUIDO else Status.BLOQUEADO
    assert atual(item).status == esperado
    assert sorted(atual(item).dependencias.values_list("depende_de_id", flat=True)) == [concluida.pk, outra.pk]


def test_produzir_valida_o_contexto_de_um_tipo_conhecido(caminho):
    antes = contagens()

    with pytest.raises(DadosInvalidos) as exc:
        produzir("orcar_spec", contexto={"outra_coisa": 1})

    assert list(exc.value.campos) == ["contexto.spec_ref"]
    assert contagens() == antes


def test_produzir_nomeia_o_campo_de_tipo_errado_no_contexto(caminho):
    with pytest.raises(DadosInvalidos) as exc:
        produzir("aprovar_release", contexto={"release_ref": "R-1", "cobertura": 150, "artefatos": "x"})

    assert set(exc.value.campos) == {"contexto.cobertura", "contexto.artefatos"}
    assert not Item.objects.exists()


def test_produzir_recusa_contexto_que_nao_e_objeto(caminho):
    with pytest.raises(DadosInvalidos) as exc:
        produzir("tipo_de_outro_sistema", contexto=["nao", "objeto"])

    assert "contexto" in exc.value.campos
    assert not Item.objects.exists()


def test_produzir_aceita_tipo_desconhecido_sem_validar_contexto(caminho):
    item = produzir("tipo_de_outro_sistema", contexto={"qualquer": ["coisa", 1]})

    assert atual(item).status == Status.PENDENTE
    assert atual(item).contexto == {"qualquer": ["coisa", 1]}


def test_produzir_recusa_dependencia_inexistente_sem_escrever_nada(caminho):
    existente = ItemComStatusFactory(status=Status.CONCLUIDO)
    antes = contagens()

    with pytest.raises(DadosInvalidos) as exc:
        produzir(depende_de=[existente.pk, 987654])

    assert exc.value.campos == {"depende_de": ["Itens inexistentes: #987654."]}
    assert contagens() == antes


def test_produzir_recusa_id_de_dependencia_alem_de_64_bits(caminho):
    with pytest.raises(DadosInvalidos) as exc:
        produzir(depende_de=[2**63])

    assert exc.value.campos == {"depende_de": [f"Itens inexistentes: #{2**63}."]}
    assert not Item.objects.exists()


def test_produzir_recusa_dependencia_repetida(caminho):
    dependencia = ItemComStatusFactory(status=Status.CONCLUIDO)

    with pytest.raises(DadosInvalidos) as exc:
        produzir(depende_de=[dependencia.pk, dependencia.pk])

    assert "depende_de" in exc.value.campos


@pytest.mark.parametrize("prioridade", [-40000, 40000])
def test_produzir_recusa_prioridade_fora_do_intervalo(caminho, prioridade):
    with pytest.raises(DadosInvalidos) as exc:
        produzir(prioridade=prioridade)

    assert "prioridade" in exc.value.campos


def test_produzir_copia_spec_ref_do_contexto(caminho):
    item = produzir("orcar_spec", contexto={"spec_ref": "SPEC-42"})

    assert atual(item).spec_ref == "SPEC-42"
    assert Item.objects.filter(spec_ref="SPEC-42").get() == item


def test_produzir_spec_ref_explicito_prevalece_sobre_o_contexto(caminho):
    item = produzir("orcar_spec", contexto={"spec_ref": "SPEC-42"}, spec_ref="SPEC-OUTRA")

    assert atual(item).spec_ref == "SPEC-OUTRA"


def test_produzir_usa_o_maximo_de_tentativas_do_tipo(caminho):
    registro.registrar_tipo("teste_uma_tentativa", {"type": "object"}, max_tentativas=1)

    assert produzir("teste_uma_tentativa").max_tentativas == 1
    assert produzir("tipo_sem_registro").max_tentativas == registro.MAX_TENTATIVAS_PADRAO


# --- consumir -----------------------------------------------------------------------------------


def test_consumir_por_prioridade_depois_pelo_mais_antigo(caminho):
    velho_baixa = produzir(prioridade=0)
    velho_alta = produzir(prioridade=5)
    novo_alta = produzir(prioridade=5)
    novo_baixa = produzir(prioridade=0)
    negativa = produzir(prioridade=-1)

    ordem = [consumir().pk for _ in range(5)]

    assert ordem == [velho_alta.pk, novo_alta.pk, velho_baixa.pk, novo_baixa.pk, negativa.pk]
    assert consumir() is None


def test_consumir_so_entrega_os_tipos_pedidos(caminho):
    outro = produzir("outro_tipo", prioridade=100)
    a = produzir("tipo_a", prioridade=1)
    b = produzir("tipo_b", prioridade=7)

    assert consumir("tipo_a", "tipo_b").pk == b.pk
    assert consumir("tipo_a", "tipo_b").pk == a.pk
    assert consumir("tipo_a", "tipo_b") is None
    assert atual(outro).status == Status.PENDENTE


def test_consumir_sem_nada_pendente_devolve_none(caminho):
    ItemComStatusFactory(status=Status.BLOQUEADO)
    ItemComStatusFactory(status=Status.CONCLUIDO)
    ItemComStatusFactory(status=Status.EM_PROCESSAMENTO)

    assert consumir() is None
    assert not Evento.objects.filter(tipo="consumido").exists()


def test_consumir_reserva_o_item_com_lease(caminho):
    produzido = produzir()

    item = consumir(consumidor="PROMETHEUS:worker-1", lease_segundos=600)

    assert item.pk == produzido.pk
    assert isinstance(item.lease_token, uuid.UUID)
    salvo = atual(item)
    assert salvo.status == Status.EM_PROCESSAMENTO
    assert (salvo.consumidor, salvo.tentativas, salvo.lease_token) == ("PROMETHEUS:worker-1", 1, item.lease_token)
    assert salvo.lease_expira_em - salvo.consumido_em == timedelta(seconds=600)
    evento = Evento.objects.filter(item=item).last()
    assert (evento.tipo, evento.ator, evento.dados) == ("consumido", "PROMETHEUS:worker-1", {"tentativa": 1})


def test_consumir_recusa_lista_de_tipos_vazia_e_consumidor_vazio(caminho):
    produzir()

    with pytest.raises(DadosInvalidos) as sem_tipos:
        services.consumir(tipos=[], consumidor="c")
    with pytest.raises(DadosInvalidos) as sem_consumidor:
        services.consumir(tipos=["tarefa_teste"], consumidor="")

    assert "tipos" in sem_tipos.value.campos
    assert "consumidor" in sem_consumidor.value.campos
    assert Item.objects.get().status == Status.PENDENTE


def test_item_falhado_com_backoff_nao_e_consumivel_antes_da_hora(caminho, settings):
    settings.PROMETHEUS_BACKOFF_SEGUNDOS = 60
    item = produzir()
    antes = timezone.now()
    falhar(consumir())

    falhado = atual(item)
    assert falhado.status == Status.PENDENTE
    assert falhado.disponivel_em >= antes + timedelta(seconds=60)
    assert consumir() is None

    # The backoff has passed; the next failure waits twice as long.
    Item.objects.filter(pk=item.pk).update(disponivel_em=timezone.now() - timedelta(hours=1))
    reservado = consumir()
    assert reservado.pk == item.pk
    antes = timezone.now()
    falhar(reservado)
    assert atual(item).disponivel_em >= antes + timedelta(seconds=120)
    assert consumir() is None


def test_item_em_backoff_nao_impede_outro_de_ser_consumido(caminho, settings):
    settings.PROMETHEUS_BACKOFF_SEGUNDOS = 60
    primeiro = produzir(prioridade=9)
    segundo = produzir(prioridade=0)
    falhar(consumir())

    assert consumir().pk == segundo.pk
    assert atual(primeiro).status == Status.PENDENTE


def test_reservar_um_item_escolhido(caminho):
    alvo = produzir(prioridade=-5)
    produzir(prioridade=5)

    item = services.reservar(item_id=alvo.pk, consumidor="po:1")

    assert (atual(item).status, atual(item).consumidor) == (Status.EM_PROCESSAMENTO, "po:1")
    with pytest.raises(TransicaoInvalida):
        services.reservar(item_id=alvo.pk, consumidor="po:2")


# --- concluir -----------------------------------------------------------------------------------


def test_concluir_pelo_dono_do_lease(caminho):
    produzir()
    item = consumir(consumidor="worker-7")

    concluido = concluir(item, resultado={"ok": True})

    assert concluido.status == Status.CONCLUIDO
    salvo = atual(item)
    assert (salvo.status, salvo.resultado) == (Status.CONCLUIDO, {"ok": True})
    assert salvo.concluido_em is not None
    assert (salvo.lease_token, salvo.lease_expira_em) == (None, None)
    evento = Evento.objects.filter(item=item).last()
    assert (evento.tipo, evento.ator) == ("concluido", "worker-7")


@pytest.mark.parametrize("token", [uuid.uuid4(), "nao-e-um-uuid", None])
def test_concluir_com_lease_errado_e_recusado_sem_mudar_nada(caminho, token):
    produzir()
    item = consumir()
    antes = contagens()

    with pytest.raises(LeaseInvalido) as exc:
        services.concluir(item_id=item.pk, lease_token=token, resultado={"ok": True})

    assert "lease_token" in exc.value.campos
    salvo = atual(item)
    assert (salvo.status, salvo.lease_token, salvo.resultado) == (Status.EM_PROCESSAMENTO, item.lease_token, None)
    assert contagens() == antes
    assert concluir(item).status == Status.CONCLUIDO


@pytest.mark.parametrize(
    "status", [Status.PENDENTE, Status.BLOQUEADO, Status.CONCLUIDO, Status.FALHA, Status.CANCELADO]
)
def test_concluir_fora_de_em_processamento_e_transicao_invalida(caminho, status):
    item = ItemComStatusFactory(status=status)
    antes = contagens()

    with pytest.raises(TransicaoInvalida) as exc:
        services.concluir(item_id=item.pk, lease_token=uuid.uuid4(), resultado={})

    assert not isinstance(exc.value, LeaseInvalido)
    assert exc.value.campos == {"status": [status]}
    assert atual(item).status == status
    assert contagens() == antes


def test_concluir_duas_vezes_e_recusado(caminho):
    produzir()
    item = consumir()
    concluir(item, resultado={"vez": 1})

    with pytest.raises(TransicaoInvalida):
        concluir(item, resultado={"vez": 2})

    assert atual(item).resultado == {"vez": 1}
    assert tipos_de_evento(item).count("concluido") == 1


@pytest.mark.parametrize("item_id", [987654, 2**63, 0])
def test_concluir_item_inexistente(caminho, item_id):
    with pytest.raises(ItemNaoEncontrado):
        services.concluir(item_id=item_id, lease_token=uuid.uuid4(), resultado={})


def test_concluir_recusa_resultado_que_nao_e_objeto(caminho):
    produzir()
    item = consumir()

    with pytest.raises(DadosInvalidos) as exc:
        concluir(item, resultado=["lista"])

    assert "resultado" in exc.value.campos
    assert atual(item).status == Status.EM_PROCESSAMENTO


def test_concluir_cria_os_itens_gerados_na_mesma_transacao(caminho):
    externo = produzir("dependencia_externa")
    produzir("orcar_spec", contexto={"spec_ref": "SPEC-1"})
    orcar = consumir("orcar_spec", consumidor="PROMETHEUS")

    concluir(
        orcar,
        resultado={"preco": 10},
        items_gerados=[
            NovoItem(tipo="entrevistar_dor", produtor="PROMETHEUS", contexto=DOR, spec_ref="SPEC-1"),
            NovoItem(
                tipo="aprovar_orcamento",
                produtor="PROMETHEUS",
                prioridade=4,
                contexto={"spec_ref": "SPEC-1", "spec_recursos": {}},
                depende_de_gerados=[0],
            ),
            NovoItem(tipo="tarefa_teste", produtor="PROMETHEUS", depende_de=[externo.pk]),
        ],
    )

    dor, orcamento, tarefa = Item.objects.filter(produzido_por=orcar.pk).order_by("id")
    assert atual(orcar).status == Status.CONCLUIDO
    assert (dor.tipo, dor.status, dor.spec_ref) == ("entrevistar_dor", Status.PENDENTE, "SPEC-1")
    assert (orcamento.tipo, orcamento.status, orcamento.prioridade) == ("aprovar_orcamento", Status.BLOQUEADO, 4)
    assert list(orcamento.dependencias.values_list("depende_de_id", flat=True)) == [dor.pk]
    assert tarefa.status == Status.BLOQUEADO
    assert list(tarefa.dependencias.values_list("depende_de_id", flat=True)) == [externo.pk]
    evento = Evento.objects.get(item=orcamento)
    assert (evento.tipo, evento.ator) == ("produzido", "PROMETHEUS")
    assert evento.dados["produzido_por"] == orcar.pk
    assert evento.dados["depende_de"] == [dor.pk]


def test_item_gerado_que_depende_do_proprio_item_concluido_ja_nasce_pendente(caminho):
    produzir()
    item = consumir()

    concluir(item, items_gerados=[NovoItem(tipo="seguinte", produtor="p", depende_de=[item.pk])])

    assert Item.objects.get(produzido_por=item.pk).status == Status.PENDENTE


@pytest.mark.parametrize(
    ("gerado", "campo"),
    [
        (NovoItem(tipo="orcar_spec", produtor="PROMETHEUS", contexto={}), "items_gerados[1].contexto.spec_ref"),
        (NovoItem(tipo="tarefa_teste", produtor="PROMETHEUS", depende_de=[987654]), "items_gerados[1].depende_de"),
        (
            NovoItem(tipo="tarefa_teste", produtor="PROMETHEUS", depende_de_gerados=[1]),
            "items_gerados[1].depende_de_gerados",
        ),
    ],
)
def test_item_gerado_invalido_desfaz_a_conclusao(caminho, gerado, campo):
    produzir()
    item = consumir()
    antes = contagens()

    with pytest.raises(DadosInvalidos) as exc:
        concluir(item, resultado={"ok": True}, items_gerados=[NovoItem(tipo="valido", produtor="PROMETHEUS"), gerado])

    assert campo in exc.value.campos
    salvo = atual(item)
    assert (salvo.status, salvo.lease_token, salvo.resultado) == (Status.EM_PROCESSAMENTO, item.lease_token, None)
    assert contagens() == antes
    # The holder can still conclude with a valid batch.
    concluir(item, items_gerados=[NovoItem(tipo="valido", produtor="PROMETHEUS")])
    assert atual(item).status == Status.CONCLUIDO


# --- falhar -------------------------------------------------------------------------------------


def test_falhar_volta_a_pendente_ate_esgotar_as_tentativas(caminho):
    item = produzir()
    vistos = []
    for tentativa in range(1, 4):
        vencer_a_espera(item)
        reservado = consumir()
        assert (reservado.pk, reservado.tentativas) == (item.pk, tentativa)
        falhar(reservado, erro=f"erro {tentativa}")
        salvo = atual(item)
        vistos.append((salvo.status, salvo.tentativas, salvo.erro))

    assert vistos == [
        (Status.PENDENTE, 1, "erro 1"),
        (Status.PENDENTE, 2, "erro 2"),
        (Status.FALHA, 3, "erro 3"),
    ]
    vencer_a_espera(item)
    assert consumir() is None
    falhas = list(Evento.objects.filter(item=item, tipo="falha").order_by("id").values_list("dados", flat=True))
    assert [f["tentativa"] for f in falhas] == [1, 2, 3]
    assert [f.get("definitiva", False) for f in falhas] == [False, False, True]


def test_falhar_respeita_o_maximo_do_tipo(caminho):
    registro.registrar_tipo("teste_uma_tentativa", {"type": "object"}, max_tentativas=1)
    item = produzir("teste_uma_tentativa")

    falhar(consumir("teste_uma_tentativa"))

    assert atual(item).status == Status.FALHA


def test_falha_final_de_tipo_que_a_conclui_desbloqueia_os_dependentes(caminho):
    """A type registered with ``falha_conclui`` (a part its dependents assemble): its last failed
    attempt concludes it with the failure as result, and the unblocking rule (every dependency
    ``Concluido``) frees the dependent, which waited for its outcome, not its success."""
    registro.registrar_tipo("teste_parte", {"type": "object"}, max_tentativas=2, falha_conclui=True)
    parte, outra = produzir("teste_parte"), produzir()
    todo = produzir("teste_todo", depende_de=[parte.pk, outra.pk])
    concluir(consumir())
    falhar(consumir("teste_parte"), erro="primeira")
    assert atual(parte).status == Status.PENDENTE

    falhar(consumir("teste_parte"), erro="segunda")

    parte = atual(parte)
    assert parte.status == Status.CONCLUIDO and parte.concluido_em is not None and parte.lease_token is None
    assert parte.resultado == {"falhou": True, "erro": "segunda", "tentativas": 2} and parte.erro == "segunda"
    assert atual(todo).status == Status.PENDENTE and atual(todo).desbloqueado_por_id == parte.pk
    assert tipos_de_evento(todo)[-1] == "desbloqueio"


def test_lease_expirado_na_ultima_tentativa_de_tipo_que_a_conclui(caminho):
    registro.registrar_tipo("teste_parte", {"type": "object"}, max_tentativas=1, falha_conclui=True)
    parte = produzir("teste_parte")
    todo = produzir("teste_todo", depende_de=[parte.pk])
    consumir("teste_parte", consumidor="no-morto")
    Item.objects.filter(pk=parte.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))

    assert services.resgatar_expirados() == 1

    parte = atual(parte)
    assert parte.status == Status.CONCLUIDO and parte.resultado["falhou"] is True
    assert "no-morto" in parte.resultado["erro"]
    assert Evento.objects.filter(item=parte, tipo="lease_expirado").get().dados["concluido"] is True
    assert atual(todo).status == Status.PENDENTE


def test_falhar_com_lease_errado_e_recusado(caminho):
    produzir()
    item = consumir()

    with pytest.raises(LeaseInvalido):
        services.falhar(item_id=item.pk, lease_token=uuid.uuid4(), erro="x")

    assert atual(item).status == Status.EM_PROCESSAMENTO
    assert "falha" not in tipos_de_evento(item)


def test_falhar_fora_de_em_processamento_e_recusado(caminho):
    item = produzir()

    with pytest.raises(TransicaoInvalida):
        services.falhar(item_id=item.pk, lease_token=uuid.uuid4(), erro="x")
    with pytest.raises(ItemNaoEncontrado):
        services.falhar(item_id=987654, lease_token=uuid.uuid4(), erro="x")

    assert tipos_de_evento(item) == ["produzido"]


def test_falhar_guarda_erro_com_caractere_nulo(caminho):
    produzir()
    item = consumir()

    falhar(item, erro="saída do processo:\x00\x00fim")

    assert atual(item).erro == "saída do processo:\ufffd\ufffdfim"
    assert Evento.objects.filter(item=item).last().dados["erro"] == atual(item).erro


def test_contexto_e_resultado_com_caractere_nulo_sao_recusados(caminho):
    with pytest.raises(DadosInvalidos) as no_contexto:
        produzir(contexto={"a": "\x00"})
    produzir()
    item = consumir()
    with pytest.raises(DadosInvalidos) as no_resultado:
        concluir(item, resultado={"b": ["\x00"]})

    assert list(no_contexto.value.campos) == ["contexto"]
    assert list(no_resultado.value.campos) == ["resultado"]
    assert atual(item).status == Status.EM_PROCESSAMENTO


@pytest.mark.parametrize("erro", ["", "   "])
def test_falhar_exige_a_descricao_do_erro(caminho, erro):
    produzir()
    item = consumir()

    with pytest.raises(DadosInvalidos) as exc:
        falhar(item, erro=erro)

    assert "erro" in exc.value.campos
    assert atual(item).status == Status.EM_PROCESSAMENTO


# --- cancelar, reenfileirar ---------------------------------------------------------------------

CANCELAVEIS = {Status.PENDENTE, Status.BLOQUEADO, Status.EM_PROCESSAMENTO, Status.FALHA}
REENFILEIRAVEIS = {Status.FALHA, Status.CANCELADO}


@pytest.mark.parametrize("status", Status.values)
def test_cancelar_conforme_a_tabela_de_transicoes(caminho, status):
    item = ItemComStatusFactory(status=status)

    if status in CANCELAVEIS:
        services.cancelar(item_id=item.pk, ator="admin:ana", motivo="spec retirada")
        salvo = atual(item)
        assert (salvo.status, salvo.lease_token, salvo.lease_expira_em) == (Status.CANCELADO, None, None)
        evento = Evento.objects.get(item=item)
        assert (evento.tipo, evento.ator, evento.dados) == ("cancelado", "admin:ana", {"motivo": "spec retirada"})
    else:
        with pytest.raises(TransicaoInvalida):
            services.cancelar(item_id=item.pk, ator="admin:ana")
        assert atual(item).status == status
        assert not Evento.objects.filter(item=item).exists()


@pytest.mark.parametrize("status", Status.values)
def test_reenfileirar_conforme_a_tabela_de_transicoes(caminho, status):
    item = ItemComStatusFactory(status=status, tentativas=3, disponivel_em=timezone.now() + timedelta(hours=1))

    if status in REENFILEIRAVEIS:
        services.reenfileirar(item_id=item.pk, ator="admin:ana")
        salvo = atual(item)
        assert (salvo.status, salvo.tentativas, salvo.disponivel_em) == (Status.PENDENTE, 0, None)
        assert tipos_de_evento(item) == ["reenfileirado"]
        assert consumir().pk == item.pk
    else:
        with pytest.raises(TransicaoInvalida):
            services.reenfileirar(item_id=item.pk, ator="admin:ana")
        assert atual(item).status == status
        assert not Evento.objects.filter(item=item).exists()


def test_as_tabelas_do_teste_sao_as_do_servico():
    assert services.TRANSICOES["cancelar"] == CANCELAVEIS
    assert services.TRANSICOES["reenfileirar"] == REENFILEIRAVEIS


def test_cancelar_e_reenfileirar_item_inexistente(caminho):
    with pytest.raises(ItemNaoEncontrado):
        services.cancelar(item_id=987654, ator="admin")
    with pytest.raises(ItemNaoEncontrado):
        services.reenfileirar(item_id=987654, ator="admin")


def test_reenfileirar_com_dependencia_pendente_volta_bloqueado(caminho):
    dependencia = produzir("dependencia")
    item = produzir(depende_de=[dependencia.pk])
    services.cancelar(item_id=item.pk, ator="admin")

    services.reenfileirar(item_id=item.pk, ator="admin")

    assert atual(item).status == Status.BLOQUEADO
    assert Evento.objects.filter(item=item).last().dados == {"status": Status.BLOQUEADO}


def test_cancelar_item_em_processamento_recusa_o_concluir_do_consumidor(caminho):
    produzir()
    item = consumir()
    services.cancelar(item_id=item.pk, ator="admin")

    with pytest.raises(TransicaoInvalida):
        concluir(item, resultado={"tarde": True})

    assert atual(item).status == Status.CANCELADO
    assert atual(item).resultado is None


# --- leases: resgatar_expirados, renovar_lease --------------------------------------------------


def test_resgatar_expirados_devolve_a_pendente_com_evento(caminho):
    produzir()
    produzir()
    morto = consumir(consumidor="worker-morto")
    vivo = consumir(consumidor="worker-vivo")
    expirar_lease(morto)

    assert services.resgatar_expirados() == 1

    salvo = atual(morto)
    assert (salvo.status, salvo.lease_token, salvo.consumidor) == (Status.PENDENTE, None, "worker-morto")
    assert "worker-morto" in salvo.erro
    evento = Evento.objects.filter(item=morto).last()
    assert (evento.tipo, evento.ator, evento.dados["tentativa"]) == ("lease_expirado", "MS_Backlog", 1)
    assert atual(vivo).status == Status.EM_PROCESSAMENTO
    assert services.resgatar_expirados() == 0


def test_resgatar_expirados_sem_tentativas_restantes_vai_a_falha(caminho):
    item = ItemComStatusFactory(status=Status.EM_PROCESSAMENTO, tentativas=3, max_tentativas=3)
    expirar_lease(item)

    services.resgatar_expirados()

    assert atual(item).status == Status.FALHA
    assert tipos_de_evento(item) == ["lease_expirado"]


def test_concluir_tardio_do_dono_antigo_e_recusado_depois_que_outro_pegou(caminho):
    produzir()
    antigo = consumir(consumidor="worker-morto")
    expirar_lease(antigo)
    services.resgatar_expirados()
    vencer_a_espera(antigo)
    novo = consumir(consumidor="worker-novo")
    assert novo.pk == antigo.pk

    with pytest.raises(LeaseInvalido):
        concluir(antigo, resultado={"de": "antigo"})
    with pytest.raises(LeaseInvalido):
        falhar(antigo)
    with pytest.raises(LeaseInvalido):
        services.renovar_lease(item_id=antigo.pk, lease_token=antigo.lease_token)

    salvo = atual(novo)
    assert (salvo.status, salvo.consumidor, salvo.lease_token) == (
        Status.EM_PROCESSAMENTO,
        "worker-novo",
        novo.lease_token,
    )
    concluir(novo, resultado={"de": "novo"})
    assert atual(novo).resultado == {"de": "novo"}
    assert tipos_de_evento(novo) == ["produzido", "consumido", "lease_expirado", "consumido", "concluido"]


def test_renovar_lease_empurra_a_expiracao(caminho):
    produzir()
    item = consumir(lease_segundos=60)
    antes = atual(item).lease_expira_em

    renovado = services.renovar_lease(item_id=item.pk, lease_token=item.lease_token, lease_segundos=3600)

    assert atual(item).lease_expira_em == renovado.lease_expira_em
    assert renovado.lease_expira_em > antes + timedelta(seconds=3000)
    assert atual(item).lease_token == item.lease_token


def test_renovar_lease_errado_ou_fora_de_processamento_e_recusado(caminho):
    produzir()
    item = consumir()
    antes = atual(item).lease_expira_em

    with pytest.raises(LeaseInvalido):
        services.renovar_lease(item_id=item.pk, lease_token=uuid.uuid4())
    assert atual(item).lease_expira_em == antes

    concluir(item)
    with pytest.raises(TransicaoInvalida):
        services.renovar_lease(item_id=item.pk, lease_token=item.lease_token)
    with pytest.raises(ItemNaoEncontrado):
        services.renovar_lease(item_id=987654, lease_token=item.lease_token)


def test_lease_renovado_nao_e_resgatado(caminho):
    produzir()
    item = consumir()
    expirar_lease(item)

    services.renovar_lease(item_id=item.pk, lease_token=item.lease_token)

    assert services.resgatar_expirados() == 0
    assert concluir(item).status == Status.CONCLUIDO


# --- resolver -----------------------------------------------------------------------------------


def test_resolver_conclui_um_gap_pendente_e_desbloqueia(caminho):
    gap = produzir("entrevistar_dor", contexto=DOR)
    orcamento = produzir("aprovar_orcamento", contexto={"spec_ref": "S", "spec_recursos": {}}, depende_de=[gap.pk])

    services.resolver(item_id=gap.pk, resultado={"capacidade": "homologacao"}, ator="admin:ana")

    assert (atual(gap).status, atual(gap).resultado) == (Status.CONCLUIDO, {"capacidade": "homologacao"})
    assert tipos_de_evento(gap) == ["produzido", "resolvido"]
    assert (atual(orcamento).status, atual(orcamento).desbloqueado_por_id) == (Status.PENDENTE, gap.pk)


def test_resolver_item_em_processamento_tira_o_lease_do_consumidor(caminho):
    produzir()
    item = consumir()

    services.resolver(item_id=item.pk, resultado={}, ator="admin")

    with pytest.raises(TransicaoInvalida):
        concluir(item)
    assert atual(item).lease_token is None


@pytest.mark.parametrize("status", [Status.BLOQUEADO, Status.CONCLUIDO, Status.FALHA, Status.CANCELADO])
def test_resolver_recusa_os_outros_status(caminho, status):
    item = ItemComStatusFactory(status=status)

    with pytest.raises(TransicaoInvalida):
        services.resolver(item_id=item.pk, resultado={}, ator="admin")

    assert atual(item).status == status


# --- unblocking (docs/arquitetura.md, "The backlog contract": concluir) ----------------------


def test_exemplo_3_3_orcamento_espera_os_dois_gaps(caminho):
    produzir("orcar_spec", contexto={"spec_ref": "SPEC-7"})
    orcar = consumir("orcar_spec", consumidor="PROMETHEUS")
    concluir(
        orcar,
        resultado={"gaps": 2},
        items_gerados=[
            NovoItem(tipo="entrevistar_dor", produtor="PROMETHEUS", contexto={**DOR, "recurso": "homologacao"}),
            NovoItem(tipo="entrevistar_dor", produtor="PROMETHEUS", contexto={**DOR, "recurso": "fila"}),
            NovoItem(
                tipo="aprovar_orcamento",
                produtor="PROMETHEUS",
                depende_de_gerados=[0, 1],
                contexto={"spec_ref": "SPEC-7", "spec_recursos": {"gaps": 2}},
            ),
        ],
    )
    orcamento = Item.objects.get(tipo="aprovar_orcamento")
    assert orcamento.status == Status.BLOQUEADO
    assert consumir("aprovar_orcamento", consumidor="MS_Produto") is None

    primeiro = consumir("entrevistar_dor", consumidor="MS_Produto")
    concluir(primeiro, resultado={"resolvido": True})
    assert atual(orcamento).status == Status.BLOQUEADO
    assert atual(orcamento).desbloqueado_em is None

    segundo = consumir("entrevistar_dor", consumidor="MS_Produto")
    concluir(segundo, resultado={"resolvido": True})

    orcamento = atual(orcamento)
    assert orcamento.status == Status.PENDENTE
    assert orcamento.desbloqueado_em is not None
    assert orcamento.desbloqueado_por_id == segundo.pk
    assert tipos_de_evento(orcamento) == ["produzido", "desbloqueio"]
    desbloqueio = Evento.objects.get(item=orcamento, tipo="desbloqueio")
    assert desbloqueio.dados == {"desbloqueado_por": segundo.pk}
    assert consumir("aprovar_orcamento", consumidor="MS_Produto").pk == orcamento.pk


def test_diamante_de_dependencias(caminho):
    a = produzir("diamante_a")
    b = produzir("diamante_b", depende_de=[a.pk])
    c = produzir("diamante_c", depende_de=[a.pk])
    d = produzir("diamante_d", depende_de=[b.pk, c.pk])

    def estados() -> list[str]:
        return [atual(x).status for x in (a, b, c, d)]

    assert estados() == ["Pendente", "Bloqueado", "Bloqueado", "Bloqueado"]
    assert consumir("diamante_b", "diamante_c", "diamante_d") is None

    concluir(consumir("diamante_a"))
    assert estados() == ["Concluido", "Pendente", "Pendente", "Bloqueado"]
    assert (atual(b).desbloqueado_por_id, atual(c).desbloqueado_por_id) == (a.pk, a.pk)

    concluir(consumir("diamante_b"))
    assert estados() == ["Concluido", "Concluido", "Pendente", "Bloqueado"]
    assert consumir("diamante_d") is None

    concluir(consumir("diamante_c"))
    assert estados() == ["Concluido", "Concluido", "Concluido", "Pendente"]
    assert atual(d).desbloqueado_por_id == c.pk
    assert Evento.objects.filter(tipo="desbloqueio", item=d).count() == 1


def test_dependente_de_item_falhado_ou_cancelado_continua_bloqueado(caminho):
    dependencia = produzir("dependencia")
    item = produzir(depende_de=[dependencia.pk])
    services.cancelar(item_id=dependencia.pk, ator="admin")

    assert atual(item).status == Status.BLOQUEADO
    assert consumir() is None


def test_desbloquear_orfaos_repara_bloqueados_sem_pendencias(caminho):
    dependencia = DependenciaFactory(depende_de=ItemComStatusFactory(status=Status.CONCLUIDO))
    ainda_preso = DependenciaFactory()

    assert services.desbloquear_orfaos() == 1

    assert atual(dependencia.item).status == Status.PENDENTE
    assert atual(dependencia.item).desbloqueado_por_id == dependencia.depende_de_id
    assert atual(ainda_preso.item).status == Status.BLOQUEADO


# --- the audit trail ----------------------------------------------------------------------------


def test_cada_transicao_de_um_ciclo_completo_escreve_seu_evento(caminho):
    dependencia = produzir("dependencia")
    item = produzir(depende_de=[dependencia.pk])
    concluir(consumir("dependencia"))
    falhar(consumir(consumidor="worker-1"), erro="timeout")
    vencer_a_espera(item)
    expirar_lease(consumir(consumidor="worker-2"))
    services.resgatar_expirados()
    vencer_a_espera(item)
    reservado = consumir(consumidor="worker-3")
    falhar(reservado, erro="de novo")
    services.reenfileirar(item_id=item.pk, ator="admin")
    concluir(consumir(consumidor="worker-4"))

    eventos = list(Evento.objects.filter(item=item).order_by("id").values_list("tipo", "ator"))
    assert eventos == [
        ("produzido", "produtor-teste"),
        ("desbloqueio", "MS_Backlog"),
        ("consumido", "worker-1"),
        ("falha", "worker-1"),
        ("consumido", "worker-2"),
        ("lease_expirado", "MS_Backlog"),
        ("consumido", "worker-3"),
        ("falha", "worker-3"),
        ("reenfileirado", "admin"),
        ("consumido", "worker-4"),
        ("concluido", "worker-4"),
    ]
    assert all(e.criado_em is not None for e in Evento.objects.filter(item=item))


def test_item_devolvido_a_fila_sem_espera_e_consumivel_de_novo_na_mesma_transacao(caminho):
    """With no backoff a failed or rescued item is claimable at once, on both paths, also inside
    a caller's transaction (as every test runs): the claim must compare ``disponivel_em``, set
    from the application's clock, with that clock, not with PostgreSQL's ``now()``, which is
    the start of the transaction, before the failure."""
    item = produzir()
    falhar(consumir())
    assert consumir().pk == item.pk
    expirar_lease(atual(item))
    services.resgatar_expirados()

    assert consumir().tentativas == 3


# --- constant number of queries -----------------------------------------------------------------


def _raiz_com_dependentes(n: int, tipo: str) -> tuple[Item, list[Item]]:
    raiz = produzir(tipo)
    dependentes = [produzir(f"{tipo}_dependente", depende_de=[raiz.pk]) for _ in range(n)]
    return consumir(tipo), dependentes


def test_concluir_com_100_dependentes_custa_o_mesmo_que_com_1(caminho, django_assert_num_queries):
    raiz_1, _ = _raiz_com_dependentes(1, "raiz_um")
    raiz_100, dependentes = _raiz_com_dependentes(100, "raiz_cem")

    with CaptureQueriesContext(connection) as com_um:
        concluir(raiz_1)
    with django_assert_num_queries(len(com_um)):
        concluir(raiz_100)

    assert Item.objects.filter(pk__in=[d.pk for d in dependentes], status=Status.PENDENTE).count() == 100
    assert Evento.objects.filter(tipo="desbloqueio", item__in=dependentes).count() == 100


@pytest.mark.postgres
def test_concluir_com_itens_gerados_custa_o_mesmo_com_1_ou_100(caminho, django_assert_num_queries):
    """PostgreSQL only: SQLite caps the parameters of a statement, so its bulk inserts of wide
    rows go in batches of about 50."""
    dependencia = ItemComStatusFactory(status=Status.CONCLUIDO)
    produzir("lote_um")
    produzir("lote_cem")

    def lote(n: int) -> list[NovoItem]:
        return [NovoItem(tipo="gerado", produtor="p", depende_de=[dependencia.pk]) for _ in range(n)]

    with CaptureQueriesContext(connection) as com_um:
        concluir(consumir("lote_um"), items_gerados=lote(1))
    with django_assert_num_queries(len(com_um)):
        concluir(consumir("lote_cem"), items_gerados=lote(100))

    assert Item.objects.filter(tipo="gerado").count() == 101


# --- what the database itself refuses -----------------------------------------------------------


def test_dependencia_para_item_mais_novo_e_recusada_pelo_banco():
    velho = ItemFactory()
    novo = ItemFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Dependencia.objects.create(item=velho, depende_de=novo)


def test_dependencia_de_si_mesmo_e_recusada_pelo_banco():
    item = ItemFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Dependencia.objects.create(item=item, depende_de=item)


def test_dependencia_repetida_e_recusada_pelo_banco():
    dependencia = DependenciaFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Dependencia.objects.create(item=dependencia.item, depende_de=dependencia.depende_de)


def test_em_processamento_sem_lease_e_recusado_pelo_banco():
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(status=Status.EM_PROCESSAMENTO)


def test_status_desconhecido_e_recusado_pelo_banco():
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(status="Perdido")
