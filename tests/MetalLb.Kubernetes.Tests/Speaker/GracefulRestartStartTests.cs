using BgpKit.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace BgpKit.MetalLb.Kubernetes.Tests.Speaker;

/// <summary>The speaker host's --state-dir: a start after a recorded one is a restart (the R bit), anything else is cold.</summary>
public sealed class GracefulRestartStartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bgpkit-state-").FullName;
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private bool Start(string? directory = null) => SpeakerHost.RecordStart(directory ?? _dir, _time, NullLoggerFactory.Instance);

    [Fact]
    public void The_first_start_is_cold_and_every_later_one_a_restart_counted_in_the_file()
    {
        Assert.False(Start());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(Start());
        Assert.True(Start());
        var state = new BgpKit.Bgp.Fsm.GracefulRestartStateFile(Path.Combine(_dir, SpeakerHost.GracefulRestartStateFileName)).Load()!;
        Assert.Equal(2, state.RestartCount);
        Assert.Equal(_time.GetUtcNow(), state.LastStart);
    }

    [Fact]
    public void A_corrupt_state_is_a_cold_start_and_the_next_one_is_a_restart_again()
    {
        File.WriteAllText(Path.Combine(_dir, SpeakerHost.GracefulRestartStateFileName), "{\"version\":1,");
        Assert.False(Start());
        Assert.True(Start());
    }

    [Fact]
    public void A_state_directory_that_cannot_be_written_is_logged_and_the_speaker_starts_cold()
    {
        var notADirectory = Path.Combine(_dir, "file");
        File.WriteAllText(notADirectory, "");
        Assert.False(Start(notADirectory));
        Assert.False(Start(notADirectory));
    }
}
