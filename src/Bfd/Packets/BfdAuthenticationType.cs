namespace BgpKit.Bfd;

/// <summary>The Auth Type values of RFC 5880 section 4.1 (authentication section).</summary>
public enum BfdAuthenticationType : byte
{
    /// <summary>No authentication (the A bit is clear) (0).</summary>
    None = 0,

    /// <summary>Simple Password, section 4.2 (1).</summary>
    SimplePassword = 1,

    /// <summary>Keyed MD5, section 4.3 (2).</summary>
    KeyedMd5 = 2,

    /// <summary>Meticulous Keyed MD5, section 4.3 (3).</summary>
    MeticulousKeyedMd5 = 3,

    /// <summary>Keyed SHA1, section 4.4 (4).</summary>
    KeyedSha1 = 4,

    /// <summary>Meticulous Keyed SHA1, section 4.4 (5).</summary>
    MeticulousKeyedSha1 = 5,
}
