"""A build as internal items (issue 20, seed §4.1): one per vertente and their assembly, joined by
the unblocking rule; PROMETHEUS's own types, which no token may use; the node's name on what it
processed; a vertente that cannot be built still ends in an honest release."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backlog.models import Item, Status
from fabrica.consumidor import processar_proximo
from fabrica.contratos import TIPOS_INTERNOS
from fabrica.decisoes.services import orcamento_aprovar
from fabrica.desenvolvimento import ciclo, services
from fabrica.desenvolvimento.sandbox import ErroSandbox
from fabrica.models import Construcao, Release
from tests.apoio import TIPOS_INTERNOS as TIPOS
from tests.apoio import construir
from tests.fabrica import dubles

_CONSTRUIR_A_MAIS_LONGA = services._construir_a_mais_longa
_VERTENTE_SEGUINTE = services._vertente_seguinte


@pytest.fixture(autouse=True)
def _so_repartir(monkeypatch):
    """These tests follow each internal item through the queue (the path of every vertente but
    the one the splitting worker takes itself, and of all of them when another worker took that
    one first): the split here only splits. ``test_quem_reparte_constroi_a_vertente_mais_longa``
    runs it whole; ``test_quem_conclui_uma_vertente_segue_com_outra_da_construcao`` the chain of
    a worker from one vertente to the next."""
    monkeypatch.setattr(services, "_construir_a_mais_longa", lambda gerados: None)
    monkeypatch.setattr(services, "_vertente_seguinte", lambda vertente: None)


def _repartido(orcamento, po) -> Item:
    orcamento_aprovar(orcamento_id=orcamento.pk, por=po)
    origem = Item.objects.get(tipo="desenvolvimento")
    assert processar_proximo(["desenvolvimento"]) == origem.pk
    return origem


def test_desenvolvimento_vira_um_item_por_vertente_e_a_montagem(orcamento_pronto, elenco, workers, sandbox_rapido):
    workers(dubles.worker("D"), dubles.worker("E"))
    origem = _repartido(orcamento_pronto, elenco["po"])

    internos = {i.tipo: i for i in Item.objects.filter(produzido_por=origem)}
    assert set(internos) == {"worker_dados", "worker_estrutura", "montar_release"}
    assert internos["worker_dados"].contexto["vertente"] == "D"
    assert internos["worker_estrutura"].contexto["spec_versao_id"] == orcamento_pronto.spec_id
    assert all(i.produtor == "PROMETHEUS" for i in internos.values())
    montagem = internos["montar_release"]
    assert montagem.status == Status.BLOQUEADO
    assert sorted(montagem.depende_de.values_list("pk", flat=True)) == sorted(
        internos[t].pk for t in ("worker_dados", "worker_estrutura")
    )

    # The first vertente concludes: the assembly still waits for the other.
    assert processar_proximo(["worker_dados"]) == internos["worker_dados"].pk
    montagem.refresh_from_db()
    assert montagem.status == Status.BLOQUEADO and not Release.objects.exists()
    # The last one concludes: the unblocking rule frees the assembly, and the same worker claims
    # it at once (not behind the cluster's queue) and packages the release.
    assert processar_proximo(["worker_estrutura"]) == internos["worker_estrutura"].pk
    montagem.refresh_from_db()
    assert montagem.status == Status.CONCLUIDO and montagem.desbloqueado_por_id == internos["worker_estrutura"].pk
    assert montagem.consumidor == Item.objects.get(pk=internos["worker_estrutura"].pk).consumidor
    assert processar_proximo(["montar_release"]) is None
    release = Release.objects.get(item_origem=origem)
    assert release.testes_passaram and {t["vertente"] for t in release.testes} == {"D", "E"}
    assert release.item_aprovacao.produzido_por_id == montagem.pk


def test_quem_reparte_constroi_a_vertente_mais_longa(orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch):
    """The worker that splits the build takes its longest vertente itself (E before D) with the
    backlog's claim, without waiting for the queue; the task dispatched for it finds it taken and
    builds nothing; the other vertente goes through the queue, and its worker packages the release."""
    monkeypatch.setattr(services, "_construir_a_mais_longa", _CONSTRUIR_A_MAIS_LONGA)
    construidas = []
    original = ciclo.desenvolver_vertente

    def contando(**kwargs):
        construidas.append(kwargs["vertente"])
        return original(**kwargs)

    monkeypatch.setattr(ciclo, "desenvolver_vertente", contando)
    workers(dubles.worker("D"), dubles.worker("E"))
    origem = _repartido(orcamento_pronto, elenco["po"])

    internos = {i.tipo: i for i in Item.objects.filter(produzido_por=origem)}
    origem.refresh_from_db()
    assert construidas == ["E"]
    assert internos["worker_estrutura"].status == Status.CONCLUIDO
    assert internos["worker_estrutura"].consumidor == origem.consumidor
    assert internos["worker_dados"].status == Status.PENDENTE
    assert internos["montar_release"].status == Status.BLOQUEADO
    assert processar_proximo(["worker_estrutura"]) is None  # its dispatched task: nothing to build
    assert processar_proximo(["worker_dados"]) == internos["worker_dados"].pk
    assert construidas == ["E", "D"]
    release = Release.objects.get(item_origem=origem)
    assert release.testes_passaram and {t["vertente"] for t in release.testes} == {"D", "E"}
    assert Item.objects.get(pk=internos["montar_release"].pk).status == Status.CONCLUIDO


def _contando_construcoes(monkeypatch) -> list[str]:
    construidas: list[str] = []
    original = ciclo.desenvolver_vertente

    def contando(**kwargs):
        construidas.append(kwargs["vertente"])
        return original(**kwargs)

    monkeypatch.setattr(ciclo, "desenvolver_vertente", contando)
    return construidas


def test_quem_conclui_uma_vertente_segue_com_outra_da_construcao(
    orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch
):
    """The worker that concluded D takes the build's other vertente, E, itself (the backlog's
    claim, with a lease of its own) instead of waiting for the cluster's next task, then the
    assembly that E freed; the tasks dispatched for them find nothing: each built once."""
    monkeypatch.setattr(services, "_vertente_seguinte", _VERTENTE_SEGUINTE)
    construidas = _contando_construcoes(monkeypatch)
    workers(dubles.worker("D"), dubles.worker("E"))
    origem = _repartido(orcamento_pronto, elenco["po"])

    internos = {i.tipo: i for i in Item.objects.filter(produzido_por=origem)}
    assert processar_proximo(["worker_dados"]) == internos["worker_dados"].pk
    assert construidas == ["D", "E"]
    for tipo in TIPOS:  # the dispatched tasks: nothing left to take
        assert processar_proximo([tipo]) is None
    feitos = {i.tipo: i for i in Item.objects.filter(produzido_por=origem)}
    assert all(i.status == Status.CONCLUIDO and i.tentativas == 1 for i in feitos.values())
    assert {i.consumidor for i in feitos.values()} == {feitos["worker_dados"].consumidor}
    assert feitos["worker_estrutura"].eventos.filter(tipo="consumido").count() == 1
    release = Release.objects.get(item_origem=origem)
    assert release.testes_passaram and {t["vertente"] for t in release.testes} == {"D", "E"}


def test_tarefa_de_uma_vertente_toma_a_primeira_vertente_da_fila(
    orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch
):
    """A vertente's task is a poke: a node's pusher may hold D's task while its workers are busy,
    and the free worker of another node that got E's task takes the build's first vertente in the
    queue's order (D, the shorter, queued first), not E; E's item is left to the next poke."""
    from fabrica import tasks

    construidas = _contando_construcoes(monkeypatch)
    workers(dubles.worker("D"), dubles.worker("E"))
    origem = _repartido(orcamento_pronto, elenco["po"])
    internos = {i.tipo: i for i in Item.objects.filter(produzido_por=origem)}
    assert internos["worker_dados"].pk < internos["worker_estrutura"].pk  # queued shortest first

    assert tasks.processar("worker_estrutura") == internos["worker_dados"].pk
    assert tasks.processar("worker_dados") == internos["worker_estrutura"].pk
    assert tasks.processar("worker_dados") is None
    assert construidas == ["D", "E"]
    assert Release.objects.filter(item_origem=origem).count() == 1
    assert tasks.processar("montar_release") is None  # packaged by the worker that concluded E


def test_a_corrente_nao_toma_vertente_que_espera_nova_tentativa(
    orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch
):
    """E waits out its retry delay: the worker that concluded D does not take it early (it is
    not claimable yet), nor does anything else; when the delay ends, the queue builds it."""
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr(services, "_vertente_seguinte", _VERTENTE_SEGUINTE)
    construidas = _contando_construcoes(monkeypatch)
    workers(dubles.worker("D"), dubles.worker("E"))
    origem = _repartido(orcamento_pronto, elenco["po"])
    e = Item.objects.get(tipo="worker_estrutura", produzido_por=origem)
    Item.objects.filter(pk=e.pk).update(disponivel_em=timezone.now() + timedelta(hours=1))

    assert processar_proximo(["worker_dados"]) is not None
    assert construidas == ["D"]
    e.refresh_from_db()
    assert e.status == Status.PENDENTE and e.tentativas == 0
    assert processar_proximo(TIPOS) is None

    Item.objects.filter(pk=e.pk).update(disponivel_em=None)
    assert processar_proximo(TIPOS) == e.pk
    assert construidas == ["D", "E"]
    assert Release.objects.filter(item_origem=origem).count() == 1


def test_o_no_fica_registrado_no_que_processou(orcamento_pronto, elenco, workers, sandbox_rapido, settings, client):
    settings.PROMETHEUS_NO = "no-a"
    workers(dubles.worker("D"), dubles.worker("E"))
    origem = _repartido(orcamento_pronto, elenco["po"])
    settings.PROMETHEUS_NO = "no-b"
    while processar_proximo(TIPOS) is not None:
        pass

    origem.refresh_from_db()
    assert origem.consumidor.startswith("PROMETHEUS@no-a:") and origem.resultado["no"] == "no-a"
    vertente = Item.objects.get(tipo="worker_dados", produzido_por=origem)
    assert vertente.consumidor.startswith("PROMETHEUS@no-b:") and vertente.resultado["no"] == "no-b"
    release = Release.objects.get(item_origem=origem)
    assert {v: r["no"] for v, r in release.recursos.items()} == {"D": "no-b", "E": "no-b"}
    assert {e["no"] for e in Construcao.objects.get(item=origem).etapas.values()} == {"no-b"}

    client.force_login(elenco["admin"])
    pagina = client.get(reverse("admin:backlog_item_changelist"))
    assert pagina.status_code == 200
    assert '<td class="field-no">no-a</td>' in pagina.content.decode()
    assert '<td class="field-no">no-b</td>' in pagina.content.decode()


def test_vertente_que_nao_pode_ser_construida_termina_com_o_motivo(
    orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch
):
    """The sandbox itself fails for E on every attempt: the backlog retries it, and when its
    attempts run out the item concludes with that failure; the release is still packaged, honest
    about it."""
    workers(dubles.worker("D"), dubles.worker("E"))
    original = ciclo.desenvolver_vertente

    def sem_sandbox_para_e(**kwargs):
        if kwargs["vertente"] == "E":
            raise ErroSandbox("bwrap: não foi possível criar o namespace")
        return original(**kwargs)

    monkeypatch.setattr(ciclo, "desenvolver_vertente", sem_sandbox_para_e)
    origem = _repartido(orcamento_pronto, elenco["po"])
    while processar_proximo(TIPOS) is not None:
        pass

    vertente = Item.objects.get(tipo="worker_estrutura", produzido_por=origem)
    assert vertente.status == Status.CONCLUIDO and vertente.tentativas == vertente.max_tentativas == 3
    assert vertente.resultado["falhou"] is True and "bwrap" in vertente.resultado["erro"]
    assert "bwrap" in vertente.erro
    falhas = list(vertente.eventos.filter(tipo="falha").order_by("pk").values_list("dados", flat=True))
    assert len(falhas) == 3 and falhas[-1]["concluido"] is True
    _release_honesta(origem, "ErroSandbox: bwrap")


def _release_honesta(origem: Item, motivo: str) -> Release:
    """E failed with ``motivo`` after its three attempts, D built: one release saying so."""
    release = Release.objects.get(item_origem=origem)
    assert not release.testes_passaram and release.item_aprovacao.contexto["testes_passaram"] is False
    assert "não foi construída após 3 tentativa(s)" in release.recursos["E"]["erro"]
    assert motivo in release.recursos["E"]["erro"]
    assert [t["nome"] for t in release.testes if t["vertente"] == "E"] == ["(construção)"]
    assert any(t["vertente"] == "D" and t["status"] == "passou" for t in release.testes)
    return release


def test_vertente_cujo_no_morre_na_ultima_tentativa_termina_com_o_motivo(
    orcamento_pronto, elenco, workers, sandbox_rapido
):
    """E's node dies on each of its attempts (its lease expires, the sweep rescues it): after the
    last, the sweep concludes it with that failure, which unblocks the assembly, and the release
    shows E failed with the lost lease as its reason, no admin needed."""
    from django.utils import timezone

    from backlog import services as backlog
    from fabrica import tasks

    workers(dubles.worker("D"), dubles.worker("E"))
    origem = _repartido(orcamento_pronto, elenco["po"])
    assert processar_proximo(["worker_dados"]) is not None
    vertente = Item.objects.get(tipo="worker_estrutura", produzido_por=origem)
    for tentativa in (1, 2, 3):
        tomado = backlog.consumir(tipos=["worker_estrutura"], consumidor=f"PROMETHEUS@no-morto:{tentativa}")
        assert tomado is not None and tomado.pk == vertente.pk
        Item.objects.filter(pk=vertente.pk).update(lease_expira_em=timezone.now())
        assert tasks.varrer()["resgatados"] == 1

    vertente.refresh_from_db()
    assert vertente.status == Status.CONCLUIDO and vertente.resultado["falhou"] is True
    assert vertente.resultado["tentativas"] == 3 and "no-morto:3" in vertente.resultado["erro"]
    montagem = Item.objects.get(tipo="montar_release", produzido_por=origem)
    assert montagem.status == Status.PENDENTE and montagem.desbloqueado_por_id == vertente.pk
    assert processar_proximo(["montar_release"]) == montagem.pk
    _release_honesta(origem, "Lease de PROMETHEUS@no-morto:3 expirou")


def test_falha_definitiva_de_vertente_tambem_termina_com_o_motivo(
    orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch
):
    """A vertente whose plan cannot be read (``ErroDefinitivo``): no retry, concluded at once
    with its reason; the other vertente and the release go on."""
    from fabrica.consumidor import ErroDefinitivo
    from fabrica.desenvolvimento import services

    workers(dubles.worker("D"), dubles.worker("E"))
    original = services._plano_fixado

    def sem_plano_para_e(item):
        if item.contexto.get("vertente") == "E":
            raise ErroDefinitivo("contexto.spec_versao_id: a versão não existe.")
        return original(item)

    monkeypatch.setattr(services, "_plano_fixado", sem_plano_para_e)
    origem = _repartido(orcamento_pronto, elenco["po"])
    vertente = Item.objects.get(tipo="worker_estrutura", produzido_por=origem)
    assert processar_proximo(["worker_estrutura"]) == vertente.pk
    vertente.refresh_from_db()
    assert vertente.status == Status.CONCLUIDO and vertente.tentativas == 1
    assert vertente.resultado == {
        "falhou": True,
        "erro": "ErroDefinitivo: contexto.spec_versao_id: a versão não existe.",
        "tentativas": 1,
    }
    while processar_proximo(TIPOS) is not None:
        pass
    release = Release.objects.get(item_origem=origem)
    assert "não foi construída após 1 tentativa(s): ErroDefinitivo" in release.recursos["E"]["erro"]


def test_correcao_tambem_vira_itens_internos(release_pronta, elenco):
    from fabrica.releases.services import release_rejeitar
    from tests.apoio import nova_versao

    release_rejeitar(release_id=release_pronta.pk, por=elenco["po"], motivo="menor de 18 aprovado")
    nova_versao("spec_002")  # without it (or a case) the rebuild is the same: nothing to fix
    item = Item.objects.get(tipo="corrigir_bug")
    hotfix = construir(item)
    assert hotfix.tipo == Release.Tipo.HOTFIX and hotfix.corrige == release_pronta
    assert set(Item.objects.filter(produzido_por=item).values_list("tipo", flat=True)) == {
        "worker_dados",
        "worker_estrutura",
        "montar_release",
    }


@pytest.mark.parametrize("tipo", [str(t) for t in TIPOS_INTERNOS])
@pytest.mark.parametrize("quem", ["sistema", "admin", "po"])
def test_nenhum_token_produz_nem_consome_itens_internos(api_como, elenco, tipo, quem):
    cliente = api_como(quem)
    contexto = {"spec_ref": "spec_002", "origem": 1, "spec_versao_id": 1, "orcamento_id": 1, "corrige_id": None}
    contexto |= {"vertentes": ["E"]} if tipo == "montar_release" else {"vertente": _letra(tipo)}
    resposta = cliente.post("/api/backlog/itens/", {"tipo": tipo, "contexto": contexto}, format="json")
    assert resposta.status_code == 403, resposta.content
    if quem != "po":  # the roles the broker grants other types: refused by this type's rule
        assert tipo in resposta.json()["campos"]["tipo"]
    resposta = cliente.post("/api/backlog/consumir/", {"tipos": [tipo], "consumidor": "intruso"}, format="json")
    assert resposta.status_code == 403
    assert not Item.objects.filter(tipo=tipo).exists()


def _letra(tipo: str) -> str:
    from fabrica.contratos import TIPO_DA_VERTENTE

    return next(v for v, t in TIPO_DA_VERTENTE.items() if t == tipo)
