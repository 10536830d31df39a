namespace BgpKit.TestSupport;

/// <summary>
/// BIRD 2.0 run for one test, per /work/shared/INTEROP.md.
/// <code>
/// await using var bird = await BirdDaemon.StartAsync(config);
/// var text = bird.Birdc("show route protocol peer1 count");
/// </code>
/// </summary>
public sealed class BirdDaemon : PeerDaemon
{
    private readonly string _config;

    private BirdDaemon(string config) : base("bird") => _config = config;

    /// <summary>The control socket birdc talks to.</summary>
    public string ControlSocket => Path.Combine(Directory, "bird.ctl");

    /// <summary>Checks <paramref name="config"/> with <c>bird -p</c>, then starts BIRD in the foreground.</summary>
    public static async Task<BirdDaemon> StartAsync(string config)
    {
        var bird = new BirdDaemon(config);
        try
        {
            await bird.LaunchAsync().ConfigureAwait(false);
            return bird;
        }
        catch
        {
            await bird.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A bird.conf with one BGP protocol named <c>peer1</c> (multihop, strict bind) importing everything;
    /// <paramref name="channels"/> replaces the default IPv4 channel, <paramref name="extra"/> goes inside the protocol.
    /// </summary>
    public static string Config(long asn, string routerId, int port, string neighbor, long neighborAs, int neighborPort,
        string? channels = null, string? extra = null, string? global = null) => $$"""
        router id {{routerId}};
        log "LOGFILE" all;
        protocol device { }
        {{global}}
        protocol bgp peer1 {
          local {{routerId}} port {{port}} as {{asn}};
          neighbor {{neighbor}} port {{neighborPort}} as {{neighborAs}};
          multihop;
          strict bind;
          {{extra}}
          {{channels ?? "ipv4 { import all; export none; };"}}
        }

        """;

    /// <inheritdoc />
    protected override async Task LaunchAsync()
    {
        var conf = Path.Combine(Directory, "bird.conf");
        await File.WriteAllTextAsync(conf, _config.Replace("LOGFILE", LogPath, StringComparison.Ordinal)).ConfigureAwait(false);
        Run("bird", "-p", "-c", conf);
        Spawn($"bird -f -c {conf} -s {ControlSocket} -P {Directory}/bird.pid");
        await Poll.UntilAsync(() => IsRunning && Birdc("show status").Contains("Daemon is up", StringComparison.Ordinal), "BIRD to answer birdc").ConfigureAwait(false);
    }

    /// <summary>Runs one birdc command and returns its output.</summary>
    public string Birdc(string command)
    {
        var args = new List<string> { "-s", ControlSocket };
        args.AddRange(command.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return Run("birdc", args.ToArray());
    }

    /// <summary>The BGP state of protocol <paramref name="protocol"/> ("Established", "Active", "Connect", ...).</summary>
    public string BgpState(string protocol = "peer1")
    {
        foreach (var line in Birdc($"show protocols all {protocol}").Split('\n'))
        {
            var t = line.Trim();
            if (t.StartsWith("BGP state:", StringComparison.Ordinal))
            {
                return t["BGP state:".Length..].Trim();
            }
        }
        return "";
    }

    /// <summary>Number of routes imported from <paramref name="protocol"/> (all tables).</summary>
    public int RouteCount(string protocol = "peer1")
    {
        // "123 of 123 routes for 123 networks in table master4"; sum over tables.
        var total = 0;
        foreach (var line in Birdc($"show route protocol {protocol} count").Split('\n'))
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length > 3 && parts[1] == "of" && int.TryParse(parts[0], out var n))
            {
                total += n;
            }
        }
        return total;
    }
}
