"""Deployment tests: the examples created through CloudFormation on LocalStack (see conftest.py)."""
