"""Hostile specs (issue 16, items 5 and 6): what a spec author or a spec repository sends to stall
or crash the web and cluster processes is refused as a 400 naming the field, or fails its
vertente with a sentence — never a hang, a 500 or code running in the factory's process.

Each test states the outcome, never a duration: before this, the first tests here hung (a
backtracking ``re`` on ``(a+)+$``, ``round(x, -9999999999)``, an example generated from doubling
back-references) or answered 500.
"""

from __future__ import annotations

import copy
import decimal
import json
import time
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from fabrica.desenvolvimento import gerador as gerador_modulo
from fabrica.desenvolvimento.base import Entrada, worker_de
from fabrica.desenvolvimento.gerador import GeradorTemplates
from fabrica.desenvolvimento.workers import estrutural_regras
from fabrica.erros import DadosInvalidos
from fabrica.models import Spec
from fabrica.specs import expressoes, limite, padroes
from fabrica.specs.formato import SpecInvalida, carregar_spec, validar_spec
from fabrica.specs.services import spec_importar
from tests.apoio import assert_forma_de_erro

SPECS = reverse("api-specs")

BASE: dict = {
    "id": "spec_hostil",
    "titulo": "Spec hostil",
    "vertentes": ["E"],
    "runtime": {"apis_externas": [], "gpu": False, "containers_necessarios": []},
    "schema_tdd": {"parametros": {"canal": ["web", "app"]}},
    "spec_poo": {
        "classes": [
            {
                "nome": "Conta",
                "atributos": [
                    {"nome": "codigo", "tipo": "str", "restricoes": {"padrao": "^C[0-9]{3}$"}, "exemplo": "C001"},
                    {"nome": "saldo", "tipo": "int"},
                ],
                "metodos": [{"nome": "dobro", "retorna": "int", "expressao": "saldo * 2"}],
            }
        ]
    },
}
ATRIBUTO = "spec_poo.classes[0].atributos[0]"
METODO = "spec_poo.classes[0].metodos[0]"
# Each group doubles the text of the one before: 2**30 characters for the last one.
DOBRAS = "(a)" + "".join(f"(\\{i}\\{i})" for i in range(1, 31))


def _com_atributo(**mudancas) -> dict:
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["atributos"][0].update(mudancas)
    return spec


def _com_metodo(**mudancas) -> dict:
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["metodos"][0].update(mudancas)
    return spec


def _erros(spec: dict) -> dict[str, str]:
    return {e.campo: e.mensagem for e in validar_spec(spec)}


def _enviar(api_como, corpo: dict) -> dict:
    erro = assert_forma_de_erro(api_como("sistema").post(SPECS, corpo, format="json"), 400)
    assert not Spec.objects.exists()
    return erro["campos"]


def test_base_e_valida():
    assert validar_spec(BASE) == []


# --- Padrões: RE2, em tempo linear ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("forma", ["yaml", "spec"])
def test_padrao_catastrofico_contra_exemplo_longo_e_400(api_como, forma):
    # With Python's re this took seconds at 26 characters and grew exponentially.
    spec = _com_atributo(restricoes={"padrao": "(a+)+$"}, exemplo="a" * 1500 + "!")
    corpo = {"yaml": yaml.safe_dump(spec)} if forma == "yaml" else {"spec": spec}
    campos = _enviar(api_como, corpo)
    assert "não casa com o padrao" in campos[f"{ATRIBUTO}.exemplo"][0]


def test_padrao_catastrofico_casa_em_tempo_linear():
    assert padroes.casa_inteiro("(a+)+$", "a" * 2000) is True
    assert padroes.casa_inteiro("(a+)+$", "a" * 1999 + "!") is False
    assert padroes.procura("(x+x+)+y", "x" * 2000) is False


@pytest.mark.parametrize(
    ("padrao", "trecho"),
    [
        pytest.param(r"(a)\1", "referência a grupo", id="backreference"),
        pytest.param(DOBRAS, "referência a grupo", id="doubling-backreferences"),
        pytest.param(r"(?P<x>a)(?P=x)", "referência a grupo", id="named-backreference"),
        pytest.param(r"(?=a)a", "lookahead", id="lookahead"),
        pytest.param(r"(?<!a)b", "lookbehind", id="lookbehind"),
        pytest.param(r"(?>a+)b", "grupo atômico", id="atomic"),
        pytest.param(r"a*+b", "possessiva", id="possessive"),
        pytest.param(r"a{1001}", "repetição acima de 1000", id="repeticao-grande"),
        pytest.param(r"((a{100}){100}){100}", "repetição", id="repeticoes-aninhadas"),
        pytest.param("a" * 501, "máximo é 500", id="padrao-longo"),
        pytest.param(r"[[:alpha:]]", "inválida", id="classe-posix-ambigua"),
        pytest.param(r"(", "inválida", id="sintaxe"),
    ],
)
def test_padrao_que_o_re2_nao_exprime_e_recusado_no_campo(padrao, trecho):
    erros = _erros(_com_atributo(restricoes={"padrao": padrao}, exemplo="a"))
    assert trecho in erros[f"{ATRIBUTO}.restricoes.padrao"]


@pytest.mark.django_db
def test_padrao_com_referencia_e_400_na_api(api_como):
    campos = _enviar(api_como, {"spec": _com_atributo(restricoes={"padrao": DOBRAS}, exemplo="a")})
    assert "RE2" in campos[f"{ATRIBUTO}.restricoes.padrao"][0]


def test_exemplo_acima_do_limite_e_recusado():
    spec = _com_atributo(restricoes={"padrao": "a*"}, exemplo="a" * (padroes.MAX_TEXTO + 1))
    assert f"mais de {padroes.MAX_TEXTO} caracteres" in _erros(spec)[f"{ATRIBUTO}.exemplo"]


@pytest.mark.parametrize(
    ("padrao", "texto", "casa"),
    [
        (r"[\w ]+", "João da Silva", True),  # \w is Unicode, as in the generated code (Python's re)
        (r"\d+", "١٢٣", True),
        (r"(?a)\w+", "ç", False),
        (r"[\W\d]+", "!1", True),
        (r"(?i)conta", "CONTA", True),
        (r"a.c", "a\nc", False),
        (r"(?s)a.c", "a\nc", True),
        (r"^C[0-9]{3}$", "C001\n", False),
        (r"x*?y", "xxy", True),
    ],
)
def test_padrao_tem_o_sentido_do_python(padrao, texto, casa):
    assert padroes.casa_inteiro(padrao, texto) is casa


def test_exemplo_gerado_de_dobras_nao_esgota_a_memoria():
    # Before: 2**30 characters built in the worker.
    assert estrutural_regras.exemplo_de_padrao(DOBRAS) is None


def test_exemplo_gerado_tem_teto():
    assert estrutural_regras.exemplo_de_padrao("(?:ab){999}(?:cd){999}") is None
    assert estrutural_regras.exemplo_de_padrao("^C[0-9]{3}$") == "C000"


def test_worker_nao_casa_padrao_que_o_re2_recusa():
    atributo = estrutural_regras.Atributo("codigo", "str", True, {"padrao": r"(a)\1"})
    valor, motivo = estrutural_regras.valor_valido(atributo)
    assert valor is None and "padrao" in motivo


AMOSTRAS = Path(__file__).resolve().parents[2] / "examples" / "specs-repo" / "specs"


@pytest.mark.parametrize(
    ("amostra", "antes", "depois", "campo"),
    [
        pytest.param(
            "spec_004",
            "{nome: descricao, rotulo: Descrição, tipo: texto, obrigatorio: true}",
            "{nome: descricao, rotulo: Descrição, tipo: texto, exemplo: aa, restricoes: {padrao: '(\\w)\\1'}}",
            "spec_interface.telas[0].campos[0].restricoes.padrao",
            id="interface",
        ),
        pytest.param(
            "spec_005",
            'padrao: "^[0-9]{8}$"',
            "padrao: '(?=0)[0-9]{8}'",
            "spec_integracao.conectores[0].endpoints[0].parametros.cep.padrao",
            id="integracao",
        ),
    ],
)
def test_padrao_recusado_nas_outras_vertentes(amostra, antes, depois, campo):
    texto = (AMOSTRAS / f"{amostra}.yaml").read_text(encoding="utf-8")
    assert antes in texto
    with pytest.raises(SpecInvalida) as exc:
        carregar_spec(texto.replace(antes, depois))
    erros = {e.campo: e.mensagem for e in exc.value.erros}
    assert "RE2" in erros.get(campo, ""), erros


# --- Expressões: cada operação numérica limitada --------------------------------------------------


@pytest.mark.parametrize(
    ("expressao", "trecho"),
    [
        pytest.param("round(saldo, -9999999999)", "casas decimais", id="round-casas"),
        pytest.param("round(saldo, 9999999999)", "casas decimais", id="round-casas-positivas"),
        pytest.param("saldo * " + "9" * 401, "mais de 400 dígitos", id="constante-enorme"),
    ],
)
def test_expressao_com_numero_sem_limite_e_recusada(expressao, trecho):
    erros = _erros(_com_metodo(expressao=expressao))
    assert trecho in erros[f"{METODO}.expressao"]


def _avaliar(texto: str, tipos: dict[str, str], valores: dict) -> object:
    escopo = {n: expressoes.Simbolo(t, "parametro") for n, t in tipos.items()}
    return expressoes.avaliar(expressoes.analisar(texto, escopo), valores)


def test_round_com_casas_de_um_parametro_nao_trava_a_geracao():
    # round(5, -9999999999) computes 10**9999999999 in Python: the worker hung.
    with pytest.raises(expressoes.ErroAvaliacao, match="casas decimais"):
        _avaliar("round(x, n)", {"x": "int", "n": "int"}, {"x": 5, "n": -9999999999})
    assert _avaliar("round(x, n)", {"x": "int", "n": "int"}, {"x": 123456, "n": -3}) == 123000


@pytest.mark.parametrize(
    ("texto", "tipos", "valores"),
    [
        pytest.param("x * x * x * x", {"x": "int"}, {"x": 10**150}, id="produto-de-inteiros"),
        pytest.param("round(d * d * d * d)", {"d": "decimal"}, {"d": decimal.Decimal("1e300")}, id="expoente-decimal"),
        pytest.param("x + 1", {"x": "int"}, {"x": 10**500}, id="valor-enorme"),
    ],
)
def test_resultado_grande_demais_nao_e_avaliado(texto, tipos, valores):
    with pytest.raises(expressoes.ErroAvaliacao):
        _avaliar(texto, tipos, valores)


# --- Values YAML reads and Python does not keep --------------------------------------------------


def _yaml_com(linha: str) -> str:
    spec = copy.deepcopy(BASE)
    spec["schema_tdd"]["casos"] = [{"dado": {"valor": "X"}, "espera": {"ok": True}}]
    return yaml.safe_dump(spec, sort_keys=False).replace("valor: X", f"valor: {linha}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valor", "trecho"),
    [
        pytest.param("9" * 5000, "mais de 100 dígitos", id="inteiro-5000-digitos"),
        pytest.param("0x" + "f" * 5000, "mais de 100 dígitos", id="hexadecimal-enorme"),
        pytest.param(":".join(["59"] * 80), "mais de 100 dígitos", id="sexagesimal-enorme"),
        pytest.param("2024-99-99", "data impossível", id="data-impossivel"),
        pytest.param("2024-02-30", "data impossível", id="dia-impossivel"),
        # Explicit tags whose constructors fail with Python's errors (a 500 before)
        pytest.param("!!int abc", "valor inválido para o tipo int", id="tag-int"),
        pytest.param("!!int 0x", "valor inválido para o tipo int", id="tag-int-hex-vazio"),
        pytest.param("!!float ''", "valor inválido para o tipo float", id="tag-float-vazio"),
        pytest.param("!!bool talvez", "valor inválido para o tipo bool", id="tag-bool"),
        pytest.param("!!timestamp abc", "data impossível", id="tag-timestamp"),
        pytest.param("!!set [1]", "valor inválido para a tag set", id="tag-set-com-lista"),
        pytest.param("!!map [1]", "valor inválido para a tag map", id="tag-map-com-lista"),
    ],
)
def test_valor_impossivel_no_yaml_e_400_nomeando_o_campo(api_como, valor, trecho):
    campos = _enviar(api_como, {"yaml": _yaml_com(valor)})
    assert trecho in campos["schema_tdd.casos[0].dado.valor"][0]


def test_valor_impossivel_num_campo_tipado():
    texto = yaml.safe_dump(BASE, sort_keys=False).replace("gpu: false", "gpu: false\n  ram_mb: " + "7" * 5000)
    with pytest.raises(SpecInvalida) as exc:
        carregar_spec(texto)
    assert [e.campo for e in exc.value.erros] == ["runtime.ram_mb"]


@pytest.mark.django_db
def test_inteiro_enorme_no_objeto_json_e_400(api_como):
    spec = copy.deepcopy(BASE)
    spec["schema_tdd"]["casos"] = [{"dado": {"valor": 10**4000}, "espera": {"ok": True}}]
    campos = _enviar(api_como, {"spec": spec})
    assert "mais de 100 dígitos" in campos["schema_tdd.casos[0].dado.valor"][0]


# --- Names and ids whole (without the final line break $ let through) -----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("forma", ["yaml", "spec"])
@pytest.mark.parametrize(
    ("caminho", "campo"),
    [
        pytest.param(("id",), "id", id="id"),
        pytest.param(("spec_poo", "classes", 0, "nome"), "spec_poo.classes[0].nome", id="nome-de-classe"),
        pytest.param(("runtime", "apis_externas"), "runtime.apis_externas[0]", id="id-de-api"),
    ],
)
def test_quebra_de_linha_final_em_id_ou_nome_e_400(api_como, forma, caminho, campo):
    spec = copy.deepcopy(BASE)
    alvo = spec
    for parte in caminho[:-1]:
        alvo = alvo[parte]
    alvo[caminho[-1]] = ["api_x\n"] if caminho[-1] == "apis_externas" else f"{alvo[caminho[-1]]}\n"
    corpo = {"yaml": yaml.safe_dump(spec)} if forma == "yaml" else {"spec": spec}
    assert campo in _enviar(api_como, corpo)


def test_quebra_de_linha_final_em_nome_de_parametro():
    spec = copy.deepcopy(BASE)
    spec["schema_tdd"]["parametros"] = {"canal\n": ["web"]}
    assert "schema_tdd.parametros.canal\n" in _erros(spec)


# --- Templates in Jinja's sandbox -----------------------------------------------------------------


@pytest.fixture
def repositorio_com_template(tmp_path):
    def criar(texto: str) -> GeradorTemplates:
        pasta = tmp_path / "_catalogo" / "templates" / "E"
        pasta.mkdir(parents=True, exist_ok=True)
        (pasta / "erros.py.j2").write_text(texto, encoding="utf-8")
        return GeradorTemplates(repositorio=tmp_path)

    return criar


@pytest.mark.parametrize(
    ("texto", "trecho"),
    [
        pytest.param("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "__init__", id="globals-do-cycler"),
        pytest.param("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__", id="subclasses"),
        pytest.param("{{ lipsum.__globals__['os'].environ }}", "__globals__", id="lipsum-globals"),
        pytest.param("{% set x = [] %}{{ x.append(1) }}", "append", id="mutacao"),
        pytest.param("{{ 'a' * 10**10 }}", "repetição", id="repeticao-enorme"),
        pytest.param("{{ 10 ** 1000 ** 1000 }}", "bits", id="potencia-enorme"),
    ],
)
def test_template_do_repositorio_que_foge_do_sandbox_falha_com_frase(repositorio_com_template, texto, trecho):
    gerador = repositorio_com_template(texto)
    with pytest.raises(DadosInvalidos, match="sandbox de templates") as exc:
        gerador.gerar("E", "erros.py.j2", {})
    assert trecho in str(exc.value)


def test_template_do_repositorio_comum_ainda_renderiza(repositorio_com_template):
    gerador = repositorio_com_template("{% for c in classes %}{{ c|upper }}{% endfor %} {{ 2 ** 10 }}")
    assert gerador.gerar("E", "erros.py.j2", {"classes": ["a", "b"]}) == "AB 1024"
    assert gerador.origem("E", "erros.py.j2") == "repositorio"


# --- The validation's ceiling of time and memory -------------------------------------------------


@pytest.fixture
def teto(monkeypatch):
    """Ceilings small enough to hit on purpose; the child runs the patched validation."""
    monkeypatch.setattr(limite, "TEMPO_S", 60.0)
    monkeypatch.setattr(limite, "MEMORIA_MB", 64)
    return monkeypatch


def _devagar(_texto):
    time.sleep(120)


def _guloso(_texto):
    blocos = []
    while True:
        blocos.append(bytearray(1 << 20))


@pytest.mark.django_db
def test_validacao_acima_do_teto_de_tempo_e_400_que_o_diz(api_como, teto):
    teto.setattr(limite, "TEMPO_S", 0.5)
    teto.setattr(limite, "carregar_spec", _devagar)
    campos = _enviar(api_como, {"yaml": yaml.safe_dump(BASE)})
    assert "passou do limite de 0.5 s" in campos["yaml"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("forma", ["yaml", "spec"])
def test_validacao_acima_do_teto_de_memoria_e_400_que_o_diz(api_como, teto, forma):
    teto.setattr(limite, "carregar_spec", _guloso)
    teto.setattr(limite, "validar_spec", _guloso)
    corpo = {"yaml": yaml.safe_dump(BASE)} if forma == "yaml" else {"spec": BASE}
    campos = _enviar(api_como, corpo)
    assert "passou do limite de 64 MB" in campos[forma][0]


@pytest.mark.django_db
def test_importacao_do_repositorio_respeita_o_teto(teto):
    teto.setattr(limite, "TEMPO_S", 0.5)
    teto.setattr(limite, "carregar_spec", _devagar)
    with pytest.raises(SpecInvalida, match="passou do limite"):
        spec_importar(texto=yaml.safe_dump(BASE), origem=Spec.Origem.GIT, caminho="specs/spec_hostil.yaml")
    assert not Spec.objects.exists()


@pytest.mark.django_db
def test_validacao_no_teto_devolve_a_spec(api_como):
    resposta = api_como("sistema").post(SPECS, {"yaml": yaml.safe_dump(BASE)}, format="json")
    assert resposta.status_code == 201, resposta.content
    assert Spec.objects.get().conteudo == BASE


# --- What an attacker would try -------------------------------------------------------------------


@pytest.mark.django_db
def test_bilhao_de_risadas_e_recusado(api_como):
    texto = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    campos = _enviar(api_como, {"yaml": texto})
    assert "aliases" in campos["yaml"][0]


@pytest.mark.django_db
def test_json_aninhado_demais_e_400(api_como):
    corpo = '{"spec": ' + "[" * 100_000 + "]" * 100_000 + "}"
    resposta = api_como("sistema").post(SPECS, corpo, content_type="application/json")
    assert_forma_de_erro(resposta, 400)
    assert not Spec.objects.exists()


@pytest.mark.django_db
def test_objeto_aninhado_em_campo_livre_e_400(api_como):
    # Deep enough for the validation's recursion, shallow enough for the JSON parser.
    spec = copy.deepcopy(BASE)
    spec["schema_tdd"]["casos"] = [{"dado": {"x": "FUNDO"}, "espera": {"ok": True}}]
    corpo = json.dumps({"spec": spec}).replace('"FUNDO"', "[" * 900 + "]" * 900)
    _enviar_texto(api_como, corpo)


@pytest.mark.django_db
def test_json_com_numero_de_5000_digitos_e_400(api_como):
    corpo = json.dumps({"spec": BASE}).replace('"gpu": false', '"gpu": false, "ram_mb": ' + "9" * 5000)
    assert_forma_de_erro(api_como("sistema").post(SPECS, corpo, content_type="application/json"), 400)
    assert not Spec.objects.exists()


@pytest.mark.django_db
def test_json_com_numero_infinito_e_400(api_como):
    corpo = json.dumps({"spec": BASE}).replace('"gpu": false', '"gpu": false, "cpu": 1e999')
    campos = _enviar_texto(api_como, corpo)
    assert "runtime.cpu" in campos


def _enviar_texto(api_como, corpo: str) -> dict:
    erro = assert_forma_de_erro(api_como("sistema").post(SPECS, corpo, content_type="application/json"), 400)
    assert not Spec.objects.exists()
    return erro["campos"]


def test_documento_grande_demais_e_recusado():
    with pytest.raises(SpecInvalida, match="o máximo é"):
        carregar_spec("descricao: " + "a" * 1_000_001 + "\n")


def test_worker_com_template_inseguro_falha_a_vertente_com_frase(repositorio_com_template):
    gerador = repositorio_com_template("{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    spec = carregar_spec(yaml.safe_dump(BASE))
    with pytest.raises(DadosInvalidos, match=r"E/erros\.py\.j2 foi recusado pelo sandbox de templates"):
        worker_de("E").produzir(Entrada(spec=spec, casos=[], pacote=spec["id"], gerador=gerador))


# --- Tamanhos e grandezas que os workers e a precificação usariam -----------------------------------


@pytest.mark.parametrize(
    ("mudar", "campo"),
    [
        pytest.param(
            lambda s: s["spec_poo"]["classes"][0]["atributos"][0]["restricoes"].update(min_len=10**10),
            f"{ATRIBUTO}.restricoes.min_len",
            id="min_len-de-10-GB",
        ),
        pytest.param(lambda s: s["runtime"].update(ram_mb=10**30), "runtime.ram_mb", id="ram"),
        pytest.param(
            lambda s: s.update(requisitos_nao_funcionais={"usuarios": 10**50}),
            "requisitos_nao_funcionais.usuarios",
            id="usuarios",
        ),
    ],
)
def test_grandeza_sem_sentido_e_recusada_no_campo(mudar, campo):
    spec = copy.deepcopy(BASE)
    mudar(spec)
    assert "menor ou igual" in _erros(spec)[campo]


def test_worker_nao_constroi_texto_gigante_de_spec_antiga():
    # A spec stored before min_len had a maximum: the worker refuses instead of building 10 GB.
    atributo = estrutural_regras.Atributo("nome", "str", True, {"min_len": 10**10})
    with pytest.raises(ValueError, match="acima do limite"):
        estrutural_regras.valor_valido(atributo)


@pytest.mark.django_db
def test_muitos_padroes_que_o_dfa_do_re2_nao_resolve_batem_no_teto(api_como, teto):
    # Each match is linear but slow (text x program): forty of them pass any small ceiling.
    teto.setattr(limite, "TEMPO_S", 0.2)
    spec = copy.deepcopy(BASE)
    spec["spec_poo"]["classes"][0]["atributos"] = [
        {
            "nome": f"a{i}",
            "tipo": "str",
            "restricoes": {"padrao": "(?:[a-f]{0,9}[a-e]{0,9}){0,90}!"},
            "exemplo": "a" * padroes.MAX_TEXTO,
        }
        for i in range(40)
    ]
    campos = _enviar(api_como, {"yaml": yaml.safe_dump(spec)})
    assert "passou do limite de 0.2 s" in campos["yaml"][0]


def _quebrado(_texto):
    raise KeyError("um defeito da validação")


@pytest.mark.django_db
def test_defeito_da_validacao_no_filho_e_400_que_o_nomeia(api_como, teto):
    teto.setattr(limite, "carregar_spec", _quebrado)
    campos = _enviar(api_como, {"yaml": yaml.safe_dump(BASE)})
    assert "não pôde ser validada: KeyError" in campos["yaml"][0]


@pytest.mark.parametrize(
    ("texto", "recurso"),
    [
        pytest.param('{% for i in range(100000) %}{{ "a" * 1000000 }}{% endfor %}', "memória", id="saida-de-100-GB"),
        pytest.param('{{ ("a" * 1000000)|replace("a", "a" * 1000000) }}', "memória", id="replace-de-1-TB"),
        pytest.param(
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "tempo",
            id="laco-de-laco",
        ),
    ],
)
def test_template_do_repositorio_que_esgotaria_o_processo_para_no_teto(
    repositorio_com_template, monkeypatch, texto, recurso
):
    monkeypatch.setattr(gerador_modulo, "TEMPO_S", 0.5 if recurso == "tempo" else 60.0)
    monkeypatch.setattr(gerador_modulo, "MEMORIA_MB", 64)
    gerador = repositorio_com_template(texto)
    with pytest.raises(DadosInvalidos, match=f"passou do limite de {recurso}"):
        gerador.gerar("E", "erros.py.j2", {})


def test_include_de_template_sobreposto_num_template_do_projeto_tambem_tem_teto(tmp_path, monkeypatch):
    # E/test_casos.py.j2 (shipped) includes E/_apoio_testes.py.j2: overriding only the included one
    # must not run it unbounded in the process.
    monkeypatch.setattr(gerador_modulo, "TEMPO_S", 0.5)
    pasta = tmp_path / "_catalogo" / "templates" / "E"
    pasta.mkdir(parents=True)
    (pasta / "_apoio_testes.py.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", encoding="utf-8"
    )
    gerador = GeradorTemplates(repositorio=tmp_path)
    contexto = {"spec_id": "s", "nao_testaveis": [], "modulos": [], "pacote": "s"}
    with pytest.raises(DadosInvalidos, match="passou do limite de tempo"):
        gerador.gerar("E", "test_casos.py.j2", contexto)
