using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>One address family in an ADD-PATH capability.</summary>
/// <param name="AfiSafi">The address family.</param>
/// <param name="Direction">Whether the speaker can receive (1), send (2) or both (3).</param>
public readonly record struct AddPathFamily(AfiSafi AfiSafi, AddPathDirection Direction);

/// <summary>ADD-PATH (RFC 7911 section 4).</summary>
/// <remarks>
/// <code>
/// +------------------------------------------------+
/// | Address Family Identifier (2 octets)           |
/// +------------------------------------------------+
/// | Subsequent Address Family Identifier (1 octet) |
/// +------------------------------------------------+
/// | Send/Receive (1 octet)                         |
/// +------------------------------------------------+   repeated
/// </code>
/// </remarks>
public sealed class AddPathCapability : Capability
{
    /// <summary>The capability with its families.</summary>
    public AddPathCapability(IReadOnlyList<AddPathFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        Families = families;
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.AddPath;

    /// <summary>The families.</summary>
    public IReadOnlyList<AddPathFamily> Families { get; }

    internal override int ValueLength => 4 * Families.Count;

    internal static AddPathCapability DecodeValue(ReadOnlySpan<byte> value)
    {
        if (value.Length % 4 != 0)
        {
            throw Malformed(69, value);
        }
        var families = new AddPathFamily[value.Length / 4];
        for (var i = 0; i < families.Length; i++)
        {
            var t = value.Slice(4 * i, 4);
            families[i] = new AddPathFamily(ReadAfiSafi(t), (AddPathDirection)t[3]);
        }
        return new AddPathCapability(families);
    }

    internal override void WriteValue(Span<byte> destination)
    {
        var at = 0;
        foreach (var f in Families)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)f.AfiSafi.Afi);
            destination[at + 2] = (byte)f.AfiSafi.Safi;
            destination[at + 3] = (byte)f.Direction;
            at += 4;
        }
    }

    /// <summary>"AddPath([IPv4/Unicast Both])".</summary>
    public override string ToString() => $"AddPath([{string.Join(", ", Families.Select(f => $"{f.AfiSafi} {f.Direction}"))}])";
}

/// <summary>One tuple of the Extended Next Hop Encoding capability.</summary>
/// <param name="NlriAfi">The NLRI's AFI.</param>
/// <param name="NlriSafi">The NLRI's SAFI (16 bits on the wire).</param>
/// <param name="NextHopAfi">The AFI of the next hop.</param>
public readonly record struct ExtendedNextHopFamily(Afi NlriAfi, ushort NlriSafi, Afi NextHopAfi);

/// <summary>Extended Next Hop Encoding (RFC 8950 section 3): e.g. IPv4 NLRI with IPv6 next hops.</summary>
/// <remarks>
/// <code>
/// +-----------------------------------------------------+
/// | NLRI AFI (2 octets) | NLRI SAFI (2 octets) | Nexthop AFI (2 octets) |  repeated
/// +-----------------------------------------------------+
/// </code>
/// </remarks>
public sealed class ExtendedNextHopCapability : Capability
{
    /// <summary>The capability with its tuples.</summary>
    public ExtendedNextHopCapability(IReadOnlyList<ExtendedNextHopFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        Families = families;
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.ExtendedNextHop;

    /// <summary>The tuples.</summary>
    public IReadOnlyList<ExtendedNextHopFamily> Families { get; }

    internal override int ValueLength => 6 * Families.Count;

    internal static ExtendedNextHopCapability DecodeValue(ReadOnlySpan<byte> value)
    {
        if (value.Length % 6 != 0)
        {
            throw Malformed(5, value);
        }
        var families = new ExtendedNextHopFamily[value.Length / 6];
        for (var i = 0; i < families.Length; i++)
        {
            var t = value.Slice(6 * i, 6);
            families[i] = new ExtendedNextHopFamily((Afi)BinaryPrimitives.ReadUInt16BigEndian(t), BinaryPrimitives.ReadUInt16BigEndian(t[2..]), (Afi)BinaryPrimitives.ReadUInt16BigEndian(t[4..]));
        }
        return new ExtendedNextHopCapability(families);
    }

    internal override void WriteValue(Span<byte> destination)
    {
        var at = 0;
        foreach (var f in Families)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)f.NlriAfi);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], f.NlriSafi);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 4)..], (ushort)f.NextHopAfi);
            at += 6;
        }
    }

    /// <summary>"ExtendedNextHop([IPv4/1 via IPv6])".</summary>
    public override string ToString() => $"ExtendedNextHop([{string.Join(", ", Families.Select(f => $"{f.NlriAfi}/{f.NlriSafi} via {f.NextHopAfi}"))}])";
}

/// <summary>FQDN capability (draft-walton-bgp-hostname-capability): the speaker's hostname and domain name.</summary>
/// <remarks>
/// <code>
/// +--------------------------------+
/// | Hostname Length (1 octet)      |
/// | Hostname (variable)            |
/// | Domain Name Length (1 octet)   |
/// | Domain Name (variable)         |
/// +--------------------------------+
/// </code>
/// </remarks>
public sealed class FqdnCapability : Capability
{
    private readonly byte[] _host;
    private readonly byte[] _domain;

    /// <summary>The capability from names (UTF-8, each at most 255 octets together with the other fitting in 255).</summary>
    public FqdnCapability(string hostName, string? domainName = null)
        : this(System.Text.Encoding.UTF8.GetBytes(hostName ?? throw new ArgumentNullException(nameof(hostName))), System.Text.Encoding.UTF8.GetBytes(domainName ?? string.Empty))
    {
    }

    private FqdnCapability(byte[] host, byte[] domain)
    {
        if (host.Length + domain.Length + 2 > 255)
        {
            throw new ArgumentException("Hostname and domain name together exceed the 255-octet capability.");
        }
        _host = host;
        _domain = domain;
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.Fqdn;

    /// <summary>The hostname.</summary>
    public string HostName => System.Text.Encoding.UTF8.GetString(_host);

    /// <summary>The domain name (may be empty).</summary>
    public string DomainName => System.Text.Encoding.UTF8.GetString(_domain);

    internal override int ValueLength => 2 + _host.Length + _domain.Length;

    internal static FqdnCapability DecodeValue(ReadOnlySpan<byte> value)
    {
        if (value.Length < 1 || value.Length < 1 + value[0] + 1)
        {
            throw Malformed(73, value);
        }
        var host = value.Slice(1, value[0]);
        var rest = value[(1 + value[0])..];
        if (rest.Length != 1 + rest[0])
        {
            throw Malformed(73, value);
        }
        return new FqdnCapability(host.ToArray(), rest[1..].ToArray());
    }

    internal override void WriteValue(Span<byte> destination)
    {
        destination[0] = (byte)_host.Length;
        _host.CopyTo(destination[1..]);
        destination[1 + _host.Length] = (byte)_domain.Length;
        _domain.CopyTo(destination[(2 + _host.Length)..]);
    }

    /// <summary>"Fqdn(host.domain)".</summary>
    public override string ToString() => $"Fqdn({HostName}, {DomainName})";
}
