"""What a PO and an admin read on the metrics page (found walking issue 18 from a fresh clone):
the counts in words, a hint beside "sem dados" where a person can act, each weekly point linked
to that week's facts, vertentes by name, the queue's waits as durations with their items linked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.fabrica.metricas.test_dora import historia  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

NOVEMBRO_QUERY = {"de": "2026-11-01", "ate": "2026-11-30"}


def test_contagens_em_palavras_e_estatistica_dita(cliente_como, historia):  # noqa: F811
    pagina = cliente_como("po").get(reverse("metricas"), NOVEMBRO_QUERY).content.decode()

    assert "implantações concluídas: 2" in pagina
    assert "validação recusada: 1" in pagina and "falharam (contadas uma vez): 1" in pagina
    assert "implantacoes_concluidas:" not in pagina and "falhas_sem_restauracao:" not in pagina
    assert "Lead time de mudanças (mediana)" in pagina
    assert "(media)" not in pagina and "(p50)" not in pagina


def test_sem_dados_diz_o_que_traria_dados(cliente_como):
    pagina = cliente_como("po").get(reverse("metricas")).content.decode()

    assert "Registre as horas reais na página de uma release aprovada." in pagina


def test_cada_ponto_da_tendencia_leva_aos_fatos_da_semana(cliente_como, historia):  # noqa: F811
    pagina = cliente_como("po").get(reverse("metricas"), NOVEMBRO_QUERY).content.decode()

    # The history is in the period's first week (1 to 7 November), in producao.
    semana = reverse("metricas-fatos", args=["dora.frequencia"]) + "?de=2026-11-01&amp;ate=2026-11-07"
    assert f'<a href="{semana}&amp;r_ambiente=producao"><circle' in pagina
    fatos = cliente_como("po").get(f"{semana.replace('&amp;', '&')}&r_ambiente=producao").content.decode()
    assert f'data-implantacao="{historia["p2"].pk}"' in fatos


def test_vertentes_pelo_nome(cliente_como):
    pagina = cliente_como("po").get(reverse("metricas")).content.decode()

    assert "E · Estrutural" in pagina and "C · Integração" in pagina


def test_fila_do_admin_com_espera_em_duracao_e_itens_ligados(cliente_como, historia):  # noqa: F811
    pagina = cliente_como("admin").get(reverse("metricas"), NOVEMBRO_QUERY).content.decode()

    # The deployments validated in the history each wait for avaliar_efetividade.
    assert reverse("backlog-quadro") + "?tipo=avaliar_efetividade&amp;status=Pendente" in pagina
    fila = pagina.split('id="esperando"')[1].split("</table>")[0]
    assert "Avaliação de efetividade" in fila
    # the history's clock stands at +9 h; the first validation (+3 h) has waited 6 hours
    assert "<td>6,0 h</td>" in fila


def test_em_ingles_as_palavras_tambem(cliente_como, historia):  # noqa: F811
    cliente = cliente_como("po")
    cliente.cookies["django_language"] = "en"

    pagina = cliente.get(reverse("metricas"), NOVEMBRO_QUERY).content.decode()

    assert "deployments concluded: 2" in pagina and "Lead time for changes (median)" in pagina
    assert "the default table, marked in the admin" in pagina
    assert "implantações concluídas" not in pagina


def test_numeros_da_fila_levam_aos_fatos_so_para_quem_os_abre(cliente_como):
    admin = cliente_como("admin").get(reverse("metricas")).content.decode()
    po = cliente_como("po").get(reverse("metricas")).content.decode()

    assert reverse("admin:backlog_evento_changelist") + "?tipo__exact=falha" in admin
    assert reverse("backlog-quadro") + "?status=EmProcessamento" in admin
    assert reverse("admin:backlog_evento_changelist") not in po and 'id="backlog"' not in po
    assert (
        cliente_como("admin").get(reverse("admin:backlog_evento_changelist"), {"tipo__exact": "falha"}).status_code
        == 200
    )
