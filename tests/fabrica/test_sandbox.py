"""The sandbox contains what generated code does: hangs, memory, fork bombs, secrets, writes
outside its directory, the network; results from JUnit, coverage from coverage.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fabrica.desenvolvimento import sandbox
from fabrica.desenvolvimento.sandbox import Limites, executar

COMPLETO = sandbox.isolamento_disponivel() == "completo"
so_com_isolamento = pytest.mark.skipif(
    not COMPLETO and os.environ.get("CI", "").lower() != "true",
    reason="needs root and namespaces (the full isolation); under CI=true it must run",
)
PACOTE = {
    "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['.']\n",
    "pac/__init__.py": "",
    "pac/m.py": "def soma(a, b):\n    if a > 100:\n        return 0\n    return a + b\n",
}
RAPIDO = Limites(tempo_total_s=60, tempo_por_teste_s=3)


def _rodar(teste: str, limites: Limites = RAPIDO, **extra) -> sandbox.Execucao:
    arquivos = {**PACOTE, "tests/__init__.py": "", "tests/test_g.py": teste}
    return executar(arquivos, testes=["tests/test_g.py"], cobertura_de=["pac"], limites=limites, **extra)


def _por_nome(execucao: sandbox.Execucao) -> dict[str, sandbox.ResultadoTeste]:
    return {t.nome: t for t in execucao.testes}


def test_resultados_do_junit_com_o_caso_e_cobertura_de_linhas_e_ramos():
    execucao = _rodar(
        "import pytest\nfrom pac.m import soma\n\n"
        "@pytest.mark.parametrize('a', [1, 2], ids=['combinacao_01', 'caso_01'])\n"
        "def test_soma(a):\n    assert soma(a, 1) == a + 1\n\n"
        "def test_falha():\n    assert soma(1, 1) == 3, 'um mais um'\n"
    )
    testes = _por_nome(execucao)
    assert testes["test_soma[combinacao_01]"].status == "passou"
    assert testes["test_soma[combinacao_01]"].caso == "combinacao_01"
    assert testes["test_soma[caso_01]"].arquivo == "tests/test_g.py"
    assert testes["test_falha"].status == "falhou"
    assert "um mais um" in testes["test_falha"].mensagem
    assert not execucao.passou and execucao.erro == ""
    cobertura = execucao.cobertura
    # soma's `return 0` never runs: 3 of 4 lines, 1 of 2 branches
    assert (cobertura["linhas"], cobertura["linhas_total"]) == (3, 4)
    assert (cobertura["ramos"], cobertura["ramos_total"]) == (1, 2)
    assert cobertura["arquivos"]["pac/m.py"]["faltando"] == [3]


def test_laco_infinito_no_teste_acaba_no_tempo_por_teste_e_o_resto_roda():
    execucao = _rodar("def test_laco():\n    while True:\n        pass\n\ndef test_depois():\n    assert True\n")
    testes = _por_nome(execucao)
    assert testes["test_laco"].status == "falhou"
    assert "Timeout (>3.0s)" in testes["test_laco"].mensagem
    assert testes["test_depois"].status == "passou"


def test_laco_infinito_na_coleta_e_morto_pelo_prazo_total():
    execucao = _rodar("while True:\n    pass\n", Limites(tempo_total_s=3, tempo_por_teste_s=1))
    assert execucao.erro.startswith("Tempo esgotado: a execução passou de 3 s")
    assert execucao.testes == [] and not execucao.passou
    assert execucao.comandos[0]["sinal"] == "SIGKILL"


def test_devorador_de_memoria_esbarra_no_limite_em_bytes():
    limite = 512 * 1024**2
    execucao = _rodar(
        # under the limit first: the failed test's traceback keeps its memory until the end
        "def test_cabe():\n    assert len(bytearray(64 * 1024**2)) == 64 * 1024**2\n\n"
        "def test_devora():\n    blocos = []\n    while True:\n        blocos.append(bytearray(64 * 1024**2))\n",
        Limites(tempo_total_s=60, tempo_por_teste_s=20, memoria_bytes=limite),
    )
    testes = _por_nome(execucao)
    assert testes["test_devora"].status == "falhou"
    assert "MemoryError" in testes["test_devora"].mensagem
    assert testes["test_cabe"].status == "passou"
    assert execucao.recursos["memoria_max_bytes"] < limite


@so_com_isolamento
def test_bomba_de_fork_e_contida_e_o_teste_seguinte_roda():
    execucao = _rodar(
        "import os\n\ndef test_bomba():\n    while True:\n        os.fork()\n\ndef test_depois():\n    assert True\n",
        Limites(tempo_total_s=60, tempo_por_teste_s=10, processos=32),
    )
    testes = _por_nome(execucao)
    assert testes["test_bomba"].status == "falhou"
    assert "BlockingIOError" in testes["test_bomba"].mensagem
    assert testes["test_depois"].status == "passou"
    # one report only: the copies made by fork() did not write results of their own
    assert sorted(testes) == ["test_bomba", "test_depois"]


def test_o_ambiente_do_teste_gerado_nao_tem_nada_do_app(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "segredo-do-app")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/segredo")
    execucao = _rodar(
        "import os\n\ndef test_ambiente():\n"
        "    assert 'SECRET_KEY' not in os.environ and 'DATABASE_URL' not in os.environ\n"
        "    assert not any('segredo' in v for v in os.environ.values())\n"
        "    assert set(os.environ) <= {'PATH', 'HOME', 'TMPDIR', 'LANG', 'PYTHONPATH', 'PYTHONDONTWRITEBYTECODE',"
        " 'PYTHONHASHSEED', 'PYTEST_DISABLE_PLUGIN_AUTOLOAD', 'COVERAGE_FILE', 'PYTEST_CURRENT_TEST',"
        " 'COVERAGE_RUN', 'PYTEST_VERSION'}, sorted(os.environ)\n"
    )
    assert execucao.passou, execucao.testes


@so_com_isolamento
def test_escrever_fora_do_diretorio_falha_dentro_dele_funciona(tmp_path):
    alvo = tmp_path / "fora.txt"
    os.chmod(tmp_path, 0o777)  # even a world-writable place is out of reach
    execucao = _rodar(
        "import os\nimport pytest\n\n"
        f"def test_fora():\n    with pytest.raises(OSError):\n        open({str(alvo)!r}, 'w').write('x')\n\n"
        "def test_tmp_do_sistema():\n    with pytest.raises(OSError):\n        open('/tmp/prometheus-fora.txt', 'w')\n\n"
        "def test_dentro():\n    open('dentro.txt', 'w').write('ok')\n"
        "    open(os.path.join(os.environ['TMPDIR'], 'x'), 'w').write('ok')\n"
    )
    assert execucao.passou, execucao.testes
    assert not alvo.exists() and not Path("/tmp/prometheus-fora.txt").exists()


@so_com_isolamento
def test_sem_rede_mas_com_loopback():
    execucao = _rodar(
        "import socket\nimport pytest\n\n"
        "def test_internet():\n    with pytest.raises(OSError):\n"
        "        socket.create_connection(('1.1.1.1', 80), timeout=2)\n\n"
        "def test_loopback():\n    servidor = socket.create_server(('127.0.0.1', 0))\n"
        "    cliente = socket.create_connection(servidor.getsockname(), timeout=2)\n"
        "    cliente.close(); servidor.close()\n"
    )
    assert execucao.passou, execucao.testes
    assert execucao.isolamento["rede"] == "somente loopback"


@so_com_isolamento
def test_roda_sob_uid_proprio_e_nao_ve_os_processos_do_host():
    execucao = _rodar(
        "import os\n\ndef test_quem():\n    assert os.getuid() >= 61000\n"
        "    pids = [p for p in os.listdir('/proc') if p.isdigit()]\n    assert len(pids) < 10, pids\n"
    )
    assert execucao.passou, execucao.testes
    assert execucao.isolamento["uid"] >= sandbox.UID_BASE


def test_caminho_fora_da_raiz_e_recusado():
    with pytest.raises(ValueError, match="fora da raiz"):
        executar({"../escapou.py": ""}, testes=[])


def test_nenhum_teste_coletado_e_um_erro_da_execucao():
    execucao = executar({"tests/test_vazio.py": "x = 1\n"}, testes=["tests/test_vazio.py"], limites=RAPIDO)
    assert execucao.erro == "Nenhum teste foi coletado."
    assert not execucao.passou


def test_limites_precisam_ser_positivos():
    with pytest.raises(ValueError, match="memoria_bytes"):
        Limites(memoria_bytes=0)


@so_com_isolamento
def test_diretorio_escondido_aparece_vazio(tmp_path):
    segredo = tmp_path / "estado"
    segredo.mkdir(mode=0o755)
    (segredo / "prometheus.sqlite3").write_text("tokens")
    os.chmod(segredo / "prometheus.sqlite3", 0o644)  # readable by others, as a default umask leaves it
    execucao = _rodar(
        "import os\nimport pytest\n\n"
        f"def test_nao_le():\n    with pytest.raises(OSError):\n        open({str(segredo / 'prometheus.sqlite3')!r}).read()\n",
        esconder=[str(segredo)],
    )
    assert execucao.passou, execucao.testes
    assert execucao.isolamento["escondidos"] == [str(segredo)]
