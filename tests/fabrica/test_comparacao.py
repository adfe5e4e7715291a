"""A hotfix against the release it fixes (fabrica.desenvolvimento.comparacao): artefacts added,
removed and changed with their unified diff; tests fixed, still failing, newly failing, by id."""

from __future__ import annotations

from fabrica.desenvolvimento.comparacao import comparar, comparar_artefatos, id_do_teste


def artefato(caminho: str, conteudo: str, vertente: str = "E", papel: str = "codigo") -> dict:
    return {"caminho": caminho, "vertente": vertente, "papel": papel, "conteudo": conteudo, "sha256": "-"}


def linha(nome: str, status: str, vertente: str = "E", arquivo: str = "tests/test_estrutural_regras.py") -> dict:
    return {"vertente": vertente, "nome": nome, "arquivo": arquivo, "status": status, "mensagem": f"{nome}: {status}"}


RAIZ_V1 = artefato("pyproject.toml", 'version = "1"\n', vertente="", papel="apoio")
RAIZ_V2 = artefato("pyproject.toml", 'version = "2"\n', vertente="", papel="apoio")


def test_testes_corrigidos_ainda_falhando_e_falhas_novas_por_id():
    antes = [
        linha("test_a[caso_01]", "falhou"),
        linha("test_b[caso_02]", "erro"),
        linha("test_c[caso_03]", "passou"),
        linha("test_d[caso_04]", "passou"),
        linha("test_some", "passou"),
    ]
    depois = [
        linha("test_a[caso_01]", "passou"),  # fixed
        linha("test_b[caso_02]", "falhou"),  # still failing
        linha("test_c[caso_03]", "falhou"),  # newly failing
        linha("test_d[caso_04]", "passou"),  # kept
        linha("test_r[regressao_01]", "passou"),  # new, passing
        linha("test_n[regressao_02]", "falhou"),  # new, failing: a new failure too
    ]
    c = comparar(artefatos_antes=[], testes_antes=antes, artefatos_depois=[], testes_depois=depois)
    assert [t.nome for t in c.corrigidos] == ["test_a[caso_01]"]
    assert [(t.nome, t.antes, t.depois) for t in c.ainda_falhando] == [("test_b[caso_02]", "erro", "falhou")]
    assert [(t.nome, t.antes) for t in c.novas_falhas] == [
        ("test_c[caso_03]", "passou"),
        ("test_n[regressao_02]", None),
    ]
    assert [t.nome for t in c.novos_passando] == ["test_r[regressao_01]"]
    assert [(t.nome, t.depois) for t in c.sumidos] == [("test_some", None)]
    assert c.mantidos == 1
    # a failure carries its message now; a pass carries none
    assert c.novas_falhas[0].mensagem == "test_c[caso_03]: falhou" and c.corrigidos[0].mensagem == ""
    assert not c.testes_iguais and not c.nada_mudou


def test_o_mesmo_nome_em_vertentes_diferentes_sao_testes_diferentes():
    # Rows without a file (a generation failure) are told apart by their vertente.
    antes = [linha("(geração)", "erro", "E", ""), linha("(geração)", "erro", "D", "")]
    depois = [linha("(geração)", "erro", "E", ""), linha("test_x", "passou", "D", "tests/test_decisional_x.py")]
    assert id_do_teste(antes[0]) != id_do_teste(antes[1])
    c = comparar(artefatos_antes=[], testes_antes=antes, artefatos_depois=[], testes_depois=depois)
    assert [t.vertente for t in c.ainda_falhando] == ["E"]
    assert [t.vertente for t in c.sumidos] == ["D"] and [t.nome for t in c.novos_passando] == ["test_x"]


def test_artefatos_adicionados_removidos_e_alterados_com_diff_unificado():
    antes = [
        artefato("p/estrutural/regras.py", "def f():\n    return 1\n"),
        artefato("p/estrutural/velho.py", "x = 1\n"),
        artefato("p/estrutural/igual.py", "y = 2\n"),
    ]
    depois = [
        artefato("p/estrutural/regras.py", "def f():\n    return 2\n"),
        artefato("p/estrutural/novo.py", "z = 3"),
        artefato("p/estrutural/igual.py", "y = 2\n"),
    ]
    c = comparar_artefatos(antes, depois)
    assert [a["caminho"] for a in c.adicionados] == ["p/estrutural/novo.py"]
    assert [a["caminho"] for a in c.removidos] == ["p/estrutural/velho.py"]
    (alterado,) = c.alterados
    assert alterado.caminho == "p/estrutural/regras.py" and (alterado.mais, alterado.menos) == (1, 1)
    assert alterado.diff.splitlines() == [
        "--- a/p/estrutural/regras.py",
        "+++ b/p/estrutural/regras.py",
        "@@ -1,2 +1,2 @@",
        " def f():",
        "-    return 1",
        "+    return 2",
    ]
    assert c.iguais == 1
    assert not c.codigo_igual and not c.artefatos_da_vertente_iguais


def test_so_os_arquivos_da_raiz_mudaram_e_os_testes_iguais_nada_mudou():
    """What issue 17 saw: spec_004-v2 byte-identical to v1 except the version strings."""
    codigo = artefato("p/estrutural/regras.py", "def f():\n    return 1\n")
    testes = [linha("test_a[caso_01]", "passou"), linha("test_b[caso_02]", "falhou")]
    c = comparar(
        artefatos_antes=[codigo, RAIZ_V1], testes_antes=testes, artefatos_depois=[codigo, RAIZ_V2], testes_depois=testes
    )
    assert [a.caminho for a in c.alterados] == ["pyproject.toml"]  # shown, with its diff
    assert c.nada_mudou and c.codigo_igual and c.testes_iguais
    assert [t.nome for t in c.ainda_falhando] == ["test_b[caso_02]"] and c.mantidos == 1


def test_um_teste_novo_com_o_codigo_igual_nao_e_nada_mudou_mas_e_codigo_igual():
    codigo = artefato("p/estrutural/regras.py", "def f():\n    return 1\n")
    t1 = artefato("tests/test_estrutural_regras.py", "def test_a(): ...\n", papel="teste")
    t2 = artefato("tests/test_estrutural_regras.py", "def test_a(): ...\ndef test_r(): ...\n", papel="teste")
    c = comparar(
        artefatos_antes=[codigo, t1],
        testes_antes=[linha("test_a", "passou")],
        artefatos_depois=[codigo, t2],
        testes_depois=[linha("test_a", "passou"), linha("test_r", "passou")],
    )
    assert c.codigo_igual and not c.nada_mudou
    assert c.resumo() == {
        "adicionados": 0,
        "removidos": 0,
        "alterados": 1,
        "iguais": 1,
        "corrigidos": 0,
        "ainda_falhando": 0,
        "novas_falhas": 0,
        "novos_passando": 1,
        "sumidos": 0,
        "mantidos": 1,
    }


def test_diff_enorme_e_cortado_com_aviso():
    antes = [artefato("p/estrutural/grande.py", "")]
    depois = [artefato("p/estrutural/grande.py", "x = 1\n" * 20_000)]
    (alterado,) = comparar_artefatos(antes, depois).alterados
    assert alterado.diff.endswith("… (diff cortado)\n") and alterado.mais == 20_000
