"""processar_desenvolvimento: an approved budget becomes one release for the PO, with one test per
covering-array row and explicit case, progress on the way, and one release per item, rescued or not."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import timedelta

from django.utils import timezone

from backlog import services as backlog
from backlog.models import Item, Status
from fabrica.consumidor import processar_item, processar_proximo
from fabrica.decisoes.services import orcamento_aprovar
from fabrica.desenvolvimento.pacote import zip_da_release
from fabrica.models import Construcao, Release
from tests.apoio import TIPOS_INTERNOS, construir, desenvolver
from tests.fabrica import dubles


def test_orcamento_aprovado_vira_release_com_um_teste_por_caso(release_pronta, orcamento_pronto):
    release = release_pronta
    orcamento_pronto.refresh_from_db()
    assert release.rotulo_versao == "spec_002-v1" and release.tipo == Release.Tipo.NORMAL
    assert release.orcamento == orcamento_pronto
    assert (release.spec_commit, release.spec_sha256) == (orcamento_pronto.spec_commit, orcamento_pronto.spec_sha256)
    linhas = orcamento_pronto.casos_teste
    nomes = [c["nome"] for c in release.casos]
    assert nomes == [f"combinacao_{i:02d}" for i in range(1, len(linhas) + 1)] + ["caso_01", "caso_02", "caso_03"]
    assert len(linhas) == orcamento_pronto.teste["combinacoes_estimadas"]
    # each class replaced by its representative (schema_tdd.representantes of spec_002)
    primeira = release.casos[0]
    assert primeira["classes"] == linhas[0]
    assert set(primeira["dado"]) == {"idade", "renda_mensal", "restricao_cadastral", "risco"}
    for vertente in ("D", "E"):
        casos = sorted(t["caso"] for t in release.testes if t["vertente"] == vertente)
        assert casos == sorted(nomes)
    assert release.testes_passaram and release.cobertura_total == 100.0
    assert release.tentativas == []
    assert set(release.recursos) == {"D", "E"} and release.recursos["E"]["worker"].startswith("Duble")


def test_aprovar_release_leva_o_payload_do_seed(release_pronta):
    item = release_pronta.item_aprovacao
    assert item.tipo == "aprovar_release" and item.status == Status.PENDENTE
    contexto = item.contexto
    assert contexto["release_ref"] == "spec_002-v1"
    assert contexto["spec_ref"] == "spec_002"
    assert contexto["testes_passaram"] is True and contexto["cobertura"] == 100.0
    caminhos = {a["caminho"] for a in release_pronta.artefatos}
    assert set(contexto["artefatos"]) == caminhos
    assert {"README.md", "pyproject.toml", "requirements.txt", "spec_002/__init__.py"} <= caminhos
    origem = release_pronta.item_origem
    assert origem.status == Status.CONCLUIDO and origem.resultado["vertentes"] == ["D", "E"]
    # The release is packaged by the assembly, an internal item the desenvolvimento produced.
    montagem = Item.objects.get(pk=item.produzido_por_id)
    assert montagem.tipo == "montar_release" and montagem.produzido_por_id == origem.pk
    assert montagem.status == Status.CONCLUIDO and montagem.resultado["release_ref"] == "spec_002-v1"


def test_progresso_por_vertente_fica_registrado(release_pronta):
    construcao = Construcao.objects.get(item=release_pronta.item_origem)
    assert {v: e["estado"] for v, e in construcao.etapas.items()} == {"D": "concluida", "E": "concluida"}
    assert construcao.etapas["E"]["mensagem"] == "passou"


def test_progresso_e_visivel_enquanto_o_worker_trabalha(orcamento_pronto, elenco, workers, sandbox_rapido):
    vistos = []

    # E, the longer, is built first (by the worker that splits the build), then D.
    class Observador(dubles.WorkerDeTeste):
        vertente = "D"

        def gerar_codigo(self, entrada):
            vistos.append(dict(Construcao.objects.get(spec_ref="spec_002").etapas))
            return super().gerar_codigo(entrada)

    workers(Observador, dubles.worker("E"))
    desenvolver(orcamento_pronto, elenco["po"])
    assert vistos[0]["E"]["estado"] == "concluida"
    assert vistos[0]["D"]["estado"] == "gerando"


def test_o_zip_roda_os_testes_sem_o_prometheus(release_pronta, tmp_path):
    dados = zip_da_release(release_pronta.rotulo_versao, release_pronta.artefatos)
    assert dados == zip_da_release(release_pronta.rotulo_versao, release_pronta.artefatos)  # reproducible
    with zipfile.ZipFile(io.BytesIO(dados)) as arquivo:
        assert "spec_002-v1/README.md" in arquivo.namelist()
        arquivo.extractall(tmp_path)
    raiz = tmp_path / "spec_002-v1"
    leia_me = (raiz / "README.md").read_text()
    assert "pip install -r requirements.txt" in leia_me and ".venv/bin/pytest" in leia_me
    assert "pytest==" in (raiz / "requirements.txt").read_text()
    # what the README says, with this interpreter's packages standing in for `pip install`
    rodada = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django"],
        cwd=raiz,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rodada.returncode == 0, rodada.stdout + rodada.stderr
    assert f"{2 * len(release_pronta.casos)} passed" in rodada.stdout


def test_item_resgatado_constroi_uma_release_so(orcamento_pronto, elenco, workers, sandbox_rapido):
    workers(dubles.worker("D"), dubles.worker("E"))
    orcamento_aprovar(orcamento_id=orcamento_pronto.pk, por=elenco["po"])
    # a first consumer claims the item and dies before recording anything
    morto = backlog.consumir(tipos=["desenvolvimento"], consumidor="worker-morto")
    Item.objects.filter(pk=morto.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))
    assert backlog.resgatar_expirados() == 1
    release = construir(Item.objects.get(pk=morto.pk))
    assert release.item_origem_id == morto.pk
    # the dead consumer's redelivered task is refused (its lease is gone): nothing more is produced
    processar_item(morto)
    assert Release.objects.count() == 1
    assert Item.objects.filter(tipo__in=TIPOS_INTERNOS).count() == 3  # D, E, the assembly
    assert Item.objects.filter(tipo="aprovar_release").count() == 1


def test_vertente_resgatada_e_construida_uma_vez(orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch):
    """A node dies while building a vertente: its item is rescued and built by another, and the
    dead one's late conclusion records nothing."""
    from fabrica.desenvolvimento import services

    # The splitting worker builds E and stops there (not going on with D, as it would when no
    # other node took D first): D goes through the queue, to the node that dies.
    monkeypatch.setattr(services, "_vertente_seguinte", lambda vertente: None)
    workers(dubles.worker("D"), dubles.worker("E"))
    orcamento_aprovar(orcamento_id=orcamento_pronto.pk, por=elenco["po"])
    origem = Item.objects.get(tipo="desenvolvimento")
    assert processar_proximo(["desenvolvimento"]) == origem.pk
    morto = backlog.consumir(tipos=["worker_dados"], consumidor="PROMETHEUS@no-morto:1")
    Item.objects.filter(pk=morto.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))
    assert backlog.resgatar_expirados() == 1
    while processar_proximo(TIPOS_INTERNOS) is not None:
        pass
    release = Release.objects.get(item_origem=origem)
    processar_item(morto)  # the dead node's worker wakes up: its conclusion is refused
    vertente = Item.objects.get(pk=morto.pk)
    assert vertente.status == Status.CONCLUIDO and vertente.tentativas == 2
    assert vertente.consumidor.startswith("PROMETHEUS@") and vertente.consumidor != "PROMETHEUS@no-morto:1"
    assert Release.objects.count() == 1 and release.testes_passaram
    assert [t["vertente"] for t in release.testes].count("D") == len(release.casos)


def test_consumidor_que_perdeu_o_lease_nao_registra_release(
    orcamento_pronto, elenco, workers, sandbox_rapido, monkeypatch
):
    from fabrica.desenvolvimento import services

    # The assembly claimed here, not by the worker of the last vertente (_montar_se_liberada).
    monkeypatch.setattr(services, "_montar_se_liberada", lambda vertente: None)
    workers(dubles.worker("D"), dubles.worker("E"))
    orcamento_aprovar(orcamento_id=orcamento_pronto.pk, por=elenco["po"])
    assert processar_proximo(["desenvolvimento"]) is not None
    while processar_proximo([t for t in TIPOS_INTERNOS if t != "montar_release"]) is not None:
        pass
    lento = backlog.consumir(tipos=["montar_release"], consumidor="worker-lento")
    Item.objects.filter(pk=lento.pk).update(lease_expira_em=timezone.now() - timedelta(seconds=1))
    backlog.resgatar_expirados()
    outro = backlog.consumir(tipos=["montar_release"], consumidor="worker-novo")
    assert outro.pk == lento.pk
    processar_item(lento)  # packages, then its conclusion is refused: nothing recorded
    assert not Release.objects.exists()
    processar_item(outro)
    assert Release.objects.get().item_aprovacao.produzido_por_id == outro.pk
    item = Item.objects.get(pk=outro.pk)
    assert item.status == Status.CONCLUIDO and item.consumidor == "worker-novo"


def test_testes_que_falham_dao_release_com_testes_passaram_falso(orcamento_pronto, elenco, workers, sandbox_rapido):
    workers(dubles.worker("D"), dubles.worker("E", "nao_implementado"))
    release = desenvolver(orcamento_pronto, elenco["po"])
    assert release.testes_passaram is False
    assert release.item_aprovacao.contexto["testes_passaram"] is False
    assert [t["n"] for t in release.tentativas if t["vertente"] == "E"] == [1, 2, 3]
    assert release.pendencias == [{"vertente": "E", "descricao": "chaves: descrito só em linguagem natural"}]
    assert release.item_origem.status == Status.CONCLUIDO


def test_orcamento_desconhecido_falha_definitivamente_nomeando_o_campo(db, workers):
    item = backlog.produzir(
        tipo="desenvolvimento",
        produtor="MS_Produto",
        contexto={"spec_ref": "spec_002", "spec_recursos": {"id": 999999}},
    )
    processar_proximo(["desenvolvimento"])
    item.refresh_from_db()
    assert item.status == Status.FALHA
    assert "contexto.spec_recursos.id" in item.erro and "#999999" in item.erro


def test_vertente_sem_worker_nao_perde_o_item(orcamento_pronto, elenco, workers, sandbox_rapido):
    workers(dubles.worker("D"))  # no E worker registered
    release = desenvolver(orcamento_pronto, elenco["po"])
    assert not release.testes_passaram
    assert release.recursos["E"]["erro"].startswith("Nenhum worker registrado")
    assert release.item_origem.status == Status.CONCLUIDO
