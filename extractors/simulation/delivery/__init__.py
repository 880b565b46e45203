"""The organisation's delivery side: Git repositories, GitHub pull requests, deployments and workflow
runs, PagerDuty incidents, and their DORA ground truth, all derived from the Jira site's milestones."""
