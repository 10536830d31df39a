namespace BgpKit.Bgp.Fsm;

/// <summary>The six states of a BGP session (RFC 4271 section 8.2.2).</summary>
public enum SessionState
{
    /// <summary>Refuses all incoming connections; waits for a start event.</summary>
    Idle,

    /// <summary>Waiting for the outgoing TCP connection to complete.</summary>
    Connect,

    /// <summary>Listening for an incoming TCP connection (or waiting to retry the outgoing one).</summary>
    Active,

    /// <summary>OPEN sent; waiting for the peer's OPEN.</summary>
    OpenSent,

    /// <summary>OPENs exchanged; waiting for the first KEEPALIVE.</summary>
    OpenConfirm,

    /// <summary>The session is up: UPDATEs and KEEPALIVEs flow.</summary>
    Established,
}
