"""Stored Portuguese sentences read in the page's language (``prometheus_site.vocabulario.frase``):
the stored text is never rewritten."""

from __future__ import annotations

from django.utils import translation

from prometheus_site import vocabulario


def test_frase_e_log_em_ingles_e_como_gravados_em_portugues():
    tentativa = (
        "Tentativa 2: nenhum reparo determinístico se aplica a tempo esgotado em 3 testes. Reparos conhecidos: "
        "templates do projeto no lugar dos do repositório, espaços e tabulações do Python que não compila "
        "(já aplicados: normalizar_fontes); nada foi alterado."
    )
    log = "03:10:00 Testes de fumaça passaram (1.2 s).\n03:10:01 uma linha de um comando\n03:10:02 Concluída em 2.0 s."
    with translation.override("en"):
        assert vocabulario.frase(tentativa) == (
            "Attempt 2: no deterministic repair applies to timed out in 3 tests. Known repairs: the project's "
            "templates instead of the repository's, spaces and tabs of Python that does not compile (already "
            "applied: normalizar_fontes); nothing was changed."
        )
        assert vocabulario.linhas(log) == (
            "03:10:00 Smoke tests passed (1.2 s).\n03:10:01 uma linha de um comando\n03:10:02 Done in 2.0 s."
        )
        assert vocabulario.frase("mais de 200 caminhos: testados os 200 primeiros") == (
            "more than 200 paths: the first 200 were tested"
        )
        assert vocabulario.frase("algo que ninguém registrou") == "algo que ninguém registrou"
    with translation.override("pt-br"):
        assert vocabulario.frase(tentativa) == tentativa
        assert vocabulario.linhas(log) == log
