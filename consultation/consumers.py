"""The read-only websocket of a paper: live reaction tallies.

Nothing a client sends changes anything: writes go over HTTP, where sessions,
CSRF, rules and forms already apply. The socket only listens."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .broadcast import encode_snapshot, paper_group, tally_snapshot
from .models import PolicyPaperPage

# Close codes in the 4000–4999 range are ours to define (docs/realtime.md).
CLOSE_FORBIDDEN = 4403


class PaperTalliesConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = None
        paper_id = self.scope["url_route"]["kwargs"]["paper_id"]
        paper = await self._readable_paper(paper_id)
        if paper is None:
            # Refused before the handshake completes: the client sees HTTP 403.
            await self.close(code=CLOSE_FORBIDDEN)
            return
        # Join the group before the snapshot is read, so no change can fall
        # between the two: the client drops anything the snapshot already has.
        self.group = paper_group(paper_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=encode_snapshot(await database_sync_to_async(tally_snapshot)(paper=paper)))

    @database_sync_to_async
    def _readable_paper(self, paper_id):
        paper = PolicyPaperPage.objects.live().filter(pk=paper_id).first()
        if paper is None or not self.scope["user"].has_perm("consultation.view_tallies", paper):
            return None
        return paper

    async def receive(self, text_data=None, bytes_data=None):
        """Client messages are ignored by design."""

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def tally_message(self, event):
        # Encoded once by the broadcaster; forwarded as it is to every viewer.
        await self.send(text_data=event["text"])
