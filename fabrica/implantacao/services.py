"""Deployment (docs/implantacao.md): an approved release goes to an
environment through its target, the PO validates it, it is promoted to the next environment or
rolled back.

Guarantees:
- Deployments to one environment never interleave. The environment's row is locked
  (``select_for_update``) to check and take it; a deployment holds it while its record is
  ``EmAndamento`` (at most one per environment: a database constraint), and the next one waits for
  it, then is refused with a sentence if it waited too long (its item is retried by the backlog).
  The slow work itself runs outside any transaction.
- An ``implantar`` item makes one record, finished once: a rescued item (its worker was killed)
  resumes its own record, and a record is finished in the same transaction that concludes (or
  fails) its item and produces ``validar_implantacao``.
- What served before a failed deployment still serves (each target's promise).
- Every decision (validate, refuse, promote, roll back) is made once, by whom the environment
  allows, and recorded with who, when and why.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backlog import services as backlog
from backlog.models import Item
from backlog.models import Status as StatusItem
from fabrica.consumidor import ErroDefinitivo
from fabrica.erros import DadosInvalidos, NaoEncontrado, SemPermissao, TransicaoInvalida
from fabrica.implantacao import selectors
from fabrica.implantacao.alvos import Contexto, FalhaNoAlvo, Resultado, alvo_de
from fabrica.implantacao.arquivo import ArquivoInvalido, arquivo_da_release
from fabrica.implantacao.diario import Diario
from fabrica.implantacao.models import Implantacao
from fabrica.models import Ambiente, Release
from prometheus_site.atores import ator_de
from prometheus_site.erros import ErroDominio

log = logging.getLogger(__name__)

PRODUTOR = "PROMETHEUS"
PRODUTOR_PO = "MS_Produto"
# A rollback goes before deployments waiting in the queue.
PRIORIDADE_REVERSAO = 100
Status = Implantacao.Status
Validacao = Implantacao.Validacao
Promocao = Implantacao.Promocao
Falha = Implantacao.Falha
TRANSICOES = {
    Status.AGUARDANDO: {Status.EM_ANDAMENTO, Status.FALHOU},
    Status.EM_ANDAMENTO: {Status.CONCLUIDA, Status.FALHOU},
}
_ROTULO = re.compile(r"^(?P<spec>[a-z0-9_]+)-v(?P<versao>\d+)$")


class AmbienteOcupado(TransicaoInvalida):
    """Another deployment holds the environment (409); an item retries later."""


# --- references -----------------------------------------------------------------------------------


def ref_da_release(release: Release | None) -> str:
    """What ``release_ref`` / ``feature_ref`` carry on the backlog for a release: its version label
    (``spec_001-v3``), as development names it (``fabrica.releases.referencias`` reads a bare
    word as a spec id)."""
    return release.rotulo_versao if release is not None else ""


def release_por_ref(ref: Any, *, campo: str = "release_ref") -> Release:
    """A release by its id (``"12"``) or its version label (``"spec_001-v3"``)."""
    texto = str(ref or "").strip()
    release = None
    if texto.isdecimal() and len(texto) < 19:
        release = Release.objects.select_related("spec").filter(pk=int(texto)).first()
    elif m := _ROTULO.fullmatch(texto):
        release = Release.objects.select_related("spec").filter(spec_ref=m["spec"], versao=int(m["versao"])).first()
    if release is None:
        raise NaoEncontrado(
            _("A release %(ref)s não existe.") % {"ref": texto or "''"}, {campo: [_("Release desconhecida.")]}
        )
    return release


def ambiente_por_nome(nome: Any, *, campo: str = "ambiente") -> Ambiente:
    ambiente = Ambiente.objects.filter(nome=str(nome or "")).first()
    if ambiente is None:
        raise NaoEncontrado(
            _("O ambiente %(nome)s não existe.") % {"nome": nome}, {campo: [_("Ambiente desconhecido.")]}
        )
    return ambiente


def ambiente_padrao() -> Ambiente:
    """The first active environment in order: where an approved release goes unless told."""
    ambiente = Ambiente.objects.filter(ativo=True).order_by("ordem", "nome").first()
    if ambiente is None:
        raise DadosInvalidos(_("Não há ambiente ativo para implantar."), {"ambiente": [_("Cadastre um ambiente.")]})
    return ambiente


def proximo_ambiente(ambiente: Ambiente) -> Ambiente | None:
    """The next active environment after this one in order (promotion goes there)."""
    return (
        Ambiente.objects.filter(ativo=True)
        .filter(Q(ordem__gt=ambiente.ordem) | Q(ordem=ambiente.ordem, nome__gt=ambiente.nome))
        .order_by("ordem", "nome")
        .first()
    )


# --- the environment's rules ----------------------------------------------------------------------


def aprovador_do_ambiente(usuario: AbstractBaseUser | None, ambiente: Ambiente) -> bool:
    """Whether this person may approve deploys to the environment: anyone (with the role's
    permission) unless the environment names its approving groups or users."""
    grupos = list(ambiente.grupos_aprovadores.all())
    usuarios = list(ambiente.usuarios_aprovadores.all())
    if not grupos and not usuarios:
        return True
    if usuario is None:
        return False
    return usuario in usuarios or usuario.groups.filter(pk__in=[g.pk for g in grupos]).exists()


def exigir_aprovador(usuario: AbstractBaseUser | None, ambiente: Ambiente) -> None:
    if not aprovador_do_ambiente(usuario, ambiente):
        nomes = [g.name for g in ambiente.grupos_aprovadores.all()] + [
            u.get_username() for u in ambiente.usuarios_aprovadores.all()
        ]
        raise SemPermissao(
            _("%(quem)s não aprova implantações em %(ambiente)s; quem aprova: %(nomes)s.")
            % {
                "quem": usuario.get_username() if usuario else "?",
                "ambiente": ambiente.nome,
                "nomes": ", ".join(nomes),
            },
            {"ambiente": [_("Aprovadores: %(nomes)s.") % {"nomes": ", ".join(nomes)}]},
        )


def exigir_validacao_anterior(release: Release, ambiente: Ambiente) -> None:
    exigido = ambiente.exige_validacao_em
    if exigido is None:
        return
    if not Implantacao.objects.filter(release=release, ambiente=exigido, validacao=Validacao.VALIDADA).exists():
        raise TransicaoInvalida(
            _("A release %(release)s precisa ser validada em %(exigido)s antes de ir para %(ambiente)s.")
            % {"release": release.rotulo_versao, "exigido": exigido.nome, "ambiente": ambiente.nome},
            {"ambiente": [_("Valide antes em %(exigido)s.") % {"exigido": exigido.nome}]},
        )


def exigir_pode_implantar(*, release: Release, ambiente: Ambiente, por: AbstractBaseUser | None) -> None:
    """Every rule a deploy of ``release`` to ``ambiente`` approved by ``por`` must meet; the
    release approval (development) calls it before producing ``implantar``, and the consumer
    checks it again before deploying."""
    if release.status != Release.Status.APROVADA:
        raise TransicaoInvalida(
            _("A release %(release)s não está aprovada (%(status)s).")
            % {"release": release.rotulo_versao, "status": release.get_status_display()},
            {"release_ref": [release.status]},
        )
    if not ambiente.ativo:
        raise TransicaoInvalida(
            _("O ambiente %(ambiente)s está desativado.") % {"ambiente": ambiente.nome}, {"ambiente": [_("Inativo.")]}
        )
    exigir_validacao_anterior(release, ambiente)
    exigir_aprovador(por, ambiente)


def novo_item_implantar(
    *,
    release: Release,
    ambiente: Ambiente | None = None,
    por: AbstractBaseUser,
    origem: Implantacao | None = None,
    repete: Implantacao | None = None,
) -> backlog.NovoItem:
    """The ``implantar`` item for an approved release (checked against the environment's rules),
    to produce or to conclude an approval with."""
    ambiente = ambiente or ambiente_padrao()
    exigir_pode_implantar(release=release, ambiente=ambiente, por=por)
    contexto: dict[str, Any] = {
        "release_ref": ref_da_release(release),
        "ambiente": ambiente.nome,
        "aprovado_por": por.get_username(),
    }
    if origem is not None:
        contexto["origem_ref"] = str(origem.pk)
    if repete is not None:
        contexto["repete_ref"] = str(repete.pk)
    return backlog.NovoItem(tipo="implantar", produtor=PRODUTOR_PO, spec_ref=release.spec_ref, contexto=contexto)


# --- processar_implantar --------------------------------------------------------------------------


@dataclass
class Pedido:
    tipo: str
    ambiente: Ambiente
    release: Release | None  # what is to serve
    spec_ref: str
    aprovado_por: AbstractBaseUser | None
    solicitado_por: str
    motivo: str = ""
    reverte: Implantacao | None = None
    origem: Implantacao | None = None
    repete: Implantacao | None = None


def _usuario(nome: Any) -> AbstractBaseUser | None:
    if not nome:
        return None
    return get_user_model().objects.filter(username=str(nome)).first()


def _pedido(item: Item) -> Pedido:
    """What the item asks for, resolved; raises ``ErroDominio`` for what can never be done."""
    contexto = item.contexto or {}
    ambiente = ambiente_por_nome(contexto["ambiente"]) if contexto.get("ambiente") else ambiente_padrao()
    reversao = contexto.get("reversao")
    if isinstance(reversao, dict):
        de = release_por_ref(contexto.get("release_ref"))
        para = (
            release_por_ref(reversao["para_release_ref"], campo="reversao.para_release_ref")
            if reversao.get("para_release_ref")
            else None
        )
        reverte = None
        if str(reversao.get("implantacao_ref") or "").isdecimal():
            reverte = Implantacao.objects.filter(pk=int(reversao["implantacao_ref"])).first()
        return Pedido(
            tipo=Implantacao.Tipo.REVERSAO,
            ambiente=ambiente,
            release=para,
            spec_ref=de.spec_ref,
            aprovado_por=_usuario(str(reversao.get("por", "")).removeprefix("usuario:")),
            solicitado_por=str(reversao.get("por") or item.produtor),
            motivo=str(reversao.get("motivo", ""))[:5000],
            reverte=reverte,
        )
    release = release_por_ref(contexto.get("release_ref"))
    origem = None
    if str(contexto.get("origem_ref", "")).isdecimal():
        origem = Implantacao.objects.filter(pk=int(contexto["origem_ref"])).first()
    repete = None
    if str(contexto.get("repete_ref", "")).isdecimal():
        repete = Implantacao.objects.filter(pk=int(contexto["repete_ref"])).first()
    aprovado_por = _usuario(contexto.get("aprovado_por")) or release.decidido_por
    return Pedido(
        tipo=Implantacao.Tipo.IMPLANTACAO,
        ambiente=ambiente,
        release=release,
        spec_ref=release.spec_ref,
        aprovado_por=aprovado_por,
        solicitado_por=item.produtor,
        origem=origem,
        repete=repete,
    )


def _exigir_pedido(pedido: Pedido) -> None:
    if pedido.tipo == Implantacao.Tipo.IMPLANTACAO:
        assert pedido.release is not None
        exigir_pode_implantar(release=pedido.release, ambiente=pedido.ambiente, por=pedido.aprovado_por)
        return
    if (
        pedido.release is not None
        and not Implantacao.objects.filter(
            release=pedido.release, ambiente=pedido.ambiente, status=Status.CONCLUIDA
        ).exists()
    ):
        raise DadosInvalidos(
            _("A release %(release)s nunca foi implantada em %(ambiente)s: não há para onde reverter.")
            % {"release": pedido.release.rotulo_versao, "ambiente": pedido.ambiente.nome},
            {"reversao.para_release_ref": [_("Não implantada neste ambiente.")]},
        )


def _registro_aberto(item: Item, pedido: Pedido) -> Implantacao:
    """The item's open record (a rescued item resumes it), or a new one."""
    aberto = Implantacao.objects.filter(item=item, status__in=[Status.AGUARDANDO, Status.EM_ANDAMENTO]).first()
    if aberto is not None:
        return aberto
    return Implantacao.objects.create(
        tipo=pedido.tipo,
        status=Status.AGUARDANDO,
        ambiente=pedido.ambiente,
        release=pedido.release,
        spec_ref=pedido.spec_ref,
        versao=pedido.release.rotulo_versao if pedido.release else "",
        alvo=pedido.ambiente.alvo,
        item=item,
        aprovado_por=pedido.aprovado_por,
        solicitado_por=pedido.solicitado_por[:200],
        motivo=pedido.motivo,
        reverte=pedido.reverte,
        origem=pedido.origem,
        repete=pedido.repete,
    )


def processar_implantar(item: Item) -> None:
    """The ``implantar`` handler (docs/implantacao.md): deploys (or rolls back) and concludes the
    item with
    ``validar_implantacao``; a refused request or a failed deployment fails the item for good,
    with the reason, and is recorded. Anything unexpected propagates: the consumer fails the
    item with attempts left, and the next attempt resumes the same record."""
    try:
        pedido = _pedido(item)
    except ErroDominio as exc:
        raise ErroDefinitivo(exc.mensagem) from None
    impl = _registro_aberto(item, pedido)
    diario = Diario(impl.pk)
    try:
        _exigir_pedido(pedido)
        if pedido.tipo == Implantacao.Tipo.REVERSAO and pedido.reverte is not None:
            vig = selectors.vigente(pedido.ambiente.pk, pedido.spec_ref)
            if vig is None or vig.pk != pedido.reverte.pk:
                raise TransicaoInvalida(
                    _("A implantação #%(n)s já não serve em %(ambiente)s: nada a reverter.")
                    % {"n": pedido.reverte.pk, "ambiente": pedido.ambiente.nome}
                )
    except ErroDominio as exc:
        diario(f"Recusada: {exc.mensagem}")
        diario.fechar()
        _registrar_falha(impl.pk, item, exc.mensagem)
        return
    _executar(impl.pk, item, diario)


def _executar(impl_id: int, item: Item | None, diario: Diario) -> None:
    try:
        impl = _tomar_ambiente(impl_id, diario)
        inicio = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"prometheus-implantacao-{impl.pk}-") as pasta:
            try:
                resultado = _no_alvo(impl, Path(pasta), diario)
            except (FalhaNoAlvo, ArquivoInvalido, OSError) as falha:
                # OSError: the target's disk or permissions; recorded, not retried blindly.
                diario(f"Falhou: {falha}")
                diario.fechar()
                _registrar_falha(impl.pk, item, str(falha))
                return
        diario(f"Concluída em {time.monotonic() - inicio:.1f} s.")
        diario.fechar()
        _registrar_sucesso(impl.pk, item, resultado)
    finally:
        diario.fechar()


def encerrar_abandonadas() -> int:
    """Records left open by a worker whose item will never resume them (it failed for good or was
    cancelled) are closed as failed; the sweep runs this."""
    abertas = Implantacao.objects.filter(status__in=[Status.AGUARDANDO, Status.EM_ANDAMENTO], item__isnull=False)
    total = 0
    for impl in abertas.exclude(
        item__status__in=[StatusItem.PENDENTE, StatusItem.EM_PROCESSAMENTO, StatusItem.BLOQUEADO]
    ):
        with transaction.atomic():
            impl = _travar(impl.pk)
            if impl.em_curso and _abandonada(impl):
                impl.status, impl.terminado_em = Status.FALHOU, timezone.now()
                impl.erro = impl.erro or "Abandonada: o item que a executava não será retomado."
                impl.save(update_fields=["status", "terminado_em", "erro"])
                total += 1
    return total


def _abandonada(outra: Implantacao) -> bool:
    """A record left ``EmAndamento`` by a worker whose item will never resume it."""
    if outra.item_id is None:
        return False
    return (
        Item.objects.filter(pk=outra.item_id)
        .exclude(status__in=[StatusItem.PENDENTE, StatusItem.EM_PROCESSAMENTO, StatusItem.BLOQUEADO])
        .exists()
    )


def _tomar_ambiente(impl_id: int, diario: Diario) -> Implantacao:
    """Takes the environment for this record (``EmAndamento``), waiting while another holds it;
    records what serves now as the previous release. Raises ``AmbienteOcupado`` after the wait."""
    prazo = time.monotonic() + settings.PROMETHEUS_IMPLANTACAO_ESPERA
    avisou = False
    ambiente_id = Implantacao.objects.values_list("ambiente_id", flat=True).get(pk=impl_id)
    while True:
        with transaction.atomic():
            # The environment's row first: every deployment to it queues on this lock.
            Ambiente.objects.select_for_update(no_key=True).filter(pk=ambiente_id).first()
            impl = (
                Implantacao.objects.select_for_update(no_key=True, of=("self",))
                .select_related("ambiente")
                .get(pk=impl_id)
            )
            if impl.status == Status.EM_ANDAMENTO:
                diario("Retomando a implantação interrompida (o item foi resgatado).")
                return impl
            _exigir_transicao(impl, Status.EM_ANDAMENTO)
            outra = (
                Implantacao.objects.filter(ambiente_id=impl.ambiente_id, status=Status.EM_ANDAMENTO)
                .exclude(pk=impl.pk)
                .first()
            )
            if outra is not None and _abandonada(outra):
                outra.status, outra.terminado_em = Status.FALHOU, timezone.now()
                outra.erro = "Abandonada: o item que a executava não será retomado."
                outra.save(update_fields=["status", "terminado_em", "erro"])
                outra = None
            if outra is None:
                vig = selectors.vigente(impl.ambiente_id, impl.spec_ref)
                impl.status, impl.iniciado_em = Status.EM_ANDAMENTO, timezone.now()
                impl.release_anterior = vig.release if vig else None
                impl.save(update_fields=["status", "iniciado_em", "release_anterior"])
                diario(
                    f"{'Reversão' if impl.tipo == Implantacao.Tipo.REVERSAO else 'Implantação'} #{impl.pk}: "
                    f"{impl.versao or '(nenhuma release)'} → {impl.ambiente.nome} (alvo {impl.alvo}); "
                    f"servia: {impl.release_anterior.rotulo_versao if impl.release_anterior else 'nada'}."
                )
                return impl
        if not avisou:
            diario(f"Aguardando a implantação #{outra.pk} ({outra.versao}) terminar em {impl.ambiente.nome} …")
            diario.descarregar()
            avisou = True
        if time.monotonic() >= prazo:
            raise AmbienteOcupado(
                _("O ambiente %(ambiente)s está ocupado com a implantação #%(n)s (%(versao)s) há mais de %(s)s s.")
                % {
                    "ambiente": impl.ambiente.nome,
                    "n": outra.pk,
                    "versao": outra.versao,
                    "s": settings.PROMETHEUS_IMPLANTACAO_ESPERA,
                }
            )
        time.sleep(0.5)


def _no_alvo(impl: Implantacao, pasta: Path, diario: Diario) -> Resultado:
    """The slow part, outside any transaction: archives, the target's operation, retention."""
    alvo = alvo_de(impl.ambiente)
    release = impl.release

    def fazer_arquivo() -> Path | None:
        return arquivo_da_release(release, pasta / "arquivo") if release is not None else None

    # A rollback to a release the target still keeps needs no archive (built if it turns out to).
    guardada = impl.tipo == Implantacao.Tipo.REVERSAO and impl.versao in (alvo.guardadas(impl.spec_ref) or [])
    arquivo = None if guardada else fazer_arquivo()
    anterior = impl.release_anterior
    arquivo_anterior = arquivo_da_release(anterior, pasta / "anterior") if anterior and impl.alvo == "comando" else None
    if arquivo is not None:
        diario(
            f"Arquivo da release: {arquivo.name}, {len(impl.release.artefatos)} artefato(s), {arquivo.stat().st_size} bytes."
        )
    trabalho = pasta / "trabalho"
    trabalho.mkdir()
    ctx = Contexto(
        implantacao_id=impl.pk,
        ambiente=impl.ambiente,
        spec_ref=impl.spec_ref,
        versao=impl.versao,
        release_id=impl.release_id,
        arquivo=arquivo,
        anterior=anterior.rotulo_versao if anterior else "",
        arquivo_anterior=arquivo_anterior,
        trabalho=trabalho,
        escrever=diario,
        esperando=diario.talvez_descarregar,
        fazer_arquivo=fazer_arquivo,
    )
    if impl.tipo == Implantacao.Tipo.REVERSAO:
        resultado = alvo.reverter(ctx)
    else:
        resultado = alvo.implantar(ctx)
    diario.descarregar()
    removidas = alvo.podar(impl.spec_ref, _manter(impl), diario)
    if removidas:
        diario(f"Retenção: {len(removidas)} release(s) antiga(s) removida(s).")
    return resultado


def retencao_de(ambiente: Ambiente) -> int:
    return max(ambiente.retencao or settings.PROMETHEUS_IMPLANTACAO_RETENCAO, 2)


def _manter(impl: Implantacao) -> set[str]:
    """The versions retention keeps for the record's spec: the newest deployed ones up to the
    setting, and always the one now serving and the one before it."""
    n = retencao_de(impl.ambiente)
    ordem = [impl.versao] if impl.versao else []
    for versao in (
        Implantacao.objects.filter(ambiente_id=impl.ambiente_id, spec_ref=impl.spec_ref, status=Status.CONCLUIDA)
        .exclude(versao="")
        .order_by("-terminado_em", "-id")
        .values_list("versao", flat=True)[: n * 4]
    ):
        if versao not in ordem:
            ordem.append(versao)
    manter = set(ordem[:n])
    if impl.release_anterior:
        manter.add(impl.release_anterior.rotulo_versao)
    return manter


def _exigir_transicao(impl: Implantacao, destino: str) -> None:
    if destino not in TRANSICOES.get(impl.status, set()):
        raise TransicaoInvalida(
            _("A implantação #%(n)s está %(status)s.") % {"n": impl.pk, "status": impl.get_status_display()},
            {"status": [impl.status]},
        )


def _travar(impl_id: int) -> Implantacao:
    try:
        return (
            Implantacao.objects.select_for_update(no_key=True, of=("self",))
            .select_related("ambiente", "release", "release_anterior")
            .get(pk=impl_id)
        )
    except Implantacao.DoesNotExist:
        raise NaoEncontrado(_("A implantação #%(n)s não existe.") % {"n": impl_id}) from None


def _url(impl: Implantacao, resultado: Resultado) -> str:
    if resultado.url:
        return resultado.url[:500]
    if not impl.ambiente.url or not impl.versao:
        return ""
    return impl.ambiente.url.replace("{spec}", impl.spec_ref).replace("{versao}", impl.versao)[:500]


def _registrar_sucesso(impl_id: int, item: Item | None, resultado: Resultado) -> None:
    with transaction.atomic():
        impl = _travar(impl_id)
        _exigir_transicao(impl, Status.CONCLUIDA)
        impl.status, impl.terminado_em = Status.CONCLUIDA, timezone.now()
        impl.url, impl.caminho = _url(impl, resultado), resultado.caminho[:500]
        campos = ["status", "terminado_em", "url", "caminho"]
        gerados: list[backlog.NovoItem] = []
        if impl.tipo == Implantacao.Tipo.IMPLANTACAO:
            impl.validacao = Validacao.PENDENTE
            campos.append("validacao")
            contexto = {
                "release_ref": ref_da_release(impl.release),
                "implantacao_ref": str(impl.pk),
                "ambiente": impl.ambiente.nome,
            }
            if impl.url:
                contexto["url"] = impl.url
            gerados.append(
                backlog.NovoItem(
                    tipo="validar_implantacao", produtor=PRODUTOR, spec_ref=impl.spec_ref, contexto=contexto
                )
            )
        impl.save(update_fields=campos)
        _substituir_validacoes(impl)
        if item is not None:
            concluido = backlog.concluir(
                item_id=item.pk,
                lease_token=item.lease_token,
                resultado={
                    "implantacao_ref": str(impl.pk),
                    "ambiente": impl.ambiente.nome,
                    "status": impl.status,
                    "versao": impl.versao,
                    **({"url": impl.url} if impl.url else {}),
                },
                items_gerados=gerados,
            )
            if gerados:
                impl.item_validacao = concluido.gerados_agora[0]
                impl.save(update_fields=["item_validacao"])


def _substituir_validacoes(impl: Implantacao) -> None:
    """Earlier deployments of the spec to this environment still waiting for validation no
    longer serve: their validation is withdrawn (the PO validates what runs); failed ones still
    waiting for a decision are superseded (something newer serves there now)."""
    Implantacao.objects.filter(ambiente_id=impl.ambiente_id, spec_ref=impl.spec_ref, falha=Falha.PENDENTE).exclude(
        pk=impl.pk
    ).update(falha=Falha.SUPERADA)
    antigas = list(
        Implantacao.objects.select_for_update(no_key=True)
        .filter(ambiente_id=impl.ambiente_id, spec_ref=impl.spec_ref, validacao=Validacao.PENDENTE)
        .exclude(pk=impl.pk)
    )
    for antiga in antigas:
        antiga.validacao = Validacao.SUBSTITUIDA
        antiga.save(update_fields=["validacao"])
        if antiga.item_validacao_id:
            item = Item.objects.filter(pk=antiga.item_validacao_id).only("status").first()
            if item and item.status in (StatusItem.PENDENTE, StatusItem.BLOQUEADO, StatusItem.EM_PROCESSAMENTO):
                backlog.cancelar(
                    item_id=antiga.item_validacao_id,
                    ator=PRODUTOR,
                    motivo=f"Substituída pela implantação #{impl.pk} ({impl.versao or 'reversão'}).",
                )


def _registrar_falha(impl_id: int, item: Item | None, erro: str) -> None:
    """The record fails and its item fails for good, in one transaction: retrying the same
    release on the same target would fail the same way (an admin requeues it from the board)."""
    with transaction.atomic():
        impl = _travar(impl_id)
        _exigir_transicao(impl, Status.FALHOU)
        impl.status, impl.terminado_em, impl.erro = Status.FALHOU, timezone.now(), erro[:10_000]
        campos = ["status", "terminado_em", "erro"]
        if impl.tipo == Implantacao.Tipo.IMPLANTACAO and impl.release_id is not None:
            # A failed deployment is the PO's decision: retry it or reject the release.
            impl.falha = Falha.PENDENTE
            campos.append("falha")
        impl.save(update_fields=campos)
        if item is not None:
            backlog.falhar(
                item_id=item.pk,
                lease_token=item.lease_token,
                erro=f"Implantação #{impl.pk} em {impl.ambiente.nome} falhou: {erro}",
                definitivo=True,
            )


# --- the PO's decisions ---------------------------------------------------------------------------


def _quando(momento) -> str:
    return date_format(timezone.localtime(momento), "SHORT_DATETIME_FORMAT") if momento else "?"


def _fechar_item_validacao(impl: Implantacao, por: AbstractBaseUser, resultado: dict, gerados: list) -> None:
    """Concludes ``validar_implantacao`` as the PO (claiming it first) with what follows."""
    consumidor = f"po:{por.get_username()}"
    item_id = impl.item_validacao_id
    if item_id is None:
        backlog.produzir_varios(gerados, ator=ator_de(por))
        return
    reservado = backlog.reservar(item_id=item_id, consumidor=consumidor)
    backlog.concluir(
        item_id=item_id,
        lease_token=reservado.lease_token,
        resultado=resultado,
        items_gerados=gerados,
        ator=ator_de(por),
    )


def implantacao_validar(
    *, implantacao_id: int, por: AbstractBaseUser, aprovado: bool, observacao: str = ""
) -> Implantacao:
    """The PO validates a deployment once (seed ``validar_implantacao``). Validated: produces
    ``avaliar_efetividade`` and offers promotion to the next environment. Refused (observation
    required): produces ``corrigir_bug`` (``erro`` = the observation, ``feature_ref`` = the release)
    and, if the deployment still serves, the rollback to the release before it (its own record,
    run in the background as an ``implantar`` item)."""
    observacao = (observacao or "").strip()[:5000]
    if not aprovado and not observacao:
        raise DadosInvalidos(
            _("Diga o que está errado: a observação vira o erro do corrigir_bug."),
            {"observacao": [_("Obrigatória para recusar.")]},
        )
    with transaction.atomic():
        impl = _travar(implantacao_id)
        if impl.validacao != Validacao.PENDENTE:
            if impl.validacao in (Validacao.VALIDADA, Validacao.RECUSADA):
                frase = _("Esta implantação já foi %(decisao)s por %(quem)s em %(quando)s.") % {
                    "decisao": impl.get_validacao_display(),
                    "quem": impl.validado_por.get_username() if impl.validado_por else "?",
                    "quando": _quando(impl.validado_em),
                }
            else:
                frase = _("Esta implantação não espera validação (%(estado)s).") % {
                    "estado": impl.get_validacao_display() or impl.get_status_display()
                }
            raise TransicaoInvalida(frase, {"validacao": [impl.validacao or impl.status]})
        exigir_aprovador(por, impl.ambiente)
        ref = ref_da_release(impl.release)
        gerados: list[backlog.NovoItem] = []
        campos = ["validacao", "validado_por", "validado_em", "observacao"]
        if aprovado:
            gerados.append(
                backlog.NovoItem(
                    tipo="avaliar_efetividade",
                    produtor=PRODUTOR_PO,
                    spec_ref=impl.spec_ref,
                    contexto={
                        "release_ref": ref,
                        "implantacao_ref": str(impl.pk),
                        "ambiente": impl.ambiente.nome,
                        "observacao": observacao,
                    },
                )
            )
            proximo = proximo_ambiente(impl.ambiente)
            if proximo is not None:
                impl.promocao, impl.promover_para = Promocao.OFERECIDA, proximo
                campos += ["promocao", "promover_para"]
        else:
            gerados.append(
                backlog.NovoItem(
                    tipo="corrigir_bug",
                    produtor=PRODUTOR_PO,
                    spec_ref=impl.spec_ref,
                    contexto={
                        "feature_ref": ref,
                        "erro": observacao,
                        "implantacao_ref": str(impl.pk),
                        "ambiente": impl.ambiente.nome,
                    },
                )
            )
            vig = selectors.vigente(impl.ambiente_id, impl.spec_ref)
            if vig is not None and vig.pk == impl.pk:
                gerados.append(
                    backlog.NovoItem(
                        tipo="implantar",
                        produtor=PRODUTOR,
                        spec_ref=impl.spec_ref,
                        prioridade=PRIORIDADE_REVERSAO,
                        contexto={
                            "release_ref": ref,
                            "ambiente": impl.ambiente.nome,
                            "reversao": {
                                "para_release_ref": ref_da_release(impl.release_anterior) or None,
                                "implantacao_ref": str(impl.pk),
                                "motivo": _("Validação recusada: %(obs)s") % {"obs": observacao},
                                "por": ator_de(por),
                            },
                        },
                    )
                )
        impl.validacao = Validacao.VALIDADA if aprovado else Validacao.RECUSADA
        impl.validado_por, impl.validado_em, impl.observacao = por, timezone.now(), observacao
        impl.save(update_fields=campos)
        _fechar_item_validacao(
            impl,
            por,
            {"decisao": "validada" if aprovado else "recusada", "por": por.get_username(), "observacao": observacao},
            gerados,
        )
    return impl


# --- a failed deployment -------------------------------------------------------------------------

LINHAS_DA_FALHA = 15


def trecho_da_falha(impl: Implantacao) -> str:
    """The failing part of a failed deployment's log: its last lines up to the failure (the
    smoke checks' output or the target's error), for the inbox, the page and ``corrigir_bug``."""
    linhas = [linha for linha in (impl.log or "").splitlines() if linha.strip()]
    return "\n".join(linhas[-LINHAS_DA_FALHA:])


def erro_da_falha(impl: Implantacao, motivo: str = "") -> str:
    """The ``erro`` of the ``corrigir_bug`` a rejected failed deployment produces: the PO's words
    (if any), the failure and the failing part of its log."""
    partes = [motivo.strip()] if motivo.strip() else []
    partes.append(
        _("A implantação #%(n)s em %(ambiente)s falhou: %(erro)s")
        % {"n": impl.pk, "ambiente": impl.ambiente.nome, "erro": impl.erro or "?"}
    )
    trecho = trecho_da_falha(impl)
    if trecho:
        partes.append(trecho)
    return "\n\n".join(partes)[:5000]


def falha_travar(implantacao_id: int, por: AbstractBaseUser) -> Implantacao:
    """Locks a failed deployment whose decision waits, for someone who may decide it; refuses
    (with who decided, when) otherwise. Call inside a transaction."""
    impl = _travar(implantacao_id)
    if impl.falha != Falha.PENDENTE:
        if impl.falha in (Falha.REPETIDA, Falha.REJEITADA):
            frase = _("Esta falha já foi decidida (%(decisao)s) por %(quem)s em %(quando)s.") % {
                "decisao": impl.get_falha_display(),
                "quem": impl.validado_por.get_username() if impl.validado_por else "?",
                "quando": _quando(impl.validado_em),
            }
        else:
            frase = _("A implantação #%(n)s não tem falha a decidir (%(estado)s).") % {
                "n": impl.pk,
                "estado": impl.get_falha_display() or impl.get_status_display(),
            }
        raise TransicaoInvalida(frase, {"falha": [impl.falha or impl.status]})
    exigir_aprovador(por, impl.ambiente)
    return impl


def falha_registrar(impl: Implantacao, decisao: str, por: AbstractBaseUser, motivo: str = "") -> None:
    """Records the decision on a failed deployment locked by ``falha_travar``."""
    impl.falha, impl.validado_por, impl.validado_em = decisao, por, timezone.now()
    impl.observacao = (motivo or "").strip()[:5000]
    impl.save(update_fields=["falha", "validado_por", "validado_em", "observacao"])


def falhas_da_release_superar(release_id: int, *, exceto: int) -> None:
    """Other failures of a release that is rejected wait for nothing any more."""
    Implantacao.objects.filter(release_id=release_id, falha=Falha.PENDENTE).exclude(pk=exceto).update(
        falha=Falha.SUPERADA
    )


def implantacao_repetir(*, implantacao_id: int, por: AbstractBaseUser) -> Item:
    """Retries a failed deployment once: a new ``implantar`` of the same release to the same
    environment, approved by ``por`` and checked against the environment's rules; the failed
    record says who retried it and links the new one (``repete``)."""
    with transaction.atomic():
        impl = falha_travar(implantacao_id, por)
        assert impl.release is not None
        novo = novo_item_implantar(release=impl.release, ambiente=impl.ambiente, por=por, repete=impl)
        (item,) = backlog.produzir_varios([novo], ator=ator_de(por))
        falha_registrar(impl, Falha.REPETIDA, por)
    return item


def implantacao_promover(*, implantacao_id: int, por: AbstractBaseUser) -> Item:
    """Takes the promotion offered after a validation: produces ``implantar`` of the same release
    to the next environment, checked against its rules (approvers, earlier validation)."""
    with transaction.atomic():
        impl = _travar(implantacao_id)
        if impl.promocao != Promocao.OFERECIDA:
            raise TransicaoInvalida(
                _("Não há promoção a fazer desta implantação (%(estado)s).")
                % {"estado": impl.get_promocao_display() or impl.get_validacao_display() or impl.get_status_display()},
                {"promocao": [impl.promocao]},
            )
        assert impl.release is not None and impl.promover_para is not None
        novo = novo_item_implantar(release=impl.release, ambiente=impl.promover_para, por=por, origem=impl)
        (item,) = backlog.produzir_varios([novo], ator=ator_de(por))
        impl.promocao = Promocao.SOLICITADA
        impl.save(update_fields=["promocao"])
    return item


def implantacao_dispensar_promocao(*, implantacao_id: int, por: AbstractBaseUser) -> Implantacao:
    """The PO declines the offered promotion (it leaves the inbox)."""
    with transaction.atomic():
        impl = _travar(implantacao_id)
        if impl.promocao != Promocao.OFERECIDA:
            raise TransicaoInvalida(_("Não há promoção oferecida para dispensar."), {"promocao": [impl.promocao]})
        if impl.promover_para is not None:
            exigir_aprovador(por, impl.promover_para)
        impl.promocao = Promocao.DISPENSADA
        impl.save(update_fields=["promocao"])
    return impl


def reversao_solicitar(
    *, ambiente_id: int, spec_ref: str, release_id: int | None, por: AbstractBaseUser, motivo: str
) -> Item:
    """An admin rolls a spec in an environment back to an earlier release the target still keeps,
    with a reason; it runs as an ``implantar`` item (ahead of waiting deploys) and is recorded as
    a rollback. The backlog's events say who asked, when and why."""
    motivo = (motivo or "").strip()[:5000]
    if not motivo:
        raise DadosInvalidos(_("Informe o motivo da reversão."), {"motivo": [_("Campo obrigatório.")]})
    ambiente = Ambiente.objects.filter(pk=ambiente_id).first()
    if ambiente is None:
        raise NaoEncontrado(_("O ambiente #%(n)s não existe.") % {"n": ambiente_id})
    vig = selectors.vigente(ambiente.pk, spec_ref)
    if vig is None or vig.release is None:
        raise DadosInvalidos(
            _("Nada de %(spec)s serve em %(ambiente)s para reverter.")
            % {"spec": spec_ref or "''", "ambiente": ambiente.nome},
            {"spec_ref": [_("Nada implantado.")]},
        )
    release = Release.objects.filter(pk=release_id).first() if release_id else None
    if release is None:
        raise DadosInvalidos(_("Escolha a release para onde reverter."), {"release": [_("Release desconhecida.")]})
    if release.pk == vig.release_id:
        raise DadosInvalidos(
            _("A release %(release)s já é a que serve.") % {"release": release.rotulo_versao},
            {"release": [_("Escolha uma anterior.")]},
        )
    guardadas = releases_para_reverter(ambiente, spec_ref)
    if release not in guardadas:
        raise DadosInvalidos(
            _("A release %(release)s não está guardada em %(ambiente)s para reverter.")
            % {"release": release.rotulo_versao, "ambiente": ambiente.nome},
            {
                "release": [
                    _("Escolha uma de: %(lista)s.") % {"lista": ", ".join(r.rotulo_versao for r in guardadas) or "—"}
                ]
            },
        )
    return backlog.produzir(
        tipo="implantar",
        produtor=ator_de(por),
        spec_ref=spec_ref,
        prioridade=PRIORIDADE_REVERSAO,
        contexto={
            "release_ref": ref_da_release(vig.release),
            "ambiente": ambiente.nome,
            "reversao": {"para_release_ref": ref_da_release(release), "motivo": motivo, "por": ator_de(por)},
        },
        ator=ator_de(por),
    )


def releases_para_reverter(ambiente: Ambiente, spec_ref: str) -> list[Release]:
    """Earlier releases of a spec that were deployed to the environment and that its target
    still keeps, newest first, without the one serving now."""
    vig = selectors.vigente(ambiente.pk, spec_ref)
    atual = vig.release_id if vig else None
    guardadas = alvo_de(ambiente).guardadas(spec_ref)
    vistos: dict[int, Release] = {}
    for impl in (
        Implantacao.objects.select_related("release")
        .filter(ambiente=ambiente, spec_ref=spec_ref, status=Status.CONCLUIDA, release__isnull=False)
        .order_by("-terminado_em", "-id")
    ):
        release = impl.release
        assert release is not None
        if release.pk == atual or release.pk in vistos:
            continue
        if guardadas is not None and release.rotulo_versao not in guardadas:
            continue
        vistos[release.pk] = release
    return list(vistos.values())


# --- environments ---------------------------------------------------------------------------------

CAMPOS_DO_AMBIENTE = (
    "nome",
    "descricao",
    "url",
    "diretorio",
    "ativo",
    "ordem",
    "alvo",
    "configuracao",
    "exige_validacao_em",
    "retencao",
)

# What a person edits on an environment, in the order the admin form and the API show it:
# CAMPOS_DO_AMBIENTE and the approvers.
CAMPOS_EDITAVEIS_DO_AMBIENTE = (
    "nome",
    "descricao",
    "ordem",
    "ativo",
    "alvo",
    "configuracao",
    "diretorio",
    "url",
    "exige_validacao_em",
    "grupos_aprovadores",
    "usuarios_aprovadores",
    "retencao",
)


def erros_do_ambiente(dados: dict[str, Any], instancia: Ambiente | None = None) -> dict[str, list[str]]:
    """The rules an environment's settings must follow, with the field at fault (the admin form
    and the API both use them)."""
    from fabrica.implantacao.alvos import erros_de_configuracao

    erros: dict[str, list[str]] = {}
    alvo = dados.get("alvo", instancia.alvo if instancia else Ambiente.Alvo.DIRETORIO)
    configuracao = dados.get("configuracao", instancia.configuracao if instancia else {})
    erros.update(erros_de_configuracao(alvo, configuracao if configuracao is not None else {}))
    diretorio = dados.get("diretorio", "")
    if diretorio and not str(diretorio).startswith("/"):
        erros["diretorio"] = [_("Informe um caminho absoluto, ou deixe vazio para var/implantacoes/<nome>.")]
    url = dados.get("url", "")
    if url and not str(url).startswith(("http://", "https://")):
        erros["url"] = [_("Informe um endereço http:// ou https:// (pode conter {spec} e {versao}).")]
    exigido = dados.get("exige_validacao_em")
    ordem = dados.get("ordem", instancia.ordem if instancia else 0)
    if exigido is not None:
        if instancia is not None and exigido.pk == instancia.pk:
            erros["exige_validacao_em"] = [_("Um ambiente não pode exigir validação em si mesmo.")]
        elif exigido.ordem >= (ordem or 0):
            erros["exige_validacao_em"] = [
                _("%(exigido)s (ordem %(a)s) precisa vir antes deste ambiente (ordem %(b)s).")
                % {"exigido": exigido.nome, "a": exigido.ordem, "b": ordem}
            ]
    retencao = dados.get("retencao")
    if retencao is not None and retencao < 2:
        erros["retencao"] = [_("Guarde ao menos 2 releases: a atual e a anterior.")]
    return erros


def ambiente_salvar(
    *,
    ambiente: Ambiente | None,
    dados: dict[str, Any],
    grupos_aprovadores: list | None = None,
    usuarios_aprovadores: list | None = None,
) -> Ambiente:
    """Creates or changes an environment after checking every rule (``DadosInvalidos`` names
    each field at fault); the approvers are replaced when given."""
    erros = erros_do_ambiente(dados, ambiente)
    nome = dados.get("nome", ambiente.nome if ambiente else "")
    if Ambiente.objects.filter(nome=nome).exclude(pk=ambiente.pk if ambiente else None).exists():
        erros["nome"] = [_("Já existe um ambiente com este nome.")]
    if erros:
        raise DadosInvalidos(_("O ambiente não é válido."), erros)
    with transaction.atomic():
        ambiente = ambiente or Ambiente()
        for campo in CAMPOS_DO_AMBIENTE:
            if campo in dados:
                setattr(ambiente, campo, dados[campo])
        try:
            ambiente.full_clean(exclude=["grupos_aprovadores", "usuarios_aprovadores"], validate_unique=False)
        except ValidationError as exc:
            raise DadosInvalidos(
                _("O ambiente não é válido."), {k: list(v) for k, v in exc.message_dict.items()}
            ) from None
        ambiente.save()
        if grupos_aprovadores is not None:
            ambiente.grupos_aprovadores.set(grupos_aprovadores)
        if usuarios_aprovadores is not None:
            ambiente.usuarios_aprovadores.set(usuarios_aprovadores)
    return ambiente
