from functools import partial
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class FabricaConfig(AppConfig):
    name = "fabrica"
    verbose_name = _("Fábrica PROMETHEUS")

    def ready(self) -> None:
        # The broker knows item types only as the schemas and listeners its users register
        # (docs/arquitetura.md, "Layers"): fabrica registers the seed's payloads and its handlers
        # (each handler brings its dispatch listener) here.
        from backlog.tipos import registrar_decisor, registrar_ouvinte
        from fabrica import consumidor, contratos, palavras, tasks
        from fabrica.contratos import TipoItem
        from fabrica.decisoes import base, caixa
        from fabrica.decisoes.services import (
            decisao_pelo_backlog_recusar,
            orcamento_decidir_pelo_backlog,
            orcamentos_substituir,
        )
        from fabrica.desenvolvimento import workers
        from fabrica.desenvolvimento.services import (
            processar_corrigir,
            processar_desenvolvimento,
            processar_montagem,
            processar_vertente,
        )
        from fabrica.implantacao import alvos
        from fabrica.implantacao import caixa as caixa_implantacao
        from fabrica.implantacao.services import processar_implantar
        from fabrica.precificacao.services import processar_orcar
        from fabrica.releases import caixa as caixa_de_releases
        from fabrica.selectors import erros_de_corrigir_bug
        from fabrica.specs import services as specs
        from fabrica.specs import traducao

        contratos.registrar({TipoItem.CORRIGIR_BUG: erros_de_corrigir_bug})
        # Hooks of the lower layers into the upper ones (docs/arquitetura.md, "Layers").
        specs.nova_versao_ouvinte_registrar(orcamentos_substituir)
        traducao.registrar_tradutor(gettext)  # the pure modules of specs speak the request's language
        consumidor.registrar_despachante(tasks.despachar)
        caixa.registrar(caixa.ORCAMENTO)
        # E-mail notices: a decision item that becomes claimable, or a failed deployment.
        registrar_ouvinte(
            [TipoItem.APROVAR_ORCAMENTO, TipoItem.APROVAR_RELEASE, TipoItem.VALIDAR_IMPLANTACAO], tasks.avisos_anunciar
        )
        base.espera_ouvinte_registrar(tasks.avisos_anunciar)
        # A role granted to conclude a decision item decides through the PO's decision service.
        registrar_decisor(TipoItem.APROVAR_ORCAMENTO, orcamento_decidir_pelo_backlog)
        registrar_decisor(TipoItem.APROVAR_RELEASE, decisao_pelo_backlog_recusar)
        registrar_decisor(TipoItem.VALIDAR_IMPLANTACAO, decisao_pelo_backlog_recusar)
        consumidor.registrar_handler(TipoItem.ORCAR_SPEC, processar_orcar)
        consumidor.registrar_handler(TipoItem.DESENVOLVIMENTO, processar_desenvolvimento)
        consumidor.registrar_handler(TipoItem.CORRIGIR_BUG, processar_corrigir)
        for tipo in contratos.TIPO_DA_VERTENTE.values():
            consumidor.registrar_handler(tipo, processar_vertente)
        consumidor.registrar_handler(TipoItem.MONTAR_RELEASE, processar_montagem)
        caixa_de_releases.registrar()
        alvos.registrar_padrao()
        caixa.registrar(caixa_implantacao.VALIDAR_IMPLANTACAO)
        caixa.registrar(caixa_implantacao.FALHA_IMPLANTACAO)
        consumidor.registrar_handler(TipoItem.IMPLANTAR, processar_implantar)
        workers.registrar_todos()
        palavras.registrar()
        _registrar_verificacoes()
        _registrar_lugares()


def _registrar_verificacoes() -> None:
    from django.core import checks

    from fabrica.desenvolvimento.checks import isolamento_do_sandbox

    checks.register(isolamento_do_sandbox, "fabrica")


def _tem_permissoes(perms: tuple[str, ...], usuario: Any) -> bool:
    return bool(usuario.has_perms(perms))


def _registrar_lugares() -> None:
    from fabrica.decisoes import caixa
    from prometheus_site.navegacao import Lugar, registrar, registrar_acesso

    registrar(
        Lugar(
            "decisoes",
            _("Decisões"),
            "inicio",
            lambda usuario: bool(caixa.tipos_visiveis(usuario)),
            ordem=10,
            caminhos=("/orcamentos/", "/orcar/"),
        )
    )
    registrar(Lugar("specs", _("Specs"), "specs", lambda usuario: usuario.has_perm("fabrica.view_spec"), ordem=20))
    registrar(
        Lugar(
            "ambientes",
            _("Ambientes"),
            "ambientes",
            lambda usuario: usuario.has_perm("fabrica.view_implantacao"),
            ordem=25,
            caminhos=("/ambientes/", "/implantacoes/"),
        )
    )
    registrar(
        Lugar("metricas", _("Métricas"), "metricas", lambda usuario: usuario.has_perm("fabrica.ver_metricas"), ordem=35)
    )
    # The pages a page links to (prometheus_site.navegacao.pode_abrir_url): the permissions each
    # view asks with fabrica.papeis.exigir.
    for url, perms in {
        "orcamento": ("fabrica.view_orcamento",),
        "orcar-progresso": ("fabrica.view_orcamento",),
        "spec": ("fabrica.view_spec",),
        "release": ("fabrica.view_release",),
        "construcao": ("fabrica.view_release",),
        "implantacao": ("fabrica.view_implantacao",),
        "ambiente": ("fabrica.view_ambiente", "fabrica.view_implantacao"),
    }.items():
        registrar_acesso(url, partial(_tem_permissoes, perms))
