"""``WorkerIntegracao``: turns ``spec_integracao`` into the client, the mock and their tests."""

from __future__ import annotations

from typing import Any, ClassVar

from fabrica.desenvolvimento.base import Artefato, Entrada, NaoTestavel, Worker
from fabrica.desenvolvimento.verificacao import verificar
from fabrica.desenvolvimento.workers.integracao.modelo import _conector_contrato, _metodos
from fabrica.desenvolvimento.workers.integracao.planos import (
    _exemplos_explicitos,
    _plano_de_cache,
    _planos_de_endpoint,
    _planos_de_erro,
    _planos_invalidos,
    planejar_caso,
)
from fabrica.desenvolvimento.workers.integracao.regras import VERTENTE, _classe, _py, parametros_do_endpoint


class WorkerIntegracao(Worker):
    vertente = "C"
    secao = "spec_integracao"
    # Distributions the generated code imports at run time (besides pytest), for the release's
    # requirements: the packager pins them at the versions installed with PROMETHEUS.
    dependencias: ClassVar[tuple[str, ...]] = ("jsonschema",)

    def _contexto(self, entrada: Entrada) -> dict[str, Any]:
        conectores = entrada.spec[self.secao]["conectores"]
        return {
            "pacote": entrada.pacote,
            "spec_id": entrada.spec["id"],
            "conectores": [
                {
                    "nome": c["nome"],
                    "classe": _classe(c["nome"]),
                    "modulo": c["nome"].lower(),
                    "metodos": (metodos := _metodos(c)),
                    "usa_any": any("Any" in m["assinatura"] + m["retorno"] for m in metodos),
                    "usa_data": any(
                        d["tipo"] == "date" for e in c["endpoints"] for d in parametros_do_endpoint(e).values()
                    ),
                    "usa_decimal": any(
                        d["tipo"] == "decimal" for e in c["endpoints"] for d in parametros_do_endpoint(e).values()
                    ),
                }
                for c in conectores
            ],
            "contratos_py": _py({c["nome"]: _conector_contrato(c) for c in conectores}),
        }

    def gerar_codigo(self, entrada: Entrada) -> list[Artefato]:
        contexto = self._contexto(entrada)
        base = f"{entrada.pacote}/integracao"

        def codigo(caminho: str, template: str, papel: str = "codigo", **extra: Any) -> Artefato:
            return Artefato(caminho, VERTENTE, papel, entrada.gerador.gerar(VERTENTE, template, {**contexto, **extra}))

        artefatos = [
            codigo(f"{base}/__init__.py", "__init__.py.j2"),
            codigo(f"{base}/erros.py", "erros.py.j2"),
            codigo(f"{base}/contrato.py", "contrato.py.j2"),
            codigo(f"{base}/cliente.py", "cliente.py.j2"),
            codigo(f"{base}/mock.py", "mock.py.j2"),
        ]
        for conector in contexto["conectores"]:
            artefatos.append(codigo(f"{base}/{conector['modulo']}.py", "conector.py.j2", conector=conector))
        return verificar(artefatos)

    def gerar_testes(self, entrada: Entrada) -> tuple[list[Artefato], list[NaoTestavel]]:
        contexto = self._contexto(entrada)
        conectores = entrada.spec[self.secao]["conectores"]
        tdd = entrada.spec.get("schema_tdd", {})
        exemplos = _exemplos_explicitos(conectores, tdd.get("casos", []))
        por_conector: dict[str, list[dict[str, Any]]] = {c["nome"]: [] for c in conectores}
        nao_testaveis = []
        for caso in entrada.casos:
            plano = planejar_caso(conectores, caso, exemplos)
            if isinstance(plano, NaoTestavel):
                nao_testaveis.append(plano)
            else:
                por_conector[plano[0]].append(plano[1])
        testes = []
        for conector, ctx in zip(conectores, contexto["conectores"], strict=True):
            testes.append(
                Artefato(
                    f"tests/test_integracao_{ctx['modulo']}.py",
                    VERTENTE,
                    "teste",
                    entrada.gerador.gerar(
                        VERTENTE,
                        "test_conector.py.j2",
                        {
                            **contexto,
                            "conector": ctx,
                            "contratos_endpoints_py": _py(_planos_de_endpoint(conector)),
                            "invalidos_py": _py(_planos_invalidos(conector)),
                            "erros_py": _py(_planos_de_erro(conector)),
                            "tem_autenticacao": conector.get("autenticacao", {}).get("tipo", "nenhuma") != "nenhuma",
                            "credencial_py": _py(conector.get("autenticacao", {}).get("credencial")),
                            "tem_cache": "cache" in conector,
                            "cache_py": _py(_plano_de_cache(conector)),
                            "casos_py": _py(por_conector[conector["nome"]]),
                            "tem_casos": bool(por_conector[conector["nome"]]),
                        },
                    ),
                )
            )
        return verificar(testes), nao_testaveis
