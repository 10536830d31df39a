using System.Buffers.Binary;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// The rtnetlink neighbour-table dump (RTM_GETNEIGH, rtnetlink(7)), as bytes: the request, and a scan of the
/// kernel's reply for one neighbour's link-layer address. IPv6 has no SIOCGARP; this is how the echo
/// function learns the peer's MAC. Pure functions over bytes: malformed or truncated replies are never
/// thrown on, they end the scan with "not found". Kernel structures are in host byte order (little-endian).
/// <code>
/// nlmsghdr: length (4) | type (2) | flags (2) | sequence (4) | port id (4)
/// ndmsg:    family (1) | pad (3) | ifindex (4) | state (2) | flags (1) | type (1)
/// rtattr:   length (2) | type (2) | value, padded to 4 bytes      (NDA_DST 1, NDA_LLADDR 2, NDA_IFINDEX 8)
/// </code>
/// </summary>
internal static class NeighbourDump
{
    public const int HeaderLength = 16;
    public const int NdmsgLength = 12;
    public const int RequestLength = HeaderLength + NdmsgLength + 8;

    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort RtmNewNeigh = 28;
    private const ushort RtmGetNeigh = 30;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;
    private const ushort NdaDst = 1;
    private const ushort NdaLladdr = 2;
    private const ushort NdaIfindex = 8;

    // NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT: an address the kernel would send to
    // (not NUD_INCOMPLETE 0x01, NUD_FAILED 0x20, NUD_NOARP 0x40, NUD_NONE 0).
    internal const ushort UsableStates = 0x02 | 0x04 | 0x08 | 0x10 | 0x80;

    /// <summary>What a scanned reply buffer says.</summary>
    public enum Scan
    {
        /// <summary>The neighbour was found with a usable state; its address is in the output.</summary>
        Found,

        /// <summary>Not in this buffer, and the dump has not ended: read the next buffer.</summary>
        More,

        /// <summary>The dump ended (NLMSG_DONE, an error, or bytes that do not parse) without the neighbour.</summary>
        NotFound,
    }

    /// <summary>Writes a dump request for <paramref name="family"/> neighbours on <paramref name="interfaceIndex"/>.</summary>
    public static int WriteRequest(Span<byte> request, uint sequence, byte family, int interfaceIndex)
    {
        request[..RequestLength].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(request, RequestLength);
        BinaryPrimitives.WriteUInt16LittleEndian(request[4..], RtmGetNeigh);
        BinaryPrimitives.WriteUInt16LittleEndian(request[6..], NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(request[8..], sequence);
        request[HeaderLength] = family;
        BinaryPrimitives.WriteInt32LittleEndian(request[(HeaderLength + 4)..], interfaceIndex);
        // The kernel filters a neighbour dump by NDA_IFINDEX (ndm_ifindex alone is ignored for dumps).
        var attribute = request[(HeaderLength + NdmsgLength)..];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(attribute[2..], NdaIfindex);
        BinaryPrimitives.WriteInt32LittleEndian(attribute[4..], interfaceIndex);
        return RequestLength;
    }

    /// <summary>
    /// Looks through one buffer of dump replies for the neighbour <paramref name="destination"/> (4 or 16
    /// bytes) on <paramref name="interfaceIndex"/> in a usable state; on <see cref="Scan.Found"/> its
    /// link-layer address (6 bytes for Ethernet) is in <paramref name="linkLayerAddress"/>.
    /// </summary>
    public static Scan Find(ReadOnlySpan<byte> replies, uint sequence, int interfaceIndex, ReadOnlySpan<byte> destination,
        Span<byte> linkLayerAddress)
    {
        while (replies.Length >= HeaderLength)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(replies);
            if (length < HeaderLength || length > (uint)replies.Length)
            {
                return Scan.NotFound;
            }
            var type = BinaryPrimitives.ReadUInt16LittleEndian(replies[4..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(replies[8..]) == sequence)
            {
                if (type is NlmsgDone or NlmsgError)
                {
                    return Scan.NotFound;
                }
                if (type == RtmNewNeigh && Matches(replies[HeaderLength..(int)length], interfaceIndex, destination, linkLayerAddress))
                {
                    return Scan.Found;
                }
            }
            var next = Align((int)length);
            if (next >= replies.Length)
            {
                return Scan.More;
            }
            replies = replies[next..];
        }
        return replies.IsEmpty ? Scan.More : Scan.NotFound;
    }

    private static bool Matches(ReadOnlySpan<byte> body, int interfaceIndex, ReadOnlySpan<byte> destination, Span<byte> linkLayerAddress)
    {
        if (body.Length < NdmsgLength
            || BinaryPrimitives.ReadInt32LittleEndian(body[4..]) != interfaceIndex
            || (BinaryPrimitives.ReadUInt16LittleEndian(body[8..]) & UsableStates) == 0)
        {
            return false;
        }
        var attributes = body[NdmsgLength..];
        var destinationMatches = false;
        ReadOnlySpan<byte> lladdr = default;
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length)
            {
                return false;
            }
            var value = attributes[4..length];
            switch (BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]))
            {
                case NdaDst:
                    destinationMatches = value.SequenceEqual(destination);
                    break;
                case NdaLladdr:
                    lladdr = value;
                    break;
            }
            var next = Align(length);
            attributes = next >= attributes.Length ? default : attributes[next..];
        }
        if (!destinationMatches || lladdr.Length != linkLayerAddress.Length)
        {
            return false;
        }
        lladdr.CopyTo(linkLayerAddress);
        return true;
    }

    private static int Align(int length) => (length + 3) & ~3;
}
