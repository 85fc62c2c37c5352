"""infra/aws/template.yaml routes AWS Config over SNS when given the delivery channel's topic:
both queues the Config rule feeds are subscribed (not raw, so the parser gets SNS's envelope),
only configuration-item changes pass the filter, only that topic may send, and SNS may use the
queues' key."""

from __future__ import annotations

import pytest

from costplane.adapters.aws.config_items import CHANGE, OVERSIZED
from tests.functions.aws.sam_template import resource, template

SUBSCRIPTIONS = {
    "ConfigTopicToEnforcer": "EnforcerQueue",
    "ConfigTopicToPolicyRunner": "PolicyRunnerQueue",
}
POLICIES = {"EnforcerQueue": "EnforcerQueuePolicy", "PolicyRunnerQueue": "PolicyRunnerQueuePolicy"}


def test_the_topic_is_an_optional_parameter():
    assert template()["Parameters"]["ConfigTopicArn"]["Default"] == ""
    assert template()["Conditions"]["HasConfigTopic"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ConfigTopicArn"}, ""]}]
    }


@pytest.mark.parametrize(("name", "queue"), SUBSCRIPTIONS.items())
def test_each_queue_the_config_rule_feeds_is_subscribed_to_the_topic(name, queue):
    subscription = resource(name)
    properties = subscription["Properties"]

    assert subscription["Condition"] == "HasConfigTopic"
    assert (properties["TopicArn"], properties["Protocol"]) == ({"Ref": "ConfigTopicArn"}, "sqs")
    assert properties["Endpoint"] == {"Fn::GetAtt": f"{queue}.Arn"}
    assert "RawMessageDelivery" not in properties
    rule_targets = resource("ConfigItemRule")["Properties"]["Targets"]
    assert {"Fn::GetAtt": f"{queue}.Arn"} in [t["Arn"] for t in rule_targets]


@pytest.mark.parametrize("name", SUBSCRIPTIONS)
def test_only_the_configuration_item_changes_the_parser_reads_pass(name):
    properties = resource(name)["Properties"]

    assert properties["FilterPolicyScope"] == "MessageBody"
    assert properties["FilterPolicy"] == {"messageType": [CHANGE, OVERSIZED]}


@pytest.mark.parametrize(("queue", "policy"), POLICIES.items())
def test_only_the_config_topic_may_send_to_the_queue(queue, policy):
    statements = resource(policy)["Properties"]["PolicyDocument"]["Statement"]
    [conditional] = [s["Fn::If"] for s in statements if "Fn::If" in s]

    condition, statement, otherwise = conditional
    assert (condition, otherwise) == ("HasConfigTopic", {"Ref": "AWS::NoValue"})
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert (statement["Action"], statement["Resource"]) == (
        "sqs:SendMessage",
        {"Fn::GetAtt": f"{queue}.Arn"},
    )
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "ConfigTopicArn"}}}


def test_sns_may_use_the_key_the_queues_are_encrypted_with():
    statements = resource("DataKey")["Properties"]["KeyPolicy"]["Statement"]
    [send] = [s for s in statements if s["Sid"] == "EventBridgeAndAlarmsSend"]

    assert "sns.amazonaws.com" in send["Principal"]["Service"]
    assert set(send["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
