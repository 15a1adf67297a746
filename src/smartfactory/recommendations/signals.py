"""Signals of the recommendation batches for the apps that come later in the data flow."""

from django.dispatch import Signal

# Sent (synchronously, in the submitting transaction) when a batch goes to MIIT, with ``batch`` and
# ``actor``; the national evaluation opens an evaluation for each recommended application.
batch_submitted = Signal()
