"""What this half hooks into at start-up (imported by ``DeconflictionConfig.ready``).

Operations need no signal from cases or tips: an operation names its case itself. Its background task is told to
the reaper (``portal.tasks``): re-running it is safe, each notice being claimed before its e-mail.
"""

from deconfliction.operations.tasks import email_operation_notices
from portal.tasks import register_task

register_task(email_operation_notices, rerun=True)
