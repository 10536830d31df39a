using System.Buffers;
using System.Net;
using FsCheck;
using FsCheck.Fluent;

namespace BgpKit.Bgp.Wire.Tests.Encoding;

/// <summary>
/// The packing rule of <see cref="UpdateBuilder"/>, stated independently of its code: prefixes keep their order
/// (IPv4 first, then IPv6), every UPDATE stays within the maximum, and an UPDATE ends only where the next prefix
/// of its family would not fit (greedy packing, never reordering).
/// </summary>
public class UpdateBuilderPackingProperties
{
    private static readonly PathAttributes Attributes = new()
    {
        Origin = Origin.Igp,
        AsPath = AsPath.Sequence(65000, 3356),
        NextHop = 0xC0000201,
        Communities = [Community.Parse("65000:1")],
    };

    private static readonly IPAddress NextHop6 = IPAddress.Parse("2001:db8::1");

    // Mostly IPv4 runs of one length (the fast path), with length changes and IPv6 entries mixed in.
    private static Gen<Nlri[]> Prefixes(bool pathIds) =>
        from runCount in Gen.Choose(1, 6)
        from runs in Gen.ArrayOf(
            from family in Gen.Frequency((4, Gen.Constant(4)), (1, Gen.Constant(6)))
            from length in family == 4 ? Gen.Choose(0, 32) : Gen.Choose(0, 128)
            from count in Gen.Frequency((3, Gen.Choose(1, 40)), (1, Gen.Choose(200, 3000)))
            from id in WireArbitrary.UInt32
            select Enumerable.Range(0, count).Select(i =>
            {
                var prefix = family == 4
                    ? Prefix.FromIPv4(0x0A000000u + (uint)i * 0x01010101u, length)
                    : Prefix.FromIPv6(0x20010db800000000UL | (ulong)i << 16, (ulong)i, length);
                return pathIds ? new Nlri(id + (uint)i, prefix) : new Nlri(prefix);
            }).ToArray(),
            runCount)
        select runs.SelectMany(r => r).ToArray();

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(false, true, false)]
    [InlineData(true, false, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void Announcements_and_withdrawals_pack_greedily_in_order(bool extended, bool addPath, bool withdraw)
    {
        var context = new BgpDecodeContext { FourOctetAs = true, ExtendedMessage = extended };
        if (addPath)
        {
            context = context.WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Both).WithAddPath(AfiSafi.IPv6Unicast, AddPathDirection.Both);
        }
        Check.One(WireArbitrary.Config(40), Prop.ForAll(Arb.From(Prefixes(addPath)), prefixes =>
        {
            var output = new ExactBufferWriter();
            var builder = new UpdateBuilder(context);
            var count = withdraw
                ? builder.WriteWithdrawals(output, prefixes)
                : builder.WriteAnnouncements(output, Attributes, prefixes, NextHop6);
            var messages = Decode(output.Written, context);
            Assert.Equal(count, messages.Count);
            var v4 = prefixes.Where(p => p.Prefix.IsIPv4).ToArray();
            var v6 = prefixes.Where(p => p.Prefix.IsIPv6).ToArray();
            var v4Messages = messages.Where(m => m.Update.MpReach is null && m.Update.MpUnreach is null).ToList();
            var v6Messages = messages.Except(v4Messages).ToList();
            Assert.Equal(v4Messages, messages.Take(v4Messages.Count));
            Assert.Equal(v4, v4Messages.SelectMany(m => withdraw ? m.Update.Withdrawn : m.Update.Nlri));
            Assert.Equal(v6, v6Messages.SelectMany(m => withdraw ? m.Update.MpUnreach!.Withdrawn : m.Update.MpReach!.Nlri));
            AssertGreedy(v4Messages, v4, addPath, context.MaxMessageLength);
            AssertGreedy(v6Messages, v6, addPath, context.MaxMessageLength);
            return true;
        }));
    }

    private static void AssertGreedy(List<(int Length, UpdateMessage Update)> messages, Nlri[] prefixes, bool addPath, int max)
    {
        var taken = 0;
        foreach (var (length, update) in messages)
        {
            Assert.True(length <= max);
            taken += update.Nlri.Count + update.Withdrawn.Count + (update.MpReach?.Nlri.Count ?? 0) + (update.MpUnreach?.Withdrawn.Count ?? 0);
            if (taken < prefixes.Length)
            {
                // The message ended because the next prefix would not fit.
                Assert.True(length + NlriCodec.EncodedLength(prefixes[taken].Prefix, addPath) > max, $"{length}-octet UPDATE ended before {prefixes[taken]}");
            }
        }
        Assert.Equal(prefixes.Length, taken);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Prefixes_that_fill_the_maximum_exactly_make_full_updates(bool extended)
    {
        var context = new BgpDecodeContext { FourOctetAs = true, ExtendedMessage = extended };
        var max = context.MaxMessageLength;
        var fixedLength = 23 + Attributes.GetEncodedLength(context);
        // /24 entries are 4 octets; one /32 (5), /8 (2) or /16 (3) pads the field to end exactly at the maximum.
        var room = max - fixedLength;
        Nlri[] padPrefixes = (room % 4) switch
        {
            0 => [],
            1 => [Prefix.FromIPv4(0x0B000001, 32)],
            2 => [Prefix.FromIPv4(0x0B000000, 8)],
            _ => [Prefix.FromIPv4(0x0B000000, 16)],
        };
        var padOctets = padPrefixes.Sum(p => 1 + p.Prefix.ByteCount);
        var perMessage = (room - padOctets) / 4;
        Assert.Equal(room, perMessage * 4 + padOctets);
        var full = padPrefixes.Concat(Enumerable.Range(0, perMessage).Select(i => (Nlri)Prefix.FromIPv4(0x0A000000u + ((uint)i << 8), 24))).ToArray();
        // Twice the exact fill, then one /32 that must open a third UPDATE.
        Nlri[] prefixes = [.. full, .. full, Prefix.FromIPv4(0x01020304, 32)];
        var output = new ExactBufferWriter();
        Assert.Equal(3, new UpdateBuilder(context).WriteAnnouncements(output, Attributes, prefixes));
        var messages = Decode(output.Written, context);
        Assert.Equal([max, max, fixedLength + 5], messages.Select(m => m.Length));
        Assert.Equal(prefixes, messages.SelectMany(m => m.Update.Nlri));
    }

    [Fact]
    public void A_prefix_that_does_not_fit_opens_the_next_update_even_when_a_later_one_would()
    {
        var context = BgpDecodeContext.FourOctetAsDefault;
        var room = 4096 - 23 - Attributes.GetEncodedLength(context);
        // /24 entries up to 4 octets short of the maximum, then a /32 (5 octets) and a /8 (2 octets): the /32 does
        // not fit, so it and the /8 go to the second UPDATE; order is never changed to fill a gap.
        var fill = Enumerable.Range(0, room / 4 - 1).Select(i => (Nlri)Prefix.FromIPv4(0x0A000000u + ((uint)i << 8), 24));
        Nlri[] prefixes = [.. Enumerable.Repeat((Nlri)Prefix.FromIPv4(0x0B000000, 16), room % 4 == 0 ? 0 : 1), .. fill];
        var used = prefixes.Sum(p => 1 + p.Prefix.ByteCount);
        Assert.InRange(room - used, 1, 4);
        prefixes = [.. prefixes, Prefix.FromIPv4(0x01020304, 32), Prefix.FromIPv4(0x0C000000, 8)];
        var output = new ExactBufferWriter();
        Assert.Equal(2, new UpdateBuilder(context).WriteAnnouncements(output, Attributes, prefixes));
        var messages = Decode(output.Written, context);
        Assert.Equal(prefixes[..^2], messages[0].Update.Nlri);
        Assert.Equal(prefixes[^2..], messages[1].Update.Nlri);
    }

    private static List<(int Length, UpdateMessage Update)> Decode(ReadOnlySpan<byte> stream, BgpDecodeContext context)
    {
        var messages = new List<(int, UpdateMessage)>();
        var buffer = new ReadOnlySequence<byte>(stream.ToArray());
        while (BgpMessageHeader.TryReadMessage(ref buffer, context, out var header, out var message))
        {
            var update = (UpdateMessage)BgpMessage.Decode(message, context);
            Assert.Equal(ErrorAction.None, update.Action);
            messages.Add((header.Length, update));
        }
        Assert.Equal(0, buffer.Length);
        return messages;
    }

    /// <summary>
    /// Hands out spans of exactly the size asked for, followed by guard octets that must survive: the builder's
    /// wide stores may use spare room inside the span but never beyond it.
    /// </summary>
    private sealed class ExactBufferWriter : IBufferWriter<byte>
    {
        private const int Guard = 16;
        private readonly List<byte> _written = [];
        private byte[] _current = [];
        private int _size;

        public ReadOnlySpan<byte> Written => _written.ToArray();

        public void Advance(int count)
        {
            Assert.InRange(count, 0, _size);
            Assert.All(_current.AsSpan(_size).ToArray(), b => Assert.Equal(0xA5, b));
            _written.AddRange(_current.AsSpan(0, count));
            _size = 0;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException();

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            _size = Math.Max(sizeHint, 1);
            _current = new byte[_size + Guard];
            _current.AsSpan().Fill(0xA5);
            return _current.AsSpan(0, _size);
        }
    }
}
