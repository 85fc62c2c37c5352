"""AI admission on Lambda: a gateway's reserve and settle calls on a Function URL (IAM auth).
Routes and bodies: costplane.adapters.admission_http; the event: adapters.aws.lambda_admission.
"""

from __future__ import annotations

from costplane.adapters.aws.lambda_admission import AdmissionHandler
from costplane.bootstrap import admission

handler = AdmissionHandler(lambda: admission(plane="aws"))
service = handler.service
lambda_handler = handler.lambda_handler
