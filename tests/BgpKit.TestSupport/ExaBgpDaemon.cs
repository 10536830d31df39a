namespace BgpKit.TestSupport;

/// <summary>
/// ExaBGP 4.2 run for one test, per /work/shared/INTEROP.md; its log (stdout) is in <see cref="PeerDaemon.LogPath"/>.
/// Handy for sending deliberately odd or malformed attributes with its <c>attribute [ ... ]</c> syntax.
/// </summary>
public sealed class ExaBgpDaemon : PeerDaemon
{
    private readonly string _config;

    private ExaBgpDaemon(string config) : base("exabgp") => _config = config;

    /// <summary>Starts ExaBGP with <paramref name="config"/> (its own neighbor syntax).</summary>
    public static async Task<ExaBgpDaemon> StartAsync(string config)
    {
        var exa = new ExaBgpDaemon(config);
        try
        {
            await exa.LaunchAsync().ConfigureAwait(false);
            return exa;
        }
        catch
        {
            await exa.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An exabgp.conf for one neighbor; <paramref name="body"/> goes inside the neighbor (families, static routes...).</summary>
    public static string Config(long asn, string routerId, int port, string neighbor, long neighborAs, int neighborPort, string body) => $$"""
        neighbor {{neighbor}} {
            router-id {{routerId}};
            local-address {{routerId}};
            local-as {{asn}};
            peer-as {{neighborAs}};
            listen {{port}};
            connect {{neighborPort}};
            {{body}}
        }

        """;

    /// <inheritdoc />
    protected override async Task LaunchAsync()
    {
        var conf = Path.Combine(Directory, "exabgp.conf");
        await File.WriteAllTextAsync(conf, _config).ConfigureAwait(false);
        // Through env(1): /bin/sh drops variables whose names hold dots, and ExaBGP's settings do.
        Spawn($"env exabgp.daemon.user=root exabgp.log.destination=stdout exabgp.log.all=true exabgp.log.level=DEBUG exabgp.log.routes=true exabgp.daemon.pid={Directory}/exabgp.pid PYTHONUNBUFFERED=1 exabgp {conf}");
        await Poll.UntilAsync(() => IsRunning && ReadLog().Length > 0, "ExaBGP to start").ConfigureAwait(false);
    }
}
