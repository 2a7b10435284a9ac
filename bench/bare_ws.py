"""The floor of the live benchmark: a bare ASGI broadcaster of our own.

    uvicorn bench.bare_ws:app --ws websockets-sansio   (bench/live.py starts it)

No Django, no Channels, no database, no channel layer: it accepts every
websocket, sends it one small first message (as the site sends a snapshot),
and on `POST /broadcast` sends the request's body to every open socket from
this process, then answers 204. Served by the same uvicorn with the same
websocket implementation as the site, it is what a websocket costs on this
machine before anything of ours runs: the figure the site's connect time,
delivery and memory per socket are compared with.
"""

import json

HELLO = json.dumps({"type": "snapshot", "version": 0, "tallies": []})

clients = set()


async def app(scope, receive, send):
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": HELLO})
        clients.add(send)
        try:
            while (await receive())["type"] != "websocket.disconnect":
                pass
        finally:
            clients.discard(send)
        return
    if scope["type"] != "http":
        return
    body, more = b"", True
    while more:
        event = await receive()
        body += event.get("body", b"")
        more = event.get("more_body", False)
    if scope["path"] == "/broadcast" and scope["method"] == "POST":
        text = body.decode()
        for client in list(clients):
            try:
                await client({"type": "websocket.send", "text": text})
            except Exception:  # noqa: BLE001, S112 - a client that has just gone
                continue
        status = 204
    else:
        status = 200 if scope["path"] == "/" else 404
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
