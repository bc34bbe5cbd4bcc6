"""The scaled topology's files, without starting it: the balancer's configurations pass `haproxy -c`,
deploy/compose.yaml passes `docker-compose config` (Debian's package, installed when missing) and describes
what deploy/scaled.py starts, and deploy/haproxy.cfg is what deploy/balancer.py renders."""

import os
import re
import subprocess
from pathlib import Path

import yaml

from deploy.backing import ensure_installed, ensure_program
from deploy.balancer import COMPOSE_PORTS, COMPOSE_REPLICAS, render_compose
from deploy.scaled import SERVICES, ScaledStack, replica_ports

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SECRETS = ("POSTGRES_PASSWORD", "RASA_TOKEN", "ACTIONS_TOKEN", "CONVERSATION_SECRET", "OFFICE_SESSION_SECRET")


def haproxy_check(config: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    ensure_installed()
    path = tmp_path / "haproxy.cfg"
    path.write_text(config, encoding="utf-8")
    return subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)


def scaled_stack(tmp_path: Path) -> ScaledStack:
    return ScaledStack(
        data_dir=tmp_path,
        front={"gateway": 8000, "translation": 8001, "rasa": 5005, "actions": 5055},
        replicas_ports=replica_ports(18000, 2),
        postgres_port=15432,
        redis_port=16379,
    )


def test_the_scaled_balancer_spreads_every_service_over_both_replicas_without_stickiness(
    tmp_path: Path,
) -> None:
    stack = scaled_stack(tmp_path)
    config = stack.balancer.config
    result = haproxy_check(config, tmp_path)
    assert result.returncode == 0, result.stderr
    for service in SERVICES:
        backend = config.split(f"backend {service}\n", 1)[1].split("\n\n", 1)[0]
        servers = re.findall(r"server \S+ (\S+) check", backend)
        assert servers == [f"127.0.0.1:{ports[service]}" for ports in stack.replicas_ports]
    assert "timeout tunnel" in config and "option redispatch" in config
    # The rate limits key on the client's address: the balancer's X-Forwarded-For, never the client's own.
    assert "option forwardfor" in config
    assert config.count("http-request del-header X-Forwarded-For") == len(SERVICES)
    assert not re.search(r"\b(cookie|stick|balance source)\b", config)


def test_every_replica_is_told_the_balancer_and_the_same_secrets(tmp_path: Path) -> None:
    stack = scaled_stack(tmp_path)
    first, second = (replica.env for replica in stack.replicas)
    for name in ("RASA_TOKEN", "ACTIONS_TOKEN", "CONVERSATION_SECRET", "OFFICE_SESSION_SECRET", "REDIS_URL"):
        assert first[name] and first[name] == second[name], name
    assert first["RASA_URL"] == second["RASA_URL"] == "http://127.0.0.1:5005"
    assert first["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook"
    assert first["RASA_TRACKER_DIALECT"] == "postgresql" and first["RASA_LOCK_STORE"] == "redis"
    assert first["GATEWAY_PORT"] != second["GATEWAY_PORT"] and first["RUN_DIR"] != second["RUN_DIR"]
    # One Telegram poller per token.
    assert second["TELEGRAM_BOT_TOKEN"] == ""


def test_the_compose_balancer_config_is_the_rendered_one_and_valid(tmp_path: Path) -> None:
    committed = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    assert committed == render_compose(), "run: python -m deploy.balancer > deploy/haproxy.cfg"
    result = haproxy_check(committed, tmp_path)
    assert result.returncode == 0, result.stderr


def test_compose_describes_the_scaled_topology() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "redis", "balancer", *SERVICES} <= services.keys()
    for service in SERVICES:
        assert services[service]["deploy"]["replicas"] == COMPOSE_REPLICAS == 2, service
        assert str(COMPOSE_PORTS[service]) in " ".join(services[service]["command"]), service
    assert services["balancer"]["ports"] == ["8000:8000"]
    assert services["rasa"]["environment"]["RASA_LOCK_STORE"] == "redis"


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    program = ensure_program("docker-compose", "docker-compose")
    env = {**os.environ, **{name: f"test-{name.lower()}" for name in SECRETS}}
    result = subprocess.run(
        [program, "-f", str(DEPLOY / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    assert rendered["services"]["gateway"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    # Without the secrets it refuses to render rather than starting replicas that disagree.
    bare = {name: value for name, value in os.environ.items() if name not in SECRETS}
    refused = subprocess.run(
        [program, "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        env=bare,
        timeout=60,
    )
    assert refused.returncode != 0
