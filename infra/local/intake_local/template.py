"""Load ``template.yaml`` and translate it offline with aws-sam-translator, as ``sam package``
plus the CloudFormation SAM transform would.

The local stack, the moto fixtures of the tests and the lint gate all read the template through
here, so none of them keeps a second hand-written copy of the resources.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3
import yaml
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

PROJECT_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"

_SHORT_FORMS = {
    "Ref": "Ref",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "If": "Fn::If",
    "Not": "Fn::Not",
    "Equals": "Fn::Equals",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "FindInMap": "Fn::FindInMap",
    "GetAZs": "Fn::GetAZs",
    "ImportValue": "Fn::ImportValue",
    "Base64": "Fn::Base64",
    "Condition": "Condition",
}


class _CfnLoader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML loader that turns CloudFormation short forms (``!Ref X``) into their long forms."""


def _construct(tag: str) -> Callable[[yaml.SafeLoader, yaml.Node], Any]:
    def build(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {_SHORT_FORMS[tag]: value}

    return build


for _tag in _SHORT_FORMS:
    _CfnLoader.add_constructor(f"!{_tag}", _construct(_tag))


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The SAM template as a dict, intrinsic short forms expanded."""
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)
    return loaded


def translate(
    template: Mapping[str, Any],
    artifact_uris: Mapping[str, str],
    parameters: Mapping[str, Any] | None = None,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """Translate SAM to plain CloudFormation.

    ``artifact_uris`` maps a local CodeUri/ContentUri/DefinitionUri (as written in the template)
    to the ``s3://`` URI it was uploaded to, which is what ``sam package`` rewrites.
    """
    packaged = copy.deepcopy(dict(template))
    for resource in packaged["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            local = props.get(key)
            if isinstance(local, str) and not local.startswith("s3://"):
                props[key] = artifact_uris[local]
    params = {"AWS::AccountId": "123456789012", **(parameters or {})}
    # The translator asks IAM for managed-policy ARNs only for names it does not know; the
    # template uses none, so an empty map keeps translation offline.
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    translated: dict[str, Any] = translator.translate(
        packaged, parameter_values=params, get_managed_policy_map=dict
    )
    return translated


def translated_for_lint() -> dict[str, Any]:
    """The translated template with placeholder artifact locations, for ``cfn-lint``."""
    template = load_template()
    uris: dict[str, str] = {}
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            local = props.get(key)
            if isinstance(local, str):
                uris[local] = f"s3://artifacts-bucket/{local.strip('/')}"
    return translate(template, uris)


def main() -> None:
    """Write the translated template (``python -m intake_local.template OUT``) for cfn-lint."""
    import sys

    out = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else PROJECT_ROOT / "build" / "template.translated.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(translated_for_lint(), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
