"""Approvals: ask people in Slack or Teams before a disruptive action, verify their answer, resume.

The flow: the policy runner opens a request (`ApprovalService.open`), which is stored and posted;
an approver's click comes back as a signed callback (`ApprovalCallbacks`), which is verified
before anything is read from it; a pending request is decided once, by a configured approver, and
an approval hands the `then` action back to the runner. Requests nobody answers expire into their
configured default (`ApprovalService.expire_pending`).
"""
