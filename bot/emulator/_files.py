"""The files upload v2 pair and the upload URL it hands out."""

from __future__ import annotations

import mimetypes
from typing import Any

from aiohttp import web

from ._core import EmulatorCore
from ._errors import SlackApiFailure
from ._ids import random_id
from ._state import UploadedFile
from ._web_api import Args, Handler

Json = dict[str, Any]
MAX_FILE = 1024 * 1024 * 1024


async def get_upload_url(core: EmulatorCore, args: Args) -> Json:
    """files.getUploadURLExternal"""
    name = args.string("filename", required=True)
    length = args.number("length", -1)
    if not 0 < length <= MAX_FILE:
        raise SlackApiFailure("invalid_arguments")
    file = UploadedFile(random_id("F", 10), name, length)
    core.workspace.files[file.id] = file
    return {"upload_url": f"{core.base_url}/upload/{file.id}", "file_id": file.id}


def _file_object(core: EmulatorCore, file: UploadedFile) -> Json:
    return {
        "id": file.id,
        "name": file.name,
        "title": file.title or file.name,
        "mimetype": mimetypes.guess_type(file.name)[0] or "application/octet-stream",
        "size": len(file.data or b""),
        "user": core.config.bot_user_id,
        "url_private": f"{core.base_url}/files/{file.id}",
    }


async def complete_upload(core: EmulatorCore, args: Args) -> Json:
    """files.completeUploadExternal"""
    entries = args.parsed("files")
    if not isinstance(entries, list) or not entries:
        raise SlackApiFailure("invalid_arguments")
    files: list[UploadedFile] = []
    for entry in entries:
        file = core.workspace.files.get(str(entry.get("id")) if isinstance(entry, dict) else "")
        if file is None or file.data is None:
            raise SlackApiFailure("file_not_found")
        if isinstance(entry, dict) and isinstance(entry.get("title"), str):
            file.title = entry["title"]
        files.append(file)
    objects = [_file_object(core, f) for f in files]
    channel = args.string("channel_id") or args.string("channels").split(",")[0]
    if channel:
        conv = core.workspace.conversation(channel)
        msg = core.workspace.add_message(
            conv,
            user=core.config.bot_user_id,
            text=args.string("initial_comment"),
            thread_ts=args.string("thread_ts") or None,
            bot=True,
            files=objects,
        )
        core.announce(msg)
    return {"files": objects}


def upload_routes(core: EmulatorCore) -> list[web.RouteDef]:
    """The upload URL (POST the bytes) and a download URL for stored files."""

    async def upload(request: web.Request) -> web.Response:
        file = core.workspace.files.get(request.match_info["file_id"])
        if file is None:
            return web.Response(status=404, text="file_not_found")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = next(iter(form.values()), None)
            data = part.file.read() if isinstance(part, web.FileField) else b""
        else:
            data = await request.read()
        if len(data) != file.length:
            return web.Response(status=400, text="length_mismatch")
        file.data = data
        return web.Response(text=f"OK - {len(data)}")

    async def download(request: web.Request) -> web.Response:
        file = core.workspace.files.get(request.match_info["file_id"])
        if file is None or file.data is None:
            return web.Response(status=404, text="file_not_found")
        return web.Response(body=file.data, content_type="application/octet-stream")

    return [web.post("/upload/{file_id}", upload), web.get("/files/{file_id}", download)]


METHODS: dict[str, Handler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
