using System.Buffers.Binary;

namespace BgpKit.Bgp.Wire;

/// <summary>One address family in a Graceful Restart capability.</summary>
/// <param name="AfiSafi">The address family.</param>
/// <param name="ForwardingStateKept">The F bit: forwarding state was preserved across the restart.</param>
/// <param name="Flags">The whole flags octet as received (F is its top bit).</param>
public readonly record struct GracefulRestartFamily(AfiSafi AfiSafi, bool ForwardingStateKept, byte Flags)
{
    /// <summary>A family with only the F bit set or clear.</summary>
    public GracefulRestartFamily(AfiSafi afiSafi, bool forwardingStateKept)
        : this(afiSafi, forwardingStateKept, forwardingStateKept ? (byte)0x80 : (byte)0)
    {
    }
}

/// <summary>Graceful Restart (RFC 4724 section 3, N bit of RFC 8538).</summary>
/// <remarks>
/// <code>
/// +--------------------------------------------------+
/// | Restart Flags (4 bits: R N 0 0)                  |
/// +--------------------------------------------------+
/// | Restart Time in seconds (12 bits)                |
/// +--------------------------------------------------+
/// | AFI (16 bits)                                    |  \
/// +--------------------------------------------------+   |
/// | SAFI (8 bits)                                    |    > repeated
/// +--------------------------------------------------+   |
/// | Flags for Address Family (8 bits: F 0..)         |  /
/// +--------------------------------------------------+
/// </code>
/// </remarks>
public sealed class GracefulRestartCapability : Capability
{
    /// <summary>A Graceful Restart capability.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The restart time exceeds 4095 seconds.</exception>
    public GracefulRestartCapability(bool restartState, bool notification, int restartTimeSeconds, IReadOnlyList<GracefulRestartFamily>? families = null)
        : this((byte)((restartState ? 0x8 : 0) | (notification ? 0x4 : 0)), restartTimeSeconds, families ?? [])
    {
    }

    private GracefulRestartCapability(byte flags, int restartTime, IReadOnlyList<GracefulRestartFamily> families)
    {
        if ((uint)restartTime > 0xFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(restartTime), restartTime, "Restart time is 12 bits (0..4095 seconds).");
        }
        RestartFlags = flags;
        RestartTimeSeconds = restartTime;
        Families = families;
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.GracefulRestart;

    /// <summary>The 4 restart flag bits as received (R = 0x8, N = 0x4).</summary>
    public byte RestartFlags { get; }

    /// <summary>The R bit: the speaker has restarted.</summary>
    public bool RestartState => (RestartFlags & 0x8) != 0;

    /// <summary>The N bit: the speaker supports graceful restart for NOTIFICATIONs (RFC 8538).</summary>
    public bool Notification => (RestartFlags & 0x4) != 0;

    /// <summary>Seconds the peer should keep routes while the session restarts.</summary>
    public int RestartTimeSeconds { get; }

    /// <summary>The address families with preserved state.</summary>
    public IReadOnlyList<GracefulRestartFamily> Families { get; }

    internal override int ValueLength => 2 + 4 * Families.Count;

    internal static GracefulRestartCapability DecodeValue(ReadOnlySpan<byte> value)
    {
        if (value.Length < 2 || (value.Length - 2) % 4 != 0)
        {
            throw Malformed(64, value);
        }
        var head = BinaryPrimitives.ReadUInt16BigEndian(value);
        var families = new GracefulRestartFamily[(value.Length - 2) / 4];
        for (var i = 0; i < families.Length; i++)
        {
            var tuple = value.Slice(2 + 4 * i, 4);
            families[i] = new GracefulRestartFamily(ReadAfiSafi(tuple), (tuple[3] & 0x80) != 0, tuple[3]);
        }
        return new GracefulRestartCapability((byte)(head >> 12), head & 0xFFF, families);
    }

    internal override void WriteValue(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(RestartFlags << 12 | RestartTimeSeconds));
        var at = 2;
        foreach (var family in Families)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)family.AfiSafi.Afi);
            destination[at + 2] = (byte)family.AfiSafi.Safi;
            destination[at + 3] = family.Flags;
            at += 4;
        }
    }

    /// <summary>"GracefulRestart(R=.. N=.. time=.. families)".</summary>
    public override string ToString() =>
        $"GracefulRestart(R={RestartState} N={Notification} time={RestartTimeSeconds} [{string.Join(", ", Families.Select(f => $"{f.AfiSafi} F={f.ForwardingStateKept}"))}])";
}

/// <summary>One address family in a Long-Lived Graceful Restart capability.</summary>
/// <param name="AfiSafi">The address family.</param>
/// <param name="Flags">The flags octet (F = 0x80: forwarding state kept).</param>
/// <param name="StaleTimeSeconds">Long-lived stale time, 24 bits.</param>
public readonly record struct LongLivedGracefulRestartFamily(AfiSafi AfiSafi, byte Flags, int StaleTimeSeconds);

/// <summary>Long-Lived Graceful Restart (RFC 9494 section 3): per-family stale times.</summary>
/// <remarks>
/// <code>
/// +--------------------------------------------------+
/// | AFI (16) | SAFI (8) | Flags (8) | Long-lived Stale Time (24) |  repeated
/// +--------------------------------------------------+
/// </code>
/// </remarks>
public sealed class LongLivedGracefulRestartCapability : Capability
{
    /// <summary>The capability with its families.</summary>
    public LongLivedGracefulRestartCapability(IReadOnlyList<LongLivedGracefulRestartFamily> families)
    {
        ArgumentNullException.ThrowIfNull(families);
        foreach (var f in families)
        {
            if ((uint)f.StaleTimeSeconds > 0xFFFFFF)
            {
                throw new ArgumentOutOfRangeException(nameof(families), "Stale time is 24 bits.");
            }
        }
        Families = families;
    }

    /// <inheritdoc/>
    public override CapabilityCode Code => CapabilityCode.LongLivedGracefulRestart;

    /// <summary>The families.</summary>
    public IReadOnlyList<LongLivedGracefulRestartFamily> Families { get; }

    internal override int ValueLength => 7 * Families.Count;

    internal static LongLivedGracefulRestartCapability DecodeValue(ReadOnlySpan<byte> value)
    {
        if (value.Length % 7 != 0)
        {
            throw Malformed(71, value);
        }
        var families = new LongLivedGracefulRestartFamily[value.Length / 7];
        for (var i = 0; i < families.Length; i++)
        {
            var t = value.Slice(7 * i, 7);
            families[i] = new LongLivedGracefulRestartFamily(ReadAfiSafi(t), t[3], t[4] << 16 | t[5] << 8 | t[6]);
        }
        return new LongLivedGracefulRestartCapability(families);
    }

    internal override void WriteValue(Span<byte> destination)
    {
        var at = 0;
        foreach (var f in Families)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)f.AfiSafi.Afi);
            destination[at + 2] = (byte)f.AfiSafi.Safi;
            destination[at + 3] = f.Flags;
            destination[at + 4] = (byte)(f.StaleTimeSeconds >> 16);
            destination[at + 5] = (byte)(f.StaleTimeSeconds >> 8);
            destination[at + 6] = (byte)f.StaleTimeSeconds;
            at += 7;
        }
    }

    /// <summary>"LongLivedGracefulRestart([...])".</summary>
    public override string ToString() =>
        $"LongLivedGracefulRestart([{string.Join(", ", Families.Select(f => $"{f.AfiSafi} flags={f.Flags} stale={f.StaleTimeSeconds}"))}])";
}
