using System.Buffers;

namespace BgpKit.Bgp.Wire.Tests.Messages;

public class FramingTests
{
    private static ReadOnlySequence<byte> Chunked(byte[] data, int chunk)
    {
        Segment? first = null, last = null;
        for (var i = 0; i < data.Length; i += chunk)
        {
            var part = data.AsMemory(i, Math.Min(chunk, data.Length - i));
            if (first is null)
            {
                first = last = new Segment(part, 0);
            }
            else
            {
                last = last!.Append(part);
            }
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long index)
        {
            Memory = memory;
            RunningIndex = index;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(19)]
    [InlineData(1000)]
    public void Messages_frame_the_same_in_any_chunking(int chunk)
    {
        var stream = Hex.Parse(OpenMessageTests.FullOpen).Concat(KeepaliveMessage.Bytes.ToArray())
            .Concat(new NotificationMessage(BgpErrorCode.Cease, 2).ToArray()).ToArray();
        var buffer = Chunked(stream, chunk);
        var types = new List<BgpMessageType>();
        while (BgpMessageHeader.TryReadMessage(ref buffer, BgpDecodeContext.Default, out var header, out var message))
        {
            types.Add(header.Type);
            Assert.Equal(header.Type, BgpMessage.Decode(message).Type);
        }
        Assert.Equal([BgpMessageType.Open, BgpMessageType.Keepalive, BgpMessageType.Notification], types);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Short_data_returns_false_and_keeps_the_buffer()
    {
        var open = Hex.Parse(OpenMessageTests.FullOpen);
        for (var n = 0; n < open.Length; n++)
        {
            var buffer = new ReadOnlySequence<byte>(open, 0, n);
            Assert.False(BgpMessageHeader.TryReadMessage(ref buffer, BgpDecodeContext.Default, out _, out _));
            Assert.Equal(n, buffer.Length);
        }
    }

    public static TheoryData<string, MessageHeaderErrorSubcode, string> BadHeaders => new()
    {
        { "fffffffffffffffffffffffffffffffe 0013 04", MessageHeaderErrorSubcode.ConnectionNotSynchronized, "" },
        { "ffffffffffffffffffffffffffffffff 0012 04", MessageHeaderErrorSubcode.BadMessageLength, "0012" },
        { "ffffffffffffffffffffffffffffffff 1001 02", MessageHeaderErrorSubcode.BadMessageLength, "1001" },
        { "ffffffffffffffffffffffffffffffff 0014 04", MessageHeaderErrorSubcode.BadMessageLength, "0014" },
        { "ffffffffffffffffffffffffffffffff 001c 01", MessageHeaderErrorSubcode.BadMessageLength, "001c" },
        { "ffffffffffffffffffffffffffffffff 0016 02", MessageHeaderErrorSubcode.BadMessageLength, "0016" },
        { "ffffffffffffffffffffffffffffffff 0014 03", MessageHeaderErrorSubcode.BadMessageLength, "0014" },
        { "ffffffffffffffffffffffffffffffff 0016 05", MessageHeaderErrorSubcode.BadMessageLength, "0016" },
        { "ffffffffffffffffffffffffffffffff 0013 06", MessageHeaderErrorSubcode.BadMessageType, "06" },
        { "ffffffffffffffffffffffffffffffff 0013 00", MessageHeaderErrorSubcode.BadMessageType, "00" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Bad_headers_fail_before_the_body_arrives(string header, MessageHeaderErrorSubcode subcode, string data)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Parse(header));
        BgpWireException? ex = null;
        try
        {
            BgpMessageHeader.TryReadMessage(ref buffer, BgpDecodeContext.Default, out _, out _);
        }
        catch (BgpWireException e)
        {
            ex = e;
        }
        Assert.NotNull(ex);
        Assert.Equal(BgpErrorCode.MessageHeaderError, ex.Error.Code);
        Assert.Equal((byte)subcode, ex.Error.Subcode);
        Assert.Equal(data, Hex.Of(ex.Error.Data.Span));
    }

    [Fact]
    public void Extended_messages_allow_65535_except_for_open()
    {
        var extended = new BgpDecodeContext { ExtendedMessage = true };
        var update = Hex.Parse("ffffffffffffffffffffffffffffffff 2000 02");
        var buffer = new ReadOnlySequence<byte>(update);
        Assert.False(BgpMessageHeader.TryReadMessage(ref buffer, extended, out _, out _));
        var open = new ReadOnlySequence<byte>(Hex.Parse("ffffffffffffffffffffffffffffffff 2000 01"));
        Assert.Throws<BgpWireException>(() => BgpMessageHeader.TryReadMessage(ref open, extended, out _, out _));
    }

    [Fact]
    public void Decode_rejects_a_length_field_that_disagrees_with_the_octets()
    {
        var bytes = KeepaliveMessage.Bytes.ToArray().Concat(new byte[] { 0 }).ToArray();
        var ex = Assert.Throws<BgpWireException>(() => BgpMessage.Decode(bytes));
        Assert.Equal((byte)MessageHeaderErrorSubcode.BadMessageLength, ex.Error.Subcode);
        Assert.Throws<BgpWireException>(() => BgpMessage.Decode(new byte[5]));
    }
}
