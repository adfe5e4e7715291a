"""Specs live in git (docs/arquitetura.md, "Specs"): read at a commit with dulwich, imported by
``sincronizar_specs``
(and the admin action), and the commit plus the content's sha256 recorded on what is priced."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from dulwich import porcelain

from backlog import services as backlog
from fabrica.consumidor import processar_proximo
from fabrica.models import Orcamento, Spec
from fabrica.specs.repositorio import RepositorioInvalido, criar_de_pasta, datas_dos_commits, ler_specs

EXEMPLO = Path(__file__).resolve().parents[2] / "examples" / "specs-repo"
ARQUIVOS = [f"specs/spec_00{i}.yaml" for i in range(1, 6)]
AUTOR = b"Teste <teste@localhost>"


@pytest.fixture
def repo(tmp_path) -> tuple[Path, str]:
    """The sample spec repository as a fresh git repository: (path, sha of its one commit)."""
    caminho = tmp_path / "specs-repo"
    return caminho, criar_de_pasta(EXEMPLO, caminho)


def commitar(caminho: Path, arquivos: dict[str, str], mensagem: str, em: datetime | None = None) -> str:
    for nome, texto in arquivos.items():
        (caminho / nome).write_text(texto, encoding="utf-8")
    porcelain.add(str(caminho), [str(caminho / nome) for nome in arquivos])
    quando = {"commit_timestamp": em.timestamp(), "commit_timezone": 0} if em else {}
    return porcelain.commit(str(caminho), message=mensagem.encode(), author=AUTOR, committer=AUTOR, **quando).decode()


def sincronizar(caminho: Path) -> tuple[str, str]:
    saida, erros = StringIO(), StringIO()
    call_command("sincronizar_specs", "--repo", str(caminho), stdout=saida, stderr=erros)
    return saida.getvalue(), erros.getvalue()


# --- reading the repository --------------------------------------------------------------------


def test_criar_de_pasta_e_ler_specs(repo):
    caminho, sha = repo
    assert (caminho / ".git").is_dir() and len(sha) == 40
    commit, arquivos = ler_specs(caminho)
    assert commit == sha
    assert [nome for nome, _ in arquivos] == ARQUIVOS
    for nome, texto in arquivos:
        assert texto == (EXEMPLO / nome).read_text(encoding="utf-8")


def test_ler_specs_le_o_commit_e_nao_a_copia_de_trabalho(repo):
    caminho, sha = repo
    (caminho / "specs" / "spec_002.yaml").write_text("id: mexido_sem_commit\n", encoding="utf-8")
    (caminho / "specs" / "spec_009.yaml").write_text("id: spec_009\n", encoding="utf-8")
    commit, arquivos = ler_specs(caminho)
    assert commit == sha
    assert [nome for nome, _ in arquivos] == ARQUIVOS
    assert dict(arquivos)["specs/spec_002.yaml"] == (EXEMPLO / "specs" / "spec_002.yaml").read_text(encoding="utf-8")


def test_ler_specs_num_commit_anterior(repo):
    caminho, primeiro = repo
    segundo = commitar(caminho, {"specs/spec_002.yaml": "id: spec_002\n"}, "quebra spec_002")
    assert ler_specs(caminho)[0] == segundo
    assert dict(ler_specs(caminho)[1])["specs/spec_002.yaml"] == "id: spec_002\n"
    commit, arquivos = ler_specs(caminho, primeiro)
    assert commit == primeiro
    assert dict(arquivos)["specs/spec_002.yaml"].startswith("# Sem gaps")


def test_ler_specs_ignora_o_que_nao_e_yaml_de_specs(repo):
    caminho, _ = repo
    (caminho / "outros").mkdir()
    commitar(caminho, {"specs/LEIAME.md": "# não é spec", "outros/spec_009.yaml": "id: spec_009\n"}, "extras")
    assert [nome for nome, _ in ler_specs(caminho)[1]] == ARQUIVOS


def test_data_do_commit_que_mudou_cada_arquivo(repo):
    """Where DORA's lead time starts: the date of the last commit that changed the spec's file,
    not of the HEAD the import read (a later commit that did not touch it)."""
    caminho, _ = repo
    janeiro, fevereiro = datetime(2026, 1, 10, 9, 30, tzinfo=UTC), datetime(2026, 2, 20, 15, 0, tzinfo=UTC)
    commitar(caminho, {"specs/spec_002.yaml": "id: spec_002\n"}, "muda spec_002", em=janeiro)
    head = commitar(caminho, {"specs/spec_003.yaml": "id: spec_003\n"}, "muda spec_003", em=fevereiro)
    datas = datas_dos_commits(caminho, head, ["specs/spec_002.yaml", "specs/spec_003.yaml", "specs/nao_existe.yaml"])
    assert datas == {"specs/spec_002.yaml": janeiro, "specs/spec_003.yaml": fevereiro}


def test_commit_inexistente(repo):
    with pytest.raises(RepositorioInvalido, match="não tem o commit"):
        ler_specs(repo[0], "0" * 40)


# --- sincronizar_specs -------------------------------------------------------------------------


def test_sincronizar_importa_as_cinco_com_o_commit(db, repo):
    caminho, sha = repo
    saida, erros = sincronizar(caminho)
    assert erros == ""
    assert sha[:10] in saida and "5 importada(s)" in saida
    specs = list(Spec.objects.order_by("spec_id"))
    assert [s.spec_id for s in specs] == ["spec_001", "spec_002", "spec_003", "spec_004", "spec_005"]
    for spec in specs:
        texto = (EXEMPLO / "specs" / f"{spec.spec_id}.yaml").read_text(encoding="utf-8")
        assert spec.commit == sha
        assert spec.sha256 == hashlib.sha256(texto.encode()).hexdigest()
        assert (spec.origem, spec.caminho, spec.importado_por) == ("git", f"specs/{spec.spec_id}.yaml", "PROMETHEUS")
        assert spec.texto == texto
        assert spec.commit_em is not None and spec.commit_em <= spec.criado_em  # the commit came first


def test_sincronizar_de_novo_nao_duplica(db, repo):
    sincronizar(repo[0])
    saida, _ = sincronizar(repo[0])
    assert "0 importada(s)" in saida and "5 inalterada(s)" in saida
    assert Spec.objects.count() == 5


def test_mudanca_commitada_cria_versao_so_daquela_spec(db, repo):
    caminho, primeiro = repo
    sincronizar(caminho)
    antes = {s.spec_id: s.pk for s in Spec.objects.all()}
    arquivo = caminho / "specs" / "spec_003.yaml"
    texto = arquivo.read_text(encoding="utf-8").replace("\ntitulo: ", "\ntitulo: (v2) ", 1)
    marco = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    segundo = commitar(caminho, {"specs/spec_003.yaml": texto}, "spec_003: novo título", em=marco)

    saida, erros = sincronizar(caminho)
    assert erros == ""
    assert "1 importada(s) ['spec_003']" in saida and "4 inalterada(s)" in saida
    assert Spec.objects.count() == 6
    nova = Spec.objects.filter(spec_id="spec_003").first()  # newest first
    assert nova.pk not in antes.values()
    assert nova.commit == segundo and nova.titulo.startswith("(v2) ")
    assert nova.commit_em == marco  # the commit's date, where DORA's lead time starts
    assert nova.sha256 == hashlib.sha256(texto.encode()).hexdigest()
    # The other specs keep their one version, from the commit that brought their content.
    for spec_id, pk in antes.items():
        if spec_id != "spec_003":
            assert list(Spec.objects.filter(spec_id=spec_id).values_list("pk", "commit")) == [(pk, primeiro)]


def test_spec_invalida_no_repositorio_e_relatada_e_as_outras_entram(db, repo):
    caminho, _ = repo
    ruim = (EXEMPLO / "specs" / "spec_004.yaml").read_text(encoding="utf-8").replace("\ntitulo: ", "\nnome: ", 1)
    sha = commitar(caminho, {"specs/spec_004.yaml": ruim}, "spec_004 sem título")
    saida, erros = sincronizar(caminho)
    assert "4 importada(s)" in saida
    assert "specs/spec_004.yaml inválida" in erros
    assert "titulo: campo obrigatório ausente: titulo" in erros
    assert "nome: campo desconhecido" in erros
    assert set(Spec.objects.values_list("spec_id", flat=True)) == {"spec_001", "spec_002", "spec_003", "spec_005"}
    assert set(Spec.objects.values_list("commit", flat=True)) == {sha}


def test_yaml_ilegivel_no_repositorio_e_relatado(db, repo):
    caminho, _ = repo
    commitar(caminho, {"specs/spec_002.yaml": "id: spec_002\ntitulo: [sem fechar\n"}, "yaml quebrado")
    saida, erros = sincronizar(caminho)
    assert "4 importada(s)" in saida
    assert "specs/spec_002.yaml inválida" in erros and "YAML inválido na linha" in erros


def test_arquivo_que_nao_e_utf8_e_relatado_e_as_outras_entram(db, repo):
    caminho, _ = repo
    texto = (EXEMPLO / "specs" / "spec_003.yaml").read_text(encoding="utf-8")
    (caminho / "specs" / "spec_003.yaml").write_bytes(texto.encode("latin-1"))
    porcelain.add(str(caminho), [str(caminho / "specs" / "spec_003.yaml")])
    porcelain.commit(str(caminho), message=b"spec_003 em latin-1", author=AUTOR, committer=AUTOR)
    saida, erros = sincronizar(caminho)
    assert "4 importada(s)" in saida
    assert "specs/spec_003.yaml inválida" in erros and "UTF-8" in erros
    assert not Spec.objects.filter(spec_id="spec_003").exists()


def test_id_diferente_do_nome_do_arquivo_e_recusado(db, repo):
    caminho, _ = repo
    copia = (EXEMPLO / "specs" / "spec_001.yaml").read_text(encoding="utf-8")
    commitar(caminho, {"specs/spec_006.yaml": copia}, "cópia esquecida")
    saida, erros = sincronizar(caminho)
    assert "5 importada(s)" in saida
    assert "specs/spec_006.yaml inválida" in erros and "difere do nome do arquivo" in erros
    assert Spec.objects.filter(spec_id="spec_001").count() == 1


@pytest.mark.parametrize(
    ("como", "frase"),
    [
        ("pasta_sem_git", r"nada não é um repositório git \(não há uma pasta \.git ali\)\.$"),
        ("inexistente", r"nada não existe; informe o caminho de um repositório git de specs\.$"),
    ],
)
def test_caminho_que_nao_e_repositorio_git(db, tmp_path, como, frase):
    caminho = tmp_path / "nada"
    if como == "pasta_sem_git":
        (caminho / "specs").mkdir(parents=True)
        (caminho / "specs" / "spec_001.yaml").write_text("id: spec_001\n", encoding="utf-8")
    with pytest.raises(CommandError, match=frase):
        sincronizar(caminho)
    assert not Spec.objects.exists()


def test_repositorio_sem_commits(db, tmp_path):
    caminho = tmp_path / "vazio"
    porcelain.init(str(caminho)).close()
    with pytest.raises(CommandError, match=r"não tem o commit HEAD"):
        sincronizar(caminho)


# --- make run: carregar_demo makes the sample repository a git repository on first start -----------


def test_carregar_demo_cria_o_repositorio_e_importa(db, tmp_path, settings):
    settings.PROMETHEUS_SPECS_REPO = tmp_path / "var" / "specs-repo"
    saida = StringIO()
    call_command("carregar_demo", stdout=saida)
    commit, arquivos = ler_specs(settings.PROMETHEUS_SPECS_REPO)
    assert [nome for nome, _ in arquivos] == ARQUIVOS
    assert f"commit {commit[:10]}" in saida.getvalue() and "5 importada(s)" in saida.getvalue()
    assert set(Spec.objects.values_list("commit", flat=True)) == {commit}

    de_novo = StringIO()
    call_command("carregar_demo", stdout=de_novo)  # every start: idempotent
    assert "0 importada(s), 5 já presentes" in de_novo.getvalue()
    assert ler_specs(settings.PROMETHEUS_SPECS_REPO)[0] == commit and Spec.objects.count() == 5


def test_carregar_demo_com_pasta_que_nao_e_repositorio(db, tmp_path, settings):
    settings.PROMETHEUS_SPECS_REPO = tmp_path / "specs-repo"
    settings.PROMETHEUS_SPECS_REPO.mkdir()
    with pytest.raises(CommandError, match=r"não é um repositório git.*Apague .*specs-repo"):
        call_command("carregar_demo", stdout=StringIO())


# --- what is priced records the commit ----------------------------------------------------------


def test_orcamento_apos_sincronizar_registra_commit_e_sha256(db, repo):
    caminho, primeiro = repo
    sincronizar(caminho)
    texto = (
        (caminho / "specs" / "spec_001.yaml").read_text(encoding="utf-8").replace('pico: "seg 9h"', 'pico: "ter 10h"')
    )
    segundo = commitar(caminho, {"specs/spec_001.yaml": texto}, "spec_001: pico na terça")
    sincronizar(caminho)

    item = backlog.produzir(tipo="orcar_spec", produtor="teste", contexto={"spec_ref": "spec_001"})
    assert processar_proximo(["orcar_spec"]) == item.pk
    orc = Orcamento.objects.get(item_orcar=item)
    assert orc.spec_commit == segundo != primeiro
    assert orc.spec_sha256 == hashlib.sha256(texto.encode()).hexdigest()
    assert orc.carga["pico_estimado"] == "ter 10h"
    item.refresh_from_db()
    assert (item.resultado["spec_commit"], item.resultado["spec_sha256"]) == (segundo, orc.spec_sha256)
    recursos = orc.item_aprovacao.contexto["spec_recursos"]
    assert (recursos["spec_commit"], recursos["spec_sha256"]) == (segundo, orc.spec_sha256)


# --- the admin: a button on the list page, and an action ----------------------------------------

SINCRONIZAR = reverse("admin:fabrica_spec_sincronizar")


def test_botao_do_admin_importa_com_a_lista_vazia(cliente_como, repo, settings):
    caminho, sha = repo
    settings.PROMETHEUS_SPECS_REPO = caminho
    admin = cliente_como("admin")
    assert SINCRONIZAR in admin.get(reverse("admin:fabrica_spec_changelist")).content.decode()
    resp = admin.post(SINCRONIZAR, follow=True)
    assert resp.redirect_chain[-1][0] == reverse("admin:fabrica_spec_changelist")
    assert Spec.objects.count() == 5 and set(Spec.objects.values_list("commit", flat=True)) == {sha}
    mensagens = [str(m) for m in resp.context["messages"]]
    assert any(sha[:10] in m and "5 importada(s)" in m for m in mensagens), mensagens


def test_acao_do_admin_sincroniza_e_relata_as_invalidas(cliente_como, repo, settings):
    caminho, _ = repo
    settings.PROMETHEUS_SPECS_REPO = caminho
    admin = cliente_como("admin")
    admin.post(SINCRONIZAR)
    segundo = commitar(caminho, {"specs/spec_002.yaml": "id: spec_002\n"}, "spec_002 incompleta")
    resp = admin.post(
        reverse("admin:fabrica_spec_changelist"),
        {"action": "sincronizar", "_selected_action": [Spec.objects.first().pk]},
        follow=True,
    )
    mensagens = [str(m) for m in resp.context["messages"]]
    assert any(segundo[:10] in m and "4 inalterada(s)" in m for m in mensagens), mensagens
    assert any(m.startswith("specs/spec_002.yaml: ") and "titulo: campo obrigatório ausente" in m for m in mensagens), (
        mensagens
    )
    assert Spec.objects.count() == 5


def test_botao_do_admin_com_repositorio_invalido(cliente_como, tmp_path, settings):
    settings.PROMETHEUS_SPECS_REPO = tmp_path / "nada"
    resp = cliente_como("admin").post(SINCRONIZAR, follow=True)
    assert resp.status_code == 200
    assert any("não existe" in str(m) for m in resp.context["messages"])
    assert not Spec.objects.exists()


def test_botao_do_admin_so_por_post(cliente_como):
    assert cliente_como("admin").get(SINCRONIZAR).status_code == 405


@pytest.mark.parametrize("quem", ["po", "sistema", "outsider", "anon"])
def test_botao_do_admin_recusado_a_quem_nao_e_admin(cliente_como, repo, settings, quem):
    settings.PROMETHEUS_SPECS_REPO = repo[0]
    resp = cliente_como(quem).post(SINCRONIZAR)
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]
    assert not Spec.objects.exists()
