"""The PO's pages in plain words (issue 11): the budget page, safe decisions that lead on,
prerequisites, the admin's path and the navigation of each role."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from backlog.models import Item, Status
from fabrica import palavras
from fabrica.capacidades.services import capacidade_salvar
from fabrica.decisoes import services as decisoes
from fabrica.models import Capacidade, Orcamento
from prometheus_site import vocabulario
from prometheus_site.templatetags import palavras as filtros
from tests.apoio import orcar, orcar_copias


@pytest.fixture
def postgres(specs_exemplo):
    return Capacidade.objects.create(tipo="container", nome="postgres")


def _texto(resposta) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    corpo = resposta.content.decode()
    corpo = re.sub(r"<(script|style|dialog)\b.*?</\1>", " ", corpo, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", corpo)))


def _resumo(resposta) -> str:
    pagina = resposta.content.decode()
    inicio = pagina.index('<dl class="campos" id="resumo">')
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", pagina[inicio : pagina.index("</dl>", inicio)])))


# --- words, not code ------------------------------------------------------------------------------


def test_resumo_em_palavras(cliente_como, orcamento_bloqueado):
    resumo = _resumo(cliente_como("po").get(reverse("orcamento", args=[orcamento_bloqueado.pk])))

    assert re.search(r"Custo BRL \d{1,3}(\.\d{3})*,\d{2} ", resumo)  # money in pt-BR: 2.616,00
    for esperado in (
        "GPU necessária sim",
        "APIs externas whisper_api",
        "Workers Estrutural e Decisional",
        "Containers nenhum",
        "Pré-requisitos nenhum",
        "10 combinações geradas (todos os pares de valores (pairwise))",
    ):
        assert esperado in resumo, esperado
    for codigo in ("WORKER_", "True", "False", "[", "esforco.", "runtime.", "None"):
        assert codigo not in resumo, codigo


def test_resumo_em_ingles(cliente_como, orcamento_bloqueado):
    po = cliente_como("po")
    po.cookies["django_language"] = "en"
    resumo = _resumo(po.get(reverse("orcamento", args=[orcamento_bloqueado.pk])))
    assert re.search(r"Cost BRL \d{1,3}(,\d{3})*\.\d{2} ", resumo)  # and in English: 2,616.00
    for esperado in ("GPU needed yes", "Workers Structural and Decision", "Containers none"):
        assert esperado in resumo, esperado


def test_detalhes_do_calculo_dobrados_com_commit_e_sha(cliente_como, orcamento_bloqueado):
    pagina = cliente_como("po").get(reverse("orcamento", args=[orcamento_bloqueado.pk])).content.decode()
    inicio = pagina.index('<details class="detalhes" id="detalhes-calculo">')
    detalhes = pagina[inicio : pagina.index("</details>", inicio)]
    assert "<details " in detalhes and " open" not in detalhes.split(">")[0]
    for dentro in ('id="explicacoes"', orcamento_bloqueado.spec_sha256, orcamento_bloqueado.spec_commit):
        assert dentro in detalhes
    fora = pagina.replace(detalhes, "")
    assert orcamento_bloqueado.spec_sha256 not in fora


def test_gap_diz_como_foi_resolvido(cliente_como, orcamento_bloqueado, elenco):
    capacidade_salvar(tipo="hardware", nome="gpu", por=elenco["admin"])
    texto = _texto(cliente_como("po").get(reverse("orcamento", args=[orcamento_bloqueado.pk])))
    assert "API whisper_api não configurada" in texto
    assert re.search(r"GPU: resolvida por admin em \d{2}/\d{2}/\d{4} \d{2}:\d{2}", texto)
    assert "capacidade gpu registrada por admin" in texto
    assert "GPU não disponível" not in texto


def test_admin_ve_onde_resolver_cada_gap_aberto(cliente_como, orcamento_bloqueado, elenco):
    """Issue 17: a budget blocked by gaps links, for an admin, the Capacidades add form prefilled
    with what the spec asked for (the budget page and the Django admin's budget); the form opens
    with those values; a resolved gap and a PO get no such link."""
    capacidade_salvar(tipo="hardware", nome="gpu", por=elenco["admin"])
    admin = cliente_como("admin")
    pagina = admin.get(reverse("orcamento", args=[orcamento_bloqueado.pk])).content.decode()
    links = re.findall(r'class="registrar-capacidade" href="([^"]+)"', pagina)
    assert [html.unescape(u) for u in links] == ["/admin/fabrica/capacidade/add/?tipo=api_externa&nome=whisper_api"]
    formulario = admin.get(html.unescape(links[0])).content.decode()
    assert 'value="whisper_api"' in formulario and re.search(r'<option value="api_externa"[^>]*selected', formulario)
    no_admin = admin.get(reverse("admin:fabrica_orcamento_change", args=[orcamento_bloqueado.pk])).content.decode()
    assert [html.unescape(u) for u in re.findall(r'class="registrar-capacidade" href="([^"]+)"', no_admin)] == [
        html.unescape(links[0])
    ]
    assert (
        "registrar-capacidade"
        not in cliente_como("po").get(reverse("orcamento", args=[orcamento_bloqueado.pk])).content.decode()
    )


def test_linha_do_tempo_com_nomes_de_gente(cliente_como, orcamento_bloqueado):
    texto = _texto(cliente_como("po").get(reverse("orcamento", args=[orcamento_bloqueado.pk])))
    linha = texto[texto.index("Linha do tempo") :]
    assert "Pedido de orçamento" in linha and "Aprovação do orçamento" in linha and "Gap de infraestrutura" in linha
    assert re.search(r"PROMETHEUS \(worker [^)]+:\d+\)", linha)
    for codigo in ("orcar_spec", "aprovar_orcamento", "entrevistar_dor", "PROMETHEUS@", "produzido", "consumido"):
        assert not re.search(rf"{codigo}\b", linha), codigo


@pytest.mark.parametrize(
    ("ator", "nome"),
    [
        ("usuario:ana", "ana"),
        ("admin:ana", "ana"),
        ("po:ana", "ana"),
        ("PROMETHEUS@vm:18244", "PROMETHEUS (worker vm:18244)"),
        ("MS_Backlog", "MS_Backlog"),
        ("", "—"),
    ],
)
def test_nome_do_ator(ator, nome):
    assert vocabulario.nome_do_ator(ator) == nome


def test_status_do_quadro_em_palavras(cliente_como, orcamento_bloqueado):
    texto = _texto(cliente_como("admin").get(reverse("backlog-quadro")))
    assert "Em processamento" in texto and "Concluído" in texto
    assert "EmProcessamento" not in texto.replace("status=EmProcessamento", "")
    assert " Concluido " not in texto


def test_item_mostra_json(cliente_como, orcamento_bloqueado):
    pagina = cliente_como("admin").get(reverse("backlog-item", args=[orcamento_bloqueado.item_orcar_id]))
    conteudo = html.unescape(pagina.content.decode())
    assert '"spec_ref": "spec_001"' in conteudo
    assert "'spec_ref'" not in conteudo  # no Python dict repr
    assert '"ja_orcada"' not in conteudo and '"gaps": 2' in conteudo


def test_ha_pouco_nao_e_zero_minutos(cliente_como, orcamento_bloqueado):
    texto = _texto(cliente_como("po").get(reverse("inicio") + "?aba=espera"))
    assert "agora há pouco" in texto
    assert "0 minuto" not in texto


def test_palavras_de_valores_desconhecidos_sao_o_valor():
    assert vocabulario.palavra("item", "Inventado") == "Inventado"
    assert vocabulario.palavra("conjunto_que_nao_existe", "x") == "x"
    assert vocabulario.tom("item", "Inventado") == "neutro"


def test_cada_palavra_tem_traducao_inglesa():
    """Every registered word is in the English catalogue (the words are built in Python)."""
    catalogo = translation.trans_real.translation("en")._catalog
    faltando = []
    for conjunto, palavras_do_conjunto in vocabulario._conjuntos.items():
        for valor, p in palavras_do_conjunto.items():
            msgid = p.texto._args[0] if hasattr(p.texto, "_args") else p.texto
            if msgid not in catalogo:
                faltando.append((conjunto, valor, msgid))
    assert faltando == []
    assert len(vocabulario.valores("item")) == 6 and len(vocabulario.valores("evento")) >= 10


@pytest.mark.parametrize(
    ("idioma", "esperado"), [("pt-br", "BRL 2.220,00"), ("en", "BRL 2,220.00")], ids=["pt-br", "en"]
)
def test_dinheiro_no_formato_do_idioma(idioma, esperado):
    with translation.override(idioma):
        assert filtros.dinheiro({"total": 2220.0, "moeda": "BRL"}) == esperado


def test_listas_em_palavras():
    with translation.override("pt-br"):
        assert filtros.lista(["a", "b", "c"]) == "a, b e c"
        assert filtros.lista([]) == "nenhum"
    with translation.override("en"):
        assert filtros.lista(["a", "b"]) == "a and b"


def test_regra_antiga_sem_parametros_ainda_traduz():
    with translation.override("en"):
        assert palavras.regra({"regra": "declarado na spec"}) == "declared in the spec"
        assert palavras.regra({"regra": "padrão (%(n)s)", "regra_params": {"n": 10}}) == "default (10)"
        assert palavras.regra({"regra": "uma regra que ninguém traduziu"}) == "uma regra que ninguém traduziu"


def test_api_explica_no_idioma_pedido(api_como, orcamento_bloqueado):
    po = api_como("po")
    url = reverse("api-orcamento", args=[orcamento_bloqueado.pk])
    pt = po.get(url).json()
    en = po.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert pt["explicacao"]["runtime.gpu"]["regra"] == "declarado na spec (runtime.gpu)"
    assert en["explicacao"]["runtime.gpu"]["regra"] == "declared in the spec (runtime.gpu)"
    assert en["explicacao"]["esforco.horas_dev.E"]["regra"].startswith("size units of strand E")
    assert "regra_params" not in en["explicacao"]["esforco.horas_dev.E"]
    assert {g["titulo"] for g in en["gaps"]} == {"API whisper_api not configured", "GPU not available"}
    erro = po.post(f"/api/orcamentos/{orcamento_bloqueado.pk}/rejeitar/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert erro.json()["erro"] == "Give the reason for the decision."


# --- English is whole -----------------------------------------------------------------------------


def _frases_do_catalogo() -> dict[str, str]:
    """Portuguese msgid → English msgstr of every sentence the catalogue translates differently."""
    catalogo = translation.trans_real.translation("en")._catalog
    frases = {}
    for msgid, msgstr in catalogo.items():
        if isinstance(msgid, tuple):
            msgid = msgid[0]
        if not isinstance(msgid, str) or "%(" in msgid or "{" in msgid or len(msgid) < 14:
            continue
        if isinstance(msgstr, str) and msgstr != msgid and re.search(r"[a-zà-ú]{3} [a-zà-ú]{3}", msgid):
            frases[msgid] = msgstr
    return frases


@pytest.fixture
def paginas(postgres, elenco, orcamento_bloqueado):
    """One of each page the PO reads: the tabs, a blocked, a ready and a decided budget, specs."""
    pronto, decidido = orcar("spec_004"), orcar("spec_002")
    decisoes.orcamento_rejeitar(orcamento_id=decidido.pk, por=elenco["po"], motivo="caro")
    return [
        reverse("inicio"),
        reverse("inicio") + "?aba=espera",
        reverse("inicio") + "?aba=decididos",
        reverse("orcamento", args=[orcamento_bloqueado.pk]),
        reverse("orcamento", args=[pronto.pk]),
        reverse("orcamento", args=[decidido.pk]),
        reverse("specs"),
        reverse("spec", args=[pronto.spec_id]),
    ]


def test_em_ingles_nenhuma_frase_do_catalogo_fica_em_portugues(cliente_como, paginas):
    po = cliente_como("po")
    po.cookies["django_language"] = "en"
    frases = _frases_do_catalogo()
    assert len(frases) > 100
    for url in paginas:
        texto = _texto(po.get(url))
        restos = [pt for pt in frases if pt in texto]
        assert restos == [], (url, restos)


def test_em_portugues_nenhuma_frase_inglesa(cliente_como, paginas):
    po = cliente_como("po")
    frases = {en for en in _frases_do_catalogo().values() if len(en) >= 20}
    for url in paginas:
        texto = _texto(po.get(url))
        restos = [en for en in frases if en in texto]
        assert restos == [], (url, restos)


def test_em_ingles_so_os_dados_tem_acentos(cliente_como, paginas, specs_exemplo):
    """What is left with Portuguese letters in English mode is data (titles, the YAML, reasons)."""
    po = cliente_como("po")
    po.cookies["django_language"] = "en"
    dados = set()
    for spec in specs_exemplo.values():
        dados |= set(re.findall(r"\w+", spec.texto))
    for url in paginas:
        palavras_com_acento = set(re.findall(r"\w*[ãõçáéíóúâêôà]\w*", _texto(po.get(url)), flags=re.I))
        assert palavras_com_acento - dados - {"Português"} == set(), url


def test_menu_de_idiomas_no_proprio_idioma(cliente_como, orcamento_pronto):
    for idioma in ("pt-br", "en"):
        po = cliente_como("po")
        po.cookies["django_language"] = idioma
        pagina = po.get(reverse("inicio")).content.decode()
        assert '<option value="pt-br" lang="pt-br"' in pagina and ">Português (Brasil)</option>" in pagina
        assert ">English</option>" in pagina
        assert "Portuguese" not in pagina and "Inglês" not in pagina


# --- decisions are safe and lead on ---------------------------------------------------------------


def _decidir(cliente, orc, decisao, **dados):
    return cliente.post(reverse("orcamento-decidir", args=[orc.pk, decisao]), dados, follow=True)


@pytest.mark.parametrize("decisao", ["rejeitar", "ajustar"])
def test_rejeitar_e_ajustar_pedem_confirmacao(cliente_como, orcamento_pronto, decisao):
    po = cliente_como("po")

    pergunta = _decidir(po, orcamento_pronto, decisao, motivo="caro demais")
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.status == Orcamento.Status.ABERTO
    texto = _texto(pergunta)
    assert (f"Rejeitar o orçamento #{orcamento_pronto.pk}?" in texto) is (decisao == "rejeitar")
    assert (f"Devolver o orçamento #{orcamento_pronto.pk} para ajuste?" in texto) is (decisao == "ajustar")
    assert "caro demais" in texto and 'name="confirmado" value="sim"' in pergunta.content.decode()

    feita = _decidir(po, orcamento_pronto, decisao, motivo="caro demais", confirmado="sim")
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.status == (
        Orcamento.Status.REJEITADO if decisao == "rejeitar" else Orcamento.Status.AJUSTADO
    )
    avisos = re.findall(r'<div class="aviso ([^"]*)" role="status"', feita.content.decode())
    assert avisos and "success" not in avisos[0] and "tom-ok" not in avisos[0]
    assert ("tom-perigo" in avisos[0]) is (decisao == "rejeitar")


def test_aprovar_nao_pede_confirmacao_e_o_aviso_e_verde(cliente_como, orcamento_pronto):
    feita = _decidir(cliente_como("po"), orcamento_pronto, "aprovar")
    avisos = re.findall(r'<div class="aviso ([^"]*)" role="status"', feita.content.decode())
    assert "success" in avisos[0] and "tom-ok" in avisos[0]
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.status == Orcamento.Status.APROVADO


def test_motivo_em_branco_aparece_no_campo(cliente_como, orcamento_pronto):
    resposta = cliente_como("po").post(
        reverse("orcamento-decidir", args=[orcamento_pronto.pk, "rejeitar"]), {"motivo": "   ", "confirmado": "sim"}
    )
    assert resposta.status_code == 400
    pagina = resposta.content.decode()
    assert re.search(
        r'<textarea id="motivo-rejeitar"[^>]*aria-invalid="true" aria-describedby="erro-rejeitar[ \"]', pagina
    )
    assert '<p class="erro-campo" id="erro-rejeitar">Motivo da rejeição: Informe o motivo da decisão.</p>' in pagina
    assert 'id="erro-ajustar"' not in pagina
    orcamento_pronto.refresh_from_db()
    assert orcamento_pronto.status == Orcamento.Status.ABERTO


def test_depois_de_decidir_oferece_o_proximo(cliente_como, postgres, elenco):
    primeiro, segundo, terceiro = orcar("spec_002"), orcar("spec_003"), orcar_copias("spec_002", 1)[0]
    po = cliente_como("po")

    feita = _decidir(po, segundo, "aprovar")
    proximo = re.search(r'<p class="proximo" id="proximo">.*?<a href="([^"]+)">(.*?)</a>', feita.content.decode(), re.S)
    assert proximo.group(1) == reverse("orcamento", args=[primeiro.pk])  # the one waiting longest
    assert f"#{primeiro.pk} — spec_002" in proximo.group(2)

    for orc in (primeiro, terceiro):
        decisoes.orcamento_aprovar(orcamento_id=orc.pk, por=elenco["po"])
    fim = _texto(po.get(reverse("orcamento", args=[segundo.pk])))
    assert "Nada mais esperando sua decisão." in fim


def test_quem_so_le_nao_ve_proximo_nem_formularios(cliente_como, postgres):
    orc = orcar("spec_002")
    pagina = cliente_como("admin").get(reverse("orcamento", args=[orc.pk])).content.decode()
    assert 'id="somente-leitura"' in pagina
    assert 'id="acoes"' not in pagina and 'id="proximo"' not in pagina


# --- prerequisites --------------------------------------------------------------------------------


def test_prerequisito_sem_orcamento_ou_rejeitado_aparece_acima_das_decisoes(cliente_como, postgres, elenco):
    portal = orcar("spec_004")  # depends on spec_003
    url = reverse("orcamento", args=[portal.pk])
    po = cliente_como("po")

    sem = po.get(url).content.decode()
    assert sem.index('id="prerequisitos-pendentes"') < sem.index('id="acoes"')
    assert "spec_003: ainda sem orçamento" in _texto(po.get(url))
    assert re.search(r'class="botao primario" type="submit" disabled', sem)

    processo = orcar("spec_003")
    decisoes.orcamento_rejeitar(orcamento_id=processo.pk, por=elenco["po"], motivo="não agora")
    rejeitado = _texto(po.get(url))
    assert f"spec_003: orçamento #{processo.pk} rejeitado" in rejeitado
    assert f'href="{reverse("orcamento", args=[processo.pk])}"' in po.get(url).content.decode()


def test_prerequisito_aprovado_libera_a_aprovacao(cliente_como, postgres, elenco):
    portal, processo = orcar("spec_004"), orcar("spec_003")
    decisoes.orcamento_aprovar(orcamento_id=processo.pk, por=elenco["po"])
    pagina = cliente_como("po").get(reverse("orcamento", args=[portal.pk])).content.decode()
    assert 'id="prerequisitos-pendentes"' not in pagina
    assert not re.search(r'class="botao primario" type="submit" disabled', pagina)
    assert f"spec_003: orçamento #{processo.pk}" in _texto(
        cliente_como("po").get(reverse("orcamento", args=[portal.pk]))
    )


# --- the admin's path and the navigation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("quem", "lugares"),
    [
        ("po", ["decisoes", "specs", "ambientes", "metricas"]),
        ("admin", ["decisoes", "specs", "ambientes", "backlog", "metricas", "administracao", "api"]),
        ("sistema", ["decisoes", "specs", "ambientes", "api"]),
        ("outsider", []),
    ],
)
def test_navegacao_so_mostra_o_que_o_papel_usa(cliente_como, orcamento_pronto, quem, lugares):
    pagina = cliente_como(quem).get(reverse("login")).content.decode()
    assert re.findall(r'data-lugar="([a-z]+)"', pagina) == lugares


def test_lugar_atual_tem_aria_current(cliente_como, orcamento_pronto):
    po = cliente_como("po")
    for url, lugar in (
        (reverse("inicio"), "decisoes"),
        (reverse("orcamento", args=[orcamento_pronto.pk]), "decisoes"),
        (reverse("specs"), "specs"),
    ):
        atuais = re.findall(r'data-lugar="([a-z]+)" aria-current="page"', po.get(url).content.decode())
        assert atuais == [lugar], url


def test_admin_ve_a_previa_do_que_a_capacidade_resolve(cliente_como, orcamento_bloqueado):
    previa = reverse("admin:fabrica_capacidade_previa")
    admin = cliente_como("admin")
    assert "resolverá 1 gap" in admin.get(previa, {"tipo": "hardware", "nome": "gpu"}).content.decode()
    assert (
        "Nenhum gap aberto espera por container:gpu."
        in admin.get(previa, {"tipo": "container", "nome": "gpu"}).content.decode()
    )
    outro = admin.get(previa, {"tipo": "outro", "tipo_outro": "hardware", "nome": "gpu"}).content.decode()
    assert "resolverá 1 gap" in outro
    assert cliente_como("po").get(previa, {"tipo": "hardware", "nome": "gpu"}).status_code == 302


def test_tipo_outro_cria_um_tipo_novo(cliente_como, specs_exemplo):
    admin = cliente_como("admin")
    nova = reverse("admin:fabrica_capacidade_add")
    formulario = admin.get(nova).content.decode()
    assert re.findall(r'<option value="([a-z_]+)"', formulario)[:4] == ["api_externa", "hardware", "container", "outro"]

    sem_nome = admin.post(nova, {"tipo": "outro", "tipo_outro": "", "nome": "fpga_x", "descricao": ""})
    assert "tipo_outro" in sem_nome.context["adminform"].form.errors
    admin.post(nova, {"tipo": "outro", "tipo_outro": "fpga", "nome": "fpga_x", "descricao": "", "habilitada": "on"})
    assert Capacidade.objects.filter(tipo="fpga", nome="fpga_x").exists()
    assert '<option value="fpga"' in admin.get(nova).content.decode()  # known from now on


def test_confirmacao_do_admin_leva_ao_orcamento_desbloqueado(cliente_como, orcamento_bloqueado, api_como):
    capacidade_salvar(tipo="api_externa", nome="whisper_api", por=None)
    resposta = cliente_como("admin").post(
        reverse("admin:fabrica_capacidade_add"),
        {"tipo": "hardware", "nome": "gpu", "descricao": "", "habilitada": "on"},
        follow=True,
    )
    mensagens = [str(m) for m in resposta.context["messages"]]
    link = f'<a href="{reverse("orcamento", args=[orcamento_bloqueado.pk])}">abrir o orçamento</a>'
    assert any(
        f"Orçamento #{orcamento_bloqueado.pk} de spec_001 agora pronto para decidir:" in m and link in m
        for m in mensagens
    )
    assert Item.objects.get(pk=orcamento_bloqueado.item_aprovacao_id).status == Status.PENDENTE


def test_api_diz_que_orcamentos_a_capacidade_desbloqueou(api_como, orcamento_bloqueado):
    admin = api_como("admin")
    primeira = admin.post("/api/capacidades/", {"tipo": "api_externa", "nome": "whisper_api"}, format="json")
    segunda = admin.post("/api/capacidades/", {"tipo": "hardware", "nome": "gpu"}, format="json")
    assert primeira.json()["orcamentos_desbloqueados"] == []
    assert segunda.json()["orcamentos_desbloqueados"] == [orcamento_bloqueado.pk]
