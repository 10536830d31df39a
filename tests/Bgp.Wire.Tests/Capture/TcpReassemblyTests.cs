using BgpKit.Bgp.Wire.Capture;
using FsCheck;
using FsCheck.Fluent;
using static BgpKit.Bgp.Wire.Tests.Capture.CaptureBuilder;

namespace BgpKit.Bgp.Wire.Tests.Capture;

public class TcpReassemblyTests
{
    private static readonly byte[] Open = Message(1, [4, 0xFD, 0xE8, 0, 90, 10, 0, 0, 1, 0]);
    private static readonly byte[] Update = Message(2, [0, 0, 0, 0]);
    private static readonly byte[] Stream = Concat(Open, Update, KeepaliveBytes, Update);
    private static readonly string[] Expected = [Hex(Open), Hex(Update), Hex(KeepaliveBytes), Hex(Update)];

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static byte[] Segment(uint sequence, byte[] data, byte flags = Ack | Psh) =>
        Ethernet(Ipv4Tcp(40000, 179, sequence, flags, data));

    private static List<string> Messages(IEnumerable<byte[]> frames) =>
        DecodeAll(Pcap(1, frames)).Where(i => i.Kind == CaptureItemKind.BgpMessage).Select(i => i.Hex).ToList();

    private static (List<string> Messages, CaptureStatistics Statistics) MessagesAndStatistics(IEnumerable<byte[]> frames)
    {
        using var decoder = CaptureDecoder.Open(new MemoryStream(Pcap(1, frames)), out _)!;
        var messages = new List<string>();
        while (decoder.TryRead(out var item))
        {
            if (item.Kind == CaptureItemKind.BgpMessage)
            {
                messages.Add(Convert.ToHexString(item.Data.Span));
            }
        }
        return (messages, decoder.Statistics);
    }

    [Fact]
    public void Messages_split_across_segments_and_packed_in_one_are_cut_by_their_header()
    {
        var frames = new[]
        {
            Segment(100, [], Syn),
            Segment(101, Stream[..7]),
            Segment(108, Stream[7..40]),
            Segment(141, Stream[40..]),
        };
        Assert.Equal(Expected, Messages(frames));
    }

    [Fact]
    public void Out_of_order_segments_are_put_back_in_order()
    {
        var frames = new[] { Segment(101, Stream[20..]), Segment(100, [], Syn), Segment(1, []), Segment(101, Stream[..20]) };
        // The SYN after the early segment resets nothing that matters: the early segment is held.
        Assert.Equal(Expected, Messages([Segment(100, [], Syn), Segment(121, Stream[20..]), Segment(101, Stream[..20])]));
        Assert.NotEmpty(frames);
    }

    [Fact]
    public void Retransmitted_and_overlapping_segments_are_not_decoded_twice()
    {
        var frames = new[]
        {
            Segment(100, [], Syn),
            Segment(101, Stream[..30]),
            Segment(101, Stream[..30]),
            Segment(111, Stream[10..50]),
            Segment(151, Stream[50..]),
            Segment(151, Stream[50..]),
        };
        Assert.Equal(Expected, Messages(frames));
    }

    [Fact]
    public void A_lost_segment_costs_the_messages_it_cut_and_the_stream_resynchronises()
    {
        // Octets 30..47 (most of the first UPDATE) were never captured; the KEEPALIVE at 52 is found again.
        var frames = new[]
        {
            Segment(100, [], Syn),
            Segment(101, Stream[..30]),
            Segment(101 + 48, Stream[48..]),
        };
        Assert.Equal([Hex(Open), Hex(KeepaliveBytes), Hex(Update)], Messages(frames));
    }

    [Fact]
    public void A_capture_that_starts_mid_message_finds_the_next_marker()
    {
        Assert.Equal(Expected[1..], Messages([Segment(5000, Stream[10..])]));
    }

    [Fact]
    public void Data_on_a_syn_starts_after_the_syn_sequence_number()
    {
        Assert.Equal([Hex(KeepaliveBytes)], Messages([Segment(7, KeepaliveBytes, Syn)]));
    }

    [Fact]
    public void A_retransmitted_syn_with_data_is_a_retransmission_not_a_new_connection()
    {
        // The SYN carrying the OPEN is sent twice before the data goes on, and once more after it (as
        // tshark reads a SYN with the same sequence number): the OPEN is decoded once and nothing is skipped.
        var frames = new[]
        {
            Segment(100, Open, Syn),
            Segment(100, Open, Syn),
            Segment((uint)(101 + Open.Length), Update),
            Segment(100, Open, Syn),
            Segment((uint)(101 + Open.Length + Update.Length), KeepaliveBytes),
        };
        var (messages, statistics) = MessagesAndStatistics(frames);
        Assert.Equal([Hex(Open), Hex(Update), Hex(KeepaliveBytes)], messages);
        Assert.Equal(0, statistics.SkippedOctets);
    }

    [Fact]
    public void A_syn_with_another_sequence_number_starts_a_new_connection()
    {
        var frames = new[]
        {
            Segment(100, Open, Syn),
            Segment((uint)(101 + Open.Length), Update),
            Segment(7000, KeepaliveBytes, Syn),
            Segment(7001 + (uint)KeepaliveBytes.Length, Update),
        };
        Assert.Equal([Hex(Open), Hex(Update), Hex(KeepaliveBytes), Hex(Update)], Messages(frames));
    }

    [Theory]
    [InlineData(0xFFFF_FFFFu)] // the SYN is the last number: the first data octet is 0
    [InlineData(0xFFFF_FFF0u)] // the OPEN crosses 2^32
    [InlineData(0xFFFF_FFC0u)] // later messages cross it
    public void Sequence_numbers_that_wrap_at_2_32_keep_the_stream_whole(uint isn)
    {
        var frames = new List<byte[]> { Segment(isn, [], Syn) };
        for (var i = 0; i < Stream.Length; i += 9)
        {
            frames.Add(Segment(unchecked(isn + 1 + (uint)i), Stream[i..Math.Min(i + 9, Stream.Length)]));
        }
        // Two neighbouring segments out of order, near the wrap.
        (frames[3], frames[4]) = (frames[4], frames[3]);
        var (messages, statistics) = MessagesAndStatistics(frames);
        Assert.Equal(Expected, messages);
        Assert.Equal(0, statistics.SkippedOctets);
    }

    [Fact]
    public void A_capture_that_starts_just_before_the_wrap_follows_the_stream_across_it()
    {
        var start = 0xFFFF_FFFFu - 20;
        var frames = new[]
        {
            Segment(start, Stream[..30]),
            Segment(unchecked(start + 50), Stream[50..]),
            Segment(unchecked(start + 30), Stream[30..50]),
        };
        Assert.Equal(Expected, Messages(frames));
    }

    [Fact]
    public void A_retransmission_with_other_bytes_keeps_the_octets_seen_first()
    {
        var other = Message(2, [0, 0, 0, 1]); // as long as Update, other bytes
        var at = (uint)(101 + Open.Length);
        var frames = new[]
        {
            Segment(100, [], Syn),
            Segment(101, Open),
            Segment(at, Update),
            Segment(at, other),
            Segment(at, Concat(other, KeepaliveBytes)), // longer: only its new tail counts
        };
        Assert.Equal([Hex(Open), Hex(Update), Hex(KeepaliveBytes)], Messages(frames));
    }

    [Fact]
    public void A_held_segment_keeps_its_octets_when_a_later_segment_overlaps_it_with_other_bytes()
    {
        var other = Message(2, [0, 0, 0, 1]);
        var at = (uint)(101 + Open.Length);
        var frames = new[]
        {
            Segment(100, [], Syn),
            Segment(at, Update),                            // early: held behind the OPEN
            Segment(at, Concat(other, KeepaliveBytes)),     // other bytes for the held octets, then new ones
            Segment(101, Concat(Open, other)),              // in order, and again other bytes for the held octets
        };
        Assert.Equal([Hex(Open), Hex(Update), Hex(KeepaliveBytes)], Messages(frames));
    }

    [Fact]
    public void An_unfinished_message_at_the_end_is_reported_as_truncated()
    {
        var items = DecodeAll(Pcap(1, [Segment(100, [], Syn), Segment(101, Stream[..40])]));
        Assert.Equal(CaptureItemKind.TruncatedMessage, items[^1].Kind);
        Assert.Equal(1, items.Count(i => i.Kind == CaptureItemKind.BgpMessage));
    }

    [Fact]
    public void Both_directions_are_reassembled_separately()
    {
        var frames = new[]
        {
            Segment(101, Open[..10]),
            Ethernet(Ipv4Tcp(179, 40000, 9001, Ack | Psh, KeepaliveBytes, reverse: true)),
            Segment(111, Open[10..]),
        };
        var items = DecodeAll(Pcap(1, frames));
        Assert.Equal(["10.0.0.2:179", "10.0.0.1:40000"], items.Select(i => i.Source));
        Assert.Equal([Hex(KeepaliveBytes), Hex(Open)], items.Select(i => i.Hex));
    }

    [Fact]
    public void Extra_bgp_ports_are_followed_only_when_asked()
    {
        var frame = Ethernet(Ipv4Tcp(40000, 1179, 1, Ack | Psh, KeepaliveBytes));
        Assert.Empty(DecodeAll(Pcap(1, [frame])));
        Assert.Single(DecodeAll(Pcap(1, [frame]), 1179));
    }

    [Fact]
    public void Random_segmentation_reordering_and_duplication_give_the_same_messages()
    {
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var cuts = new SortedSet<int> { 0, Stream.Length };
            var count = random.Next(0, 12);
            for (var i = 0; i < count; i++)
            {
                cuts.Add(random.Next(1, Stream.Length));
            }
            var edges = cuts.ToArray();
            var segments = new List<byte[]> { Segment(100, [], Syn) };
            for (var i = 0; i + 1 < edges.Length; i++)
            {
                segments.Add(Segment((uint)(101 + edges[i]), Stream[edges[i]..edges[i + 1]]));
                if (random.Next(4) == 0)
                {
                    segments.Add(Segment((uint)(101 + edges[i]), Stream[edges[i]..edges[i + 1]]));
                }
            }
            // Swap a few neighbours (never the SYN) to reorder.
            for (var i = 1; i + 1 < segments.Count; i++)
            {
                if (random.Next(3) == 0)
                {
                    (segments[i], segments[i + 1]) = (segments[i + 1], segments[i]);
                }
            }
            return Messages(segments).SequenceEqual(Expected);
        });
        Check.One(Config.QuickThrowOnFailure.WithReplay(20261121UL, 11UL).WithMaxTest(200), property);
    }

    [Fact]
    public void Retransmissions_with_other_bytes_never_change_the_octets_seen_first()
    {
        // Each segment may be sent again later with its own octets damaged, and possibly the stream's true
        // next octets appended; segments are also reordered. Every octet's first carrier is its original
        // segment, so the messages are always the original ones, whatever order the rest arrives in.
        var property = Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var random = new Random(seed);
            var cuts = new SortedSet<int> { 0, Stream.Length };
            for (var i = random.Next(0, 12); i > 0; i--)
            {
                cuts.Add(random.Next(1, Stream.Length));
            }
            var edges = cuts.ToArray();
            var originals = new List<(int Start, int End)>();
            for (var i = 0; i + 1 < edges.Length; i++)
            {
                originals.Add((edges[i], edges[i + 1]));
            }
            for (var i = 0; i + 1 < originals.Count; i++)
            {
                if (random.Next(3) == 0)
                {
                    (originals[i], originals[i + 1]) = (originals[i + 1], originals[i]);
                }
            }
            var segments = new List<byte[]> { Segment(100, [], Syn) };
            segments.AddRange(originals.Select(o => Segment((uint)(101 + o.Start), Stream[o.Start..o.End])));
            foreach (var (start, end) in originals)
            {
                if (random.Next(2) == 0)
                {
                    continue;
                }
                var damaged = Stream[start..end];
                damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
                var extra = Stream[end..Math.Min(Stream.Length, end + random.Next(0, 30))];
                var after = segments.FindIndex(f => f.AsSpan().SequenceEqual(Segment((uint)(101 + start), Stream[start..end])));
                segments.Insert(random.Next(after + 1, segments.Count + 1), Segment((uint)(101 + start), Concat(damaged, extra)));
            }
            return Messages(segments).SequenceEqual(Expected);
        });
        Check.One(Config.QuickThrowOnFailure.WithReplay(20261207UL, 17UL).WithMaxTest(300), property);
    }

    // Found by AFL++ (fuzz/regressions/pcap): a segment exactly 2^31 sequence numbers behind the next expected
    // octet negated int.MinValue into a negative slice start and threw.
    [Fact]
    public void A_segment_half_the_sequence_space_behind_is_dropped_as_old()
    {
        var frames = new[] { Segment(0, KeepaliveBytes), Segment(0x80000000u + 19, KeepaliveBytes), Segment(19, KeepaliveBytes) };
        Assert.Equal([Hex(KeepaliveBytes), Hex(KeepaliveBytes)], Messages(frames));
    }
}
