"""The sandbox contains what generated code does: hangs, memory, fork bombs, secrets, writes
outside its directory, the network; results from JUnit, coverage from coverage.py."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from fabrica.desenvolvimento import sandbox
from fabrica.desenvolvimento.sandbox import Limites, executar

MODO = sandbox.isolamento_disponivel()
COMPLETO = MODO != "basico"
so_com_isolamento = pytest.mark.skipif(
    not COMPLETO and os.environ.get("CI", "").lower() != "true",
    reason="needs bubblewrap, or root and namespaces (the full isolation); under CI=true it must run",
)
PACOTE = {
    "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['.']\n",
    "pac/__init__.py": "",
    "pac/m.py": "def soma(a, b):\n    if a > 100:\n        return 0\n    return a + b\n",
}
CHECKOUT = Path(sandbox.__file__).resolve().parents[2]  # the project: its source, var/, settings
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
        " 'PYTHONHASHSEED', 'PYTEST_DISABLE_PLUGIN_AUTOLOAD', 'COVERAGE_FILE', 'PROMETHEUS_COBERTURA_JSON',"
        " 'PYTEST_CURRENT_TEST',"
        " 'COVERAGE_RUN', 'PYTEST_VERSION'}, sorted(os.environ)\n"
    )
    assert execucao.passou, execucao.testes


@so_com_isolamento
def test_escrever_fora_do_diretorio_falha_dentro_dele_funciona(tmp_path):
    alvo = tmp_path / "fora.txt"
    os.chmod(tmp_path, 0o777)  # even a world-writable place is out of reach
    marca = f"prometheus-fora-{os.getpid()}.txt"
    execucao = _rodar(
        "import os\nimport pytest\n\n"
        f"def test_fora():\n    with pytest.raises(OSError):\n        open({str(alvo)!r}, 'w').write('x')\n\n"
        "def test_tmp_e_shm_do_sistema():\n    for pasta in ('/tmp', '/dev/shm'):\n        try:\n"
        f"            open(os.path.join(pasta, {marca!r}), 'w').write('x')\n"
        "        except OSError:\n            pass  # read-only (namespaces) or a private tmpfs (bubblewrap)\n\n"
        "def test_dentro():\n    open('dentro.txt', 'w').write('ok')\n"
        "    open(os.path.join(os.environ['TMPDIR'], 'x'), 'w').write('ok')\n"
    )
    assert execucao.passou, execucao.testes
    assert not alvo.exists()
    assert not Path("/tmp", marca).exists() and not Path("/dev/shm", marca).exists()


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
    if execucao.isolamento["modo"] == "namespaces":
        assert execucao.isolamento["escondidos"] == [str(segredo)]
    else:  # bubblewrap: nothing of the host is there to hide
        assert execucao.isolamento["sistema_de_arquivos"] == "construído do zero"


# --- bubblewrap: what the namespaces of the fallback did not contain (issue 16) -----------------------

so_com_bwrap = pytest.mark.skipif(
    MODO != "bwrap" and os.environ.get("CI", "").lower() != "true",
    reason="needs bubblewrap (apt-get install bubblewrap); under CI=true it must run",
)


@pytest.fixture
def socket_no_run():
    """A Unix socket anyone may connect to, under /run as a host service keeps one (as root: the
    sandbox's own tests run as root, as the cluster does)."""
    if not os.access("/run", os.W_OK):
        pytest.skip("needs to write under /run")
    pasta = Path(tempfile.mkdtemp(prefix="prometheus-teste-", dir="/run"))
    os.chmod(pasta, 0o755)
    caminho = pasta / "servico.sock"
    servidor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    servidor.bind(str(caminho))
    os.chmod(caminho, 0o777)
    servidor.listen(8)
    yield caminho
    servidor.close()
    shutil.rmtree(pasta, ignore_errors=True)


@so_com_bwrap
def test_nenhum_socket_unix_do_host_e_alcancavel(socket_no_run):
    # the host reaches it: the generated code must not
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as cliente:
        cliente.connect(str(socket_no_run))
    execucao = _rodar(
        "import os\nimport socket\nimport stat\n\n"
        "def _sockets():\n"
        f"    achados = {{{str(socket_no_run)!r}, '/run/postgresql/.s.PGSQL.5432', '/var/run/postgresql/.s.PGSQL.5432',\n"
        "               '/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock'}\n"
        "    for base in ('/run', '/var/run'):\n"
        "        for pasta, _, arquivos in os.walk(base):\n"
        "            for nome in arquivos:\n"
        "                try:\n"
        "                    if stat.S_ISSOCK(os.lstat(os.path.join(pasta, nome)).st_mode):\n"
        "                        achados.add(os.path.join(pasta, nome))\n"
        "                except OSError:\n"
        "                    pass\n"
        "    return sorted(achados)\n\n"
        "def test_nenhum_conecta():\n"
        "    conectados = []\n"
        "    for caminho in _sockets():\n"
        "        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:\n"
        "            try:\n"
        "                s.connect(caminho)\n"
        "                conectados.append(caminho)\n"
        "            except OSError:\n"
        "                pass\n"
        "    assert conectados == []\n\n"
        "def test_nem_abstrato():\n"
        "    # the host's abstract sockets live in its network namespace\n"
        "    with open('/proc/net/unix') as tabela:\n"
        "        assert not [linha for linha in tabela.read().splitlines()[1:] if linha.rstrip().endswith('@')]\n"
    )
    assert execucao.passou, execucao.testes


@so_com_bwrap
def test_memoria_compartilhada_sysv_nao_sobrevive_a_execucao():
    chave = 0x5EC00000 + os.getpid() % 0xFFFF
    execucao = _rodar(
        "import ctypes\n\n"
        "def test_cria_e_deixa():\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        f"    identificador = libc.shmget({chave}, 4096, 0o1000 | 0o666)\n"
        "    assert identificador >= 0, ctypes.get_errno()\n"
    )
    assert execucao.passou, execucao.testes
    libc = ctypes.CDLL(None, use_errno=True)
    identificador = libc.shmget(chave, 0, 0)
    if identificador >= 0:  # leaked into the host's IPC namespace: clean up, then fail
        libc.shmctl(identificador, 0, None)  # IPC_RMID
    assert identificador == -1 and ctypes.get_errno() == errno.ENOENT


SEGREDO_JSON = '{"totals": {"covered_lines": 4242, "num_statements": 4242, "percent_covered": 100.0}, "files": {}}'


@pytest.fixture
def segredo_do_host(tmp_path):
    """A file only root reads, as the app's settings with SECRET_KEY are."""
    caminho = tmp_path / "segredo.json"
    caminho.write_text(SEGREDO_JSON)
    os.chmod(caminho, 0o600)
    return caminho


@so_com_isolamento
def test_sitecustomize_plantado_nao_roda_fora_e_nada_le_o_host(segredo_do_host):
    """The attack of issue 16: a sitecustomize.py planted on PYTHONPATH ran in the `coverage json`
    step and turned pytest's output into a symlink the parent read as root."""
    atexit = (
        "import atexit, os\n"
        "def _trocar():\n"
        "    saida = os.path.dirname(os.environ['COVERAGE_FILE'])\n"
        "    for nome in ('pytest.txt', 'junit.xml', 'cobertura.json'):\n"
        "        try:\n"
        "            os.unlink(os.path.join(saida, nome))\n"
        "        except OSError:\n"
        "            pass\n"
        f"        os.symlink({str(segredo_do_host)!r}, os.path.join(saida, nome))\n"
        "atexit.register(_trocar)\n"
    )
    execucao = _rodar(
        "import os\n\n"
        "def test_planta():\n"
        "    plantados = []\n"
        "    for pasta in os.environ['PYTHONPATH'].split(':'):\n"
        "        try:\n"
        f"            open(os.path.join(pasta, 'sitecustomize.py'), 'w').write({atexit!r})\n"
        "            plantados.append(pasta)\n"
        "        except OSError:\n"
        "            pass\n"
        "    assert plantados == []\n"
    )
    assert "4242" not in execucao.saida
    assert execucao.cobertura is None or execucao.cobertura["linhas"] != 4242
    assert execucao.passou, (execucao.erro, execucao.testes)


@so_com_isolamento
def test_arquivo_de_resultado_trocado_por_link_e_recusado(segredo_do_host):
    execucao = _rodar(
        "import os\n\n"
        "def test_link():\n"
        "    saida = os.path.dirname(os.environ['COVERAGE_FILE'])\n"
        f"    os.symlink({str(segredo_do_host)!r}, os.path.join(saida, 'cobertura.json'))\n"
    )
    assert execucao.cobertura is None or execucao.cobertura["linhas"] != 4242
    assert "link simbólico" in execucao.erro
    assert not execucao.passou


@so_com_bwrap
def test_sem_privilegios_sem_novos_namespaces_e_com_seccomp(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "segredo-do-app")
    execucao = _rodar(
        "import ctypes\nimport errno\nimport os\n\n"
        "def _status():\n"
        "    return dict(linha.split(':', 1) for linha in open('/proc/self/status').read().splitlines())\n\n"
        "def test_sem_capacidades_e_no_new_privs():\n"
        "    status = _status()\n"
        "    assert int(status['CapEff'], 16) == 0 and int(status['CapPrm'], 16) == 0\n"
        "    assert status['NoNewPrivs'].strip() == '1'\n"
        "    assert status['Seccomp'].strip() == '2'\n\n"
        "def test_nao_cria_namespace_de_usuario():\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    assert libc.unshare(0x10000000) == -1 and ctypes.get_errno() == errno.EPERM\n\n"
        "def test_proc_1_environ():\n"
        "    for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
        "        try:\n"
        "            assert b'segredo' not in open(f'/proc/{pid}/environ', 'rb').read()\n"
        "        except PermissionError:\n"
        "            pass\n"
        "    with open('/proc/1/cmdline', 'rb') as arquivo:\n"
        "        assert b'lancador.py' in arquivo.read()  # PID 1 is the launcher, not the host's init\n\n"
        "def test_nada_do_host():\n"
        f"    for caminho in ('/run', '/var', '/home', '/root/.bashrc', '/etc/shadow', {str(CHECKOUT / 'manage.py')!r}):\n"
        "        assert not os.path.exists(caminho), caminho\n"
    )
    assert execucao.passou, execucao.testes
    assert execucao.isolamento["modo"] == "bwrap" and execucao.isolamento["seccomp"] == "ativo"


@so_com_isolamento
def test_sono_sem_fim_e_processo_largado_acabam_com_a_execucao():
    marca = str(900000 + os.getpid() % 99999)
    execucao = _rodar(
        "import subprocess\nimport time\n\n"
        "def test_largado():\n"
        f"    subprocess.Popen(['sleep', '{marca}'], start_new_session=True)\n\n"
        "def test_dorme():\n"
        "    time.sleep(10**6)\n\n"
        "def test_depois():\n"
        "    assert True\n",
        Limites(tempo_total_s=60, tempo_por_teste_s=2),
    )
    testes = _por_nome(execucao)
    assert testes["test_dorme"].status == "falhou" and "Timeout" in testes["test_dorme"].mensagem
    assert testes["test_depois"].status == "passou"
    vivos = []
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            if marca.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                vivos.append(pid)
        except OSError:
            pass
    assert vivos == []


@pytest.fixture
def sem_bwrap(monkeypatch):
    monkeypatch.setattr(sandbox, "BWRAP", "/nao/existe/bwrap")
    sandbox.isolamentos.cache_clear()
    yield
    sandbox.isolamentos.cache_clear()


def test_sem_bubblewrap_auto_recai_no_isolamento_de_hoje_e_diz(sem_bwrap):
    from fabrica.desenvolvimento.checks import isolamento_do_sandbox

    aviso = sandbox.aviso_de_isolamento("auto")
    assert "apt-get install bubblewrap" in aviso and "bubblewrap (bwrap) não está instalado" in aviso
    assert sandbox.isolamento_disponivel() in ("namespaces", "basico")
    with pytest.raises(sandbox.ErroSandbox, match="bwrap do sandbox não roda"):
        sandbox.escolher_isolamento("bwrap")
    avisos = isolamento_do_sandbox()
    assert [a.id for a in avisos] == ["fabrica.W101"] and "apt-get install bubblewrap" in avisos[0].msg
    execucao = _rodar("def test_ok():\n    assert True\n")
    assert execucao.passou, execucao.testes
    assert execucao.isolamento["modo"] != "bwrap" and execucao.isolamento["aviso"] == aviso


def test_isolamento_desconhecido_e_recusado():
    with pytest.raises(ValueError, match="Isolamento desconhecido"):
        sandbox.escolher_isolamento("chroot")


def test_isolamento_configurado_que_nao_roda_e_avisado_no_inicio(sem_bwrap, settings):
    from fabrica.desenvolvimento.checks import isolamento_do_sandbox

    settings.PROMETHEUS_SANDBOX_ISOLAMENTO = "bwrap"
    avisos = isolamento_do_sandbox()
    assert [a.id for a in avisos] == ["fabrica.W102"] and "Toda construção será recusada" in avisos[0].msg


@so_com_isolamento
def test_comando_roda_numa_copia_e_um_link_nunca_entrega_o_arquivo_do_host(tmp_path, segredo_do_host):
    origem = tmp_path / "release"
    origem.mkdir()
    (origem / "app.py").write_text("VERSAO = 1\n")
    os.symlink(segredo_do_host, origem / "link")
    execucao = sandbox.executar_comando(
        origem,
        ["{python}", "-c", "import app; open('app.py', 'a').write('VERSAO = 2\\n'); print('versao', app.VERSAO)"],
    )
    assert execucao.retorno == 0, execucao.saida
    assert "versao 1" in execucao.saida
    assert (origem / "app.py").read_text() == "VERSAO = 1\n"  # the run had a copy
    assert os.stat(segredo_do_host).st_uid == 0  # the symlink was handed over, not its target
