"""The `mosaics` console command (also `python -m mosaics`).

`mosaics vc ...` runs the offline credential tools (no database, no Django). `mosaics serve`
runs the production WSGI server. Everything else is handed to Django's management commands, so
`mosaics migrate`, `mosaics demo`, `mosaics createsuperuser`, `mosaics db_worker` all work.
"""

from __future__ import annotations

import os
import sys

USAGE = """\
usage: mosaics <command> [options]

Commands:
  serve      serve the site with gunicorn (production-grade WSGI server)
  setup      migrate the database and collect static files
  demo       load the demo data (safe to run again)
  vc         offline credential tools: keygen, sign, verify (no database needed)
  db_worker  run the background task worker (with TASKS_BACKEND=database)
  ...        any Django management command (migrate, createsuperuser, shell, ...)

Run `mosaics <command> --help` for a command's options.
"""


def _serve(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="mosaics serve", description="Serve Mosaics with gunicorn."
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    args = parser.parse_args(argv)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "mosaics.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    os.execv(sys.executable, command)  # noqa: S606 - replaces this process with the server
    return 0  # pragma: no cover - execv does not return


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE, end="")
        return 0
    command, rest = args[0], args[1:]
    if command == "vc":
        from mosaics.vc.cli import main as vc_main

        return vc_main(rest)
    if command == "serve":
        return _serve(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mosaics.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mosaics", command, *rest])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
