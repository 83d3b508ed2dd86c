"""The aiohttp server that puts every part of the emulator on one port."""

from __future__ import annotations

from aiohttp import web

from . import _files, _methods_chat, _methods_other
from ._core import EmulatorCore
from ._response_url import response_url_routes
from ._ui import ui_routes
from ._web_api import WebApi


class EmulatorServer:
    """Serves the Web API, Socket Mode, uploads, response URLs and the browser page."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        methods = {**_methods_chat.METHODS, **_methods_other.METHODS, **_files.METHODS}
        self.web_api = WebApi(core, methods)
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.add_routes(self.web_api.routes())
        self.app.add_routes(core.sockets.routes())
        self.app.add_routes(_files.upload_routes(core))
        self.app.add_routes(response_url_routes(core))
        self.app.add_routes(ui_routes(core))
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (a free port when 0); returns the port."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1]) if sockets else port
        self.core.base_url = f"http://{host}:{self.port}"
        return self.port

    async def stop(self) -> None:
        """Close connections and stop listening."""
        await self.core.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
