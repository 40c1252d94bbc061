"""Proposing and reviewing: agenda new, the issue form and its bot, pull-request checks, CODEOWNERS."""
