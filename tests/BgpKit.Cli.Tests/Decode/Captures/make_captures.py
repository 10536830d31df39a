#!/usr/bin/python3
"""Writes the small BGP captures that the decoder is compared with tshark on (TsharkReassemblyTests).

Each file is one BGP connection between 10.0.0.1:40000 and 10.0.0.2:179 built with scapy, with the
TCP oddity its name says. Usage: make_captures.py OUTPUT_DIR. Deterministic: fixed times and addresses.
"""
import struct
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.utils import wrpcap

CLIENT, SERVER = ("10.0.0.1", 40000), ("10.0.0.2", 179)
MASK = 0xFFFFFFFF


def message(kind, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), kind) + body


def open_message(wire_as, as4=None, router_id=bytes([10, 0, 0, 1])):
    caps = b"\x01\x04\x00\x01\x00\x01"  # multiprotocol IPv4 unicast
    if as4 is not None:
        caps += b"\x41\x04" + struct.pack("!I", as4)  # four-octet AS (RFC 6793)
    params = b"\x02" + bytes([len(caps)]) + caps
    return message(1, struct.pack("!BHH", 4, wire_as, 90) + router_id + bytes([len(params)]) + params)


def update(prefix_octet, asn=65001):
    """Announces 10.<prefix_octet>.0.0/16 with ORIGIN IGP, AS_PATH [asn] (4-octet) and NEXT_HOP 10.0.0.1."""
    attrs = b"\x40\x01\x01\x00"
    attrs += b"\x40\x02\x06\x02\x01" + struct.pack("!I", asn)
    attrs += b"\x40\x03\x04\x0a\x00\x00\x01"
    nlri = bytes([16, 10, prefix_octet])
    return message(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri)


KEEPALIVE = message(4)


class Connection:
    """Frames of one connection; seq numbers are absolute (mod 2^32) and given by the caller when odd."""

    def __init__(self, client_isn, server_isn):
        self.frames = []
        self.time = 1_700_000_000.0
        self.next = {CLIENT: client_isn, SERVER: server_isn}

    def frame(self, src, flags, seq, payload=b"", ack=0):
        dst = SERVER if src == CLIENT else CLIENT
        packet = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src=src[0], dst=dst[0]) / TCP(
            sport=src[1], dport=dst[1], flags=flags, seq=seq & MASK, ack=ack & MASK, window=65535) / payload
        self.time += 0.001
        packet.time = self.time
        self.frames.append(packet)

    def handshake(self, syn_payload=b""):
        c, s = self.next[CLIENT], self.next[SERVER]
        self.frame(CLIENT, "S", c, syn_payload)
        self.frame(SERVER, "SA", s, ack=c + 1 + len(syn_payload))
        self.next[CLIENT] = (c + 1 + len(syn_payload)) & MASK
        self.next[SERVER] = (s + 1) & MASK
        self.frame(CLIENT, "A", self.next[CLIENT], ack=self.next[SERVER])

    def send(self, src, payload):
        """In-order data from src, one segment."""
        seq = self.next[src]
        other = SERVER if src == CLIENT else CLIENT
        self.frame(src, "PA", seq, payload, ack=self.next[other])
        self.next[src] = (seq + len(payload)) & MASK
        return seq


def as_trans_open():
    """An OPEN whose My AS is AS_TRANS (23456) and whose capability says 4200000001 (RFC 6793 4.2.2)."""
    c = Connection(1000, 5000)
    c.handshake()
    c.send(CLIENT, open_message(23456, as4=4200000001))
    c.send(SERVER, open_message(65002, as4=65002, router_id=bytes([10, 0, 0, 2])))
    c.send(CLIENT, KEEPALIVE)
    c.send(SERVER, KEEPALIVE)
    c.send(CLIENT, update(1, asn=4200000001))
    return c.frames


def syn_data():
    """The client's SYN carries its OPEN (as with TCP Fast Open); the rest follows in order."""
    c = Connection(2000, 9000)
    c.handshake(syn_payload=open_message(65001, as4=65001))
    c.send(SERVER, open_message(65002, as4=65002, router_id=bytes([10, 0, 0, 2])))
    c.send(CLIENT, KEEPALIVE)
    c.send(SERVER, KEEPALIVE)
    c.send(CLIENT, update(1))
    c.send(CLIENT, update(2))
    return c.frames


def sequence_wrap():
    """The client's ISN sits 50 below 2^32: its OPEN crosses the wrap and later messages lie beyond it."""
    c = Connection(MASK - 50, MASK - 3)
    c.handshake()
    c.send(CLIENT, open_message(65001, as4=65001))
    c.send(SERVER, open_message(65002, as4=65002, router_id=bytes([10, 0, 0, 2])))
    c.send(CLIENT, KEEPALIVE)
    c.send(SERVER, KEEPALIVE)
    for i in range(1, 5):
        c.send(CLIENT, update(i))
    return c.frames


def retransmission_different_bytes():
    """An UPDATE is sent, then 'retransmitted' at the same sequence number with other bytes of the same length."""
    c = Connection(3000, 7000)
    c.handshake()
    c.send(CLIENT, open_message(65001, as4=65001))
    c.send(SERVER, open_message(65002, as4=65002, router_id=bytes([10, 0, 0, 2])))
    c.send(CLIENT, KEEPALIVE)
    seq = c.send(CLIENT, update(1))
    c.frame(CLIENT, "PA", seq, update(9), ack=c.next[SERVER])
    c.send(CLIENT, update(2))
    c.send(CLIENT, update(3))
    return c.frames


def out_of_order():
    """Two UPDATEs arrive in the opposite order to their sequence numbers."""
    c = Connection(4000, 8000)
    c.handshake()
    c.send(CLIENT, open_message(65001, as4=65001))
    first, second = update(1), update(2)
    start = c.next[CLIENT]
    c.frame(CLIENT, "PA", start + len(first), second, ack=c.next[SERVER])
    c.frame(CLIENT, "PA", start, first, ack=c.next[SERVER])
    c.next[CLIENT] = (start + len(first) + len(second)) & MASK
    c.send(CLIENT, update(3))
    return c.frames


def overlapping():
    """Segments that overlap: the second repeats the tail of the first and carries the next message on."""
    c = Connection(6000, 8000)
    c.handshake()
    c.send(CLIENT, open_message(65001, as4=65001))
    data = update(1) + update(2) + update(3)
    start = c.next[CLIENT]
    c.frame(CLIENT, "PA", start, data[:40], ack=c.next[SERVER])
    c.frame(CLIENT, "PA", start + 30, data[30:80], ack=c.next[SERVER])
    c.frame(CLIENT, "PA", start + 70, data[70:], ack=c.next[SERVER])
    c.next[CLIENT] = (start + len(data)) & MASK
    c.send(CLIENT, KEEPALIVE)
    return c.frames


def syn_data_retransmitted():
    """The SYN with the OPEN is sent twice (its SYN-ACK was slow), then once more after data has flowed."""
    c = Connection(2000, 9000)
    syn_open = open_message(65001, as4=65001)
    c.frame(CLIENT, "S", 2000, syn_open)
    c.handshake(syn_payload=syn_open)
    c.send(SERVER, open_message(65002, as4=65002, router_id=bytes([10, 0, 0, 2])))
    c.send(CLIENT, KEEPALIVE)
    c.frame(CLIENT, "S", 2000, syn_open)
    c.send(SERVER, KEEPALIVE)
    c.send(CLIENT, update(1))
    c.send(CLIENT, update(2))
    return c.frames


def sequence_wrap_at_syn():
    """The client's ISN is 2^32 - 1: its first data octet has sequence number 0."""
    c = Connection(MASK, MASK - 1)
    c.handshake()
    c.send(CLIENT, open_message(65001, as4=65001))
    c.send(SERVER, open_message(65002, as4=65002, router_id=bytes([10, 0, 0, 2])))
    c.send(CLIENT, KEEPALIVE)
    c.send(SERVER, KEEPALIVE)
    c.send(CLIENT, update(1))
    return c.frames


def sequence_wrap_out_of_order():
    """No handshake captured; segments around 2^32 arrive out of order, across the wrap."""
    c = Connection(MASK - 60, 100)
    c.send(CLIENT, KEEPALIVE)
    first, second, third = update(1), update(2), update(3)
    start = c.next[CLIENT]
    c.frame(CLIENT, "PA", start + len(first), second, ack=c.next[SERVER])
    c.frame(CLIENT, "PA", start, first, ack=c.next[SERVER])
    c.frame(CLIENT, "PA", start + len(first) + len(second), third, ack=c.next[SERVER])
    c.next[CLIENT] = (start + len(first) + len(second) + len(third)) & MASK
    c.send(CLIENT, KEEPALIVE)
    return c.frames


def retransmission_different_bytes_longer():
    """A segment's retransmission carries other bytes for the same octets and the next message too."""
    c = Connection(3000, 7000)
    c.handshake()
    c.send(CLIENT, open_message(65001, as4=65001))
    seq = c.send(CLIENT, update(1))
    c.frame(CLIENT, "PA", seq, update(9) + update(2), ack=c.next[SERVER])
    c.next[CLIENT] = (seq + len(update(1)) * 2) & MASK
    c.send(CLIENT, update(3))
    return c.frames


def retransmission_different_bytes_held():
    """An early (out-of-order) segment is held, then retransmitted with other bytes before the gap fills."""
    c = Connection(3000, 7000)
    c.handshake()
    c.send(CLIENT, open_message(65001, as4=65001))
    first, second = update(1), update(2)
    start = c.next[CLIENT]
    c.frame(CLIENT, "PA", start + len(first), second, ack=c.next[SERVER])
    c.frame(CLIENT, "PA", start + len(first), update(8) + KEEPALIVE, ack=c.next[SERVER])
    c.frame(CLIENT, "PA", start, first, ack=c.next[SERVER])
    c.next[CLIENT] = (start + len(first) + len(second) + len(KEEPALIVE)) & MASK
    c.send(CLIENT, update(3))
    return c.frames


CASES = {
    "as_trans_open.pcap": as_trans_open,
    "syn_data.pcap": syn_data,
    "sequence_wrap.pcap": sequence_wrap,
    "retransmission_different_bytes.pcap": retransmission_different_bytes,
    "out_of_order.pcap": out_of_order,
    "overlapping.pcap": overlapping,
    "syn_data_retransmitted.pcap": syn_data_retransmitted,
    "sequence_wrap_at_syn.pcap": sequence_wrap_at_syn,
    "sequence_wrap_out_of_order.pcap": sequence_wrap_out_of_order,
    "retransmission_different_bytes_longer.pcap": retransmission_different_bytes_longer,
    "retransmission_different_bytes_held.pcap": retransmission_different_bytes_held,
}

if __name__ == "__main__":
    out = sys.argv[1]
    for name, build in CASES.items():
        wrpcap(f"{out}/{name}", build())
