"""`copbot slack-manifest` against the manifest schema shipped in tests/slack/schemas, and
against Slack's published schema where one is laid beside the checkout.

The shipped schema is written from the rules Slack documents for manifests (see its
`$comment`): no package registry reachable here carries Slack's published schema files, and
this repository may not copy them. When the files are there (`../shared/slack-manifest-schema/`
holding Slack's `manifest.schema.json` and `schemas/manifest.schema.1.0.0.json`, or a folder
named by COPBOT_SLACK_MANIFEST_SCHEMA), every manifest is validated against them as well.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from adapters.slack.manifest import manifest_yaml
from bot.cli import main

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "slack-app-manifest-v1.schema.json").read_text()
)


PUBLISHED = Path(
    os.environ.get("COPBOT_SLACK_MANIFEST_SCHEMA")
    or Path(__file__).resolve().parents[2].parent / "shared" / "slack-manifest-schema"
)


def errors(data: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def published_errors(data: dict[str, Any]) -> list[str]:
    """Errors by Slack's published schema: its top file picks the versioned one by
    `_metadata.major_version` through a `$ref` to a URL, answered here from the local files."""
    from referencing import Registry, Resource

    top = json.loads((PUBLISHED / "manifest.schema.json").read_text())
    registry: Registry[Any] = Registry()
    for versioned in sorted((PUBLISHED / "schemas").glob("manifest.schema.*.json")):
        resource = Resource.from_contents(json.loads(versioned.read_text()))
        for uri in _refs(top):
            if uri.endswith("/" + versioned.name):
                registry = registry.with_resource(uri, resource)
    validator = jsonschema.Draft7Validator(top, registry=registry)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


@pytest.mark.skipif(
    not (PUBLISHED / "manifest.schema.json").is_file(),
    reason=f"Slack's published manifest schema is not at {PUBLISHED}",
)
@pytest.mark.parametrize(
    ("url", "socket"),
    [("https://bot.example.com", False), (None, True), ("https://bot.example.com/", True)],
)
def test_every_manifest_validates_against_slacks_published_schema(
    url: str | None, socket: bool
) -> None:
    data = json.loads(manifest_yaml(public_url=url, socket_mode=socket))
    assert published_errors(data) == []
    broken = copy.deepcopy(data)
    broken["settings"]["org_deploy_enabled"] = "yes"
    assert published_errors(broken)


@pytest.mark.parametrize(
    ("url", "socket"),
    [("https://bot.example.com", False), (None, True), ("https://bot.example.com/", True)],
)
def test_every_manifest_copbot_prints_validates(url: str | None, socket: bool) -> None:
    data = json.loads(manifest_yaml(public_url=url, socket_mode=socket))
    assert errors(data) == []
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        data["settings"]["event_subscriptions"]["bot_events"]
    )
    assert data["settings"]["org_deploy_enabled"] is True
    if url:
        assert data["oauth_config"]["redirect_urls"] == [
            "https://bot.example.com/slack/oauth_redirect"
        ]


def test_the_command_line_prints_a_valid_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack-manifest", "--url", "https://cop.example.org"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert errors(data) == []
    assert data["settings"]["event_subscriptions"]["request_url"] == (
        "https://cop.example.org/slack/events"
    )


def test_the_schema_refuses_what_slack_refuses() -> None:
    """The check can fail: each of these breaks one documented rule."""
    good = json.loads(manifest_yaml(public_url="https://bot.example.com", socket_mode=False))
    breakages = [
        lambda m: m["display_information"].update(name="x" * 36),
        lambda m: m["features"]["slash_commands"][0].update(command="cop"),
        lambda m: m["settings"]["event_subscriptions"]["bot_events"].append("App Uninstalled"),
        lambda m: m["settings"].update(org_deploy_enabled="yes"),
        lambda m: m["oauth_config"].update(redirect_urls=["http://insecure.example.com/"]),
        lambda m: m["settings"].update(unknown_setting=True),
        lambda m: m["features"]["shortcuts"][0].pop("callback_id"),
    ]
    for breakage in breakages:
        broken = copy.deepcopy(good)
        breakage(broken)
        assert errors(broken), broken
