"""The AI usage pull in infra/aws/template.yaml: hourly, one at a time, its keys read from
Secrets Manager at run time (never in its environment), granted exactly reading that secret
and writing under its prefix, and its reports where cost ingest reads and hears of them (the
calls themselves: tests/functions/aws/test_aws_ai_pull_function.py)."""

from __future__ import annotations

from tests.functions.aws.sam_template import resource, template


def test_the_pull_runs_hourly_one_invocation_at_a_time():
    properties = resource("AiPullFunction")["Properties"]
    [event] = properties["Events"].values()

    assert event["Type"] == "ScheduleV2"
    assert event["Properties"]["ScheduleExpression"] == {"Ref": "AiPullSchedule"}
    assert template()["Parameters"]["AiPullSchedule"]["Default"] == "rate(1 hour)"
    assert properties["ReservedConcurrentExecutions"] == 1


def test_the_pull_is_granted_exactly_the_admin_keys_secret_and_writing_its_reports():
    [policy] = resource("AiPullFunction")["Properties"]["Policies"]
    grants = {s["Sid"]: (s["Action"], s["Resource"]["Fn::Sub"]) for s in policy["Statement"]}

    assert grants == {
        "ReadTheAdminKeys": (
            "secretsmanager:GetSecretValue",
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
            "${AiAdminKeysSecretName}-??????",
        ),
        "LandTheReports": (
            "s3:PutObject",
            "arn:${AWS::Partition}:s3:::${ExportBucketName}/${AiPullPrefix}*",
        ),
    }


def test_the_admin_keys_are_named_in_the_environment_never_resolved_into_it():
    variables = resource("AiPullFunction")["Properties"]["Environment"]["Variables"]

    assert variables["COSTPLANE_AI_ADMIN_KEYS_SECRET"] == {"Ref": "AiAdminKeysSecretName"}
    assert "COSTPLANE_AI_ADMIN_KEYS" not in variables
    assert "resolve:secretsmanager" not in str(variables)


def test_the_pull_lands_where_cost_ingest_routes_it_from():
    pulled = resource("AiPullFunction")["Properties"]["Environment"]["Variables"]
    ingest = resource("CostIngestFunction")["Properties"]["Environment"]["Variables"]
    location = {"Fn::Sub": "s3://${ExportBucketName}/${AiPullPrefix}"}

    assert pulled["COSTPLANE_AI_PULL_LOCATION"] == location
    assert ingest["COSTPLANE_AI_PULL_LOCATION"] == {
        "Fn::If": ["PullsAiUsage", location, {"Ref": "AWS::NoValue"}]
    }


def test_the_pull_exists_only_with_an_export_bucket_and_a_keys_secret():
    assert resource("AiPullFunction")["Condition"] == "PullsAiUsage"
    assert template()["Conditions"]["PullsAiUsage"] == {
        "Fn::And": [
            {"Fn::Condition": "IngestsBills"},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "AiAdminKeysSecretName"}, ""]}]},
        ]
    }


def test_a_report_that_keeps_failing_raises_an_alarm():
    alarm = resource("PullFailedAlarm")["Properties"]

    assert (alarm["Namespace"], alarm["MetricName"]) == ("costplane", "pull_failed")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "ai_pull"}]
    assert alarm["AlarmActions"] == [{"Ref": "NotificationTopic"}]
