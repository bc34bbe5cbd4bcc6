"""Office accounts from the command line.

    python -m gateway.office add-user NAME        # the password is asked for (or read from stdin)
    python -m gateway.office set-password NAME
    python -m gateway.office remove-user NAME
    python -m gateway.office list-users

The database is OFFICE_DATABASE_URL's (the gateway's setting). Errors are one line on stderr, exit status 1.
"""

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError

from gateway.office.accounts import AccountStore
from gateway.office.database import open_engine
from gateway.office.errors import AccountError
from gateway.settings import Settings


def read_password(confirm: bool = True) -> str:
    """From the terminal (asked twice), or the first line of stdin when it is not a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Password again: ") != password:
        raise AccountError("the two passwords differ")
    return password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.office", description="Office staff accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in ("add-user", "set-password", "remove-user"):
        commands.add_parser(command).add_argument("name")
    commands.add_parser("list-users")
    arguments = parser.parse_args(argv)
    try:
        accounts = AccountStore(open_engine(Settings().office_database))
        if arguments.command == "add-user":
            account = accounts.add(arguments.name, read_password())
            print(f"account {account.name} created")
        elif arguments.command == "set-password":
            accounts.set_password(arguments.name, read_password())
            print(f"password of {arguments.name} changed")
        elif arguments.command == "remove-user":
            accounts.remove(arguments.name)
            print(f"account {arguments.name} removed")
        else:
            for account in accounts.names():
                print(f"{account.name}\t{account.created_at:%Y-%m-%d}")
    except (AccountError, EOFError, KeyboardInterrupt) as error:
        print(f"error: {error or 'cancelled'}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(
            f"error: the office database cannot be used: {error.__class__.__name__}: {error}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
