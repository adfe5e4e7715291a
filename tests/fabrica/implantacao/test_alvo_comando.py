"""The command target, with a script of the test's own: the release's archive, version and
environment as arguments and variables; an environment limited to what the settings name; a
failing command and a hanging one (timeout, whole process group ended); a failed verification
puts the earlier release back."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from fabrica.implantacao import services as servicos
from fabrica.implantacao.alvos import erros_de_configuracao
from fabrica.implantacao.models import Implantacao
from tests.fabrica.implantacao.conftest import implantar, processar

pytestmark = pytest.mark.django_db

SCRIPT = r"""#!/bin/sh
# The test's own deployment engine: records how it was called and with which environment.
echo "$PROMETHEUS_OPERACAO $*" >> "$SAIDA/chamadas.txt"
env | sort > "$SAIDA/env-$PROMETHEUS_OPERACAO.txt"
if [ -n "$PROMETHEUS_ARQUIVO" ]; then cp "$PROMETHEUS_ARQUIVO" "$SAIDA/recebido-$PROMETHEUS_OPERACAO.zip"; fi
echo "implantando $PROMETHEUS_VERSAO em $PROMETHEUS_AMBIENTE"
if [ "$PROMETHEUS_OPERACAO" = "implantar" ]; then echo "PROMETHEUS_URL=https://$PROMETHEUS_AMBIENTE.example/$PROMETHEUS_SPEC"; fi
if [ -e "$SAIDA/falhar-$PROMETHEUS_OPERACAO" ]; then echo "algo deu errado" >&2; exit 3; fi
if [ -e "$SAIDA/travar-$PROMETHEUS_OPERACAO" ]; then
  sleep 300 &
  echo $! > "$SAIDA/filho.pid"
  wait
fi
exit 0
"""


@pytest.fixture
def engine(tmp_path) -> dict[str, Path]:
    saida = tmp_path / "saida"
    saida.mkdir()
    script = tmp_path / "deploy.sh"
    script.write_text(SCRIPT)
    script.chmod(0o755)
    return {"saida": saida, "script": script}


@pytest.fixture
def comando(ambientes, engine):
    homologacao = ambientes["homologacao"]
    homologacao.alvo = "comando"
    homologacao.configuracao = {
        "implantar": [str(engine["script"]), "{arquivo}", "{versao}", "{ambiente}"],
        "verificar": [str(engine["script"]), "--verificar", "{versao}"],
        "reverter": [str(engine["script"]), "--reverter", "{versao}", "{anterior}"],
        "timeout": 5,
        "variaveis": {"SAIDA": str(engine["saida"])},
        "herdar": ["TOKEN_DO_CLUSTER"],
    }
    homologacao.save()
    return homologacao


def _env(saida: Path, operacao: str) -> dict[str, str]:
    return dict(
        linha.split("=", 1) for linha in (saida / f"env-{operacao}.txt").read_text().splitlines() if "=" in linha
    )


def test_comando_recebe_arquivo_versao_e_ambiente(fazer_release, comando, engine, monkeypatch):
    monkeypatch.setenv("TOKEN_DO_CLUSTER", "tok-123")
    monkeypatch.setenv("SECRET_KEY", "segredo-do-prometheus")
    monkeypatch.setenv("OUTRA_VARIAVEL", "nao-repassar")
    v1 = fazer_release(1)

    impl = implantar(v1)

    assert impl.status == Implantacao.Status.CONCLUIDA, impl.log
    chamadas = (engine["saida"] / "chamadas.txt").read_text().splitlines()
    assert chamadas[0].startswith("implantar ") and chamadas[0].endswith("spec_teste-v1.zip spec_teste-v1 homologacao")
    assert chamadas[1] == "verificar --verificar spec_teste-v1"
    env = _env(engine["saida"], "implantar")
    assert env["PROMETHEUS_VERSAO"] == "spec_teste-v1"
    assert env["PROMETHEUS_AMBIENTE"] == "homologacao"
    assert env["PROMETHEUS_SPEC"] == "spec_teste"
    assert env["PROMETHEUS_RELEASE"] == str(v1.pk)
    assert env["PROMETHEUS_IMPLANTACAO"] == str(impl.pk)
    assert env["TOKEN_DO_CLUSTER"] == "tok-123"
    assert "SECRET_KEY" not in env and "OUTRA_VARIAVEL" not in env and "DATABASE_URL" not in env
    assert set(env) <= {
        *(
            f"PROMETHEUS_{k}"
            for k in ("ARQUIVO", "VERSAO", "AMBIENTE", "SPEC", "RELEASE", "IMPLANTACAO", "VERSAO_ANTERIOR", "OPERACAO")
        ),
        "PATH",
        "HOME",
        "LANG",
        "SAIDA",
        "TOKEN_DO_CLUSTER",
        "PWD",
        "SHLVL",
        "_",
        "OLDPWD",
    }
    with zipfile.ZipFile(engine["saida"] / "recebido-implantar.zip") as zf:
        assert zf.read("app/__init__.py").startswith(b"VERSAO = 1")
    assert impl.url == "https://homologacao.example/spec_teste"
    assert impl.item_validacao.contexto["url"] == "https://homologacao.example/spec_teste"
    assert "implantando spec_teste-v1 em homologacao" in impl.log


def test_comando_que_falha(fazer_release, comando, engine):
    (engine["saida"] / "falhar-implantar").touch()

    impl = implantar(fazer_release(1))

    assert impl.status == Implantacao.Status.FALHOU
    assert "O comando 'implantar' terminou com o código 3" in impl.erro
    assert "algo deu errado" in impl.log  # stderr is in the log
    chamadas = (engine["saida"] / "chamadas.txt").read_text().splitlines()
    assert [c.split()[0] for c in chamadas] == ["implantar"]  # nothing verified after a failed deploy


def test_comando_que_trava_e_encerrado_com_o_grupo(fazer_release, comando, engine):
    comando.configuracao = {**comando.configuracao, "timeout": 1}
    comando.save()
    (engine["saida"] / "travar-implantar").touch()

    impl = implantar(fazer_release(1))

    assert impl.status == Implantacao.Status.FALHOU
    assert "passou do tempo limite de 1 s" in impl.erro
    filho = int((engine["saida"] / "filho.pid").read_text())
    for _ in range(50):  # the kernel reaps the orphan shortly after the group's SIGKILL
        try:
            os.kill(filho, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the command's child {filho} survived the timeout")


def test_verificacao_que_falha_devolve_a_release_anterior(fazer_release, comando, engine):
    implantar(fazer_release(1))
    (engine["saida"] / "falhar-verificar").touch()

    impl = implantar(fazer_release(2))

    assert impl.status == Implantacao.Status.FALHOU
    assert "O comando 'verificar' terminou com o código 3" in impl.erro
    chamadas = [c.split()[:4] for c in (engine["saida"] / "chamadas.txt").read_text().splitlines()]
    assert chamadas[-3][0] == "implantar" and chamadas[-3][2] == "spec_teste-v2"
    assert chamadas[-2] == ["verificar", "--verificar", "spec_teste-v2"]
    assert chamadas[-1] == ["reverter", "--reverter", "spec_teste-v1", "spec_teste-v1"]
    assert "Revertendo para spec_teste-v1" in impl.log


def test_recusa_reverte_pelo_comando(fazer_release, comando, engine, elenco):
    implantar(fazer_release(1))
    segunda = implantar(fazer_release(2))

    servicos.implantacao_validar(implantacao_id=segunda.pk, por=elenco["po"], aprovado=False, observacao="lento")
    reversao = processar(Implantacao.objects.get(pk=segunda.pk).item_validacao.gerados.get(tipo="implantar"))

    assert reversao.status == Implantacao.Status.CONCLUIDA
    ultima = (engine["saida"] / "chamadas.txt").read_text().splitlines()[-1]
    assert ultima == "reverter --reverter spec_teste-v1 spec_teste-v2"
    env = _env(engine["saida"], "reverter")
    assert env["PROMETHEUS_VERSAO"] == "spec_teste-v1" and env["PROMETHEUS_VERSAO_ANTERIOR"] == "spec_teste-v2"


def test_sem_marcadores_recebe_os_tres_argumentos(fazer_release, comando, engine):
    comando.configuracao = {"implantar": [str(engine["script"])], "variaveis": {"SAIDA": str(engine["saida"])}}
    comando.save()

    impl = implantar(fazer_release(1))

    assert impl.status == Implantacao.Status.CONCLUIDA
    (chamada,) = (engine["saida"] / "chamadas.txt").read_text().splitlines()
    assert chamada.endswith(".zip spec_teste-v1 homologacao")
    assert "Nenhum comando de verificação configurado" in impl.log


@pytest.mark.parametrize(
    ("config", "campo", "trecho"),
    [
        ({}, "configuracao.implantar", "precisa do comando"),
        ({"implantar": "deploy.sh"}, "configuracao.implantar", "lista não vazia"),
        ({"implantar": ["x", "{segredo}"]}, "configuracao.implantar", "Marcador desconhecido: {segredo}"),
        ({"implantar": ["x"], "timeout": 0}, "configuracao.timeout", "de 1 a 86400"),
        ({"implantar": ["x"], "variaveis": {"1X": "a"}}, "configuracao.variaveis", "não é um nome"),
        ({"implantar": ["x"], "variaveis": {"PROMETHEUS_VERSAO": "a"}}, "configuracao.variaveis", "não é um nome"),
        ({"implantar": ["x"], "herdar": ["SECRET_KEY"]}, "configuracao.herdar", "não são repassadas"),
        ({"implantar": ["x"], "diretorio_trabalho": "rel"}, "configuracao.diretorio_trabalho", "absoluto"),
        ({"implantar": ["x"], "kubectl": True}, "configuracao.kubectl", "Chave desconhecida"),
    ],
)
def test_configuracao_invalida_nomeia_o_campo(config, campo, trecho):
    erros = erros_de_configuracao("comando", config)

    assert campo in erros and any(trecho in m for m in erros[campo]), erros


@pytest.mark.parametrize(
    ("config", "campo"),
    [
        ({"smoke": "pytest"}, "configuracao.smoke"),
        ({"timeout": -1}, "configuracao.timeout"),
        ({"x": 1}, "configuracao.x"),
    ],
)
def test_configuracao_invalida_do_diretorio(config, campo):
    assert campo in erros_de_configuracao("diretorio", config)
    assert erros_de_configuracao("diretorio", {"smoke": False, "timeout": 60}) == {}
    assert "Alvo desconhecido: 'kubernetes'" in erros_de_configuracao("kubernetes", {})["alvo"][0]
