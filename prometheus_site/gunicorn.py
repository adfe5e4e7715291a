"""gunicorn's configuration for ``make run`` and production (the ``Procfile``'s ``web``):

    gunicorn -c python:prometheus_site.gunicorn prometheus_site.wsgi

Threaded workers (``gthread``): Django's development server answers a kept-alive connection
about 40 ms late (its split writes meet Nagle's algorithm and delayed ACKs); gunicorn writes
each response at once. Sizes come from the environment through ``prometheus_site.servidor``.
"""

from __future__ import annotations

from prometheus_site import servidor

wsgi_app = "prometheus_site.wsgi:application"
bind = [servidor.endereco()]
worker_class = "gthread"
workers = servidor.workers()
threads = servidor.threads()
# A kept-alive connection between two requests waits in the worker's poller, not in a thread.
keepalive = 5
# Under honcho (``make run``) a stop must end before honcho's SIGKILL, 5 s after its SIGTERM:
# requests in flight get 3 s, and long polls end at their next wake-up (at most 1 s).
graceful_timeout = 3
# No access log line per request: at the backlog's rates it would cost more than the request.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "prometheus-web"
# No control socket (gunicorn 27 opens one in $HOME by default, one path for every instance on
# the machine); the server is driven by signals, as honcho and systemd do.
control_socket_disable = True


def on_starting(server) -> None:
    """Request and claim-to-conclude histograms add up across workers (prometheus-client's
    multiprocess mode): each run starts with an empty directory of metric files."""
    servidor.preparar_metricas_multiprocesso()


def child_exit(server, worker) -> None:
    """A worker that exits (or dies) is marked dead: its gauges leave the scrape, its
    histograms' counts stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(servidor.diretorio_metricas()))


def post_worker_init(worker) -> None:
    """Long polls of this worker end as soon as it is told to stop (``backlog.espera``)."""
    from backlog.espera import avisos

    avisos.ao_encerrar(lambda: not worker.alive)
