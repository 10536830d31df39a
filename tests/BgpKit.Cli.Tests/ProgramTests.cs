using BgpKit.Cli;

namespace BgpKit.Cli.Tests;

public class ProgramTests
{
    [Theory]
    [InlineData("plan", "--bogus")]
    [InlineData("no-such-command")]
    [InlineData("decode")]
    [InlineData("speaker", "--node", "n1")]
    [InlineData("speaker", "--node", "n1", "--api-server", "ftp://127.0.0.1:6443")]
    [InlineData("speaker", "--node", "n1", "--config", "manifests", "--api-server", "https://127.0.0.1:6443")]
    [InlineData("speaker", "--node", "n1", "--config", "manifests", "--kubeconfig")]
    [InlineData("speaker", "--node", "n1", "--api-server", "https://127.0.0.1:6443", "--context", "dev")]
    [InlineData("speaker", "--node", "n1", "--kubeconfig", "/nonexistent/bgpkit/kubeconfig")]
    [InlineData("controller")]
    [InlineData("controller", "--config", "manifests")]
    [InlineData("controller", "--api-server", "http://127.0.0.1:6443", "--in-cluster")]
    [InlineData("controller", "--api-server", "http://127.0.0.1:6443", "--lease-duration", "soon")]
    [InlineData("controller", "--api-server", "http://127.0.0.1:6443", "--lease-duration", "10s", "--renew-deadline", "10s")]
    [InlineData("controller", "--api-server", "http://127.0.0.1:6443", "--retry-period", "9s")]
    public void Usage_errors_exit_2(params string[] args)
    {
        Assert.Equal(2, Program.Main(args));
    }

    [Fact]
    public void Help_exits_0()
    {
        Assert.Equal(0, Program.Main(["--help"]));
    }
}
