using System.CommandLine;
using BgpKit.Cli.Speaker;
using BgpKit.TestSupport;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

/// <summary>
/// The README's main-job command, run as users run it: a real BGP session over loopback between
/// the speaker host and a second BgpKit speaker acting as the router.
/// </summary>
[Trait("Category", "Interop")]
public sealed class QuickstartCommandTests
{
    [Fact]
    public async Task Quickstart_brings_a_session_up_and_the_router_receives_the_example_routes()
    {
        // The bundled example listens on 127.0.0.2:1790; other tests may use that port, so hold a machine lock.
        using var gate = MachineLock.Acquire("quickstart-1790");
        var root = new RootCommand();
        root.Subcommands.Add(QuickstartCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await root.Parse(["quickstart", "--config", Path.Combine(SharedData.RepoRoot, "samples", "quickstart", "manifests")])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });

        var text = output.ToString();
        Assert.True(code == 0, text + error);
        Assert.Contains("OK: session Established and the router received all 2 planned routes.", text);
        Assert.Matches(@"127\.0\.0\.2:1790\s+4\s+64512\s+\d+\s+\d+\s+\d\d:\d\d:\d\d\s+0\s+2 router", text);
        Assert.Contains("*> 198.51.100.1/32      127.0.0.1", text);
        Assert.Contains("64513 i  64512:100", text);
    }
}
