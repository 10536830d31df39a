using BgpKit.Bgp.Wire;

namespace BgpKit.Bgp.Fsm.Tests.Speaker;

/// <summary>The restart state file: round trip, atomic replacement, and a cold start (null) for anything unreadable.</summary>
public sealed class GracefulRestartStateFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-gr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly DateTimeOffset Start = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_saved_state_reads_back_and_the_next_start_counts_one_more()
    {
        var store = new GracefulRestartStateFile(Path.Combine(_dir, "gr.json"));
        var first = GracefulRestartState.Next(null, Start, [AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast]);
        store.Save(first);
        var read = store.Load()!;
        Assert.Equal(0, read.RestartCount);
        Assert.Equal(Start, read.LastStart);
        Assert.Equal([AfiSafi.IPv4Unicast, AfiSafi.IPv6Unicast], read.ForwardingStateFamilies);

        var second = GracefulRestartState.Next(read, Start.AddMinutes(3), [AfiSafi.IPv4Unicast]);
        store.Save(second);
        Assert.Equal(1, store.Load()!.RestartCount);
        Assert.Equal([AfiSafi.IPv4Unicast], store.Load()!.ForwardingStateFamilies);
        // Replaced by rename: no temporary file stays behind.
        Assert.Equal(["gr.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_missing_directory_is_a_cold_start_and_the_first_save_creates_it()
    {
        var store = new GracefulRestartStateFile(Path.Combine(_dir, "not", "yet", "gr.json"));
        Assert.Null(store.Load());
        store.Save(GracefulRestartState.Next(null, Start, []));
        Assert.NotNull(store.Load());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"version\":1,\"restartCount\":2")] // cut short by a crash mid-write (what the rename prevents)
    [InlineData("[]")]
    [InlineData("{\"version\":2,\"restartCount\":0,\"lastStart\":\"2026-12-07T04:00:00.0000000+00:00\",\"forwardingStateFamilies\":[]}")]
    [InlineData("{\"version\":1,\"restartCount\":-1,\"lastStart\":\"2026-12-07T04:00:00.0000000+00:00\",\"forwardingStateFamilies\":[]}")]
    [InlineData("{\"version\":1,\"restartCount\":0,\"lastStart\":\"yesterday\",\"forwardingStateFamilies\":[]}")]
    [InlineData("{\"version\":1,\"restartCount\":0,\"lastStart\":\"2026-12-07T04:00:00.0000000+00:00\",\"forwardingStateFamilies\":[{\"afi\":\"ipv4\"}]}")]
    public void A_corrupt_file_is_a_cold_start_and_is_rewritten_by_the_next_save(string content)
    {
        var path = Path.Combine(_dir, "gr.json");
        File.WriteAllText(path, content);
        var log = new ListLogger();
        var store = new GracefulRestartStateFile(path, log);
        Assert.Null(store.Load());
        Assert.Contains(log.Lines, l => l.Contains(path, StringComparison.Ordinal) && l.Contains("cold start", StringComparison.Ordinal));

        store.Save(GracefulRestartState.Next(null, Start, [AfiSafi.IPv4Unicast]));
        Assert.Equal(0, store.Load()!.RestartCount);
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
