"""The access log of `copbot serve` never records a download link's signature."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers import serving


def test_access_log_has_paths_without_query_strings(tmp_path: Path) -> None:
    with serving(tmp_path, COPBOT_ACCESS_LOG="1") as served:  # off by default
        base = served.url
        link = f"{base}/files/my-data/1?exp=9999999999&sig=0123456789abcdef0123456789abcdef"
        request = urllib.request.Request(link, headers={"Referer": f"{link}&from=referer"})
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as refused:
            assert refused.code == 403  # a forged signature
    output = served.output
    logged = [line for line in output.splitlines() if "/files/my-data/1" in line]
    assert len(logged) == 1, output
    assert '"GET /files/my-data/1 HTTP/1.1" 403' in logged[0]
    assert f'"{base}/files/my-data/1" "Python-urllib' in logged[0]  # the Referer, cut short
    assert "sig=" not in output and "exp=" not in output and "from=referer" not in output
