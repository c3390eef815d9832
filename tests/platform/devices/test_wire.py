"""The ingester's MQTT v5 wire parsing, without a broker: packets split at every possible byte arrive whole
and in order, and their PUBACKs go out in one send per read."""

from __future__ import annotations

import struct

import pytest

from smartcommune.platform.devices.mqtt import BrokerAddress
from smartcommune.platform.devices.wire import ProtocolError, Received, Subscriber, _utf8, puback_packets


def _publish(topic: str, payload: bytes, mid: int, qos: int = 1, props: bytes = b"") -> bytes:
    body = _utf8(topic) + (struct.pack("!H", mid) if qos else b"") + bytes([len(props)]) + props + payload
    size, digits = len(body), bytearray()
    while True:
        size, digit = divmod(size, 128)
        digits.append(digit | (0x80 if size else 0))
        if not size:
            return bytes([0x30 | (qos << 1)]) + bytes(digits) + body


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.sent.append(data)


def test_packets_split_anywhere_are_parsed_whole_and_acked_in_one_send() -> None:
    big = b'{"soil_moisture": 42}' + b" " * 300  # a remaining length of two bytes
    stream = (
        _publish("t/19597/d/s1/telemetry", b'{"soil_moisture": 1}', 7)
        + _publish("t/19597/d/s1/telemetry", big, 8, props=b"\x01\x01")  # a property (payload format)
        + _publish("t/16012/d/s2/attr", b"{}", 0, qos=0)
        + b"\xd0\x00"  # PINGRESP
    )
    for cut in range(1, len(stream)):
        got: list[Received] = []
        sub = Subscriber(BrokerAddress("127.0.0.1", 1, None, None), "t", [], got.extend)
        sock = FakeSocket()
        rest = sub._parse(sock, stream[:cut])  # type: ignore[arg-type]
        rest = sub._parse(sock, rest + stream[cut:])  # type: ignore[arg-type]
        assert rest == b""
        assert [(m.topic, m.payload, m.mid, m.qos) for m in got] == [
            ("t/19597/d/s1/telemetry", b'{"soil_moisture": 1}', 7, 1),
            ("t/19597/d/s1/telemetry", big, 8, 1),
            ("t/16012/d/s2/attr", b"{}", 0, 0),
        ]
        assert b"".join(sock.sent) == puback_packets([7, 8])
        assert len(sock.sent) <= 2


def test_manual_ack_sends_nothing_on_receipt() -> None:
    got: list[Received] = []
    sub = Subscriber(BrokerAddress("127.0.0.1", 1, None, None), "t", [], got.extend, manual_ack=True)
    sock = FakeSocket()
    assert sub._parse(sock, _publish("t/1/d/x/telemetry", b"{}", 9)) == b""  # type: ignore[arg-type]
    assert len(got) == 1 and sock.sent == []


def test_a_malformed_publish_drops_the_connection_not_the_process() -> None:
    sub = Subscriber(BrokerAddress("127.0.0.1", 1, None, None), "t", [], lambda m: None)
    bad = b"\x32\x05\x03\xe8abc"  # a topic of 1,000 bytes in a 5-byte packet
    with pytest.raises(ProtocolError):
        sub._parse(FakeSocket(), bad)  # type: ignore[arg-type]
