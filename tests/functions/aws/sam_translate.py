"""Translate infra/aws/template.yaml as `sam deploy` does, printing the CloudFormation JSON.

Run by tests.functions.aws.template_roles with the SAM virtualenv's Python (aws-sam-translator
is not a dependency of costplane): `python sam_translate.py TEMPLATE PARAMETERS_JSON`. Code
and image locations are replaced with the S3 and ECR URIs `sam package` would put there; no
AWS call is made (managed policy ARNs are given, not looked up).
"""

import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

PACKAGED = {
    "AWS::Serverless::Function": ("CodeUri", "s3://costplane-artifacts/{}.zip"),
    "AWS::Serverless::LayerVersion": ("ContentUri", "s3://costplane-artifacts/{}.zip"),
}
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/costplane:{}"


class ManagedPolicies:
    """Managed policies are named by ARN in the template: nothing to look up."""

    def load(self, arns):
        return {arn: arn for arn in arns}


def packaged(document):
    for name, body in document["Resources"].items():
        properties = body.get("Properties", {})
        if properties.get("PackageType") == "Image":
            properties["ImageUri"] = IMAGE.format(name)
        elif body["Type"] in PACKAGED:
            key, uri = PACKAGED[body["Type"]]
            properties[key] = uri.format(name)
    return document


if __name__ == "__main__":
    with open(sys.argv[1]) as source:
        document = packaged(yaml_parse(source.read()))
    json.dump(transform(document, json.loads(sys.argv[2]), ManagedPolicies()), sys.stdout)
