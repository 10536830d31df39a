using System.Buffers.Binary;
using System.Net;

namespace BgpKit.Bfd.Transport;

/// <summary>
/// The rtnetlink neighbour-table dump (RTM_GETNEIGH, rtnetlink(7)), as bytes: the request, and the kernel's
/// replies read into an address-to-MAC table. One dump of family AF_INET gives the ARP table, AF_INET6 the
/// IPv6 neighbour table: this is how the echo function learns peers' MACs. Pure functions over bytes:
/// malformed or truncated replies are never thrown on, they end the dump (entries before them count).
/// Kernel structures are in host byte order (little-endian).
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

    /// <summary>Where a reply buffer leaves the dump.</summary>
    public enum Progress
    {
        /// <summary>The dump has not ended: read the next buffer.</summary>
        More,

        /// <summary>The dump ended: NLMSG_DONE, an error, or bytes that do not parse (what came before them counts).</summary>
        Ended,
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
    /// Adds to <paramref name="table"/> every neighbour in one buffer of dump replies that is on
    /// <paramref name="interfaceIndex"/>, in a usable state, with an IPv4 or IPv6 destination and a 6-byte
    /// (Ethernet) link-layer address; a later entry for the same address replaces an earlier one.
    /// </summary>
    public static Progress Collect(ReadOnlySpan<byte> replies, uint sequence, int interfaceIndex, Dictionary<IPAddress, byte[]> table)
    {
        var reader = new Reader(replies, sequence, interfaceIndex);
        while (reader.TryRead(out var destination, out var linkLayerAddress))
        {
            if (destination.Length is 4 or 16 && linkLayerAddress.Length == 6)
            {
                table[new IPAddress(destination)] = linkLayerAddress.ToArray();
            }
        }
        return reader.Ending;
    }

    // Walks one buffer of dump replies, yielding each neighbour on one interface in a usable state (one with
    // both a destination and a link-layer address); skips replies to other requests and other message types.
    private ref struct Reader
    {
        private readonly uint _sequence;
        private readonly int _interfaceIndex;
        private ReadOnlySpan<byte> _rest;

        public Reader(ReadOnlySpan<byte> replies, uint sequence, int interfaceIndex)
        {
            _rest = replies;
            _sequence = sequence;
            _interfaceIndex = interfaceIndex;
            Ending = Progress.More;
        }

        // Once TryRead returned false: whether the dump goes on in the next buffer.
        public Progress Ending { get; private set; }

        public bool TryRead(out ReadOnlySpan<byte> destination, out ReadOnlySpan<byte> linkLayerAddress)
        {
            destination = default;
            linkLayerAddress = default;
            while (Ending == Progress.More && _rest.Length >= HeaderLength)
            {
                var length = BinaryPrimitives.ReadUInt32LittleEndian(_rest);
                if (length < HeaderLength || length > (uint)_rest.Length)
                {
                    Ending = Progress.Ended;
                    break;
                }
                var message = _rest[..(int)length];
                var next = Align((int)length);
                _rest = next >= _rest.Length ? default : _rest[next..];
                if (BinaryPrimitives.ReadUInt32LittleEndian(message[8..]) != _sequence)
                {
                    continue;
                }
                var type = BinaryPrimitives.ReadUInt16LittleEndian(message[4..]);
                if (type is NlmsgDone or NlmsgError)
                {
                    Ending = Progress.Ended;
                    break;
                }
                if (type == RtmNewNeigh && TryParse(message[HeaderLength..], _interfaceIndex, out destination, out linkLayerAddress))
                {
                    return true;
                }
            }
            if (Ending == Progress.More && !_rest.IsEmpty)
            {
                // Fewer bytes left than a header: a cut message.
                Ending = Progress.Ended;
            }
            return false;
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> body, int interfaceIndex, out ReadOnlySpan<byte> destination, out ReadOnlySpan<byte> linkLayerAddress)
    {
        destination = default;
        linkLayerAddress = default;
        if (body.Length < NdmsgLength
            || BinaryPrimitives.ReadInt32LittleEndian(body[4..]) != interfaceIndex
            || (BinaryPrimitives.ReadUInt16LittleEndian(body[8..]) & UsableStates) == 0)
        {
            return false;
        }
        var attributes = body[NdmsgLength..];
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
                    destination = value;
                    break;
                case NdaLladdr:
                    linkLayerAddress = value;
                    break;
            }
            var next = Align(length);
            attributes = next >= attributes.Length ? default : attributes[next..];
        }
        return !destination.IsEmpty && !linkLayerAddress.IsEmpty;
    }

    private static int Align(int length) => (length + 3) & ~3;
}
