using System.CommandLine;
using BgpKit.MetalLb.Kubernetes;

namespace BgpKit.Cli.Tests;

public class ControllerCommandTests
{
    private static async Task<(int Code, ControllerHostOptions? Options, string Output, string Error)> Run(params string[] args)
    {
        ControllerHostOptions? captured = null;
        var root = new RootCommand();
        root.Subcommands.Add(ControllerCommand.Create((_, options, _, _) =>
        {
            captured = options;
            return Task.FromResult(0);
        }));
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await root.Parse(["controller", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, captured, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_lists_every_option_the_issue_names()
    {
        var (code, _, output, _) = await Run("--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--api-server", "--kubeconfig", "--context", "--in-cluster", "--namespace", "--identity", "--metrics-listen",
            "--lease-duration", "--renew-deadline", "--retry-period" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Defaults_are_metallb_system_and_client_gos_timing()
    {
        var (code, options, _, error) = await Run("--api-server", "http://127.0.0.1:8001");
        Assert.True(code == 0, error);
        Assert.Equal("metallb-system", options!.KubernetesApi.Namespace);
        Assert.Equal(new LeaderElectionTiming(), options.LeaderElection);
        Assert.Equal(ControllerHostOptions.DefaultIdentity(), options.Identity);
        Assert.Equal("127.0.0.1:7472", options.MetricsEndPoint!.ToString());
    }

    [Theory]
    [InlineData("30", "20", "4", 30, 20, 4)]
    [InlineData("1m", "45s", "1500ms", 60, 45, 1.5)]
    [InlineData("1m30s", "1m", "10s", 90, 60, 10)]
    public async Task Durations_take_seconds_or_go_style_values(string lease, string renew, string retry, double leaseS, double renewS, double retryS)
    {
        var (code, options, _, error) = await Run("--api-server", "http://127.0.0.1:8001", "--namespace", "lb", "--identity", "replica-1",
            "--metrics-listen", "none", "--lease-duration", lease, "--renew-deadline", renew, "--retry-period", retry);
        Assert.True(code == 0, error);
        Assert.Equal((leaseS, renewS, retryS), (options!.LeaderElection.LeaseDuration.TotalSeconds, options.LeaderElection.RenewDeadline.TotalSeconds,
            options.LeaderElection.RetryPeriod.TotalSeconds));
        Assert.Equal(("lb", "replica-1"), (options.KubernetesApi.Namespace, options.Identity));
        Assert.Null(options.MetricsEndPoint);
    }

    [Theory]
    [InlineData("--lease-duration", "soon", "--lease-duration expects seconds or a duration")]
    [InlineData("--renew-deadline", "20s", "must be shorter than the lease duration")]
    [InlineData("--retry-period", "9s", "1.2")]
    public async Task Bad_timing_is_a_usage_error_that_says_why(string option, string value, string expected)
    {
        var (code, _, _, error) = await Run("--api-server", "http://127.0.0.1:8001", option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("bgpkit controller: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_files_are_not_a_source_for_the_controller()
    {
        var (code, _, _, error) = await Run();
        Assert.Equal(2, code);
        Assert.Contains("give exactly one of --api-server URL, --kubeconfig [PATH] or --in-cluster", error, StringComparison.Ordinal);
    }
}
