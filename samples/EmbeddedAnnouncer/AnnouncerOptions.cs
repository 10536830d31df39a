namespace EmbeddedAnnouncer;

/// <summary>The <c>Announcer</c> configuration section (command line, appsettings.json or environment).</summary>
public sealed class AnnouncerOptions
{
    /// <summary>The router's address.</summary>
    public string Router { get; set; } = "127.0.0.2";

    /// <summary>The router's BGP port.</summary>
    public int RouterPort { get; set; } = 179;

    /// <summary>The router's AS.</summary>
    public uint RouterAs { get; set; } = 64512;

    /// <summary>Our address toward the router (BGP source and BFD local address).</summary>
    public string Local { get; set; } = "127.0.0.1";

    /// <summary>Our AS.</summary>
    public uint LocalAs { get; set; } = 64513;

    /// <summary>The address to announce as a /32 (or /128).</summary>
    public string Vip { get; set; } = "198.51.100.10";

    /// <summary>BFD transmit and receive interval in milliseconds.</summary>
    public int BfdIntervalMs { get; set; } = 300;
}
