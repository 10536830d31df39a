using System.Buffers;
using System.Buffers.Binary;

namespace BgpKit.Bfd;

/// <summary>Encodes BFD Control packets (RFC 5880 section 4.1); layout drawn on <see cref="BfdControlPacket"/>.</summary>
internal static class BfdControlPacketWriter
{
    /// <summary>Writes the packet, authentication section as given (no digest is computed).</summary>
    public static bool TryWrite(in BfdControlPacket packet, Span<byte> destination, out int written)
    {
        written = 0;
        var length = packet.Length;
        if (destination.Length < length)
        {
            return false;
        }
        WriteMandatory(packet, destination, length);
        if (packet.Authentication is { } auth)
        {
            var section = destination[BfdControlPacket.MandatoryLength..length];
            section[0] = (byte)auth.Type;
            section[1] = (byte)auth.Length;
            section[2] = auth.KeyId;
            if (auth.Type == BfdAuthenticationType.SimplePassword)
            {
                auth.Value.Span.CopyTo(section[3..]);
            }
            else
            {
                section[3] = 0;
                BinaryPrimitives.WriteUInt32BigEndian(section[4..], auth.SequenceNumber);
                var digest = section[8..];
                digest.Clear();
                auth.Value.Span[..Math.Min(auth.Value.Length, digest.Length)].CopyTo(digest);
            }
        }
        written = length;
        return true;
    }

    /// <summary>Writes the packet into <paramref name="writer"/>.</summary>
    public static void Write(in BfdControlPacket packet, IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(packet.Length);
        TryWrite(packet, span, out var written);
        writer.Advance(written);
    }

    internal static void WriteMandatory(in BfdControlPacket packet, Span<byte> destination, int length)
    {
        destination[0] = (byte)((packet.Version << 5) | ((byte)packet.Diagnostic & 0x1F));
        var flags = (byte)((byte)packet.State << 6);
        if (packet.Poll) flags |= BfdControlPacketReader.PollBit;
        if (packet.Final) flags |= BfdControlPacketReader.FinalBit;
        if (packet.ControlPlaneIndependent) flags |= BfdControlPacketReader.ControlPlaneIndependentBit;
        if (packet.Authentication is not null) flags |= BfdControlPacketReader.AuthenticationBit;
        if (packet.Demand) flags |= BfdControlPacketReader.DemandBit;
        if (packet.Multipoint) flags |= BfdControlPacketReader.MultipointBit;
        destination[1] = flags;
        destination[2] = packet.DetectMultiplier;
        destination[3] = (byte)length;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], packet.MyDiscriminator);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], packet.YourDiscriminator);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], packet.DesiredMinTxInterval);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], packet.RequiredMinRxInterval);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packet.RequiredMinEchoRxInterval);
    }
}
