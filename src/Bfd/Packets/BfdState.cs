namespace BgpKit.Bfd;

/// <summary>The session states of RFC 5880 section 4.1 (the Sta field) and section 6.2.</summary>
public enum BfdState : byte
{
    /// <summary>The session is held down administratively (0).</summary>
    AdminDown = 0,

    /// <summary>The session is down or has just been created (1).</summary>
    Down = 1,

    /// <summary>The local system heard the remote system and is waiting for it to agree (2).</summary>
    Init = 2,

    /// <summary>Both systems hear each other (3).</summary>
    Up = 3,
}
