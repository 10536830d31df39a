namespace BgpKit.Bgp.Wire;

/// <summary>
/// What a receiver does about a malformed UPDATE (RFC 7606 section 2), strongest last. Decoders
/// return the action as a value; acting on it is the session's business.
/// </summary>
public enum ErrorAction : byte
{
    /// <summary>Nothing wrong.</summary>
    None = 0,

    /// <summary>Attribute discard: drop the attribute, keep the route (RFC 7606 section 2).</summary>
    AttributeDiscard = 1,

    /// <summary>Treat-as-withdraw: every prefix of the UPDATE is withdrawn (RFC 7606 section 2).</summary>
    TreatAsWithdraw = 2,

    /// <summary>AFI/SAFI disable: stop the address family (RFC 4760 section 7, RFC 7606 section 2).</summary>
    AfiSafiDisable = 3,

    /// <summary>Session reset: send the NOTIFICATION and close (RFC 4271 section 6).</summary>
    SessionReset = 4,
}
