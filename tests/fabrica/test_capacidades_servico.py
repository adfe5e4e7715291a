import pytest

from fabrica.capacidades.services import capacidade_salvar
from fabrica.erros import DadosInvalidos
from fabrica.models import Capacidade


def test_capacidade_repetida_e_recusada_pelo_servico_sem_500(db):
    capacidade_salvar(tipo="hardware", nome="gpu", por=None)
    with pytest.raises(DadosInvalidos) as exc:
        capacidade_salvar(tipo="hardware", nome="gpu", por=None)
    assert "nome" in exc.value.campos
    assert Capacidade.objects.filter(tipo="hardware", nome="gpu").count() == 1


def test_capacidade_com_nome_invalido_nomeia_o_campo(db):
    with pytest.raises(DadosInvalidos) as exc:
        capacidade_salvar(tipo="hardware", nome="GPU Nvidia", por=None)
    assert list(exc.value.campos) == ["nome"]
    assert not Capacidade.objects.exists()
