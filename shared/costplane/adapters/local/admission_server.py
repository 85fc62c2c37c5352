"""The admission endpoint on a local HTTP server (the standard library's, one thread per
connection): what `costplane ai admission serve` runs for a gateway on the same host."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from costplane.adapters.admission_http import MAX_BODY, AdmissionEndpoint, Reply


def admission_server(endpoint: AdmissionEndpoint, host: str, port: int) -> ThreadingHTTPServer:
    """A server bound to `host`:`port` (0: any free port), not yet serving."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._send(Reply(413, {"error": f"body of {length} bytes, at most {MAX_BODY}"}))
                self.close_connection = True
                return
            self._send(endpoint.handle("POST", self.path, self.rfile.read(length)))

        def do_GET(self) -> None:
            self._send(endpoint.handle("GET", self.path, b""))

        def _send(self, reply: Reply) -> None:
            body = reply.encoded()
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: a gateway calls twice per model request."""

    return ThreadingHTTPServer((host, port), Handler)
