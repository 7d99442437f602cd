"""The ``bedrock`` backend (the default): Claude on AWS Bedrock through boto3's Converse API and instructor."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..hookspecs import hookimpl
from .base import BackendFactory, BackendNotConfiguredError, LLMBackend

if TYPE_CHECKING:
    from ..config import AgentConfig

DEFAULT_MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"


class BedrockFactory:
    """Builds the Bedrock backend from region, profile and model settings."""

    name = "bedrock"
    description = "Claude on AWS Bedrock (boto3 bedrock-runtime Converse API). The default."

    def missing(self, config: AgentConfig) -> list[str]:
        import boto3
        import botocore.exceptions

        try:
            session = boto3.Session(profile_name=config.profile, region_name=config.region)
        except botocore.exceptions.ProfileNotFound:
            return [f"AWS profile {config.profile!r} does not exist: run `aws configure sso` or fix AWS_PROFILE"]
        problems = []
        if session.get_credentials() is None:
            problems.append("AWS credentials: run `aws configure` / `aws sso login`, or set AWS_PROFILE")
        if not session.region_name:
            problems.append("AWS region: set AWS_REGION (e.g. us-east-1) or CODEAGENT_REGION")
        return problems

    def create(self, config: AgentConfig) -> LLMBackend:
        problems = self.missing(config)
        if problems:
            raise BackendNotConfiguredError("bedrock is not configured: " + "; ".join(problems), backend=self.name)
        raise BackendNotConfiguredError("the bedrock backend is not available in this build", backend=self.name)


@hookimpl
def register_backends(register: Callable[[BackendFactory], None]) -> None:
    """Register the ``bedrock`` backend."""
    register(BedrockFactory())
