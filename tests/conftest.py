"""Shared test setup: offline mode and a guard that fails any real network call."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _is_local(address: object) -> bool:
    if isinstance(address, str | bytes):
        return True  # AF_UNIX path
    if not (isinstance(address, tuple) and address):
        return False
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkBlocked(RuntimeError):
    """Raised when a test tries to reach anything but loopback."""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any outbound connection that is not to 127.0.0.1/::1 or a Unix socket."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> object:
        if not _is_local(address):
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_local(address):
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `gpu` tests when CUDA is absent (the only skip the suite allows)."""
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except Exception:  # torch missing or broken: no GPU either way
        has_cuda = False
    if has_cuda:
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

TINY_ITEMS = """item_id,title,description,category,price
i1,Storm rain jacket,A waterproof shell that keeps you dry on hikes,outerwear,89.5
i2,Merino wool sweater,A soft warm knit for cold evenings,knitwear,60
i3,Linen summer shirt,A light breathable shirt for hot days,shirts,35
i4,Leather ankle boots,Sturdy boots for city walks,shoes,120
i5,Trail running shoes,Grippy shoes for running on muddy trails,shoes,95
"""
TINY_USERS = """user_id,age_group
u1,25-34
u2,35-49
u3,18-24
"""
TINY_INTERACTIONS = """user_id,item_id,timestamp,rating,clicked
u1,i1,1600000000,5,1
u1,i2,1600000100,,0
u2,i3,1600000200,3,1
u2,i4,1600000300,4,1
u3,i5,1600000400,2,1
u3,i1,1600000500,,0
"""


def write_tiny_dataset(folder: Path) -> Path:
    """A small valid data-contract folder (5 items, 3 users, 6 interactions)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "items.csv").write_text(TINY_ITEMS, encoding="utf-8")
    (folder / "users.csv").write_text(TINY_USERS, encoding="utf-8")
    (folder / "interactions.csv").write_text(TINY_INTERACTIONS, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_dataset_dir(tmp_path):
    """A fresh copy of the tiny data-contract folder."""
    return write_tiny_dataset(tmp_path / "tiny")


@pytest.fixture(scope="session")
def coat_dir():
    """The real Coat files shipped beside the repository in ../shared/data/coat."""
    path = SHARED_DATA / "coat"
    if not (path / "train.ascii").is_file():
        raise FileNotFoundError(f"Coat data not found at {path} (expected ../shared/data/coat)")
    return path
