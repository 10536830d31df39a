using BgpKit.Cli;

namespace BgpKit.Cli.Tests;

public class ProgramTests
{
    [Theory]
    [InlineData("plan", "--bogus")]
    [InlineData("no-such-command")]
    [InlineData("decode")]
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
