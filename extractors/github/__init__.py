"""GitHub: pull requests (with commits and reviews), deployments, workflow runs and releases."""
