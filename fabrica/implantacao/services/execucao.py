"""The ``implantar`` handler (docs/implantacao.md): resolves the request, takes the
environment (its row lock, one deployment at a time), runs the target outside any transaction,
applies retention, and records the outcome with the item's conclusion or failure."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backlog import selectors as backlog_selectors
from backlog import services as backlog
from backlog.models import Item
from backlog.models import Status as StatusItem
from fabrica import contratos
from fabrica.consumidor import ErroDefinitivo
from fabrica.contratos import PRODUTOR
from fabrica.decisoes import base
from fabrica.erros import DadosInvalidos, SemPermissao, TransicaoInvalida
from fabrica.implantacao import selectors
from fabrica.implantacao.alvos import Contexto, FalhaNoAlvo, Resultado, alvo_de
from fabrica.implantacao.arquivo import ArquivoInvalido, arquivo_da_release
from fabrica.implantacao.diario import Diario
from fabrica.implantacao.models import Implantacao
from fabrica.implantacao.selectors import ambiente_por_nome, release_por_ref
from fabrica.implantacao.services.regras import exigir_ambiente_padrao, exigir_pode_implantar
from fabrica.models import Ambiente, Release
from prometheus_site.atores import PREFIXO_USUARIO, ator_de
from prometheus_site.erros import ErroDominio

log = logging.getLogger(__name__)

Status = Implantacao.Status
Validacao = Implantacao.Validacao
Falha = Implantacao.Falha
TRANSICOES: Mapping[str, set[str]] = {
    Status.AGUARDANDO: {Status.EM_ANDAMENTO, Status.FALHOU},
    Status.EM_ANDAMENTO: {Status.CONCLUIDA, Status.FALHOU},
}


class AmbienteOcupado(TransicaoInvalida):
    """Another deployment holds the environment (409); an item retries later."""


@dataclass
class Pedido:
    tipo: str
    ambiente: Ambiente
    release: Release | None  # what is to serve
    spec_ref: str
    aprovado_por: User | None
    solicitado_por: str
    motivo: str = ""
    reverte: Implantacao | None = None
    origem: Implantacao | None = None
    repete: Implantacao | None = None


def _usuario(nome: Any) -> User | None:
    if not nome:
        return None
    return get_user_model().objects.filter(username=str(nome)).first()


def _autor(item: Item) -> tuple[User | None, bool]:
    """The authenticated person behind the item, as the backlog recorded its production (never
    a name its ``contexto`` carries), and whether it came through a request (the API) rather
    than from PROMETHEUS's own services."""
    autoria = backlog_selectors.autoria(item.pk)
    if autoria is None:
        return None, False
    if autoria.requisicao_de:
        return _usuario(autoria.requisicao_de), True
    if autoria.ator.startswith(PREFIXO_USUARIO):
        return _usuario(autoria.ator.removeprefix(PREFIXO_USUARIO)), False
    return None, False


def _pedido(item: Item) -> Pedido:
    """What the item asks for, resolved; raises ``ErroDominio`` for what can never be done.

    The person behind it is the one the backlog recorded producing it (``_autor``): a rollback
    counts only when PROMETHEUS's rollback service (an admin's request, or the PO's refused
    validation) produced it, and a deploy is approved by its producer or, when PROMETHEUS
    produced it on its own, by whoever approved the release."""
    contexto = item.contexto or {}
    autor, por_requisicao = _autor(item)
    ambiente = ambiente_por_nome(contexto["ambiente"]) if contexto.get("ambiente") else exigir_ambiente_padrao()
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
        if por_requisicao or autor is None:
            raise SemPermissao(
                _(
                    "Uma reversão só vale pedida pelo serviço de reversão de PROMETHEUS (um administrador "
                    "na página, ou a validação recusada pelo PO); este item veio de %(quem)s."
                )
                % {"quem": ator_de(autor) if autor is not None else item.produtor},
                {"reversao": [_("Reversão não criada pelo serviço de reversão.")]},
            )
        return Pedido(
            tipo=Implantacao.Tipo.REVERSAO,
            ambiente=ambiente,
            release=para,
            spec_ref=de.spec_ref,
            aprovado_por=autor,
            solicitado_por=ator_de(autor),
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
    aprovado_por = autor or release.decidido_por
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
    """The ``implantar`` handler (docs/implantacao.md): deploys (or rolls back) and concludes the item with
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


def implantacoes_abandonadas_encerrar() -> int:
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
    if arquivo is not None and release is not None:
        diario(
            f"Arquivo da release: {arquivo.name}, {len(release.artefatos)} artefato(s), {arquivo.stat().st_size} bytes."
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
    return base.travar(
        Implantacao,
        impl_id,
        nao_existe=_("A implantação #%(n)s não existe.") % {"n": impl_id},
        relacionados=["ambiente", "release", "release_anterior"],
    )


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
            assert impl.release is not None
            gerados.append(
                contratos.item_validar_implantacao(
                    rotulo_versao=impl.release.rotulo_versao,
                    spec_ref=impl.spec_ref,
                    implantacao_ref=str(impl.pk),
                    ambiente=impl.ambiente.nome,
                    url=impl.url,
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
            base.espera_anunciar()
        impl.save(update_fields=campos)
        if item is not None:
            backlog.falhar(
                item_id=item.pk,
                lease_token=item.lease_token,
                erro=f"Implantação #{impl.pk} em {impl.ambiente.nome} falhou: {erro}",
                definitivo=True,
            )
