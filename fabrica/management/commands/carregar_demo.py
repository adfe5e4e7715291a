"""Demo data for ``make run``: one user per role, idempotent (safe to run at every start)."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

DEMO = [
    # (username, password, group, is_staff, description)
    ("po", "po-demo-123", "PO", False, "Product Owner: decide orçamentos no navegador"),
    ("admin", "admin-demo-123", "Administrador", True, "Administrador: capacidades, ambientes, backlog"),
    ("sistema", "sistema-demo-123", "Sistema", False, "Sistema externo: fala o contrato pela API"),
]


class Command(BaseCommand):
    help = "Cria (ou atualiza) os usuários de demonstração e imprime os logins."

    def handle(self, *args, **options):
        linhas = []
        for nome, senha, grupo, staff, descricao in DEMO:
            usuario, _ = User.objects.get_or_create(username=nome)
            usuario.is_staff = staff
            usuario.set_password(senha)
            usuario.save()
            usuario.groups.set([Group.objects.get(name=grupo)])
            token, _ = Token.objects.get_or_create(user=usuario)
            linhas.append((nome, senha, descricao, token.key))
        self.stdout.write("")
        self.stdout.write("Logins de demonstração (http://127.0.0.1:8000/):")
        for nome, senha, descricao, token in linhas:
            self.stdout.write(f"  {nome:<8} senha {senha:<18} {descricao}")
        self.stdout.write(f"  Token da API do usuário 'sistema': {linhas[-1][3]}")
        self.stdout.write("  Exemplo: curl -H 'Authorization: Token <token>' http://127.0.0.1:8000/api/backlog/itens/")
        self.stdout.write("")
