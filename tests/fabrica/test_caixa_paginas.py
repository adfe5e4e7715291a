"""The inbox in pages (issue 5): a bounded page whatever the size of the backlog and the history."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabrica.decisoes import caixa
from fabrica.decisoes import services as decisoes
from fabrica.models import Capacidade, Orcamento
from tests.apoio import orcar, orcar_copias

POR_PAGINA = 2


@pytest.fixture
def cinco_prontos(specs_exemplo, monkeypatch):
    monkeypatch.setattr(caixa, "POR_PAGINA", POR_PAGINA)
    Capacidade.objects.create(tipo="container", nome="postgres")
    return orcar_copias("spec_002", 5)


def _ids(resp) -> list[int]:
    html = resp.content.decode()
    tabela = html[html.index('<table id="caixa">') : html.index("</table>", html.index('<table id="caixa">'))]
    return [int(n) for n in re.findall(r'href="/orcamentos/(\d+)/"', tabela)]


def test_a_decidir_em_paginas_mais_antigos_primeiro(cliente_como, cinco_prontos):
    po = cliente_como("po")
    ids = [o.pk for o in cinco_prontos]

    paginas = [po.get(reverse("inicio"), {"pagina": n}) for n in (1, 2, 3)]

    assert [_ids(p) for p in paginas] == [ids[0:2], ids[2:4], ids[4:5]]
    primeira, segunda, ultima = (p.content.decode() for p in paginas)
    assert "página 1 de 3" in primeira
    assert 'href="?aba=decidir&pagina=2" rel="next"' in primeira
    assert 'rel="prev"' not in primeira
    assert 'href="?aba=decidir&pagina=1" rel="prev"' in segunda
    assert 'rel="next"' not in ultima
    assert '<span class="contador">5</span>' in primeira  # the tab counts every row, not the page


@pytest.mark.parametrize(("pedida", "mostrada"), [("99", 3), ("0", 1), ("abc", 1), ("-1", 1), ("²", 1), ("9" * 50, 1)])
def test_pagina_fora_do_intervalo_ou_invalida(cliente_como, cinco_prontos, pedida, mostrada):
    resp = cliente_como("po").get(reverse("inicio"), {"pagina": pedida})

    assert resp.status_code == 200
    assert f"página {mostrada} de 3" in resp.content.decode()


def test_uma_pagina_so_nao_mostra_paginacao(cliente_como, specs_exemplo):
    Capacidade.objects.create(tipo="container", nome="postgres")
    orcar("spec_002")

    html = cliente_como("po").get(reverse("inicio")).content.decode()

    assert "página 1 de" not in html


def test_historico_em_paginas_decisoes_mais_recentes_primeiro(cliente_como, cinco_prontos, elenco):
    base = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    for dias, orc in enumerate(cinco_prontos):
        decisoes.orcamento_rejeitar(orcamento_id=orc.pk, por=elenco["po"], motivo=f"motivo {dias}")
        Orcamento.objects.filter(pk=orc.pk).update(decidido_em=base + timedelta(days=dias))
    po = cliente_como("po")
    ids = [o.pk for o in reversed(cinco_prontos)]

    paginas = [_ids(po.get(reverse("inicio"), {"aba": "decididos", "pagina": n})) for n in (1, 2, 3)]

    assert paginas == [ids[0:2], ids[2:4], ids[4:5]]


def test_paginacao_mantem_a_busca(cliente_como, cinco_prontos):
    html = cliente_como("po").get(reverse("inicio"), {"q": "crédito"}).content.decode()

    assert 'href="?aba=decidir&q=cr%C3%A9dito&pagina=2" rel="next"' in html


@pytest.mark.parametrize("busca", ["spec_002", "SPEC_00", "crédito para vendas", "Score"])
def test_busca_pelo_id_ou_pelo_titulo_da_spec(cliente_como, cinco_prontos, busca):
    Capacidade.objects.create(tipo="api_externa", nome="whisper_api")
    Capacidade.objects.create(tipo="hardware", nome="gpu")
    outro = orcar("spec_001")

    achados = _ids(cliente_como("po").get(reverse("inicio"), {"q": busca, "pagina": 3}))

    assert cinco_prontos[-1].pk in achados
    assert (outro.pk in achados) is (busca == "SPEC_00")


def test_consultas_iguais_em_qualquer_pagina(cliente_como, cinco_prontos, elenco):
    po = cliente_como("po")
    decisoes.orcamento_aprovar(orcamento_id=cinco_prontos[0].pk, por=elenco["po"])
    contagens = {}
    for aba in caixa.ABAS:
        for pagina in (1, 2):
            with CaptureQueriesContext(connection) as consultas:
                assert po.get(reverse("inicio"), {"aba": aba, "pagina": pagina}).status_code == 200
            contagens[aba, pagina] = len(consultas)

    assert contagens["decidir", 1] == contagens["decidir", 2]
    assert contagens["decididos", 1] == contagens["decididos", 2]


@pytest.fixture
def cinco_decididos(cinco_prontos, elenco, monkeypatch):
    """Five rejected budgets, with the history counted only up to 3 (``LIMITE_DA_CONTAGEM``)."""
    monkeypatch.setattr(caixa, "LIMITE_DA_CONTAGEM", 3)
    for orc in cinco_prontos:
        decisoes.orcamento_rejeitar(orcamento_id=orc.pk, por=elenco["po"], motivo="não")
    return cinco_prontos


def test_historico_contado_ate_o_limite_diz_mais_e_pagina_sem_total(cliente_como, cinco_decididos):
    """Past the limit the counter says "3+", the pager has no total but a next page, and every
    row stays reachable."""
    po = cliente_como("po")

    primeira = po.get(reverse("inicio"), {"aba": "decididos"}).content.decode()
    ultima = po.get(reverse("inicio"), {"aba": "decididos", "pagina": 3}).content.decode()

    contadores = dict(re.findall(r'data-aba="(\w+)"[^>]*>[^<]*<span class="contador">([^<]+)</span>', primeira))
    assert contadores == {"decidir": "0", "espera": "0", "decididos": "3+"}
    assert "página 1 de" not in primeira and "página 1" in primeira
    assert 'href="?aba=decididos&pagina=2" rel="next"' in primeira
    # The last page is counted exactly (its limit is past the rows asked for): total known, no next.
    assert "página 3 de 3" in ultima and 'rel="next"' not in ultima
    vistos = [pk for n in (1, 2, 3) for pk in _ids(po.get(reverse("inicio"), {"aba": "decididos", "pagina": n}))]
    assert sorted(vistos) == sorted(o.pk for o in cinco_decididos)


def test_busca_no_historico_alem_do_limite_diz_mais_de(cliente_como, cinco_decididos):
    html = cliente_como("po").get(reverse("inicio"), {"aba": "decididos", "q": "spec_002"}).content.decode()

    assert "Mais de 3 itens com “spec_002” nesta aba." in html
    assert re.search(r'data-tipo="orcamento"[^>]*>[^<]+<span class="contador">3\+</span>', html)


def test_abas_abertas_contadas_exatamente_alem_do_limite(cliente_como, cinco_prontos, monkeypatch):
    monkeypatch.setattr(caixa, "LIMITE_DA_CONTAGEM", 3)

    html = cliente_como("po").get(reverse("inicio")).content.decode()

    assert re.search(r'data-aba="decidir"[^>]*>[^<]*<span class="contador">5</span>', html)
    assert "página 1 de 3" in html


def test_contar_varias_consultas_numa_so(cinco_decididos):
    """Every count of a page in one query, each up to its own limit; an empty queryset costs none."""
    decididos = Orcamento.objects.exclude(status="Aberto")
    with CaptureQueriesContext(connection) as consultas:
        numeros = caixa.contar([(decididos, None), (decididos, 2), (decididos.filter(spec_ref="x"), None)])
    assert numeros == [5, 2, 0] and len(consultas) == 1
    with CaptureQueriesContext(connection) as consultas:
        assert caixa.contar([(decididos.none(), None), (decididos, 10)]) == [0, 5]
    assert len(consultas) == 1
