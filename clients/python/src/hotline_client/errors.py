"""What the client raises: the API's problem, typed, or the API not being reachable."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from hotline_client.models import Problem

# The code of an error answer that is not one of the API's problems (a proxy's page, say).
NOT_A_PROBLEM = "unexpected_response"


class HotlineError(Exception):
    """Anything the client raises."""


class Unreachable(HotlineError):
    """No answer from the API (connection refused, timeout) after the retries the request allowed."""


class ProblemError(HotlineError):
    """The API refused: its RFC 9457 problem, with the stable `code` to branch on (the API's docs/errors.md)."""

    def __init__(self, problem: Problem, *, retry_after: int | None = None) -> None:
        super().__init__(f"{problem.status} {problem.code}: {self.reason_of(problem)}")
        self.problem = problem
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return self.problem.status

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def detail(self) -> str:
        """The reason for a person to read (a 422's fields joined as `field: problem`)."""
        return self.reason_of(self.problem)

    @staticmethod
    def reason_of(problem: Problem) -> str:
        if isinstance(problem.detail, str):
            return problem.detail
        return "; ".join(f"{'.'.join(str(p) for p in issue.loc[1:])}: {issue.msg}" for issue in problem.detail)

    @classmethod
    def of(cls, response: httpx.Response) -> ProblemError:
        """The error an answer of 400 or more is."""
        retry_after = response.headers.get("retry-after")
        seconds = int(retry_after) if retry_after and retry_after.isdigit() else None
        try:
            problem = Problem.model_validate_json(response.content)
        except ValidationError:
            problem = Problem(
                status=response.status_code,
                title=response.reason_phrase,
                detail=response.text[:500],
                code=NOT_A_PROBLEM,
            )
        return cls(problem, retry_after=seconds)
