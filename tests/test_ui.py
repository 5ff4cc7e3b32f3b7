"""The Dagster UI, started as `make ui` starts it, shows the asset graph and the running schedule."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import environment_without_settings

PROJECT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # a real dagster-webserver process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory):
    """One webserver for the module's tests, which only read from it (each start costs 10-20 s)."""
    tmp_path = tmp_path_factory.mktemp("ui_dagster_home")
    port = free_port()
    webserver_bin = Path(sys.executable).parent / "dagster-webserver"
    # Its own process group: a backgrounded Dagster process ignores SIGINT, so stop it with SIGTERM.
    process = subprocess.Popen(
        [str(webserver_bin), "--workspace", "workspace.yaml", "--host", "127.0.0.1", "--port", str(port)],
        # As the autouse isolated_environment would (it is per test, so not yet in force here):
        # none of the caller's DHR_* settings, a data directory of its own.
        cwd=PROJECT, env={**environment_without_settings(),
                          "DHR_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"dagster-webserver exited: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        pytest.fail("dagster-webserver did not answer within 90 s")
    yield port
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_ui_lists_every_asset_and_the_source_changes_sensor_running(webserver: int) -> None:
    data = graphql(webserver, "{ assetNodes { assetKey { path } } repositoriesOrError { ... on RepositoryConnection "
                              "{ nodes { schedules { name } sensors { name minIntervalSeconds sensorState { status } } } } } }")
    assets = {node["assetKey"]["path"][0] for node in data["assetNodes"]}
    assert {"review_index", "review_pages", "parsed_reviews", "agencies", "csps", "staged_warehouse", "warehouse"} <= assets
    (repository,) = data["repositoriesOrError"]["nodes"]
    assert repository["schedules"] == []
    sensors = {sensor["name"]: sensor for sensor in repository["sensors"]}
    assert sensors["source_changes"] == {"name": "source_changes", "minIntervalSeconds": 3600,
                                         "sensorState": {"status": "RUNNING"}}


def non_loopback_ipv4_addresses() -> set[str]:
    """This machine's own IPv4 addresses other than 127.x, one per network interface (Linux's
    SIOCGIFADDR): the host name may well resolve to 127.0.0.1, which proves nothing here."""
    import fcntl
    import struct

    found = set()
    for _, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                answer = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name.encode()[:15]))  # SIOCGIFADDR
            except OSError:  # an interface without an IPv4 address
                continue
        found.add(socket.inet_ntoa(answer[20:24]))
    return {address for address in found if not address.startswith("127.")}


def test_ui_listens_on_localhost_only(webserver: int) -> None:
    addresses = non_loopback_ipv4_addresses()
    if not addresses:
        pytest.skip("this machine has no IPv4 address but loopback: nothing to reach the UI from")
    for address in addresses:
        # A control listener on every interface is reachable at this address: a refusal below means
        # the UI is not listening there, not that the address cannot be reached at all.
        with socket.create_server(("0.0.0.0", 0)) as control, socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((address, control.getsockname()[1])) == 0, f"{address} unreachable even for a control"
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((address, webserver)) != 0, f"UI reachable on {address}"
