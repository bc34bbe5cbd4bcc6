"""PostgreSQL, Redis and HAProxy from Debian's packages, run by the project with their data in one folder.

`make run-scaled` and the scaled tests use these: nothing is registered with systemd or written to /etc; each
server runs in the foreground as a child of the launcher, on loopback ports the caller chooses. The packages
are installed with apt-get when a binary is missing (`ensure_installed`).

PostgreSQL refuses to run as root: when the launcher is root, the cluster belongs to Debian's `postgres` user
and its programs run through `runuser`. The cluster trusts loopback connections (initdb --auth=trust): it
listens on 127.0.0.1 only, for a stack on one machine; a real cluster has its own (deploy/compose.yaml).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

PACKAGES = {"postgres": "postgresql", "redis-server": "redis-server", "haproxy": "haproxy"}
DATABASE_NAME = "trojzemi"


class BackingError(RuntimeError):
    """A backing server could not be installed or started."""


def _postgres_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return versions[-1].parent if versions else None


def missing_packages() -> list[str]:
    missing = [] if _postgres_bin() else [PACKAGES["postgres"]]
    missing += [PACKAGES[name] for name in ("redis-server", "haproxy") if shutil.which(name) is None]
    return missing


def ensure_installed() -> None:
    """Install whatever of postgresql, redis-server and haproxy is missing (Debian's packages)."""
    missing = missing_packages()
    if missing:
        apt_install(missing)
    if missing_packages():
        raise BackingError(f"still missing after apt-get: {', '.join(missing_packages())}")


def ensure_program(program: str, package: str) -> str:
    """The path of `program`, installing Debian's `package` first when it is missing."""
    if shutil.which(program) is None:
        apt_install([package])
    path = shutil.which(program)
    if path is None:
        raise BackingError(f"{program} still missing after apt-get install {package}")
    return path


def apt_install(missing: list[str]) -> None:
    if shutil.which("apt-get") is None:
        raise BackingError(f"missing {', '.join(missing)} and no apt-get to install them")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Another apt-get (a second `make`, unattended upgrades) may hold dpkg's lock: wait for it a while.
    apt = [*sudo, "apt-get", "-o", "DPkg::Lock::Timeout=600"]
    install = [*apt, "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run([*apt, "update", "-q"], env=env, capture_output=True, check=False)
        result = subprocess.run(install, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackingError(f"apt-get install {' '.join(missing)} failed: {result.stderr.strip()[-500:]}")


def _wait(check: object, what: str, timeout_s: float, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        if process.poll() is not None:
            raise BackingError(f"{what} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise BackingError(f"{what} not ready after {timeout_s:.0f} s")
        time.sleep(0.2)


@dataclass
class Server:
    """One foreground server process and its log."""

    name: str
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"{self.name}.log"

    def _spawn(self, command: list[str]) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()

    def stop(self, timeout_s: float = 30.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Postgres(Server):
    def __init__(self, data_dir: Path, port: int) -> None:
        super().__init__("postgres", data_dir, port)
        self.cluster = data_dir / "postgres"
        self.socket_dir = data_dir / "postgres-socket"
        self._as: list[str] = []
        self.user = pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            self.user = "postgres"

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        binaries = _postgres_bin()
        assert binaries is not None
        return subprocess.run(
            [*self._as, str(binaries / program), *args], capture_output=True, text=True, check=False
        )

    def _own(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(path, "postgres", "postgres")

    def start(self, timeout_s: float = 60.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._own(self.socket_dir)
        if not (self.cluster / "PG_VERSION").exists():
            self._own(self.cluster)
            result = self._run(
                "initdb", "-D", str(self.cluster), "--auth=trust", "-E", "UTF8", "--no-instructions"
            )
            if result.returncode != 0:
                raise BackingError(f"initdb failed: {result.stderr.strip()[-500:]}")
        binaries = _postgres_bin()
        assert binaries is not None
        self._spawn(
            [
                *self._as,
                str(binaries / "postgres"),
                "-D",
                str(self.cluster),
                "-p",
                str(self.port),
                "-k",
                str(self.socket_dir),
                "-c",
                "listen_addresses=127.0.0.1",
                # Two gateways, two Rasa servers and the office each keep a small pool.
                "-c",
                "max_connections=200",
            ]
        )
        assert self.process is not None
        ready = ("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q")
        _wait(lambda: self._run(*ready).returncode == 0, "PostgreSQL", timeout_s, self.process)
        exists = self._psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")
        if exists.stdout.strip() != "1":
            created = self._psql("postgres", f"CREATE DATABASE {DATABASE_NAME}")
            if created.returncode != 0:
                raise BackingError(f"CREATE DATABASE failed: {created.stderr.strip()}")

    def _psql(self, database: str, sql: str) -> subprocess.CompletedProcess[str]:
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", database,
                         "-tAc", sql)  # fmt: skip

    def stop(self, timeout_s: float = 30.0) -> None:
        # SIGTERM to the runuser wrapper would not reach postgres itself: ask postgres for a fast shutdown.
        if self.process is not None and self.process.poll() is None:
            self._run(
                "pg_ctl", "-D", str(self.cluster), "stop", "-m", "fast", "-w", "-t", str(int(timeout_s))
            )
        super().stop(timeout_s)


class Redis(Server):
    def __init__(self, data_dir: Path, port: int) -> None:
        super().__init__("redis", data_dir, port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 30.0) -> None:
        directory = self.data_dir / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        # Locks, pub/sub and rate-limit counters: nothing that must outlive Redis, so no snapshots.
        self._spawn(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(directory),
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"]
        )  # fmt: skip
        assert self.process is not None
        ping = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "ping"]
        _wait(
            lambda: (
                subprocess.run(ping, capture_output=True, text=True, check=False).stdout.strip() == "PONG"
            ),
            "Redis",
            timeout_s,
            self.process,
        )


class HAProxy(Server):
    """HAProxy on a configuration rendered by deploy/balancer.py; `reload` is not needed (fixed backends)."""

    def __init__(self, data_dir: Path, config: str) -> None:
        super().__init__("haproxy", data_dir, 0)
        self.config = config

    def start(self, timeout_s: float = 30.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "haproxy.cfg"
        path.write_text(self.config, encoding="utf-8")
        check = subprocess.run(["haproxy", "-c", "-q", "-f", str(path)], capture_output=True, text=True)
        if check.returncode != 0:
            raise BackingError(f"haproxy configuration refused: {check.stderr.strip()[-800:]}")
        self._spawn(["haproxy", "-W", "-db", "-f", str(path)])
        assert self.process is not None
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise BackingError(f"haproxy exited with {self.process.returncode}; see {self.log_path}")


class Running:
    """A context manager over the subclass's `start()` and `stop()`: stopped on leaving, and also when
    `start()` fails half-way (whatever did start is stopped)."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Backing(Running):
    """PostgreSQL and Redis on the given loopback ports, data under `data_dir`; a context manager."""

    data_dir: Path
    postgres_port: int
    redis_port: int
    postgres: Postgres = field(init=False)
    redis: Redis = field(init=False)

    def __post_init__(self) -> None:
        self.postgres = Postgres(self.data_dir, self.postgres_port)
        self.redis = Redis(self.data_dir, self.redis_port)

    def start(self) -> None:
        ensure_installed()
        # PostgreSQL runs as `postgres` when the launcher is root: it must reach its folder.
        _reachable(self.data_dir)
        self.redis.start()
        self.postgres.start()

    def stop(self) -> None:
        self.postgres.stop()
        self.redis.stop()


def _reachable(path: Path) -> None:
    """Let other users traverse `path` and the folders above it (read and search, never write)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if mode & 0o011 != 0o011:
            folder.chmod(mode | 0o011)


def main(argv: list[str] | None = None) -> int:
    """`python -m deploy.backing install`: install the missing packages; `run DIR PG_PORT REDIS_PORT`: run
    PostgreSQL and Redis in the foreground until Ctrl-C (printing their URLs)."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(prog="python -m deploy.backing")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "install", help="apt-get install what is missing of postgresql, redis-server, haproxy"
    )
    run = commands.add_parser("run", help="PostgreSQL and Redis in the foreground")
    run.add_argument("data_dir", type=Path)
    run.add_argument("postgres_port", type=int)
    run.add_argument("redis_port", type=int)
    args = parser.parse_args(argv)
    try:
        ensure_installed()
        if args.command == "install":
            return 0
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        with Backing(args.data_dir.resolve(), args.postgres_port, args.redis_port) as backing:
            print(f"DATABASE_URL={backing.postgres.url}\nREDIS_URL={backing.redis.url}", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while all(
                    s.process is not None and s.process.poll() is None
                    for s in (backing.postgres, backing.redis)
                ):
                    time.sleep(1.0)
    except BackingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
