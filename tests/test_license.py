"""The MIT licence the metadata declares ships in the sdist and in the wheel's dist-info."""

from __future__ import annotations

import tarfile
import zipfile
from email.parser import Parser
from typing import TYPE_CHECKING

import pytest
from support import ROOT

if TYPE_CHECKING:  # the session fixture's type (conftest is pytest's, not imported here)
    from conftest import BuiltDist

pytestmark = pytest.mark.slow

LICENSE = (ROOT / "LICENSE").read_text()


def test_license_file_is_mit_by_the_contributors() -> None:
    assert LICENSE.startswith("MIT License\n\nCopyright (c) 2026 trading-api contributors\n")


def test_wheel_ships_the_license_and_declares_it(built_dist: BuiltDist) -> None:
    with zipfile.ZipFile(built_dist.wheel) as wheel:
        names = wheel.namelist()
        (licence,) = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        assert wheel.read(licence).decode() == LICENSE
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]


def test_sdist_ships_the_license(built_dist: BuiltDist) -> None:
    with tarfile.open(built_dist.sdist) as sdist:
        (member,) = [
            m for m in sdist.getmembers() if m.name.count("/") == 1 and m.name.endswith("/LICENSE")
        ]
        handle = sdist.extractfile(member)
        assert handle is not None
        assert handle.read().decode() == LICENSE
