"""The bill side of AI: usage reconciled with the vendors' cost reports (reconcile); the
rule that counts usage beside a cost report once is billing/focus/ai_companions."""
