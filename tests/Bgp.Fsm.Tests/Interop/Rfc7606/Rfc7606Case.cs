using static BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606.MalformedUpdate;

namespace BgpKit.Bgp.Fsm.Tests.Interop.Rfc7606;

/// <summary>What a receiver did with one malformed UPDATE.</summary>
internal enum Verdict
{
    /// <summary>NOTIFICATION and close.</summary>
    Reset,

    /// <summary>The route the UPDATE carried is gone, the session stays up.</summary>
    TreatAsWithdraw,

    /// <summary>The route was updated without the bad attribute.</summary>
    AttributeDiscard,

    /// <summary>The route was updated, nothing dropped (the octets are not an error for this receiver).</summary>
    Accepted,

    /// <summary>The UPDATE had no effect: the route is as before it.</summary>
    Ignored,
}

/// <summary>A verdict; for a reset, the NOTIFICATION's code and subcode.</summary>
internal readonly record struct Outcome(Verdict Verdict, byte Code = 0, byte Subcode = 0)
{
    public static Outcome Reset(byte subcode, byte code = 3) => new(Verdict.Reset, code, subcode);

    public static readonly Outcome Withdraw = new(Verdict.TreatAsWithdraw);
    public static readonly Outcome Discard = new(Verdict.AttributeDiscard);
    public static readonly Outcome Accept = new(Verdict.Accepted);
    public static readonly Outcome Ignore = new(Verdict.Ignored);

    public override string ToString() => Verdict switch
    {
        Verdict.Reset => $"reset {Code}/{Subcode} ({Name(Code, Subcode)})",
        Verdict.TreatAsWithdraw => "treat-as-withdraw",
        Verdict.AttributeDiscard => "attribute discard",
        Verdict.Accepted => "accepted",
        _ => "ignored",
    };

    private static string Name(byte code, byte subcode) => code != 3 ? "code " + code : subcode switch
    {
        1 => "Malformed Attribute List",
        2 => "Unrecognized Well-known Attribute",
        3 => "Missing Well-known Attribute",
        4 => "Attribute Flags Error",
        5 => "Attribute Length Error",
        6 => "Invalid ORIGIN",
        8 => "Invalid NEXT_HOP",
        9 => "Optional Attribute Error",
        10 => "Invalid Network Field",
        11 => "Malformed AS_PATH",
        _ => "UPDATE error",
    };
}

/// <summary>Which attribute tells attribute discard from accepted when the route was updated.</summary>
internal enum Probe
{
    None,
    AtomicAggregate,
    Aggregator,
    LocalPref,

    /// <summary>A repeated attribute: an update that kept the first copy is attribute discard of the repeats.</summary>
    Repeat,
}

/// <summary>How a route looked after the UPDATE (MED 1 before it, MED 2 in it).</summary>
internal sealed record RouteSeen(uint? Med, bool AtomicAggregate, bool Aggregator, bool LocalPref);

/// <summary>
/// One row of the conformance table: the bad UPDATE body (built around the victim prefix's NLRI octets), the RFC
/// section that governs it, what the RFC asks (and BgpKit does), and, where FRR 8.4 differs, what it does and why.
/// </summary>
internal sealed record Rfc7606Case(string Id, string Category, string Name, string Section, Func<byte[], byte[]> Body, Outcome Rfc, Probe Probe = Probe.None, Outcome? Frr = null, string? Why = null)
{
    public Outcome FrrExpected => Frr ?? Rfc;

    public override string ToString() => Id + " " + Name;

    /// <summary>What the observed route says, given the bad UPDATE set MED 2 where the route had MED 1.</summary>
    public Outcome Judge(RouteSeen? victim)
    {
        if (victim is null)
        {
            return Outcome.Withdraw;
        }
        if (victim.Med == 1)
        {
            return Outcome.Ignore;
        }
        var gone = Probe switch
        {
            Probe.AtomicAggregate => !victim.AtomicAggregate,
            Probe.Aggregator => !victim.Aggregator,
            Probe.LocalPref => !victim.LocalPref,
            Probe.Repeat => victim.Med == 2,
            _ => false,
        };
        return gone ? Outcome.Discard : Outcome.Accept;
    }
}
