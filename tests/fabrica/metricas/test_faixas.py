"""The tables of DORA bands as an admin edits them in Django admin: who may edit (admin) and who
may not (PO, anonymous), bad limits refused beside the field at fault, the page and the API
showing the edited band, the default table (one only), and the hand-computed history of
``test_dora`` classified against an edited table."""

from __future__ import annotations

import pytest
from django import forms
from django.db import IntegrityError, transaction
from django.urls import reverse

from fabrica.metricas import faixas
from fabrica.metricas.models import Faixa, TabelaFaixas
from fabrica.metricas.selectors import painel
from tests.fabrica.metricas.test_dora import NOVEMBRO, historia  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

NOVEMBRO_QUERY = {"de": "2026-11-01", "ate": "2026-11-30"}


def _tabela(chave: str) -> TabelaFaixas:
    return TabelaFaixas.objects.get(chave=chave)


def _url_de_edicao(chave: str) -> str:
    return reverse("admin:fabrica_tabelafaixas_change", args=[_tabela(chave).pk])


def _dados_do_formulario(resposta) -> dict[str, str]:
    """What the browser would send back from the admin's change page, unchanged: the table's
    fields, the management form and each band's fields."""
    dados: dict[str, str] = {}

    def juntar(form) -> None:
        for nome, campo in form.fields.items():
            valor = form[nome].value()
            if isinstance(campo, forms.BooleanField):
                if valor:
                    dados[form.add_prefix(nome)] = "on"
                continue
            dados[form.add_prefix(nome)] = "" if valor is None else str(valor)

    juntar(resposta.context["adminform"].form)
    for inline in resposta.context["inline_admin_formsets"]:
        formset = inline.formset
        juntar(formset.management_form)
        for form in formset.forms:
            juntar(form)
    return dados


def _indice(dados: dict[str, str], nome: str) -> int:
    """The index of the band called ``nome`` in the admin's inline formset."""
    return next(
        int(k.split("-")[1]) for k, v in dados.items() if k.startswith("faixas-") and k.endswith("-nome") and v == nome
    )


def _editar(cliente, chave: str, **mudancas: str):
    """Opens the table's change page as ``cliente`` and posts it back with ``mudancas``, named
    ``<band>__<field>`` (``elite__lead_time_maximo="2"``) or a table field."""
    url = _url_de_edicao(chave)
    dados = _dados_do_formulario(cliente.get(url))
    for nome, valor in mudancas.items():
        if "__" in nome:
            faixa, campo = nome.split("__")
            dados[f"faixas-{_indice(dados, faixa)}-{campo}"] = valor
        else:
            dados[nome] = valor
    return cliente.post(url, dados)


def _erros_das_faixas(resposta) -> dict[str, dict[str, list[str]]]:
    formset = resposta.context["inline_admin_formsets"][0].formset
    return {form.cleaned_data.get("nome") or form["nome"].value(): form.errors for form in formset.forms if form.errors}


# --- the cast ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("quem", "esperado"), [("admin", 200), ("po", 403), ("outsider", 403), ("anon", 200)])
def test_admin_das_faixas_por_papel(cliente_como, quem, esperado):
    """Only staff enter the admin: the others are sent to its login, which shows a logged-in PO
    or outsider the site's 403 and sends the anonymous on to the site's login page."""
    resposta = cliente_como(quem).get(reverse("admin:fabrica_tabelafaixas_changelist"), follow=True)

    assert resposta.status_code == esperado
    if quem != "admin":
        assert resposta.redirect_chain[0][0].startswith(reverse("admin:login"))
    if quem == "anon":
        assert resposta.redirect_chain[-1][0].startswith(reverse("login"))
        assert 'name="password"' in resposta.content.decode()
    if quem == "admin":
        pagina = resposta.content.decode()
        assert "DORA 2023" in pagina and "DORA 2021" in pagina and "GitLab" in pagina


def test_admin_edita_uma_faixa(cliente_como):
    resposta = _editar(
        cliente_como("admin"), "dora_2023", elite__lead_time_maximo="2", elite__lead_time_unidade="horas"
    )

    assert resposta.status_code == 302, _erros_das_faixas(resposta)
    elite = Faixa.objects.get(tabela__chave="dora_2023", nome="elite")
    assert (elite.lead_time_maximo, elite.lead_time_unidade) == (2.0, "horas")


@pytest.mark.parametrize("quem", ["po", "anon"])
def test_po_e_anonimo_nao_editam(cliente_como, quem):
    url = _url_de_edicao("dora_2023")
    dados = _dados_do_formulario(cliente_como("admin").get(url))
    dados[f"faixas-{_indice(dados, 'elite')}-lead_time_maximo"] = "2"

    resposta = cliente_como(quem).post(url, dados)

    assert resposta.status_code == 302
    assert resposta["Location"].startswith(reverse("admin:login"))
    assert Faixa.objects.get(tabela__chave="dora_2023", nome="elite").lead_time_maximo == 1.0


# --- bad limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mudancas", "faixa", "campo"),
    [
        # alta's lead time (7 days) below elite's: the bands would overlap
        ({"alta__lead_time_maximo": "12", "alta__lead_time_unidade": "horas"}, "alta", "lead_time_maximo"),
        # a worse band asking more deployments than the better one
        ({"media__frequencia_minima": "2", "media__frequencia_unidade": "por_dia"}, "media", "frequencia_minima"),
        # the same limit in two bands, written in different units: one would hold nothing
        ({"alta__restauracao_maxima": "60", "alta__restauracao_unidade": "minutos"}, "alta", "restauracao_maxima"),
        # a limit without its unit
        ({"alta__frequencia_unidade": ""}, "alta", "frequencia_unidade"),
        # a rate above 100 %
        ({"media__falhas_maxima": "150"}, "media", "falhas_maxima"),
        # the worst band takes what is left: no limit
        ({"baixa__falhas_maxima": "90"}, "baixa", "falhas_maxima"),
        # no negative limits
        ({"elite__lead_time_maximo": "-1"}, "elite", "lead_time_maximo"),
    ],
)
def test_limites_ruins_sao_recusados_com_o_campo(cliente_como, mudancas, faixa, campo):
    antes = list(Faixa.objects.filter(tabela__chave="dora_2023").order_by("pk").values())

    resposta = _editar(cliente_como("admin"), "dora_2023", **mudancas)

    assert resposta.status_code == 200
    erros = _erros_das_faixas(resposta)
    assert campo in erros.get(faixa, {}), erros
    assert list(Faixa.objects.filter(tabela__chave="dora_2023").order_by("pk").values()) == antes


def test_erros_da_tabela_nomeiam_a_faixa_e_o_campo():
    linhas = [
        {"nome": "alta", "lead_time_maximo": 7, "lead_time_unidade": "dias"},
        {"nome": "elite", "lead_time_maximo": 8, "lead_time_unidade": "dias"},
        {"nome": "baixa"},
    ]

    erros = faixas.erros_da_tabela(linhas)

    assert [(i, campo) for i, campo, _m in erros if campo.startswith("lead_time")] == [(0, "lead_time_maximo")]


def test_a_base_recusa_um_limite_sem_unidade():
    with pytest.raises(IntegrityError), transaction.atomic():
        Faixa.objects.filter(tabela__chave="gitlab", nome="alta").update(lead_time_unidade="")


# --- the default table ----------------------------------------------------------------------------------


def test_so_uma_tabela_padrao_na_base():
    assert _tabela("dora_2023").padrao
    with pytest.raises(IntegrityError), transaction.atomic():
        TabelaFaixas.objects.filter(chave="gitlab").update(padrao=True)


def test_admin_marca_outra_tabela_como_padrao(cliente_como, api_como):
    resposta = _editar(cliente_como("admin"), "gitlab", mostrar_por_padrao="on")

    assert resposta.status_code == 302, _erros_das_faixas(resposta)
    assert list(TabelaFaixas.objects.filter(padrao=True).values_list("chave", flat=True)) == ["gitlab"]
    corpo = api_como("po").get(reverse("api-metricas")).json()
    assert (corpo["faixas"]["chave"], corpo["faixas"]["padrao"], corpo["faixas"]["origem"]) == (
        "gitlab",
        True,
        "padrao",
    )


def test_acao_do_admin_torna_padrao(cliente_como):
    gitlab = _tabela("gitlab")

    resposta = cliente_como("admin").post(
        reverse("admin:fabrica_tabelafaixas_changelist"), {"action": "tornar_padrao", "_selected_action": [gitlab.pk]}
    )

    assert resposta.status_code == 302
    assert list(TabelaFaixas.objects.filter(padrao=True).values_list("chave", flat=True)) == ["gitlab"]


def test_sem_tabela_marcada_vale_a_configuracao(settings, api_como):
    TabelaFaixas.objects.update(padrao=False)
    settings.PROMETHEUS_METRICAS_FAIXAS = "dora_2021"

    corpo = api_como("po").get(reverse("api-metricas")).json()

    assert (corpo["faixas"]["chave"], corpo["faixas"]["padrao"], corpo["faixas"]["origem"]) == (
        "dora_2021",
        False,
        "configuracao",
    )


def test_faixas_pedidas_que_nao_existem_sao_400_com_o_campo(api_como):
    resposta = api_como("po").get(reverse("api-metricas"), {"faixas": "nao_existe"})

    assert resposta.status_code == 400
    assert "faixas" in resposta.json()["campos"]


# --- the page and the API show the admin's edit ----------------------------------------------------------


def test_pagina_e_api_mostram_a_faixa_editada(cliente_como, api_como):
    resposta = _editar(
        cliente_como("admin"),
        "dora_2023",
        elite__lead_time_maximo="2",
        elite__lead_time_unidade="horas",
        elite__lead_time_texto="duas horas ou menos (nosso alvo)",
    )
    assert resposta.status_code == 302, _erros_das_faixas(resposta)

    pagina = cliente_como("po").get(reverse("metricas")).content.decode()
    corpo = api_como("po").get(reverse("api-metricas")).json()

    assert 'data-tabela="dora_2023"' in pagina
    assert "≤ 2 h" in pagina and "duas horas ou menos (nosso alvo)" in pagina
    elite = corpo["faixas"]["faixas"]["lead_time"][0]
    assert elite == {
        "nome": "elite",
        "limite": 7200.0,
        "unidade": "segundos",
        "limite_informado": 2.0,
        "unidade_informada": "horas",
        "texto": "duas horas ou menos (nosso alvo)",
    }
    # The admin sees where to edit it; the PO does not.
    assert "Editar as faixas no admin" in cliente_como("admin").get(reverse("metricas")).content.decode()
    assert "Editar as faixas no admin" not in pagina


def test_pagina_mostra_a_tabela_pedida(cliente_como):
    pagina = cliente_como("po").get(reverse("metricas"), {"faixas": "gitlab"}).content.decode()

    assert 'data-tabela="gitlab"' in pagina
    assert "≥ 1 por mês" in pagina  # GitLab's medium deployment frequency


# --- classification against an edited table -------------------------------------------------------------


def test_historia_classificada_pela_tabela_editada(cliente_como, historia):  # noqa: F811
    """The history of test_dora, in producao over November: 2 deployments in 30 days, a failure
    rate of 1/2, lead time median 4 h, restore median 4 h. With DORA 2023 as published: média,
    elite, baixa, alta. The admin then moves the limits around those values."""
    antes = painel(NOVEMBRO)
    assert [
        antes.achar("dora.frequencia", ambiente="producao").faixa,
        antes.achar("dora.lead_time", ambiente="producao", estatistica="p50").faixa,
        antes.achar("dora.falhas", ambiente="producao").faixa,
        antes.achar("dora.restauracao", ambiente="producao", estatistica="p50").faixa,
    ] == ["media", "elite", "baixa", "alta"]

    resposta = _editar(
        cliente_como("admin"),
        "dora_2023",
        # 2 per month = 2/30 per day: exactly alta's minimum, which it meets (≥)
        alta__frequencia_minima="2",
        alta__frequencia_unidade="por_mes",
        media__frequencia_minima="1",
        media__frequencia_unidade="por_semestre",
        # 4 h is over elite's 3 h, under alta's 7 days
        elite__lead_time_maximo="3",
        elite__lead_time_unidade="horas",
        # 50 % is over alta's 10 %, under media's 60 %
        media__falhas_maxima="60",
        # 4 h is under elite's 5 h
        elite__restauracao_maxima="5",
        elite__restauracao_unidade="horas",
    )
    assert resposta.status_code == 302, _erros_das_faixas(resposta)

    depois = painel(NOVEMBRO)
    assert [
        depois.achar("dora.frequencia", ambiente="producao").faixa,
        depois.achar("dora.lead_time", ambiente="producao", estatistica="p50").faixa,
        depois.achar("dora.falhas", ambiente="producao").faixa,
        depois.achar("dora.restauracao", ambiente="producao", estatistica="p50").faixa,
    ] == ["alta", "alta", "media", "elite"]
