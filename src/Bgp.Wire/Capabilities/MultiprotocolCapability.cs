using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>Multiprotocol Extensions (RFC 4760 section 8): one AFI/SAFI the speaker can exchange.</summary>
/// <remarks>
/// <code>
///  0       7      15      23      31
/// +-------+-------+-------+-------+
/// |      AFI      | Res.  | SAFI  |
/// +-------+-------+-------+-------+
/// </code>
/// </remarks>
public sealed class MultiprotocolCapability : Capability
{
    /// <summary>Announces an AFI/SAFI.</summary>
    public MultiprotocolCapability(AfiSafi afiSafi) => AfiSafi = afiSafi;

    /// <summary>The address family.</summary>
    public AfiSafi AfiSafi { get; }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.Multiprotocol;

    internal override int ValueLength => 4;

    internal static MultiprotocolCapability DecodeValue(ReadOnlySpan<byte> value) =>
        value.Length == 4 ? new MultiprotocolCapability(new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(value), (Safi)value[3])) : throw Malformed(1, value);

    internal override void WriteValue(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)AfiSafi.Afi);
        destination[2] = 0;
        destination[3] = (byte)AfiSafi.Safi;
    }

    /// <summary>"Multiprotocol(IPv4/Unicast)".</summary>
    public override string ToString() => $"Multiprotocol({AfiSafi})";
}

/// <summary>Route Refresh (RFC 2918 section 2): an empty capability.</summary>
public sealed class RouteRefreshCapability : Capability
{
    /// <summary>The one instance.</summary>
    public static RouteRefreshCapability Instance { get; } = new();

    private RouteRefreshCapability()
    {
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.RouteRefresh;

    internal override int ValueLength => 0;

    internal override void WriteValue(Span<byte> destination)
    {
    }

    /// <summary>"RouteRefresh".</summary>
    public override string ToString() => "RouteRefresh";
}

/// <summary>Enhanced Route Refresh (RFC 7313 section 3.1): an empty capability.</summary>
public sealed class EnhancedRouteRefreshCapability : Capability
{
    /// <summary>The one instance.</summary>
    public static EnhancedRouteRefreshCapability Instance { get; } = new();

    private EnhancedRouteRefreshCapability()
    {
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.EnhancedRouteRefresh;

    internal override int ValueLength => 0;

    internal override void WriteValue(Span<byte> destination)
    {
    }

    /// <summary>"EnhancedRouteRefresh".</summary>
    public override string ToString() => "EnhancedRouteRefresh";
}

/// <summary>BGP Extended Message (RFC 8654 section 3): an empty capability; messages may then reach 65535 octets.</summary>
public sealed class ExtendedMessageCapability : Capability
{
    /// <summary>The one instance.</summary>
    public static ExtendedMessageCapability Instance { get; } = new();

    private ExtendedMessageCapability()
    {
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.ExtendedMessage;

    internal override int ValueLength => 0;

    internal override void WriteValue(Span<byte> destination)
    {
    }

    /// <summary>"ExtendedMessage".</summary>
    public override string ToString() => "ExtendedMessage";
}

/// <summary>Support for 4-octet AS numbers (RFC 6793 section 3): the speaker's real AS.</summary>
public sealed class FourOctetAsCapability : Capability
{
    /// <summary>Announces the speaker's 4-octet AS.</summary>
    public FourOctetAsCapability(uint asn) => Asn = asn;

    /// <summary>The speaker's AS number.</summary>
    public uint Asn { get; }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.FourOctetAs;

    internal override int ValueLength => 4;

    internal static FourOctetAsCapability DecodeValue(ReadOnlySpan<byte> value) =>
        value.Length == 4 ? new FourOctetAsCapability(BinaryPrimitives.ReadUInt32BigEndian(value)) : throw Malformed(65, value);

    internal override void WriteValue(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Asn);

    /// <summary>"FourOctetAs(4200000000)".</summary>
    public override string ToString() => $"FourOctetAs({Asn})";
}

/// <summary>BGP roles (RFC 9234 section 4.1).</summary>
public enum BgpRole : byte
{
    /// <summary>Provider.</summary>
    Provider = 0,

    /// <summary>Route server.</summary>
    RouteServer = 1,

    /// <summary>Route server client.</summary>
    RouteServerClient = 2,

    /// <summary>Customer.</summary>
    Customer = 3,

    /// <summary>Lateral peer.</summary>
    Peer = 4,
}

/// <summary>BGP Role (RFC 9234 section 4.1): one octet naming the speaker's role on the session.</summary>
public sealed class RoleCapability : Capability
{
    /// <summary>Announces a role.</summary>
    public RoleCapability(BgpRole role) => Role = role;

    /// <summary>The role (values beyond 4 are kept as numbers).</summary>
    public BgpRole Role { get; }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.Role;

    internal override int ValueLength => 1;

    internal static RoleCapability DecodeValue(ReadOnlySpan<byte> value) =>
        value.Length == 1 ? new RoleCapability((BgpRole)value[0]) : throw Malformed(9, value);

    internal override void WriteValue(Span<byte> destination) => destination[0] = (byte)Role;

    /// <summary>"Role(Customer)".</summary>
    public override string ToString() => $"Role({Role})";
}
