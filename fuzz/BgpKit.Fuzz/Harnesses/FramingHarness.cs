using System.Buffers;
using BgpKit.Bgp.Wire;

namespace BgpKit.Fuzz.Harnesses;

/// <summary>
/// Message framing over a byte stream (several messages back to back, split into a multi-segment
/// sequence): TryReadMessage must return false or a message, throw only the typed error, and the
/// messages it cuts must round-trip.
/// </summary>
internal sealed class FramingHarness : Harness
{
    public override string Name => "framing";

    public override IReadOnlyList<byte[]> SyntheticSeeds()
    {
        var updates = Harnesses.SyntheticSeeds.Updates().ToList();
        var notifications = Harnesses.SyntheticSeeds.NotificationsAndRefresh().ToList();
        return
        [
            [.. Harnesses.SyntheticSeeds.Open(), .. Harnesses.SyntheticSeeds.Keepalive(), .. updates[0]],
            [.. Harnesses.SyntheticSeeds.OpenExtended(), .. updates[3], .. notifications[0]],
            [.. updates[4], .. updates[1], .. notifications[5], .. updates[2]],
        ];
    }

    public override IReadOnlyList<byte[]> LoadSeeds(string? corpus)
    {
        var messages = Seeds.BgpMessages(corpus);
        var seeds = new List<byte[]>(SyntheticSeeds());
        for (var i = 0; i + 2 < messages.Count; i += 3)
        {
            seeds.Add([.. messages[i], .. messages[i + 1], .. messages[i + 2]]);
        }
        return seeds;
    }

    public override void Execute(byte[] input)
    {
        foreach (var context in BgpChecks.Contexts)
        {
            var buffer = Split(input);
            while (true)
            {
                bool ok;
                ReadOnlySequence<byte> message;
                try
                {
                    ok = BgpMessageHeader.TryReadMessage(ref buffer, context, out _, out message);
                }
                catch (BgpWireException e)
                {
                    // Framing reads only the header: the offset is one of its fields, the type at 18 the last.
                    BgpChecks.CheckOffset(e.Error, BgpMessageHeader.Size, limit: 18);
                    break;
                }
                if (!ok)
                {
                    break;
                }
                BgpChecks.DecodeAndRoundTrip(message.ToArray(), context);
            }
        }
    }

    /// <summary>Splits the input into three segments so the framing sees data that crosses segment borders.</summary>
    private static ReadOnlySequence<byte> Split(byte[] input)
    {
        if (input.Length < 3)
        {
            return new ReadOnlySequence<byte>(input);
        }
        var a = input.Length / 3;
        var first = new Segment(input.AsMemory(0, a), 0);
        var second = first.Append(input.AsMemory(a, a));
        var third = second.Append(input.AsMemory(2 * a));
        return new ReadOnlySequence<byte>(first, 0, third, third.Memory.Length);
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
}
