using BgpKit.MetalLb.Model.Reading;

namespace BgpKit.MetalLb.Model.Tests.Reading;

public class GoDurationTests
{
    [Theory]
    [InlineData("3s", 3_000)]
    [InlineData("1m", 60_000)]
    [InlineData("5m30s", 330_000)]
    [InlineData("90s", 90_000)]
    [InlineData("1h2m3s", 3_723_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("300ms", 300)]
    [InlineData("0", 0)]
    public void Parses_go_syntax(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("90")]
    [InlineData("")]
    [InlineData("3x")]
    [InlineData("s")]
    [InlineData("1m 30s")]
    public void Refuses_what_go_refuses(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData("100m", "0.1")]
    [InlineData("1Ki", "1024")]
    [InlineData("1.5k", "1500")]
    [InlineData("2Gi", "2147483648")]
    [InlineData("1e3", "1000")]
    public void Quantities(string text, string expected)
    {
        Assert.True(Quantity.TryParse(text, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }
}
