"""REST routes for a user's data: export it as JSON, or forget it everywhere.

`GET /api/users/{user_id}/export` and `DELETE /api/users/{user_id}` need an admin key
(`WHYREC_ADMIN_KEYS`) when API keys are on; without keys (single-user mode) anyone local may
call them. A user is a dataset user id, or the session id of an anonymous conversation.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from ui.errors import ERROR_RESPONSES, Forbidden
from ui.middleware import caller_is_admin
from ui.service import AgentService

UserId = Annotated[str, Path(min_length=1, max_length=128)]


def make_router(service: AgentService) -> APIRouter:
    """The /api/users routes bound to one agent service."""
    router = APIRouter(prefix="/api/users", tags=["users"], responses=ERROR_RESPONSES)

    def check_admin(request: Request) -> None:
        if service.auth and not caller_is_admin(request.scope):
            raise Forbidden(
                "exporting or forgetting a user needs an admin key (WHYREC_ADMIN_KEYS)",
                code="admin_required",
            )

    async def check_known(user_id: str, found: int) -> None:
        """A user with no data must at least be a user of the dataset."""
        if found:
            return
        require = getattr(service.agent, "require_user", None)
        if require is not None:
            await service.call(require, user_id)

    @router.get("/{user_id}/export", summary="A user's sessions, messages and feedback (admin)")
    async def export_user(user_id: UserId, request: Request) -> dict[str, Any]:
        check_admin(request)
        data = await service.export_user(user_id)
        await check_known(user_id, len(data.get("sessions", [])) + len(data.get("feedback", [])))
        return data

    @router.delete("/{user_id}", summary="Forget a user everywhere (admin)")
    async def forget_user(user_id: UserId, request: Request) -> dict[str, Any]:
        check_admin(request)
        result = await service.forget_user(user_id)
        found = int(result.get("sessions", 0)) + int(result.get("feedback_records", 0))
        await check_known(user_id, found)
        return {"forgotten": True, **result}

    return router


__all__ = ["make_router"]
