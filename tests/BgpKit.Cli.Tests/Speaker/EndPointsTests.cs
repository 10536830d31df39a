using System.Net;
using BgpKit.Cli.Speaker;

namespace BgpKit.BgpKit.Cli.Tests.Speaker;

public sealed class EndPointsTests
{
    [Theory]
    [InlineData("127.0.0.1:7473", "127.0.0.1:7473")]
    [InlineData("[::]:179", "[::]:179")]
    public void Parses_address_and_port(string text, string expected) =>
        Assert.Equal(IPEndPoint.Parse(expected), EndPoints.Parse(text, "--status"));

    [Fact]
    public void None_disables() => Assert.Null(EndPoints.Parse("none", "--bgp-listen"));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost:80")]
    [InlineData("1.2.3.4:0")]
    public void Rejects_what_is_not_an_endpoint(string text) =>
        Assert.Contains("--status expects ADDR:PORT", Assert.Throws<FormatException>(() => EndPoints.Parse(text, "--status")).Message);

    [Theory]
    [InlineData("all", Microsoft.Extensions.Logging.LogLevel.Trace)]
    [InlineData("warn", Microsoft.Extensions.Logging.LogLevel.Warning)]
    [InlineData("none", Microsoft.Extensions.Logging.LogLevel.None)]
    public void Log_levels(string text, Microsoft.Extensions.Logging.LogLevel expected) => Assert.Equal(expected, ConsoleLogging.Parse(text));
}
