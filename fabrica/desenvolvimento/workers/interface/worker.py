"""``WorkerInterface``: turns ``spec_interface`` into Django views, templates and their tests."""

from __future__ import annotations

from typing import Any, ClassVar

from fabrica.desenvolvimento.base import Artefato, Entrada, NaoTestavel, Worker
from fabrica.desenvolvimento.verificacao import verificar
from fabrica.desenvolvimento.workers.interface.modelo import _py, _Tela, acao_padrao
from fabrica.desenvolvimento.workers.interface.planos import (
    _campos_para_teste,
    _parametros_exemplo,
    _plano_valido,
    _plano_vazio,
    planejar_caso,
)
from fabrica.desenvolvimento.workers.interface.regras import CONTEUDO_ARQUIVO_TESTE, VERTENTE
from fabrica.specs.formato.interface import parametros_da_url


class WorkerInterface(Worker):
    vertente = "I"
    secao = "spec_interface"
    # Distributions the generated code imports at run time (besides pytest), for the release's
    # requirements: the packager pins them at the versions installed with PROMETHEUS.
    dependencias: ClassVar[tuple[str, ...]] = ("Django",)

    def _telas(self, entrada: Entrada) -> list[_Tela]:
        telas = entrada.spec[self.secao]["telas"]
        parametros = {t["id"]: parametros_da_url(t) for t in telas}
        return [_Tela(t, parametros) for t in telas]

    def _contexto(self, entrada: Entrada) -> dict[str, Any]:
        telas = self._telas(entrada)
        return {
            "pacote": entrada.pacote,
            "spec_id": entrada.spec["id"],
            "spec_titulo": entrada.spec["titulo"],
            "spec_titulo_py": _py(entrada.spec["titulo"]),
            "telas": [t.contexto() for t in telas],
            "usa_decimal": any(
                c["tipo"] == "decimal" and {"min", "max"} & set(c.get("restricoes", {}))
                for t in telas
                for c in t.campos
            ),
            "usa_regex": any("padrao" in c.get("restricoes", {}) for t in telas for c in t.campos),
            "usa_extensoes": any("extensoes" in c.get("restricoes", {}) for t in telas for c in t.campos),
            "parametros_py": _py({t.id: parametros_da_url(t.spec) for t in telas}),
            "setting": entrada.pacote.upper() + "_INTERFACE",
        }

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        contexto = self._contexto(entrada)
        base = f"{entrada.pacote}/interface"
        gerar = entrada.gerador.gerar

        def codigo(caminho: str, template: str, papel: str = "codigo", **extra: Any) -> Artefato:
            return Artefato(caminho, VERTENTE, papel, gerar(VERTENTE, template, {**contexto, **extra}))

        artefatos = [
            codigo(f"{base}/__init__.py", "__init__.py.j2"),
            codigo(f"{base}/apps.py", "apps.py.j2"),
            codigo(f"{base}/forms.py", "forms.py.j2"),
            codigo(f"{base}/acoes.py", "acoes.py.j2"),
            codigo(f"{base}/views.py", "views.py.j2"),
            codigo(f"{base}/urls.py", "urls.py.j2"),
            codigo(f"{base}/templates/{entrada.pacote}/interface/base.html", "base.html.j2"),
            codigo(f"{base}/suporte_testes.py", "suporte_testes.py.j2", papel="apoio"),
        ]
        for tela in contexto["telas"]:
            artefatos.append(
                codigo(f"{base}/templates/{entrada.pacote}/interface/{tela['id']}.html", "tela.html.j2", tela=tela)
            )
        return verificar(artefatos)

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        telas = self._telas(entrada)
        contexto = self._contexto(entrada)
        por_tela: dict[str, list[dict[str, Any]]] = {t.id: [] for t in telas}
        nao_testaveis: list[NaoTestavel] = []
        for caso in entrada.casos:
            plano = planejar_caso(telas, caso)
            if isinstance(plano, NaoTestavel):
                nao_testaveis.append(plano)
            else:
                por_tela[plano[0]].append(plano[1])
        testes = []
        for tela, ctx_tela in zip(telas, contexto["telas"], strict=True):
            padrao = acao_padrao(tela.spec) if tela.campos else None
            testes.append(
                Artefato(
                    f"tests/test_interface_{tela.id}.py",
                    VERTENTE,
                    "teste",
                    entrada.gerador.gerar(
                        VERTENTE,
                        "test_tela.py.j2",
                        {
                            **contexto,
                            "tela": ctx_tela,
                            "campos_py": _py(_campos_para_teste(tela)),
                            "acoes_py": _py(tela.acoes),
                            "parametros_url_py": _py(_parametros_exemplo(tela)),
                            "vazio_py": _py(_plano_vazio(tela, padrao)) if padrao else "None",
                            "valido_py": _py(_plano_valido(tela, padrao)) if padrao else "None",
                            "valido_tem_chamada": bool(padrao and padrao["tipo"] == "endpoint"),
                            "conteudo_arquivo_py": _py(CONTEUDO_ARQUIVO_TESTE),
                            "casos_py": _py(por_tela[tela.id]),
                            "tem_casos": bool(por_tela[tela.id]),
                        },
                    ),
                )
            )
        if any(a["tipo"] == "endpoint" for t in telas for a in t.acoes):
            testes.append(
                Artefato(
                    "tests/test_interface_backend_http.py",
                    VERTENTE,
                    "teste",
                    entrada.gerador.gerar(
                        VERTENTE,
                        "test_backend_http.py.j2",
                        {
                            **contexto,
                            "chamadas_py": _py(
                                [
                                    {"tela": t.id, "acao": a["nome"], "metodo": a["metodo"], "endpoint": a["endpoint"]}
                                    for t in telas
                                    for a in t.acoes
                                    if a["tipo"] == "endpoint"
                                ]
                            ),
                        },
                    ),
                )
            )
        return verificar(testes), nao_testaveis
