using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>Capability codes (IANA "Capability Codes" registry).</summary>
public enum CapabilityCode : byte
{
    /// <summary>Multiprotocol Extensions (RFC 4760).</summary>
    Multiprotocol = 1,

    /// <summary>Route Refresh (RFC 2918).</summary>
    RouteRefresh = 2,

    /// <summary>Extended Next Hop Encoding (RFC 8950).</summary>
    ExtendedNextHop = 5,

    /// <summary>BGP Extended Message (RFC 8654).</summary>
    ExtendedMessage = 6,

    /// <summary>BGP Role (RFC 9234).</summary>
    Role = 9,

    /// <summary>Graceful Restart (RFC 4724).</summary>
    GracefulRestart = 64,

    /// <summary>Support for 4-octet AS numbers (RFC 6793).</summary>
    FourOctetAs = 65,

    /// <summary>ADD-PATH (RFC 7911).</summary>
    AddPath = 69,

    /// <summary>Enhanced Route Refresh (RFC 7313).</summary>
    EnhancedRouteRefresh = 70,

    /// <summary>Long-Lived Graceful Restart (RFC 9494).</summary>
    LongLivedGracefulRestart = 71,

    /// <summary>FQDN / hostname (draft-walton-bgp-hostname-capability).</summary>
    Fqdn = 73,
}

/// <summary>
/// A capability advertised in OPEN (RFC 5492). Known codes decode to their own types; any other
/// code decodes to <see cref="UnknownCapability"/> with its bytes kept as received.
/// </summary>
/// <remarks>
/// <code>
/// +------------------------------+
/// | Capability Code (1 octet)    |
/// +------------------------------+
/// | Capability Length (1 octet)  |
/// +------------------------------+
/// | Capability Value (variable)  |
/// +------------------------------+
/// </code>
/// Two capabilities are equal when their codes and encoded values are equal.
/// </remarks>
public abstract class Capability : IEquatable<Capability>
{
    private protected Capability()
    {
    }

    /// <summary>The capability code.</summary>
    public abstract CapabilityCode Code { get; }

    /// <summary>Length of the encoded value (without code and length octets).</summary>
    internal abstract int ValueLength { get; }

    /// <summary>Writes the value.</summary>
    internal abstract void WriteValue(Span<byte> destination);

    /// <summary>The encoded value octets.</summary>
    public byte[] GetValue()
    {
        var bytes = new byte[ValueLength];
        WriteValue(bytes);
        return bytes;
    }

    /// <summary>Decodes one capability value; malformed values of known codes are OPEN Message Errors.</summary>
    internal static Capability Decode(byte code, ReadOnlySpan<byte> value) => (CapabilityCode)code switch
    {
        CapabilityCode.Multiprotocol => MultiprotocolCapability.DecodeValue(value),
        CapabilityCode.RouteRefresh when value.IsEmpty => RouteRefreshCapability.Instance,
        CapabilityCode.EnhancedRouteRefresh when value.IsEmpty => EnhancedRouteRefreshCapability.Instance,
        CapabilityCode.ExtendedMessage when value.IsEmpty => ExtendedMessageCapability.Instance,
        CapabilityCode.ExtendedNextHop => ExtendedNextHopCapability.DecodeValue(value),
        CapabilityCode.Role => RoleCapability.DecodeValue(value),
        CapabilityCode.GracefulRestart => GracefulRestartCapability.DecodeValue(value),
        CapabilityCode.FourOctetAs => FourOctetAsCapability.DecodeValue(value),
        CapabilityCode.AddPath => AddPathCapability.DecodeValue(value),
        CapabilityCode.LongLivedGracefulRestart => LongLivedGracefulRestartCapability.DecodeValue(value),
        CapabilityCode.Fqdn => FqdnCapability.DecodeValue(value),
        CapabilityCode.RouteRefresh or CapabilityCode.EnhancedRouteRefresh or CapabilityCode.ExtendedMessage => throw Malformed(code, value),
        _ => new UnknownCapability(code, value.ToArray()),
    };

    private protected static BgpWireException Malformed(byte code, ReadOnlySpan<byte> value) =>
        new(BgpError.Open(OpenMessageErrorSubcode.Unspecific, default, $"capability {(CapabilityCode)code} with malformed value of {value.Length} octets", 0));

    private protected static AfiSafi ReadAfiSafi(ReadOnlySpan<byte> threeOctets) =>
        new((Afi)BinaryPrimitives.ReadUInt16BigEndian(threeOctets), (Safi)threeOctets[2]);

    /// <inheritdoc/>
    public bool Equals(Capability? other) =>
        other is not null && other.Code == Code && GetValue().AsSpan().SequenceEqual(other.GetValue());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Capability);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Code, ValueLength);

    /// <summary>The capability's name and value.</summary>
    public override string ToString() => $"{Code}({Convert.ToHexString(GetValue())})";
}

/// <summary>A capability BgpKit does not interpret, kept byte for byte.</summary>
public sealed class UnknownCapability : Capability
{
    private readonly byte[] _value;

    /// <summary>A capability with a raw code and value.</summary>
    public UnknownCapability(byte code, ReadOnlyMemory<byte> value)
    {
        if (value.Length > 255)
        {
            throw new ArgumentException("A capability value is at most 255 octets.", nameof(value));
        }
        RawCode = code;
        _value = value.ToArray();
    }

    /// <summary>The code as received.</summary>
    public byte RawCode { get; }

    /// <inheritdoc/>
    public override CapabilityCode Code => (CapabilityCode)RawCode;

    /// <summary>The value as received.</summary>
    public ReadOnlyMemory<byte> Value => _value;

    internal override int ValueLength => _value.Length;

    internal override void WriteValue(Span<byte> destination) => _value.CopyTo(destination);

    /// <summary>"Capability 128 (hex)".</summary>
    public override string ToString() => $"Capability {RawCode}({Convert.ToHexString(_value)})";
}
