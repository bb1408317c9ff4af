"""Command-line interface: ``flask --app delphi.app init-db | create-user | load-demo |
demo-link | worker``.

Commands parse their arguments and call one service each; services hold the rules.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .errors import DelphiError


def register_commands(app: Flask) -> None:
    """Attach the commands to ``app.cli``."""
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(load_demo)
    app.cli.add_command(demo_link)
    app.cli.add_command(worker)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration."""
    upgrade()
    click.echo(f"Database ready: {_safe_url()}")


@click.command("create-user")
@with_appcontext
@click.option("--email", prompt="E-mail address", help="The address the user signs in with.")
@click.option("--name", default="", help="The user's name, shown in the header.")
@click.password_option(
    "--password", prompt="Password (12 characters or more)", help="Asked for when omitted."
)
def create_user(email: str, name: str, password: str) -> None:
    """Create a facilitator or steering-group account."""
    from .services import accounts

    try:
        user = accounts.create_user(email=email, password=password, name=name)
    except DelphiError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created user {user.email}.")


@click.command("load-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database holds a study.")
def load_demo(if_empty: bool) -> None:
    """Load three realistic demo studies: a core-outcome-set Delphi (round 1 published, round 2
    open), a JLA-style priority-setting partnership and a CHNRI exercise."""
    from .services import demo

    try:
        loaded = demo.load_all(only_if_empty=if_empty)
    except DelphiError as error:
        raise click.ClickException(str(error)) from error
    if loaded is None:
        click.echo("The database already holds a study; demo not loaded.")
        return
    for result in loaded:
        click.echo(f"Loaded demo study {result.study.title!r}.")
    click.echo(f"Facilitator login: {loaded[0].facilitator_email} / {loaded[0].password}")
    click.echo(f"Steering-group login: {loaded[0].steering_email} / {loaded[0].password}")


@click.command("demo-link")
@with_appcontext
def demo_link() -> None:
    """Print a fresh private link for the demo participant; their older links stop working."""
    from .services import demo

    try:
        issued = demo.demo_link()
    except DelphiError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Demo participant link: {issued.url}")


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between passes (default: WORKER_POLL_SECONDS, 10).")
def worker(once: bool, interval: float | None) -> None:
    """Close rounds at their close date, send scheduled reminders and deliver queued e-mail."""
    import signal
    import threading

    from flask import current_app

    from .services import mailer
    from .services import worker as outbox

    if not mailer.is_configured():
        click.echo("E-mail is not set up for this installation (DELPHI_MAIL_SERVER is empty): "
                   "private links are shown on screen instead, and the worker only closes "
                   "rounds at their close date.")
    if once:
        click.echo(outbox.summary(outbox.deliver_due()))
        return
    interval = interval or float(current_app.config["WORKER_POLL_SECONDS"])
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda _signum, _frame: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"Worker running every {interval:g} s; Ctrl-C stops it.")

    def on_pass(report) -> None:
        if report.handled or report.reminders_queued or report.rounds_closed:
            click.echo(outbox.summary(report))

    def on_error(error: Exception) -> None:
        click.echo(f"This pass failed; trying again: {outbox.brief(error)}", err=True)

    try:
        outbox.run(interval, stop, on_pass=on_pass, on_error=on_error)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Worker stopped.")


def _safe_url() -> str:
    from .extensions import db

    return db.engine.url.render_as_string(hide_password=True)
