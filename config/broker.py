"""kombu's filesystem transport (the broker of a run without Redis), with each message written whole first.

kombu creates a message's file and then writes into it. A worker polling the folder in between moves the still empty
file away, cannot parse it and stops ("Unrecoverable error: JSONDecodeError"), and the message is lost. Here the
message is written under a name no reader looks for, then renamed into the queue in one step.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        path = os.path.join(self.data_folder_out, name)
        writing = path + ".writing"
        try:
            with open(writing, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(writing, path)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {path!r} to directory") from exc


class FilesystemTransport(filesystem.Transport):
    Channel = Channel
