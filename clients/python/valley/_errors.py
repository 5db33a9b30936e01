"""What the client raises: the API's problem details, and jobs that end without succeeding."""


class ApiError(Exception):
    """A 4xx or 5xx answer, from its problem details (RFC 9457): status, title, detail and the field errors.

    ``errors`` is a list of (field, message) pairs, such as ("spec.epochs", "must be less than or equal to 1000").
    ``problem`` is the whole problem document (a 429 over a token's quota has ``quota``, ``limit`` and ``current``),
    and ``retry_after`` the seconds its Retry-After header asks for (None without one).
    """

    def __init__(self, status, title, detail, errors=(), problem=None, retry_after=None):
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = [tuple(e) for e in errors]
        self.problem = problem or {}
        self.retry_after = retry_after
        text = f"{status} {title}: {detail}" if title else f"{status}: {detail}"
        unsaid = [(f, m) for f, m in self.errors if f not in (detail or "")]
        if unsaid:
            text += " (" + "; ".join(f"{field}: {message}" for field, message in unsaid) + ")"
        super().__init__(text)

    @classmethod
    def from_response(cls, response):
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        errors = [(e.get("field"), e.get("message")) for e in problem.get("errors") or [] if isinstance(e, dict)]
        retry_after = response.headers.get("Retry-After")
        return cls(response.status_code, problem.get("title", response.reason_phrase),
                   problem.get("detail", response.text[:500]), errors, problem,
                   int(retry_after) if retry_after and retry_after.isdigit() else None)


class JobFailed(Exception):
    """The job ended FAILED; ``job`` is it, ``error`` what the platform says went wrong."""

    def __init__(self, job):
        self.job = job
        self.error = job.error
        super().__init__(f"{job.type} job {job.id} failed: {job.error}")


class JobCancelled(Exception):
    """The job ended CANCELLED."""

    def __init__(self, job):
        self.job = job
        super().__init__(f"{job.type} job {job.id} was cancelled")


class ModuleInvalid(Exception):
    """An uploaded TorchScript module that its inspection refused; ``module`` is its record, ``error`` the reason
    (the archive does not load, its forward fails on the dataset's samples, its output has the wrong shape, …)."""

    def __init__(self, module):
        self.module = module
        self.error = module.get("error")
        super().__init__(f"module {module.id} is INVALID: {self.error}")
