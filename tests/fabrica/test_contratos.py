"""The wire's names in one place (fabrica.contratos): every item type fabrica registers is a
``TipoItem``, every builder makes a payload its type's schema accepts, and a release label is
formatted and read by one rule."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from backlog.tipos import erros_do_contexto, tipos_registrados
from fabrica import contratos
from fabrica.contratos import PRODUTOR, PRODUTOR_PO, TipoItem


def test_cada_tipo_do_enum_e_registrado_com_seu_schema():
    registrados = tipos_registrados()
    assert set(contratos.CONTRATOS) == set(TipoItem)
    for tipo in TipoItem:
        assert tipo in registrados, tipo
        assert registrados[tipo].schema == contratos.CONTRATOS[tipo][1]


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("spec_001-v2", ("spec_001", 2)),
        ("spec-v123456789", ("spec", 123456789)),
        ("spec-v1234567890", None),  # beyond the database's integer: not a label
        ("spec-v٣", None),  # digits of other scripts are not a version
        ("Spec-v1", None),
        ("spec_001", None),
        ("spec-v1\n", None),
        ("", None),
    ],
)
def test_rotulo_de_release_uma_regra(texto, esperado):
    assert contratos.ler_rotulo_versao(texto) == esperado
    if esperado is not None:
        assert contratos.rotulo_versao(*esperado) == texto


def _construidos():
    return [
        contratos.item_orcar_spec(spec_ref="spec_001", produtor="usuario:ana"),
        contratos.item_entrevistar_dor(
            spec_ref="spec_001",
            contexto={
                "sintoma": "s",
                "frequencia": "f",
                "afetados": ["spec_001"],
                "impacto": "i",
                "tentativas": [],
                "criterio_sucesso": "c",
            },
        ),
        contratos.item_aprovar_orcamento(
            spec_ref="spec_001", spec_recursos={"custo": 1}, spec_recursos_id=3, depende_de_gerados=[0]
        ),
        contratos.item_desenvolvimento(spec_ref="spec_001", spec_recursos={"custo": 1}, depende_de=[7]),
        contratos.item_ajustar_spec(spec_ref="spec_001", motivo="mais casos", spec_recursos_id=3),
        contratos.item_aprovar_release(
            rotulo_versao="spec_001-v2",
            spec_ref="spec_001",
            artefatos=["README.md"],
            testes_passaram=True,
            cobertura=91.5,
            release_id=4,
            tipo="hotfix",
            corrige="spec_001-v1",
        ),
        contratos.item_implantar(
            rotulo_versao="spec_001-v2", spec_ref="spec_001", ambiente="homologacao", aprovado_por="ana", origem_ref="5"
        ),
        contratos.item_reverter(
            rotulo_versao="spec_001-v2",
            spec_ref="spec_001",
            ambiente="homologacao",
            para=None,
            motivo="quebrou",
            por="usuario:ana",
            implantacao_ref="5",
        ),
        contratos.item_validar_implantacao(
            rotulo_versao="spec_001-v2", spec_ref="spec_001", implantacao_ref="5", ambiente="homologacao", url=""
        ),
        contratos.item_avaliar_efetividade(
            rotulo_versao="spec_001-v2", spec_ref="spec_001", implantacao_ref="5", ambiente="homologacao", observacao=""
        ),
    ]


@pytest.mark.parametrize("novo", _construidos(), ids=lambda n: n.tipo)
def test_cada_construtor_faz_um_contexto_que_o_schema_aceita(novo):
    assert novo.tipo in set(TipoItem)
    assert novo.produtor in (PRODUTOR, PRODUTOR_PO, "usuario:ana")
    assert novo.spec_ref == "spec_001"
    assert erros_do_contexto(novo.tipo, novo.contexto) == {}


def test_corrigir_bug_nomeia_a_release_e_so_o_que_foi_dado():
    novo = contratos.item_corrigir_bug(
        rotulo_versao="spec_001-v2", spec_ref="spec_001", erro="falha", rejeitada_por="x"
    )
    assert (novo.tipo, novo.produtor) == (TipoItem.CORRIGIR_BUG, PRODUTOR_PO)
    assert novo.contexto == {"feature_ref": "spec_001-v2", "erro": "falha", "rejeitada_por": "x"}
    # The schema only: the registered rule beyond it looks the release up (tests/fabrica/test_corrigir.py).
    assert Draft202012Validator(contratos.CONTRATOS[novo.tipo][1]).is_valid(novo.contexto)


def test_reversao_vai_a_frente_da_fila():
    novo = contratos.item_reverter(
        rotulo_versao="spec_001-v2", spec_ref="spec_001", ambiente="prod", para="spec_001-v1", motivo="m", por="p"
    )
    assert novo.tipo == TipoItem.IMPLANTAR and novo.prioridade == contratos.PRIORIDADE_REVERSAO > 0
    assert novo.contexto["reversao"] == {"para_release_ref": "spec_001-v1", "motivo": "m", "por": "p"}
