"""Click commands of the `surveyapp` CLI, one module per group."""
