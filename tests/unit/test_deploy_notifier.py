"""The notifier's email and SMS settings come from a Secret (deploy/k8s/notifier.yaml), under the names its settings
read, and deploy/README.md creates that Secret with them."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.notifier.settings import NotifierSettings, SmsGatewaySettings, SmtpSettings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "deploy" / "README.md"


def container() -> dict[str, Any]:
    manifest = ROOT / "deploy" / "k8s" / "notifier.yaml"
    notifier = next(
        doc for doc in yaml.safe_load_all(manifest.read_text(encoding="utf-8")) if doc["kind"] == "Deployment"
    )
    found: dict[str, Any] = notifier["spec"]["template"]["spec"]["containers"][0]
    return found


def notifier_channel_variables() -> set[str]:
    prefix, delimiter = (
        NotifierSettings.model_config["env_prefix"],
        NotifierSettings.model_config["env_nested_delimiter"],
    )
    assert isinstance(prefix, str) and isinstance(delimiter, str)
    return {
        f"{prefix}{group}{delimiter}{field}".upper()
        for group, model in (("smtp", SmtpSettings), ("sms", SmsGatewaySettings))
        for field in model.model_fields
    }


def test_the_notifiers_channels_come_from_an_optional_secret() -> None:
    channels = [
        ref["secretRef"]
        for ref in container()["envFrom"]
        if ref.get("secretRef", {}).get("name", "").endswith("channels")
    ]
    assert channels == [{"name": "hotline-notifier-channels", "optional": True}]
    assert not [item["name"] for item in container()["env"] if "__" in item["name"]], "no channel setting in plain env"


def test_the_readme_creates_that_secret_with_names_the_settings_read() -> None:
    readme = README.read_text(encoding="utf-8")
    command = readme[readme.index("create secret generic hotline-notifier-channels") :].split("```")[0]
    named = {part.split("=")[0] for part in command.split("--from-literal=")[1:]}
    assert named and named <= notifier_channel_variables()
    assert {"HOTLINE_NOTIFIER_SMTP__HOST", "HOTLINE_NOTIFIER_SMTP__PASSWORD", "HOTLINE_NOTIFIER_SMS__URL"} <= named


def test_the_secret_in_the_readme_configures_email_and_sms(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = README.read_text(encoding="utf-8")
    command = readme[readme.index("kubectl -n hotline create secret generic hotline-notifier-channels") :]
    words = shlex.split(command.split("```")[0].split("\nkubectl -n hotline rollout")[0].replace("\\\n", " "))
    for word in words:
        if word.startswith("--from-literal="):
            name, _, value = word.removeprefix("--from-literal=").partition("=")
            monkeypatch.setenv(name, value)
    settings = NotifierSettings()
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.starttls) == ("smtp.example.gov.cn", 587, True)
    assert settings.sms.url is not None and settings.sms.headers == {"Authorization": "Bearer ..."}
