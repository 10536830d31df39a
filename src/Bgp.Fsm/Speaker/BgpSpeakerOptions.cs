using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace BgpKit.Bgp.Fsm;

/// <summary>What a <see cref="BgpSpeaker"/> is (AS, router id) and where it listens.</summary>
public sealed record BgpSpeakerOptions
{
    /// <summary>Our AS (2- or 4-octet; above 65535 the OPEN carries AS_TRANS, RFC 6793).</summary>
    public required uint LocalAs { get; init; }

    /// <summary>Our BGP identifier (an IPv4 address, RFC 6286).</summary>
    public required IPAddress RouterId { get; init; }

    /// <summary>Address of the shared listener for incoming sessions (null: do not listen; every peer connects out).</summary>
    public IPAddress? ListenAddress { get; init; } = IPAddress.IPv6Any;

    /// <summary>Port of the shared listener (default 179; 0 picks a free port, see <see cref="BgpSpeaker.ListenEndPoint"/>).</summary>
    public int ListenPort { get; init; } = 179;

    /// <summary>Bind the listener to this device (VRF).</summary>
    public string? ListenDevice { get; init; }

    /// <summary>Clock for every protocol timer (tests inject a manual one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Jitter source returning values in [0, 1) (tests inject a constant).</summary>
    public Func<double>? Random { get; init; }

    /// <summary>Logger factory for structured session logs (null: no logs).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Meter factory for the <c>BgpKit.Bgp</c> instruments (null: a plain Meter).</summary>
    public IMeterFactory? MeterFactory { get; init; }
}
