"""E-mail notices (issue 17 item 4): each of the four kinds of waiting decision is told once to
each person who may decide it, with a link that opens the decision for that person; nobody who
turned notices off is told; the daily digest lists only what waited more than a day; a failing
SMTP server never fails the decision and its notice is sent later."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from backlog.models import Status as StatusItem
from fabrica import tasks
from fabrica.avisos import services
from fabrica.avisos.models import Aviso, Perfil
from fabrica.implantacao.models import Implantacao
from fabrica.models import Orcamento
from tests.factories import AmbienteFactory, ItemFactory, ReleaseFactory

LINK = re.compile(r"(http://prometheus\.teste)(/\S*)")


class SmtpForaDoAr(BaseEmailBackend):
    """An SMTP server that refuses every connection."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "servidor fora do ar")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.PROMETHEUS_URL_BASE = "http://prometheus.teste"
    settings.PROMETHEUS_AVISOS_RESUMO = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def pessoas(elenco):
    """The PO (notices on), a second PO who turned them off, and the admin (decides nothing)."""
    po = elenco["po"]
    po.email = "po@prometheus.invalid"
    po.save()
    calado = User.objects.create_user("po_calado", email="calado@prometheus.invalid", password="x-senha-123")
    calado.groups.add(Group.objects.get(name="PO"))
    Perfil.objects.create(usuario=calado, avisos=False, resumo_diario=False)
    admin = elenco["admin"]
    admin.email = "admin@prometheus.invalid"
    admin.save()
    return {"po": po, "calado": calado, "admin": admin}


def _implantacao(release, ambiente, *, falhou: bool, terminado_em=None) -> Implantacao:
    terminado_em = terminado_em or timezone.now()
    return Implantacao.objects.create(
        ambiente=ambiente,
        release=release,
        spec_ref=release.spec_ref,
        versao=release.rotulo_versao,
        alvo="diretorio",
        status=Implantacao.Status.FALHOU if falhou else Implantacao.Status.CONCLUIDA,
        falha=Implantacao.Falha.PENDENTE if falhou else "",
        validacao="" if falhou else Implantacao.Validacao.PENDENTE,
        erro="Os testes de fumaça falharam." if falhou else "",
        iniciado_em=terminado_em,
        terminado_em=terminado_em,
    )


@pytest.fixture
def quatro(orcamento_pronto, pessoas):
    """One waiting decision of each kind: a budget, a release, a deployment to validate (in
    homologacao) and a failed one (in producao, approved by the PO group)."""
    item = ItemFactory(tipo="aprovar_release", status=StatusItem.PENDENTE)
    release = ReleaseFactory(spec=orcamento_pronto.spec, versao=1, item_aprovacao=item)
    homologacao = AmbienteFactory(nome="homologacao", ordem=10)
    producao = AmbienteFactory(nome="producao", ordem=20, grupos_aprovadores=["PO"])
    return {
        "orcamento": orcamento_pronto,
        "release": release,
        "validacao": _implantacao(release, homologacao, falhou=False),
        "falha": _implantacao(release, producao, falhou=True),
    }


def _caminhos(mensagem) -> list[str]:
    return [m.group(2) for m in LINK.finditer(mensagem.body)]


def test_cada_tipo_de_decisao_avisa_uma_vez_cada_pessoa_que_decide(quatro, pessoas):
    tasks.avisar()
    tasks.avisar()  # a retried task or the sweep: nothing more
    services.avisos_preparar()
    services.avisos_enviar()
    assert sorted(m.to[0] for m in mail.outbox) == ["po@prometheus.invalid"] * 4
    decisoes = {
        reverse("orcamento", args=[quatro["orcamento"].pk]),
        reverse("release", args=[quatro["release"].pk]),
        reverse("implantacao", args=[quatro["validacao"].pk]),
        reverse("implantacao", args=[quatro["falha"].pk]),
    }
    assert {_caminhos(m)[0] for m in mail.outbox} == decisoes
    assert len({m.subject for m in mail.outbox}) == 4
    assert all(m.subject.startswith("[PROMETHEUS] ") for m in mail.outbox)
    assert Aviso.objects.filter(status=Aviso.Status.ENVIADO).count() == 4
    # Who turned notices off, and who does not decide (the admin), have no notice at all.
    assert not Aviso.objects.filter(usuario__in=[pessoas["calado"], pessoas["admin"]]).exists()


def test_o_link_do_aviso_abre_a_decisao_para_quem_o_recebeu(quatro, pessoas):
    tasks.avisar()
    cliente = Client()
    cliente.force_login(pessoas["po"])
    assert len(mail.outbox) == 4
    for mensagem in mail.outbox:
        caminho = _caminhos(mensagem)[0]
        resposta = cliente.get(caminho)
        assert resposta.status_code == 200, (mensagem.subject, caminho)
    falha = next(m for m in mail.outbox if "falhou" in m.subject)
    assert "Os testes de fumaça falharam." in falha.body
    assert "producao" in falha.subject


def test_falha_num_ambiente_de_aprovadores_nomeados_avisa_so_eles(orcamento_pronto, pessoas):
    outro_po = User.objects.create_user("po_ops", email="ops@prometheus.invalid", password="x-senha-123")
    outro_po.groups.add(Group.objects.get(name="PO"))
    restrito = AmbienteFactory(nome="restrito", ordem=30)
    restrito.usuarios_aprovadores.set([outro_po])
    release = ReleaseFactory(spec=orcamento_pronto.spec, versao=1, status="Aprovada", decidido_em=timezone.now())
    falha = _implantacao(release, restrito, falhou=True)
    Orcamento.objects.filter(pk=orcamento_pronto.pk).update(
        status=Orcamento.Status.APROVADO, decidido_em=timezone.now()
    )
    tasks.avisar()
    assert [(m.to, _caminhos(m)[0]) for m in mail.outbox] == [
        (["ops@prometheus.invalid"], reverse("implantacao", args=[falha.pk]))
    ]


def test_quem_desliga_os_avisos_no_perfil_nao_recebe_mais(quatro, pessoas):
    cliente = Client()
    cliente.force_login(pessoas["po"])
    resposta = cliente.post(reverse("perfil"), {"email": "po@prometheus.invalid", "resumo_diario": "on"})
    assert resposta.status_code == 302
    tasks.avisar()
    assert mail.outbox == []
    perfil = Perfil.objects.get(usuario=pessoas["po"])
    assert (perfil.avisos, perfil.resumo_diario) == (False, True)


def test_avisos_desligados_depois_de_preparados_nao_saem(quatro, pessoas):
    services.avisos_preparar()
    Perfil.objects.create(usuario=pessoas["po"], avisos=False)
    assert services.avisos_enviar()["dispensados"] == 4
    assert mail.outbox == []


def test_decisao_tomada_antes_do_envio_nao_e_avisada(quatro, pessoas):
    from fabrica.decisoes.services import orcamento_aprovar

    services.avisos_preparar()
    orcamento_aprovar(orcamento_id=quatro["orcamento"].pk, por=pessoas["po"])
    services.avisos_enviar()
    assert len(mail.outbox) == 3
    assert Aviso.objects.get(tipo=Aviso.Tipo.ORCAMENTO).status == Aviso.Status.DISPENSADO


def test_aviso_no_idioma_de_quem_recebe(quatro, pessoas):
    Perfil.objects.create(usuario=pessoas["po"], idioma="en")
    tasks.avisar()
    assuntos = sorted(m.subject for m in mail.outbox)
    assert any("waits for your decision" in a for a in assuntos), assuntos
    assert not any("espera sua decisão" in a for a in assuntos)
    assert all("Open:" in m.body for m in mail.outbox)


def test_orcamento_pronto_quando_o_ultimo_gap_se_resolve_e_avisado_apos_o_commit(
    orcamento_bloqueado, pessoas, cluster_sincrono
):
    from fabrica.capacidades.services import capacidade_salvar

    capacidade_salvar(tipo="hardware", nome="gpu", por=None)
    assert mail.outbox == []
    with cluster_sincrono():
        capacidade_salvar(tipo="api_externa", nome="whisper_api", por=None)
        assert mail.outbox == []  # nothing inside the transaction that unblocked the budget
    assert ("fabrica.tasks.avisar", ()) in cluster_sincrono.executados
    assert [_caminhos(m)[0] for m in mail.outbox] == [reverse("orcamento", args=[orcamento_bloqueado.pk])]


def test_smtp_fora_do_ar_nao_quebra_a_falha_e_o_aviso_sai_depois(
    orcamento_pronto, pessoas, settings, cluster_sincrono, caplog
):
    from fabrica.implantacao.services import execucao

    Orcamento.objects.filter(pk=orcamento_pronto.pk).update(
        status=Orcamento.Status.APROVADO, decidido_em=timezone.now()
    )
    release = ReleaseFactory(spec=orcamento_pronto.spec, versao=1, status="Aprovada", decidido_em=timezone.now())
    ambiente = AmbienteFactory(nome="homologacao", ordem=10)
    impl = Implantacao.objects.create(
        ambiente=ambiente,
        release=release,
        spec_ref=release.spec_ref,
        versao=release.rotulo_versao,
        alvo="diretorio",
        status=Implantacao.Status.EM_ANDAMENTO,
        iniciado_em=timezone.now(),
    )
    settings.EMAIL_BACKEND = f"{__name__}.SmtpForaDoAr"
    with caplog.at_level(logging.WARNING, logger="fabrica.avisos.services"), cluster_sincrono():
        execucao._registrar_falha(impl.pk, None, "Os testes de fumaça falharam.")
    impl.refresh_from_db()
    assert (impl.status, impl.falha) == (Implantacao.Status.FALHOU, Implantacao.Falha.PENDENTE)
    aviso = Aviso.objects.get(tipo=Aviso.Tipo.FALHA, referencia=str(impl.pk))
    assert (aviso.status, aviso.tentativas) == (Aviso.Status.FALHOU, 1)
    assert "fora do ar" in aviso.erro
    assert "não foi enviado" in caplog.text
    # The SMTP server is back: the sweep's next runs send it, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.avisos_enviar()["enviados"] == 0  # its retry delay has not passed
    depois = timezone.now() + timedelta(minutes=5)
    assert services.avisos_enviar(agora=depois)["enviados"] == 1
    assert services.avisos_enviar(agora=depois + timedelta(minutes=5))["enviados"] == 0
    assert [_caminhos(m)[0] for m in mail.outbox] == [reverse("implantacao", args=[impl.pk])]


def test_varredura_recupera_avisos_perdidos(quatro, pessoas, monkeypatch):
    enfileirados = []
    monkeypatch.setattr(tasks, "async_task", lambda func, *a, **k: enfileirados.append(func))
    tasks.varrer()
    assert "fabrica.tasks.avisar" in enfileirados
    assert Aviso.objects.filter(status=Aviso.Status.PENDENTE).count() == 4
    tasks.avisar()
    assert len(mail.outbox) == 4


def test_resumo_diario_lista_so_o_que_espera_ha_mais_de_um_dia(quatro, pessoas):
    antiga = timezone.now() - timedelta(days=2)
    Implantacao.objects.filter(pk=quatro["falha"].pk).update(terminado_em=antiga, iniciado_em=antiga)
    tasks.resumo_diario()
    tasks.resumo_diario()  # one digest a day
    resumos = [m for m in mail.outbox if "mais de um dia" in m.subject]
    assert len(resumos) == 1
    assert resumos[0].to == ["po@prometheus.invalid"]
    assert _caminhos(resumos[0])[:-1] == [reverse("implantacao", args=[quatro["falha"].pk])]
    assert _caminhos(resumos[0])[-1] == reverse("perfil")


def test_resumo_nao_sai_sem_nada_antigo_nem_para_quem_o_desligou(quatro, pessoas, settings):
    tasks.resumo_diario()
    assert not [m for m in mail.outbox if "mais de um dia" in m.subject]
    Perfil.objects.create(usuario=pessoas["po"], resumo_diario=False)
    antiga = timezone.now() - timedelta(days=2)
    Implantacao.objects.filter(pk=quatro["falha"].pk).update(terminado_em=antiga)
    tasks.resumo_diario()
    assert not [m for m in mail.outbox if "mais de um dia" in m.subject]
    Perfil.objects.filter(usuario=pessoas["po"]).update(resumo_diario=True)
    settings.PROMETHEUS_AVISOS_RESUMO = False
    assert tasks.resumo_diario()["resumos"] == 0


def test_o_resumo_diario_esta_agendado(db):
    agenda = Schedule.objects.get(name="prometheus-resumo-diario")
    assert (agenda.func, agenda.schedule_type, agenda.repeats) == ("fabrica.tasks.resumo_diario", "D", -1)


@pytest.mark.parametrize("quem", ["po", "admin", "sistema", "outsider"])
def test_perfil_abre_no_menu_de_cada_papel(cliente_como, quem):
    cliente = cliente_como(quem)
    pagina = cliente.get(reverse("perfil"))
    assert pagina.status_code == 200
    assert f'href="{reverse("perfil")}"' in pagina.content.decode()


def test_perfil_anonimo_vai_ao_login(client):
    resposta = client.get(reverse("perfil"))
    assert resposta.status_code == 302 and reverse("login") in resposta["Location"]


def test_perfil_com_email_invalido_nomeia_o_campo_e_guarda_o_resto(cliente_como, elenco):
    resposta = cliente_como("po").post(reverse("perfil"), {"email": "isto não é e-mail", "idioma": "en"})
    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert "E-mail:" in html and 'value="isto não é e-mail"' in html
    assert not Perfil.objects.filter(usuario=elenco["po"]).exists()


def test_perfil_salva_email_e_preferencias(cliente_como, elenco):
    resposta = cliente_como("po").post(
        reverse("perfil"), {"email": "novo@prometheus.invalid", "avisos": "on", "idioma": "en"}
    )
    assert resposta.status_code == 302
    elenco["po"].refresh_from_db()
    perfil = Perfil.objects.get(usuario=elenco["po"])
    assert (elenco["po"].email, perfil.avisos, perfil.resumo_diario, perfil.idioma) == (
        "novo@prometheus.invalid",
        True,
        False,
        "en",
    )


def test_perfil_diz_de_que_a_pessoa_e_avisada(cliente_como):
    po = cliente_como("po").get(reverse("perfil")).content.decode()
    assert "orçamento a decidir, release a decidir, implantação a validar, implantação que falhou" in po
    admin = cliente_como("admin").get(reverse("perfil")).content.decode()
    assert "nenhum aviso é enviado a você" in admin


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_dois_processos_avisando_ao_mesmo_tempo_enviam_cada_aviso_uma_vez(quatro, pessoas):
    """Two workers run the task at once (a listener and the sweep): each notice leaves once."""
    import threading

    from django.db import connection

    barreira = threading.Barrier(3)
    erros: list[BaseException] = []

    def trabalhador():
        try:
            barreira.wait()
            for _ in range(3):
                tasks.avisar()
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            erros.append(exc)
        finally:
            connection.close()

    fios = [threading.Thread(target=trabalhador) for _ in range(3)]
    for fio in fios:
        fio.start()
    for fio in fios:
        fio.join()
    assert erros == []
    assert sorted(_caminhos(m)[0] for m in mail.outbox) == sorted(
        [
            reverse("orcamento", args=[quatro["orcamento"].pk]),
            reverse("release", args=[quatro["release"].pk]),
            reverse("implantacao", args=[quatro["validacao"].pk]),
            reverse("implantacao", args=[quatro["falha"].pk]),
        ]
    )
    assert Aviso.objects.filter(status=Aviso.Status.ENVIADO).count() == 4


def test_o_admin_ve_os_avisos_sem_poder_muda_los(quatro, pessoas, cliente_como):
    tasks.avisar()
    admin = cliente_como("admin")
    lista = admin.get(reverse("admin:fabrica_aviso_changelist"))
    assert lista.status_code == 200
    assert "4 avisos por e-mail" in lista.content.decode()
    aviso = Aviso.objects.first()
    assert admin.get(reverse("admin:fabrica_aviso_change", args=[aviso.pk])).status_code == 200
    assert admin.post(reverse("admin:fabrica_aviso_delete", args=[aviso.pk])).status_code == 403
    assert cliente_como("po").get(reverse("admin:fabrica_aviso_changelist")).status_code in (302, 403)


def test_quem_tem_concessao_para_concluir_o_orcamento_pelo_backlog_tambem_e_avisado(quatro, pessoas, elenco):
    """An admin granted a system's user to decide budgets over the broker (an MS_Produto): it may
    decide them and open their page, so it is told of budgets, and of nothing else. A grantee
    who could not open the page (no role) is not told."""
    from tests.apoio import conceder

    produto = elenco["sistema"]
    produto.email = "produto@prometheus.invalid"
    produto.save()
    sem_papel = elenco["outsider"]
    sem_papel.email = "outsider@prometheus.invalid"
    sem_papel.save()
    conceder(produto, "aprovar_orcamento", "CF")
    conceder(sem_papel, "aprovar_orcamento", "CF")
    tasks.avisar()
    para_produto = [m for m in mail.outbox if m.to == ["produto@prometheus.invalid"]]
    assert [_caminhos(m)[0] for m in para_produto] == [reverse("orcamento", args=[quatro["orcamento"].pk])]
    assert not [m for m in mail.outbox if m.to == ["outsider@prometheus.invalid"]]
    cliente = Client()
    cliente.force_login(produto)
    assert cliente.get(_caminhos(para_produto[0])[0]).status_code == 200
    assert "orçamento a decidir" in cliente.get(reverse("perfil")).content.decode()


def test_depois_da_ultima_tentativa_o_aviso_fica_registrado_como_erro(quatro, pessoas, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.SmtpForaDoAr"
    services.avisos_preparar()
    momento = timezone.now()
    with caplog.at_level(logging.WARNING, logger="fabrica.avisos.services"):
        for _ in range(services.MAX_TENTATIVAS + 2):
            services.avisos_enviar(agora=momento)
            momento += timedelta(hours=1)
    assert set(Aviso.objects.values_list("status", "tentativas")) == {(Aviso.Status.FALHOU, services.MAX_TENTATIVAS)}
    assert [r.levelname for r in caplog.records].count("ERROR") == 4  # the last attempt of each notice
    assert services.a_enviar() is False
    assert mail.outbox == []


def test_o_que_espera_custa_as_mesmas_consultas_com_mais_decisoes(quatro, pessoas, django_assert_num_queries):
    """The sweep asks every minute: its cost does not grow with the number of waiting decisions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fabrica.avisos import selectors

    selectors.esperando()  # Django's caches (content types) filled once
    with CaptureQueriesContext(connection) as antes:
        assert len(selectors.esperando()) == 4
    for _ in range(3):
        _implantacao(quatro["release"], quatro["falha"].ambiente, falhou=True)
        _implantacao(quatro["release"], quatro["validacao"].ambiente, falhou=False)
    with django_assert_num_queries(len(antes.captured_queries)):
        assert len(selectors.esperando()) == 10
