"""The directory target: releases/<versao>/ per release, ``current`` switched by one rename,
earlier releases kept for rollback up to the retention setting (never the current or the
previous one), unsafe archives refused with nothing written, smoke checks in the release."""

from __future__ import annotations

import os

import pytest

from backlog.models import Item
from fabrica.implantacao import selectors
from fabrica.implantacao.alvos import alvo_de
from fabrica.implantacao.models import Implantacao
from tests.fabrica.implantacao.conftest import artefato, artefatos_de, atual, implantar, reverter

pytestmark = pytest.mark.django_db


def test_current_e_um_link_relativo_trocado_por_rename(fazer_release, ambientes, implantacoes_dir):
    implantar(fazer_release(1))
    pasta = implantacoes_dir / "homologacao" / "spec_teste"
    inode_antes = os.lstat(pasta / "current").st_ino

    implantar(fazer_release(2))

    assert os.readlink(pasta / "current") == "releases/spec_teste-v2"
    assert os.lstat(pasta / "current").st_ino != inode_antes  # a new link renamed over the old
    assert sorted(p.name for p in (pasta / "releases").iterdir()) == ["spec_teste-v1", "spec_teste-v2"]
    assert sorted(p.name for p in pasta.iterdir()) == ["current", "releases"]  # no temporary link left


def test_artefato_com_traversal_e_recusado_sem_escrever_nada(fazer_release, ambientes, implantacoes_dir, tmp_path):
    implantar(fazer_release(1))
    alvo_fora = tmp_path / "etc" / "passwd"
    alvo_fora.parent.mkdir()
    alvo_fora.write_text("root:x:0:0\n")
    profundidade = len((implantacoes_dir / "homologacao" / "spec_teste" / "releases" / "x").relative_to(tmp_path).parts)
    traversal = "../" * profundidade + "etc/passwd"
    maliciosa = fazer_release(2, artefatos=artefatos_de(2, extra=[artefato(traversal, "hacked\n")]))
    antes = sorted(str(p) for p in implantacoes_dir.rglob("*"))

    impl = implantar(maliciosa)

    assert impl.status == Implantacao.Status.FALHOU
    assert "nada foi escrito" in impl.erro and "sai do diretório da release" in impl.log
    assert alvo_fora.read_text() == "root:x:0:0\n"
    assert sorted(str(p) for p in implantacoes_dir.rglob("*")) == antes
    assert atual(ambientes["homologacao"]) == "spec_teste-v1"


def test_retencao_guarda_n_e_nunca_a_atual_nem_a_anterior(fazer_release, ambientes, elenco):
    homologacao = ambientes["homologacao"]
    homologacao.retencao = 2
    homologacao.save()
    releases = [fazer_release(n) for n in range(1, 5)]
    for release in releases:
        implantar(release)

    alvo = alvo_de(homologacao)
    assert alvo.guardadas("spec_teste") == ["spec_teste-v3", "spec_teste-v4"]
    assert "Retenção: releases/spec_teste-v2/ removida." in Implantacao.objects.get(release=releases[3]).log
    assert selectors.releases_para_reverter(homologacao, "spec_teste") == [releases[2]]

    # Rolled back to v3: current v3, previous v4 — a new deploy of v1 keeps v1 (current) and v3 (previous).
    reverter(homologacao, releases[2], por=elenco["admin"], motivo="v4 lenta")
    implantar(releases[0])
    assert alvo.guardadas("spec_teste") == ["spec_teste-v1", "spec_teste-v3"]
    assert atual(homologacao) == "spec_teste-v1"


def test_reimplantar_a_atual_confere_e_nao_troca_os_arquivos(fazer_release, ambientes, implantacoes_dir):
    v1 = fazer_release(1)
    implantar(v1)
    arquivo = implantacoes_dir / "homologacao" / "spec_teste" / "releases" / "spec_teste-v1" / "app" / "__init__.py"
    inode = arquivo.stat().st_ino

    segunda = implantar(v1)

    assert segunda.status == Implantacao.Status.CONCLUIDA
    assert "já é a atual e confere com o manifesto" in segunda.log
    assert arquivo.stat().st_ino == inode

    arquivo.write_text("VERSAO = 666\n")
    terceira = implantar(v1)
    assert terceira.status == Implantacao.Status.FALHOU and "foi alterada no disco" in terceira.erro


def test_restos_de_uma_tentativa_interrompida_sao_limpos(fazer_release, ambientes, implantacoes_dir):
    implantar(fazer_release(1))
    pasta = implantacoes_dir / "homologacao" / "spec_teste"
    (pasta / "releases" / ".desempacotando-spec_teste-v2-abc").mkdir()
    (pasta / "releases" / ".desempacotando-spec_teste-v2-abc" / "meio.py").write_text("x")
    os.symlink("releases/spec_teste-v1", pasta / ".current-deadbeef")
    (pasta / "releases" / "spec_teste-v2").mkdir()  # half a release from an older layout: redone

    impl = implantar(fazer_release(2))

    assert impl.status == Implantacao.Status.CONCLUIDA
    assert sorted(p.name for p in pasta.iterdir()) == ["current", "releases"]
    assert sorted(p.name for p in (pasta / "releases").iterdir()) == ["spec_teste-v1", "spec_teste-v2"]
    assert "refazendo do arquivo" in impl.log


def test_smoke_configuravel_e_desligavel(fazer_release, ambientes, tmp_path):
    homologacao = ambientes["homologacao"]
    homologacao.configuracao = {"smoke": False}
    homologacao.save()
    sem_smoke = implantar(fazer_release(1, smoke_passa=False))
    assert sem_smoke.status == Implantacao.Status.CONCLUIDA and "desligados" in sem_smoke.log

    homologacao.configuracao = {"smoke": ["{python}", "-c", "import app, sys; sys.exit(0 if app.VERSAO == 2 else 3)"]}
    homologacao.save()
    assert implantar(fazer_release(2)).status == Implantacao.Status.CONCLUIDA
    falha = implantar(fazer_release(3))
    assert falha.status == Implantacao.Status.FALHOU and "código de saída 3" in falha.erro

    homologacao.configuracao = {"smoke": ["sleep", "30"], "timeout": 1}
    homologacao.save()
    lenta = implantar(fazer_release(4))
    assert lenta.status == Implantacao.Status.FALHOU and "tempo limite de 1 s" in lenta.erro
    assert atual(homologacao) == "spec_teste-v2"


def test_release_sem_testes_nao_tem_fumaca_a_falhar(fazer_release, ambientes):
    impl = implantar(fazer_release(1, artefatos=[artefato("app/__init__.py", "VERSAO = 1\n")]))

    assert impl.status == Implantacao.Status.CONCLUIDA
    assert "A release não tem testes" in impl.log


def test_smoke_nao_ve_o_ambiente_do_prometheus(fazer_release, ambientes, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "segredo-do-prometheus")
    monkeypatch.setenv("DATABASE_URL", "postgres://segredo")
    teste = (
        "import os\n\n\ndef test_sem_segredos():\n"
        "    assert 'SECRET_KEY' not in os.environ and 'DATABASE_URL' not in os.environ\n"
        "    assert not any(k.startswith('DJANGO') for k in os.environ)\n"
    )
    impl = implantar(fazer_release(1, artefatos=[artefato("tests/test_env.py", teste, papel="teste")]))

    assert impl.status == Implantacao.Status.CONCLUIDA, impl.log
    assert Item.objects.filter(tipo="validar_implantacao").count() == 1


def test_reverter_para_guardada_danificada_refaz_do_arquivo(fazer_release, ambientes, implantacoes_dir, elenco):
    v1 = fazer_release(1)
    implantar(v1)
    implantar(fazer_release(2))
    guardada = implantacoes_dir / "homologacao" / "spec_teste" / "releases" / "spec_teste-v1" / "app" / "__init__.py"
    guardada.write_text("danificado\n")

    reversao = reverter(ambientes["homologacao"], v1, por=elenco["admin"])

    assert reversao.status == Implantacao.Status.CONCLUIDA
    assert "não está completa (app/__init__.py: alterado): refazendo do arquivo" in reversao.log
    assert guardada.read_text().startswith("VERSAO = 1")
    assert atual(ambientes["homologacao"]) == "spec_teste-v1"


def test_reverter_para_guardada_intacta_nao_monta_arquivo(fazer_release, ambientes, elenco):
    v1 = fazer_release(1)
    implantar(v1)
    implantar(fazer_release(2))

    reversao = reverter(ambientes["homologacao"], v1, por=elenco["admin"])

    assert "guardada e conferida com o manifesto" in reversao.log
    assert "Arquivo da release" not in reversao.log


def test_smoke_roda_no_sandbox_e_nao_ve_segredo_algum(
    fazer_release, ambientes, monkeypatch, tmp_path, implantacoes_dir
):
    """Issue 16: the release's own tests ran as root with the app's interpreter, unsandboxed, and
    read the parent's environment and the SQLite database."""
    monkeypatch.setenv("SECRET_KEY", "segredo-do-prometheus")
    banco = tmp_path / "prometheus.sqlite3"
    banco.write_text("segredo-do-banco")
    os.chmod(banco, 0o644)  # a database file as a default umask leaves it
    teste = (
        "import os\n\n\n"
        "def test_nenhum_processo_visivel_mostra_o_segredo():\n"
        "    for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
        "        try:\n"
        "            ambiente = open(f'/proc/{pid}/environ', 'rb').read()\n"
        "        except OSError:\n"
        "            continue\n"
        "        assert b'segredo-do-prometheus' not in ambiente, pid\n\n\n"
        "def test_nao_le_o_banco():\n"
        f"    for caminho in ({str(banco)!r}, {str(implantacoes_dir)!r}):\n"
        "        assert not os.path.exists(caminho), caminho\n\n\n"
        "def test_nao_escreve_na_release_que_vai_servir():\n"
        "    open('app/__init__.py', 'a').write('VERSAO = 666\\n')  # only the sandbox's copy\n"
    )
    impl = implantar(
        fazer_release(1, artefatos=artefatos_de(1, extra=[artefato("tests/test_segredos.py", teste, papel="teste")]))
    )

    assert impl.status == Implantacao.Status.CONCLUIDA, impl.log
    assert "Testes de fumaça no sandbox" in impl.log and "Sandbox: isolamento" in impl.log
    assert "5 passed" in impl.log
    servindo = implantacoes_dir / "homologacao" / "spec_teste" / "current" / "app" / "__init__.py"
    assert "666" not in servindo.read_text()


def test_smoke_no_sandbox_respeita_os_limites(fazer_release, ambientes, settings):
    settings.PROMETHEUS_SANDBOX = {**settings.PROMETHEUS_SANDBOX, "memoria_bytes": 256 * 1024**2}
    homologacao = ambientes["homologacao"]
    homologacao.configuracao = {"timeout": 5}
    homologacao.save()
    memoria = "import pytest\n\n\ndef test_memoria():\n    with pytest.raises(MemoryError):\n        bytearray(512 * 1024**2)\n"
    contida = implantar(
        fazer_release(1, artefatos=artefatos_de(1, extra=[artefato("tests/test_limites.py", memoria, papel="teste")]))
    )
    assert contida.status == Implantacao.Status.CONCLUIDA, contida.log

    dorme = "import time\n\n\ndef test_dorme_para_sempre():\n    time.sleep(10**6)\n"
    lenta = implantar(
        fazer_release(2, artefatos=artefatos_de(2, extra=[artefato("tests/test_limites.py", dorme, papel="teste")]))
    )
    assert lenta.status == Implantacao.Status.FALHOU
    assert "tempo limite de 5 s" in lenta.erro
    assert atual(homologacao) == "spec_teste-v1"


def test_smoke_no_sandbox_aplica_o_timeout_por_teste_da_release(fazer_release, ambientes):
    """The sandbox turns pytest's plugin autoload off; the smoke run names pytest-timeout, so the
    per-test ``timeout`` of the release's own pyproject.toml stops a stuck test (it was an 'Unknown
    config option' warning in the log, and only the environment's whole timeout applied)."""
    homologacao = ambientes["homologacao"]
    homologacao.configuracao = {"timeout": 120}
    homologacao.save()
    pyproject = artefato("pyproject.toml", "[tool.pytest.ini_options]\ntimeout = 2\n")
    dorme = "import time\n\n\ndef test_dorme_demais():\n    time.sleep(60)\n"
    impl = implantar(
        fazer_release(
            1, artefatos=artefatos_de(1, extra=[pyproject, artefato("tests/test_dorme.py", dorme, papel="teste")])
        )
    )

    assert impl.status == Implantacao.Status.FALHOU
    assert "Timeout" in impl.log and "test_dorme_demais" in impl.log
    assert "Unknown config option" not in impl.log
    assert "tempo limite de 120 s" not in (impl.erro or "")
